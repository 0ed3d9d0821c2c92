// PINs and passphrases: the rules a new one must meet, and hashing them with scrypt (memory-hard)
// off the calling thread. The parameters travel with every hash so the cost can be raised later
// without locking anyone out; a secret never appears in an error, a log line or a return value.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';

export type CredentialKind = 'pin' | 'passphrase';

export interface Credential {
  kind: CredentialKind;
  secret: string;
}

export interface ScryptParams {
  /** CPU/memory cost, a power of two. Memory used is about 128 * N * r bytes. */
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

/**
 * What the kiosk uses unless a test asks for less. N = 2^16 costs 64 MiB and roughly 0.2 s per
 * attempt on a small machine: past the 2^15 floor, still quick enough at a sign-in screen.
 */
export const PRODUCTION_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 16, r: 8, p: 1, keyLength: 32 });

export const SALT_BYTES = 16;
export const MIN_PIN_DIGITS = 6;
export const MIN_PASSPHRASE_CHARS = 10;
// Upper bounds keep a pasted novel from becoming a denial of service at the sign-in screen.
export const MAX_PIN_DIGITS = 32;
export const MAX_PASSPHRASE_CHARS = 256;
export const MAX_SECRET_CHARS = 1024;

/** Derives a key from a secret. Injected so tests can count calls and use a cheaper cost. */
export type Kdf = (secret: string, salt: Uint8Array, params: ScryptParams) => Promise<Buffer>;

export const scryptKdf: Kdf = (secret, salt, params) =>
  new Promise((resolve, reject) => {
    // Node refuses when 128 * N * r * p reaches maxmem; twice that leaves room for OpenSSL's own use.
    const maxmem = 256 * params.N * params.r * params.p;
    const failed = (err: Error) => new AirlockError('staff.kdf-failed', 'Airlock could not check the PIN or passphrase. Ask IT to look at the kiosk.', err.message);
    try {
      scrypt(secret, salt, params.keyLength, { N: params.N, r: params.r, p: params.p, maxmem }, (err, key) => (err ? reject(failed(err)) : resolve(key)));
    } catch (err) {
      // Unusable parameters are refused synchronously, before any work starts.
      reject(failed(err as Error));
    }
  });

export function checkScryptParams(params: ScryptParams): ScryptParams {
  const { N, r, p, keyLength } = params;
  const ok = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0 && Number.isInteger(r) && r >= 1 && Number.isInteger(p) && p >= 1 && Number.isInteger(keyLength) && keyLength >= 16 && keyLength <= 64;
  if (!ok) throw new AirlockError('staff.kdf-params', 'Airlock is set up with unusable sign-in settings. Ask IT to check the kiosk.', `scrypt N=${N} r=${r} p=${p} keyLength=${keyLength}`);
  return { N, r, p, keyLength };
}

/** True when a stored hash was made with less work than the kiosk now asks for. */
export function weakerThan(stored: ScryptParams, wanted: ScryptParams): boolean {
  return stored.N < wanted.N || stored.r < wanted.r || stored.p < wanted.p || stored.keyLength < wanted.keyLength;
}

/**
 * One form per secret, so a passphrase typed with a composed "é" on one keyboard and a
 * decomposed one on another is the same passphrase.
 */
export function normaliseSecret(secret: string): string {
  return secret.normalize('NFC');
}

export interface HashedCredential {
  kind: CredentialKind;
  hash: Buffer;
  salt: Buffer;
  params: ScryptParams;
}

export async function hashCredential(credential: Credential, kdf: Kdf, params: ScryptParams): Promise<HashedCredential> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await kdf(normaliseSecret(credential.secret), salt, params);
  return { kind: credential.kind, hash, salt, params: { ...params } };
}

export async function verifySecret(secret: string, stored: { hash: Uint8Array; salt: Uint8Array; params: ScryptParams }, kdf: Kdf): Promise<boolean> {
  const derived = await kdf(normaliseSecret(secret), stored.salt, { ...stored.params, keyLength: stored.hash.length });
  return derived.length === stored.hash.length && timingSafeEqual(derived, stored.hash);
}

/**
 * Why a PIN is too easy to guess, in words for the person choosing it, or null. The runs are
 * taken cyclically (…8901…) because people type them that way too. The examples are four
 * digits long so a message can never spell out the PIN that was typed.
 */
export function pinWeakness(pin: string): string | null {
  if (!/^[0-9]*$/.test(pin)) return 'A PIN can only contain the digits 0 to 9.';
  if (pin.length < MIN_PIN_DIGITS) return `A PIN needs at least ${MIN_PIN_DIGITS} digits.`;
  if (pin.length > MAX_PIN_DIGITS) return `A PIN can have at most ${MAX_PIN_DIGITS} digits.`;
  const digits = [...pin].map(Number);
  const steps = new Set(digits.slice(1).map((d, i) => (d - digits[i]! + 10) % 10));
  if (steps.size === 1) {
    const [step] = steps;
    if (step === 0) return 'A PIN cannot be one digit repeated, like 7777… Choose one that is harder to guess.';
    if (step === 1) return 'A PIN cannot be a run of digits going up, like 3456… Choose one that is harder to guess.';
    if (step === 9) return 'A PIN cannot be a run of digits going down, like 6543… Choose one that is harder to guess.';
  }
  if (repeatsShortGroup(pin)) return 'A PIN cannot be a short group of digits repeated, like 1212… Choose one that is harder to guess.';
  return null;
}

function repeatsShortGroup(s: string): boolean {
  for (let size = 2; size <= 3; size += 1) {
    if (s.length >= size * 2 && s.length % size === 0 && s === s.slice(0, size).repeat(s.length / size)) return true;
  }
  return false;
}

/** Why a passphrase is too easy to guess, or null. */
export function passphraseWeakness(passphrase: string): string | null {
  const chars = [...normaliseSecret(passphrase)];
  if (chars.length < MIN_PASSPHRASE_CHARS) return `A passphrase needs at least ${MIN_PASSPHRASE_CHARS} characters.`;
  if (chars.length > MAX_PASSPHRASE_CHARS) return `A passphrase can have at most ${MAX_PASSPHRASE_CHARS} characters.`;
  if (new Set(chars).size === 1) return 'A passphrase cannot be one character repeated. Choose one that is harder to guess.';
  // A long string of digits is a PIN by another name; the PIN rules catch the obvious ones.
  if (/^[0-9]+$/.test(passphrase)) return pinWeakness(passphrase);
  return null;
}

/** Refuses a new credential that is malformed or trivially weak; the message never repeats it. */
export function assertStrongCredential(credential: Credential): void {
  let why: string | null;
  if (typeof credential.secret !== 'string') why = 'Choose a PIN or a passphrase.';
  else if (credential.kind === 'pin') why = pinWeakness(credential.secret);
  else if (credential.kind === 'passphrase') why = passphraseWeakness(credential.secret);
  else why = 'Choose a PIN or a passphrase.';
  if (why) throw new AirlockError('staff.weak-credential', why);
}
