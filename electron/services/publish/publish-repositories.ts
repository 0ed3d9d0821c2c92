// Reads and writes of accounts and publish jobs, as named (db, args) functions run by the store
// on its own thread. The step that starts publishing a post is one guarded transaction, so a
// post is handed to the publisher once, however often the scheduler looks.
import type { Db } from '../store/database.ts';

export interface AccountRow {
  platform: string;
  account_id: string;
  display_name: string;
  api_base: string;
  simulated: number;
  connected_at: string;
  connected_by: string | null;
  last_success_at: string | null;
}

export interface JobRow {
  id: string;
  post_id: string;
  platform: string;
  account_id: string;
  idempotency_key: string;
  approval_hash: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error_json: string | null;
  checkpoint_json: string;
  remote_id: string | null;
  url: string | null;
  outcome: string | null;
  created_at: string;
  updated_at: string;
}

export const publishRepositories = {
  'accounts.list': (db: Db, _a: Record<string, never>): AccountRow[] => db.prepare(`SELECT * FROM accounts ORDER BY platform, display_name`).all() as AccountRow[],

  'accounts.upsert': (db: Db, a: AccountRow): void => {
    db.prepare(
      `INSERT INTO accounts (platform, account_id, display_name, api_base, simulated, connected_at, connected_by, last_success_at)
       VALUES (@platform, @account_id, @display_name, @api_base, @simulated, @connected_at, @connected_by, @last_success_at)
       ON CONFLICT(platform, account_id) DO UPDATE SET display_name = excluded.display_name, api_base = excluded.api_base, simulated = excluded.simulated, connected_at = excluded.connected_at, connected_by = excluded.connected_by`,
    ).run(a);
  },

  'accounts.remove': (db: Db, a: { platform: string; accountId: string }): number =>
    db.prepare(`DELETE FROM accounts WHERE platform = ? AND account_id = ?`).run(a.platform, a.accountId).changes,

  /** Posts whose time has come, oldest first. */
  'publish.duePosts': (db: Db, a: { now: string; limit: number }): { id: string; version: number; approval_hash: string; targets_json: string }[] =>
    db
      .prepare(`SELECT id, version, approval_hash, targets_json FROM posts WHERE state = 'scheduled' AND schedule_at <= ? ORDER BY schedule_at, id LIMIT ?`)
      .all(a.now, a.limit) as never,

  /**
   * Moves a scheduled post to publishing and creates its jobs, in one transaction; does nothing
   * (returns false) if another pass already did, or the post changed meanwhile.
   */
  'publish.start': (db: Db, a: { postId: string; version: number; now: string; jobs: { id: string; platform: string; accountId: string; idempotencyKey: string; approvalHash: string }[] }): boolean =>
    db.transaction(() => {
      const moved = db.prepare(`UPDATE posts SET state = 'publishing', version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND state = 'scheduled'`).run(a.now, a.postId, a.version);
      if (moved.changes !== 1) return false;
      const insert = db.prepare(
        `INSERT INTO publish_jobs (id, post_id, platform, account_id, idempotency_key, approval_hash, state, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING`,
      );
      for (const j of a.jobs) insert.run(j.id, a.postId, j.platform, j.accountId, j.idempotencyKey, j.approvalHash, a.now, a.now, a.now);
      return true;
    })(),

  /**
   * Queued jobs whose time has come. A job last touched later than `now` was planned against a
   * clock that has since been set back (NTP, IT fixing the date): its wait was meant to be
   * short, so it is due now rather than when the old time comes round again.
   */
  'publish.dueJobs': (db: Db, a: { now: string; limit: number }): JobRow[] =>
    db
      .prepare(`SELECT * FROM publish_jobs WHERE state = 'queued' AND (next_attempt_at <= ? OR updated_at > ?) ORDER BY next_attempt_at, id LIMIT ?`)
      .all(a.now, a.now, a.limit) as JobRow[],

  'publish.jobsInState': (db: Db, a: { state: JobRow['state'] }): JobRow[] => db.prepare(`SELECT * FROM publish_jobs WHERE state = ? ORDER BY created_at`).all(a.state) as JobRow[],

  'publish.jobsForPost': (db: Db, a: { postId: string }): JobRow[] => db.prepare(`SELECT * FROM publish_jobs WHERE post_id = ? ORDER BY platform, account_id`).all(a.postId) as JobRow[],

  /** Claims a queued job for running; false if someone else did. */
  'publish.claim': (db: Db, a: { id: string; now: string }): boolean =>
    db.prepare(`UPDATE publish_jobs SET state = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'queued'`).run(a.now, a.id).changes === 1,

  'publish.checkpoint': (db: Db, a: { id: string; checkpointJson: string; now: string }): void => {
    db.prepare(`UPDATE publish_jobs SET checkpoint_json = ?, updated_at = ? WHERE id = ?`).run(a.checkpointJson, a.now, a.id);
  },

  'publish.retryLater': (db: Db, a: { id: string; at: string; errorJson: string; now: string }): void => {
    db.prepare(`UPDATE publish_jobs SET state = 'queued', next_attempt_at = ?, last_error_json = ?, updated_at = ? WHERE id = ?`).run(a.at, a.errorJson, a.now, a.id);
  },

  /** Records a job's end and, when it was the post's last open job, the post's end, together. */
  'publish.finish': (db: Db, a: { id: string; ok: boolean; remoteId: string | null; url: string | null; outcome: string | null; errorJson: string | null; now: string }): { postId: string; postState: string | null } =>
    db.transaction(() => {
      db.prepare(`UPDATE publish_jobs SET state = ?, remote_id = ?, url = ?, outcome = ?, last_error_json = COALESCE(?, last_error_json), updated_at = ? WHERE id = ?`).run(
        a.ok ? 'succeeded' : 'failed',
        a.remoteId,
        a.url,
        a.outcome,
        a.errorJson,
        a.now,
        a.id,
      );
      const job = db.prepare(`SELECT post_id, platform, account_id FROM publish_jobs WHERE id = ?`).get(a.id) as { post_id: string; platform: string; account_id: string };
      if (a.ok) db.prepare(`UPDATE accounts SET last_success_at = ? WHERE platform = ? AND account_id = ?`).run(a.now, job.platform, job.account_id);
      const open = (db.prepare(`SELECT count(*) AS n FROM publish_jobs WHERE post_id = ? AND state IN ('queued', 'running')`).get(job.post_id) as { n: number }).n;
      if (open > 0) return { postId: job.post_id, postState: null };
      const failed = (db.prepare(`SELECT count(*) AS n FROM publish_jobs WHERE post_id = ? AND state = 'failed'`).get(job.post_id) as { n: number }).n;
      const state = failed > 0 ? 'failed' : 'published';
      db.prepare(`UPDATE posts SET state = ?, version = version + 1, updated_at = ? WHERE id = ? AND state = 'publishing'`).run(state, a.now, job.post_id);
      return { postId: job.post_id, postState: state };
    })(),
} as const;
