// The package commands as comms staff and IT use them: keygen → pack → verify, run in-process
// with captured output, against packages built and then tampered with at test time.

import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliCommand } from '../../../electron/cli/command.ts';
import { keygenCommand } from '../../../electron/cli/commands/keygen.ts';
import { packCommand } from '../../../electron/cli/commands/pack.ts';
import { verifyCommand } from '../../../electron/cli/commands/verify.ts';
import { generateSigningKeyPair } from '../../../electron/services/package/keys.ts';
import { PACKAGE_LIMITS } from '../../../electron/services/package/manifest.ts';
import { flipByte, readManifestJson, removeTempDirs, resign, sampleBytes, tempDir, writeMedia } from '../../unit/services/package/package-fixtures.ts';

afterEach(removeTempDirs);

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(command: CliCommand, cwd: string, ...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await command.run(args, { out: (text) => (out += text), err: (text) => (err += text), cwd, env: {} });
  return { code, out, err };
}

interface Workspace {
  cwd: string;
  pub: string;
  key: string;
}

/** A workspace with keys, two photos and a posts file, as a comms officer would set it up. */
async function workspace(): Promise<Workspace> {
  const cwd = await tempDir('cli');
  const keygen = await run(keygenCommand, cwd, '--out', 'keys', '--name', 'comms', '--comment', 'Comms team');
  expect(keygen.code).toBe(0);
  await writeMedia(path.join(cwd, 'content'), { 'photos/a.jpg': sampleBytes(4000, 1), 'photos/b.jpg': sampleBytes(2500, 2) });
  await writeFile(
    path.join(cwd, 'content', 'posts.json'),
    JSON.stringify({
      posts: [
        {
          caption: 'Our new library opens today',
          targets: ['tiktok', 'bluesky'],
          scheduleAt: '2030-06-01T09:00:00+01:00',
          media: [{ file: 'photos/a.jpg', alt: 'The library entrance' }, 'photos/b.jpg'],
        },
      ],
    }),
  );
  return { cwd, pub: path.join('keys', 'comms.pub'), key: path.join('keys', 'comms.key') };
}

async function packed(): Promise<Workspace & { dir: string }> {
  const ws = await workspace();
  await mkdir(path.join(ws.cwd, 'stick'));
  const result = await run(packCommand, ws.cwd, '--key', ws.key, '--posts', 'content/posts.json', '--out', 'stick/package', '--author', 'Comms team');
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  return { ...ws, dir: path.join(ws.cwd, 'stick', 'package') };
}

