// The sign-in window's rules: which URLs it may load, that the platform's redirect back to the
// loopback address is caught (never loaded) and handed to the connect, and its hardened options.
import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import { authWindowOptions, decideAuthNavigation, openAuthWindow } from '../../../electron/main/oauth-window.ts';
import { BrowserWindowStandIn } from '../../support/electron-stand-in.ts';

const rules = { allowedOrigins: ['https://www.tiktok.com', 'http://127.0.0.1:53123'], redirectUri: 'http://127.0.0.1:53123/callback/' };

describe('decideAuthNavigation', () => {
  it.each(['https://www.tiktok.com/v2/auth/authorize/?client_key=k&state=s', 'https://www.tiktok.com/login'])('allows the sign-in origin: %s', (url) => {
    expect(decideAuthNavigation(url, rules)).toEqual({ kind: 'allow' });
  });

  it('catches the redirect back to Airlock instead of loading it', () => {
    expect(decideAuthNavigation('http://127.0.0.1:53123/callback/?code=abc&state=xyz', rules)).toEqual({ kind: 'callback' });
  });

  it.each([
    ['another host', 'https://evil.example/phish'],
    ['a look-alike host', 'https://www.tiktok.com.evil.example/'],
    ['plain http to the sign-in host', 'http://www.tiktok.com/v2/auth/authorize/'],
    ['another loopback port', 'http://127.0.0.1:53124/callback/?code=abc'],
    ['another path on the redirect port', 'http://127.0.0.1:53123/admin'],
    ['a file', 'file:///etc/passwd'],
    ['a data URL', 'data:text/html,<h1>hi</h1>'],
    ['credentials in the URL', 'https://user:pw@www.tiktok.com/'],
    ['an unreadable URL', 'not a url'],
  ])('refuses %s', (_what, url) => {
    expect(decideAuthNavigation(url, rules).kind).toBe('refuse');
  });

  it('allows plain http only for a simulator on a loopback literal', () => {
    const sim = { allowedOrigins: ['http://127.0.0.1:40000', 'http://127.0.0.1:53123'], redirectUri: rules.redirectUri };
    expect(decideAuthNavigation('http://127.0.0.1:40000/v2/auth/authorize/', sim)).toEqual({ kind: 'allow' });
    expect(decideAuthNavigation('http://localhost:40000/v2/auth/authorize/', { ...sim, allowedOrigins: ['http://localhost:40000'] }).kind).toBe('refuse');
  });
});

describe('authWindowOptions', () => {
  it('has no preload, a sandbox, context isolation, no Node and its own partition', () => {
    const options = authWindowOptions('airlock-oauth', null);
    expect(options.webPreferences).toMatchObject({ partition: 'airlock-oauth', sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, devTools: false, webviewTag: false });
    expect(options.webPreferences).not.toHaveProperty('preload');
    expect(options.webPreferences?.partition).not.toMatch(/^persist:/);
  });
});

describe('openAuthWindow', () => {
  it('loads the sign-in page, refuses elsewhere, hands over the redirect, closes and clears the session', () => {
    const delivered: string[] = [];
    const logged: string[] = [];
    let cleared = 0;
    const session = { clearStorageData: () => (cleared++, Promise.resolve()) } as unknown as Session;
    openAuthWindow(
      { BrowserWindow: BrowserWindowStandIn.asConstructor(), session, partition: 'airlock-oauth', parent: null, log: (e) => logged.push(e.kind) },
      {
        url: 'https://www.tiktok.com/v2/auth/authorize/?state=s',
        redirectUri: rules.redirectUri,
        allowedOrigins: rules.allowedOrigins,
        deliverCallback: (url) => (delivered.push(url), { status: 200, title: 'Signed in', text: '' }),
      },
    );
    const window = BrowserWindowStandIn.created.at(-1)!;
    expect(window.webContents.loadedUrls).toEqual(['https://www.tiktok.com/v2/auth/authorize/?state=s']);
    expect(window.webContents.windowOpenHandler?.({})).toEqual({ action: 'deny' });
    expect(window.webContents.navigate('will-navigate', 'https://www.tiktok.com/login')).toBe(false);
    expect(window.webContents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(logged).toEqual(['auth.navigation-refused']);
    expect(window.isDestroyed()).toBe(false);
    expect(window.webContents.navigate('will-redirect', 'http://127.0.0.1:53123/callback/?code=c&state=s')).toBe(true);
    expect(delivered).toEqual(['http://127.0.0.1:53123/callback/?code=c&state=s']);
    expect(window.isDestroyed()).toBe(true);
    expect(cleared).toBe(1);
  });

  it('never opens a window on a URL that is not the sign-in page', () => {
    const session = { clearStorageData: () => Promise.resolve() } as unknown as Session;
    openAuthWindow(
      { BrowserWindow: BrowserWindowStandIn.asConstructor(), session, partition: 'airlock-oauth', parent: null, log: () => {} },
      { url: 'https://evil.example/', redirectUri: rules.redirectUri, allowedOrigins: rules.allowedOrigins, deliverCallback: () => ({ status: 200, title: '', text: '' }) },
    );
    expect(BrowserWindowStandIn.created.at(-1)!.webContents.loadedUrls).toEqual([]);
    expect(BrowserWindowStandIn.created.at(-1)!.isDestroyed()).toBe(true);
  });
});
