// What the post editor learns about the connected TikTok account (platform-apis.md §1.2):
// creator_info asked through the real core and egress client of the TikTok simulator, with the
// tokens in a real Secret Service: the audiences the account offers, its name and longest video,
// a plain "cannot post now", a minute's cache, renewing an expired token, never renewing while a
// publish holds the account, and only "Only the account owner" once TikTok says the app is unaudited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TikTokCreatorInfo } from '../../../common/contract.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../../electron/platforms/tiktok/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, TEST_ADMIN, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { callOk, callRefused } from '../../support/core-calls.ts';

const ACCOUNT = { openId: 'open-harbour', username: 'harbourcity', nickname: 'Harbour City', privacyLevelOptions: ['PUBLIC_TO_EVERYONE' as const, 'SELF_ONLY' as const], maxVideoPostDurationSec: 180, commentDisabled: true };

let keyring: KeyringSession;
let tiktok: TikTokSimulator;
let core: AirlockCore;
let nowMs = Date.parse('2026-11-22T09:00:00Z');
const clock = { now: () => new Date(nowMs) };

const ok = <T,>(method: string, args: unknown = {}) => callOk<T>(core, method, args);

const refused = (method: string, args: unknown = {}) => callRefused(core, method, args);

const creatorQueries = () => tiktok.requests().filter((r) => r.endpoint === 'creator_info').length;

async function signIn(name: string, pin: string): Promise<void> {
  const { choices } = await ok<{ choices: { id: string; name: string }[] }>('staff.status');
  await ok('staff.signIn', { staffId: choices.find((c) => c.name === name)!.id, secret: pin });
}

/** Moves both clocks; the idle lock then asks for the PIN again. */
async function advance(ms: number): Promise<void> {
  nowMs += ms;
  await signIn(TEST_ADMIN.name, TEST_ADMIN.pin);
}

beforeAll(async () => {
  keyring = await startKeyringSession();
  tiktok = await startTikTokSimulator({ clock, accounts: [ACCOUNT] });
  core = await openTestCore({
    policy: testPolicy({ platforms: ['tiktok'] }),
    clock,
    allowLoopbackEgress: true,
    secretStore: new KeychainSecretStore({ service: 'Airlock-test-creator-info' }),
    publisherIntervalMs: null,
  });
  await signInFirstAdmin(core);
});

afterAll(async () => {
  await core?.close();
  await tiktok?.stop();
  await keyring?.stop();
});

