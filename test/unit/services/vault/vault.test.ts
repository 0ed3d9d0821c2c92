// The Vault's own rules (key layout, the index, validation, failure handling) over an in-memory
// SecretStore; the same Vault against a real Secret Service is in test/integration/vault.
import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { assertSecretKey, assertSecretValue } from '../../../../electron/services/vault/secret-store.ts';
import type { SecretStore, SecretStoreStatus } from '../../../../electron/services/vault/secret-store.ts';
import { Vault, accountKey } from '../../../../electron/services/vault/vault.ts';

class MemorySecretStore implements SecretStore {
  readonly entries = new Map<string, string>();
  /** Keys whose next set() fails as if the store had gone away. */
  readonly failOnSet = new Set<string>();
  readonly writes: string[] = [];

  async get(key: string): Promise<string | null> {
    assertSecretKey(key);
    return this.entries.get(key) ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    assertSecretKey(key);
    assertSecretValue(value);
    if (this.failOnSet.delete(key)) throw new AirlockError('vault.unavailable', 'This kiosk has no secure password store.', 'simulated');
    this.writes.push(key);
    this.entries.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    assertSecretKey(key);
    return this.entries.delete(key);
  }

  async probe(): Promise<SecretStoreStatus> {
    return { available: true, backend: 'memory' };
  }

  index(): string[] {
    const raw = this.entries.get('vault:index');
    return raw === undefined ? [] : (JSON.parse(raw) as { keys: string[] }).keys;
  }
}

describe('account keys', () => {
  it('percent-encodes the account id so colons and @ cannot change the key structure', () => {
    expect(accountKey('bluesky', 'did:plc:abc', 'credentials')).toBe('account:bluesky:did%3Aplc%3Aabc:credentials');
    expect(accountKey('mastodon', 'comms@social.example', 'credentials')).toBe('account:mastodon:comms%40social.example:credentials');
    expect(accountKey('tiktok', '-000OQlGsXwz_a.b', 'refresh-token')).toBe('account:tiktok:-000OQlGsXwz_a.b:refresh-token');
    expect(accountKey('x', 'Ünïcode', 'credentials')).toBe('account:x:%C3%9Cn%C3%AFcode:credentials');
  });

  it('refuses unknown-looking platforms and unreadable account ids', () => {
    for (const [platform, id] of [
      ['TikTok', 'a'],
      ['tik tok', 'a'],
      ['', 'a'],
      ['tiktok', ''],
      ['tiktok', 'a\nb'],
      ['tiktok', 'a\u202eb'],
      ['tiktok', 'x'.repeat(129)],
    ] as const) {
      expect(() => accountKey(platform, id, 'credentials'), `${platform}/${id}`).toThrow(expect.objectContaining({ code: 'vault.invalid-account' }));
    }
  });
});

