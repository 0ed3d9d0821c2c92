import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../common/errors.ts';
import { BlobStore } from '../../../electron/services/ingest/blob-store.ts';
import { scanVolume } from '../../../electron/services/ingest/scan.ts';
import { isMounted, makeFatImage, mountReadOnly } from '../../support/fat-image.ts';
import type { FatImage, MountedVolume } from '../../support/fat-image.ts';
import { samples } from '../../support/hostile-corpus.ts';

const MiB = 1024 * 1024;
const STICK_REMOVED = 'The stick was removed or could not be read. Nothing was imported from it; insert it again and retry.';

// 40 MiB of video-looking bytes: an MP4 header, then noise so the hash means something.
const bigVideo = Buffer.concat([samples.mp4(16), randomBytes(40 * MiB)]);
const bigSha = createHash('sha256').update(bigVideo).digest('hex');
const photo = samples.jpeg(20_000);
const caption = Buffer.from('Opening day at the new library 📚\n', 'utf8');

let work: string;
let image: FatImage;
const mounts: MountedVolume[] = [];

async function mount(): Promise<MountedVolume> {
  const volume = await mountReadOnly(image);
  mounts.push(volume);
  return volume;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name)).sort();
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'airlock-fat-stick-'));
  image = await makeFatImage(
    [
      { path: 'Launch Day/Big-video.mp4', content: bigVideo },
      { path: 'Launch Day/Front-door.jpg', content: photo },
      { path: 'Launch Day/Caption-text.txt', content: caption },
      { path: 'Empty folder', directory: true },
    ],
  );
});

afterEach(async () => {
  // Whatever a test did, no mount outlives it.
  while (mounts.length > 0) await mounts.pop()!.unmount();
});

afterAll(async () => {
  await image?.cleanup();
  await rm(work, { recursive: true, force: true });
});

describe('a real FAT stick mounted read-only through FUSE', () => {
  it('is really mounted, and really read-only', async () => {
    const volume = await mount();
    expect(await isMounted(volume.dir)).toBe(true);
    await expect(writeFile(join(volume.dir, 'planted.txt'), 'x')).rejects.toMatchObject({ code: 'EROFS' });
    await volume.unmount();
    expect(await isMounted(volume.dir)).toBe(false);
  });

  it('scans: every file accepted with the hash of its bytes', async () => {
    const volume = await mount();
    const result = await scanVolume(volume.dir);
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect(result.accepted).toEqual([
      { path: 'Launch Day/Big-video.mp4', sha256: bigSha, kind: 'video', bytes: bigVideo.length, mime: 'video/mp4' },
      { path: 'Launch Day/Caption-text.txt', sha256: sha(caption), kind: 'text', bytes: caption.length, mime: 'text/plain' },
      { path: 'Launch Day/Front-door.jpg', sha256: sha(photo), kind: 'image', bytes: photo.length, mime: 'image/jpeg' },
    ]);
    expect(result.rejected).toEqual([]);
    expect(result.totals.folders).toBe(2);
  });

  it('imports what the scan accepted, verified against the scan’s hashes', async () => {
    const volume = await mount();
    const dataDir = join(work, 'import-data');
    const store = await BlobStore.open(dataDir);
    const result = await scanVolume(volume.dir);
    for (const file of result.accepted) {
      const stored = await store.importFile(join(volume.dir, file.path), { expectedSha256: file.sha256, expectedBytes: file.bytes });
      expect(stored).toMatchObject({ sha256: file.sha256, bytes: file.bytes, deduplicated: false });
      expect(await store.verify(file.sha256)).toBe(true);
    }
    expect((await readFile(store.pathFor(bigSha))).equals(bigVideo)).toBe(true);
    expect(await readdir(store.tmpDir)).toEqual([]);
  });

  it('pulling the stick mid-copy leaves no partial blob and no temp file, and the retry succeeds', async () => {
    const dataDir = join(work, 'pull-data');
    const store = await BlobStore.open(dataDir);
    const volume = await mount();
    const source = join(volume.dir, 'Launch Day', 'Big-video.mp4');

    let pulled: Promise<void> | undefined;
    let copiedWhenPulled = 0;
    let lastProgress = 0;
    const attempt = store.importFile(source, {
      expectedSha256: bigSha,
      expectedBytes: bigVideo.length,
      onProgress: (done) => {
        lastProgress = done;
        if (pulled === undefined && done >= 4 * MiB) {
          copiedWhenPulled = done;
          pulled = volume.pull();
        }
      },
    });
    const error = await attempt.then(
      () => undefined,
      (err: unknown) => err,
    );
    await pulled;

    expect(pulled).toBeDefined();
    expect(error).toBeInstanceOf(AirlockError);
    expect(error).toMatchObject({ code: 'ingest.read-failed', message: STICK_REMOVED });
    // Bytes really were being copied, and the copy really did not finish.
    expect(copiedWhenPulled).toBeGreaterThanOrEqual(4 * MiB);
    expect(lastProgress).toBeLessThan(bigVideo.length);
    expect(await filesUnder(dataDir)).toEqual([]);
    expect(await store.has(bigSha)).toBe(false);

    // Staff insert the stick again; the kiosk may even have restarted in between.
    const reopened = await BlobStore.open(dataDir);
    const again = await mount();
    const stored = await reopened.importFile(join(again.dir, 'Launch Day', 'Big-video.mp4'), {
      expectedSha256: bigSha,
      expectedBytes: bigVideo.length,
    });
    expect(stored).toMatchObject({ sha256: bigSha, bytes: bigVideo.length, deduplicated: false });
    expect((await readFile(stored.path)).equals(bigVideo)).toBe(true);
    expect(await filesUnder(dataDir)).toEqual([stored.path]);
  });

  it('pulling the stick mid-scan ends the scan with the stick-removed message', async () => {
    const volume = await mount();
    let pulled: Promise<void> | undefined;
    const error = await scanVolume(volume.dir, {}, {
      onProgress: (p) => {
        if (pulled === undefined && p.bytesHashed >= 4 * MiB) pulled = volume.pull();
      },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    await pulled;
    expect(pulled).toBeDefined();
    expect(error).toMatchObject({ code: 'ingest.read-failed', message: STICK_REMOVED });
  });
});
