// `airlock credentials` as IT runs it, in a child process against a real Secret Service: the
// client secret comes only from standard input, is never printed, and `list` shows which
// platforms are provisioned without showing any secret. The core then reads what IT stored. An X
// native app is stored as a public client (no secret) only when IT says so; other platforms'
// apps always need their secret.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { Vault } from '../../../electron/services/vault/vault.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/airlock.mjs');
const SECRET = 'tt-secret-4f9c2d71a8b3e6f0';
let keyring: KeyringSession;

function airlock(args: string[], stdin: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: keyring.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  keyring = await startKeyringSession();
});

afterAll(async () => {
  await keyring?.stop();
});

describe('airlock credentials', () => {
  it('lists every platform as not set on a fresh kiosk', async () => {
    const r = await airlock(['credentials', 'list'], '');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/TikTok\s+not set/);
    expect(r.out).toMatch(/Mastodon\s+not set/);
  });

  it('stores the app credentials with the secret read from standard input, never echoing it', async () => {
    const r = await airlock(['credentials', 'set-app', 'tiktok', '--client-id', 'aw1234client'], `${SECRET}\n`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('TikTok app credentials saved in the keychain');
    expect(`${r.out}${r.err}`).not.toContain(SECRET);
    // Airlock itself (default keychain service) now finds them.
    expect(await new Vault(new KeychainSecretStore()).loadAppCredentials('tiktok')).toEqual({ clientId: 'aw1234client', clientSecret: SECRET });
  });

  it('lists which platforms have app credentials without showing the secret', async () => {
    const r = await airlock(['credentials', 'list'], '');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/TikTok\s+set \(client id aw1234client; secret stored, not shown\)/);
    expect(r.out).toMatch(/Bluesky\s+not set/);
    expect(r.out).not.toContain(SECRET);
  });

  it('has no way to pass the secret on the command line', async () => {
    const r = await airlock(['credentials', 'set-app', 'tiktok', '--client-id', 'x', '--client-secret', 'oops-secret'], '');
    expect(r.code).toBe(2);
    expect(r.err).toContain("Unknown option '--client-secret'");
    expect(r.err).not.toContain('oops-secret');
    expect((await new Vault(new KeychainSecretStore()).loadAppCredentials('tiktok'))?.clientSecret).toBe(SECRET);
  });

  it('refuses an empty secret and an unknown platform, changing nothing', async () => {
    const empty = await airlock(['credentials', 'set-app', 'mastodon', '--client-id', 'abc'], '\n');
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('No client secret was given');
    const unknown = await airlock(['credentials', 'set-app', 'myspace', '--client-id', 'abc'], 'secret\n');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('is not a platform Airlock knows');
    const r = await airlock(['credentials', 'list'], '');
    expect(r.out).toMatch(/Mastodon\s+not set/);
  });

  it('stores an X native app as a public client with --public-client: a client id and no secret', async () => {
    // Standard input is not read: a secret piped in by habit is not stored.
    const r = await airlock(['credentials', 'set-app', 'x', '--client-id', 'bkxQcHVibGljLWNsaWVudDox', '--public-client'], 'stray-secret\n');
    expect(r.code).toBe(0);
    expect(r.out).toContain('X app saved in the keychain as a public client');
    expect(await new Vault(new KeychainSecretStore()).loadAppCredentials('x')).toEqual({ clientId: 'bkxQcHVibGljLWNsaWVudDox', clientSecret: '' });
    const list = await airlock(['credentials', 'list'], '');
    expect(list.out).toMatch(/X\s+set \(client id bkxQcHVibGljLWNsaWVudDox; public client, no secret\)/);
    expect(list.out).toMatch(/TikTok\s+set \(client id aw1234client; secret stored, not shown\)/);
    // The same app set up again with a secret becomes a confidential client.
    const confidential = await airlock(['credentials', 'set-app', 'x', '--client-id', 'bkxQcHVibGljLWNsaWVudDox'], 'x-secret-91b2\n');
    expect(confidential.code).toBe(0);
    expect(await new Vault(new KeychainSecretStore()).loadAppCredentials('x')).toEqual({ clientId: 'bkxQcHVibGljLWNsaWVudDox', clientSecret: 'x-secret-91b2' });
  });

  it('refuses --public-client for a platform whose apps need a secret, and a missing X secret without it, changing nothing', async () => {
    for (const platform of ['tiktok', 'youtube', 'facebook', 'linkedin']) {
      const r = await airlock(['credentials', 'set-app', platform, '--client-id', 'abc', '--public-client'], '');
      expect(r.code).toBe(1);
      expect(r.err).toContain('apps always have a client secret');
      expect(r.err).toContain('Nothing was saved');
    }
    expect(await new Vault(new KeychainSecretStore()).loadAppCredentials('tiktok')).toEqual({ clientId: 'aw1234client', clientSecret: SECRET });
    expect(await new Vault(new KeychainSecretStore()).loadAppCredentials('youtube')).toBeNull();
    const empty = await airlock(['credentials', 'set-app', 'x', '--client-id', 'other-id'], '');
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('No client secret was given');
    expect(empty.err).toContain('--public-client');
    expect((await new Vault(new KeychainSecretStore()).loadAppCredentials('x'))?.clientId).toBe('bkxQcHVibGljLWNsaWVudDox');
    const tiktok = await airlock(['credentials', 'set-app', 'tiktok', '--client-id', 'abc'], '');
    expect(tiktok.err).not.toContain('--public-client');
    expect(await airlock(['credentials', 'remove-app', 'x'], '')).toMatchObject({ code: 0 });
  });

  it('removes app credentials', async () => {
    const r = await airlock(['credentials', 'remove-app', 'tiktok'], '');
    expect(r.code).toBe(0);
    expect(r.out).toContain('removed');
    expect(await new Vault(new KeychainSecretStore()).loadAppCredentials('tiktok')).toBeNull();
  });
});
