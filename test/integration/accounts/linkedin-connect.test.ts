// Connecting a LinkedIn organisation through the real core against the LinkedIn simulator, with
// the token in a real Secret Service: 3-legged OAuth with the client secret and PKCE on the fixed
// loopback redirect, the organisations the member administers (organizationAcls) as candidates,
// the policy choosing among several, a forged state and a refused organisation changing nothing,
// no renewal without a refresh token (LinkedIn gives those to partners only) and renewal with
// one, disconnect removing the kiosk's copy (LinkedIn names no revoke), and a video post
// published as the connected organisation by the existing adapter.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountHealth, PostView } from '../../../common/contract.ts';
import { LINKEDIN_CONNECT_SCOPES, LINKEDIN_PATHS } from '../../../electron/platforms/linkedin/protocol.ts';
import { startLinkedInSimulator, type LinkedInSimulator } from '../../../electron/platforms/linkedin/simulator.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { consent } from '../../support/consent.ts';
import { approvedVideoPost, paddedClip } from '../../support/publish-kiosk.ts';
import { openAccountsKiosk, type AccountsKiosk, type Started } from './accounts-kiosk.ts';

const HARBOUR = { urn: 'urn:li:organization:4200042', name: 'Harbour City Council', vanityName: 'harbour-city' };
const LIBRARY = { urn: 'urn:li:organization:4200043', name: 'Harbour City Library' };
const DAY = 86_400_000;

let keyring: KeyringSession;
let li: LinkedInSimulator;
let kiosk: AccountsKiosk;
let nowMs = Date.parse('2026-11-22T09:00:00Z');
const clock = { now: () => new Date(nowMs) };

const organizationAs = (token: string, id: string) =>
  fetch(`${li.origin}${LINKEDIN_PATHS.organization(id)}`, { headers: { authorization: `Bearer ${token}`, 'LinkedIn-Version': '202610', 'X-Restli-Protocol-Version': '2.0.0' } });

beforeAll(async () => {
  keyring = await startKeyringSession();
  li = await startLinkedInSimulator({ clock, organizations: [HARBOUR, LIBRARY, { urn: 'urn:li:organization:4200044', name: 'Someone Else', admins: ['another-member'] }], processingPolls: 0 });
  kiosk = await openAccountsKiosk({ keyring, service: 'Airlock-test-linkedin-accounts', clock, platform: 'linkedin', endpoints: { authOrigin: li.origin, apiOrigin: li.origin } });
});

afterAll(async () => {
  await li?.stop();
  await keyring?.stop();
});

