// The verdict on one trial, from what is left once the last worker has closed the kiosk: the
// database (opened read-only), the simulator's feed, and the runner's ledger of the workflow
// steps Airlock acknowledged before each kill.
//
//   lost        an approved post that was scheduled and is now neither published nor failed
//               (nor legitimately waiting for a later time): stuck in publishing, due but never
//               started, rolled back after its schedule was acknowledged, or "published" with
//               nothing on the platform.
//   duplicated  more than one post on the platform for one Airlock post.
//   corrupt     integrity_check or foreign_key_check not clean, the audit chain broken, a post
//               in a state its jobs contradict, an acknowledged write rolled back, a post or
//               its approval without its audit entry, or the platform holding a post Airlock
//               says failed, or other bytes or caption than were approved.
import path from 'node:path';
import type { TikTokFeedPost } from '../../electron/platforms/tiktok/simulator.ts';
import { verifyAuditChain } from '../../electron/services/audit/index.ts';
import { openDatabaseReadOnly } from '../../electron/services/audit/read-only-database.ts';
import { markerOf, type WorkflowOp } from './protocol.ts';

export type ProblemKind = 'lost' | 'duplicated' | 'corrupt';

export interface Problem {
  kind: ProblemKind;
  marker: string | null;
  postId: string | null;
  detail: string;
}

/** What the runner saw of one post's workflow across every start of a trial. */
export interface LedgerEntry {
  marker: string;
  postId: string | null;
  /** The last step Airlock acknowledged. */
  acked: { op: WorkflowOp; state: string; version: number; scheduleAt: string | null } | null;
  /** Steps announced after it and never answered (the kill came first): they may or may not have happened. */
  pending: WorkflowOp[];
}

interface PostRow {
  id: string;
  state: string;
  version: number;
  caption: string;
  targets_json: string;
  schedule_at: string | null;
  approval_hash: string | null;
}

interface JobRow {
  id: string;
  post_id: string;
  state: string;
  approval_hash: string;
  remote_id: string | null;
  last_error_json: string | null;
}

export interface TrialFacts {
  /** Posts by final state, for the progress line. */
  states: Record<string, number>;
  /** Error codes of posts that ended failed (not lost, but worth a look). */
  failures: string[];
}

