import { mkdir, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { formatPublicKey, generateSigningKeyPair } from '../../../../electron/services/package/keys.ts';
import { MANIFEST_FILE, PACKAGE_LIMITS, SIGNATURE_FILE } from '../../../../electron/services/package/manifest.ts';
import { readPackage } from '../../../../electron/services/package/reader.ts';
import { flipByte, makeSamplePackage, readManifestJson, removeTempDirs, resign, sampleBytes } from './package-fixtures.ts';

afterEach(removeTempDirs);

async function refusal(promise: Promise<unknown>): Promise<AirlockError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AirlockError);
    return err as AirlockError;
  }
  throw new Error('expected the package to be refused');
}

describe('readPackage', () => {
  it('accepts an untouched package signed by a trusted key and returns its manifest and signer', async () => {
    const sample = await makeSamplePackage();
    const contents = await readPackage(sample.dir, { trustedKeys: [formatPublicKey(sample.keys.publicKey)] });
    expect(contents.status).toBe('trusted');
    expect(contents.signer).toEqual({ fingerprint: sample.keys.publicKey.fingerprint, publicKey: sample.keys.publicKey.text });
    expect(contents.manifest).toEqual(sample.manifest);
    expect(contents.manifest.posts[0]?.media[0]).toEqual({ path: 'photos/a.jpg', alt: 'The library entrance' });
    expect(contents.totalBytes).toBe(3000 + 1500 + 70_000);
    expect(contents.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(contents.ignored).toEqual([]);
  });

  it('accepts a parsed key among several trusted keys', async () => {
    const sample = await makeSamplePackage();
    const other = generateSigningKeyPair().publicKey;
    const contents = await readPackage(sample.dir, { trustedKeys: [other, sample.keys.publicKey] });
    expect(contents.signer?.fingerprint).toBe(sample.keys.publicKey.fingerprint);
  });

  it('refuses a media file changed after signing, naming the file', async () => {
    const sample = await makeSamplePackage();
    await flipByte(path.join(sample.dir, 'photos', 'a.jpg'), 1234);
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.tampered');
    expect(err.message).toBe('The package was changed after it was signed: photos/a.jpg does not match its checksum.');
  });

  it('refuses a media file whose size changed', async () => {
    const sample = await makeSamplePackage();
    await writeFile(path.join(sample.dir, 'video', 'clip.mp4'), sampleBytes(70_001, 3));
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.tampered');
    expect(err.message).toContain('video/clip.mp4');
  });

  it('refuses a manifest changed by a single byte', async () => {
    const sample = await makeSamplePackage();
    const file = path.join(sample.dir, MANIFEST_FILE);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('Our new library', 'Our new librarz'));
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.bad-signature');
  });

  it('refuses a package re-signed with a key that is not trusted, naming that key', async () => {
    const sample = await makeSamplePackage();
    const intruder = generateSigningKeyPair();
    const manifest = await readManifestJson(sample.dir);
    manifest.posts[0]!.caption = 'Injected post';
    await resign(sample.dir, manifest, intruder);
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.untrusted-key');
    expect(err.message).toContain(intruder.publicKey.fingerprint);
  });

  it('refuses every signed package when no key is trusted', async () => {
    const sample = await makeSamplePackage();
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [] }));
    expect(err.code).toBe('package.untrusted-key');
  });

  it('refuses a package without manifest.sig unless policy allows unsigned packages', async () => {
    const sample = await makeSamplePackage();
    await unlink(path.join(sample.dir, SIGNATURE_FILE));
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.unsigned');

    const contents = await readPackage(sample.dir, { trustedKeys: [], requireSignature: false });
    expect(contents.status).toBe('unsigned');
    expect(contents.signer).toBeNull();
  });

  it('still checks the files of an allowed unsigned package', async () => {
    const sample = await makeSamplePackage();
    await unlink(path.join(sample.dir, SIGNATURE_FILE));
    await flipByte(path.join(sample.dir, 'photos', 'b.png'), 0);
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [], requireSignature: false }));
    expect(err.code).toBe('package.tampered');
    expect(err.message).toBe('The package was changed after it was made: photos/b.png does not match its checksum.');
  });

  it('checks a signature that is present even when unsigned packages are allowed', async () => {
    const sample = await makeSamplePackage();
    await flipByte(path.join(sample.dir, MANIFEST_FILE), 40);
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey], requireSignature: false }));
    expect(err.code).toBe('package.bad-signature');
  });

  it.each([
    ['an empty file', ''],
    ['garbage', 'not a signature at all'],
    ['two lines', 'airlock-ed25519-sig AAAA\nBBBB\n'],
    ['a truncated signature', null],
  ])('refuses a damaged signature file (%s)', async (_label, content) => {
    const sample = await makeSamplePackage();
    const file = path.join(sample.dir, SIGNATURE_FILE);
    const replacement = content ?? (await readFile(file, 'utf8')).slice(0, 100);
    await writeFile(file, replacement);
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.bad-signature');
  });

  it('refuses a signature file that is far too large without reading it all', async () => {
    const sample = await makeSamplePackage();
    await writeFile(path.join(sample.dir, SIGNATURE_FILE), Buffer.alloc(5 * 1024 * 1024, 0x41));
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.bad-signature');
  });

  it('refuses an extra file that the manifest does not list', async () => {
    const sample = await makeSamplePackage();
    await writeFile(path.join(sample.dir, 'photos', 'injected.jpg'), 'surprise');
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.tampered');
    expect(err.message).toBe('The package was changed after it was signed: photos/injected.jpg is not listed in the manifest.');
  });

  it('refuses an extra hidden file', async () => {
    const sample = await makeSamplePackage();
    await writeFile(path.join(sample.dir, '.autorun'), 'x');
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.tampered');
    expect(err.message).toContain('.autorun');
  });

  it('ignores and reports operating-system clutter such as .DS_Store and AppleDouble files', async () => {
    const sample = await makeSamplePackage();
    await writeFile(path.join(sample.dir, '.DS_Store'), 'finder');
    await writeFile(path.join(sample.dir, 'photos', '._a.jpg'), 'resource fork');
    await mkdir(path.join(sample.dir, '.Spotlight-V100', 'Store'), { recursive: true });
    await writeFile(path.join(sample.dir, '.Spotlight-V100', 'Store', 'db'), 'index');
    const contents = await readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] });
    expect(contents.ignored.sort()).toEqual(['.DS_Store', '.Spotlight-V100/', 'photos/._a.jpg']);
  });

  it('refuses a package with a listed file missing', async () => {
    const sample = await makeSamplePackage();
    await unlink(path.join(sample.dir, 'video', 'clip.mp4'));
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.incomplete');
    expect(err.message).toContain('video/clip.mp4 is missing');
  });

  it.skipIf(process.platform === 'win32')('refuses a symlink in place of a listed file, without following it', async () => {
    const sample = await makeSamplePackage();
    const target = path.join(sample.root, 'outside.jpg');
    await writeFile(target, await readFile(path.join(sample.dir, 'photos', 'a.jpg')));
    await unlink(path.join(sample.dir, 'photos', 'a.jpg'));
    await symlink(target, path.join(sample.dir, 'photos', 'a.jpg'));
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.tampered');
    expect(err.message).toContain('photos/a.jpg is a link');
  });

  it.skipIf(process.platform === 'win32')('refuses a manifest.json that is a symlink', async () => {
    const sample = await makeSamplePackage();
    const moved = path.join(sample.root, 'elsewhere.json');
    await writeFile(moved, await readFile(path.join(sample.dir, MANIFEST_FILE)));
    await unlink(path.join(sample.dir, MANIFEST_FILE));
    await symlink(moved, path.join(sample.dir, MANIFEST_FILE));
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.tampered');
  });

  it('refuses a traversal path even in a manifest signed by a trusted key', async () => {
    const sample = await makeSamplePackage();
    const manifest = await readManifestJson(sample.dir);
    manifest.files[0]!.path = '../../etc/passwd';
    manifest.posts[0]!.media[0]!.path = '../../etc/passwd';
    await resign(sample.dir, manifest, sample.keys);
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.malformed');
    expect(err.message).toContain('outside the package folder');
  });

  it('refuses an oversized manifest.json before parsing it, even if signed', async () => {
    const sample = await makeSamplePackage();
    const manifest = await readManifestJson(sample.dir);
    manifest.author = 'x'.repeat(PACKAGE_LIMITS.manifestBytes);
    await resign(sample.dir, manifest, sample.keys);
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.malformed');
    expect(err.message).toContain('too large');
  });

  it('shows hostile file names from the stick with control characters escaped', async () => {
    const sample = await makeSamplePackage();
    await writeFile(path.join(sample.dir, 'evil\u001b[2Jname'), 'x');
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.tampered');
    expect(err.message).not.toContain('\u001b');
    expect(err.message).toContain('evil\\u{1b}[2Jname');
  });

  it('reports a folder without manifest.json as not a package', async () => {
    const sample = await makeSamplePackage();
    await rm(path.join(sample.dir, MANIFEST_FILE));
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey] }));
    expect(err.code).toBe('package.not-found');
    const missing = await refusal(readPackage(path.join(sample.root, 'nope'), { trustedKeys: [] }));
    expect(missing.code).toBe('package.not-found');
  });

  it('skips hashing when the importer hashes while copying, but still refuses unlisted files', async () => {
    const sample = await makeSamplePackage();
    await flipByte(path.join(sample.dir, 'photos', 'a.jpg'), 5);
    const contents = await readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey], checkFiles: false });
    expect(contents.status).toBe('trusted');
    await writeFile(path.join(sample.dir, 'extra.txt'), 'x');
    const err = await refusal(readPackage(sample.dir, { trustedKeys: [sample.keys.publicKey], checkFiles: false }));
    expect(err.code).toBe('package.tampered');
  });

  it('refuses a damaged trusted key string from policy with package.bad-key', async () => {
    const sample = await makeSamplePackage();
    const err = await refusal(readPackage(sample.dir, { trustedKeys: ['airlock-ed25519 not-a-key'] }));
    expect(err.code).toBe('package.bad-key');
  });
});
