// KeychainSecretStore against a real Secret Service (gnome-keyring on a private D-Bus session):
// what goes in comes back, lands in Secret Service where libsecret's own tool can see it, and is
// never readable in the keyring's files.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { startKeyringSession } from '../../support/keyring-session.ts';
import type { KeyringSession } from '../../support/keyring-session.ts';
import { filesContaining } from './plaintext-scan.ts';

const execFileAsync = promisify(execFile);
const SERVICE = 'Airlock-test-store';

let session: KeyringSession;
let store: KeychainSecretStore;

// secret-tool prints item paths on stdout and their attributes on stderr; searches want both.
async function secretTool(...args: string[]): Promise<string> {
  const { stdout, stderr } = await execFileAsync('secret-tool', args, { env: session.env });
  return args[0] === 'search' ? `${stdout}${stderr}` : stdout;
}

beforeAll(async () => {
  session = await startKeyringSession();
  store = new KeychainSecretStore({ service: SERVICE });
});

afterAll(async () => {
  await session?.stop();
});

describe('KeychainSecretStore on a real Secret Service', () => {
  it('probes Secret Service as available and leaves no canary behind', async () => {
    const status = await store.probe();
    expect(status).toEqual({ available: true, backend: 'secret-service' });
    expect(await secretTool('search', '--all', 'service', SERVICE)).toBe('');
  });

  it('round-trips a value, then deletes it and reports the second delete as nothing to do', async () => {
    await store.set('account:tiktok:act-1:refresh-token', 'rft.round-trip-0001');
    expect(await store.get('account:tiktok:act-1:refresh-token')).toBe('rft.round-trip-0001');
    expect(await store.delete('account:tiktok:act-1:refresh-token')).toBe(true);
    expect(await store.get('account:tiktok:act-1:refresh-token')).toBeNull();
    expect(await store.delete('account:tiktok:act-1:refresh-token')).toBe(false);
  });

  it('returns null for a key that was never stored', async () => {
    expect(await store.get('account:bluesky:never-stored:credentials')).toBeNull();
  });

  it('keeps unicode values intact, including astral characters and combining marks', async () => {
    const value = 'pässwörd-Ωμέγα-密码-🔐🗝️-e\u0301-\u200d-end';
    await store.set('app:mastodon:client-credentials', value);
    expect(await store.get('app:mastodon:client-credentials')).toBe(value);
    await store.delete('app:mastodon:client-credentials');
  });

  it('overwrites a value in place rather than adding a second entry', async () => {
    await store.set('account:x:42:credentials', 'first-value');
    await store.set('account:x:42:credentials', 'second-value');
    expect(await store.get('account:x:42:credentials')).toBe('second-value');
    const found = await secretTool('search', '--all', 'service', SERVICE, 'username', 'account:x:42:credentials');
    expect(found.match(/^\[/gm)).toHaveLength(1);
    await store.delete('account:x:42:credentials');
  });

  it('keeps stores with different service names apart', async () => {
    const other = new KeychainSecretStore({ service: 'Airlock-test-other-kiosk' });
    await store.set('kiosk:signing-key', 'this-kiosk-key');
    expect(await other.get('kiosk:signing-key')).toBeNull();
    await other.set('kiosk:signing-key', 'other-kiosk-key');
    expect(await store.get('kiosk:signing-key')).toBe('this-kiosk-key');
    expect(await other.delete('kiosk:signing-key')).toBe(true);
    expect(await store.get('kiosk:signing-key')).toBe('this-kiosk-key');
    await store.delete('kiosk:signing-key');
  });

  it('files the value in Secret Service, where secret-tool finds it by service and user name', async () => {
    await store.set('account:youtube:chan-9:credentials', 'ya29.visible-to-libsecret');
    const looked = await secretTool('lookup', 'service', SERVICE, 'username', 'account:youtube:chan-9:credentials');
    expect(looked).toBe('ya29.visible-to-libsecret');
    await store.delete('account:youtube:chan-9:credentials');
    await expect(secretTool('lookup', 'service', SERVICE, 'username', 'account:youtube:chan-9:credentials')).rejects.toThrow();
  });

  it('writes the keyring file encrypted: the value is on disk but not readable in any file under HOME', async () => {
    const keyringFile = `${session.keyringDir}/login.keyring`;
    const before = (await stat(keyringFile)).size;
    // Long and random enough that a match in the file could not be chance.
    const value = `tok-${'0123456789abcdef'.repeat(256)}-end`;
    await store.set('account:linkedin:urn-li-1:credentials', value);
    await expect.poll(async () => (await stat(keyringFile)).size, { timeout: 5_000 }).toBeGreaterThan(before + value.length);
    expect(await filesContaining(session.home, value)).toEqual([]);
    expect(await filesContaining(session.home, '0123456789abcdef0123456789abcdef')).toEqual([]);
    await store.delete('account:linkedin:urn-li-1:credentials');
  });

  it('refuses malformed keys and values before touching the store', async () => {
    await expect(store.set('no-namespace', 'v')).rejects.toMatchObject({ code: 'vault.invalid-key' });
    await expect(store.set('account:tiktok:a\nb:credentials', 'v')).rejects.toMatchObject({ code: 'vault.invalid-key' });
    await expect(store.get('account:tiktok:part#1')).rejects.toMatchObject({ code: 'vault.invalid-key' });
    await expect(store.set('account:tiktok:a:credentials', '')).rejects.toMatchObject({ code: 'vault.invalid-value' });
    await expect(store.set('account:tiktok:a:credentials', 'x'.repeat(64 * 1024 + 1))).rejects.toMatchObject({ code: 'vault.value-too-large' });
    expect(await secretTool('search', '--all', 'service', SERVICE)).toBe('');
  });
});

describe('values longer than one entry holds (as on Windows Credential Manager)', () => {
  const SPREAD = 'Airlock-test-spread';

  it('spreads a long value over several entries, reads it back whole and cleans up old parts', async () => {
    const spread = new KeychainSecretStore({ service: SPREAD, maxEntryUnits: 100 });
    // Emoji straddle the 100-unit boundaries, so a naive split would cut surrogate pairs.
    const long = `${'🔑'.repeat(49)}a${'x'.repeat(180)}${'🔑'.repeat(60)}`;
    await spread.set('account:bluesky:did%3Aplc%3Aabc:credentials', long);
    expect(await spread.get('account:bluesky:did%3Aplc%3Aabc:credentials')).toBe(long);
    const entries = (await secretTool('search', '--all', 'service', SPREAD)).match(/^attribute\.username = .*$/gm) ?? [];
    expect(entries.length).toBeGreaterThanOrEqual(5);

    await spread.set('account:bluesky:did%3Aplc%3Aabc:credentials', 'short now');
    expect(await spread.get('account:bluesky:did%3Aplc%3Aabc:credentials')).toBe('short now');
    expect(await secretTool('search', '--all', 'service', SPREAD)).toMatch(/^attribute\.username = account:bluesky:did%3Aplc%3Aabc:credentials$/m);
    expect((await secretTool('search', '--all', 'service', SPREAD)).match(/^\[/gm)).toHaveLength(1);

    await spread.set('account:bluesky:did%3Aplc%3Aabc:credentials', long);
    expect(await spread.delete('account:bluesky:did%3Aplc%3Aabc:credentials')).toBe(true);
    expect(await secretTool('search', '--all', 'service', SPREAD)).toBe('');
  });

  it('reports a damaged spread value instead of returning part of it', async () => {
    const spread = new KeychainSecretStore({ service: SPREAD, maxEntryUnits: 100 });
    await spread.set('app:tiktok:client-credentials', 'y'.repeat(350));
    const out = await secretTool('search', '--all', 'service', SPREAD);
    const part = /^attribute\.username = (app:tiktok:client-credentials#[0-9a-f]{16}\.2)$/m.exec(out)?.[1];
    expect(part).toBeDefined();
    await secretTool('clear', 'service', SPREAD, 'username', part as string);
    await expect(spread.get('app:tiktok:client-credentials')).rejects.toMatchObject({ code: 'vault.store-failed' });
    expect(await spread.delete('app:tiktok:client-credentials')).toBe(true);
    expect(await secretTool('search', '--all', 'service', SPREAD)).toBe('');
  });
});
