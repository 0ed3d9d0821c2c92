// One life of a kiosk for the chaos test, in a process of its own so that the runner can end it
// with SIGKILL at any moment. It opens Airlock's real core on the trial's data dir (the same dir
// every start of the trial), connects the simulator account, and then either works (random
// edits, submissions, approvals by a second person, schedules, with the publisher ticking and
// uploading underneath) or only recovers (lets the publisher reconcile and finish). Every step
// is announced before it starts and acknowledged once it returned, one JSON line each, so the
// runner knows which writes Airlock confirmed before the kill.
// Usage: AIRLOCK_CHAOS_WORKER='<WorkerConfig JSON>' node test/chaos/worker.ts
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PostView } from '../../common/contract.ts';
import { openCore, type AirlockCore } from '../../electron/services/core.ts';
import { PolicySchema } from '../../electron/services/policy/policy.ts';
import { TrainingSecretStore } from '../../electron/services/vault/memory-secret-store.ts';
import { Vault } from '../../electron/services/vault/vault.ts';
import { ADMIN, APPROVER, CONFIG_ENV, WARM_ENV, markerOf, rng, send, type Random, type WorkerConfig, type WorkflowOp } from './protocol.ts';

/**
 * A worker started ahead of time (WARM_ENV) has loaded all of Airlock's code by the time this
 * runs; it says so and waits for its config, so the runner's timing starts when this life of
 * the kiosk does, not while Node compiles modules.
 */
async function configFromStdin(): Promise<string | null> {
  send({ t: 'loaded' });
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    const nl = text.indexOf('\n');
    if (nl >= 0) return text.slice(0, nl);
  }
  return null;
}

const raw = process.env[WARM_ENV] === '1' ? await configFromStdin() : (process.env[CONFIG_ENV] ?? null);
const started = Date.now();
const config = JSON.parse(raw ?? 'null') as WorkerConfig | null;
if (!config) {
  console.error(`usage: ${CONFIG_ENV}='<WorkerConfig JSON>' node test/chaos/worker.ts (or ${WARM_ENV}=1 and the config as one line on stdin)`);
  process.exit(2);
}
const random = rng(config.seed);

/** The kiosk's clock; only ever moved forward, to reach a retry a job was told to wait for. */
let clockOffsetMs = 0;
const clock = { now: () => new Date(Date.now() + clockOffsetMs) };

class CallFailed extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

