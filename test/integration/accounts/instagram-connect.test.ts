// Connecting an Instagram professional account through the real core against the Instagram
// simulator, with the token in a real Secret Service: the Facebook sign-in with Instagram's
// permissions and the organisation's one Meta app (stored for Facebook), the IG accounts linked
// to the person's Pages as candidates, the policy choosing among several by @username, a forged
// state and a refused account changing nothing, no renewal (Meta has no refresh token),
// disconnect removing the kiosk's copy, and a Reel published with the existing adapter.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountHealth, PostView } from '../../../common/contract.ts';
import { FACEBOOK_PATHS, INSTAGRAM_SCOPES } from '../../../electron/platforms/facebook/protocol.ts';
import { startInstagramSimulator, type InstagramSimulator } from '../../../electron/platforms/instagram/simulator.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { consent } from '../../support/consent.ts';
import { approvedVideoPost, paddedClip } from '../../support/publish-kiosk.ts';
import { openAccountsKiosk, type AccountsKiosk, type Started } from './accounts-kiosk.ts';

const HARBOUR = { id: '17841400000000001', username: 'harbourcity' };
const LIBRARY = { id: '17841400000000002', username: 'harbourlibrary' };
const PAGES = [
  { id: '104200000000011', name: 'Harbour City Council', instagramId: HARBOUR.id },
  { id: '104200000000012', name: 'Harbour City Library', instagramId: LIBRARY.id },
  { id: '104200000000013', name: 'Harbour Archive', instagramId: null },
];
const DAY = 86_400_000;

let keyring: KeyringSession;
let ig: InstagramSimulator;
let kiosk: AccountsKiosk;
let nowMs = Date.parse('2026-11-22T09:00:00Z');
const clock = { now: () => new Date(nowMs) };

