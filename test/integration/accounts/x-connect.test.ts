// Connecting X accounts through the real core, with the tokens in a real Secret Service, for both
// kinds of X app (platform-apis.md §2.1): a native app (a public client, no secret: client_id in
// the body of every token and revoke request) and a confidential client (HTTP Basic). Connect,
// renewal and disconnect for each; an app of the wrong kind is refused by X and nothing is kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountHealth } from '../../../common/contract.ts';
import { X_PATHS } from '../../../electron/platforms/x/protocol.ts';
import { startXSimulator, type XSimulator } from '../../../electron/platforms/x/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, TEST_ADMIN, testPolicy } from '../../support/core.ts';
import { consent } from '../../support/consent.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { callOk, callRefused, keychainKeys } from '../../support/core-calls.ts';

const SERVICE = 'Airlock-test-x-connect';
const ACCOUNT = { id: '1600000000000000007', username: 'harbourcity', name: 'Harbour City' };
const SECRET = 'x-confidential-secret-7c2e91';
const TIMEOUT_MS = 10 * 60_000;

let keyring: KeyringSession;
let nowMs = Date.parse('2026-11-22T09:00:00Z');
const clock = { now: () => new Date(nowMs) };

type Started = { flowId: string; authorizeUrl: string };

const keychain = () => keychainKeys(keyring, SERVICE);

/** A core whose X endpoints are one simulator; each kind of X app gets its own. */
async function xCore(x: XSimulator): Promise<AirlockCore> {
  const core = await openTestCore({
    policy: testPolicy({ platforms: ['x'] }),
    clock,
    allowLoopbackEgress: true,
    secretStore: new KeychainSecretStore({ service: SERVICE }),
    platformEndpoints: { x: { authOrigin: x.origin, apiOrigin: x.origin } },
    publisherIntervalMs: null,
    connectTimeoutMs: TIMEOUT_MS,
  });
  await signInFirstAdmin(core);
  return core;
}

const ok = callOk;

const refused = callRefused;

/** Moves the clock; the idle lock then asks for the PIN again, as it would at the kiosk. */
async function advance(core: AirlockCore, ms: number): Promise<void> {
  nowMs += ms;
  const status = await ok<{ choices: { id: string; name: string }[] }>(core, 'staff.status');
  await core.call('staff.signIn', { staffId: status.choices.find((c) => c.name === TEST_ADMIN.name)!.id, secret: TEST_ADMIN.pin });
}

async function connect(core: AirlockCore): Promise<AccountHealth> {
  const started = await ok<Started>(core, 'accounts.beginConnect', { platform: 'x' });
  await consent(started.authorizeUrl);
  return ok<AccountHealth>(core, 'accounts.finishConnect', { flowId: started.flowId });
}

/** A connect that X refuses at its token endpoint: nothing is stored, no account appears. */
async function refusedConnect(core: AirlockCore): Promise<{ code: string; detail?: string }> {
  const started = await ok<Started>(core, 'accounts.beginConnect', { platform: 'x' });
  await consent(started.authorizeUrl);
  const error = await refused(core, 'accounts.finishConnect', { flowId: started.flowId });
  expect((await ok<{ accounts: AccountHealth[] }>(core, 'accounts.list')).accounts).toEqual([]);
  expect((await keychain()).filter((k) => k.startsWith('account:x:'))).toEqual([]);
  return error;
}

/** Renewal near the access token's end: the rotated refresh token is kept and the old one is dead at X. */
async function renews(core: AirlockCore, x: XSimulator, oldRefreshWorks: (refreshToken: string) => Promise<Response>): Promise<void> {
  const before = await core.vault.loadAccountCredentials('x', ACCOUNT.id);
  expect(before?.refreshToken).toBeTruthy();
  await advance(core, before!.expiresAt! - 10 * 60_000 - nowMs);
  expect(await core.accounts.renewExpiring()).toEqual({ renewed: [`x:${ACCOUNT.id}`], failed: [] });
  const after = await core.vault.loadAccountCredentials('x', ACCOUNT.id);
  expect(after!.refreshToken).not.toBe(before!.refreshToken);
  expect(after!.expiresAt! - nowMs).toBe(2 * 3_600_000);
  const me = await fetch(`${x.origin}${X_PATHS.me}`, { headers: { authorization: `Bearer ${after!.accessToken}` } });
  expect(me.status).toBe(200);
  expect((await oldRefreshWorks(before!.refreshToken!)).status).toBe(400);
}

