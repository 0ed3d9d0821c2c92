// Connecting accounts in training mode: the training session puts its simulators' demo app
// credentials in its memory-only store and tells the account service where the simulators are,
// so a trainer can show Disconnect, then Connect → the platform's consent page (for Bluesky, the
// demo app password) → connected, all on 127.0.0.1. A kiosk out of training mode gets none of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountHealth, ConnectablePlatform } from '../../../common/contract.ts';
import {
  TRAINING_BLUESKY_ACCOUNT,
  TRAINING_FACEBOOK_PAGE,
  TRAINING_INSTAGRAM_ACCOUNT,
  TRAINING_LINKEDIN_ORGANIZATION,
  TRAINING_STAFF,
  TRAINING_TIKTOK_ACCOUNT,
  TRAINING_YOUTUBE_CHANNEL,
} from '../../../electron/services/training/training-service.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { TrainingSecretStore } from '../../../electron/services/vault/memory-secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { consent } from '../../support/consent.ts';
import { callOk, callRefused } from '../../support/core-calls.ts';

let core: AirlockCore;

const ok = <T,>(method: string, args: unknown = {}, on: AirlockCore = core) => callOk<T>(on, method, args);

const refused = callRefused;

type Started = { flowId: string; authorizeUrl: string; opensIn: string };
type Listed = { accounts: AccountHealth[]; platforms: ConnectablePlatform[] };

beforeAll(async () => {
  core = await openTestCore({ trainingMode: true, publisherIntervalMs: null });
  const { choices } = await ok<{ choices: { id: string; name: string }[] }>('staff.status');
  const tara = TRAINING_STAFF[0];
  await ok('staff.signIn', { staffId: choices.find((c) => c.name === tara.name)!.id, secret: tara.pin });
});

afterAll(async () => {
  await core?.close();
});