async function ok<T>(core: AirlockCore, method: string, args: unknown): Promise<T> {
  const r = await core.call(method, args);
  if (!r.ok) throw new CallFailed(r.error.code, `${method}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

// ---- opening -------------------------------------------------------------------------------

// A keychain outlives the process; the in-memory store does not. So the tokens the runner
// handed this start are put in before the core opens, and recover() finds them exactly as it
// would find them in a real keychain after a crash.
const secrets = new TrainingSecretStore();
await new Vault(secrets).saveAccountCredentials('tiktok', config.tokens.openId, {
  accessToken: config.tokens.accessToken,
  refreshToken: config.tokens.refreshToken,
  expiresAt: config.tokens.expiresAt,
  refreshExpiresAt: config.tokens.refreshExpiresAt,
  scopes: config.tokens.scopes,
});

const policy = { policy: PolicySchema.parse({ policyVersion: 1, platforms: ['tiktok'] }), source: 'built-in defaults' as const, path: null };
const core = await openCore({
  shell: 'browser',
  version: '0.0.0-chaos',
  policy,
  dataDir: config.dataDir,
  systemMediaRoots: false,
  allowLoopbackEgress: true,
  secretStore: secrets,
  clock,
  publisherIntervalMs: config.publisherIntervalMs,
  publishPollMs: config.publishPollMs,
  // Sign-ins happen at every change of person; production-strength scrypt (64 MiB, a few hundred
  // ms each) would be most of a trial and says nothing about crash safety.
  staffKdfParams: { N: 2 ** 10, r: 8, p: 1, keyLength: 32 },
});
await core.connectAccount(
  { platform: 'tiktok', account_id: config.tokens.openId, display_name: 'Harbour City (simulator)', api_base: config.apiBase, connected_by: 'chaos', simulated: true },
  { accessToken: config.tokens.accessToken, refreshToken: config.tokens.refreshToken, expiresAt: config.tokens.expiresAt, refreshExpiresAt: config.tokens.refreshExpiresAt, scopes: config.tokens.scopes },
);
core.events.subscribe((e) => {
  if (e.name === 'publish.progress') send({ t: 'progress', postId: e.payload.postId, phase: e.payload.phase, bytesDone: e.payload.bytesDone, bytesTotal: e.payload.bytesTotal });
  else if (e.name === 'posts.changed' && (e.payload.state === 'publishing' || e.payload.state === 'published' || e.payload.state === 'failed')) send({ t: 'post', postId: e.payload.postId, state: e.payload.state });
});
const running = await core.store.call('publish.jobsInState', { state: 'running' });
send({ t: 'ready', ms: Date.now() - started, recovered: running.length });

// ---- quiet ---------------------------------------------------------------------------------

async function openWork(): Promise<{ publishing: number; queued: number; running: number; due: number; nextRetry: number | null }> {
  // In the direction posts move (due, then publishing with queued jobs, then running), so a
  // post the publisher moves on between two of these reads is still seen by the later one.
  const due = (await core.store.call('publish.duePosts', { now: clock.now().toISOString(), limit: 100 })).length;
  const publishing = (await core.store.call('posts.page', { states: ['publishing'], limit: 1, offset: 0 })).total;
  const queued = await core.store.call('publish.jobsInState', { state: 'queued' });
  const runningJobs = await core.store.call('publish.jobsInState', { state: 'running' });
  const next = queued.map((j) => Date.parse(j.next_attempt_at)).filter((t) => Number.isFinite(t));
  return { publishing, queued: queued.length, running: runningJobs.length, due, nextRetry: next.length > 0 ? Math.min(...next) : null };
}

/** Waits until nothing is due, publishing or running; jumps the clock to a retry nobody would otherwise wait for. */
async function quiesce(limitMs: number): Promise<{ quiescent: boolean; waitedMs: number; open: { publishing: number; queued: number; running: number; due: number } }> {
  const from = Date.now();
  let quiet = 0;
  for (;;) {
    const open = await openWork();
    const { nextRetry, ...counts } = open;
    // Quiet twice in a row, a publisher tick apart.
    quiet = counts.publishing === 0 && counts.queued === 0 && counts.running === 0 && counts.due === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return { quiescent: true, waitedMs: Date.now() - from, open: counts };
    if (Date.now() - from > limitMs) return { quiescent: false, waitedMs: Date.now() - from, open: counts };
    // A job waiting out a back-off: time would bring it back; the test moves the clock instead.
    if (counts.running === 0 && counts.due === 0 && nextRetry !== null && nextRetry > clock.now().getTime()) {
      clockOffsetMs += nextRetry - clock.now().getTime() + 5;
      send({ t: 'clock', offsetMs: clockOffsetMs });
    }
    await new Promise((r) => setTimeout(r, quiet > 0 ? config!.publisherIntervalMs + 5 : 10));
  }
}

// ---- working -------------------------------------------------------------------------------

interface Local {
  marker: string;
  id: string;
  version: number;
  state: string;
}

/** The next step of the usual workflow for a post, if it has one. */
function nextStep(p: Local): WorkflowOp | null {
  switch (p.state) {
    case 'draft':
      return 'submit';
    case 'rejected':
      return 'edit';
    case 'submitted':
      return 'approve';
    case 'approved':
      return 'schedule';
    default:
      return null;
  }
}

async function setUp(): Promise<{ adminId: string; approverId: string; media: string[] }> {
  const status = await ok<{ needsFirstAdmin: boolean; choices: { id: string; name: string }[] }>(core, 'staff.status', {});
  let adminId = status.choices.find((c) => c.name === ADMIN.name)?.id;
  if (status.needsFirstAdmin || !adminId) {
    send({ t: 'setup', step: 'first-admin' });
    await ok(core, 'staff.createFirstAdmin', { name: ADMIN.name, credential: { kind: 'pin', secret: ADMIN.pin } });
    adminId = (await ok<{ choices: { id: string; name: string }[] }>(core, 'staff.status', {})).choices.find((c) => c.name === ADMIN.name)!.id;
  } else {
    await ok(core, 'staff.signIn', { staffId: adminId, secret: ADMIN.pin });
  }
  let approverId = status.choices.find((c) => c.name === APPROVER.name)?.id;
  if (!approverId) {
    send({ t: 'setup', step: 'approver' });
    approverId = (await ok<{ id: string }>(core, 'staff.create', { name: APPROVER.name, role: 'approver', credential: { kind: 'pin', secret: APPROVER.pin } })).id;
  }
  const media: string[] = [];
  for (const video of config!.videos) {
    const id = `media-${video.sha256.slice(0, 12)}`;
    media.push(id);
    if ((await core.store.call('media.exist', { ids: [id] })).length === 1) continue;
    send({ t: 'setup', step: `media ${id}` });
    // As an import would leave it: the clean file in the library, then its row.
    const temp = path.join(core.blobs.tmpDir, `${id}.mp4`);
    await mkdir(core.blobs.tmpDir, { recursive: true });
    await copyFile(video.file, temp);
    const blob = await core.blobs.adoptFile(temp);
    const sessionId = `seed-${id}-${Date.now()}`;
    await core.store.call('imports.begin', { id: sessionId, startedAt: clock.now().toISOString(), sourcePath: '/chaos', volume: null });
    await core.store.call('imports.commit', {
      sessionId,
      finishedAt: clock.now().toISOString(),
      package: null,
      media: [{ id, kind: 'video', format: 'mp4', originalSha256: `${blob.sha256.slice(0, 63)}0`, originalName: `${id}.mp4`, cleanSha256: blob.sha256, cleanBytes: blob.bytes, thumbnailSha256: null, width: 720, height: 1280, durationMs: 5000, reportJson: '{"mediaKind":"video","findings":[],"warnings":[]}', importSessionId: sessionId, createdAt: clock.now().toISOString() }],
      posts: [],
      acceptedCount: 1,
      rejectedCount: 0,
      resultJson: '{}',
    });
  }
  return { adminId, approverId, media };
}

async function work(): Promise<void> {
  const { adminId, approverId, media } = await setUp();
  let who: 'admin' | 'approver' = 'admin';
  const as = async (person: 'admin' | 'approver') => {
    if (who === person) return;
    await ok(core, 'staff.signIn', person === 'admin' ? { staffId: adminId, secret: ADMIN.pin } : { staffId: approverId, secret: APPROVER.pin });
    who = person;
  };
  // Posts an earlier start of this trial left half way are carried on too.
  const posts: Local[] = [];
  for (const row of (await core.store.call('posts.page', { states: null, limit: 100, offset: 0 })).rows) {
    const marker = markerOf(row.caption);
    if (marker) posts.push({ marker, id: row.id, version: row.version, state: row.state });
  }
  let created = 0;
  const content = (marker: string, r: Random) => ({
    caption: `${marker} Ferry times change #harbour ${r.int(1, 9999)}`,
    targets: ['tiktok'],
    options: { tiktok: { privacyLevel: r.chance(0.2) ? 'PUBLIC_TO_EVERYONE' : 'SELF_ONLY' } },
    media: [{ mediaId: r.pick(media), altText: 'A ferry leaving' }],
  });
  const whenToPublish = (r: Random): string => {
    const roll = r.next();
    if (roll < 0.55) return 'now';
    // The near past: due at once, and older than what is already waiting.
    if (roll < 0.93) return new Date(clock.now().getTime() - r.int(1, 600_000)).toISOString();
    // Some stay legitimately scheduled for later.
    return new Date(clock.now().getTime() + 6 * 3600_000).toISOString();
  };

  for (let n = 1; n <= config!.steps; n++) {
    // Mostly move a post along (the usual day), by whoever is signed in where possible, since
    // each change of person costs a sign-in; sometimes start one, or disturb one.
    const open = posts.filter((p) => nextStep(p) !== null);
    const roll = random.next();
    let op: WorkflowOp;
    let post: Local | undefined;
    if (open.length === 0 || (roll < 0.15 && open.length < 5)) op = 'create';
    else if (roll < 0.28) {
      op = 'edit';
      // Sometimes the edit lands on a post already scheduled (and perhaps being published).
      const scheduled = posts.filter((p) => p.state === 'scheduled');
      post = scheduled.length > 0 && random.chance(0.25) ? random.pick(scheduled) : random.pick(open);
    } else if (roll < 0.3) {
      op = 'cancel';
      post = random.pick(open);
    } else {
      const mine = open.filter((p) => nextStep(p) === 'schedule' || (nextStep(p) === 'approve') === (who === 'approver'));
      post = random.pick(mine.length > 0 && random.chance(0.8) ? mine : open);
      op = nextStep(post)!;
    }
    const marker = post?.marker ?? `${config!.markerPrefix}-p${++created}`;
    send({ t: 'begin', n, op, marker, postId: post?.id ?? null });
    try {
      let view: PostView;
      switch (op) {
        case 'create':
          await as('admin');
          view = await ok<PostView>(core, 'posts.create', content(marker, random));
          post = { marker, id: view.id, version: view.version, state: view.state };
          posts.push(post);
          break;
        case 'edit': {
          await as('admin');
          const c = content(marker, random);
          // Options always go along: posts.edit's schema fills a missing `options` with {} (zod 4
          // applies .default() inside .partial()), which would wipe the TikTok audience.
          const change = random.chance(0.5) ? { caption: c.caption, options: c.options } : random.chance(0.5) ? { media: c.media, options: c.options } : { caption: c.caption, media: c.media, options: c.options };
          view = await ok<PostView>(core, 'posts.edit', { id: post!.id, version: post!.version, change });
          break;
        }
        case 'submit':
          await as('admin');
          view = await ok<PostView>(core, 'posts.submit', { id: post!.id, version: post!.version });
          break;
        case 'approve':
          await as('approver');
          view = await ok<PostView>(core, 'posts.approve', { id: post!.id, version: post!.version });
          break;
        case 'schedule':
          // Either reviewer may schedule: whoever is signed in does.
          view = await ok<PostView>(core, 'posts.schedule', { id: post!.id, version: post!.version, at: whenToPublish(random) });
          break;
        case 'cancel':
          await as('admin');
          view = await ok<PostView>(core, 'posts.cancel', { id: post!.id, version: post!.version });
          break;
      }
      post!.version = view.version;
      post!.state = view.state;
      send({ t: 'ack', n, op, marker, postId: view.id, state: view.state, version: view.version, scheduleAt: view.scheduleAt });
    } catch (err) {
      if (!(err instanceof CallFailed)) throw err;
      // A refusal changes nothing (the publisher got there first, say); look at the post again.
      send({ t: 'refused', n, op, marker, postId: post?.id ?? null, code: err.code, message: err.message });
      if (post) {
        const again = await core.store.call('posts.get', { id: post.id });
        if (again) {
          post.version = again.post.version;
          post.state = again.post.state;
        }
      }
    }
    // Let the publisher's ticks interleave with the next step now and then.
    if (random.chance(0.3)) await new Promise((r) => setTimeout(r, random.int(1, 40)));
  }
  send({ t: 'steps-done' });
}

if (config.mode === 'work') await work();
const settled = await quiesce(config.quiesceMs);
send({ t: 'summary', ...settled, clockOffsetMs });
await core.close();
process.exit(0);
