// Connecting a Facebook Page through the real core against the Facebook simulator, with the token
// in a real Secret Service: Facebook Login on the fixed loopback redirect (compared exactly, as
// Meta's strict mode does), the code and the long-lived exchange with the app secret, every
// permission checked, the Pages the person may create content on as candidates, the policy
// choosing among several, a forged state, a declined permission and a refused Page changing
// nothing, no renewal (Meta has no refresh token) but the sign-in shown running out, disconnect
// removing the kiosk's copy (no revoke call is named), and a video published on the connected Page.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountHealth, PostView } from '../../../common/contract.ts';
import { FACEBOOK_PATHS, FACEBOOK_SCOPES } from '../../../electron/platforms/facebook/protocol.ts';
import { startFacebookSimulator, type FacebookSimulator } from '../../../electron/platforms/facebook/simulator.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { consent } from '../../support/consent.ts';
import { approvedVideoPost, paddedClip } from '../../support/publish-kiosk.ts';
import { openAccountsKiosk, type AccountsKiosk, type Started } from './accounts-kiosk.ts';

const COUNCIL = { id: '104200000000001', name: 'Harbour City Council' };
const LIBRARY = { id: '104200000000002', name: 'Harbour City Library' };
const ARCHIVE = { id: '104200000000003', name: 'Harbour Archive', tasks: ['ANALYZE'] };
const DAY = 86_400_000;

let keyring: KeyringSession;
let fb: FacebookSimulator;
let kiosk: AccountsKiosk;
let nowMs = Date.parse('2026-11-22T09:00:00Z');
const clock = { now: () => new Date(nowMs) };