describe('connecting accounts in training mode', () => {
  it('shows every simulated platform as ready to connect', async () => {
    const listed = await ok<Listed>('accounts.list');
    for (const platform of ['tiktok', 'x', 'youtube', 'linkedin', 'facebook', 'instagram']) {
      expect(listed.platforms.find((p) => p.platform === platform)).toMatchObject({ method: 'oauth', appCredentials: true });
    }
    // The Disconnect dialog says which platforms Airlock asks to end the sign-in.
    expect(listed.platforms.filter((p) => !p.endsSignIn).map((p) => p.platform).sort()).toEqual(['facebook', 'instagram', 'linkedin']);
    expect(listed.accounts.map((a) => a.platform).sort()).toEqual(['bluesky', 'facebook', 'instagram', 'linkedin', 'mastodon', 'tiktok', 'x', 'youtube']);
  });

  it('disconnects the demo TikTok account, revoking at the simulator', async () => {
    const result = await ok<{ revoked: boolean; problem: unknown }>('accounts.disconnect', { platform: 'tiktok', accountId: TRAINING_TIKTOK_ACCOUNT.openId });
    expect(result).toMatchObject({ revoked: true, problem: null });
    expect((await ok<Listed>('accounts.list')).accounts.map((a) => a.platform).sort()).toEqual(['bluesky', 'facebook', 'instagram', 'linkedin', 'mastodon', 'x', 'youtube']);
  });

  it('connects TikTok again through the simulator\'s consent page', async () => {
    const started = await ok<Started>('accounts.beginConnect', { platform: 'tiktok' });
    const url = new URL(started.authorizeUrl);
    expect(url.hostname).toBe('127.0.0.1');
    expect((await consent(started.authorizeUrl)).status).toBe(200);
    const account = await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId });
    expect(account).toMatchObject({ platform: 'tiktok', accountId: TRAINING_TIKTOK_ACCOUNT.openId, status: 'healthy', connectedBy: TRAINING_STAFF[0].name, simulated: true });
    expect(new URL(account.apiBase).hostname).toBe('127.0.0.1');
    expect(account.displayName).toContain(TRAINING_TIKTOK_ACCOUNT.nickname);
  });

  it('reconnects the demo YouTube channel through Google\'s (simulated) consent page', async () => {
    const started = await ok<Started>('accounts.reconnect', { platform: 'youtube', accountId: TRAINING_YOUTUBE_CHANNEL.id });
    expect(new URL(started.authorizeUrl).hostname).toBe('127.0.0.1');
    expect((await consent(started.authorizeUrl)).status).toBe(200);
    expect(await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).toMatchObject({ platform: 'youtube', accountId: TRAINING_YOUTUBE_CHANNEL.id, displayName: TRAINING_YOUTUBE_CHANNEL.title, status: 'healthy' });
  });

  it('disconnects the demo LinkedIn organisation, Facebook Page and Instagram account and connects each again through its simulated sign-in page', async () => {
    const demo = [
      { platform: 'linkedin', accountId: TRAINING_LINKEDIN_ORGANIZATION.urn, displayName: TRAINING_LINKEDIN_ORGANIZATION.name },
      { platform: 'facebook', accountId: TRAINING_FACEBOOK_PAGE.id, displayName: TRAINING_FACEBOOK_PAGE.name },
      { platform: 'instagram', accountId: TRAINING_INSTAGRAM_ACCOUNT.id, displayName: `@${TRAINING_INSTAGRAM_ACCOUNT.username}` },
    ];
    for (const account of demo) {
      const result = await ok<{ revoked: boolean; problem: { message: string } | null }>('accounts.disconnect', { platform: account.platform, accountId: account.accountId });
      // None of the three names a revoke call: the sign-in is removed from the kiosk, and the trainer is told so.
      expect(result.revoked).toBe(false);
      expect(result.problem?.message).toContain('from this kiosk only');
      expect((await ok<Listed>('accounts.list')).accounts.map((a) => a.platform)).not.toContain(account.platform);
      const started = await ok<Started>('accounts.beginConnect', { platform: account.platform });
      expect(new URL(started.authorizeUrl).hostname).toBe('127.0.0.1');
      expect((await consent(started.authorizeUrl)).status).toBe(200);
      expect(await ok<AccountHealth>('accounts.finishConnect', { flowId: started.flowId })).toMatchObject({ ...account, status: 'healthy', simulated: true });
    }
  });

  it('disconnects the demo Bluesky account, ending its session, and connects it again with the demo app password', async () => {
    expect(await ok<{ revoked: boolean; problem: unknown }>('accounts.disconnect', { platform: 'bluesky', accountId: TRAINING_BLUESKY_ACCOUNT.did })).toMatchObject({ revoked: true, problem: null });
    expect((await ok<Listed>('accounts.list')).accounts.map((a) => a.platform)).not.toContain('bluesky');
    expect((await refused(core, 'accounts.connectAppPassword', { platform: 'bluesky', identifier: TRAINING_BLUESKY_ACCOUNT.handle, appPassword: 'not-the-app-password' })).code).toBe('publish.bluesky.reconnect');
    expect((await ok<Listed>('accounts.list')).accounts.map((a) => a.platform)).not.toContain('bluesky');
    const account = await ok<AccountHealth>('accounts.connectAppPassword', { platform: 'bluesky', identifier: TRAINING_BLUESKY_ACCOUNT.handle, appPassword: TRAINING_BLUESKY_ACCOUNT.appPassword });
    expect(account).toMatchObject({ platform: 'bluesky', accountId: TRAINING_BLUESKY_ACCOUNT.did, displayName: `@${TRAINING_BLUESKY_ACCOUNT.handle}`, status: 'healthy', simulated: true });
    expect(new URL(account.apiBase).hostname).toBe('127.0.0.1');
  });

  it('keeps the demo app credentials in training\'s own memory, never elsewhere', async () => {
    expect((await core.vault.probe()).backend).toContain('training');
    expect(await core.vault.loadAppCredentials('tiktok')).not.toBeNull();
    // A training core given some other secret store gets no demo apps in it.
    const store = new TrainingSecretStore();
    const other = await openTestCore({ trainingMode: true, publisherIntervalMs: null, secretStore: store });
    expect(await other.vault.loadAppCredentials('tiktok')).toBeNull();
    expect(await other.vault.loadAppCredentials('youtube')).toBeNull();
    await other.close();
  });
});

describe('out of training mode', () => {
  it('has no demo apps and no simulator addresses: connecting needs IT and goes to the real platform', async () => {
    const live = await openTestCore({ policy: testPolicy({ platforms: ['tiktok', 'youtube'] }), publisherIntervalMs: null, secretStore: new TrainingSecretStore() });
    await signInFirstAdmin(live);
    expect(await live.vault.loadAppCredentials('tiktok')).toBeNull();
    expect((await refused(live, 'accounts.beginConnect', { platform: 'tiktok' })).code).toBe('accounts.no-app-credentials');
    // With an app set up by IT, the sign-in page is TikTok's own, not a simulator's.
    await live.vault.saveAppCredentials('tiktok', { clientId: 'org-client-key', clientSecret: 'org-client-secret' });
    const started = await ok<Started>('accounts.beginConnect', { platform: 'tiktok' }, live);
    expect(new URL(started.authorizeUrl).origin).toBe('https://www.tiktok.com');
    await ok('accounts.cancelConnect', { flowId: started.flowId }, live);
    await live.close();
  });
});
