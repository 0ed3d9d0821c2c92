// The chaos runner's engine, shared by `npm run chaos` (run.ts) and the short version in
// `npm test` (test/integration/chaos/chaos.test.ts). One TikTok simulator on 127.0.0.1 lives
// for the whole run; each trial is a kiosk data dir that worker processes open one after
// another. The first start works (edits, approvals, schedules, uploads) and is killed with
// SIGKILL at a random moment; sometimes a second or third start is killed too (working again,
// or in the middle of recovering); the last start only recovers and closes the kiosk cleanly.
// Then check.ts judges the database, the feed and the acknowledged steps.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTikTokSimulator, type TikTokSimulator } from '../../electron/platforms/tiktok/simulator.ts';
import { checkTrial, type LedgerEntry, type Problem } from './check.ts';
import { WARM_ENV, markerOf, rng, type Random, type WorkerConfig, type WorkerMessage, type WorkerVideo } from './protocol.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface ChaosOptions {
  trials: number;
  seed?: number;
  /** Trials run side by side (each one's starts stay strictly one after another). Default 2. */
  concurrency?: number;
  log?: (line: string) => void;
  /** Keep the data dirs (printed) instead of removing them; failing trials are always kept. */
  keep?: boolean;
  /** Longest any one worker may live before the runner calls it hung. Default 60 s. */
  workerTimeoutMs?: number;
}

export interface ChaosResult {
  trials: number;
  lost: number;
  duplicated: number;
  corrupt: number;
  problems: (Problem & { trial: number })[];
  starts: number;
  kills: number;
  /** Where the kills landed, by what the worker last said it was doing. */
  killedDuring: Record<string, number>;
  posts: Record<string, number>;
  failures: Record<string, number>;
  elapsedMs: number;
  seed: number;
  workDir: string;
}

/** The line `npm run chaos` ends with. */
export function reportLine(r: Pick<ChaosResult, 'trials' | 'lost' | 'duplicated' | 'corrupt'>): string {
  return `chaos: ${r.trials} trials, ${r.lost} lost, ${r.duplicated} duplicated, ${r.corrupt} corrupt`;
}

type KillPlan =
  | { kind: 'none' }
  | { kind: 'timer'; ms: number; from: 'spawn' | 'ready' }
  | { kind: 'line'; t: 'begin' | 'ack'; count: number }
  | { kind: 'progress'; count: number }
  | { kind: 'post'; state: 'publishing' | 'published'; count: number };

interface StartOutcome {
  killed: boolean;
  /** What the worker last said before the kill (the phase the kill landed in). */
  during: string;
  exitCode: number | null;
  summary: Extract<WorkerMessage, { t: 'summary' }> | null;
  stderr: string;
  ms: number;
}

