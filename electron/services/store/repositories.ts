// Every read and write Airlock makes to its database, as named functions of (db, args). They
// run on the thread that owns the connection; Store calls them by name from anywhere.
import { auditRepositories } from '../audit/audit-repositories.ts';
import { postRepositories } from '../posts/posts-repositories.ts';
import { publishRepositories } from '../publish/publish-repositories.ts';
import { staffRepositories } from '../staff/staff-repositories.ts';
import type { Db } from './database.ts';
import type { Repository } from './group-commit.ts';

export interface ImportSessionStart {
  id: string;
  startedAt: string;
  sourcePath: string;
  volume: { id: string | null; label: string | null; uuid: string | null; serial: string | null } | null;
}

export interface MediaRecord {
  id: string;
  kind: 'image' | 'video';
  format: string;
  originalSha256: string;
  originalName: string;
  cleanSha256: string;
  cleanBytes: number;
  thumbnailSha256: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  reportJson: string;
  importSessionId: string;
  createdAt: string;
}

export interface DraftPostRecord {
  id: string;
  caption: string;
  captionReportJson: string;
  targets: string[];
  scheduleAt: string | null;
  origin: 'package' | 'kiosk';
  originPackageId: string | null;
  signed: boolean;
  media: { originalSha256: string; altText: string | null }[];
}

export interface ImportCommit {
  sessionId: string;
  finishedAt: string;
  package: {
    packageId: string;
    manifestSha256: string;
    status: 'trusted' | 'unsigned';
    signerFingerprint: string | null;
    replayOverrideBy: string | null;
  } | null;
  media: MediaRecord[];
  posts: DraftPostRecord[];
  acceptedCount: number;
  rejectedCount: number;
  resultJson: string;
}

export interface ImportedPackageRow {
  package_id: string;
  manifest_sha256: string;
  signer_fingerprint: string | null;
  import_session_id: string;
  volume_uuid: string | null;
  volume_serial: string | null;
  volume_label: string | null;
  imported_at: string;
}

