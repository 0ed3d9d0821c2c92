// Connecting Bluesky with a handle and an app password through the real core, against the real
// reference PDS on loopback, with the session in a real Secret Service; disconnect ends the
// session at the PDS (deleteSession) before removing the keychain entry and the row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountHealth } from '../../../common/contract.ts';
import { readBlueskyCredentials } from '../../../electron/platforms/bluesky/bluesky-session.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { startBlueskyServer, type BlueskyAccount, type BlueskyServer } from '../../support/bluesky-pds.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { keychainKeys } from '../../support/core-calls.ts';

const SERVICE = 'Airlock-test-bluesky-accounts';

let keyring: KeyringSession;
let server: BlueskyServer;
let alice: BlueskyAccount;
let core: AirlockCore;

const keychain = () => keychainKeys(keyring, SERVICE);

beforeAll(async () => {
  keyring = await startKeyringSession();
  server = await startBlueskyServer();
  alice = await server.createAccount('alice', undefined, { appPassword: 'airlock-kiosk' });
  core = await openTestCore({
    policy: testPolicy({ platforms: ['bluesky'] }),
    allowLoopbackEgress: true,
    secretStore: new KeychainSecretStore({ service: SERVICE }),
    publisherIntervalMs: null,
  });
  await signInFirstAdmin(core);
}, 120_000);

afterAll(async () => {
  await core?.close();
  await server?.stop();
  await keyring?.stop();
});

describe('connecting Bluesky with an app password', () => {
  it('refuses the account\'s main password and stores nothing', async () => {
    const result = await core.call('accounts.connectAppPassword', { platform: 'bluesky', identifier: alice.handle, appPassword: alice.password, service: server.pdsUrl });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('main password');
    expect(await keychain()).toEqual([]);
  });

  it('refuses a wrong app password in plain words and stores nothing', async () => {
    const result = await core.call('accounts.connectAppPassword', { platform: 'bluesky', identifier: alice.handle, appPassword: 'aaaa-bbbb-cccc-dddd', service: server.pdsUrl });
    expect(result.ok).toBe(false);
    expect(await keychain()).toEqual([]);
    const listed = await core.call('accounts.list', {});
    expect(listed.ok && (listed.value as { accounts: unknown[] }).accounts).toEqual([]);
  });

  it('connects with the handle and app password at the PDS and shows the account healthy', async () => {
    const result = await core.call('accounts.connectAppPassword', { platform: 'bluesky', identifier: ` ${alice.handle} `, appPassword: alice.appPassword!, service: server.pdsUrl });
    if (!result.ok) throw new Error(result.error.detail ?? result.error.message);
    const account = result.value as AccountHealth;
    expect(account).toMatchObject({ platform: 'bluesky', accountId: alice.did, displayName: `@${alice.handle}`, apiBase: server.pdsUrl, status: 'healthy', refreshExpiresAt: null });
    expect(await keychain()).toContain(`account:bluesky:${encodeURIComponent(alice.did)}:credentials`);
    const stored = await core.vault.loadAccountCredentials('bluesky', alice.did);
    expect(stored?.refreshToken).toBe(alice.appPassword);
    const api = JSON.stringify(await core.call('accounts.list', {}));
    expect(api).not.toContain(alice.appPassword!);
    expect(api).not.toContain(readBlueskyCredentials(stored!).accessJwt!);
    expect(JSON.stringify(await core.call('audit.list', { limit: 500 }))).not.toContain(alice.appPassword!);
  });

  it('disconnects: ends the session at the PDS, then removes the keychain entry and the row', async () => {
    const stored = await core.vault.loadAccountCredentials('bluesky', alice.did);
    const { refreshJwt } = readBlueskyCredentials(stored!);
    const result = await core.call('accounts.disconnect', { platform: 'bluesky', accountId: alice.did });
    expect(result).toEqual({ ok: true, value: { removed: true, revoked: true, problem: null } });
    // The refresh JWT no longer opens anything at the PDS.
    const refresh = await fetch(`${server.pdsUrl}/xrpc/com.atproto.server.refreshSession`, { method: 'POST', headers: { authorization: `Bearer ${refreshJwt}` } });
    expect(refresh.status).toBeGreaterThanOrEqual(400);
    expect(await keychain()).toEqual([]);
    const listed = await core.call('accounts.list', {});
    expect(listed.ok && (listed.value as { accounts: unknown[] }).accounts).toEqual([]);
  });
});
