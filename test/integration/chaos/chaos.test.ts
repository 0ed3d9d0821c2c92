// The short version of `npm run chaos` (test/chaos/run.ts): the same runner, worker and checks,
// a handful of trials. Each trial kills a kiosk process with SIGKILL at a random moment while
// it edits, approves, schedules and publishes to the local TikTok simulator, restarts it on the
// same data and checks that no approved post was lost, none went out twice, nothing is corrupt.
import { describe, expect, it } from 'vitest';
import { reportLine, runChaos } from '../../chaos/harness.ts';

describe('crash safety (short chaos run)', () => {
  it('loses, duplicates and corrupts nothing across SIGKILLs during the publishing workflow', { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const result = await runChaos({ trials: 5, concurrency: 2, log: (line) => lines.push(line) });
    const report = reportLine(result);
    console.log(`${report} (${result.kills} SIGKILLs, ${(result.elapsedMs / 1000).toFixed(1)} s, seed ${result.seed}; CHAOS_SEED=${result.seed} npm run chaos replays the choices)`);
    // On failure the whole log says which step each kill hit and where the data dir was kept.
    expect(result.problems, lines.join('\n')).toEqual([]);
    expect(report).toBe('chaos: 5 trials, 0 lost, 0 duplicated, 0 corrupt');
    expect(result.kills).toBeGreaterThanOrEqual(5);
  });
});
