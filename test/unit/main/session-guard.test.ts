import { describe, expect, it } from 'vitest';
import { CRASH_PAGE_URL } from '../../../electron/main/crash-recovery.ts';
import { denyPermissions } from '../../../electron/main/hardening.ts';
import type { ProxyChoice } from '../../../electron/main/lockdown-policy.ts';
import {
  decideRequest,
  guardSession,
  NO_NETWORK,
  proxyConfigFor,
  type RequestRules,
  type SessionGuardOptions,
  type SessionRefusal,
} from '../../../electron/main/session-guard.ts';
import { EgressPolicy } from '../../../electron/services/egress/egress-policy.ts';
import { egressHostsFor } from '../../../electron/platforms/hosts.ts';
import { ElectronEventStandIn, SessionStandIn } from '../../support/electron-stand-in.ts';

const offline: RequestRules = { egress: null, allowDevTools: false, ownPages: [CRASH_PAGE_URL] };
const oauth: RequestRules = { egress: new EgressPolicy({ allowedHosts: egressHostsFor(['tiktok', 'youtube']), allowLoopback: false }), allowDevTools: false, ownPages: [] };
const training: RequestRules = { ...oauth, egress: new EgressPolicy({ allowedHosts: egressHostsFor(['tiktok']), allowLoopback: true }) };

const allowed = (url: string, rules: RequestRules, type = 'xhr') => decideRequest(url, type, rules).allowed;

