// Connecting accounts through the real core against the TikTok and Mastodon simulators, with the
// tokens in a real Secret Service: OAuth for native apps (TikTok's hex PKCE and Mastodon's
// per-instance app with S256), the loopback redirect's refusals (wrong state, replay, too late),
// token health and renewal, and disconnect revoking at the platform before removing everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountHealth } from '../../../common/contract.ts';
import { AccountService } from '../../../electron/services/accounts/account-service.ts';
import { tiktokConnect } from '../../../electron/platforms/tiktok/connect.ts';
import { startMastodonSimulator, type MastodonSimulator } from '../../../electron/platforms/mastodon/simulator.ts';
import { TIKTOK_PATHS } from '../../../electron/platforms/tiktok/protocol.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../../electron/platforms/tiktok/simulator.ts';
import { startXSimulator, type XSimulator } from '../../../electron/platforms/x/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, TEST_ADMIN, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { consent } from '../../support/consent.ts';
import { callOk, callRefused, keychainKeys } from '../../support/core-calls.ts';

const SERVICE = 'Airlock-test-accounts';

let keyring: KeyringSession;
let tiktok: TikTokSimulator;
let mastodon: MastodonSimulator;
let x: XSimulator;
let core: AirlockCore;
let nowMs = Date.parse('2026-11-22T09:00:00Z');
const clock = { now: () => new Date(nowMs) };
const TIMEOUT_MS = 10 * 60_000;

const keychain = () => keychainKeys(keyring, SERVICE);

const ok = <T,>(method: string, args: unknown = {}) => callOk<T>(core, method, args);

const refused = (method: string, args: unknown = {}) => callRefused(core, method, args);

/** Moves the clock; the idle lock then asks for the PIN again, as it would at the kiosk. */
async function advance(ms: number): Promise<void> {
  nowMs += ms;
  const status = await ok<{ choices: { id: string; name: string }[] }>('staff.status');
  await core.call('staff.signIn', { staffId: status.choices.find((c) => c.name === TEST_ADMIN.name)!.id, secret: TEST_ADMIN.pin });
}

type Started = { flowId: string; authorizeUrl: string; opensIn: string; expiresAt: string };

beforeAll(async () => {
  keyring = await startKeyringSession();
  tiktok = await startTikTokSimulator({ clock, accounts: [{ openId: 'open-harbour', username: 'harbourcity', nickname: 'Harbour City' }] });
  mastodon = await startMastodonSimulator({ clock });
  x = await startXSimulator({ clock, clientSecret: 'x-test-client-secret-0123456789', accounts: [{ id: '1600000000000000001', username: 'harbourcity', name: 'Harbour City' }] });
  core = await openTestCore({
    policy: testPolicy({ platforms: ['tiktok', 'mastodon', 'bluesky', 'x'] }),
    clock,
    allowLoopbackEgress: true,
    secretStore: new KeychainSecretStore({ service: SERVICE }),
    platformEndpoints: { tiktok: { authOrigin: tiktok.origin, apiOrigin: tiktok.origin }, x: { authOrigin: x.origin, apiOrigin: x.origin } },
    publisherIntervalMs: null,
    connectTimeoutMs: TIMEOUT_MS,
  });
  await signInFirstAdmin(core);
});

afterAll(async () => {
  await core?.close();
  await tiktok?.stop();
  await mastodon?.stop();
  await x?.stop();
  await keyring?.stop();
});

