// Connecting a YouTube channel through the real core against the YouTube simulator, with the
// tokens in a real Secret Service: Google's installed-app OAuth (loopback redirect on a port the
// system picks, PKCE S256, access_type=offline), channels.list naming the channel, the loopback
// redirect refusing a forged state, renewal that keeps Google's refresh token, and disconnect
// revoking at Google's revoke endpoint before removing the keychain entry and the row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountHealth } from '../../../common/contract.ts';
import { YOUTUBE_PATHS, YOUTUBE_SCOPES } from '../../../electron/platforms/youtube/protocol.ts';
import { startYouTubeSimulator, type YouTubeSimulator } from '../../../electron/platforms/youtube/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, TEST_ADMIN, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { consent } from '../../support/consent.ts';
import { callOk, callRefused, keychainKeys } from '../../support/core-calls.ts';

const SERVICE = 'Airlock-test-youtube-accounts';
const CHANNEL = { id: 'UCharbourCity000000000001', title: 'Harbour City Council', customUrl: '@harbourcity' };

let keyring: KeyringSession;
let youtube: YouTubeSimulator;
let core: AirlockCore;
let nowMs = Date.parse('2026-11-22T09:00:00Z');
const clock = { now: () => new Date(nowMs) };

const keychain = () => keychainKeys(keyring, SERVICE);

const ok = <T,>(method: string, args: unknown = {}) => callOk<T>(core, method, args);

const refused = (method: string, args: unknown = {}) => callRefused(core, method, args);

async function advance(ms: number): Promise<void> {
  nowMs += ms;
  const status = await ok<{ choices: { id: string; name: string }[] }>('staff.status');
  await core.call('staff.signIn', { staffId: status.choices.find((c) => c.name === TEST_ADMIN.name)!.id, secret: TEST_ADMIN.pin });
}

const channelsAs = (token: string) => fetch(`${youtube.origin}${YOUTUBE_PATHS.channels}?part=snippet&mine=true`, { headers: { authorization: `Bearer ${token}` } });

type Started = { flowId: string; authorizeUrl: string; opensIn: string; expiresAt: string };

beforeAll(async () => {
  keyring = await startKeyringSession();
  youtube = await startYouTubeSimulator({ clock, channels: [CHANNEL, { id: 'UCotherChannel00000000002', title: 'Library' }] });
  core = await openTestCore({
    policy: testPolicy({ platforms: ['youtube'] }),
    clock,
    allowLoopbackEgress: true,
    secretStore: new KeychainSecretStore({ service: SERVICE }),
    platformEndpoints: { youtube: { authOrigin: youtube.origin, apiOrigin: youtube.origin } },
    publisherIntervalMs: null,
  });
  await signInFirstAdmin(core);
});

afterAll(async () => {
  await core?.close();
  await youtube?.stop();
  await keyring?.stop();
});