describe('Vault', () => {
  it('indexes a key before writing its secret, so a failed write leaves nothing reset cannot find', async () => {
    const store = new MemorySecretStore();
    const vault = new Vault(store);
    store.failOnSet.add('account:tiktok:a:credentials');
    await expect(vault.saveAccountCredentials('tiktok', 'a', { accessToken: 'act.a' })).rejects.toMatchObject({ code: 'vault.unavailable' });
    expect(store.writes).toEqual(['vault:index']);
    expect(store.index()).toEqual(['account:tiktok:a:credentials']);
    expect(await vault.deleteAll()).toBe(0);
    expect([...store.entries.keys()]).toEqual([]);
  });

  it('stores only the known credential fields, as JSON under one key per account', async () => {
    const store = new MemorySecretStore();
    const vault = new Vault(store);
    const extra = { accessToken: 'act.1', refreshToken: 'rft.1', expiresAt: 1000, scopes: ['video.publish'], password: 'should-not-be-kept' };
    await vault.saveAccountCredentials('tiktok', 'a', extra);
    expect(JSON.parse(store.entries.get('account:tiktok:a:credentials') as string)).toEqual({ accessToken: 'act.1', refreshToken: 'rft.1', expiresAt: 1000, scopes: ['video.publish'] });
  });

  it('refuses tokens with spaces or control characters, bad times and bad scopes', async () => {
    const vault = new Vault(new MemorySecretStore());
    const bad = [
      { accessToken: 'has space' },
      { accessToken: 'line\nbreak' },
      { accessToken: 'x'.repeat(16 * 1024 + 1) },
      { accessToken: 'ok', refreshToken: '' },
      { accessToken: 'ok', expiresAt: -1 },
      { accessToken: 'ok', refreshExpiresAt: 1.5 },
      { accessToken: 'ok', scopes: ['has space'] },
      { accessToken: 'ok', scopes: 'video.publish' as unknown as string[] },
    ];
    for (const creds of bad) {
      await expect(vault.saveAccountCredentials('tiktok', 'a', creds), JSON.stringify(creds).slice(0, 60)).rejects.toMatchObject({ code: 'vault.invalid-credentials' });
    }
  });

  it('tells onDidUseSecret every token it saves or loads, and nothing that is not secret', async () => {
    const told: string[] = [];
    const store = new MemorySecretStore();
    const vault = new Vault(store, { onDidUseSecret: (s) => told.push(s) });
    await vault.saveAccountCredentials('youtube', 'UC1', { accessToken: 'ya29.a', refreshToken: '1//r', scopes: ['youtube.upload'] });
    await new Vault(store, { onDidUseSecret: (s) => told.push(s) }).loadAccountCredentials('youtube', 'UC1');
    await vault.saveAppCredentials('tiktok', { clientId: 'client-key', clientSecret: 'client-secret-1' });
    expect(told).toEqual(['ya29.a', '1//r', 'ya29.a', '1//r', 'client-secret-1']);
  });

  it('deleteAccount also removes entries the index no longer lists', async () => {
    const store = new MemorySecretStore();
    const vault = new Vault(store);
    await store.set('account:x:u1:credentials', '{"accessToken":"orphan"}');
    expect(await vault.deleteAccount('x', 'u1')).toBe(1);
    expect(store.entries.size).toBe(0);
  });

  it('reports a damaged index, and reset still removes the signing key and the index', async () => {
    const store = new MemorySecretStore();
    const vault = new Vault(store);
    await vault.kioskSigningKey();
    await store.set('vault:index', 'not json');
    await expect(vault.listAccounts()).rejects.toMatchObject({ code: 'vault.index-unreadable' });
    await expect(vault.deleteAll()).rejects.toMatchObject({ code: 'vault.index-unreadable', message: expect.stringMatching(/may remain/) });
    expect(store.entries.size).toBe(0);
    expect(await vault.deleteAll()).toBe(0);
  });

  it('creates a new signing key after reset instead of handing out the cached old one', async () => {
    const store = new MemorySecretStore();
    const vault = new Vault(store);
    const before = await vault.kioskSigningKey();
    await vault.deleteAll();
    const after = await vault.kioskSigningKey();
    expect(after.publicKeyPem).not.toBe(before.publicKeyPem);
    expect(store.index()).toEqual(['kiosk:signing-key']);
  });

  it('refuses a stored signing key of another type rather than using or replacing it', async () => {
    const store = new MemorySecretStore();
    const { generateKeyPairSync } = await import('node:crypto');
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await store.set('kiosk:signing-key', ecKey);
    await expect(new Vault(store).kioskSigningKey()).rejects.toMatchObject({ code: 'vault.signing-key-unreadable' });
    expect(store.entries.get('kiosk:signing-key')).toBe(ecKey);
  });

  it('round-trips app credentials and deletes them on their own', async () => {
    const store = new MemorySecretStore();
    const vault = new Vault(store);
    await vault.saveAppCredentials('linkedin', { clientId: 'li-id', clientSecret: 'li-secret' });
    expect(await vault.loadAppCredentials('linkedin')).toEqual({ clientId: 'li-id', clientSecret: 'li-secret' });
    expect(await vault.deleteAppCredentials('linkedin')).toBe(true);
    expect(await vault.deleteAppCredentials('linkedin')).toBe(false);
    expect(store.entries.size).toBe(0);
  });
});

describe('one user of an account sign-in at a time', () => {
  it('runs holders of the same account one after another, other accounts alongside, and survives a failure', async () => {
    const vault = new Vault(new MemorySecretStore());
    const order: string[] = [];
    let releaseFirst = () => {};
    const first = vault.withAccount('tiktok', 'a', async () => {
      order.push('first start');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      order.push('first end');
      throw new Error('first failed');
    });
    const second = vault.withAccount('tiktok', 'a', async () => {
      order.push('second');
      return 2;
    });
    const other = vault.withAccount('tiktok', 'b', async () => {
      order.push('other account');
      return 'b';
    });
    expect(await other).toBe('b');
    expect(vault.isAccountBusy('tiktok', 'a')).toBe(true);
    expect(vault.isAccountBusy('tiktok', 'b')).toBe(false);
    releaseFirst();
    await expect(first).rejects.toThrow('first failed');
    expect(await second).toBe(2);
    expect(order).toEqual(['first start', 'other account', 'first end', 'second']);
    expect(vault.isAccountBusy('tiktok', 'a')).toBe(false);
  });
});