describe('connecting TikTok', () => {
  it('says plainly when IT has not provisioned the TikTok app, and starts nothing', async () => {
    const error = await refused('accounts.beginConnect', { platform: 'tiktok' });
    expect(error.code).toBe('accounts.no-app-credentials');
    expect(error.message).toContain('IT has not set up');
    expect(error.detail).toContain('airlock credentials set-app tiktok');
  });

  it('connects through the consent page with a hex PKCE challenge and shows the account healthy', async () => {
    await core.vault.saveAppCredentials('tiktok', { clientId: tiktok.clientKey, clientSecret: tiktok.clientSecret });
    const started = await ok<Started>('accounts.beginConnect', { platform: 'tiktok' });
    expect(started.opensIn).toBe('renderer');
    const url = new URL(started.authorizeUrl);
    expect(url.origin).toBe(tiktok.origin);
    expect(url.searchParams.get('code_challenge')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\/$/);
    const browser = await consent(started.authorizeUrl);
    expect(browser.status).toBe(200);
    expect(browser.page).toContain('You can close this window');
    const account = await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
    expect(account).toMatchObject({ platform: 'tiktok', accountId: 'open-harbour', displayName: 'Harbour City (@harbourcity)', status: 'healthy', apiBase: tiktok.origin, connectedBy: 'Ada Admin' });
    expect(account.scopes).toEqual(['user.info.basic', 'video.publish', 'video.upload']);
    // expires_in and refresh_expires_in were read, not assumed (the simulator's defaults: 2 h / 180 d).
    expect(Date.parse(account.accessExpiresAt!) - nowMs).toBe(7200 * 1000);
    expect(Date.parse(account.refreshExpiresAt!) - nowMs).toBe(15_552_000 * 1000);
    const stored = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    expect(stored?.accessToken).toMatch(/^act\./);
    const listed = await ok<{ accounts: AccountHealth[] }>('accounts.list');
    expect(listed.accounts.map((a) => [a.platform, a.accountId, a.status])).toEqual([['tiktok', 'open-harbour', 'healthy']]);
    // Nothing secret crosses the API.
    expect(JSON.stringify(listed)).not.toContain(stored!.accessToken);
    expect(JSON.stringify(listed)).not.toContain(stored!.refreshToken);
  });

  it('has its connect recorded in the audit log without any token', async () => {
    const stored = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    const log = await ok<{ entries: { kind: string; details: unknown }[] }>('audit.list', { kind: 'account.connected' });
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]!.details).toMatchObject({ platform: 'tiktok', account: 'Harbour City (@harbourcity)' });
    const all = JSON.stringify(await ok('audit.list', { limit: 500 }));
    expect(all).not.toContain(stored!.accessToken);
    expect(all).not.toContain(stored!.refreshToken!);
    expect(all).not.toContain(tiktok.clientSecret);
  });

  it('fails like TikTok when the challenge is base64url instead of hex', async () => {
    const service = new AccountService({
      store: core.store,
      vault: core.vault,
      http: core.egress.client,
      now: clock.now,
      enabledPlatforms: ['tiktok'],
      record: () => {},
      endpoints: { tiktok: { authOrigin: tiktok.origin, apiOrigin: tiktok.origin } },
      descriptors: { tiktok: { ...tiktokConnect, challenge: 'base64url' } },
    });
    const started = await service.beginConnect({ staffId: 'x', name: 'Test' }, { platform: 'tiktok' });
    await consent(started.authorizeUrl);
    const error = await service.finishConnect(started.flowId).then(
      () => null,
      (e: { code: string; detail?: string }) => e,
    );
    expect(error?.code).toBe('accounts.platform-refused');
    expect(error?.detail).toContain('error=invalid_request');
    expect(error?.detail).toContain('Code verifier or code challenge is invalid.');
  });

  it('ignores a callback with the wrong state and still accepts the right one', async () => {
    const started = await ok<Started>('accounts.beginConnect', { platform: 'tiktok' });
    const redirectUri = new URL(started.authorizeUrl).searchParams.get('redirect_uri')!;
    const forged = await fetch(`${redirectUri}?code=forged-code&state=not-the-state`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('did not start from this Airlock window');
    const browser = await consent(started.authorizeUrl);
    expect(browser.status).toBe(200);
    expect((await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).status).toBe('healthy');
  });

  it('refuses a replayed callback: the listener is gone after one use', async () => {
    const started = await ok<Started>('accounts.beginConnect', { platform: 'tiktok' });
    const browser = await consent(started.authorizeUrl);
    await ok('accounts.finishConnect', { flowId: started.flowId });
    const before = tiktok.requests().filter((r) => r.endpoint === 'token').length;
    await expect(fetch(browser.callback)).rejects.toThrow();
    // And the flow itself is finished: it cannot be claimed twice.
    expect((await refused('accounts.finishConnect', { flowId: started.flowId })).code).toBe('accounts.no-such-connect');
    expect(tiktok.requests().filter((r) => r.endpoint === 'token').length).toBe(before);
  });

  it('refuses a callback that arrives after the connect has expired, and saves nothing new', async () => {
    const tokenCalls = tiktok.requests().filter((r) => r.endpoint === 'token').length;
    const started = await ok<Started>('accounts.beginConnect', { platform: 'tiktok' });
    await advance(TIMEOUT_MS + 1000);
    const browser = await consent(started.authorizeUrl);
    expect(browser.status).toBe(410);
    const error = await refused('accounts.finishConnect', { flowId: started.flowId });
    expect(error.code).toBe('accounts.connect-expired');
    expect(error.message).toContain('took too long');
    expect(tiktok.requests().filter((r) => r.endpoint === 'token').length).toBe(tokenCalls);
  });

  it('stops listening when a connect is cancelled', async () => {
    const started = await ok<Started>('accounts.beginConnect', { platform: 'tiktok' });
    await ok('accounts.cancelConnect', { flowId: started.flowId });
    expect((await refused('accounts.finishConnect', { flowId: started.flowId })).code).toBe('accounts.connect-cancelled');
    const redirectUri = new URL(started.authorizeUrl).searchParams.get('redirect_uri')!;
    await expect(fetch(redirectUri)).rejects.toThrow();
  });

  it('renews a refresh token close to its end and keeps the rotated one', async () => {
    const before = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    await advance(before!.refreshExpiresAt! - 3 * 86_400_000 - nowMs);
    expect((await ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts[0]!.status).toBe('expiring');
    // While a publish holds the account's sign-in, the renewal leaves it alone: a rotating
    // refresh token is good for one use, and the publish refreshes for itself if it must.
    let release = () => {};
    const held = core.vault.withAccount('tiktok', 'open-harbour', () => new Promise<void>((resolve) => (release = resolve)));
    expect(await core.accounts.renewExpiring()).toEqual({ renewed: [], failed: [] });
    expect((await core.vault.loadAccountCredentials('tiktok', 'open-harbour'))!.refreshToken).toBe(before!.refreshToken);
    release();
    await held;
    // The simulator's own clock moved too: the access token has expired meanwhile.
    const result = await core.accounts.renewExpiring();
    expect(result).toEqual({ renewed: ['tiktok:open-harbour'], failed: [] });
    const after = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    expect(after!.refreshToken).not.toBe(before!.refreshToken);
    expect(after!.refreshExpiresAt! - nowMs).toBe(15_552_000 * 1000);
    expect((await ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts[0]!.status).toBe('healthy');
    // The old refresh token is dead at TikTok: only the newest one works.
    const replay = await fetch(`${tiktok.origin}${TIKTOK_PATHS.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_key: tiktok.clientKey, client_secret: tiktok.clientSecret, grant_type: 'refresh_token', refresh_token: before!.refreshToken! }),
    });
    expect(replay.status).toBe(400);
  });

  it('reconnects an account in place: new tokens under the same account, recorded as a reconnect', async () => {
    const before = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    const reconnects = (await ok<{ total: number }>('audit.list', { kind: 'account.reconnected' })).total;
    const started = await ok<Started>('accounts.reconnect', { platform: 'tiktok', accountId: 'open-harbour' });
    await consent(started.authorizeUrl);
    const account = await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
    expect(account).toMatchObject({ accountId: 'open-harbour', status: 'healthy' });
    const after = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    expect(after!.accessToken).not.toBe(before!.accessToken);
    expect((await ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts).toHaveLength(1);
    expect((await ok<{ total: number }>('audit.list', { kind: 'account.reconnected' })).total).toBe(reconnects + 1);
  });

  it('disconnects: revokes at TikTok, then removes the keychain entry and the row', async () => {
    const creds = await core.vault.loadAccountCredentials('tiktok', 'open-harbour');
    expect(await keychain()).toContain('account:tiktok:open-harbour:credentials');
    const result = await ok<{ removed: true; revoked: boolean; problem: unknown }>('accounts.disconnect', { platform: 'tiktok', accountId: 'open-harbour' });
    expect(result).toEqual({ removed: true, revoked: true, problem: null });
    expect(tiktok.requests().filter((r) => r.endpoint === 'revoke').map((r) => r.status)).toEqual([200]);
    const afterRevoke = await fetch(`${tiktok.origin}${TIKTOK_PATHS.creatorInfo}`, { method: 'POST', headers: { authorization: `Bearer ${creds!.accessToken}`, 'content-type': 'application/json' }, body: '{}' });
    expect(afterRevoke.status).toBe(401);
    expect(await keychain()).not.toContain('account:tiktok:open-harbour:credentials');
    expect(await core.vault.loadAccountCredentials('tiktok', 'open-harbour')).toBeNull();
    expect((await ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts).toEqual([]);
    // The organisation's app stays: IT provisioned it for the next account.
    expect(await keychain()).toContain('app:tiktok:client-credentials');
  });

  it('still removes everything when TikTok cannot confirm the revoke, and says so', async () => {
    const started = await ok<Started>('accounts.beginConnect', { platform: 'tiktok' });
    await consent(started.authorizeUrl);
    await ok('accounts.finishConnect', { flowId: started.flowId });
    tiktok.injectFault({ kind: 'server-error', endpoint: 'revoke', status: 503 });
    const result = await ok<{ revoked: boolean; problem: { message: string; detail: string } | null }>('accounts.disconnect', { platform: 'tiktok', accountId: 'open-harbour' });
    expect(result.revoked).toBe(false);
    expect(result.problem?.message).toContain('TikTok did not confirm');
    expect(result.problem?.message).toContain('removed from this kiosk anyway');
    expect(result.problem?.detail).toContain('HTTP 503');
    expect(await keychain()).not.toContain('account:tiktok:open-harbour:credentials');
    expect((await ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts).toEqual([]);
    const log = await ok<{ entries: { details: { revoked: boolean } }[] }>('audit.list', { kind: 'account.disconnected' });
    expect(log.entries.map((e) => e.details.revoked).sort()).toEqual([false, true]);
  });
});

describe('connecting Mastodon', () => {
  it('asks for the server address first', async () => {
    expect((await refused('accounts.beginConnect', { platform: 'mastodon' })).code).toBe('accounts.needs-server');
    expect((await refused('accounts.beginConnect', { platform: 'mastodon', instance: 'https://social.example/some/path' })).code).toBe('accounts.bad-instance');
  });

  it('registers an app on the instance and connects with PKCE S256', async () => {
    const started = await ok<Started>('accounts.beginConnect', { platform: 'mastodon', instance: mastodon.origin });
    const url = new URL(started.authorizeUrl);
    expect(url.origin).toBe(mastodon.origin);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const apps = mastodon.apps();
    expect(apps).toHaveLength(1);
    expect(apps[0]!.redirectUris).toEqual([url.searchParams.get('redirect_uri')]);
    expect(apps[0]!.scopes).toEqual(['profile', 'read:statuses', 'write:media', 'write:statuses']);
    await consent(started.authorizeUrl);
    const account = await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
    const simAccount = mastodon.accounts()[0]!;
    expect(account).toMatchObject({ platform: 'mastodon', accountId: simAccount.id, status: 'healthy', accessExpiresAt: null, refreshExpiresAt: null, apiBase: mastodon.origin });
    expect(account.displayName).toBe(`${simAccount.displayName} (@${simAccount.username}@${new URL(mastodon.origin).host})`);
    expect(account.statusReason).toContain('does not expire');
  });

  it('disconnects: revokes the token with the account\'s own app, then removes token and app', async () => {
    const simAccount = mastodon.accounts()[0]!;
    const creds = await core.vault.loadAccountCredentials('mastodon', simAccount.id);
    expect((await keychain()).filter((k) => k.startsWith('app:mastodon-'))).toHaveLength(1);
    const result = await ok<{ revoked: boolean }>('accounts.disconnect', { platform: 'mastodon', accountId: simAccount.id });
    expect(result.revoked).toBe(true);
    expect(mastodon.requests().filter((r) => r.endpoint === 'revoke').map((r) => r.status)).toEqual([200]);
    const me = await fetch(`${mastodon.origin}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${creds!.accessToken}` } });
    expect(me.status).toBe(401);
    const left = await keychain();
    expect(left.filter((k) => k.startsWith('account:mastodon:') || k.startsWith('app:mastodon-'))).toEqual([]);
  });
});

describe('connecting X', () => {
  it('connects with PKCE S256 on the registered loopback port, then disconnects with a revoke', async () => {
    await core.vault.saveAppCredentials('x', { clientId: x.clientId, clientSecret: 'x-test-client-secret-0123456789' });
    const started = await ok<Started>('accounts.beginConnect', { platform: 'x' });
    const url = new URL(started.authorizeUrl);
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:53123/callback');
    expect(url.searchParams.get('scope')).toContain('offline.access');
    await consent(started.authorizeUrl);
    const account = await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
    expect(account).toMatchObject({ platform: 'x', accountId: '1600000000000000001', displayName: 'Harbour City (@harbourcity)', status: 'healthy' });
    const creds = await core.vault.loadAccountCredentials('x', '1600000000000000001');
    expect(creds?.refreshToken).toBeTruthy();
    const result = await ok<{ revoked: boolean }>('accounts.disconnect', { platform: 'x', accountId: '1600000000000000001' });
    expect(result.revoked).toBe(true);
    const me = await fetch(`${x.origin}/2/users/me`, { headers: { authorization: `Bearer ${creds!.accessToken}` } });
    expect(me.status).toBe(401);
    expect(await keychain()).not.toContain('account:x:1600000000000000001:credentials');
  });
});

describe('who may connect accounts', () => {
  it('refuses anyone but an administrator', async () => {
    await ok('staff.create', { name: 'Alex Author', role: 'author', credential: { kind: 'pin', secret: '614927' } });
    const people = await ok<{ id: string; name: string }[]>('staff.list');
    await ok('staff.signOut');
    await ok('staff.signIn', { staffId: people.find((p) => p.name === 'Alex Author')!.id, secret: '614927' });
    for (const [method, args] of [
      ['accounts.list', {}],
      ['accounts.beginConnect', { platform: 'tiktok' }],
      ['accounts.disconnect', { platform: 'tiktok', accountId: 'open-harbour' }],
    ] as const) {
      const error = await refused(method, args);
      expect(error.code).toBe('staff.forbidden');
      expect(error.message).toBe('Only admins can connect platform accounts.');
    }
  });
});
