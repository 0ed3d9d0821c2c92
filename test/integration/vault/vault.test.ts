// The Vault on a real Secret Service: account tokens, app credentials and the kiosk signing key
// survive a new Vault instance, disconnect and reset leave nothing behind, and the secrets the
// vault hands out are kept out of the log.
import { execFile } from 'node:child_process';
import { sign, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedactingLogger } from '../../../electron/services/vault/redact.ts';
import type { Logger } from '../../../electron/services/vault/redact.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { Vault } from '../../../electron/services/vault/vault.ts';
import { startKeyringSession } from '../../support/keyring-session.ts';
import type { KeyringSession } from '../../support/keyring-session.ts';
import { filesContaining } from './plaintext-scan.ts';

const execFileAsync = promisify(execFile);
const SERVICE = 'Airlock-test-vault';

let session: KeyringSession;

// Items as secret-tool sees them: one user name per stored entry (attributes go to stderr).
async function storedKeys(service = SERVICE): Promise<string[]> {
  const { stdout, stderr } = await execFileAsync('secret-tool', ['search', '--all', 'service', service], { env: session.env });
  return [...`${stdout}${stderr}`.matchAll(/^attribute\.username = (.*)$/gm)].map((m) => m[1] as string).sort();
}

async function lookup(key: string): Promise<string> {
  const { stdout } = await execFileAsync('secret-tool', ['lookup', 'service', SERVICE, 'username', key], { env: session.env });
  return stdout;
}

function newVault(options: ConstructorParameters<typeof Vault>[1] = {}): Vault {
  return new Vault(new KeychainSecretStore({ service: SERVICE }), options);
}

beforeAll(async () => {
  session = await startKeyringSession();
});

afterAll(async () => {
  await session?.stop();
});

