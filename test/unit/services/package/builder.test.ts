import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { buildPackage, readPostsFile } from '../../../../electron/services/package/builder.ts';
import type { PackagePlan } from '../../../../electron/services/package/builder.ts';
import { copyFileHashed, hashFile } from '../../../../electron/services/package/file-digest.ts';
import { generateSigningKeyPair } from '../../../../electron/services/package/keys.ts';
import { canonicalJson } from '../../../../electron/services/package/canonical-json.ts';
import { readPackage } from '../../../../electron/services/package/reader.ts';
import { removeTempDirs, sampleBytes, tempDir, writeMedia } from './package-fixtures.ts';

afterEach(removeTempDirs);

async function planIn(root: string): Promise<PackagePlan> {
  await writeMedia(root, { 'z.jpg': sampleBytes(100, 1), 'a/b.jpg': sampleBytes(200, 2) });
  return {
    author: 'Comms team',
    posts: [
      { caption: 'one', targets: ['tiktok'], media: [{ source: path.join(root, 'z.jpg'), path: 'z.jpg', alt: 'zed' }] },
      { caption: 'two', targets: ['x', 'linkedin'], media: [{ source: path.join(root, 'a', 'b.jpg'), path: 'a/b.jpg' }, { source: path.join(root, 'z.jpg'), path: 'z.jpg' }] },
    ],
  };
}

async function failure(promise: Promise<unknown>): Promise<AirlockError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AirlockError);
    return err as AirlockError;
  }
  throw new Error('expected pack to fail');
}

describe('buildPackage', () => {
  it('copies each media file once, lists sizes and hashes, and writes canonical signed bytes', async () => {
    const root = await tempDir('build');
    const keys = generateSigningKeyPair();
    const outDir = path.join(root, 'out');
    const built = await buildPackage({
      outDir,
      keys,
      plan: await planIn(root),
      now: () => new Date('2030-05-06T07:08:09.000Z'),
      newPackageId: () => '3f0c1a5e-8d2b-4c7a-9e1f-0a1b2c3d4e5f',
    });
    expect(built.manifest.files).toEqual([
      { path: 'a/b.jpg', size: 200, sha256: createHash('sha256').update(sampleBytes(200, 2)).digest('hex') },
      { path: 'z.jpg', size: 100, sha256: createHash('sha256').update(sampleBytes(100, 1)).digest('hex') },
    ]);
    expect(built.manifest.createdAt).toBe('2030-05-06T07:08:09.000Z');
    expect((await readdir(outDir)).sort()).toEqual(['a', 'manifest.json', 'manifest.sig', 'z.jpg']);
    expect(await readFile(path.join(outDir, 'manifest.json'), 'utf8')).toBe(canonicalJson(built.manifest));
    const contents = await readPackage(outDir, { trustedKeys: [keys.publicKey] });
    expect(contents.manifest.packageId).toBe('3f0c1a5e-8d2b-4c7a-9e1f-0a1b2c3d4e5f');
  });

  it('refuses a destination that already holds files and leaves it untouched', async () => {
    const root = await tempDir('build');
    const outDir = path.join(root, 'out');
    await mkdir(outDir);
    await writeFile(path.join(outDir, 'keep.txt'), 'mine');
    const err = await failure(buildPackage({ outDir, keys: generateSigningKeyPair(), plan: await planIn(root) }));
    expect(err.code).toBe('package.exists');
    expect(await readdir(outDir)).toEqual(['keep.txt']);
  });

  it('fills an existing empty destination folder', async () => {
    const root = await tempDir('build');
    const outDir = path.join(root, 'out');
    await mkdir(outDir);
    await buildPackage({ outDir, keys: generateSigningKeyPair(), plan: await planIn(root) });
    expect(await readdir(outDir)).toContain('manifest.sig');
  });

  it('leaves no package and no partial folder behind when a copy fails half-way', async () => {
    const root = await tempDir('build');
    const outDir = path.join(root, 'out');
    let copies = 0;
    const err = await failure(
      buildPackage({
        outDir,
        keys: generateSigningKeyPair(),
        plan: await planIn(root),
        copyFile: async (source, target) => {
          copies += 1;
          if (copies === 2) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
          return copyFileHashed(source, target);
        },
      }),
    );
    expect(copies).toBe(2);
    expect(err.code).toBe('package.write-failed');
    expect(err.message).toContain('not enough space');
    expect((await readdir(root)).sort()).toEqual(['a', 'z.jpg']);
  });

  it('refuses a missing media file before writing anything', async () => {
    const root = await tempDir('build');
    const plan = await planIn(root);
    plan.posts[1]!.media[0]!.source = path.join(root, 'missing.jpg');
    const err = await failure(buildPackage({ outDir: path.join(root, 'out'), keys: generateSigningKeyPair(), plan }));
    expect(err.code).toBe('package.media-missing');
    expect((await readdir(root)).sort()).toEqual(['a', 'z.jpg']);
  });

  it('refuses two different files that would land on the same package path', async () => {
    const root = await tempDir('build');
    const plan = await planIn(root);
    plan.posts[1]!.media[0]!.path = 'z.jpg';
    const err = await failure(buildPackage({ outDir: path.join(root, 'out'), keys: generateSigningKeyPair(), plan }));
    expect(err.code).toBe('package.posts-invalid');
    expect(err.message).toContain('z.jpg');
  });

  it('refuses a destination whose parent folder does not exist', async () => {
    const root = await tempDir('build');
    const err = await failure(buildPackage({ outDir: path.join(root, 'no-stick', 'out'), keys: generateSigningKeyPair(), plan: await planIn(root) }));
    expect(err.code).toBe('package.write-failed');
    expect(err.message).toContain('does not exist');
  });

  it('refuses posts the manifest could not hold, before copying', async () => {
    const root = await tempDir('build');
    const plan = await planIn(root);
    plan.posts[0]!.caption = 'x'.repeat(20_000);
    const err = await failure(buildPackage({ outDir: path.join(root, 'out'), keys: generateSigningKeyPair(), plan }));
    expect(err.code).toBe('package.posts-invalid');
  });
});

