// The one object the renderer talks to, `window.airlock`. The Electron preload and the browser
// shell's bridge script each provide it; the renderer cannot tell them apart.
import type { AirlockErrorValue } from './errors.ts';
import type { AirlockEvent } from './contract.ts';

export type BridgeResult = { ok: true; value: unknown } | { ok: false; error: AirlockErrorValue };

export interface AirlockBridge {
  invoke(method: string, args: unknown): Promise<BridgeResult>;
  /** Calls the listener for every event; returns a function that stops it. */
  subscribe(listener: (event: AirlockEvent) => void): () => void;
}
