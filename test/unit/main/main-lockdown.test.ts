// The lockdown settings are asserted from the code that sets them: main.ts is parsed with the
// TypeScript compiler (it cannot be run: it imports Electron, which cannot start here), and
// the functions it calls are run against the Electron stand-in.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { lockDownWebContents } from '../../../electron/main/hardening.ts';
import { AppStandIn, ElectronEventStandIn, WebContentsStandIn } from '../../support/electron-stand-in.ts';

const MAIN = new URL('../../../electron/main/main.ts', import.meta.url);
const source = ts.createSourceFile('main.ts', readFileSync(MAIN, 'utf8'), ts.ScriptTarget.Latest, true);

function descendants(node: ts.Node): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (n: ts.Node) => {
    found.push(n);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

const all = descendants(source);
const startFunction = all.find((n): n is ts.FunctionDeclaration => ts.isFunctionDeclaration(n) && n.name?.text === 'start');
const calls = all.filter(ts.isCallExpression);

function callsTo(callee: string): ts.CallExpression[] {
  return calls.filter((c) => c.expression.getText(source) === callee);
}

function only<T>(items: T[], what: string): T {
  expect(items, what).toHaveLength(1);
  return items[0]!;
}

function insideStart(node: ts.Node): boolean {
  return startFunction !== undefined && node.pos >= startFunction.pos && node.end <= startFunction.end;
}

function isTopLevelStatement(node: ts.Node): boolean {
  return ts.isExpressionStatement(node.parent) && node.parent.parent === source;
}

const browserWindow = only(all.filter((n): n is ts.NewExpression => ts.isNewExpression(n) && n.expression.getText(source) === 'BrowserWindow'), 'one BrowserWindow');
const windowOptions = browserWindow.arguments?.[0];

function literalProperties(object: ts.ObjectLiteralExpression): Map<string, string> {
  const props = new Map<string, string>();
  for (const p of object.properties) {
    if (ts.isPropertyAssignment(p)) props.set(p.name.getText(source), p.initializer.getText(source));
    else props.set(p.getText(source), '(not a plain property)');
  }
  return props;
}

describe('main.ts: the BrowserWindow', () => {
  it('is created inside start() with an object literal', () => {
    expect(startFunction).toBeDefined();
    expect(insideStart(browserWindow)).toBe(true);
    expect(windowOptions && ts.isObjectLiteralExpression(windowOptions)).toBe(true);
  });

  const options = windowOptions as ts.ObjectLiteralExpression;
  const webPreferences = options.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(source) === 'webPreferences');

  it('holds webPreferences as a literal at the call (electronegativity cannot see a variable)', () => {
    expect(webPreferences).toBeDefined();
    expect(ts.isObjectLiteralExpression(webPreferences!.initializer)).toBe(true);
  });

  const prefs = literalProperties(webPreferences!.initializer as ts.ObjectLiteralExpression);

  it.each([
    ['sandbox', 'true'],
    ['contextIsolation', 'true'],
    ['nodeIntegration', 'false'],
    ['nodeIntegrationInWorker', 'false'],
    ['nodeIntegrationInSubFrames', 'false'],
    ['webSecurity', 'true'],
    ['allowRunningInsecureContent', 'false'],
    ['experimentalFeatures', 'false'],
    ['webviewTag', 'false'],
    ['navigateOnDragDrop', 'false'],
    ['spellcheck', 'false'],
    ['devTools', '!app.isPackaged'],
    ['disableBlinkFeatures', "'Auxclick'"],
    ['preload', "path.join(appRoot, 'dist', 'electron', 'preload.cjs')"],
  ])('sets webPreferences.%s to %s', (name, value) => {
    expect(prefs.get(name)).toBe(value);
  });

  it('sets nothing else in webPreferences: no spread, no partition, no Blink features, no extra arguments', () => {
    expect([...prefs.keys()].sort()).toEqual(
      ['sandbox', 'contextIsolation', 'nodeIntegration', 'nodeIntegrationInWorker', 'nodeIntegrationInSubFrames', 'webSecurity', 'allowRunningInsecureContent', 'experimentalFeatures', 'webviewTag', 'navigateOnDragDrop', 'spellcheck', 'devTools', 'disableBlinkFeatures', 'preload'].sort(),
    );
  });

  it('takes the kiosk options from kioskWindowOptions(lockdown.kiosk), and overrides none of them', () => {
    const spreads = options.properties.filter(ts.isSpreadAssignment).map((s) => s.expression.getText(source));
    expect(spreads).toEqual(['kioskWindowOptions(lockdown.kiosk)']);
    const plain = literalProperties(options);
    for (const overridden of ['kiosk', 'fullscreen', 'minimizable', 'autoHideMenuBar', 'frame', 'closable']) expect(plain.has(overridden), overridden).toBe(false);
    expect(plain.get('show')).toBe('false');
  });
});

