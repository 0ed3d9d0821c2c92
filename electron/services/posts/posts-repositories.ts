// Every read and write of posts in the approval workflow, as named (db, args) functions run by
// the store on its own thread, each call in a transaction of its own (group-commit.ts). State
// changes are guarded in SQL by the expected version and state, so two screens acting on one
// post cannot both win.
// A change and its audit entry are written in the same transaction: a crash can lose both,
// never one without the other.
import { appendAuditEntry } from '../audit/audit-repositories.ts';
import type { AuditAppend } from '../audit/audit-redaction.ts';
import type { Db } from '../store/database.ts';

export interface PostRow {
  id: string;
  state: string;
  caption: string;
  caption_report_json: string;
  targets_json: string;
  options_json: string;
  schedule_at: string | null;
  origin: string;
  origin_package_id: string | null;
  signed: number;
  version: number;
  created_by: string | null;
  editors_json: string;
  submitted_by: string | null;
  submitted_at: string | null;
  approved_by: string | null;
  approved_at: string | null;
  approval_hash: string | null;
  review_comment: string | null;
  created_at: string;
  updated_at: string;
}

export interface PostMediaRow {
  position: number;
  media_id: string;
  alt_text: string | null;
  kind: 'image' | 'video';
  clean_sha256: string;
  thumbnail_sha256: string | null;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  clean_bytes: number;
  format: string;
}

export interface PostUpdate {
  id: string;
  expectedVersion: number;
  allowedStates: string[];
  set: Partial<Pick<PostRow, 'state' | 'caption' | 'caption_report_json' | 'targets_json' | 'options_json' | 'schedule_at' | 'editors_json' | 'submitted_by' | 'submitted_at' | 'approved_by' | 'approved_at' | 'approval_hash' | 'review_comment'>>;
  /** Replaces the post's media when given. */
  media?: { mediaId: string; altText: string | null }[];
  updatedAt: string;
  /** Written with the change, only if the change is made. */
  audit?: AuditAppend;
}

/** A post with its media, as one read. */
export interface StoredPost {
  post: PostRow;
  media: PostMediaRow[];
}

/** A post as long lists show it, read in one query with its lead picture. */
export interface PostSummaryRow {
  id: string;
  state: string;
  version: number;
  caption: string;
  targets_json: string;
  schedule_at: string | null;
  updated_at: string;
  created_by: string | null;
  submitted_by: string | null;
  approved_by: string | null;
  origin: string;
  media_count: number;
  lead_kind: 'image' | 'video' | null;
  lead_clean_sha256: string | null;
  lead_thumbnail_sha256: string | null;
  lead_alt_text: string | null;
}

const SUMMARY_SELECT = `SELECT p.id, p.state, p.version, substr(p.caption, 1, 300) AS caption, p.targets_json, p.schedule_at, p.updated_at, p.created_by, p.submitted_by, p.approved_by, p.origin,
    (SELECT count(*) FROM post_media c WHERE c.post_id = p.id) AS media_count,
    m.kind AS lead_kind, m.clean_sha256 AS lead_clean_sha256, m.thumbnail_sha256 AS lead_thumbnail_sha256, pm.alt_text AS lead_alt_text
  FROM posts p LEFT JOIN post_media pm ON pm.post_id = p.id AND pm.position = 0 LEFT JOIN media m ON m.id = pm.media_id`;

const UPDATABLE = new Set(['state', 'caption', 'caption_report_json', 'targets_json', 'options_json', 'schedule_at', 'editors_json', 'submitted_by', 'submitted_at', 'approved_by', 'approved_at', 'approval_hash', 'review_comment']);

function replaceMedia(db: Db, postId: string, media: { mediaId: string; altText: string | null }[]): void {
  db.prepare(`DELETE FROM post_media WHERE post_id = ?`).run(postId);
  const insert = db.prepare(`INSERT INTO post_media (post_id, position, media_id, alt_text) VALUES (?, ?, ?, ?)`);
  media.forEach((m, position) => insert.run(postId, position, m.mediaId, m.altText));
}