describe('Vault on a real Secret Service', () => {
  it('saves account credentials as one JSON entry and loads them back in a new Vault', async () => {
    const creds = { accessToken: 'act.tiktok-access-0001', refreshToken: 'rft.tiktok-refresh-0001', expiresAt: 1_900_000_000_000, refreshExpiresAt: 1_930_000_000_000, scopes: ['user.info.basic', 'video.publish'] };
    await newVault().saveAccountCredentials('tiktok', 'open-id-1', creds);
    expect(await newVault().loadAccountCredentials('tiktok', 'open-id-1')).toEqual(creds);
    expect(JSON.parse(await lookup('account:tiktok:open-id-1:credentials'))).toEqual(creds);
    expect(await storedKeys()).toEqual(['account:tiktok:open-id-1:credentials', 'vault:index']);
    // A refresh rotates the token; the newest replaces the old one under the same key.
    await newVault().saveAccountCredentials('tiktok', 'open-id-1', { ...creds, refreshToken: 'rft.tiktok-refresh-0002' });
    expect((await newVault().loadAccountCredentials('tiktok', 'open-id-1'))?.refreshToken).toBe('rft.tiktok-refresh-0002');
    expect(await newVault().deleteAccount('tiktok', 'open-id-1')).toBe(1);
    expect(await storedKeys()).toEqual([]);
  });

  it('returns null for an account that was never connected', async () => {
    expect(await newVault().loadAccountCredentials('mastodon', 'nobody@example.social')).toBeNull();
  });

  it('keeps account ids with colons apart, so deleting one account never touches a look-alike', async () => {
    const vault = newVault();
    await vault.saveAccountCredentials('bluesky', 'did:plc:abc', { accessToken: 'jwt-access-abc' });
    await vault.saveAccountCredentials('bluesky', 'did:plc:abc:extra', { accessToken: 'jwt-access-abc-extra' });
    await vault.saveAccountCredentials('bluesky', 'did', { accessToken: 'jwt-access-did' });
    expect(await vault.listAccounts()).toEqual([
      { platform: 'bluesky', accountId: 'did' },
      { platform: 'bluesky', accountId: 'did:plc:abc' },
      { platform: 'bluesky', accountId: 'did:plc:abc:extra' },
    ]);
    expect(await vault.deleteAccount('bluesky', 'did:plc:abc')).toBe(1);
    expect(await vault.loadAccountCredentials('bluesky', 'did:plc:abc')).toBeNull();
    expect((await vault.loadAccountCredentials('bluesky', 'did:plc:abc:extra'))?.accessToken).toBe('jwt-access-abc-extra');
    expect((await vault.loadAccountCredentials('bluesky', 'did'))?.accessToken).toBe('jwt-access-did');
    await vault.deleteAll();
  });

  it('creates the kiosk signing key once and returns the same Ed25519 key from a second Vault', async () => {
    const first = await newVault().kioskSigningKey();
    const second = await newVault().kioskSigningKey();
    expect(first.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(second.publicKeyPem).toBe(first.publicKeyPem);
    const receipt = Buffer.from('stick receipt: 3 files imported');
    const signature = sign(null, receipt, second.privateKey);
    expect(verify(null, receipt, first.publicKey, signature)).toBe(true);

    // The private half is in Secret Service and nowhere on disk in readable form.
    const pem = await lookup('kiosk:signing-key');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const body = pem.split('\n').slice(1, -2).join('');
    expect(await filesContaining(session.home, pem)).toEqual([]);
    expect(await filesContaining(session.home, body)).toEqual([]);
    await newVault().deleteAll();
  });

  it('hands out one key to callers that ask at the same time on first use', async () => {
    const vault = newVault();
    const keys = await Promise.all([vault.kioskSigningKey(), vault.kioskSigningKey(), vault.kioskSigningKey()]);
    expect(new Set(keys.map((k) => k.publicKeyPem)).size).toBe(1);
    expect((await newVault().kioskSigningKey()).publicKeyPem).toBe(keys[0]?.publicKeyPem);
    await vault.deleteAll();
  });

  it('deleteAccount removes every entry of that account and its index line, and nothing else', async () => {
    const vault = newVault();
    await vault.saveAccountCredentials('youtube', 'UC123', { accessToken: 'ya29.access', refreshToken: '1//refresh' });
    await vault.saveAccountCredentials('x', 'user-7', { accessToken: 'x-access-token' });
    await vault.saveAppCredentials('tiktok', { clientId: 'aw-client-key', clientSecret: 'tiktok-client-secret' });
    await vault.kioskSigningKey();
    expect(await storedKeys()).toEqual([
      'account:x:user-7:credentials',
      'account:youtube:UC123:credentials',
      'app:tiktok:client-credentials',
      'kiosk:signing-key',
      'vault:index',
    ]);
    expect(await vault.deleteAccount('youtube', 'UC123')).toBe(1);
    expect(await storedKeys()).toEqual(['account:x:user-7:credentials', 'app:tiktok:client-credentials', 'kiosk:signing-key', 'vault:index']);
    expect(JSON.parse(await lookup('vault:index')).keys).toEqual(['account:x:user-7:credentials', 'app:tiktok:client-credentials', 'kiosk:signing-key']);
    expect(await vault.loadAppCredentials('tiktok')).toEqual({ clientId: 'aw-client-key', clientSecret: 'tiktok-client-secret' });
    await vault.deleteAll();
  });

  it('deleteAll (reset) leaves no entry at all under the kiosk service, and a new key afterwards', async () => {
    const vault = newVault();
    const before = await vault.kioskSigningKey();
    await vault.saveAccountCredentials('mastodon', 'comms@social.example', { accessToken: 'masto-token' });
    await vault.saveAppCredentials('linkedin', { clientId: 'li-client', clientSecret: 'li-secret-value' });
    expect(await vault.deleteAll()).toBe(3);
    expect(await storedKeys()).toEqual([]);
    expect(await vault.listAccounts()).toEqual([]);
    expect((await vault.kioskSigningKey()).publicKeyPem).not.toBe(before.publicKeyPem);
    await vault.deleteAll();
    expect(await storedKeys()).toEqual([]);
  });

  it('refuses a damaged credentials entry with a reason, without quoting what it holds', async () => {
    const store = new KeychainSecretStore({ service: SERVICE });
    await store.set('account:x:broken:credentials', '{"accessToken": "half-written-secret-token"');
    const err = await newVault().loadAccountCredentials('x', 'broken').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'vault.credentials-unreadable' });
    expect(JSON.stringify((err as { toValue(): unknown }).toValue())).not.toContain('half-written');
    await store.delete('account:x:broken:credentials');
  });

  it('refuses a signing-key entry that is not an Ed25519 key rather than replacing it', async () => {
    const store = new KeychainSecretStore({ service: SERVICE });
    await store.set('kiosk:signing-key', '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
    await expect(newVault().kioskSigningKey()).rejects.toMatchObject({ code: 'vault.signing-key-unreadable' });
    expect(await lookup('kiosk:signing-key')).toContain('not a key');
    await store.delete('kiosk:signing-key');
  });

  it('refuses malformed credentials before writing anything', async () => {
    const vault = newVault();
    await expect(vault.saveAccountCredentials('tiktok', 'a', { accessToken: '' })).rejects.toMatchObject({ code: 'vault.invalid-credentials' });
    await expect(vault.saveAccountCredentials('tiktok', 'a', { accessToken: 'ok', expiresAt: Number.NaN })).rejects.toMatchObject({ code: 'vault.invalid-credentials' });
    await expect(vault.saveAccountCredentials('TikTok', 'a', { accessToken: 'ok' })).rejects.toMatchObject({ code: 'vault.invalid-account' });
    await expect(vault.saveAccountCredentials('tiktok', 'a\u0000b', { accessToken: 'ok' })).rejects.toMatchObject({ code: 'vault.invalid-account' });
    expect(await storedKeys()).toEqual([]);
  });

  it('tells a RedactingLogger every token it loads, so the log never shows them', async () => {
    const lines: string[] = [];
    const sink: Logger = { debug: (m) => lines.push(String(m)), info: (m) => lines.push(String(m)), warn: (m) => lines.push(String(m)), error: (m) => lines.push(String(m)) };
    await newVault().saveAccountCredentials('bluesky', 'did:plc:log', { accessToken: 'opaque-access-a1b2c3', refreshToken: 'opaque-refresh-d4e5f6' });

    const log = new RedactingLogger(sink);
    const vault = newVault({ onDidUseSecret: (s) => log.remember(s) });
    const creds = await vault.loadAccountCredentials('bluesky', 'did:plc:log');
    log.info('publishing with %s', creds?.accessToken);
    log.warn('refresh failed', { sent: { refresh: creds?.refreshToken } });
    const key = await vault.kioskSigningKey();
    log.error('key', key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(lines.join('\n')).not.toMatch(/opaque-access|opaque-refresh|BEGIN PRIVATE KEY/);
    expect(lines[0]).toBe('publishing with [redacted]');
    await vault.deleteAll();
  });
});