const pageAs = (token: string, id: string) => fetch(`${fb.origin}${FACEBOOK_PATHS.page(id)}?fields=name`, { headers: { authorization: `OAuth ${token}` } });
const accountIds = async (k: AccountsKiosk) => (await k.ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts.map((a) => a.accountId);
const storedAccounts = async (k: AccountsKiosk) => (await k.keychainKeys()).filter((key) => key.startsWith('account:'));

async function connect(k: AccountsKiosk): Promise<{ started: Started; callback: string }> {
  const started = await k.ok<Started>('accounts.beginConnect', { platform: 'facebook' });
  const browser = await consent(started.authorizeUrl);
  return { started, callback: browser.callback };
}

beforeAll(async () => {
  keyring = await startKeyringSession();
  fb = await startFacebookSimulator({ clock, pages: [COUNCIL, LIBRARY, ARCHIVE] });
  kiosk = await openAccountsKiosk({ keyring, service: 'Airlock-test-facebook-accounts', clock, platform: 'facebook', endpoints: { authOrigin: fb.origin, apiOrigin: fb.origin } });
});

afterAll(async () => {
  await fb?.stop();
  await keyring?.stop();
});

describe('connecting a Facebook Page', () => {
  it('offers Facebook as a sign-in page connect, and says plainly when IT has not set up the Meta app', async () => {
    const listed = await kiosk.ok<{ platforms: { platform: string; method: string; appCredentials: boolean | null }[] }>('accounts.list');
    expect(listed.platforms.find((p) => p.platform === 'facebook')).toMatchObject({ method: 'oauth', appCredentials: false });
    const error = await kiosk.refused('accounts.beginConnect', { platform: 'facebook' });
    expect(error.code).toBe('accounts.no-app-credentials');
    expect(error.detail).toContain('airlock credentials set-app facebook');
    expect(fb.requests()).toEqual([]);
  });

  it('refuses a sign-in that manages several Pages when the policy does not say which, and stores nothing', async () => {
    await kiosk.core.vault.saveAppCredentials('facebook', { clientId: fb.appId, clientSecret: fb.appSecret });
    const { started } = await connect(kiosk);
    const error = await kiosk.refused('accounts.finishConnect', { flowId: started.flowId });
    expect(error.code).toBe('accounts.choose-account');
    expect(error.message).toContain(`${COUNCIL.name} (${COUNCIL.id})`);
    expect(error.message).toContain(`${LIBRARY.name} (${LIBRARY.id})`);
    // A Page the person may not create content on is no candidate.
    expect(error.message).not.toContain(ARCHIVE.name);
    expect(error.message).toContain('accounts.facebook');
    expect(await accountIds(kiosk)).toEqual([]);
    expect(await storedAccounts(kiosk)).toEqual([]);
  });

  it('connects the one Page: Facebook Login on the fixed redirect, the code and the long-lived token exchanged with the app secret', async () => {
    fb.consentAs([COUNCIL.id]);
    const { started, callback } = await connect(kiosk);
    const url = new URL(started.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${fb.origin}${FACEBOOK_PATHS.dialog}`);
    expect(url.searchParams.get('client_id')).toBe(fb.appId);
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:53124/callback');
    expect(url.searchParams.get('scope')!.split(',')).toEqual([...FACEBOOK_SCOPES]);
    expect(url.searchParams.get('response_type')).toBe('code');
    const account = await kiosk.ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
    expect(account).toMatchObject({ platform: 'facebook', accountId: COUNCIL.id, displayName: COUNCIL.name, status: 'healthy', apiBase: fb.origin, simulated: false });
    expect(account.scopes).toEqual([...FACEBOOK_SCOPES]);
    expect(Date.parse(account.accessExpiresAt!) - nowMs).toBe(60 * DAY);
    expect(fb.requests().filter((r) => r.endpoint === 'token').map((r) => [r.method, r.status])).toEqual([
      ['POST', 200],
      ['POST', 200],
      ['POST', 200],
      ['POST', 200],
    ]);
    const stored = await kiosk.core.vault.loadAccountCredentials('facebook', COUNCIL.id);
    expect(await kiosk.keychainKeys()).toContain(`account:facebook:${COUNCIL.id}:credentials`);
    expect(await kiosk.dataFolderHolds(stored!.accessToken)).toBe(false);
    expect(await kiosk.dataFolderHolds(fb.appSecret)).toBe(false);
    expect(JSON.stringify(await kiosk.ok('audit.list', { limit: 500 }))).not.toContain(stored!.accessToken);
    expect((await pageAs(stored!.accessToken, COUNCIL.id)).status).toBe(200);
    // The code was single-use: replaying it at the token endpoint is refused.
    const code = new URL(callback).searchParams.get('code')!;
    const replay = await fetch(`${fb.origin}${FACEBOOK_PATHS.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: fb.appId, client_secret: fb.appSecret, redirect_uri: 'http://127.0.0.1:53124/callback', code }).toString(),
    });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: { error_subcode: number } }).error.error_subcode).toBe(36009);
  });

  it('ignores a callback with the wrong state and still accepts the right one', async () => {
    const started = await kiosk.ok<Started>('accounts.reconnect', { platform: 'facebook', accountId: COUNCIL.id });
    const redirectUri = new URL(started.authorizeUrl).searchParams.get('redirect_uri')!;
    const tokenCalls = fb.requests().filter((r) => r.endpoint === 'token').length;
    const forged = await fetch(`${redirectUri}?code=forged-code&state=not-the-state`);
    expect(forged.status).toBe(400);
    expect(fb.requests().filter((r) => r.endpoint === 'token').length).toBe(tokenCalls);
    await consent(started.authorizeUrl);
    expect(await kiosk.ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).toMatchObject({ accountId: COUNCIL.id, status: 'healthy' });
    expect(await accountIds(kiosk)).toEqual([COUNCIL.id]);
  });

  it('refuses a sign-in with a permission unticked, a declined dialog, a Page without the right to post, or a wrong app secret, and keeps what was stored', async () => {
    const before = await kiosk.core.vault.loadAccountCredentials('facebook', COUNCIL.id);
    fb.declinePermissions(['pages_manage_posts']);
    let flow = await connect(kiosk);
    const declined = await kiosk.refused('accounts.finishConnect', { flowId: flow.started.flowId });
    expect(declined.code).toBe('accounts.permissions-declined');
    expect(declined.message).toContain('pages_manage_posts');
    fb.declinePermissions([]);

    fb.consentAs(null);
    flow = await connect(kiosk);
    expect((await kiosk.refused('accounts.finishConnect', { flowId: flow.started.flowId })).code).toBe('accounts.declined');

    fb.consentAs([ARCHIVE.id]);
    flow = await connect(kiosk);
    const none = await kiosk.refused('accounts.finishConnect', { flowId: flow.started.flowId });
    expect(none.code).toBe('accounts.nothing-to-connect');
    expect(none.message).toContain('create content');

    fb.consentAs([COUNCIL.id]);
    await kiosk.core.vault.saveAppCredentials('facebook', { clientId: fb.appId, clientSecret: 'not-the-app-secret' });
    flow = await connect(kiosk);
    const wrongSecret = await kiosk.refused('accounts.finishConnect', { flowId: flow.started.flowId });
    expect(wrongSecret.code).toBe('accounts.platform-refused');
    expect(wrongSecret.detail).toContain('Error validating client secret');
    await kiosk.core.vault.saveAppCredentials('facebook', { clientId: fb.appId, clientSecret: fb.appSecret });

    expect(await kiosk.core.vault.loadAccountCredentials('facebook', COUNCIL.id)).toEqual(before);
    expect(await accountIds(kiosk)).toEqual([COUNCIL.id]);
  });

  it('has nothing to renew (Meta issues no refresh token), and shows the sign-in running out in its last week', async () => {
    nowMs += 54 * DAY;
    await kiosk.signInAgain();
    expect(await kiosk.core.accounts.renewExpiring()).toEqual({ renewed: [], failed: [] });
    expect((await kiosk.ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts[0]).toMatchObject({ accountId: COUNCIL.id, status: 'expiring' });
  });

  it('disconnects: removes the keychain entry and the row, and says Facebook itself was not asked', async () => {
    const result = await kiosk.ok<{ removed: true; revoked: boolean; problem: { message: string; detail: string } | null }>('accounts.disconnect', { platform: 'facebook', accountId: COUNCIL.id });
    expect(result.revoked).toBe(false);
    expect(result.problem?.message).toContain('removed this one from this kiosk only');
    const keys = await kiosk.keychainKeys();
    expect(keys).not.toContain(`account:facebook:${COUNCIL.id}:credentials`);
    expect(keys).toContain('app:facebook:client-credentials');
    expect(await accountIds(kiosk)).toEqual([]);
  });
});