describe('connecting LinkedIn', () => {
  it('offers LinkedIn as a sign-in page connect, and says plainly when IT has not set up the app', async () => {
    const listed = await kiosk.ok<{ platforms: { platform: string; method: string; appCredentials: boolean | null }[] }>('accounts.list');
    expect(listed.platforms.find((p) => p.platform === 'linkedin')).toMatchObject({ method: 'oauth', appCredentials: false });
    const error = await kiosk.refused('accounts.beginConnect', { platform: 'linkedin' });
    expect(error.code).toBe('accounts.no-app-credentials');
    expect(error.detail).toContain('airlock credentials set-app linkedin');
    expect(li.requests()).toEqual([]);
  });

  it('refuses a sign-in that administers several organisations when the policy does not say which, and stores nothing', async () => {
    await kiosk.core.vault.saveAppCredentials('linkedin', { clientId: li.clientId, clientSecret: li.clientSecret });
    li.consentAs([HARBOUR.urn, LIBRARY.urn]);
    const started = await kiosk.ok<Started>('accounts.beginConnect', { platform: 'linkedin' });
    expect((await consent(started.authorizeUrl)).status).toBe(200);
    const error = await kiosk.refused('accounts.finishConnect', { flowId: started.flowId });
    expect(error.code).toBe('accounts.choose-account');
    expect(error.message).toContain('Harbour City Council (urn:li:organization:4200042)');
    expect(error.message).toContain('Harbour City Library (urn:li:organization:4200043)');
    expect(error.message).toContain('accounts.linkedin');
    expect(error.message).not.toContain('Someone Else');
    expect((await kiosk.ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts).toEqual([]);
    expect((await kiosk.keychainKeys()).filter((k) => k.startsWith('account:'))).toEqual([]);
  });

  it('connects the one organisation the member administers: client secret and PKCE on the fixed loopback redirect, the organisation as the account', async () => {
    li.consentAs([HARBOUR.urn]);
    const started = await kiosk.ok<Started>('accounts.beginConnect', { platform: 'linkedin' });
    const url = new URL(started.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${li.origin}${LINKEDIN_PATHS.authorize}`);
    expect(url.searchParams.get('client_id')).toBe(li.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:53125/');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')!.split(' ')).toEqual([...LINKEDIN_CONNECT_SCOPES]);
    const browser = await consent(started.authorizeUrl);
    expect(browser.page).toContain('You can close this window');
    const account = await kiosk.ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
    expect(account).toMatchObject({ platform: 'linkedin', accountId: HARBOUR.urn, displayName: HARBOUR.name, status: 'healthy', apiBase: li.origin, simulated: false });
    expect(account.scopes).toEqual([...LINKEDIN_CONNECT_SCOPES]);
    expect(Date.parse(account.accessExpiresAt!) - nowMs).toBe(60 * DAY);
    expect(account.refreshExpiresAt).toBeNull();
    const stored = await kiosk.core.vault.loadAccountCredentials('linkedin', HARBOUR.urn);
    expect(stored?.refreshToken).toBeUndefined();
    expect(await kiosk.keychainKeys()).toContain(`account:linkedin:${encodeURIComponent(HARBOUR.urn)}:credentials`);
    expect(await kiosk.dataFolderHolds(stored!.accessToken)).toBe(false);
    expect(await kiosk.dataFolderHolds(li.clientSecret)).toBe(false);
    expect(JSON.stringify(await kiosk.ok('audit.list', { limit: 500 }))).not.toContain(stored!.accessToken);
    expect((await organizationAs(stored!.accessToken, '4200042')).status).toBe(200);
  });

  it('ignores a callback with the wrong state and still accepts the right one', async () => {
    const started = await kiosk.ok<Started>('accounts.reconnect', { platform: 'linkedin', accountId: HARBOUR.urn });
    const redirectUri = new URL(started.authorizeUrl).searchParams.get('redirect_uri')!;
    const tokenCalls = li.requests().filter((r) => r.endpoint === 'token').length;
    const forged = await fetch(`${redirectUri}?code=forged-code&state=not-the-state`);
    expect(forged.status).toBe(400);
    expect(li.requests().filter((r) => r.endpoint === 'token').length).toBe(tokenCalls);
    await consent(started.authorizeUrl);
    expect(await kiosk.ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).toMatchObject({ accountId: HARBOUR.urn, status: 'healthy' });
    expect((await kiosk.ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts).toHaveLength(1);
  });

  it('says so when the member declines, or administers no organisation, and keeps what was stored', async () => {
    const before = await kiosk.core.vault.loadAccountCredentials('linkedin', HARBOUR.urn);
    li.consentAs(null);
    let started = await kiosk.ok<Started>('accounts.beginConnect', { platform: 'linkedin' });
    await consent(started.authorizeUrl);
    expect((await kiosk.refused('accounts.finishConnect', { flowId: started.flowId })).code).toBe('accounts.declined');
    li.consentAs([]);
    started = await kiosk.ok<Started>('accounts.beginConnect', { platform: 'linkedin' });
    await consent(started.authorizeUrl);
    const none = await kiosk.refused('accounts.finishConnect', { flowId: started.flowId });
    expect(none.code).toBe('accounts.nothing-to-connect');
    expect(none.message).toContain('not an administrator');
    expect(await kiosk.core.vault.loadAccountCredentials('linkedin', HARBOUR.urn)).toEqual(before);
    li.consentAs([HARBOUR.urn]);
  });

  it('has nothing to renew without a refresh token, and shows the sign-in running out in its last week', async () => {
    nowMs += 54 * DAY;
    await kiosk.signInAgain();
    expect(await kiosk.core.accounts.renewExpiring()).toEqual({ renewed: [], failed: [] });
    const [account] = (await kiosk.ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts;
    expect(account).toMatchObject({ accountId: HARBOUR.urn, status: 'expiring' });
  });

  it('disconnects: removes the keychain entry and the row, and says LinkedIn itself was not asked', async () => {
    const creds = await kiosk.core.vault.loadAccountCredentials('linkedin', HARBOUR.urn);
    const result = await kiosk.ok<{ removed: true; revoked: boolean; problem: { message: string; detail: string } | null }>('accounts.disconnect', { platform: 'linkedin', accountId: HARBOUR.urn });
    expect(result.revoked).toBe(false);
    expect(result.problem?.message).toContain('removed this one from this kiosk only');
    expect(result.problem?.detail).toContain('accounts.revoke-unsupported');
    const keys = await kiosk.keychainKeys();
    expect(keys).not.toContain(`account:linkedin:${encodeURIComponent(HARBOUR.urn)}:credentials`);
    expect(keys).toContain('app:linkedin:client-credentials');
    expect((await kiosk.ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts).toEqual([]);
    // Nothing was sent to LinkedIn: the token itself still works there until it runs out.
    expect((await organizationAs(creds!.accessToken, '4200042')).status).toBe(200);
  });
});

describe('connecting LinkedIn on a kiosk whose policy names the organisation', () => {
  let narrowed: AccountsKiosk;

  beforeAll(async () => {
    // The organisation's number is enough; its full URN works too.
    narrowed = await openAccountsKiosk({ keyring, service: 'Airlock-test-linkedin-policy', clock, platform: 'linkedin', endpoints: { authOrigin: li.origin, apiOrigin: li.origin }, allowed: ['4200043'], publishPollMs: 10 });
    await narrowed.core.vault.saveAppCredentials('linkedin', { clientId: li.clientId, clientSecret: li.clientSecret });
  });

  it('connects only the allowed one of several organisations', async () => {
    li.consentAs([HARBOUR.urn, LIBRARY.urn]);
    const started = await narrowed.ok<Started>('accounts.beginConnect', { platform: 'linkedin' });
    await consent(started.authorizeUrl);
    expect(await narrowed.ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).toMatchObject({ accountId: LIBRARY.urn, displayName: LIBRARY.name });
    expect((await narrowed.ok<{ accounts: AccountHealth[] }>('accounts.list')).accounts.map((a) => a.accountId)).toEqual([LIBRARY.urn]);
    expect((await narrowed.keychainKeys()).filter((k) => k.startsWith('account:'))).toEqual([`account:linkedin:${encodeURIComponent(LIBRARY.urn)}:credentials`]);
  });

  it('refuses an organisation the policy does not list, and stores nothing', async () => {
    li.consentAs([HARBOUR.urn]);
    const started = await narrowed.ok<Started>('accounts.beginConnect', { platform: 'linkedin' });
    await consent(started.authorizeUrl);
    const error = await narrowed.refused('accounts.finishConnect', { flowId: started.flowId });
    expect(error.code).toBe('accounts.not-allowed');
    expect(error.message).toContain('4200043');
    expect((await narrowed.keychainKeys()).filter((k) => k.startsWith('account:'))).toEqual([`account:linkedin:${encodeURIComponent(LIBRARY.urn)}:credentials`]);
  });

  it('publishes a video post as the connected organisation with the existing adapter', async () => {
    const video = await paddedClip(await mkdtemp(path.join(os.tmpdir(), 'airlock-linkedin-connect-')), 'ferry', 200_000);
    // The member administers the library's page again (the last test took that role away).
    li.consentAs([HARBOUR.urn, LIBRARY.urn]);
    const before = li.feed(LIBRARY.urn).length;
    const post = await approvedVideoPost(narrowed.core, video, { caption: 'Library opens late on Thursday', targets: ['linkedin'] });
    await narrowed.core.publisher.tick();
    await narrowed.core.publisher.tick();
    const after = (await narrowed.core.store.call('posts.get', { id: post.id }))?.post as PostView | undefined;
    const jobs = await narrowed.core.store.call('publish.jobsForPost', { postId: post.id });
    expect({ state: after?.state, errors: jobs.map((j) => j.last_error_json) }).toEqual({ state: 'published', errors: [null] });
    expect(li.feed(LIBRARY.urn)).toHaveLength(before + 1);
    expect(li.feed(LIBRARY.urn)[0]).toMatchObject({ author: LIBRARY.urn, text: 'Library opens late on Thursday' });
  }, 60_000);
});

describe('renewing a LinkedIn sign-in for an approved partner app', () => {
  it('renews the access token with the refresh token, which keeps its end', async () => {
    const partner = await startLinkedInSimulator({ clock, organizations: [HARBOUR], refreshTokens: true });
    try {
      const k = await openAccountsKiosk({ keyring, service: 'Airlock-test-linkedin-partner', clock, platform: 'linkedin', endpoints: { authOrigin: partner.origin, apiOrigin: partner.origin } });
      await k.core.vault.saveAppCredentials('linkedin', { clientId: partner.clientId, clientSecret: partner.clientSecret });
      const started = await k.ok<Started>('accounts.beginConnect', { platform: 'linkedin' });
      await consent(started.authorizeUrl);
      const account = await k.ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
      expect(Date.parse(account.refreshExpiresAt!) - nowMs).toBe(365 * DAY);
      const before = await k.core.vault.loadAccountCredentials('linkedin', HARBOUR.urn);
      nowMs += 60 * DAY - 10 * 60_000;
      await k.signInAgain();
      expect(await k.core.accounts.renewExpiring()).toEqual({ renewed: [`linkedin:${HARBOUR.urn}`], failed: [] });
      const after = await k.core.vault.loadAccountCredentials('linkedin', HARBOUR.urn);
      expect(after!.accessToken).not.toBe(before!.accessToken);
      expect(after!.refreshToken).toBe(before!.refreshToken);
      expect(after!.expiresAt! - nowMs).toBe(60 * DAY);
    } finally {
      await partner.stop();
    }
  });
});
