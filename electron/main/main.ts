// Airlock's Electron main process: hardens the app, loads the policy, builds the core, locks
// the sessions down and opens the one window. All behaviour lives in the services; this file
// only wires Electron.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, protocol, session } from 'electron';
import { AirlockError } from '../../common/errors.ts';
import { EVENT_CHANNEL } from '../../common/method-names.ts';
import { egressHostsFor } from '../platforms/hosts.ts';
import { openCore } from '../services/core.ts';
import { defaultPolicyPath, loadPolicy } from '../services/policy/policy.ts';
import { appCliArgs, runAppCli } from './app-cli.ts';
import { CRASH_PAGE_URL, recoverFromCrashes } from './crash-recovery.ts';
import { lockOnStartupFailure, policyFailurePage, STARTUP_FAILURE_PAGE_URL, startupFailurePage } from './startup-failure.ts';
import { denyPermissions, lockDownWebContents } from './hardening.ts';
import { registerApiHandlers } from './ipc.ts';
import { openAuthWindow } from './oauth-window.ts';
import { createAdminExit, guardWindowClose, kioskWindowOptions, lockKeyboardAndZoom, removeApplicationMenu, type KioskEvent } from './kiosk.ts';
import { lockdownSettings } from './lockdown-policy.ts';
import { APP_HOST, APP_SCHEME, APP_SCHEME_PRIVILEGES, handleAppProtocol } from './protocol.ts';
import { guardSession, NO_NETWORK, OAUTH_PARTITION, type SessionRefusal } from './session-guard.ts';

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
lockDownWebContents(app);

// IT's `airlock` commands, handled by the app itself (see app-cli.ts): no window, and no
// single-instance lock, so a running kiosk does not swallow them.
const command = appCliArgs(process.argv, process.defaultApp === true);
if (command === null && !app.requestSingleInstanceLock()) app.quit();

const policyPath = process.env.AIRLOCK_POLICY ?? defaultPolicyPath();