const importRepositories = {
  'imports.begin': (db: Db, s: ImportSessionStart): void => {
    db.prepare(
      `INSERT INTO import_sessions (id, started_at, state, source_path, volume_id, volume_label, volume_uuid, volume_serial)
       VALUES (?, ?, 'running', ?, ?, ?, ?, ?)`,
    ).run(s.id, s.startedAt, s.sourcePath, s.volume?.id ?? null, s.volume?.label ?? null, s.volume?.uuid ?? null, s.volume?.serial ?? null);
  },

  'imports.fail': (db: Db, a: { id: string; finishedAt: string; errorCode: string; errorDetail: string | null; resultJson: string | null }): void => {
    db.prepare(`UPDATE import_sessions SET state = 'failed', finished_at = ?, error_code = ?, error_detail = ?, result_json = ? WHERE id = ? AND state = 'running'`).run(
      a.finishedAt,
      a.errorCode,
      a.errorDetail,
      a.resultJson,
      a.id,
    );
  },

  /**
   * Everything an import adds, in one transaction: the clean media, the draft posts, the
   * package's replay record and the session's outcome. Either all of it is there or none.
   */
  'imports.commit': (db: Db, c: ImportCommit): { mediaIds: Record<string, string>; postIds: string[] } => {
    return db.transaction(() => {
      const session = db.prepare(`SELECT volume_uuid, volume_serial, volume_label FROM import_sessions WHERE id = ? AND state = 'running'`).get(c.sessionId) as
        | { volume_uuid: string | null; volume_serial: string | null; volume_label: string | null }
        | undefined;
      if (!session) throw new Error(`import session ${c.sessionId} is not running`);
      const insertMedia = db.prepare(
        `INSERT INTO media (id, kind, format, original_sha256, original_name, clean_sha256, clean_bytes, thumbnail_sha256, width, height, duration_ms, report_json, import_session_id, created_at)
         VALUES (@id, @kind, @format, @originalSha256, @originalName, @cleanSha256, @cleanBytes, @thumbnailSha256, @width, @height, @durationMs, @reportJson, @importSessionId, @createdAt)
         ON CONFLICT(original_sha256) DO NOTHING`,
      );
      const findMedia = db.prepare(`SELECT id FROM media WHERE original_sha256 = ?`);
      const mediaIds: Record<string, string> = {};
      for (const m of c.media) {
        insertMedia.run(m);
        mediaIds[m.originalSha256] = (findMedia.get(m.originalSha256) as { id: string }).id;
      }
      const insertPost = db.prepare(
        `INSERT INTO posts (id, state, caption, caption_report_json, targets_json, schedule_at, origin, origin_package_id, signed, import_session_id, created_at, updated_at)
         VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertPostMedia = db.prepare(`INSERT INTO post_media (post_id, position, media_id, alt_text) VALUES (?, ?, ?, ?)`);
      for (const p of c.posts) {
        insertPost.run(p.id, p.caption, p.captionReportJson, JSON.stringify(p.targets), p.scheduleAt, p.origin, p.originPackageId, p.signed ? 1 : 0, c.sessionId, c.finishedAt, c.finishedAt);
        p.media.forEach((pm, position) => {
          const mediaId = mediaIds[pm.originalSha256] ?? (findMedia.get(pm.originalSha256) as { id: string } | undefined)?.id;
          if (!mediaId) throw new Error(`post ${p.id} refers to media ${pm.originalSha256} that was not imported`);
          insertPostMedia.run(p.id, position, mediaId, pm.altText);
        });
      }
      if (c.package) {
        db.prepare(
          `INSERT INTO imported_packages (package_id, manifest_sha256, signer_fingerprint, import_session_id, volume_uuid, volume_serial, volume_label, imported_at, replay_override_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(package_id) DO UPDATE SET import_session_id = excluded.import_session_id, imported_at = excluded.imported_at, replay_override_by = excluded.replay_override_by`,
        ).run(c.package.packageId, c.package.manifestSha256, c.package.signerFingerprint, c.sessionId, session.volume_uuid, session.volume_serial, session.volume_label, c.finishedAt, c.package.replayOverrideBy);
      }
      db.prepare(
        `UPDATE import_sessions SET state = 'complete', finished_at = ?, package_id = ?, package_status = ?, signer_fingerprint = ?, accepted_count = ?, rejected_count = ?, result_json = ? WHERE id = ?`,
      ).run(c.finishedAt, c.package?.packageId ?? null, c.package?.status ?? 'none', c.package?.signerFingerprint ?? null, c.acceptedCount, c.rejectedCount, c.resultJson, c.sessionId);
      return { mediaIds, postIds: c.posts.map((p) => p.id) };
    })();
  },

  'packages.find': (db: Db, a: { packageId: string }): ImportedPackageRow | null =>
    (db.prepare(`SELECT package_id, manifest_sha256, signer_fingerprint, import_session_id, volume_uuid, volume_serial, volume_label, imported_at FROM imported_packages WHERE package_id = ?`).get(a.packageId) as
      | ImportedPackageRow
      | undefined) ?? null,

  'media.findByOriginal': (db: Db, a: { originalSha256: string }): { id: string; clean_sha256: string } | null =>
    (db.prepare(`SELECT id, clean_sha256 FROM media WHERE original_sha256 = ?`).get(a.originalSha256) as { id: string; clean_sha256: string } | undefined) ?? null,

  /** What the library may serve for a hash: only clean media and thumbnails, never an original. */
  'media.servable': (db: Db, a: { sha256: string }): { kind: 'clean' | 'thumbnail'; format: string } | null => {
    const clean = db.prepare(`SELECT format FROM media WHERE clean_sha256 = ? LIMIT 1`).get(a.sha256) as { format: string } | undefined;
    if (clean) return { kind: 'clean', format: clean.format };
    const thumb = db.prepare(`SELECT 1 AS ok FROM media WHERE thumbnail_sha256 = ? LIMIT 1`).get(a.sha256) as { ok: number } | undefined;
    return thumb ? { kind: 'thumbnail', format: 'webp' } : null;
  },

  'media.referencedBlobs': (db: Db, _a: Record<string, never>): string[] =>
    (db.prepare(`SELECT clean_sha256 AS sha FROM media UNION SELECT thumbnail_sha256 FROM media WHERE thumbnail_sha256 IS NOT NULL`).all() as { sha: string }[]).map((r) => r.sha),

  'media.list': (db: Db, a: { limit: number; offset: number }) =>
    db.prepare(`SELECT * FROM media ORDER BY created_at DESC, id LIMIT ? OFFSET ?`).all(a.limit, a.offset) as Record<string, unknown>[],

  'media.count': (db: Db, _a: Record<string, never>): number => (db.prepare(`SELECT count(*) AS n FROM media`).get() as { n: number }).n,

  'posts.list': (db: Db, a: { limit: number; offset: number }) =>
    db.prepare(`SELECT * FROM posts ORDER BY created_at DESC, id LIMIT ? OFFSET ?`).all(a.limit, a.offset) as Record<string, unknown>[],

  'posts.media': (db: Db, a: { postId: string }) =>
    db.prepare(`SELECT position, media_id, alt_text FROM post_media WHERE post_id = ? ORDER BY position`).all(a.postId) as { position: number; media_id: string; alt_text: string | null }[],

  'imports.get': (db: Db, a: { id: string }) => (db.prepare(`SELECT * FROM import_sessions WHERE id = ?`).get(a.id) as Record<string, unknown> | undefined) ?? null,

  'imports.list': (db: Db, a: { limit: number }) =>
    db.prepare(`SELECT * FROM import_sessions ORDER BY started_at DESC, id LIMIT ?`).all(a.limit) as Record<string, unknown>[],

  /** Marks sessions left running by a crash as failed, so the next import starts clean. */
  'imports.recoverInterrupted': (db: Db, a: { finishedAt: string }): number =>
    db
      .prepare(`UPDATE import_sessions SET state = 'failed', finished_at = ?, error_code = 'ingest.interrupted', error_detail = 'Airlock stopped during this import' WHERE state = 'running'`)
      .run(a.finishedAt).changes,
} as const;

export const repositories = { ...importRepositories, ...staffRepositories, ...auditRepositories, ...postRepositories, ...publishRepositories } as const;

export type Repositories = typeof repositories;

/** The same table as the store's thread looks calls up in it: by name, arguments unchecked. */
export const repositoryTable = repositories as unknown as Readonly<Record<string, Repository>>;
export type RepositoryName = keyof Repositories;
export type RepositoryArgs<K extends RepositoryName> = Parameters<Repositories[K]>[1];
export type RepositoryResult<K extends RepositoryName> = ReturnType<Repositories[K]>;
