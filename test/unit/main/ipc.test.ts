import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, methodChannel } from '../../../common/method-names.ts';
import { isTrustedSender, registerApiHandlers } from '../../../electron/main/ipc.ts';
import { openTestCore } from '../../support/core.ts';
import { IpcMainStandIn, invokeEvent } from '../../support/electron-stand-in.ts';

async function setUp() {
  const core = await openTestCore({ shell: 'electron', version: '1.2.3' });
  const ipcMain = new IpcMainStandIn();
  const unregister = registerApiHandlers(ipcMain, core.call);
  return { core, ipcMain, unregister };
}

const appFrame = { url: 'app://airlock/index.html', isMain: true };

describe('Electron IPC registration', () => {
  it('registers one handler per contract method, and removes them all', async () => {
    const { ipcMain, unregister } = await setUp();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(METHOD_NAMES.map(methodChannel).sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('answers the app\'s own main frame with the envelope', async () => {
    const { ipcMain } = await setUp();
    expect(await ipcMain.invoke(methodChannel('app.info'), appFrame, {})).toMatchObject({ ok: true, value: { shell: 'electron', version: '1.2.3' } });
  });

  it('refuses a sub-frame, even one showing the app\'s origin', async () => {
    const { ipcMain } = await setUp();
    const result = await ipcMain.invoke(methodChannel('app.info'), { url: 'app://airlock/index.html', isMain: false }, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'api.untrusted-sender' } });
  });

  it('refuses a main frame from any other origin', async () => {
    const { ipcMain, core } = await setUp();
    let emitted = 0;
    core.events.subscribe(() => emitted++);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'not a url']) {
      const result = await ipcMain.invoke(methodChannel('app.ping'), { url, isMain: true }, { nonce: 'n' });
      expect(result).toMatchObject({ ok: false, error: { code: 'api.untrusted-sender' } });
    }
    expect(emitted).toBe(0);
  });

  it('validates arguments from a trusted sender against the contract', async () => {
    const { ipcMain } = await setUp();
    expect(await ipcMain.invoke(methodChannel('app.ping'), appFrame, { nonce: '' })).toMatchObject({ ok: false, error: { code: 'api.bad-arguments' } });
  });

  it('treats a missing sender frame as untrusted', () => {
    const event = invokeEvent(appFrame);
    expect(isTrustedSender({ ...event, senderFrame: null } as never)).toBe(false);
  });
});