describe('connecting YouTube', () => {
  it('offers YouTube as a sign-in page connect, and says plainly when IT has not set up the app', async () => {
    const listed = await ok<{ platforms: { platform: string; method: string; appCredentials: boolean | null }[] }>('accounts.list');
    expect(listed.platforms.find((p) => p.platform === 'youtube')).toMatchObject({ method: 'oauth', appCredentials: false });
    const error = await refused('accounts.beginConnect', { platform: 'youtube' });
    expect(error.code).toBe('accounts.no-app-credentials');
    expect(error.message).toContain('IT has not set up');
    expect(error.detail).toContain('airlock credentials set-app youtube');
    expect(youtube.requests()).toEqual([]);
  });

  it('connects through Google\'s consent page with a loopback redirect, PKCE S256 and offline access', async () => {
    await core.vault.saveAppCredentials('youtube', { clientId: youtube.clientId, clientSecret: youtube.clientSecret });
    const started = await ok<Started>('accounts.beginConnect', { platform: 'youtube' });
    const url = new URL(started.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${youtube.origin}${YOUTUBE_PATHS.authorize}`);
    expect(url.searchParams.get('client_id')).toBe(youtube.clientId);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('scope')!.split(' ')).toEqual([...YOUTUBE_SCOPES]);
    const browser = await consent(started.authorizeUrl);
    expect(browser.status).toBe(200);
    expect(browser.page).toContain('You can close this window');
    const account = await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
    expect(account).toMatchObject({ platform: 'youtube', accountId: CHANNEL.id, displayName: 'Harbour City Council (@harbourcity)', status: 'healthy', apiBase: youtube.origin, connectedBy: 'Ada Admin', simulated: false });
    expect(account.scopes).toEqual([...YOUTUBE_SCOPES]);
    expect(Date.parse(account.accessExpiresAt!) - nowMs).toBe(3600 * 1000);
    expect(youtube.requests().filter((r) => r.endpoint === 'channels').map((r) => r.status)).toEqual([200]);
    const stored = await core.vault.loadAccountCredentials('youtube', CHANNEL.id);
    expect(stored?.refreshToken).toBeTruthy();
    const listed = await ok<{ accounts: AccountHealth[] }>('accounts.list');
    expect(listed.accounts.map((a) => [a.platform, a.accountId, a.status])).toEqual([['youtube', CHANNEL.id, 'healthy']]);
    expect(JSON.stringify(listed)).not.toContain(stored!.accessToken);
    expect(JSON.stringify(listed)).not.toContain(stored!.refreshToken);
    const all = JSON.stringify(await ok('audit.list', { limit: 500 }));
    expect(all).not.toContain(stored!.accessToken);
    expect(all).not.toContain(stored!.refreshToken!);
    expect(all).not.toContain(youtube.clientSecret);
  });

  it('ignores a callback with the wrong state and still accepts the right one', async () => {
    const started = await ok<Started>('accounts.reconnect', { platform: 'youtube', accountId: CHANNEL.id });
    const redirectUri = new URL(started.authorizeUrl).searchParams.get('redirect_uri')!;
    const tokenCalls = youtube.requests().filter((r) => r.endpoint === 'token').length;
    const forged = await fetch(`${redirectUri}?code=forged-code&state=not-the-state`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('did not start from this Airlock window');
    expect(youtube.requests().filter((r) => r.endpoint === 'token').length).toBe(tokenCalls);
    expect((await consent(started.authorizeUrl)).status).toBe(200);
    expect(await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).toMatchObject({ accountId: CHANNEL.id, status: 'healthy' });
    expect((await ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts).toHaveLength(1);
  });

  it('says so when the person declines on Google\'s page, and saves nothing new', async () => {
    const before = await core.vault.loadAccountCredentials('youtube', CHANNEL.id);
    youtube.signInAs(null);
    try {
      const started = await ok<Started>('accounts.beginConnect', { platform: 'youtube' });
      expect((await consent(started.authorizeUrl)).page).toContain('not connected');
      const error = await refused('accounts.finishConnect', { flowId: started.flowId });
      expect(error.message).not.toMatch(/access_denied/);
      expect(error.detail).toContain('access_denied');
    } finally {
      youtube.signInAs(CHANNEL.id);
    }
    expect(await core.vault.loadAccountCredentials('youtube', CHANNEL.id)).toEqual(before);
  });

  it('renews the access token before it runs out and keeps Google\'s refresh token', async () => {
    const before = await core.vault.loadAccountCredentials('youtube', CHANNEL.id);
    await advance(3600 * 1000 - 10 * 60_000);
    expect(await core.accounts.renewExpiring()).toEqual({ renewed: [`youtube:${CHANNEL.id}`], failed: [] });
    const after = await core.vault.loadAccountCredentials('youtube', CHANNEL.id);
    expect(after!.accessToken).not.toBe(before!.accessToken);
    expect(after!.refreshToken).toBe(before!.refreshToken);
    expect(after!.expiresAt! - nowMs).toBe(3600 * 1000);
    expect((await channelsAs(after!.accessToken)).status).toBe(200);
  });

  it('disconnects: revokes at Google, then removes the keychain entry and the row', async () => {
    const creds = await core.vault.loadAccountCredentials('youtube', CHANNEL.id);
    expect(await keychain()).toContain(`account:youtube:${CHANNEL.id}:credentials`);
    const result = await ok<{ removed: true; revoked: boolean; problem: unknown }>('accounts.disconnect', { platform: 'youtube', accountId: CHANNEL.id });
    expect(result).toEqual({ removed: true, revoked: true, problem: null });
    expect(youtube.requests().filter((r) => r.endpoint === 'revoke').map((r) => r.status)).toEqual([200]);
    // The whole grant ended at Google: the access token is refused too.
    expect((await channelsAs(creds!.accessToken)).status).toBe(401);
    const keys = await keychain();
    expect(keys).not.toContain(`account:youtube:${CHANNEL.id}:credentials`);
    expect(await core.vault.loadAccountCredentials('youtube', CHANNEL.id)).toBeNull();
    expect((await ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts).toEqual([]);
    // The organisation's app stays for the next channel.
    expect(keys).toContain('app:youtube:client-credentials');
  });

  it('still removes everything when Google cannot confirm the revoke, and says so', async () => {
    youtube.signInAs('UCotherChannel00000000002');
    const started = await ok<Started>('accounts.beginConnect', { platform: 'youtube' });
    await consent(started.authorizeUrl);
    expect(await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).toMatchObject({ accountId: 'UCotherChannel00000000002', displayName: 'Library' });
    youtube.injectFault({ kind: 'server-error', endpoint: 'revoke', status: 503 });
    const result = await ok<{ revoked: boolean; problem: { message: string; detail: string } | null }>('accounts.disconnect', { platform: 'youtube', accountId: 'UCotherChannel00000000002' });
    expect(result.revoked).toBe(false);
    expect(result.problem?.message).toContain('YouTube did not confirm');
    expect(result.problem?.detail).toContain('HTTP 503');
    expect(await keychain()).not.toContain('account:youtube:UCotherChannel00000000002:credentials');
    expect((await ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts).toEqual([]);
  });
});
