import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import {
  assertStrongCredential,
  checkScryptParams,
  hashCredential,
  PRODUCTION_SCRYPT,
  SALT_BYTES,
  scryptKdf,
  verifySecret,
  weakerThan,
} from '../../../../electron/services/staff/credentials.ts';
import { countingKdf, TEST_SCRYPT } from './staff-fixtures.ts';

describe('credential hashing', () => {
  it('hashes with scrypt at the production cost by default and verifies only the right secret', async () => {
    expect(PRODUCTION_SCRYPT.N).toBeGreaterThanOrEqual(2 ** 15);
    const hashed = await hashCredential({ kind: 'pin', secret: '480264' }, scryptKdf, PRODUCTION_SCRYPT);
    expect(hashed.params).toEqual(PRODUCTION_SCRYPT);
    expect(hashed.hash).toHaveLength(32);
    expect(hashed.salt).toHaveLength(SALT_BYTES);
    expect(await verifySecret('480264', hashed, scryptKdf)).toBe(true);
    expect(await verifySecret('480265', hashed, scryptKdf)).toBe(false);
  });

  it('salts every hash afresh, so one PIN never hashes the same twice', async () => {
    const a = await hashCredential({ kind: 'pin', secret: '480264' }, scryptKdf, TEST_SCRYPT);
    const b = await hashCredential({ kind: 'pin', secret: '480264' }, scryptKdf, TEST_SCRYPT);
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.hash.equals(b.hash)).toBe(false);
  });

  it('verifies with the parameters stored beside the hash, not the current ones', async () => {
    const counting = countingKdf();
    const old = await hashCredential({ kind: 'passphrase', secret: 'a long walk home' }, counting.kdf, { ...TEST_SCRYPT, N: 32, keyLength: 24 });
    expect(await verifySecret('a long walk home', old, counting.kdf)).toBe(true);
    expect(counting.calls.at(-1)).toEqual({ N: 32, r: 8, p: 1, keyLength: 24 });
  });

  it('treats a hash of the wrong length as a mismatch rather than an error', async () => {
    const hashed = await hashCredential({ kind: 'pin', secret: '480264' }, scryptKdf, TEST_SCRYPT);
    const truncated = { ...hashed, hash: hashed.hash.subarray(0, 16), params: { ...hashed.params, keyLength: 32 } };
    expect(await verifySecret('480264', truncated, async (s, salt, p) => scryptKdf(s, salt, { ...p, keyLength: 32 }))).toBe(false);
  });

  it('knows when a stored hash is cheaper than what the kiosk now asks for', () => {
    expect(weakerThan(TEST_SCRYPT, PRODUCTION_SCRYPT)).toBe(true);
    expect(weakerThan(PRODUCTION_SCRYPT, PRODUCTION_SCRYPT)).toBe(false);
    expect(weakerThan(PRODUCTION_SCRYPT, TEST_SCRYPT)).toBe(false);
    expect(weakerThan({ ...PRODUCTION_SCRYPT, keyLength: 16 }, PRODUCTION_SCRYPT)).toBe(true);
  });

  it('refuses parameters scrypt cannot use', () => {
    for (const bad of [{ N: 3 }, { N: 0 }, { r: 0 }, { p: 0.5 }, { keyLength: 8 }]) {
      expect(() => checkScryptParams({ ...PRODUCTION_SCRYPT, ...bad })).toThrow(AirlockError);
    }
  });

  it('reports a KDF failure as an error value without the secret', async () => {
    const err = await scryptKdf('secret-480264', Buffer.alloc(16), { N: 3, r: 8, p: 1, keyLength: 32 }).catch((e: unknown) => e as AirlockError);
    expect(err).toBeInstanceOf(AirlockError);
    expect((err as AirlockError).code).toBe('staff.kdf-failed');
    expect(JSON.stringify((err as AirlockError).toValue())).not.toContain('480264');
  });
});

describe('passphrase rules', () => {
  it('asks for at least ten characters, counted as characters not code units', () => {
    expect(() => assertStrongCredential({ kind: 'passphrase', secret: 'too short' })).toThrow(/at least 10 characters/);
    expect(() => assertStrongCredential({ kind: 'passphrase', secret: 'harbour lights' })).not.toThrow();
    // Five emoji are ten UTF-16 units but five characters.
    expect(() => assertStrongCredential({ kind: 'passphrase', secret: '🌊🌊🌊⛵🌅' })).toThrow(/at least 10/);
  });

  it('refuses a single character repeated, and an all-digit passphrase that is an easy PIN', () => {
    expect(() => assertStrongCredential({ kind: 'passphrase', secret: 'aaaaaaaaaaaa' })).toThrow(AirlockError);
    expect(() => assertStrongCredential({ kind: 'passphrase', secret: '1234567890' })).toThrow(/going up/);
    expect(() => assertStrongCredential({ kind: 'passphrase', secret: '4802649137' })).not.toThrow();
  });

  it('refuses a missing or unknown kind of credential', () => {
    expect(() => assertStrongCredential({ kind: 'password' as never, secret: 'whatever you like' })).toThrow(AirlockError);
    expect(() => assertStrongCredential({ kind: 'pin', secret: undefined as never })).toThrow(AirlockError);
  });
});
