// The one stand-in for Electron in Airlock's tests. The Electron runtime cannot start on the
// machines the tests run on (its binary is downloaded at install time and that host is not
// reachable), so code in electron/main is tested against these minimal objects, which model
// only what that code touches: ipcMain.handle/removeHandler and the sender frame of an event.
import type { IpcMainInvokeEvent } from 'electron';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

export class IpcMainStandIn {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** Calls a channel the way ipcRenderer.invoke from a frame with this URL would. */
  async invoke(channel: string, frame: { url: string; isMain: boolean }, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(invokeEvent(frame), ...args);
  }
}

export function invokeEvent(frame: { url: string; isMain: boolean }): IpcMainInvokeEvent {
  const senderFrame = { url: frame.url };
  const mainFrame = frame.isMain ? senderFrame : { url: 'app://airlock/index.html' };
  return { senderFrame, sender: { mainFrame } } as unknown as IpcMainInvokeEvent;
}
