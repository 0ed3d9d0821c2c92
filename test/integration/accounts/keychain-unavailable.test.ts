// With no usable keychain (a D-Bus session where nothing provides Secret Service), Airlock
// refuses to connect any account and says why; it never falls back to a file, and the Accounts
// view says the password store is missing.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../../electron/platforms/tiktok/simulator.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';

let keyring: KeyringSession;
let sim: TikTokSimulator;
let core: AirlockCore;
let dataDir: string;

beforeAll(async () => {
  keyring = await startKeyringSession({ secretService: 'none' });
  sim = await startTikTokSimulator();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-no-keychain-'));
  core = await openTestCore({
    policy: testPolicy({ platforms: ['tiktok', 'mastodon', 'bluesky'] }),
    allowLoopbackEgress: true,
    secretStore: new KeychainSecretStore({ service: 'Airlock-test-no-keychain' }),
    platformEndpoints: { tiktok: { authOrigin: sim.origin, apiOrigin: sim.origin } },
    publisherIntervalMs: null,
    dataDir,
  });
  await signInFirstAdmin(core);
});

afterAll(async () => {
  await core?.close();
  await sim?.stop();
  await keyring?.stop();
});

describe('without a keychain', () => {
  it('refuses to start a connect and says why', async () => {
    const result = await core.call('accounts.beginConnect', { platform: 'tiktok' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('accounts.keychain-unavailable');
    expect(result.error.message).toContain('no secure password store');
    expect(result.error.detail).toContain('secret-service');
    // Nothing was asked of TikTok.
    expect(sim.requests()).toEqual([]);
  });

  it('refuses an app-password connect before sending the password anywhere', async () => {
    const result = await core.call('accounts.connectAppPassword', { platform: 'bluesky', identifier: 'someone.example', appPassword: 'abcd-efgh-ijkl-mnop', service: 'http://127.0.0.1:9' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('accounts.keychain-unavailable');
  });

  it('says so on the Accounts view', async () => {
    const result = await core.call('accounts.list', {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const value = result.value as { keychain: { available: boolean; message: string | null }; accounts: unknown[] };
    expect(value.keychain.available).toBe(false);
    expect(value.keychain.message).toBeTruthy();
    expect(value.accounts).toEqual([]);
  });

  it('wrote no secret to a file instead', async () => {
    const files = (await readdir(dataDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect((await readFile(path.join(f.parentPath, f.name))).includes(Buffer.from('abcd-efgh-ijkl-mnop'))).toBe(false);
  });
});