const accountIds = async (k: AccountsKiosk) => (await k.ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts.map((a) => a.accountId);
const storedAccounts = async (k: AccountsKiosk) => (await k.keychainKeys()).filter((key) => key.startsWith('account:'));
// The simulator takes any loopback port, so this file never waits for Meta's fixed one.
const endpoints = () => ({ authOrigin: ig.origin, apiOrigin: ig.origin, redirectPort: 0 });

async function connect(k: AccountsKiosk): Promise<Started> {
  const started = await k.ok<Started>('accounts.beginConnect', { platform: 'instagram' });
  await consent(started.authorizeUrl);
  return started;
}

beforeAll(async () => {
  keyring = await startKeyringSession();
  ig = await startInstagramSimulator({ clock, accounts: [HARBOUR, LIBRARY], pages: PAGES, redirectMatch: 'loopback-any-port', processingPolls: 0 });
  kiosk = await openAccountsKiosk({ keyring, service: 'Airlock-test-instagram-accounts', clock, platform: 'instagram', endpoints: endpoints() });
});

afterAll(async () => {
  await ig?.stop();
  await keyring?.stop();
});

describe('connecting an Instagram account', () => {
  it('offers Instagram as a sign-in page connect that needs the Meta app IT stores for Facebook', async () => {
    const listed = await kiosk.ok<{ platforms: { platform: string; method: string; appCredentials: boolean | null }[] }>('accounts.list');
    expect(listed.platforms.find((p) => p.platform === 'instagram')).toMatchObject({ method: 'oauth', appCredentials: false });
    const error = await kiosk.refused('accounts.beginConnect', { platform: 'instagram' });
    expect(error.code).toBe('accounts.no-app-credentials');
    expect(error.detail).toContain('airlock credentials set-app facebook');
    await kiosk.core.vault.saveAppCredentials('facebook', { clientId: ig.appId, clientSecret: ig.appSecret });
    const after = await kiosk.ok<{ platforms: { platform: string; appCredentials: boolean | null }[] }>('accounts.list');
    expect(after.platforms.find((p) => p.platform === 'instagram')?.appCredentials).toBe(true);
  });

  it('refuses a sign-in whose Pages link several IG accounts when the policy does not say which, and stores nothing', async () => {
    const started = await connect(kiosk);
    const error = await kiosk.refused('accounts.finishConnect', { flowId: started.flowId });
    expect(error.code).toBe('accounts.choose-account');
    expect(error.message).toContain(`@harbourcity (${HARBOUR.id})`);
    expect(error.message).toContain(`@harbourlibrary (${LIBRARY.id})`);
    expect(error.message).toContain('accounts.instagram');
    expect(await storedAccounts(kiosk)).toEqual([]);
  });

  it('connects the IG account linked to the one Page, with Instagram\'s permissions on the Facebook sign-in', async () => {
    ig.consentAs([PAGES[0]!.id, PAGES[2]!.id]);
    const started = await kiosk.ok<Started>('accounts.beginConnect', { platform: 'instagram' });
    const url = new URL(started.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${ig.origin}${FACEBOOK_PATHS.dialog}`);
    expect(url.searchParams.get('client_id')).toBe(ig.appId);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(url.searchParams.get('scope')!.split(',')).toEqual([...INSTAGRAM_SCOPES]);
    await consent(started.authorizeUrl);
    const account = await kiosk.ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
    expect(account).toMatchObject({ platform: 'instagram', accountId: HARBOUR.id, displayName: '@harbourcity', status: 'healthy', apiBase: ig.origin });
    expect(account.scopes).toEqual([...INSTAGRAM_SCOPES]);
    expect(Date.parse(account.accessExpiresAt!) - nowMs).toBe(60 * DAY);
    const stored = await kiosk.core.vault.loadAccountCredentials('instagram', HARBOUR.id);
    expect(await kiosk.keychainKeys()).toContain(`account:instagram:${HARBOUR.id}:credentials`);
    expect(await kiosk.dataFolderHolds(stored!.accessToken)).toBe(false);
    expect(await kiosk.dataFolderHolds(ig.appSecret)).toBe(false);
  });

  it('ignores a callback with the wrong state, and says so when no Page has an IG account linked', async () => {
    const before = await kiosk.core.vault.loadAccountCredentials('instagram', HARBOUR.id);
    const started = await kiosk.ok<Started>('accounts.beginConnect', { platform: 'instagram' });
    const redirectUri = new URL(started.authorizeUrl).searchParams.get('redirect_uri')!;
    const forged = await fetch(`${redirectUri}?code=forged-code&state=not-the-state`);
    expect(forged.status).toBe(400);
    ig.consentAs([PAGES[2]!.id]);
    await consent(started.authorizeUrl);
    const none = await kiosk.refused('accounts.finishConnect', { flowId: started.flowId });
    expect(none.code).toBe('accounts.nothing-to-connect');
    expect(none.message).toContain('Instagram professional account');
    expect(await kiosk.core.vault.loadAccountCredentials('instagram', HARBOUR.id)).toEqual(before);
    expect(await accountIds(kiosk)).toEqual([HARBOUR.id]);
  });

  it('has nothing to renew, shows the sign-in running out, and disconnects from the kiosk only', async () => {
    nowMs += 54 * DAY;
    await kiosk.signInAgain();
    expect(await kiosk.core.accounts.renewExpiring()).toEqual({ renewed: [], failed: [] });
    expect((await kiosk.ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts[0]).toMatchObject({ accountId: HARBOUR.id, status: 'expiring' });
    const result = await kiosk.ok<{ revoked: boolean; problem: { message: string } | null }>('accounts.disconnect', { platform: 'instagram', accountId: HARBOUR.id });
    expect(result.revoked).toBe(false);
    expect(result.problem?.message).toContain('Airlock does not end Instagram sign-ins at Instagram');
    expect(await storedAccounts(kiosk)).toEqual([]);
    expect(await kiosk.keychainKeys()).toContain('app:facebook:client-credentials');
    expect(await accountIds(kiosk)).toEqual([]);
  });
});

describe('connecting Instagram on a kiosk whose policy names the account', () => {
  let narrowed: AccountsKiosk;

  beforeAll(async () => {
    narrowed = await openAccountsKiosk({ keyring, service: 'Airlock-test-instagram-policy', clock, platform: 'instagram', endpoints: endpoints(), allowed: ['@harbourlibrary'], publishPollMs: 10 });
    await narrowed.core.vault.saveAppCredentials('facebook', { clientId: ig.appId, clientSecret: ig.appSecret });
  });

  it('connects only the allowed one of several IG accounts', async () => {
    ig.consentAs(undefined);
    const started = await connect(narrowed);
    expect(await narrowed.ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).toMatchObject({ accountId: LIBRARY.id, displayName: '@harbourlibrary' });
    expect(await storedAccounts(narrowed)).toEqual([`account:instagram:${LIBRARY.id}:credentials`]);
  });

  it('refuses an IG account the policy does not list, and stores nothing', async () => {
    ig.consentAs([PAGES[0]!.id]);
    const started = await connect(narrowed);
    const error = await narrowed.refused('accounts.finishConnect', { flowId: started.flowId });
    expect(error.code).toBe('accounts.not-allowed');
    expect(await storedAccounts(narrowed)).toEqual([`account:instagram:${LIBRARY.id}:credentials`]);
  });

  it('publishes a Reel to the connected account with the existing adapter', async () => {
    const video = await paddedClip(await mkdtemp(path.join(os.tmpdir(), 'airlock-instagram-connect-')), 'ferry', 100_000);
    const post = await approvedVideoPost(narrowed.core, video, { caption: 'Library opens late on Thursday #harbour', targets: ['instagram'] });
    await narrowed.core.publisher.tick();
    await narrowed.core.publisher.tick();
    const after = (await narrowed.core.store.call('posts.get', { id: post.id }))?.post as PostView | undefined;
    const jobs = await narrowed.core.store.call('publish.jobsForPost', { postId: post.id });
    expect({ state: after?.state, errors: jobs.map((j) => j.last_error_json) }).toEqual({ state: 'published', errors: [null] });
    expect(ig.feed(LIBRARY.id)[0]).toMatchObject({ accountId: LIBRARY.id, caption: 'Library opens late on Thursday #harbour', sizeBytes: video.length });
  }, 60_000);
});