async function start(): Promise<void> {
  await app.whenReady();
  denyPermissions(session.defaultSession);
  removeApplicationMenu(Menu);

  const appRoot = app.getAppPath();

  const policy = await loadPolicy(policyPath);
  const lockdown = lockdownSettings(policy, app.isPackaged);
  // Bound once the window exists; `app.exitKiosk` has checked the admin's secret before this runs.
  let leaveKiosk: (() => void) | null = null;
  // Sign-in pages open over the main window once it exists (connecting accounts needs it anyway).
  let mainWindow: BrowserWindow | null = null;
  const core = await openCore({
    onAdminExit: () => leaveKiosk?.(),
    openAuthWindow: (request) =>
      openAuthWindow(
        { BrowserWindow, session: session.fromPartition(OAUTH_PARTITION), partition: OAUTH_PARTITION, parent: mainWindow, log: (e) => process.stderr.write(`[auth] ${e.kind} ${JSON.stringify(e.details)}\n`) },
        request,
      ),
    shell: 'electron',
    version: app.getVersion(),
    policy,
    dataDir: process.env.AIRLOCK_DATA_DIR ?? path.join(app.getPath('userData'), 'data'),
    trainingAssetsDir: path.join(appRoot, 'assets', 'demo'),
    workers: {
      store: pathToFileURL(path.join(appRoot, 'dist', 'electron', 'store-worker.js')),
      sanitize: pathToFileURL(path.join(appRoot, 'dist', 'electron', 'sanitize-worker.js')),
    },
  });
  handleAppProtocol(protocol, path.join(appRoot, 'dist', 'renderer'), core.libraryFile);
  registerApiHandlers(ipcMain, core.call);

  // Refusals go to the same log as the Node egress client's: Diagnostics and the audit log.
  const logRefusal = (refusal: SessionRefusal): void => {
    core.egress.log.record({ at: refusal.at, host: refusal.host, port: refusal.port, requester: refusal.requester, code: refusal.code, reason: refusal.reason, detail: `${refusal.resourceType}: ${refusal.detail}` });
  };
  const logKiosk = (event: KioskEvent): void => {
    process.stderr.write(`[kiosk] ${event.kind} ${JSON.stringify(event.details)}\n`);
    void core.audit.append({ actor: 'system', actorName: 'Airlock', kind: event.kind, details: event.details }).catch(() => {
      // Already on stderr; an audit failure is reported by the audit log itself.
    });
  };
  const guard = { allowDevTools: !app.isPackaged, proxy: lockdown.proxy, log: logRefusal, ownPages: [CRASH_PAGE_URL, STARTUP_FAILURE_PAGE_URL, policyFailurePage(policyPath)] };
  // The main window talks only to window.airlock, so its session has no network at all.
  await guardSession(session.defaultSession, { ...guard, ...NO_NETWORK, requester: 'renderer' });
  // Sign-in pages (an OAuth window, when one is added) get their own partition, limited to the
  // enabled platforms' hosts; loopback only in training mode, where those are the simulators.
  await guardSession(session.fromPartition(OAUTH_PARTITION), {
    ...guard,
    network: 'allow-list',
    allowedHosts: egressHostsFor(policy.policy.platforms, policy.policy.network.extraHosts),
    allowLoopback: policy.policy.trainingMode,
    requester: 'auth',
  });
  // Any other session, whoever creates it, starts with no network and no permissions.
  app.on('session-created', (created) => {
    guardSession(created, { ...guard, ...NO_NETWORK, requester: 'unknown-session' }).catch((err: unknown) =>
      logKiosk({ kind: 'kiosk.session-guard-failed', details: { why: err instanceof Error ? err.message : String(err) } }),
    );
  });
  app.on('web-contents-created', (_event, contents) => {
    lockKeyboardAndZoom(contents, process.platform, { kiosk: lockdown.kiosk, devTools: !app.isPackaged });
  });

  const window = new BrowserWindow({
    ...kioskWindowOptions(lockdown.kiosk),
    width: 1280,
    height: 860,
    show: false,
    backgroundColor: '#f6f7f9',
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
  mainWindow = window;
  const stopEvents = core.events.subscribe((event) => {
    if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event);
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', stopEvents);
  // Exiting the kiosk: the `app.exitKiosk` method re-checks an admin's own secret, then this runs.
  const adminExit = createAdminExit({ app, quit: () => window.close(), log: logKiosk });
  leaveKiosk = () => void adminExit.requestAdminExit(async () => true);
  guardWindowClose(window, lockdown.kiosk, adminExit.isExitAllowed);
  app.on('second-instance', () => {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  const appUrl = `${APP_SCHEME}://${APP_HOST}/index.html`;
  recoverFromCrashes({
    app,
    contents: window.webContents,
    reload: () => window.loadURL(appUrl),
    showErrorPage: () => window.loadURL(CRASH_PAGE_URL),
    log: logKiosk,
  });
  await window.loadURL(appUrl);

  app.on('window-all-closed', () => {
    void core.close().finally(() => app.quit());
  });
}

if (command !== null) {
  runAppCli(command).then(
    (code) => app.exit(code),
    (err: unknown) => {
      process.stderr.write(`airlock: ${err instanceof Error ? err.message : String(err)}\n`);
      app.exit(1);
    },
  );
} else {
  start().catch((err: unknown) => {
    const detail = err instanceof AirlockError && err.detail ? ` (${err.detail})` : '';
    process.stderr.write(`Airlock could not start: ${err instanceof Error ? err.message : String(err)}${detail}\n`);
    // A packaged kiosk stays locked on a page that says why, rather than leaving staff at the
    // desktop or starting with defaults; if even that fails, it quits.
    lockOnStartupFailure({ app, BrowserWindow }, startupFailurePage(err, policyPath), app.isPackaged).catch(() => app.exit(1));
  });
}
