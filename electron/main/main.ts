// Airlock's Electron main process: hardens the app, loads the policy, builds the core, and
// opens the one window. All behaviour lives in the services; this file only wires Electron.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, protocol, session } from 'electron';
import { EVENT_CHANNEL } from '../../common/method-names.ts';
import { openCore } from '../services/core.ts';
import { defaultPolicyPath, loadPolicy } from '../services/policy/policy.ts';
import { denyPermissions, lockDownWebContents } from './hardening.ts';
import { registerApiHandlers } from './ipc.ts';
import { APP_HOST, APP_SCHEME, APP_SCHEME_PRIVILEGES, handleAppProtocol } from './protocol.ts';

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
lockDownWebContents(app);

if (!app.requestSingleInstanceLock()) app.quit();

async function start(): Promise<void> {
  await app.whenReady();
  denyPermissions(session.defaultSession);

  const appRoot = app.getAppPath();

  const policy = await loadPolicy(process.env.AIRLOCK_POLICY ?? defaultPolicyPath());
  const core = await openCore({
    shell: 'electron',
    version: app.getVersion(),
    policy,
    dataDir: process.env.AIRLOCK_DATA_DIR ?? path.join(app.getPath('userData'), 'data'),
    workers: {
      store: pathToFileURL(path.join(appRoot, 'dist', 'electron', 'store-worker.js')),
      sanitize: pathToFileURL(path.join(appRoot, 'dist', 'electron', 'sanitize-worker.js')),
    },
  });
  handleAppProtocol(protocol, path.join(appRoot, 'dist', 'renderer'), core.libraryFile);
  registerApiHandlers(ipcMain, core.call);

  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    show: false,
    backgroundColor: '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: {
      preload: path.join(appRoot, 'dist', 'electron', 'preload.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !app.isPackaged,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const stopEvents = core.events.subscribe((event) => {
    if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event);
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', stopEvents);
  await window.loadURL(`${APP_SCHEME}://${APP_HOST}/index.html`);

  app.on('window-all-closed', () => {
    void core.close().finally(() => app.quit());
  });
}

start().catch((err: unknown) => {
  process.stderr.write(`Airlock could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  app.exit(1);
});