function readPost(db: Db, id: string): StoredPost | null {
  const post = db.prepare(`SELECT * FROM posts WHERE id = ?`).get(id) as PostRow | undefined;
  if (!post) return null;
  // Two plain lookups: SQLite runs a join here several times slower, even for a post without media.
  const placed = db.prepare(`SELECT position, media_id, alt_text FROM post_media WHERE post_id = ? ORDER BY position`).all(id) as Pick<PostMediaRow, 'position' | 'media_id' | 'alt_text'>[];
  if (placed.length === 0) return { post, media: [] };
  const facts = db.prepare(`SELECT kind, clean_sha256, thumbnail_sha256, width, height, duration_ms, clean_bytes, format FROM media WHERE id = ?`);
  const media = placed.map((p) => ({ ...p, ...(facts.get(p.media_id) as Omit<PostMediaRow, 'position' | 'media_id' | 'alt_text'>) }));
  return { post, media };
}

export const postRepositories = {
  'posts.get': (db: Db, a: { id: string }): StoredPost | null => readPost(db, a.id),

  'posts.page': (db: Db, a: { states: string[] | null; limit: number; offset: number }): { total: number; rows: PostRow[] } => {
    const where = a.states && a.states.length ? `WHERE state IN (${a.states.map(() => '?').join(',')})` : '';
    const params = a.states ?? [];
    const total = (db.prepare(`SELECT count(*) AS n FROM posts ${where}`).get(...params) as { n: number }).n;
    const rows = db
      .prepare(`SELECT * FROM posts ${where} ORDER BY CASE WHEN schedule_at IS NULL THEN 1 ELSE 0 END, schedule_at, created_at DESC, id LIMIT ? OFFSET ?`)
      .all(...params, a.limit, a.offset) as PostRow[];
    return { total, rows };
  },

  /** Inserts a new post (and its audit entry); returns it as stored. */
  'posts.create': (db: Db, a: { post: Omit<PostRow, 'version' | 'editors_json' | 'submitted_by' | 'submitted_at' | 'approved_by' | 'approved_at' | 'approval_hash' | 'review_comment'> & { editors_json: string }; media: { mediaId: string; altText: string | null }[]; audit?: AuditAppend }): StoredPost => {
    const p = a.post;
    db.prepare(
      `INSERT INTO posts (id, state, caption, caption_report_json, targets_json, options_json, schedule_at, origin, origin_package_id, signed, created_by, editors_json, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(p.id, p.state, p.caption, p.caption_report_json, p.targets_json, p.options_json, p.schedule_at, p.origin, p.origin_package_id, p.signed, p.created_by, p.editors_json, p.created_at, p.updated_at);
    replaceMedia(db, p.id, a.media);
    if (a.audit) appendAuditEntry(db, a.audit);
    return readPost(db, p.id)!;
  },

  /**
   * Applies a change (and writes its audit entry) only if the post is still at the expected
   * version and in an allowed state; returns the post as it is now, changed or not.
   */
  'posts.update': (db: Db, u: PostUpdate): { updated: boolean; current: StoredPost | null } => {
    const keys = Object.keys(u.set).filter((k) => UPDATABLE.has(k));
    const assignments = [...keys.map((k) => `${k} = @${k}`), 'version = version + 1', 'updated_at = @updatedAt'].join(', ');
    const states = u.allowedStates.map((_, i) => `@s${i}`).join(', ');
    const params: Record<string, unknown> = { id: u.id, expectedVersion: u.expectedVersion, updatedAt: u.updatedAt };
    for (const k of keys) params[k] = (u.set as Record<string, unknown>)[k];
    u.allowedStates.forEach((s, i) => (params[`s${i}`] = s));
    const result = db.prepare(`UPDATE posts SET ${assignments} WHERE id = @id AND version = @expectedVersion AND state IN (${states})`).run(params);
    const updated = result.changes === 1;
    if (updated && u.media) replaceMedia(db, u.id, u.media);
    if (updated && u.audit) appendAuditEntry(db, u.audit);
    return { updated, current: readPost(db, u.id) };
  },

  /** One light row per post for long lists: the first 300 characters, the lead picture, counts. */
  'posts.summaries': (db: Db, a: { states: string[] | null; limit: number; offset: number }): { total: number; counts: Record<string, number>; rows: PostSummaryRow[] } => {
    const where = a.states && a.states.length ? `WHERE p.state IN (${a.states.map(() => '?').join(',')})` : '';
    const params = a.states ?? [];
    const counts: Record<string, number> = {};
    for (const r of db.prepare(`SELECT state, count(*) AS n FROM posts GROUP BY state`).all() as { state: string; n: number }[]) counts[r.state] = r.n;
    const total = (db.prepare(`SELECT count(*) AS n FROM posts p ${where}`).get(...params) as { n: number }).n;
    const rows = db
      .prepare(`${SUMMARY_SELECT} ${where} ORDER BY CASE WHEN p.schedule_at IS NULL THEN 1 ELSE 0 END, p.schedule_at, p.created_at DESC, p.id LIMIT ? OFFSET ?`)
      .all(...params, a.limit, a.offset) as PostSummaryRow[];
    return { total, counts, rows };
  },

  /** Posts with a time in [from, to) that are scheduled, going out or already out, oldest first. */
  'posts.inPeriod': (db: Db, a: { from: string; to: string; limit: number }): PostSummaryRow[] =>
    db
      .prepare(`${SUMMARY_SELECT} WHERE p.state IN ('scheduled', 'publishing', 'published', 'failed') AND p.schedule_at >= ? AND p.schedule_at < ? ORDER BY p.schedule_at, p.id LIMIT ?`)
      .all(a.from, a.to, a.limit) as PostSummaryRow[],

  /**
   * Swaps the times of two scheduled posts in one transaction, only if both are still scheduled
   * at the versions the caller saw; otherwise changes nothing and says what each post is now.
   */
  'posts.swapSlots': (db: Db, a: { first: { id: string; version: number }; second: { id: string; version: number }; updatedAt: string; audits?: AuditAppend[] }): { swapped: boolean; current: { id: string; state: string; version: number; schedule_at: string | null }[] } =>
    db.transaction(() => {
      const read = db.prepare(`SELECT id, state, version, schedule_at FROM posts WHERE id = ?`);
      const first = read.get(a.first.id) as { id: string; state: string; version: number; schedule_at: string | null } | undefined;
      const second = read.get(a.second.id) as { id: string; state: string; version: number; schedule_at: string | null } | undefined;
      const current = [first, second].filter((r) => r !== undefined);
      const fits = (row: typeof first, ref: { version: number }) => row !== undefined && row.state === 'scheduled' && row.version === ref.version && row.schedule_at !== null;
      if (!fits(first, a.first) || !fits(second, a.second)) return { swapped: false, current };
      const move = db.prepare(`UPDATE posts SET schedule_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND state = 'scheduled'`);
      move.run(second!.schedule_at, a.updatedAt, first!.id, first!.version);
      move.run(first!.schedule_at, a.updatedAt, second!.id, second!.version);
      for (const audit of a.audits ?? []) appendAuditEntry(db, audit);
      return { swapped: true, current: [first!, second!].map((r) => read.get(r.id) as { id: string; state: string; version: number; schedule_at: string | null }) };
    })(),

  'media.facts': (db: Db, a: { ids: string[] }): { id: string; kind: 'image' | 'video'; width: number | null; height: number | null; duration_ms: number | null; clean_bytes: number; format: string }[] => {
    if (a.ids.length === 0) return [];
    return db.prepare(`SELECT id, kind, width, height, duration_ms, clean_bytes, format FROM media WHERE id IN (${a.ids.map(() => '?').join(',')})`).all(...a.ids) as never;
  },

  'media.exist': (db: Db, a: { ids: string[] }): string[] => {
    if (a.ids.length === 0) return [];
    return (db.prepare(`SELECT id FROM media WHERE id IN (${a.ids.map(() => '?').join(',')})`).all(...a.ids) as { id: string }[]).map((r) => r.id);
  },
} as const;
