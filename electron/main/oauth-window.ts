// The window a platform's sign-in page opens in, in the Electron shell: its own window with no
// preload, sandboxed, context-isolated, in the non-persistent sign-in session partition (whose
// request filter allows only the enabled platforms' hosts). Navigation may go only to the sign-in
// origin; the platform's redirect back to Airlock's loopback address is caught before it loads,
// handed to the waiting connect, and the window closes. Its cookies and storage are cleared when
// it closes, so the next connect starts signed out. The decision is a plain function (tested).
import type { BrowserWindow, BrowserWindowConstructorOptions, Session } from 'electron';
import type { AuthWindowRequest } from '../services/accounts/account-service.ts';

export type AuthNavigation = { kind: 'allow' } | { kind: 'callback' } | { kind: 'refuse'; reason: string };

export interface AuthNavigationRules {
  /** The sign-in page's origin and the loopback redirect's origin. */
  allowedOrigins: readonly string[];
  redirectUri: string;
}

const LOOPBACK_LITERAL = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/;

/** May the sign-in window go to `rawUrl`? The redirect is caught, never loaded. */
export function decideAuthNavigation(rawUrl: string, rules: AuthNavigationRules): AuthNavigation {
  let url: URL;
  let redirect: URL;
  try {
    url = new URL(rawUrl);
    redirect = new URL(rules.redirectUri);
  } catch {
    return { kind: 'refuse', reason: 'unreadable URL' };
  }
  if (url.username !== '' || url.password !== '') return { kind: 'refuse', reason: 'URL with credentials' };
  if (url.origin === redirect.origin) {
    return url.pathname === redirect.pathname ? { kind: 'callback' } : { kind: 'refuse', reason: `loopback path ${url.pathname} is not the redirect path` };
  }
  if (!rules.allowedOrigins.includes(url.origin)) return { kind: 'refuse', reason: `origin ${url.origin} is not the sign-in page's` };
  // Real sign-in pages are https; plain http only for a simulator on a loopback literal.
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_LITERAL.test(url.hostname))) return { kind: 'allow' };
  return { kind: 'refuse', reason: `scheme ${url.protocol} is not allowed for sign-in` };
}

export function authWindowOptions(partition: string, parent: BrowserWindow | null): BrowserWindowConstructorOptions {
  return {
    width: 520,
    height: 720,
    ...(parent ? { parent, modal: true } : {}),
    title: 'Sign in',
    autoHideMenuBar: true,
    webPreferences: {
      partition,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: false,
      safeDialogs: true,
    },
  };
}

export interface AuthWindowDeps {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
  /** The sign-in partition's session, already guarded by guardSession. */
  session: Session;
  partition: string;
  parent: BrowserWindow | null;
  log: (event: { kind: string; details: Record<string, unknown> }) => void;
}

export function openAuthWindow(deps: AuthWindowDeps, request: AuthWindowRequest): { close(): void } {
  const rules: AuthNavigationRules = { allowedOrigins: request.allowedOrigins, redirectUri: request.redirectUri };
  const window = new deps.BrowserWindow(authWindowOptions(deps.partition, deps.parent));
  const contents = window.webContents;
  const close = () => {
    if (!window.isDestroyed()) window.close();
  };
  const onNavigation = (event: { preventDefault(): void }, url: string) => {
    const decision = decideAuthNavigation(url, rules);
    if (decision.kind === 'allow') return;
    event.preventDefault();
    if (decision.kind === 'callback') {
      const answer = request.deliverCallback(url);
      deps.log({ kind: 'auth.callback', details: { status: answer.status } });
      close();
      return;
    }
    deps.log({ kind: 'auth.navigation-refused', details: { reason: decision.reason } });
  };
  contents.on('will-navigate', onNavigation);
  contents.on('will-redirect', onNavigation);
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) onNavigation(event, event.url);
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.on('closed', () => {
    void deps.session.clearStorageData().catch(() => undefined);
  });
  const first = decideAuthNavigation(request.url, rules);
  if (first.kind !== 'allow') {
    deps.log({ kind: 'auth.navigation-refused', details: { reason: first.kind === 'refuse' ? first.reason : 'the first page would be the redirect itself' } });
    close();
  } else {
    void window.loadURL(request.url).catch(() => undefined);
  }
  return { close };
}
