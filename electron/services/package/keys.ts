// Ed25519 signing keys for content packages: one text format for public keys that policy
// files, the CLI and the importer all share, plus SSH-style fingerprints that IT can read
// aloud when checking a key. All cryptography is Node's built-in implementation.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { AirlockError } from '../../../common/errors.ts';

/**
 * Public key text: `airlock-ed25519 <base64 of the raw 32-byte key> [comment]` on one line.
 * An SPKI PEM block (`-----BEGIN PUBLIC KEY-----`) holding an Ed25519 key is accepted too.
 */
export const PUBLIC_KEY_PREFIX = 'airlock-ed25519';

const MAX_KEY_TEXT = 16 * 1024;
const MAX_COMMENT = 200;
const RAW_KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const COMMENT_CHARS = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u;

export interface PackagePublicKey {
  /** The raw 32-byte Ed25519 public key. */
  readonly raw: Uint8Array;
  readonly keyObject: KeyObject;
  /** `SHA256:` + unpadded base64 of SHA-256 over the raw key, as `ssh-keygen -l` prints. */
  readonly fingerprint: string;
  /** Canonical one-line text form, without a comment. */
  readonly text: string;
  readonly comment: string | undefined;
}

export interface SigningKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: PackagePublicKey;
}

function badKey(staffMessage: string, detail?: string): AirlockError {
  return new AirlockError('package.bad-key', staffMessage, detail);
}

export function publicKeyFingerprint(raw: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`;
}

function rawFromKeyObject(keyObject: KeyObject): Uint8Array {
  const jwk = keyObject.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw badKey('This is not an Ed25519 key.', 'JWK export has no x coordinate.');
  return new Uint8Array(Buffer.from(jwk.x, 'base64url'));
}

function publicKeyFromRaw(raw: Uint8Array, comment: string | undefined): PackagePublicKey {
  const keyObject = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
  return {
    raw,
    keyObject,
    fingerprint: publicKeyFingerprint(raw),
    text: `${PUBLIC_KEY_PREFIX} ${Buffer.from(raw).toString('base64')}`,
    comment,
  };
}

/** Decodes base64 only when it is the one canonical spelling of `bytes` bytes. */
export function decodeStrictBase64(text: string, bytes: number): Uint8Array | null {
  const decoded = Buffer.from(text, 'base64');
  if (decoded.length !== bytes || decoded.toString('base64') !== text) return null;
  return new Uint8Array(decoded);
}

/** Parses a public key from its text (as held in policy or a .pub file). Throws `package.bad-key`. */
export function parsePublicKey(text: string): PackagePublicKey {
  if (text.length > MAX_KEY_TEXT) throw badKey('This does not look like an Airlock public key.', 'Key text is too long.');
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) {
    let keyObject: KeyObject;
    try {
      keyObject = createPublicKey({ key: trimmed, format: 'pem' });
    } catch (err) {
      throw badKey('This public key is damaged.', err instanceof Error ? err.message : String(err));
    }
    if (keyObject.asymmetricKeyType !== 'ed25519') {
      throw badKey('This public key is not an Ed25519 key.', `Key type is ${keyObject.asymmetricKeyType ?? 'unknown'}.`);
    }
    return publicKeyFromRaw(rawFromKeyObject(keyObject), undefined);
  }
  if (/[\r\n]/.test(trimmed)) throw badKey('A public key must be a single line.', 'Key text spans several lines.');
  const [prefix, encoded, ...rest] = trimmed.split(/[ \t]+/);
  if (prefix !== PUBLIC_KEY_PREFIX || encoded === undefined) {
    throw badKey('This does not look like an Airlock public key.', `Expected "${PUBLIC_KEY_PREFIX} <base64 key>".`);
  }
  const raw = RAW_KEY_BASE64.test(encoded) ? decodeStrictBase64(encoded, 32) : null;
  if (raw === null) throw badKey('This public key is damaged.', 'The key must be 32 bytes in standard base64.');
  const comment = rest.length > 0 ? rest.join(' ') : undefined;
  if (comment !== undefined && (comment.length > MAX_COMMENT || !COMMENT_CHARS.test(comment))) {
    throw badKey('The comment after this public key is too long or has control characters.');
  }
  try {
    return publicKeyFromRaw(raw, comment);
  } catch (err) {
    throw badKey('This public key is damaged.', err instanceof Error ? err.message : String(err));
  }
}

async function readKeyText(file: string, what: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw badKey(`The ${what} ${file} is not a file.`);
    if (info.size > MAX_KEY_TEXT) throw badKey(`The ${what} ${file} is too large to be a key.`);
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof AirlockError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw badKey(`The ${what} ${file} does not exist.`);
    throw badKey(`The ${what} ${file} cannot be read.`, err instanceof Error ? err.message : String(err));
  }
}

export async function readPublicKeyFile(file: string): Promise<PackagePublicKey> {
  return parsePublicKey(await readKeyText(file, 'public key file'));
}

/** One line for a .pub file or a policy entry. */
export function formatPublicKey(key: PackagePublicKey, comment?: string): string {
  const note = comment ?? key.comment;
  if (note !== undefined && (note.length > MAX_COMMENT || !COMMENT_CHARS.test(note) || note.trim() !== note)) {
    throw badKey('A key comment must be one short line without control characters or surrounding spaces.');
  }
  return note === undefined || note === '' ? key.text : `${key.text} ${note}`;
}

export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKeyFromRaw(rawFromKeyObject(publicKey), undefined) };
}

/** PKCS#8 PEM, the private key file format. */
export function exportPrivateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function parsePrivateKey(pem: string): SigningKeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw badKey(
      'This is not a usable private key. Use the .key file that airlock keygen wrote.',
      err instanceof Error ? err.message : String(err),
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw badKey('This private key is not an Ed25519 key. Use the .key file that airlock keygen wrote.', `Key type is ${privateKey.asymmetricKeyType ?? 'unknown'}.`);
  }
  return { privateKey, publicKey: publicKeyFromRaw(rawFromKeyObject(createPublicKey(privateKey)), undefined) };
}

export async function readPrivateKeyFile(file: string): Promise<SigningKeyPair> {
  return parsePrivateKey(await readKeyText(file, 'private key file'));
}

export function samePublicKey(a: PackagePublicKey, b: PackagePublicKey): boolean {
  return Buffer.from(a.raw).equals(Buffer.from(b.raw));
}
