// Imports from real FAT sticks into a real store: signed packages, replays, tampering, loose
// files, and a stick pulled mid-copy. After import, exiftool and ffprobe must find none of the
// revealing metadata in what the library keeps.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../common/errors.ts';
import { importFromSource, scanSource, type ImportDeps } from '../../../electron/services/imports/import-session.ts';
import { BlobStore } from '../../../electron/services/ingest/index.ts';
import { generateSigningKeyPair } from '../../../electron/services/package/keys.ts';
import { PolicySchema } from '../../../electron/services/policy/policy.ts';
import { SanitizePool } from '../../../electron/services/sanitize/sanitize-pool.ts';
import { openInlineStore, type Store } from '../../../electron/services/store/store.ts';
import type { MountedVolume } from '../../support/fat-image.ts';
import { exifTags, plainPhoto, revealingJpeg } from '../../support/image-fixtures.ts';
import { filesOf, insertStick, packageFolder } from '../../support/sticks.ts';
import { makeVideo, probeTags } from '../../support/video-fixtures.ts';

const trusted = generateSigningKeyPair();
const stranger = generateSigningKeyPair();
let fixtures: string;
let photo: string;
let video: string;
let pool: SanitizePool;
const mounted: MountedVolume[] = [];

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'airlock-import-fixtures-'));
  photo = await revealingJpeg(fixtures, 'harbour.jpg');
  video = await makeVideo(fixtures, 'clip', { faststart: true, metadata: { location: '+59.4370+024.7536/', author: 'Jane Fieldofficer', title: 'North gate' } });
  pool = new SanitizePool({ size: 1 });
});
afterAll(async () => {
  await pool.close();
});
afterEach(async () => {
  await Promise.all(mounted.splice(0).map((m) => m.unmount()));
});

async function kiosk(policy: Record<string, unknown> = {}): Promise<ImportDeps & { dataDir: string; store: Store }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-kiosk-'));
  const store = openInlineStore(path.join(dataDir, 'airlock.db'));
  const blobs = await BlobStore.open(path.join(dataDir, 'library'));
  return {
    dataDir,
    store,
    blobs,
    sanitize: pool,
    policy: PolicySchema.parse({ policyVersion: 1, packages: { signatures: 'required', trustedKeys: [trusted.publicKey.text] }, ...policy }),
    now: () => new Date(),
  };
}

async function stick(files: Record<string, Uint8Array | string>): Promise<MountedVolume> {
  const m = await insertStick(files);
  mounted.push(m);
  return m;
}

async function signedStick(keys = trusted) {
  const dir = await packageFolder(keys, {
    author: 'Comms team',
    posts: [
      {
        caption: 'Harbour day! \u202Egnp.exe\u202C #Tallinn',
        targets: ['tiktok', 'bluesky'],
        media: [{ source: photo, path: 'photos/harbour.jpg', alt: 'Boats in the\u200B harbour' }],
      },
      { caption: 'Watch the ferry', targets: ['tiktok'], scheduleAt: '2026-12-01T09:00:00.000Z', media: [{ source: video, path: 'video/clip.mp4' }] },
    ],
  });
  return { dir, files: await filesOf(dir) };
}

async function blobNames(dataDir: string): Promise<string[]> {
  const root = path.join(dataDir, 'library', 'blobs');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const prefix of await readdir(root)) for (const name of await readdir(path.join(root, prefix))) out.push(prefix + name);
  return out.sort();
}

async function refusal(promise: Promise<unknown>): Promise<AirlockError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirlockError);
  return err as AirlockError;
}