describe('connecting Facebook on a kiosk whose policy names the Page', () => {
  let narrowed: AccountsKiosk;

  beforeAll(async () => {
    narrowed = await openAccountsKiosk({ keyring, service: 'Airlock-test-facebook-policy', clock, platform: 'facebook', endpoints: { authOrigin: fb.origin, apiOrigin: fb.origin }, allowed: [LIBRARY.id], publishPollMs: 10 });
    await narrowed.core.vault.saveAppCredentials('facebook', { clientId: fb.appId, clientSecret: fb.appSecret });
  });

  it('connects only the allowed one of several Pages', async () => {
    fb.consentAs(undefined);
    const { started } = await connect(narrowed);
    expect(await narrowed.ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).toMatchObject({ accountId: LIBRARY.id, displayName: LIBRARY.name });
    expect(await accountIds(narrowed)).toEqual([LIBRARY.id]);
    expect(await storedAccounts(narrowed)).toEqual([`account:facebook:${LIBRARY.id}:credentials`]);
  });

  it('refuses a Page the policy does not list, and stores nothing', async () => {
    fb.consentAs([COUNCIL.id]);
    const { started } = await connect(narrowed);
    const error = await narrowed.refused('accounts.finishConnect', { flowId: started.flowId });
    expect(error.code).toBe('accounts.not-allowed');
    expect(error.message).toContain(LIBRARY.id);
    expect(await storedAccounts(narrowed)).toEqual([`account:facebook:${LIBRARY.id}:credentials`]);
  });

  it('publishes a video on the connected Page with the existing adapter', async () => {
    const video = await paddedClip(await mkdtemp(path.join(os.tmpdir(), 'airlock-facebook-connect-')), 'ferry', 100_000);
    const post = await approvedVideoPost(narrowed.core, video, { caption: 'Library opens late on Thursday', targets: ['facebook'] });
    await narrowed.core.publisher.tick();
    await narrowed.core.publisher.tick();
    const after = (await narrowed.core.store.call('posts.get', { id: post.id }))?.post as PostView | undefined;
    const jobs = await narrowed.core.store.call('publish.jobsForPost', { postId: post.id });
    expect({ state: after?.state, errors: jobs.map((j) => j.last_error_json) }).toEqual({ state: 'published', errors: [null] });
    expect(fb.feed(LIBRARY.id)[0]).toMatchObject({ pageId: LIBRARY.id, kind: 'video', message: 'Library opens late on Thursday', sizeBytes: video.length });
  }, 60_000);
});