/** A file the simulator accepts as video (an `ftyp` box) padded with a `free` box to `bytes`. */
async function makeVideo(file: string, bytes: number): Promise<WorkerVideo> {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.writeUInt32BE(512, 12);
  ftyp.write('isom', 16, 'latin1');
  ftyp.write('mp41', 20, 'latin1');
  const free = randomBytes(bytes - ftyp.length);
  free.writeUInt32BE(free.length, 0);
  free.write('free', 4, 'latin1');
  const data = Buffer.concat([ftyp, free]);
  await writeFile(file, data);
  return { file, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

function describe(m: WorkerMessage | null, startedAt: number): string {
  if (!m) return `opening (${Date.now() - startedAt} ms in)`;
  switch (m.t) {
    case 'loaded':
      return 'loading';
    case 'ready':
      return 'just opened';
    case 'setup':
      return `setup: ${m.step}`;
    case 'begin':
      return `step ${m.n}: ${m.op} (sent)`;
    case 'ack':
      return `step ${m.n}: ${m.op} (done)`;
    case 'refused':
      return `step ${m.n}: ${m.op} (refused ${m.code})`;
    case 'progress':
      return `publishing: ${m.phase} ${(m.bytesDone / 2 ** 20).toFixed(1)}/${(m.bytesTotal / 2 ** 20).toFixed(1)} MiB`;
    case 'post':
      return `post ${m.state}`;
    case 'clock':
      return 'waiting (clock moved)';
    case 'steps-done':
      return 'steps done, publishing';
    case 'summary':
      return 'closing';
  }
}

/** Coarse buckets for the run's "where did the kills land" table. */
function bucket(during: string): string {
  if (during.startsWith('opening')) return 'opening';
  if (during.startsWith('setup') || during === 'just opened') return 'setup';
  if (during.startsWith('steps done')) return 'after-steps';
  if (during.startsWith('step')) return `step:${/: (\w+)/.exec(during)?.[1] ?? '?'}`;
  if (during.startsWith('publishing')) return `publish:${/publishing: (\w+)/.exec(during)?.[1] ?? '?'}`;
  if (during.startsWith('post')) return during.replace(' ', ':');
  return during.split(' ')[0]!;
}

/** A worker process started ahead of time, loading Airlock's code while the previous start runs. */
interface WarmWorker {
  child: ChildProcessWithoutNullStreams;
  /** Resolves once it said `loaded` (false if it died first). */
  loaded: Promise<boolean>;
}

function spawnWarm(): WarmWorker {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, [WARM_ENV]: '1', NODE_NO_WARNINGS: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8');
  const loaded = new Promise<boolean>((resolve) => {
    let seen = '';
    const onData = (chunk: string) => {
      seen += chunk;
      if (seen.includes('{"t":"loaded"}\n')) {
        child.stdout.off('data', onData);
        resolve(true);
      }
    };
    child.stdout.on('data', onData);
    child.once('close', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  return { child, loaded };
}

/**
 * One warm worker per lane: each start takes the one made ready during the previous start and
 * leaves a new one loading. Module loading is most of a start's cost and touches no data, so
 * doing it ahead changes nothing the trial checks; the kill timers count from the moment the
 * worker gets its config, i.e. from when this life of the kiosk begins.
 */
class WarmPool {
  readonly #spares: WarmWorker[] = [];

  constructor(lanes: number) {
    for (let i = 0; i < lanes; i++) this.#spares.push(spawnWarm());
  }

  async take(): Promise<ChildProcessWithoutNullStreams> {
    const next = this.#spares.shift() ?? spawnWarm();
    this.#spares.push(spawnWarm());
    if (await next.loaded) return next.child;
    // A spare that died while loading (it should not) is not used; the next one is.
    return this.take();
  }

  stop(): void {
    for (const spare of this.#spares.splice(0)) {
      spare.child.stdin.end();
      spare.child.kill('SIGKILL');
    }
  }
}

async function runWorker(pool: WarmPool, config: WorkerConfig, plan: KillPlan, jitter: number, fallbackMs: number, timeoutMs: number, onMessage: (m: WorkerMessage) => void): Promise<StartOutcome> {
  const child = await pool.take();
  const startedAt = Date.now();
  child.stdin.end(`${JSON.stringify(config)}\n`);
  let last: WorkerMessage | null = null;
  let killed = false;
  let during = '';
  let summary: StartOutcome['summary'] = null;
  let stderr = '';
  const counts = { begin: 0, ack: 0, progress: 0, publishing: 0, published: 0 };
  const kill = () => {
    if (killed || child.exitCode !== null || child.signalCode !== null) return;
    killed = true;
    during = describe(last, startedAt);
    child.kill('SIGKILL');
  };
  const trigger = () => (jitter > 0 ? setTimeout(kill, jitter) : kill());
  let timer = plan.kind === 'timer' && plan.from === 'spawn' ? setTimeout(kill, plan.ms) : null;
  const watchdog = setTimeout(() => {
    if (child.exitCode !== null) return;
    stderr += `\n[chaos] worker still running after ${timeoutMs} ms; killed as hung`;
    child.kill('SIGKILL');
  }, timeoutMs);

  let pending = '';
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      let m: WorkerMessage;
      try {
        m = JSON.parse(line) as WorkerMessage;
      } catch {
        continue;
      }
      if (killed) continue;
      last = m;
      onMessage(m);
      if (m.t === 'summary') summary = m;
      if (m.t === 'ready' && plan.kind === 'timer' && plan.from === 'ready') timer = setTimeout(kill, plan.ms);
      // A plan that has not fired by the end of the steps (nothing reached the publisher, say)
      // still kills: while the worker lets publishing finish, or as it closes.
      if (plan.kind !== 'none' && m.t === 'steps-done') setTimeout(kill, fallbackMs);
      if (plan.kind !== 'none' && m.t === 'summary') kill();
      if (m.t === 'begin' || m.t === 'ack') counts[m.t] += 1;
      if (m.t === 'progress') counts.progress += 1;
      if (m.t === 'post' && (m.state === 'publishing' || m.state === 'published')) counts[m.state] += 1;
      if (plan.kind === 'line' && m.t === plan.t && counts[plan.t] === plan.count) trigger();
      if (plan.kind === 'progress' && m.t === 'progress' && counts.progress === plan.count) trigger();
      if (plan.kind === 'post' && m.t === 'post' && m.state === plan.state && counts[plan.state] === plan.count) trigger();
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      clearTimeout(watchdog);
      resolve({ killed, during: killed ? during : describe(last, startedAt), exitCode: code, summary, stderr, ms: Date.now() - startedAt });
    });
  });
}

function chooseKill(r: Random, mode: 'work' | 'recover', steps: number, large: boolean): KillPlan {
  const roll = r.next();
  if (mode === 'recover') {
    if (roll < 0.5) return r.chance(0.2) ? { kind: 'timer', ms: r.int(500, 1100), from: 'spawn' } : { kind: 'timer', ms: r.int(0, 300), from: 'ready' };
    if (roll < 0.85) return { kind: 'progress', count: r.int(1, large ? 24 : 6) };
    return { kind: 'post', state: 'published', count: 1 };
  }
  // From the spawn: now and then while the database opens (its first start creates it).
  if (roll < 0.05) return { kind: 'timer', ms: r.int(500, 1100), from: 'spawn' };
  if (roll < 0.25) return { kind: 'timer', ms: r.int(0, 1200), from: 'ready' };
  if (roll < 0.45) return { kind: 'line', t: r.chance(0.5) ? 'begin' : 'ack', count: r.int(1, steps) };
  if (roll < 0.85) return { kind: 'progress', count: r.int(1, large ? 30 : 8) };
  return { kind: 'post', state: r.chance(0.7) ? 'publishing' : 'published', count: r.int(1, 2) };
}

function planText(p: KillPlan): string {
  switch (p.kind) {
    case 'none':
      return 'no kill';
    case 'timer':
      return `${p.ms} ms after ${p.from === 'ready' ? 'opening' : 'the spawn'}`;
    case 'line':
      return `at ${p.t} #${p.count}`;
    case 'progress':
      return `at progress #${p.count}`;
    case 'post':
      return `when post #${p.count} is ${p.state}`;
  }
}

async function pool<T>(n: number, count: number, work: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(n, count)) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? (Date.now() % 2 ** 31);
  const runId = randomBytes(3).toString('hex');
  const t0 = Date.now();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-chaos-'));
  const result: ChaosResult = { trials: 0, lost: 0, duplicated: 0, corrupt: 0, problems: [], starts: 0, kills: 0, killedDuring: {}, posts: {}, failures: {}, elapsedMs: 0, seed, workDir };

  // Processing is timed, not counted in polls, so an upload the kiosk abandoned still turns
  // into a feed post if all its bytes arrived: a second send would show up as a duplicate.
  let warm: WarmPool | undefined;
  const sim: TikTokSimulator = await startTikTokSimulator({
    rateLimits: false,
    dailyPostCap: 1_000_000,
    processing: { polls: 0, ms: 25, moderationPolls: 0, moderationMs: 25 },
  });
  try {
    await mkdir(path.join(workDir, 'videos'));
    // Two single-chunk videos and one that goes in two 10 MB chunks, so kills land mid-upload.
    const small = [await makeVideo(path.join(workDir, 'videos', 'a.mp4'), 1_100_000), await makeVideo(path.join(workDir, 'videos', 'b.mp4'), 2_600_000)];
    const large = await makeVideo(path.join(workDir, 'videos', 'c.mp4'), 21_500_000);
    log(`chaos: seed ${seed}, ${options.trials} trials, simulator ${sim.origin}, data in ${workDir}`);
    warm = new WarmPool(Math.max(1, Math.min(options.concurrency ?? 2, options.trials)));

    await pool(options.concurrency ?? 2, options.trials, async (trial) => {
      const r = rng((seed ^ Math.imul(trial + 1, 0x9e3779b1)) >>> 0);
      const dataDir = path.join(workDir, `trial-${trial}`);
      const ledger = new Map<string, LedgerEntry>();
      const withLarge = r.chance(0.4);
      const videos = withLarge ? [...small, large] : small;
      const starts: ('work' | 'recover')[] = ['work'];
      if (r.chance(0.35)) starts.push(r.chance(0.5) ? 'work' : 'recover');
      if (starts.length === 2 && r.chance(0.25)) starts.push('recover');
      starts.push('recover');
      const kills: string[] = [];
      const trialStart = Date.now();
      const problems: Problem[] = [];
      let lastSummary: StartOutcome['summary'] = null;

      for (let s = 0; s < starts.length; s++) {
        const mode = starts[s]!;
        const final = s === starts.length - 1;
        const steps = r.int(6, 14);
        const tokens = sim.issueTokens();
        const issuedAt = Date.now();
        const config: WorkerConfig = {
          dataDir,
          mode,
          seed: r.int(0, 2 ** 31),
          markerPrefix: `chaos-${runId}-t${trial}-s${s}`,
          apiBase: sim.origin,
          tokens: {
            openId: tokens.open_id,
            accessToken: tokens.access_token,
            refreshToken: tokens.refresh_token,
            expiresAt: issuedAt + tokens.expires_in * 1000,
            refreshExpiresAt: issuedAt + tokens.refresh_expires_in * 1000,
            scopes: tokens.scope.split(','),
          },
          videos,
          steps,
          quiesceMs: final ? 20_000 : 8_000,
          publisherIntervalMs: 15,
          publishPollMs: 5,
        };
        const plan: KillPlan = final ? { kind: 'none' } : chooseKill(r, mode, steps, withLarge);
        const jitter = r.chance(0.3) ? r.int(1, 4) : 0;
        const outcome = await runWorker(warm!, config, plan, jitter, r.int(0, 150), options.workerTimeoutMs ?? 60_000, (m) => {
          if (m.t === 'begin') {
            const e = ledger.get(m.marker) ?? { marker: m.marker, postId: m.postId, acked: null, pending: [] };
            e.pending.push(m.op);
            ledger.set(m.marker, e);
          } else if (m.t === 'ack') {
            const e = ledger.get(m.marker) ?? { marker: m.marker, postId: m.postId, acked: null, pending: [] };
            e.postId = m.postId;
            e.acked = { op: m.op, state: m.state, version: m.version, scheduleAt: m.scheduleAt };
            e.pending = [];
            ledger.set(m.marker, e);
          } else if (m.t === 'refused') {
            const e = ledger.get(m.marker);
            if (e) e.pending = [];
          }
        });
        result.starts += 1;
        if (outcome.killed) {
          result.kills += 1;
          const b = bucket(outcome.during);
          result.killedDuring[b] = (result.killedDuring[b] ?? 0) + 1;
          kills.push(`${mode} killed ${planText(plan)}: ${outcome.during}`);
        } else if (outcome.exitCode !== 0) {
          problems.push({ kind: 'corrupt', marker: null, postId: null, detail: `start ${s} (${mode}) exited ${outcome.exitCode} on its own after "${outcome.during}": ${outcome.stderr.trim().split('\n').slice(-6).join(' | ')}` });
          break;
        } else {
          kills.push(`${mode} ran to the end (${planText(plan)})`);
        }
        if (final) {
          lastSummary = outcome.summary;
          if (!outcome.summary) problems.push({ kind: 'corrupt', marker: null, postId: null, detail: `the recovering start gave no summary` });
        }
      }

      // Uploads the kiosk abandoned turn into feed posts once processing time has passed.
      await new Promise((res) => setTimeout(res, 60));
      const prefix = `chaos-${runId}-t${trial}-`;
      const feed = sim.feed().filter((f) => markerOf(f.caption)?.startsWith(prefix));
      if (problems.length === 0) {
        const verdict = await checkTrial({ dataDir, feed, ledger, now: Date.now() + (lastSummary?.clockOffsetMs ?? 0) });
        problems.push(...verdict.problems);
        for (const [state, n] of Object.entries(verdict.facts.states)) result.posts[state] = (result.posts[state] ?? 0) + n;
        for (const code of verdict.facts.failures) result.failures[code] = (result.failures[code] ?? 0) + 1;
        if (lastSummary && !lastSummary.quiescent && !problems.some((p) => p.kind === 'lost')) {
          problems.push({ kind: 'lost', marker: null, postId: null, detail: `never went quiet: ${JSON.stringify(lastSummary.open)}` });
        }
        const states = Object.entries(verdict.facts.states).map(([k, v]) => `${v} ${k}`).join(', ');
        log(`trial ${trial + 1}/${options.trials}: ${starts.length} starts, posts: ${states || 'none'}; ${feed.length} on TikTok; ${((Date.now() - trialStart) / 1000).toFixed(1)} s${problems.length ? ` — ${problems.length} PROBLEM(S)` : ''}`);
      } else {
        log(`trial ${trial + 1}/${options.trials}: ${problems.length} PROBLEM(S)`);
      }
      result.trials += 1;
      for (const p of problems) {
        result[p.kind] += 1;
        result.problems.push({ ...p, trial });
        log(`  ${p.kind.toUpperCase()} ${p.marker ?? ''} ${p.detail}`);
      }
      if (problems.length > 0) {
        for (const k of kills) log(`    ${k}`);
        log(`    data dir kept: ${dataDir}`);
      } else if (!options.keep) {
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  } finally {
    warm?.stop();
    await sim.stop();
    if (!options.keep && result.problems.length === 0) await rm(workDir, { recursive: true, force: true });
  }
  result.elapsedMs = Date.now() - t0;
  return result;
}
