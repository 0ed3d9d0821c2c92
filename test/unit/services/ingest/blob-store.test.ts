import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { BlobStore } from '../../../../electron/services/ingest/blob-store.ts';

let work: string;
let dataDir: string;
let source: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'airlock-blobs-'));
  dataDir = join(work, 'data');
  source = join(work, 'stick');
  await mkdir(source);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const sha256 = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

async function stickFile(name: string, content: Buffer): Promise<string> {
  const file = join(source, name);
  await writeFile(file, content);
  return file;
}

/** Every file under the data dir, relative. */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

function random(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 65536) {
    createHash('sha256').update(String(i)).digest().copy(out, i);
  }
  return out;
}

async function refusal(promise: Promise<unknown>): Promise<AirlockError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirlockError);
  return err as AirlockError;
}

describe('BlobStore', () => {
  it('stores a file under blobs/ab/cdef… named by its SHA-256, read-only, with nothing left in tmp', async () => {
    const content = random(3 * 1024 * 1024 + 17);
    const digest = sha256(content);
    const store = await BlobStore.open(dataDir);

    const stored = await store.importFile(await stickFile('clip.mp4', content));

    expect(stored).toEqual({
      sha256: digest,
      bytes: content.length,
      path: join(dataDir, 'blobs', digest.slice(0, 2), digest.slice(2)),
      deduplicated: false,
    });
    expect((await readFile(stored.path)).equals(content)).toBe(true);
    expect((await stat(stored.path)).mode & 0o777).toBe(0o444);
    expect(await filesIn(dataDir)).toEqual([join('blobs', digest.slice(0, 2), digest.slice(2))]);
    expect(await store.has(digest)).toBe(true);
    expect(await store.verify(digest)).toBe(true);
  });

  it('reports progress in bytes, ending at the file size', async () => {
    const content = random(5 * 1024 * 1024);
    const store = await BlobStore.open(dataDir);
    const progress: Array<[number, number]> = [];
    await store.importFile(await stickFile('a.bin', content), { onProgress: (done, total) => progress.push([done, total]) });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every(([, total]) => total === content.length)).toBe(true);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([content.length, content.length]);
  });

  it('accepts a copy that matches the expected hash and size', async () => {
    const content = random(100_000);
    const store = await BlobStore.open(dataDir);
    const stored = await store.importFile(await stickFile('a.jpg', content), { expectedSha256: sha256(content).toUpperCase(), expectedBytes: content.length });
    expect(stored.sha256).toBe(sha256(content));
  });

  it('refuses a copy whose hash differs, keeping no blob and no temp file', async () => {
    const store = await BlobStore.open(dataDir);
    const err = await refusal(store.importFile(await stickFile('a.jpg', random(10_000)), { expectedSha256: sha256(Buffer.from('other')) }));
    expect(err.code).toBe('ingest.hash-mismatch');
    expect(err.message).toMatch(/Nothing was imported/);
    expect(await filesIn(dataDir)).toEqual([]);
  });

  it('refuses a file whose size differs from what the scan saw', async () => {
    const store = await BlobStore.open(dataDir);
    const err = await refusal(store.importFile(await stickFile('a.jpg', random(10_000)), { expectedBytes: 9_999 }));
    expect(err.code).toBe('ingest.hash-mismatch');
    expect(await filesIn(dataDir)).toEqual([]);
  });

  it('deduplicates content it already holds, yet still reads and verifies the source', async () => {
    const content = random(200_000);
    const store = await BlobStore.open(dataDir);
    const first = await store.importFile(await stickFile('a.jpg', content));
    const before = await stat(first.path, { bigint: true });

    const progress: number[] = [];
    const second = await store.importFile(await stickFile('copy.jpg', content), {
      expectedSha256: first.sha256,
      onProgress: (done) => progress.push(done),
    });
    expect(second).toEqual({ ...first, deduplicated: true });
    expect(progress.at(-1)).toBe(content.length);
    expect((await stat(first.path, { bigint: true })).mtimeNs).toBe(before.mtimeNs);

    // Same name claimed, different bytes on the stick: refused, stored blob untouched.
    const liar = await stickFile('liar.jpg', random(200_001).subarray(1));
    const err = await refusal(store.importFile(liar, { expectedSha256: first.sha256 }));
    expect(err.code).toBe('ingest.hash-mismatch');
    expect(await store.verify(first.sha256)).toBe(true);

    // Without an expected hash the copy is made, then dropped as a duplicate.
    const third = await store.importFile(await stickFile('again.jpg', content));
    expect(third.deduplicated).toBe(true);
    expect(await filesIn(join(dataDir, 'tmp'))).toEqual([]);
  });

  it('removes stale temp files on open, so an interrupted import resumes cleanly', async () => {
    await mkdir(join(dataDir, 'tmp', 'odd-folder'), { recursive: true });
    await writeFile(join(dataDir, 'tmp', 'crashed-import.part'), random(4096));
    await writeFile(join(dataDir, 'tmp', 'odd-folder', 'x'), 'x');

    const store = await BlobStore.open(dataDir);
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);

    const content = random(4096);
    const stored = await store.importFile(await stickFile('retry.jpg', content));
    expect((await readFile(stored.path)).equals(content)).toBe(true);
  });

  it('stops when cancelled mid-copy and leaves nothing behind', async () => {
    const content = random(8 * 1024 * 1024);
    const store = await BlobStore.open(dataDir);
    const controller = new AbortController();
    const err = await refusal(
      store.importFile(await stickFile('big.mp4', content), {
        onProgress: (done) => {
          if (done >= 2 * 1024 * 1024) controller.abort();
        },
        signal: controller.signal,
      }),
    );
    expect(err.code).toBe('ingest.cancelled');
    expect(await filesIn(dataDir)).toEqual([]);
  });

  it('never follows a symlink on the stick', async () => {
    const store = await BlobStore.open(dataDir);
    await symlink('/etc/passwd', join(source, 'passwd.txt'));
    const err = await refusal(store.importFile(join(source, 'passwd.txt')));
    expect(err.code).toBe('ingest.symlink');
    expect(await filesIn(dataDir)).toEqual([]);
  });

  it('refuses a FIFO without hanging on it', async () => {
    const store = await BlobStore.open(dataDir);
    execFileSync('mkfifo', [join(source, 'pipe.txt')]);
    const err = await refusal(store.importFile(join(source, 'pipe.txt')));
    expect(err.code).toBe('ingest.special-file');
  });

  it('turns a missing source into the stick-removed message', async () => {
    const store = await BlobStore.open(dataDir);
    const err = await refusal(store.importFile(join(source, 'gone.jpg')));
    expect(err.code).toBe('ingest.read-failed');
    expect(err.message).toBe('The stick was removed or could not be read. Nothing was imported from it; insert it again and retry.');
  });

  it('reports a blob that no longer matches its name', async () => {
    const store = await BlobStore.open(dataDir);
    const stored = await store.importFile(await stickFile('a.jpg', random(1000)));
    await chmod(stored.path, 0o644);
    await writeFile(stored.path, 'tampered');
    expect(await store.verify(stored.sha256)).toBe(false);
    expect(await store.verify('0'.repeat(64))).toBe(false);
  });

  it('adopts a file another step wrote into tmp: hashed, read-only, renamed into place', async () => {
    const store = await BlobStore.open(dataDir);
    const content = random(300_000);
    const temp = join(store.tmpDir, 'clean-1.jpg');
    await writeFile(temp, content);

    const adopted = await store.adoptFile(temp);
    expect(adopted).toEqual({ sha256: sha256(content), bytes: content.length, path: store.pathFor(sha256(content)), deduplicated: false });
    expect((await stat(adopted.path)).mode & 0o777).toBe(0o444);
    expect(await readdir(store.tmpDir)).toEqual([]);

    // The same bytes again: deduplicated, and the temp file still goes.
    await writeFile(join(store.tmpDir, 'clean-2.jpg'), content);
    expect(await store.adoptFile(join(store.tmpDir, 'clean-2.jpg'))).toMatchObject({ deduplicated: true });
    expect(await readdir(store.tmpDir)).toEqual([]);
  });

  it('adopts only files from its own temp folder', async () => {
    const store = await BlobStore.open(dataDir);
    const outside = await stickFile('elsewhere.jpg', random(100));
    await expect(store.adoptFile(outside)).rejects.toThrow(RangeError);
    await expect(store.adoptFile(join(store.tmpDir, '..', 'blobs', 'x'))).rejects.toThrow(RangeError);
    expect((await stat(outside)).isFile()).toBe(true);
  });

  it('removes a blob, and treats a missing one as already removed', async () => {
    const store = await BlobStore.open(dataDir);
    const stored = await store.importFile(await stickFile('a.jpg', random(1000)));
    await store.remove(stored.sha256);
    expect(await store.has(stored.sha256)).toBe(false);
    await expect(store.remove(stored.sha256)).resolves.toBeUndefined();
  });

  it('refuses anything but a SHA-256 hex digest as a blob name', () => {
    const store = new BlobStore(dataDir);
    expect(() => store.pathFor('../../etc/passwd')).toThrow(RangeError);
    expect(() => store.pathFor('ab')).toThrow(RangeError);
  });
});
