import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { openDatabase, schemaVersion } from '../../../../electron/services/store/database.ts';
import { LATEST_SCHEMA_VERSION } from '../../../../electron/services/store/migrations.ts';
import type { ImportCommit, MediaRecord } from '../../../../electron/services/store/repositories.ts';
import { openInlineStore, openWorkerStore } from '../../../../electron/services/store/store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-store-'));
});

const media = (n: number, session = 's1'): MediaRecord => ({
  id: `m${n}`,
  kind: 'image',
  format: 'jpeg',
  originalSha256: `orig${n}`.padEnd(64, '0'),
  originalName: `photo${n}.jpg`,
  cleanSha256: `clean${n}`.padEnd(64, '0'),
  cleanBytes: 1000,
  thumbnailSha256: null,
  width: 10,
  height: 10,
  durationMs: null,
  reportJson: '{"mediaKind":"image","findings":[],"warnings":[]}',
  importSessionId: session,
  createdAt: '2026-11-21T10:00:00.000Z',
});

const commit = (overrides: Partial<ImportCommit> = {}): ImportCommit => ({
  sessionId: 's1',
  finishedAt: '2026-11-21T10:01:00.000Z',
  package: { packageId: 'pkg-1', manifestSha256: 'a'.repeat(64), status: 'trusted', signerFingerprint: 'SHA256:abc', replayOverrideBy: null },
  media: [media(1), media(2)],
  posts: [
    {
      id: 'p1',
      caption: 'Hello',
      captionReportJson: '{}',
      targets: ['tiktok'],
      scheduleAt: null,
      origin: 'package',
      originPackageId: 'pkg-1',
      signed: true,
      media: [
        { originalSha256: media(1).originalSha256, altText: 'A harbour' },
        { originalSha256: media(2).originalSha256, altText: null },
      ],
    },
  ],
  acceptedCount: 2,
  rejectedCount: 0,
  resultJson: '{}',
  ...overrides,
});

const begin = { id: 's1', startedAt: '2026-11-21T10:00:00.000Z', sourcePath: '/media/stick', volume: { id: 'v1', label: 'STICK', uuid: '1234-ABCD', serial: null } };

describe('database', () => {
  it('opens in WAL mode with foreign keys and the latest schema', () => {
    const db = openDatabase(path.join(dir, 'airlock.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    db.close();
    // Reopening does not re-run migrations.
    expect(schemaVersion(openDatabase(path.join(dir, 'airlock.db')))).toBe(LATEST_SCHEMA_VERSION);
  });

  it('refuses a database written by a newer Airlock, leaving it untouched', () => {
    const file = path.join(dir, 'newer.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(AirlockError);
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 5);
    expect(check.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get()).toEqual({ n: 0 });
  });
});

describe.each([
  ['inline', (file: string) => Promise.resolve(openInlineStore(file))],
  ['worker thread', (file: string) => openWorkerStore(file)],
])('store (%s)', (_name, open) => {
  it('commits an import as one unit and finds the package for replay checks', async () => {
    const store = await open(path.join(dir, 'a.db'));
    await store.call('imports.begin', begin);
    const result = await store.call('imports.commit', commit());
    expect(result.postIds).toEqual(['p1']);
    expect(await store.call('media.count', {})).toBe(2);
    expect(await store.call('packages.find', { packageId: 'pkg-1' })).toMatchObject({ volume_uuid: '1234-ABCD', signer_fingerprint: 'SHA256:abc' });
    expect(await store.call('posts.media', { postId: 'p1' })).toEqual([
      { position: 0, media_id: 'm1', alt_text: 'A harbour' },
      { position: 1, media_id: 'm2', alt_text: null },
    ]);
    expect(await store.call('imports.get', { id: 's1' })).toMatchObject({ state: 'complete', package_status: 'trusted' });
    await store.close();
  });

  it('leaves nothing behind when any part of an import fails to commit', async () => {
    const store = await open(path.join(dir, 'b.db'));
    await store.call('imports.begin', begin);
    const broken = commit();
    broken.posts[0]!.media.push({ originalSha256: 'f'.repeat(64), altText: null });
    await expect(store.call('imports.commit', broken)).rejects.toBeInstanceOf(AirlockError);
    expect(await store.call('media.count', {})).toBe(0);
    expect(await store.call('posts.list', { limit: 10, offset: 0 })).toEqual([]);
    expect(await store.call('packages.find', { packageId: 'pkg-1' })).toBeNull();
    expect(await store.call('imports.get', { id: 's1' })).toMatchObject({ state: 'running' });
    await store.close();
  });

  it('reuses media already in the library instead of duplicating it', async () => {
    const store = await open(path.join(dir, 'c.db'));
    await store.call('imports.begin', begin);
    await store.call('imports.commit', commit());
    await store.call('imports.begin', { ...begin, id: 's2' });
    const again = await store.call('imports.commit', commit({ sessionId: 's2', package: null, media: [{ ...media(1, 's2'), id: 'm1-again' }], posts: [] }));
    expect(again.mediaIds[media(1).originalSha256]).toBe('m1');
    expect(await store.call('media.count', {})).toBe(2);
    await store.close();
  });

  it('marks imports interrupted by a crash as failed', async () => {
    const file = path.join(dir, 'd.db');
    const first = await open(file);
    await first.call('imports.begin', begin);
    await first.close();
    const second = await open(file);
    expect(await second.call('imports.recoverInterrupted', { finishedAt: '2026-11-21T11:00:00.000Z' })).toBe(1);
    expect(await second.call('imports.get', { id: 's1' })).toMatchObject({ state: 'failed', error_code: 'ingest.interrupted' });
    await second.close();
  });
});