export async function checkTrial(input: { dataDir: string; feed: TikTokFeedPost[]; ledger: Map<string, LedgerEntry>; now: number }): Promise<{ problems: Problem[]; facts: TrialFacts }> {
  const problems: Problem[] = [];
  const facts: TrialFacts = { states: {}, failures: [] };
  const add = (kind: ProblemKind, marker: string | null, postId: string | null, detail: string) => problems.push({ kind, marker, postId, detail });

  const ro = await openDatabaseReadOnly(path.join(input.dataDir, 'airlock.db'));
  try {
    const { db } = ro;
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') add('corrupt', null, null, `integrity_check: ${String(integrity)}`);
    const fk = db.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0) add('corrupt', null, null, `foreign_key_check: ${JSON.stringify(fk).slice(0, 300)}`);
    const audit = verifyAuditChain(db);
    if (!audit.ok) add('corrupt', null, null, `audit chain broken at ${audit.firstBroken}: ${audit.reason}`);

    const posts = db.prepare(`SELECT id, state, version, caption, targets_json, schedule_at, approval_hash FROM posts`).all() as PostRow[];
    const jobs = db.prepare(`SELECT id, post_id, state, approval_hash, remote_id, last_error_json FROM publish_jobs`).all() as JobRow[];
    const mediaOf = db.prepare(`SELECT m.clean_sha256 AS sha FROM post_media pm JOIN media m ON m.id = pm.media_id WHERE pm.post_id = ? ORDER BY pm.position`);
    // Each change and its audit entry are one transaction, so no kill can leave one without the other.
    const auditOf = db.prepare(`SELECT kind, details_json FROM audit_log WHERE subject = ? AND kind IN ('post.created', 'post.approved')`);
    const feedBy = new Map<string, TikTokFeedPost[]>();
    for (const f of input.feed) {
      const marker = markerOf(f.caption);
      if (marker) feedBy.set(marker, [...(feedBy.get(marker) ?? []), f]);
    }
    const byMarker = new Map<string, PostRow>();

    for (const post of posts) {
      facts.states[post.state] = (facts.states[post.state] ?? 0) + 1;
      const marker = markerOf(post.caption);
      if (!marker) {
        add('corrupt', null, post.id, `post caption lost its marker: ${JSON.stringify(post.caption.slice(0, 80))}`);
        continue;
      }
      if (byMarker.has(marker)) add('corrupt', marker, post.id, `two posts carry one marker (a create ran twice?)`);
      byMarker.set(marker, post);
      const recorded = (auditOf.all(post.id) as { kind: string; details_json: string }[]).map((r) => ({ kind: r.kind, details: JSON.parse(r.details_json) as { contentHash?: string } }));
      if (!recorded.some((r) => r.kind === 'post.created')) add('corrupt', marker, post.id, `post ${post.id} has no post.created audit entry`);
      if (post.approval_hash !== null && !recorded.some((r) => r.kind === 'post.approved' && r.details.contentHash === post.approval_hash)) {
        add('corrupt', marker, post.id, `post ${post.id} carries an approval with no post.approved audit entry`);
      }
      const own = jobs.filter((j) => j.post_id === post.id);
      const open = own.filter((j) => j.state === 'queued' || j.state === 'running');
      const feed = feedBy.get(marker) ?? [];
      const targets = (JSON.parse(post.targets_json) as string[]).length;
      const where = `post ${post.id} (${post.state}, v${post.version})`;

      if (feed.length > 1) add('duplicated', marker, post.id, `${where} is on TikTok ${feed.length} times: ${feed.map((f) => f.publishId).join(', ')}`);
      if (own.length > targets) add('corrupt', marker, post.id, `${where} has ${own.length} jobs for ${targets} target(s)`);
      if (open.length > 0 && post.state !== 'publishing') add('corrupt', marker, post.id, `${where} still has ${open.length} open job(s)`);
      for (const j of own) {
        if (post.approval_hash !== null && j.approval_hash !== post.approval_hash && post.state !== 'draft' && post.state !== 'submitted') {
          add('corrupt', marker, post.id, `${where}: job ${j.id} carries another approval than the post`);
        }
      }

      switch (post.state) {
        case 'published': {
          if (own.length === 0 || own.some((j) => j.state !== 'succeeded')) add('corrupt', marker, post.id, `${where} but its jobs are ${own.map((j) => j.state).join(', ') || 'missing'}`);
          if (post.approval_hash === null) add('corrupt', marker, post.id, `${where} without an approval`);
          if (feed.length === 0) add('lost', marker, post.id, `${where} in Airlock, but nothing reached TikTok`);
          const sha = (mediaOf.all(post.id) as { sha: string }[])[0]?.sha;
          for (const f of feed) {
            if (f.caption !== post.caption) add('corrupt', marker, post.id, `${where}: TikTok shows caption ${JSON.stringify(f.caption)}, approved ${JSON.stringify(post.caption)}`);
            if (f.video?.sha256 !== sha) add('corrupt', marker, post.id, `${where}: TikTok got video ${f.video?.sha256 ?? 'none'} (${f.video?.sizeBytes ?? 0} bytes), approved ${sha ?? 'none'}`);
          }
          break;
        }
        case 'failed':
          if (!own.some((j) => j.state === 'failed')) add('corrupt', marker, post.id, `${where} with no failed job`);
          if (feed.length > 0) add('corrupt', marker, post.id, `${where} in Airlock, but TikTok has it (${feed.map((f) => f.publishId).join(', ')})`);
          for (const j of own.filter((x) => x.state === 'failed')) {
            const code = (JSON.parse(j.last_error_json ?? '{}') as { code?: string }).code ?? 'unknown';
            facts.failures.push(code);
          }
          break;
        case 'publishing':
          if (own.length === 0) add('corrupt', marker, post.id, `${where} with no jobs`);
          else add('lost', marker, post.id, `${where}: still publishing after recovery (jobs ${own.map((j) => j.state).join(', ')})`);
          break;
        case 'scheduled':
          if (post.schedule_at !== null && Date.parse(post.schedule_at) <= input.now) add('lost', marker, post.id, `${where}: due at ${post.schedule_at} but never started`);
          if (post.approval_hash === null) add('corrupt', marker, post.id, `${where} without an approval`);
          if (feed.length > 0) add('corrupt', marker, post.id, `${where}, yet TikTok already has it`);
          break;
        default:
          // draft, submitted, approved, rejected, cancelled: nobody asked for it to go out (yet).
          if (feed.length > 0) add('corrupt', marker, post.id, `${where}, yet TikTok has it`);
          if (['draft', 'submitted', 'rejected'].includes(post.state) && post.approval_hash !== null) add('corrupt', marker, post.id, `${where} still carries an approval`);
          if (post.state === 'approved' && post.approval_hash === null) add('corrupt', marker, post.id, `${where} without an approval`);
          if (own.length > 0 && post.state !== 'cancelled') add('corrupt', marker, post.id, `${where} has publish jobs`);
      }
    }

    // Everything Airlock acknowledged must still be there.
    const judged = new Set(problems.map((p) => p.marker));
    for (const entry of input.ledger.values()) {
      const post = byMarker.get(entry.marker);
      // One verdict per post: the checks above already told what is wrong with this one.
      if (!entry.acked || judged.has(entry.marker)) continue;
      const approved = entry.acked.state === 'approved' || entry.acked.state === 'scheduled';
      if (!post) {
        add(approved ? 'lost' : 'corrupt', entry.marker, entry.postId, `acknowledged ${entry.acked.op} (${entry.acked.state} v${entry.acked.version}) but the post is gone`);
        continue;
      }
      if (post.version < entry.acked.version) {
        add(approved ? 'lost' : 'corrupt', entry.marker, post.id, `acknowledged ${entry.acked.op} at v${entry.acked.version} (${entry.acked.state}), database has v${post.version} (${post.state})`);
        continue;
      }
      // Scheduled for now or earlier, and nothing asked afterwards: it must have gone out or failed.
      const due = entry.acked.state === 'scheduled' && entry.acked.scheduleAt !== null && Date.parse(entry.acked.scheduleAt) <= input.now;
      if (due && entry.pending.length === 0 && post.state !== 'published' && post.state !== 'failed') {
        add('lost', entry.marker, post.id, `acknowledged schedule for ${entry.acked.scheduleAt}, now ${post.state} v${post.version}`);
      }
    }
    for (const [marker, feed] of feedBy) {
      if (!byMarker.has(marker)) add('corrupt', marker, null, `TikTok has ${feed.length} post(s) Airlock has no record of`);
    }
  } finally {
    await ro.close();
  }
  return { problems, facts };
}