describe('importing a signed package from a real FAT stick', () => {
  it('puts clean media and draft posts in the library, with a report of what was removed', async () => {
    const k = await kiosk();
    const { files } = await signedStick();
    const m = await stick(files);
    const progress: string[] = [];
    const outcome = await importFromSource(m.dir, k, { onProgress: (p) => progress.push(p.phase) });

    expect(outcome.package).toMatchObject({ kind: 'package', status: 'trusted', signer: trusted.publicKey.fingerprint });
    expect(outcome.imported).toHaveLength(2);
    expect(outcome.postIds).toHaveLength(2);
    expect(progress).toContain('copying');
    expect(progress.at(-1)).toBe('done');

    const image = outcome.imported.find((i) => i.kind === 'image')!;
    expect(image.report.findings.map((f) => f.text)).toContain('GPS position 51.50 N, 0.12 W removed');
    const cleanPhoto = k.blobs.pathFor(image.cleanSha256);
    expect(Object.keys(exifTags(cleanPhoto)).filter((t) => /GPS|Make|Model|Serial|Artist|Creator|XMP|IPTC/.test(t))).toEqual([]);
    expect(existsSync(k.blobs.pathFor(image.thumbnailSha256!))).toBe(true);

    const clip = outcome.imported.find((i) => i.kind === 'video')!;
    expect(clip.report.findings.map((f) => f.text)).toContain('Location 59.4370 N, 24.7536 E removed');
    const tags = await probeTags(k.blobs.pathFor(clip.cleanSha256));
    expect(JSON.stringify(tags)).not.toMatch(/59\.43|Fieldofficer|North gate/);

    // The originals, which carry the metadata, are not kept.
    expect(await blobNames(k.dataDir)).toEqual([image.cleanSha256, image.thumbnailSha256!, clip.cleanSha256].sort());

    const posts = await k.store.call('posts.list', { limit: 10, offset: 0 });
    const harbour = posts.find((p) => String(p.caption).startsWith('Harbour'))!;
    expect(harbour.caption).toBe('Harbour day! gnp.exe #Tallinn');
    expect(JSON.parse(String(harbour.caption_report_json)).findings[0].text).toBe('2 text-direction control characters removed');
    expect(JSON.parse(String(harbour.targets_json))).toEqual(['tiktok', 'bluesky']);
    expect(await k.store.call('posts.media', { postId: String(harbour.id) })).toEqual([{ position: 0, media_id: image.mediaId, alt_text: 'Boats in the harbour' }]);
    expect(posts.find((p) => p.caption === 'Watch the ferry')!.schedule_at).toBe('2026-12-01T09:00:00.000Z');
    expect(await readdir(k.blobs.tmpDir)).toEqual([]);
  });

  it('refuses the same package a second time unless an administrator allows it, changing nothing', async () => {
    const k = await kiosk();
    const m = await stick((await signedStick()).files);
    await importFromSource(m.dir, k);
    const before = await blobNames(k.dataDir);

    const scan = await scanSource(m.dir, k);
    expect(scan.package).toMatchObject({ kind: 'package', alreadyImportedAt: expect.any(String) });
    const err = await refusal(importFromSource(m.dir, k));
    expect(err.code).toBe('package.replayed');
    expect(err.message).toMatch(/already imported on \d{4}-\d{2}-\d{2}/);
    expect(await k.store.call('media.count', {})).toBe(2);
    expect((await k.store.call('posts.list', { limit: 10, offset: 0 })).length).toBe(2);
    expect(await blobNames(k.dataDir)).toEqual(before);

    const again = await importFromSource(m.dir, k, { replayAllowedBy: 'Admin Anna' });
    expect(again.imported.every((i) => i.reused)).toBe(true);
    expect(await k.store.call('media.count', {})).toBe(2);
    expect((await k.store.call('posts.list', { limit: 10, offset: 0 })).length).toBe(4);
  });

  it('refuses a package signed by a key the policy does not trust, leaving the library empty', async () => {
    const k = await kiosk();
    const m = await stick((await signedStick(stranger)).files);
    const err = await refusal(importFromSource(m.dir, k));
    expect(err.code).toBe('package.untrusted-key');
    expect(await k.store.call('media.count', {})).toBe(0);
    expect(await blobNames(k.dataDir)).toEqual([]);
    expect(await k.store.call('imports.list', { limit: 5 })).toMatchObject([{ state: 'failed', error_code: 'package.untrusted-key' }]);
  });

  it('refuses a package whose photo was swapped after signing', async () => {
    const k = await kiosk();
    const { files } = await signedStick();
    const other = path.join(fixtures, 'other.jpg');
    await plainPhoto(other, 'jpeg', 64, 64);
    files['photos/harbour.jpg'] = await readFile(other);
    const m = await stick(files);
    const err = await refusal(importFromSource(m.dir, k));
    expect(err.code).toBe('package.tampered');
    expect(err.message).toContain('photos/harbour.jpg');
    expect(await blobNames(k.dataDir)).toEqual([]);
  });

  it('refuses loose files when the policy requires signed packages', async () => {
    const k = await kiosk();
    const m = await stick({ 'holiday.jpg': await readFile(photo) });
    const err = await refusal(importFromSource(m.dir, k));
    expect(err.code).toBe('package.unsigned-required');
    expect(await k.store.call('media.count', {})).toBe(0);
  });
});

