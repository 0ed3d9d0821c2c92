// Exposes exactly one frozen object, window.airlock, to the sandboxed renderer. It forwards
// allow-listed method calls and relays events; ipcRenderer itself never crosses the bridge.
import { contextBridge, ipcRenderer } from 'electron';
import type { AirlockBridge, BridgeResult } from '../../common/bridge.ts';
import type { AirlockEvent } from '../../common/contract.ts';
import { EVENT_CHANNEL, isMethodName, methodChannel } from '../../common/method-names.ts';

const airlock: AirlockBridge = Object.freeze({
  invoke(method: string, args: unknown): Promise<BridgeResult> {
    if (!isMethodName(method)) {
      return Promise.resolve({ ok: false, error: { code: 'api.unknown-method', message: 'Airlock was asked to do something it does not know. Nothing was changed.' } });
    }
    return ipcRenderer.invoke(methodChannel(method), args) as Promise<BridgeResult>;
  },
  subscribe(listener: (event: AirlockEvent) => void): () => void {
    // Only the payload is passed on: the IPC event object would hand the page the sender.
    const relay = (_event: unknown, payload: AirlockEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, relay);
    };
  },
});

contextBridge.exposeInMainWorld('airlock', airlock);
