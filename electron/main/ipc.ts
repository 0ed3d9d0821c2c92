// Registers every API method on its own IPC channel in one place: the sender must be the
// app's own main frame, arguments are validated by the contract (inside the dispatcher), and
// every answer is the {ok, value} | {ok: false, error} envelope.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { AirlockError, type Result } from '../../common/errors.ts';
import { METHOD_NAMES, methodChannel } from '../../common/method-names.ts';
import type { ApiDispatch } from '../services/api/dispatcher.ts';
import { APP_HOST, APP_SCHEME } from './protocol.ts';


/**
 * True only for the top-level frame of one of our windows showing our own page. Sub-frames,
 * other origins and frames that navigated away (which is denied anyway) are refused.
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  try {
    // WHATWG URL gives custom schemes an opaque origin ("null"), so compare scheme and host.
    const url = new URL(frame.url);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

export function registerApiHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dispatch: ApiDispatch,
  isTrusted: (event: IpcMainInvokeEvent) => boolean = isTrustedSender,
): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(methodChannel(method), async (event, args: unknown): Promise<Result<unknown>> => {
      if (!isTrusted(event)) {
        return {
          ok: false,
          error: new AirlockError('api.untrusted-sender', 'This request did not come from Airlock.', `refused IPC ${method} from ${event.senderFrame?.url ?? 'unknown frame'}`).toValue(),
        };
      }
      return dispatch(method, args);
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(methodChannel(method));
  };
}
