// Workflow figures for `npm run bench`: many posts through the real services. Each is an
// absolute time against its goal (there is no outside program doing the same work to compare
// with), so the figure printed is the time ÷ the goal and the details say what was timed.
//
// - workflow-schedule: 10,000 posts created, submitted, approved and scheduled through
//   core.call, exactly as the screens do it (zod checks, roles, store worker, audit log), 64
//   posts in flight at a time.
// - cold-start: openCore on a data folder holding those 10,000 posts, until it answers.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostView } from '../../common/contract.ts';
import { openCore, type AirlockCore, type Clock } from '../../electron/services/core.ts';
import { PolicySchema, type LoadedPolicy } from '../../electron/services/policy/policy.ts';
import type { Figure } from './measure.ts';
import { median, seconds, settleDisk, timed } from './measure.ts';

/** BENCH_POSTS (default 10,000) for a quick run; the goals are for 10,000. */
const POSTS = Number(process.env.BENCH_POSTS ?? '10000');
const SCHEDULE_GOAL_MS = 2000;
const COLD_START_GOAL_MS = 1500;
const ADMIN = { name: 'Bench Admin', pin: '493817' };
/** Posts in flight at once while scheduling. */
const LANES = 64;
/** State changes per post: create, submit, approve, schedule. */
const STEPS = 4;

// One person may write and approve: the bench times the work, not the people.
const policy: LoadedPolicy = {
  policy: PolicySchema.parse({ policyVersion: 1, platforms: ['mastodon'], approval: { twoPerson: false } }),
  source: 'built-in defaults',
  path: null,
};

// A fixed clock a day before the slots, so every post is scheduled in the future and nothing
// becomes due while the figures are taken.
const clock: Clock = { now: () => new Date('2026-03-01T08:00:00.000Z') };

function open(dataDir: string): Promise<AirlockCore> {
  return openCore({ shell: 'browser', version: '0.0.0-bench', policy, dataDir, systemMediaRoots: false, publisherIntervalMs: null, clock });
}

async function ok<T>(pending: Promise<unknown>): Promise<T> {
  const result = (await pending) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!result.ok) throw new Error(`${result.error?.code}: ${result.error?.message}`);
  return result.value as T;
}

/** Create → submit → approve → schedule, one post, the way the screens call it. */
async function scheduleOne(core: AirlockCore, n: number): Promise<void> {
  const at = new Date(Date.parse('2026-03-02T08:00:00.000Z') + n * 60_000).toISOString();
  let post = await ok<PostView>(core.call('posts.create', { caption: `Harbour notice ${n}: the ferry leaves from pier ${n % 7}.`, targets: ['mastodon'], options: {}, media: [] }));
  post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
  post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
  await ok<PostView>(core.call('posts.schedule', { id: post.id, version: post.version, at }));
}

/** Both workflow figures, sharing one data folder (the cold start opens what scheduling left). */
export async function measureWorkflow(parent = tmpdir()): Promise<Figure[]> {
  const dataDir = await mkdtemp(join(parent, 'airlock-bench-workflow-'));
  try {
    const core = await open(dataDir);
    let scheduleMs: number;
    try {
      await ok(core.call('staff.createFirstAdmin', { name: ADMIN.name, credential: { kind: 'pin', secret: ADMIN.pin } }));
      // Warm-up: the first calls load modules and prepare statements.
      for (let n = 0; n < 20; n++) await scheduleOne(core, POSTS + n);
      await settleDisk();
      scheduleMs = (
        await timed(async () => {
          // Many people (or one bulk action) at once: LANES posts in flight, each one's four
          // steps in order, as concurrent screens would send them.
          let next = 0;
          await Promise.all(
            Array.from({ length: LANES }, async () => {
              while (next < POSTS) await scheduleOne(core, next++);
            }),
          );
        })
      ).ms;
      const queued = await ok<{ total: number }>(core.call('posts.summaries', { states: ['scheduled'], offset: 0, limit: 1 }));
      if (queued.total !== POSTS + 20) throw new Error(`${queued.total} posts scheduled, expected ${POSTS + 20}`);
    } finally {
      await core.close();
    }

    // Cold start: the database and library are on disk and nothing is open. The first open
    // pays for loading code as well; it is printed but the median of the next three counts.
    await settleDisk();
    const starts: number[] = [];
    for (let round = 0; round < 4; round++) {
      const { ms, value } = await timed(async () => {
        const again = await open(dataDir);
        await ok(again.call('staff.status', {}));
        return again;
      });
      starts.push(ms);
      await value.close();
    }
    const warm = starts.slice(1);
    const startMs = median(warm);
    return [
      {
        name: 'workflow-schedule',
        details: `${POSTS} posts created+submitted+approved+scheduled (${LANES} in flight) in ${seconds(scheduleMs)} (${(scheduleMs / POSTS).toFixed(2)}ms/post; ${STEPS * POSTS} audited changes, each on disk before it answered, ${((scheduleMs * 1000) / (STEPS * POSTS)).toFixed(0)}µs each) goal=${seconds(SCHEDULE_GOAL_MS)}`,
        ratio: scheduleMs / SCHEDULE_GOAL_MS,
        goal: 1,
      },
      {
        name: 'cold-start',
        details: `openCore with ${POSTS + 20} posts=${seconds(startMs)} [${starts.map((ms) => (ms / 1000).toFixed(2)).join(',')}] (first open not counted, median of ${warm.length}) goal=${seconds(COLD_START_GOAL_MS)}`,
        ratio: startMs / COLD_START_GOAL_MS,
        goal: 1,
      },
    ];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
