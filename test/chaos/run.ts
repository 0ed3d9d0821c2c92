// `npm run chaos`: kills the kiosk with SIGKILL at random points while it edits, approves,
// schedules and publishes to a local TikTok simulator, restarts it on the same data, and checks
// that no approved post was lost, none was published twice and nothing is corrupt.
// CHAOS_TRIALS (default 200), CHAOS_SEED (a number, to replay a run's choices),
// CHAOS_CONCURRENCY (trials side by side, default 2), CHAOS_KEEP=1 (keep every data dir).
// Ends with `chaos: N trials, L lost, D duplicated, C corrupt`; exits 1 unless all three are 0.
import { reportLine, runChaos } from './harness.ts';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`${name} must be a whole number, not ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

const trials = intFromEnv('CHAOS_TRIALS', 200);
const result = await runChaos({
  trials,
  ...(process.env.CHAOS_SEED ? { seed: intFromEnv('CHAOS_SEED', 0) } : {}),
  concurrency: Math.max(1, intFromEnv('CHAOS_CONCURRENCY', 2)),
  keep: process.env.CHAOS_KEEP === '1',
  log: (line) => console.log(line),
});

const table = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';
console.log(`chaos: ${result.starts} starts, ${result.kills} SIGKILLs in ${(result.elapsedMs / 1000).toFixed(1)} s (seed ${result.seed})`);
console.log(`chaos: kills landed during: ${table(result.killedDuring)}`);
console.log(`chaos: posts at the end: ${table(result.posts)}`);
if (Object.keys(result.failures).length > 0) console.log(`chaos: failed posts (not lost; their errors): ${table(result.failures)}`);
console.log(reportLine(result));
process.exit(result.lost + result.duplicated + result.corrupt > 0 || result.trials < trials ? 1 : 0);
