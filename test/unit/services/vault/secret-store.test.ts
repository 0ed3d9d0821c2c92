import { describe, expect, it } from 'vitest';
import {
  KeychainSecretStore,
  MAX_KEY_LENGTH,
  MAX_VALUE_BYTES,
  assertSecretValue,
  isValidSecretKey,
  keychainBackendFor,
} from '../../../../electron/services/vault/secret-store.ts';

describe('secret keys', () => {
  it('accepts namespaced keys of printable ASCII', () => {
    for (const key of [
      'account:tiktok:-000OQlGsXwz_abc:refresh-token',
      'account:bluesky:did%3Aplc%3Aewvi7nxzyoun6zhxrhs64oiz:credentials',
      'account:mastodon:comms%40social.example:credentials',
      'app:linkedin:client-credentials',
      'kiosk:signing-key',
      'vault:index',
      `account:x:${'a'.repeat(MAX_KEY_LENGTH - 'account:x:'.length)}`,
    ]) {
      expect(isValidSecretKey(key), key).toBe(true);
    }
  });

  it('refuses control characters, whitespace, non-ASCII, empty segments and over-long keys', () => {
    for (const key of [
      '',
      'account',
      'account:',
      'account::x',
      'account:x:',
      ':account:x',
      'Account:x',
      'account:tiktok:a\nb',
      'account:tiktok:a\u0000b',
      'account:tiktok:a\u007fb',
      'account:tiktok:a b',
      'account:tiktok:a\tb',
      'account:tiktok:ä',
      'account:tiktok:a\u200eb',
      'account:tiktok:a#1',
      `account:x:${'a'.repeat(MAX_KEY_LENGTH)}`,
      `${'n'.repeat(33)}:x`,
    ]) {
      expect(isValidSecretKey(key), JSON.stringify(key)).toBe(false);
    }
    expect(isValidSecretKey(42)).toBe(false);
    expect(isValidSecretKey(null)).toBe(false);
  });
});

describe('secret values', () => {
  it('accepts any well-formed text up to 64 KiB of UTF-8', () => {
    expect(() => assertSecretValue('act.0123')).not.toThrow();
    expect(() => assertSecretValue('密码🔐')).not.toThrow();
    expect(() => assertSecretValue('x'.repeat(MAX_VALUE_BYTES))).not.toThrow();
  });

  it('refuses empty, non-string, unpaired-surrogate and NUL-led values without quoting them', () => {
    for (const value of ['', 42, null, 'abc\ud800', '\udc00abc', '\u0000secret']) {
      try {
        assertSecretValue(value);
        expect.unreachable(`accepted ${JSON.stringify(value)}`);
      } catch (err) {
        expect(err).toMatchObject({ code: 'vault.invalid-value' });
        expect(JSON.stringify(err)).not.toContain('secret');
      }
    }
  });

  it('measures the limit in UTF-8 bytes, not characters', () => {
    expect(() => assertSecretValue('é'.repeat(MAX_VALUE_BYTES / 2))).not.toThrow();
    expect(() => assertSecretValue('é'.repeat(MAX_VALUE_BYTES / 2 + 1))).toThrow(expect.objectContaining({ code: 'vault.value-too-large' }));
  });
});

describe('KeychainSecretStore configuration', () => {
  it('maps each platform to its native store and anything else to unsupported', () => {
    expect(keychainBackendFor('linux')).toBe('secret-service');
    expect(keychainBackendFor('win32')).toBe('windows-credential-manager');
    expect(keychainBackendFor('darwin')).toBe('macos-keychain');
    expect(keychainBackendFor('freebsd')).toBe('unsupported');
  });

  it('files entries under "Airlock" unless told otherwise, and refuses odd service names', () => {
    expect(new KeychainSecretStore().service).toBe('Airlock');
    expect(new KeychainSecretStore({ service: 'Airlock-kiosk-2' }).service).toBe('Airlock-kiosk-2');
    for (const service of ['', 'Air lock', 'Airlock\n', 'a'.repeat(65), '-Airlock']) {
      expect(() => new KeychainSecretStore({ service })).toThrow(RangeError);
    }
  });

  it('refuses every write on an unsupported platform instead of picking some other store', async () => {
    const store = new KeychainSecretStore({ platform: 'freebsd' });
    const status = await store.probe();
    expect(status.available).toBe(false);
    expect(status.backend).toBe('unsupported');
    expect(status.problem).toMatchObject({ code: 'vault.unavailable', message: expect.stringMatching(/^This kiosk has no secure password store/) });
    await expect(store.set('kiosk:signing-key', 'value')).rejects.toMatchObject({ code: 'vault.unavailable' });
    await expect(store.get('kiosk:signing-key')).rejects.toMatchObject({ code: 'vault.unavailable' });
    await expect(store.delete('kiosk:signing-key')).rejects.toMatchObject({ code: 'vault.unavailable' });
  });

  it('refuses a per-entry limit too small to be meaningful', () => {
    expect(() => new KeychainSecretStore({ maxEntryUnits: 8 })).toThrow(RangeError);
    expect(() => new KeychainSecretStore({ maxEntryUnits: Number.NaN })).toThrow(RangeError);
  });
});