describe('importing loose files where the policy allows unsigned material', () => {
  it('imports photos and videos into the library and captions as unsigned drafts; a damaged photo is rejected alone', async () => {
    const k = await kiosk({ packages: { signatures: 'optional', trustedKeys: [] } });
    const good = await readFile(photo);
    const m = await stick({
      'harbour.jpg': good,
      'clip.mp4': await readFile(video),
      'broken.jpg': good.subarray(0, 2000),
      'caption.txt': 'Ferry\u200B times \u202Etoday',
      'notes.exe': 'MZ',
    });
    const outcome = await importFromSource(m.dir, k);
    expect(outcome.package).toEqual({ kind: 'loose' });
    // FUSE FAT shows 8.3 names in capitals; FAT itself ignores case.
    expect(outcome.imported.map((i) => i.path.toLowerCase()).sort()).toEqual(['clip.mp4', 'harbour.jpg']);
    expect(outcome.rejected.map((r) => r.path.toLowerCase()).sort()).toEqual(['broken.jpg', 'notes.exe']);
    const [draft] = await k.store.call('posts.list', { limit: 10, offset: 0 });
    expect(draft).toMatchObject({ caption: 'Ferry times today', signed: 0, targets_json: '[]' });
  });
});

describe('a stick pulled out in the middle of an import', () => {
  it('leaves no blob, no temp file and no record, and the next import works', async () => {
    const k = await kiosk({ packages: { signatures: 'optional', trustedKeys: [] } });
    const big = path.join(fixtures, 'big.mp4');
    // A real clip padded to ~24 MiB with a free box, so the copy takes long enough to interrupt.
    const clip = await readFile(video);
    const pad = Buffer.alloc(24 * 1024 * 1024);
    pad.writeUInt32BE(pad.length, 0);
    pad.write('free', 4, 'latin1');
    await writeFile(big, Buffer.concat([clip, pad]));
    const files = { 'big.mp4': await readFile(big) };
    const m = await insertStick(files, { sizeKb: 40_000 });
    let pulled = false;
    const err = await refusal(
      importFromSource(m.dir, k, {
        onProgress: (p) => {
          if (!pulled && p.phase === 'copying' && p.bytesDone > 0) {
            pulled = true;
            void m.pull();
          }
        },
      }),
    );
    expect(pulled).toBe(true);
    expect(err.code).toBe('ingest.read-failed');
    expect(await blobNames(k.dataDir)).toEqual([]);
    expect(await readdir(k.blobs.tmpDir)).toEqual([]);
    expect(await k.store.call('media.count', {})).toBe(0);

    const again = await stick(files);
    const outcome = await importFromSource(again.dir, k);
    expect(outcome.imported).toHaveLength(1);
  });
});