describe('main.ts: what happens before the window exists', () => {
  it('registers the app scheme, locks every web contents and takes the single-instance lock at load time', () => {
    for (const callee of ['protocol.registerSchemesAsPrivileged', 'lockDownWebContents', 'app.requestSingleInstanceLock']) {
      const call = only(callsTo(callee), callee);
      expect(insideStart(call), callee).toBe(false);
    }
    expect(isTopLevelStatement(only(callsTo('lockDownWebContents'), 'lockDownWebContents'))).toBe(true);
    expect(only(callsTo('lockDownWebContents'), 'lockDownWebContents').arguments.map((a) => a.getText(source))).toEqual(['app']);
  });

  it('denies permissions and removes the menu as soon as the app is ready', () => {
    const ready = only(callsTo('app.whenReady'), 'app.whenReady');
    const deny = only(callsTo('denyPermissions'), 'denyPermissions');
    expect(deny.arguments[0]?.getText(source)).toBe('session.defaultSession');
    expect(deny.pos).toBeGreaterThan(ready.pos);
    expect(deny.pos).toBeLessThan(browserWindow.pos);
    expect(only(callsTo('removeApplicationMenu'), 'removeApplicationMenu').arguments[0]?.getText(source)).toBe('Menu');
    expect(only(callsTo('removeApplicationMenu'), 'removeApplicationMenu').pos).toBeLessThan(browserWindow.pos);
  });

  it('guards the window\'s session with no network, and waits for it, before creating the window', () => {
    const guards = callsTo('guardSession');
    const defaultGuard = only(guards.filter((g) => g.arguments[0]?.getText(source) === 'session.defaultSession'), 'guardSession(session.defaultSession)');
    expect(ts.isAwaitExpression(defaultGuard.parent)).toBe(true);
    expect(defaultGuard.pos).toBeLessThan(browserWindow.pos);
    const settings = defaultGuard.arguments[1]!.getText(source);
    expect(settings).toContain('...NO_NETWORK');
    expect(settings).not.toMatch(/allowedHosts|allow-list/);
  });

  it('guards the OAuth partition with the enabled platforms\' hosts, loopback only in training mode', () => {
    const oauth = only(callsTo('guardSession').filter((g) => g.arguments[0]?.getText(source) === 'session.fromPartition(OAUTH_PARTITION)'), 'guardSession(OAuth)');
    expect(ts.isAwaitExpression(oauth.parent)).toBe(true);
    expect(oauth.pos).toBeLessThan(browserWindow.pos);
    const settings = literalProperties(oauth.arguments[1] as ts.ObjectLiteralExpression);
    expect(settings.get('network')).toBe("'allow-list'");
    expect(settings.get('allowedHosts')).toBe('egressHostsFor(policy.policy.platforms, policy.policy.network.extraHosts)');
    expect(settings.get('allowLoopback')).toBe('policy.policy.trainingMode');
  });

  it('passes the proxy from the policy and devtools: only for unpackaged builds to every guard', () => {
    const guard = all.find((n): n is ts.VariableDeclaration => ts.isVariableDeclaration(n) && n.name.getText(source) === 'guard');
    const settings = literalProperties(guard!.initializer as ts.ObjectLiteralExpression);
    expect(settings.get('proxy')).toBe('lockdown.proxy');
    expect(settings.get('allowDevTools')).toBe('!app.isPackaged');
    expect(settings.get('ownPages')).toBe('[CRASH_PAGE_URL, STARTUP_FAILURE_PAGE_URL, policyFailurePage(policyPath)]');
    for (const call of callsTo('guardSession')) expect(call.arguments[1]!.getText(source)).toMatch(/^\{\s*\.\.\.guard,/);
  });

  it('locks down any later session and filters the keyboard of every web contents, before the window', () => {
    const on = callsTo('app.on');
    const sessionCreated = only(on.filter((c) => c.arguments[0]?.getText(source) === "'session-created'"), "app.on('session-created')");
    expect(sessionCreated.arguments[1]!.getText(source)).toMatch(/guardSession\(created, \{ \.\.\.guard, \.\.\.NO_NETWORK/);
    const contentsCreated = only(on.filter((c) => c.arguments[0]?.getText(source) === "'web-contents-created'"), "app.on('web-contents-created')");
    expect(contentsCreated.arguments[1]!.getText(source)).toContain('lockKeyboardAndZoom(contents, process.platform, { kiosk: lockdown.kiosk, devTools: !app.isPackaged })');
    expect(sessionCreated.pos).toBeLessThan(browserWindow.pos);
    expect(contentsCreated.pos).toBeLessThan(browserWindow.pos);
  });

  it('guards the window\'s close and watches for crashes before loading the page', () => {
    const appLoad = callsTo('window.loadURL').filter((c) => c.arguments[0]?.getText(source) === 'appUrl' && ts.isAwaitExpression(c.parent));
    const load = only(appLoad, 'await window.loadURL(appUrl)');
    for (const callee of ['guardWindowClose', 'recoverFromCrashes', 'createAdminExit']) {
      const call = only(callsTo(callee), callee);
      expect(call.pos, callee).toBeGreaterThan(browserWindow.pos);
      expect(call.pos, callee).toBeLessThan(load.pos);
    }
    expect(only(callsTo('guardWindowClose'), 'guardWindowClose').arguments.map((a) => a.getText(source))).toEqual(['window', 'lockdown.kiosk', 'adminExit.isExitAllowed']);
  });

  it('derives kiosk mode and proxy from the loaded policy', () => {
    expect(only(callsTo('lockdownSettings'), 'lockdownSettings').arguments.map((a) => a.getText(source))).toEqual(['policy', 'app.isPackaged']);
  });
});

describe('lockDownWebContents', () => {
  it('denies new windows and every kind of navigation in every web contents', () => {
    const app = new AppStandIn();
    lockDownWebContents(app.asApp());
    const contents = new WebContentsStandIn();
    app.emit('web-contents-created', new ElectronEventStandIn(), contents);
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      const attempt = new ElectronEventStandIn();
      contents.emit(event, attempt);
      expect(attempt.defaultPrevented, event).toBe(true);
    }
  });
});
