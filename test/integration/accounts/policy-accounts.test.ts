// The policy's `accounts`: only the listed TikTok account may be connected. Signing in with
// another account stores nothing (no keychain entry, no row) and says which accounts are allowed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountHealth } from '../../../common/contract.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../../electron/platforms/tiktok/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { consent } from '../../support/consent.ts';

let keyring: KeyringSession;
let tiktok: TikTokSimulator;
let core: AirlockCore;

async function call<T>(method: string, args: unknown = {}): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }> {
  return (await core.call(method, args)) as never;
}

beforeAll(async () => {
  keyring = await startKeyringSession();
  tiktok = await startTikTokSimulator({ accounts: [{ openId: 'open-fans', username: 'harbourfans', nickname: 'Harbour City (@harbourcity)' }] });
  core = await openTestCore({
    policy: testPolicy({ platforms: ['tiktok'], accounts: { tiktok: ['@harbourcity'] } }),
    allowLoopbackEgress: true,
    secretStore: new KeychainSecretStore({ service: 'Airlock-test-policy-accounts' }),
    platformEndpoints: { tiktok: { authOrigin: tiktok.origin, apiOrigin: tiktok.origin } },
    publisherIntervalMs: null,
  });
  await signInFirstAdmin(core);
  await core.vault.saveAppCredentials('tiktok', { clientId: tiktok.clientKey, clientSecret: tiktok.clientSecret });
});

afterAll(async () => {
  await core?.close();
  await tiktok?.stop();
  await keyring?.stop();
});

describe('policy accounts', () => {
  it('refuses an account that is not on the list, even one whose nickname imitates it, and stores nothing', async () => {
    const started = await call<{ flowId: string; authorizeUrl: string }>('accounts.beginConnect', { platform: 'tiktok' });
    if (!started.ok) throw new Error(started.error.message);
    await consent(started.value.authorizeUrl);
    const finished = await call<AccountHealth>('accounts.finishConnect', { flowId: started.value.flowId });
    expect(finished).toMatchObject({ ok: false, error: { code: 'accounts.not-allowed', message: expect.stringContaining('@harbourcity') } });
    expect(await core.vault.loadAccountCredentials('tiktok', 'open-fans')).toBeNull();
    const listed = await call<{ accounts: AccountHealth[] }>('accounts.list');
    expect(listed).toMatchObject({ ok: true, value: { accounts: [] } });
  });

  it('connects the account the list names', async () => {
    const allowed = await openTestCore({
      policy: testPolicy({ platforms: ['tiktok'], accounts: { tiktok: ['@HarbourFans'] } }),
      allowLoopbackEgress: true,
      secretStore: new KeychainSecretStore({ service: 'Airlock-test-policy-accounts-2' }),
      platformEndpoints: { tiktok: { authOrigin: tiktok.origin, apiOrigin: tiktok.origin } },
      publisherIntervalMs: null,
    });
    await signInFirstAdmin(allowed);
    await allowed.vault.saveAppCredentials('tiktok', { clientId: tiktok.clientKey, clientSecret: tiktok.clientSecret });
    const started = (await allowed.call('accounts.beginConnect', { platform: 'tiktok' })) as { ok: true; value: { flowId: string; authorizeUrl: string } };
    await consent(started.value.authorizeUrl);
    expect(await allowed.call('accounts.finishConnect', { flowId: started.value.flowId })).toMatchObject({ ok: true, value: { accountId: 'open-fans', status: 'healthy' } });
  });
});