describe('TikTok creator_info for the editor', () => {
  it('says plainly when no TikTok account is connected', async () => {
    const error = await refused('accounts.tiktokCreatorInfo');
    expect(error.code).toBe('accounts.tiktok-not-connected');
    expect(error.message).toContain('No TikTok account is connected');
  });

  it('offers exactly the audiences the account allows, with its name and longest video', async () => {
    await core.vault.saveAppCredentials('tiktok', { clientId: tiktok.clientKey, clientSecret: tiktok.clientSecret });
    const tokens = tiktok.issueTokens(ACCOUNT.openId);
    await core.connectAccount(
      { platform: 'tiktok', account_id: ACCOUNT.openId, display_name: 'Harbour City (@harbourcity)', api_base: tiktok.origin, connected_by: 'test', simulated: true },
      { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: nowMs + tokens.expires_in * 1000, refreshExpiresAt: nowMs + tokens.refresh_expires_in * 1000, scopes: tokens.scope.split(',') },
    );
    const info = await ok<TikTokCreatorInfo>('accounts.tiktokCreatorInfo');
    expect(info).toMatchObject({
      accountId: ACCOUNT.openId,
      accountName: 'Harbour City (@harbourcity)',
      nickname: 'Harbour City',
      username: 'harbourcity',
      privacyLevels: ['PUBLIC_TO_EVERYONE', 'SELF_ONLY'],
      commentDisabled: true,
      duetDisabled: false,
      maxVideoSeconds: 180,
      canPost: true,
      cannotPost: null,
      appAudited: null,
    });
    expect(creatorQueries()).toBe(1);
    expect(JSON.stringify(info)).not.toContain(tokens.access_token);
  });

  it('keeps the answer for a minute, then asks TikTok again', async () => {
    await ok('accounts.tiktokCreatorInfo');
    expect(creatorQueries()).toBe(1);
    await advance(61_000);
    await ok('accounts.tiktokCreatorInfo');
    expect(creatorQueries()).toBe(2);
  });

  it('may be asked by anyone who edits posts', async () => {
    await ok('staff.create', { name: 'Alex Author', role: 'author', credential: { kind: 'pin', secret: '614927' } });
    await ok('staff.signOut');
    await signIn('Alex Author', '614927');
    expect((await ok<TikTokCreatorInfo>('accounts.tiktokCreatorInfo')).privacyLevels).toEqual(['PUBLIC_TO_EVERYONE', 'SELF_ONLY']);
    await ok('staff.signOut');
    await signIn(TEST_ADMIN.name, TEST_ADMIN.pin);
  });

  it('says in plain words when TikTok says the account cannot post right now', async () => {
    await advance(61_000);
    tiktok.injectFault({ kind: 'spam-risk', endpoint: 'creator_info', code: 'spam_risk_too_many_posts' });
    const info = await ok<TikTokCreatorInfo>('accounts.tiktokCreatorInfo');
    expect(info).toMatchObject({ canPost: false, privacyLevels: [] });
    expect(info.cannotPost?.message).toBe('This TikTok account has reached its daily posting limit. Try again tomorrow.');
    expect(info.cannotPost?.code).toBe('spam_risk_too_many_posts');
    expect(info.cannotPost?.detail).toContain('spam_risk_too_many_posts');
  });

  it('says so when TikTok cannot be reached, and caches nothing', async () => {
    await advance(61_000);
    tiktok.injectFault({ kind: 'drop-connection', endpoint: 'creator_info', times: 2 });
    const error = await refused('accounts.tiktokCreatorInfo');
    expect(error.code).toBe('accounts.tiktok-unreachable');
    expect(error.message).toContain('could not reach TikTok');
    expect((await ok<TikTokCreatorInfo>('accounts.tiktokCreatorInfo')).canPost).toBe(true);
  });

  it('renews an expired access token, storing TikTok\'s rotated refresh token', async () => {
    const before = await core.vault.loadAccountCredentials('tiktok', ACCOUNT.openId);
    await advance(3 * 3600_000);
    const tokenCalls = tiktok.requests().filter((r) => r.endpoint === 'token').length;
    expect((await ok<TikTokCreatorInfo>('accounts.tiktokCreatorInfo')).canPost).toBe(true);
    expect(tiktok.requests().filter((r) => r.endpoint === 'token').length).toBe(tokenCalls + 1);
    const after = await core.vault.loadAccountCredentials('tiktok', ACCOUNT.openId);
    expect(after!.refreshToken).not.toBe(before!.refreshToken);
    expect(after!.expiresAt).toBeGreaterThan(nowMs);
  });

  it('never renews while a publish holds the account: the kept answer, or a plain "busy"', async () => {
    let release = () => {};
    const held = core.vault.withAccount('tiktok', ACCOUNT.openId, () => new Promise<void>((resolve) => (release = resolve)));
    try {
      await advance(3 * 3600_000);
      const queries = creatorQueries();
      const tokenCalls = tiktok.requests().filter((r) => r.endpoint === 'token').length;
      // The answer kept from before is better than spending the refresh token under the publish.
      expect((await ok<TikTokCreatorInfo>('accounts.tiktokCreatorInfo')).canPost).toBe(true);
      expect(creatorQueries()).toBe(queries);
      expect(tiktok.requests().filter((r) => r.endpoint === 'token').length).toBe(tokenCalls);
    } finally {
      release();
      await held;
    }
  });

  it('offers only "Only the account owner" once TikTok refused a post because the app is not audited', async () => {
    core.events.emit('publish.result', {
      postId: 'post-1',
      platform: 'tiktok',
      ok: false,
      url: null,
      error: { code: 'publish.tiktok.unaudited_client_can_only_post_to_private_accounts', message: 'TikTok has not yet approved this organisation\'s app.' },
      waiting: false,
    });
    const info = await ok<TikTokCreatorInfo>('accounts.tiktokCreatorInfo');
    expect(info).toMatchObject({ appAudited: false, privacyLevels: ['SELF_ONLY'], canPost: true });
  });
});