describe('decideRequest: the main window (no network)', () => {
  it.each([
    'app://airlock/index.html',
    'app://airlock/assets/index-abc.js',
    'app://airlock/library/ab/abcdef.jpg',
  ])('loads its own page and media: %s', (url) => {
    expect(allowed(url, offline, 'image')).toBe(true);
  });

  it.each([
    ['https to a platform host', 'https://open.tiktokapis.com/v2/post/'],
    ['plain http', 'http://example.org/'],
    ['a loopback address', 'http://127.0.0.1:8080/'],
    ['a private address', 'https://10.0.0.5/'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['a websocket', 'wss://open.tiktokapis.com/'],
    ['a plain websocket to loopback', 'ws://127.0.0.1:9222/devtools/browser'],
    ['a file on disk', 'file:///etc/passwd'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a blob: URL', 'blob:app://airlock/9f1c7a64-8a7e-4f7e-bf3c-1d2e3f4a5b6c'],
    ['another app: host', 'app://evil/index.html'],
    ['ftp', 'ftp://files.example.org/x'],
    ['a chrome: page', 'chrome://gpu'],
    ['devtools in a packaged build', 'devtools://devtools/bundled/inspector.html'],
    ['an unreadable URL', 'not a url'],
  ])('refuses %s', (_what, url) => {
    const decision = decideRequest(url, 'xhr', offline);
    expect(decision.allowed).toBe(false);
  });

  it('says why, without the query string', () => {
    const decision = decideRequest('https://open.tiktokapis.com/v2/post/?access_token=secret', 'xhr', offline);
    expect(decision).toMatchObject({ allowed: false, code: 'egress.renderer-offline', scheme: 'https:', host: 'open.tiktokapis.com', port: 443 });
    expect(JSON.stringify(decision)).not.toContain('secret');
  });

  it('admits devtools: only in an unpackaged build', () => {
    expect(allowed('devtools://devtools/bundled/inspector.html', { ...offline, allowDevTools: true }, 'mainFrame')).toBe(true);
  });

  it('admits the built-in crash page as a top-level page only, and no other data: URL', () => {
    expect(allowed(CRASH_PAGE_URL, offline, 'mainFrame')).toBe(true);
    expect(allowed(CRASH_PAGE_URL, offline, 'subFrame')).toBe(false);
    expect(allowed(`${CRASH_PAGE_URL}%3Cscript%3E`, offline, 'mainFrame')).toBe(false);
    expect(allowed('data:text/html,hello', offline, 'mainFrame')).toBe(false);
  });
});

describe('decideRequest: the OAuth partition (the platforms\' hosts only)', () => {
  it.each(['https://www.tiktok.com/v2/auth/authorize/?client_key=k', 'https://accounts.google.com/o/oauth2/v2/auth', 'https://WWW.TIKTOK.COM./login'])('allows %s', (url) => {
    expect(allowed(url, oauth, 'mainFrame')).toBe(true);
  });

  it.each([
    ['a host not on the list', 'https://evil.example/', 'egress.host-not-allowed'],
    ['a platform the policy did not enable', 'https://api.x.com/2/tweets', 'egress.host-not-allowed'],
    ['an internal name', 'https://intranet.corp/', 'egress.host-not-allowed'],
    ['a look-alike of an allowed host', 'https://www.tiktоk.com/', 'egress.look-alike-host'],
    ['a private address', 'https://192.168.1.1/', 'egress.ip-literal'],
    ['a carrier-grade NAT address', 'https://100.64.0.1/', 'egress.ip-literal'],
    ['the cloud metadata address', 'https://169.254.169.254/', 'egress.ip-literal'],
    ['a unique-local IPv6 address', 'https://[fd00::1]/', 'egress.ip-literal'],
    ['loopback outside training mode', 'https://127.0.0.1/', 'egress.ip-literal'],
    ['loopback spelled as a decimal number', 'https://2130706433/', 'egress.ip-spelling'],
    ['plain http to an allowed host', 'http://www.tiktok.com/', 'egress.plain-http'],
    ['an allowed host on another port', 'https://www.tiktok.com:8443/', 'egress.port-not-allowed'],
    ['credentials in the URL', 'https://user:pw@www.tiktok.com/', 'egress.credentials-in-url'],
    ['a websocket to an allowed host', 'wss://www.tiktok.com/', 'egress.scheme-not-allowed'],
    ['a file', 'file:///C:/Windows/win.ini', 'egress.scheme-not-allowed'],
  ])('refuses %s', (_what, url, code) => {
    expect(decideRequest(url, 'mainFrame', oauth)).toMatchObject({ allowed: false, code });
  });

  it('reaches the loopback simulators in training mode, and still nothing private', () => {
    expect(allowed('http://127.0.0.1:41234/v2/auth/authorize/', training, 'mainFrame')).toBe(true);
    expect(allowed('http://[::1]:41234/', training, 'mainFrame')).toBe(true);
    expect(allowed('http://10.0.0.1:41234/', training, 'mainFrame')).toBe(false);
    expect(allowed('http://www.tiktok.com:8080/', training, 'mainFrame')).toBe(false);
    expect(allowed('http://localhost:41234/', training, 'mainFrame')).toBe(false);
  });
});

describe('proxyConfigFor', () => {
  it.each<ProxyChoice>([{ mode: 'direct' }, { mode: 'fixed', server: 'proxy.example.org:3128' }, { mode: 'fixed', server: 'http://10.1.2.3:3128' }])(
    'never asks Chromium for PAC, WPAD or the system settings (%o)',
    (choice) => {
      const config = proxyConfigFor(choice);
      expect(['direct', 'fixed_servers']).toContain(config.mode);
      expect(config).not.toHaveProperty('pacScript');
    },
  );

  it('passes a fixed proxy as the only rule', () => {
    expect(proxyConfigFor({ mode: 'fixed', server: 'proxy.example.org:3128' })).toEqual({ mode: 'fixed_servers', proxyRules: 'proxy.example.org:3128' });
    expect(proxyConfigFor({ mode: 'direct' })).toEqual({ mode: 'direct' });
  });
});

describe('guardSession', () => {
  async function guarded(options: Partial<SessionGuardOptions> = {}) {
    const session = new SessionStandIn();
    const refusals: SessionRefusal[] = [];
    let now = 1_000_000;
    await guardSession(session.asSession(), {
      ...NO_NETWORK,
      requester: 'renderer',
      allowDevTools: false,
      proxy: { mode: 'direct' },
      log: (r) => refusals.push(r),
      clock: () => now,
      ...options,
    } as SessionGuardOptions);
    return { session, refusals, advance: (ms: number) => (now += ms) };
  }

  it('filters every request, with no URL filter that could miss a scheme', async () => {
    const { session } = await guarded();
    expect(session.beforeRequest).not.toBeNull();
    expect(session.beforeRequestFilter).toBeUndefined();
    expect(session.request('app://airlock/index.html', 'mainFrame')).toBe(true);
    expect(session.request('https://open.tiktokapis.com/', 'xhr')).toBe(false);
    expect(session.request('ws://127.0.0.1:9222/', 'webSocket')).toBe(false);
  });

  it('logs a refusal with host, port, time and the part of the app that asked', async () => {
    const { session, refusals } = await guarded();
    session.request('https://10.0.0.7:8443/admin?token=abc', 'xhr');
    expect(refusals).toEqual([
      expect.objectContaining({ at: 1_000_000, requester: 'renderer', host: '10.0.0.7', port: 8443, scheme: 'https:', resourceType: 'xhr', code: 'egress.renderer-offline' }),
    ]);
    expect(JSON.stringify(refusals)).not.toContain('abc');
  });

  it('logs the same refusal once per quiet period, so a looping page cannot flood the audit log', async () => {
    const { session, refusals, advance } = await guarded({ repeatQuietMs: 10_000 });
    for (let i = 0; i < 50; i++) session.request('https://evil.example/beacon', 'ping');
    expect(refusals).toHaveLength(1);
    session.request('https://other.example/', 'ping');
    expect(refusals).toHaveLength(2);
    advance(10_000);
    session.request('https://evil.example/beacon', 'ping');
    expect(refusals).toHaveLength(3);
  });

  it('lets the OAuth partition reach the enabled platforms\' sign-in hosts only', async () => {
    const { session, refusals } = await guarded({ network: 'allow-list', allowedHosts: egressHostsFor(['tiktok']), allowLoopback: false, requester: 'auth' });
    expect(session.request('https://www.tiktok.com/v2/auth/authorize/', 'mainFrame')).toBe(true);
    expect(session.request('https://accounts.google.com/', 'mainFrame')).toBe(false);
    expect(session.request('https://172.16.0.1/', 'mainFrame')).toBe(false);
    expect(refusals.map((r) => r.requester)).toEqual(['auth', 'auth']);
  });

  it('sets a direct or fixed proxy, never auto-detection', async () => {
    expect((await guarded()).session.proxyCalls).toEqual([{ mode: 'direct' }]);
    const { session } = await guarded({ proxy: { mode: 'fixed', server: 'proxy.example.org:3128' } });
    expect(session.proxyCalls).toEqual([{ mode: 'fixed_servers', proxyRules: 'proxy.example.org:3128' }]);
    expect(session.proxyCalls.some((c) => c.mode === 'auto_detect' || c.mode === 'pac_script' || c.mode === 'system' || 'pacScript' in c)).toBe(false);
  });

  it('cancels every download and logs it', async () => {
    const { session, refusals } = await guarded();
    expect(session.download('https://cdn.example/file.exe').defaultPrevented).toBe(true);
    expect(session.download('blob:app://airlock/1234').defaultPrevented).toBe(true);
    expect(refusals.map((r) => r.code)).toEqual(['egress.download-refused', 'egress.download-refused']);
  });

  it('denies every permission, device, screen capture and chooser', async () => {
    const { session } = await guarded();
    const granted: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'usb', 'serial', 'local-network-access']) {
      session.permissionRequestHandler?.(null, permission, (ok) => granted.push(ok), {});
      granted.push(session.permissionCheckHandler?.(null, permission, 'app://airlock', {}) ?? true);
    }
    expect(granted.every((ok) => ok === false)).toBe(true);
    expect(session.devicePermissionHandler?.({ deviceType: 'usb', origin: 'app://airlock' })).toBe(false);
    let streams: unknown = 'unanswered';
    session.displayMediaRequestHandler?.({}, (s) => (streams = s));
    expect(streams).toBeNull();
    for (const [event, args] of [
      ['select-hid-device', [{ deviceList: [{ deviceId: 'h1' }] }]],
      ['select-usb-device', [{ deviceList: [{ deviceId: 'u1' }] }]],
      ['select-serial-port', [[{ portId: 's1' }], null]],
    ] as const) {
      const chosen: unknown[] = [];
      const chooser = new ElectronEventStandIn();
      session.emit(event, chooser, ...args, (id?: string) => chosen.push(id));
      expect(chooser.defaultPrevented).toBe(true);
      expect(chosen).toHaveLength(1);
      expect(chosen[0] === undefined || chosen[0] === '').toBe(true);
    }
  });

  it('switches off the spell-checker (its dictionaries download from Google) and old TLS', async () => {
    const { session } = await guarded();
    expect(session.spellCheckerEnabled).toBe(false);
    expect(session.sslConfig).toEqual({ minVersion: 'tls1.2' });
  });
});

describe('denyPermissions', () => {
  it('answers a device chooser once even when applied to a session twice', () => {
    const session = new SessionStandIn();
    denyPermissions(session.asSession());
    denyPermissions(session.asSession());
    expect(session.listenerCount('select-hid-device')).toBe(1);
  });
});