describe('airlock keygen', () => {
  it('writes an owner-only PKCS#8 private key and a one-line public key, and prints the fingerprint', async () => {
    const { cwd, pub, key } = await workspace();
    const pubText = await readFile(path.join(cwd, pub), 'utf8');
    expect(pubText).toMatch(/^airlock-ed25519 [A-Za-z0-9+/]{43}= Comms team\n$/);
    expect(await readFile(path.join(cwd, key), 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    if (process.platform !== 'win32') expect((await stat(path.join(cwd, key))).mode & 0o777).toBe(0o600);

    const again = await run(keygenCommand, cwd, '--out', 'other');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/Fingerprint: SHA256:[A-Za-z0-9+/]{43}\n/);
    expect(again.out).toContain(path.join(cwd, 'other', 'airlock-signing.key'));
  });

  it('refuses to overwrite existing key files', async () => {
    const { cwd, key } = await workspace();
    const before = await readFile(path.join(cwd, key), 'utf8');
    const result = await run(keygenCommand, cwd, '--out', 'keys', '--name', 'comms');
    expect(result.code).toBe(1);
    expect(result.err).toContain('already exists');
    expect(await readFile(path.join(cwd, key), 'utf8')).toBe(before);
  });

  it('refuses to overwrite an existing public key and takes its new private key back out', async () => {
    const cwd = await tempDir('cli');
    await mkdir(path.join(cwd, 'keys'));
    await writeFile(path.join(cwd, 'keys', 'team.pub'), 'precious');
    const result = await run(keygenCommand, cwd, '--out', 'keys', '--name', 'team');
    expect(result.code).toBe(1);
    expect(await readdir(path.join(cwd, 'keys'))).toEqual(['team.pub']);
    expect(await readFile(path.join(cwd, 'keys', 'team.pub'), 'utf8')).toBe('precious');
  });

  it('exits 2 on bad usage', async () => {
    const cwd = await tempDir('cli');
    expect((await run(keygenCommand, cwd)).code).toBe(2);
    expect((await run(keygenCommand, cwd, '--out', 'k', '--bogus')).code).toBe(2);
    expect((await run(keygenCommand, cwd, '--out', 'k', '--name', '../evil')).code).toBe(2);
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('airlock pack and verify', () => {
  it('round trip: a freshly packed package verifies against its key file and its key string', async () => {
    const { cwd, pub, dir } = await packed();
    expect((await readdir(dir)).sort()).toEqual(['manifest.json', 'manifest.sig', 'photos']);

    const byFile = await run(verifyCommand, cwd, 'stick/package', '--trust', pub);
    expect(byFile.code).toBe(0);
    expect(byFile.out).toContain('OK: the package is complete, unchanged, and signed by a trusted key.');
    expect(byFile.out).toContain('Author:    Comms team');

    const keyString = (await readFile(path.join(cwd, pub), 'utf8')).trim();
    const other = generateSigningKeyPair().publicKey.text;
    const json = await run(verifyCommand, cwd, dir, '--trust', other, '--trust', keyString, '--json');
    expect(json.code).toBe(0);
    const result = JSON.parse(json.out);
    expect(result).toMatchObject({ ok: true, status: 'trusted', posts: 1, files: 2, totalBytes: 6500, author: 'Comms team' });
    expect(keyString).toContain(result.signer.publicKey);
  });

  it('reports a changed media file by name', async () => {
    const { cwd, pub, dir } = await packed();
    await flipByte(path.join(dir, 'photos', 'a.jpg'), 100);
    const result = await run(verifyCommand, cwd, dir, '--trust', pub);
    expect(result.code).toBe(1);
    expect(result.err).toContain('The package was changed after it was signed: photos/a.jpg does not match its checksum.');
  });

  it('reports a changed manifest byte as a bad signature', async () => {
    const { cwd, pub, dir } = await packed();
    const file = path.join(dir, 'manifest.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"tiktok"', '"x"'));
    const result = await run(verifyCommand, cwd, dir, '--trust', pub, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out)).toMatchObject({ ok: false, error: { code: 'package.bad-signature' } });
  });

  it('refuses a package signed by a key that was not given with --trust', async () => {
    const { cwd, dir } = await packed();
    const stranger = await run(keygenCommand, cwd, '--out', 'stranger');
    expect(stranger.code).toBe(0);
    const result = await run(verifyCommand, cwd, dir, '--trust', 'stranger/airlock-signing.pub');
    expect(result.code).toBe(1);
    expect(result.err).toContain('signed with a key this kiosk does not trust');
  });

  it('refuses a package whose manifest was re-signed by another key', async () => {
    const { cwd, pub, dir } = await packed();
    const manifest = await readManifestJson(dir);
    manifest.posts[0]!.caption = 'Something the comms team never wrote';
    await resign(dir, manifest, generateSigningKeyPair());
    const result = await run(verifyCommand, cwd, dir, '--trust', pub, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out).error.code).toBe('package.untrusted-key');
  });

  it('refuses a package without its signature', async () => {
    const { cwd, pub, dir } = await packed();
    await unlink(path.join(dir, 'manifest.sig'));
    const result = await run(verifyCommand, cwd, dir, '--trust', pub);
    expect(result.code).toBe(1);
    expect(result.err).toContain('not signed');
  });

  it('refuses a package with an extra file', async () => {
    const { cwd, pub, dir } = await packed();
    await writeFile(path.join(dir, 'photos', 'extra.jpg'), 'injected');
    const result = await run(verifyCommand, cwd, dir, '--trust', pub);
    expect(result.code).toBe(1);
    expect(result.err).toContain('photos/extra.jpg is not listed in the manifest');
  });

  it('refuses a manifest with a traversal path even when signed by the trusted key', async () => {
    const { cwd, pub, key, dir } = await packed();
    const manifest = await readManifestJson(dir);
    manifest.files[0]!.path = '../outside.jpg';
    manifest.posts[0]!.media[0]!.path = '../outside.jpg';
    const { parsePrivateKey } = await import('../../../electron/services/package/keys.ts');
    await resign(dir, manifest, parsePrivateKey(await readFile(path.join(cwd, key), 'utf8')));
    const result = await run(verifyCommand, cwd, dir, '--trust', pub, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out).error).toMatchObject({ code: 'package.malformed', message: expect.stringContaining('outside the package folder') });
  });

  it('refuses an oversized manifest', async () => {
    const { cwd, pub, dir } = await packed();
    await writeFile(path.join(dir, 'manifest.json'), Buffer.alloc(PACKAGE_LIMITS.manifestBytes + 1, 0x20));
    const result = await run(verifyCommand, cwd, dir, '--trust', pub, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out).error.code).toBe('package.malformed');
  });

  it('leaves no output folder and no partial folder when pack fails', async () => {
    const { cwd, key } = await workspace();
    await unlink(path.join(cwd, 'content', 'photos', 'b.jpg'));
    await mkdir(path.join(cwd, 'stick'));
    const result = await run(packCommand, cwd, '--key', key, '--posts', 'content/posts.json', '--out', 'stick/package', '--author', 'Comms team');
    expect(result.code).toBe(1);
    expect(result.err).toContain('cannot be found');
    expect(result.err).toContain('No package was created.');
    expect(await readdir(path.join(cwd, 'stick'))).toEqual([]);
  });

  it('refuses to pack into a folder that already has files in it', async () => {
    const { cwd, key } = await workspace();
    await mkdir(path.join(cwd, 'stick', 'package'), { recursive: true });
    await writeFile(path.join(cwd, 'stick', 'package', 'old.txt'), 'keep');
    const result = await run(packCommand, cwd, '--key', key, '--posts', 'content/posts.json', '--out', 'stick/package', '--author', 'A');
    expect(result.code).toBe(1);
    expect(result.err).toContain('already exists and is not empty');
    expect(await readdir(path.join(cwd, 'stick', 'package'))).toEqual(['old.txt']);
  });

  it('refuses to sign with a public key file instead of the private key', async () => {
    const { cwd, pub } = await workspace();
    const result = await run(packCommand, cwd, '--key', pub, '--posts', 'content/posts.json', '--out', 'stick/package', '--author', 'A');
    expect(result.code).toBe(1);
    expect(result.err).toContain('not a usable private key');
  });

  it('exits 2 on bad usage', async () => {
    const { cwd, pub, key } = await workspace();
    expect((await run(packCommand, cwd, '--key', key, '--out', 'x')).code).toBe(2);
    expect((await run(packCommand, cwd, '--key', key, '--posts', 'content/posts.json', '--out', 'x', 'extra.jpg')).code).toBe(2);
    expect((await run(verifyCommand, cwd, '--trust', pub)).code).toBe(2);
    expect((await run(verifyCommand, cwd, 'somewhere')).code).toBe(2);
    expect((await run(verifyCommand, cwd, 'somewhere', '--trust', pub, '--nope')).code).toBe(2);
    const garbage = await run(verifyCommand, cwd, 'somewhere', '--trust', 'airlock-ed25519 garbage');
    expect(garbage.code).toBe(2);
    expect(garbage.err).toContain('--trust');
    expect((await run(verifyCommand, cwd, 'somewhere', '--trust', 'missing.pub')).code).toBe(2);
    expect((await run(verifyCommand, cwd, '--help')).code).toBe(0);
  });

  it('reports a folder that is not a package with exit 1', async () => {
    const { cwd, pub } = await workspace();
    const result = await run(verifyCommand, cwd, 'content', '--trust', pub);
    expect(result.code).toBe(1);
    expect(result.err).toContain('not an Airlock package');
  });
});