describe('readPostsFile', () => {
  it('resolves media next to the posts file and keeps their relative paths', async () => {
    const root = await tempDir('posts');
    const postsFile = path.join(root, 'posts.json');
    await writeFile(
      postsFile,
      JSON.stringify({
        author: 'File author',
        posts: [{ caption: 'c', targets: ['tiktok'], scheduleAt: '2030-01-01T10:00:00Z', media: ['photos\\a.jpg', { file: 'b.jpg', alt: 'bee' }] }],
      }),
    );
    const plan = await readPostsFile(postsFile, 'Flag author');
    expect(plan.author).toBe('Flag author');
    expect(plan.posts[0]).toEqual({
      caption: 'c',
      targets: ['tiktok'],
      scheduleAt: '2030-01-01T10:00:00Z',
      media: [
        { source: path.join(root, 'photos', 'a.jpg'), path: 'photos/a.jpg' },
        { source: path.join(root, 'b.jpg'), path: 'b.jpg', alt: 'bee' },
      ],
    });
  });

  it.each([
    ['media outside the folder', { author: 'a', posts: [{ targets: ['tiktok'], media: ['../secret.jpg'] }] }, 'outside'],
    ['an unknown platform', { author: 'a', posts: [{ caption: 'c', targets: ['friendster'] }] }, 'targets'],
    ['no author', { posts: [{ caption: 'c', targets: ['tiktok'] }] }, '--author'],
    ['a misspelt field', { author: 'a', posts: [{ caption: 'c', target: ['tiktok'] }] }, 'target'],
  ])('explains %s in plain words', async (_label, content, hint) => {
    const root = await tempDir('posts');
    const postsFile = path.join(root, 'posts.json');
    await writeFile(postsFile, JSON.stringify(content));
    const err = await failure(readPostsFile(postsFile));
    expect(err.code).toBe('package.posts-invalid');
    expect(err.message).toContain('posts.json');
    expect(err.message).toContain(hint);
  });

  it('explains broken JSON', async () => {
    const root = await tempDir('posts');
    const postsFile = path.join(root, 'posts.json');
    await writeFile(postsFile, '{"posts": [');
    expect((await failure(readPostsFile(postsFile))).message).toContain('not valid JSON');
  });
});

describe('hashFile', () => {
  it.each([0, 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 7])('matches a one-shot SHA-256 for %i bytes', async (size) => {
    const root = await tempDir('hash');
    const file = path.join(root, 'f.bin');
    const bytes = sampleBytes(size, 9);
    await writeFile(file, bytes);
    expect(await hashFile(file)).toEqual({ size, sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('stops at the byte budget it is given', async () => {
    const root = await tempDir('hash');
    const file = path.join(root, 'f.bin');
    await writeFile(file, sampleBytes(5000));
    expect((await hashFile(file, 1000)).size).toBe(1000);
  });
});