async function disconnects(core: AirlockCore, x: XSimulator): Promise<void> {
  const creds = await core.vault.loadAccountCredentials('x', ACCOUNT.id);
  const result = await ok<{ revoked: boolean }>(core, 'accounts.disconnect', { platform: 'x', accountId: ACCOUNT.id });
  expect(result.revoked).toBe(true);
  const me = await fetch(`${x.origin}${X_PATHS.me}`, { headers: { authorization: `Bearer ${creds!.accessToken}` } });
  expect(me.status).toBe(401);
  expect(await keychain()).not.toContain(`account:x:${ACCOUNT.id}:credentials`);
}

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});

beforeAll(async () => {
  keyring = await startKeyringSession();
});

afterAll(async () => {
  await keyring?.stop();
});

describe('an X native app (public client, no secret)', () => {
  let x: XSimulator;
  let core: AirlockCore;

  beforeAll(async () => {
    x = await startXSimulator({ clock, clientSecret: null, accounts: [ACCOUNT] });
    core = await xCore(x);
  });

  afterAll(async () => {
    await core?.close();
    await x?.stop();
  });

  it('is refused by X when IT stored a secret for it, and nothing is kept', async () => {
    await core.vault.saveAppCredentials('x', { clientId: x.clientId, clientSecret: SECRET });
    const error = await refusedConnect(core);
    expect(error.code).toBe('accounts.platform-refused');
    expect(error.detail).toContain('error=unauthorized_client');
  });

  it('connects with the client id alone, renews the sign-in and disconnects with a revoke', async () => {
    await core.vault.saveAppCredentials('x', { clientId: x.clientId, clientSecret: '' });
    expect(await core.vault.loadAppCredentials('x')).toEqual({ clientId: x.clientId, clientSecret: '' });
    const account = await connect(core);
    expect(account).toMatchObject({ platform: 'x', accountId: ACCOUNT.id, displayName: 'Harbour City (@harbourcity)', status: 'healthy' });
    await renews(core, x, (refreshToken) => fetch(`${x.origin}${X_PATHS.token}`, form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: x.clientId })));
    await disconnects(core, x);
    expect((await ok<{ accounts: AccountHealth[] }>(core, 'accounts.list')).accounts).toEqual([]);
  });
});

describe('an X confidential client (client id and secret)', () => {
  let x: XSimulator;
  let core: AirlockCore;
  let basic: Record<string, string> = {};

  beforeAll(async () => {
    x = await startXSimulator({ clock, clientSecret: SECRET, accounts: [ACCOUNT] });
    core = await xCore(x);
    basic = { authorization: `Basic ${Buffer.from(`${x.clientId}:${SECRET}`).toString('base64')}` };
  });

  afterAll(async () => {
    await core?.close();
    await x?.stop();
  });

  it('is refused by X when IT stored it as a public client, and nothing is kept', async () => {
    await core.vault.saveAppCredentials('x', { clientId: x.clientId, clientSecret: '' });
    const error = await refusedConnect(core);
    expect(error.code).toBe('accounts.platform-refused');
    expect(error.detail).toContain('Missing valid authorization header');
  });

  it('is refused by X with the wrong secret, and nothing is kept', async () => {
    await core.vault.saveAppCredentials('x', { clientId: x.clientId, clientSecret: 'not-the-secret' });
    const error = await refusedConnect(core);
    expect(error.detail).toContain('error=invalid_client');
  });

  it('still connects with HTTP Basic, renews the sign-in and disconnects with a revoke', async () => {
    await core.vault.saveAppCredentials('x', { clientId: x.clientId, clientSecret: SECRET });
    const account = await connect(core);
    expect(account).toMatchObject({ platform: 'x', accountId: ACCOUNT.id, status: 'healthy' });
    await renews(core, x, (refreshToken) => fetch(`${x.origin}${X_PATHS.token}`, form({ grant_type: 'refresh_token', refresh_token: refreshToken }, basic)));
    await disconnects(core, x);
  });
});
