import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { BlobStore } from '../../../../electron/services/ingest/blob-store.ts';
import { scanVolume } from '../../../../electron/services/ingest/scan.ts';
import type { ScanProgress } from '../../../../electron/services/ingest/scan.ts';
import { buildFileFlood, samples } from '../../../support/hostile-corpus.ts';

let work: string;
let stick: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'airlock-scan-'));
  stick = join(work, 'stick');
  await mkdir(stick);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function put(path: string, content: Buffer | string): Promise<void> {
  const file = join(stick, ...path.split('/'));
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, content);
}

const sha256 = (content: Buffer | string): string => createHash('sha256').update(content).digest('hex');

/** Every item under `dir`, with the metadata a write would change. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (abs: string, rel: string): Promise<void> => {
    for (const name of (await readdir(abs)).sort()) {
      const child = join(abs, name);
      const s = await lstat(child, { bigint: true });
      // Directory atimes move on every readdir (relatime), so only file atimes are compared.
      const atime = s.isDirectory() ? '' : String(s.atimeNs);
      out[`${rel}${name}`] = [s.mode, s.size, s.mtimeNs, s.ctimeNs, atime, s.ino].join(' ');
      if (s.isDirectory()) await visit(child, `${rel}${name}/`);
    }
  };
  await visit(dir, '');
  return out;
}

describe('scanVolume', () => {
  it('returns the CLI JSON shape: relative forward-slash paths, hashes, kinds, sizes', async () => {
    const photo = samples.jpeg(1000);
    const clip = samples.mp4(4096);
    await put('Launch photo.jpg', photo);
    await put('Day 1/Clips/opening.mp4', clip);
    await put('Day 1/caption.txt', 'Opening day!\n');
    await put('Day 1/notes.pdf', samples.pdf());

    const result = await scanVolume(stick);

    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(Object.keys(result).sort()).toEqual(['accepted', 'rejected', 'totals']);
    expect(result.accepted).toEqual([
      { path: 'Day 1/Clips/opening.mp4', sha256: sha256(clip), kind: 'video', bytes: clip.length, mime: 'video/mp4' },
      { path: 'Day 1/caption.txt', sha256: sha256('Opening day!\n'), kind: 'text', bytes: 13, mime: 'text/plain' },
      { path: 'Launch photo.jpg', sha256: sha256(photo), kind: 'image', bytes: photo.length, mime: 'image/jpeg' },
    ]);
    expect(result.rejected).toEqual([
      expect.objectContaining({ path: 'Day 1/notes.pdf', code: 'ingest.type-not-allowed', reason: expect.stringMatching(/^This is a PDF document\./) }),
    ]);
    expect(result.totals).toEqual({
      accepted: 3,
      acceptedBytes: photo.length + clip.length + 13,
      rejected: 1,
      skipped: 0,
      filesExamined: 4,
      folders: 2,
      entriesSeen: 6,
    });
    expect(result.truncated).toBeUndefined();
  });

  it('writes nothing: the stick and the data folder are byte-for-byte and timestamp-for-timestamp unchanged', async () => {
    await put('a.jpg', samples.jpeg());
    await put('sub/b.png', samples.png());
    await put('sub/deeper/c.txt', 'caption');
    await put('sub/deeper/bad.jpg', samples.pe());
    await put('.hidden/x.jpg', samples.jpeg());
    const dataDir = join(work, 'data');
    await BlobStore.open(dataDir);
    // Let the clock move on, so any write would show as a new timestamp.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stickBefore = await snapshot(stick);
    const dataBefore = await snapshot(dataDir);
    const workBefore = (await readdir(work)).sort();

    const result = await scanVolume(stick);
    expect(result.totals.accepted).toBe(3);

    expect(await snapshot(stick)).toEqual(stickBefore);
    expect(await snapshot(dataDir)).toEqual(dataBefore);
    expect((await readdir(work)).sort()).toEqual(workBefore);
  });

  it('refuses zero-byte files', async () => {
    await put('empty.jpg', Buffer.alloc(0));
    const result = await scanVolume(stick);
    expect(result.rejected).toEqual([
      { path: 'empty.jpg', code: 'ingest.empty', reason: 'The file is empty (0 bytes).', bytes: 0 },
    ]);
  });

  it('skips hidden and system items with a reason and never looks inside them', async () => {
    await put('.Trashes/501/secret.jpg', samples.jpeg());
    await put('System Volume Information/IndexerVolumeGuid', 'x');
    await put('.DS_Store', 'x');
    await put('keep.jpg', samples.jpeg());
    const result = await scanVolume(stick);
    expect(result.accepted.map((a) => a.path)).toEqual(['keep.jpg']);
    expect(result.rejected.map((r) => [r.path, r.code, r.skipped])).toEqual([
      ['.DS_Store', 'ingest.hidden', true],
      ['.Trashes', 'ingest.system-file', true],
      ['System Volume Information', 'ingest.system-file', true],
    ]);
    expect(result.totals).toMatchObject({ skipped: 3, rejected: 0, entriesSeen: 4 });
  });

  it('does not enter folders deeper than maxDepth, and says which', async () => {
    await put('a/b/ok.jpg', samples.jpeg());
    await put('a/b/c/too-deep.jpg', samples.jpeg());
    const result = await scanVolume(stick, { maxDepth: 2 });
    expect(result.accepted.map((a) => a.path)).toEqual(['a/b/ok.jpg']);
    expect(result.rejected).toEqual([expect.objectContaining({ path: 'a/b/c', code: 'ingest.too-deep', params: { depth: expect.any(Number) } })]);
  });

  it('stops quickly after maxFiles on a stick of 10,000 tiny files, and says so', async () => {
    await buildFileFlood(stick, 10_000);
    const started = performance.now();
    const result = await scanVolume(stick);
    const elapsed = performance.now() - started;

    expect(result.truncated).toEqual({
      code: 'ingest.too-many-files',
      reason: 'This stick has more than 2,000 files. Airlock stopped looking; put fewer files on the stick.',
    });
    expect(result.totals.filesExamined).toBe(2000);
    expect(result.accepted).toHaveLength(2000);
    expect(elapsed).toBeLessThan(15_000);
  });

  it('stops after maxEntries even when every name is skippable clutter', async () => {
    await buildFileFlood(stick, 3000, { hidden: true });
    const result = await scanVolume(stick, { maxEntries: 1000 });
    expect(result.truncated?.code).toBe('ingest.too-many-entries');
    expect(result.totals.entriesSeen).toBe(1000);
    // The folder is abandoned at the limit rather than half-reported.
    expect(result.rejected).toEqual([]);
  });

  it('stops before the total size limit would be passed', async () => {
    await put('1.jpg', samples.jpeg(1000));
    await put('2.jpg', samples.jpeg(1000));
    await put('3.jpg', samples.jpeg(1000));
    const result = await scanVolume(stick, { maxTotalBytes: 2500 });
    expect(result.accepted.map((a) => a.path)).toEqual(['1.jpg', '2.jpg']);
    expect(result.truncated?.code).toBe('ingest.too-much-data');
  });

  it('applies the per-kind size limits the policy passes, without hashing the giant', async () => {
    await put('big.jpg', samples.jpeg(5000));
    await put('caption.txt', 'x'.repeat(200));
    const result = await scanVolume(stick, { maxBytes: { image: 4096, text: 100 } });
    expect(result.rejected).toEqual([
      expect.objectContaining({ path: 'big.jpg', code: 'ingest.too-large', reason: 'This photo is 4.9 KB; the limit is 4 KB.', params: { bytes: 5022, limit: 4096 }, kind: 'image' }),
      expect.objectContaining({ path: 'caption.txt', code: 'ingest.too-large', kind: 'text' }),
    ]);
  });

  it('accepts HEIC only when the caller says it can be decoded', async () => {
    await put('IMG_0001.HEIC', samples.heic());
    const refused = await scanVolume(stick);
    expect(refused.rejected[0]).toMatchObject({ code: 'ingest.heic-unsupported', kind: 'image', mime: 'image/heic' });
    const accepted = await scanVolume(stick, {}, { heicDecoding: true });
    expect(accepted.accepted[0]).toMatchObject({ kind: 'image', mime: 'image/heic' });
  });

  it('checks a whole caption, not just its start, for invalid UTF-8', async () => {
    await put('late-damage.txt', Buffer.concat([Buffer.from('a'.repeat(3 * 1024 * 1024 / 4)), Buffer.from([0xff])]));
    const result = await scanVolume(stick);
    expect(result.rejected[0]).toMatchObject({ code: 'ingest.bad-text' });
  });

  it('reports progress in bytes hashed', async () => {
    await put('a.mp4', samples.mp4(3 * 1024 * 1024));
    const seen: ScanProgress[] = [];
    await scanVolume(stick, {}, { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toMatchObject({ path: 'a.mp4', bytesHashed: samples.mp4(3 * 1024 * 1024).length });
  });

  it('can be cancelled', async () => {
    await put('a.jpg', samples.jpeg());
    const controller = new AbortController();
    controller.abort();
    await expect(scanVolume(stick, {}, { signal: controller.signal })).rejects.toMatchObject({ code: 'ingest.cancelled' });
  });

  it('refuses a root that is missing, a file, or a symlink', async () => {
    await writeFile(join(work, 'file'), 'x');
    await symlink(stick, join(work, 'link'));
    for (const root of [join(work, 'missing'), join(work, 'file'), join(work, 'link')]) {
      const error = await scanVolume(root).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(AirlockError);
      expect(error).toMatchObject({ code: 'ingest.not-a-folder' });
    }
  });
});
