// manifest.sig: an Ed25519 signature over the exact bytes of manifest.json, together with the
// signer's public key so that a package signed by an unknown key can be told apart from a
// damaged one. Trust never comes from the embedded key; it is only compared with policy's list.

import { sign, verify } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';
import { decodeStrictBase64, parsePublicKey, PUBLIC_KEY_PREFIX, samePublicKey } from './keys.ts';
import type { PackagePublicKey, SigningKeyPair } from './keys.ts';

/** `airlock-ed25519-sig <base64 raw public key> <base64 64-byte signature>` and a newline. */
export const SIGNATURE_PREFIX = 'airlock-ed25519-sig';
export const SIGNATURE_FILE_MAX_BYTES = 1024;

const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{86}==$/;
const SIGNATURE_LINE = /^(\S+) (\S+) (\S+)\n?$/;

export interface ManifestSignature {
  readonly signer: PackagePublicKey;
  readonly signature: Uint8Array;
}

function badSignature(detail: string): AirlockError {
  return new AirlockError(
    'package.bad-signature',
    'The package signature is not valid: the package was changed after it was signed, or the signature file is damaged.',
    detail,
  );
}

/** The text of manifest.sig for these exact manifest bytes. */
export function signManifestBytes(manifestBytes: Uint8Array, keys: SigningKeyPair): string {
  const signature = sign(null, manifestBytes, keys.privateKey);
  return `${SIGNATURE_PREFIX} ${Buffer.from(keys.publicKey.raw).toString('base64')} ${signature.toString('base64')}\n`;
}

export function parseSignatureFile(bytes: Uint8Array): ManifestSignature {
  if (bytes.byteLength > SIGNATURE_FILE_MAX_BYTES) throw badSignature(`manifest.sig is ${bytes.byteLength} bytes; a signature is under ${SIGNATURE_FILE_MAX_BYTES}.`);
  const text = Buffer.from(bytes).toString('latin1');
  const match = SIGNATURE_LINE.exec(text);
  if (match === null || match[1] !== SIGNATURE_PREFIX) throw badSignature(`manifest.sig must be one line: "${SIGNATURE_PREFIX} <public key> <signature>".`);
  const [, , encodedKey = '', encodedSignature = ''] = match;
  let signer: PackagePublicKey;
  try {
    signer = parsePublicKey(`${PUBLIC_KEY_PREFIX} ${encodedKey}`);
  } catch (err) {
    throw badSignature(`The public key in manifest.sig is damaged: ${err instanceof AirlockError ? (err.detail ?? err.message) : String(err)}`);
  }
  const signature = SIGNATURE_BASE64.test(encodedSignature) ? decodeStrictBase64(encodedSignature, 64) : null;
  if (signature === null) throw badSignature('The signature in manifest.sig must be 64 bytes in standard base64.');
  return { signer, signature };
}

/**
 * Checks manifest.sig against the exact bytes of manifest.json and returns the signer, who
 * is one of `trustedKeys`. Throws `package.bad-signature` or `package.untrusted-key`.
 */
export function verifyManifestSignature(
  manifestBytes: Uint8Array,
  signatureBytes: Uint8Array,
  trustedKeys: readonly PackagePublicKey[],
): PackagePublicKey {
  const { signer, signature } = parseSignatureFile(signatureBytes);
  let valid: boolean;
  try {
    valid = verify(null, manifestBytes, signer.keyObject, signature);
  } catch (err) {
    throw badSignature(err instanceof Error ? err.message : String(err));
  }
  if (!valid) throw badSignature(`The signature does not match manifest.json for key ${signer.fingerprint}.`);
  const trusted = trustedKeys.find((key) => samePublicKey(key, signer));
  if (trusted === undefined) {
    throw new AirlockError(
      'package.untrusted-key',
      `The package was signed with a key this kiosk does not trust (${signer.fingerprint}). Ask IT whether that key should be trusted.`,
      `Signer ${signer.text}; trusted: ${trustedKeys.map((key) => key.fingerprint).join(', ') || 'none'}.`,
    );
  }
  return trusted;
}
