import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import {
  exportPrivateKeyPem,
  formatPublicKey,
  generateSigningKeyPair,
  parsePrivateKey,
  parsePublicKey,
  readPublicKeyFile,
} from '../../../../electron/services/package/keys.ts';
import { parseSignatureFile, signManifestBytes, verifyManifestSignature } from '../../../../electron/services/package/signature.ts';
import { removeTempDirs, tempDir } from './package-fixtures.ts';

afterEach(removeTempDirs);

function badKeyCode(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AirlockError);
    return (err as AirlockError).code;
  }
  throw new Error('expected the key to be refused');
}

describe('public key text', () => {
  it('round-trips through the one-line format with an optional comment', () => {
    const { publicKey } = generateSigningKeyPair();
    const line = formatPublicKey(publicKey, 'Comms team 2030');
    expect(line).toMatch(/^airlock-ed25519 [A-Za-z0-9+/]{43}= Comms team 2030$/);
    const parsed = parsePublicKey(`${line}\n`);
    expect(parsed.fingerprint).toBe(publicKey.fingerprint);
    expect(parsed.comment).toBe('Comms team 2030');
    expect(parsed.text).toBe(publicKey.text);
  });

  it('fingerprints like ssh-keygen: SHA256 over the raw key, unpadded base64', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const raw = spki.subarray(spki.length - 32);
    const expected = `SHA256:${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`;
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(parsePublicKey(pem).fingerprint).toBe(expected);
    expect(parsePublicKey(`airlock-ed25519 ${raw.toString('base64')}`).fingerprint).toBe(expected);
    expect(expected).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it.each([
    ['a different prefix', (b64: string) => `ssh-ed25519 ${b64}`],
    ['no key', () => 'airlock-ed25519'],
    ['a short key', (b64: string) => `airlock-ed25519 ${Buffer.from(b64, 'base64').subarray(0, 31).toString('base64')}`],
    ['url-safe base64', (b64: string) => `airlock-ed25519 ${b64.replace(/\+/g, '-').replace(/\//g, '_')}`],
    ['missing padding', (b64: string) => `airlock-ed25519 ${b64.replace('=', '')}`],
    ['two lines', (b64: string) => `airlock-ed25519 ${b64}\nairlock-ed25519 ${b64}`],
    ['a control character in the comment', (b64: string) => `airlock-ed25519 ${b64} bad\u0007comment`],
  ])('refuses %s', (_label, make) => {
    const b64 = Buffer.from(generateSigningKeyPair().publicKey.raw).toString('base64');
    // Make sure the url-safe case really differs from the standard spelling.
    expect(badKeyCode(() => parsePublicKey(make(b64.includes('+') || b64.includes('/') ? b64 : `+${b64.slice(1)}`)))).toBe('package.bad-key');
  });

  it('refuses a PEM key that is not Ed25519', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(badKeyCode(() => parsePublicKey(pem))).toBe('package.bad-key');
  });

  it('reads a key file and explains a missing one', async () => {
    const dir = await tempDir('keys');
    const { publicKey } = generateSigningKeyPair();
    const file = path.join(dir, 'team.pub');
    await writeFile(file, `${formatPublicKey(publicKey)}\n`);
    expect((await readPublicKeyFile(file)).fingerprint).toBe(publicKey.fingerprint);
    await expect(readPublicKeyFile(path.join(dir, 'absent.pub'))).rejects.toMatchObject({ code: 'package.bad-key', message: expect.stringContaining('does not exist') });
  });
});

describe('private keys', () => {
  it('round-trips through PKCS#8 PEM and yields the matching public key', () => {
    const pair = generateSigningKeyPair();
    const pem = exportPrivateKeyPem(pair.privateKey);
    expect(pem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(parsePrivateKey(pem).publicKey.fingerprint).toBe(pair.publicKey.fingerprint);
  });

  it('refuses a public key, a non-Ed25519 key and garbage where a private key is expected', () => {
    const pair = generateSigningKeyPair();
    const publicPem = pair.publicKey.keyObject.export({ format: 'pem', type: 'spki' }).toString();
    expect(badKeyCode(() => parsePrivateKey(publicPem))).toBe('package.bad-key');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(badKeyCode(() => parsePrivateKey(ec))).toBe('package.bad-key');
    expect(badKeyCode(() => parsePrivateKey('hello'))).toBe('package.bad-key');
  });
});

describe('manifest signatures', () => {
  const bytes = new TextEncoder().encode('{"a":1}');

  it('is a plain Ed25519 signature over the exact bytes that any implementation can check', () => {
    const pair = generateSigningKeyPair();
    const { signer, signature } = parseSignatureFile(new TextEncoder().encode(signManifestBytes(bytes, pair)));
    expect(signer.fingerprint).toBe(pair.publicKey.fingerprint);
    expect(verify(null, bytes, pair.publicKey.keyObject, signature)).toBe(true);
  });

  it('returns the trusted signer and refuses changed bytes or an unknown signer', () => {
    const pair = generateSigningKeyPair();
    const sig = new TextEncoder().encode(signManifestBytes(bytes, pair));
    expect(verifyManifestSignature(bytes, sig, [pair.publicKey]).fingerprint).toBe(pair.publicKey.fingerprint);
    const changed = new TextEncoder().encode('{"a":2}');
    expect(badKeyCode(() => verifyManifestSignature(changed, sig, [pair.publicKey]))).toBe('package.bad-signature');
    expect(badKeyCode(() => verifyManifestSignature(bytes, sig, [generateSigningKeyPair().publicKey]))).toBe('package.untrusted-key');
  });

  it('refuses a signature file claiming a trusted key but signed by another', () => {
    const trusted = generateSigningKeyPair();
    const intruder = generateSigningKeyPair();
    const forged = signManifestBytes(bytes, intruder).replace(
      Buffer.from(intruder.publicKey.raw).toString('base64'),
      Buffer.from(trusted.publicKey.raw).toString('base64'),
    );
    expect(badKeyCode(() => verifyManifestSignature(bytes, new TextEncoder().encode(forged), [trusted.publicKey]))).toBe('package.bad-signature');
  });
});
