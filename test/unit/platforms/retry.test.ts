// The retry module every adapter shares: backoff with equal jitter, waits the server names,
// "try later" for waits too long to hold the queue, a hook before each attempt, cancellation.
import { describe, expect, it } from 'vitest';
import { retryPolicy, TransientFailure, withRetries, type RetryHooks, type RetryPolicy } from '../../../electron/platforms/retry.ts';

class Words extends Error {}

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { waits: number[] } {
  const waits: number[] = [];
  return { ...retryPolicy({ random: () => 0.5, baseDelayMs: 1000, maxDelayMs: 8000, maxRetryAfterMs: 60_000 }, () => new Words('stopped')), sleep: async (ms) => void waits.push(ms), ...overrides, waits };
}

const hooks = (extra: Partial<RetryHooks> = {}): RetryHooks => ({ aborted: () => new Words('stopped'), tooLong: (_f, ms) => new Words(`later ${ms}`), ...extra });

describe('shared retries', () => {
  it('fills in the defaults every adapter uses', () => {
    expect(retryPolicy({}, () => new Error('x'))).toMatchObject({ maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 300_000 });
  });

  it('waits the longer of the backoff and a named wait plus its jitter, then gives the last failure', async () => {
    const p = policy({ maxAttempts: 3 });
    const final = new Words('gave up');
    let calls = 0;
    const err = await withRetries(p, new AbortController().signal, hooks({ waitJitterMs: 1000 }), async () => {
      calls += 1;
      throw new TransientFailure(final, calls === 1 ? 5000 : undefined);
    }).catch((e: unknown) => e);
    expect(err).toBe(final);
    expect(p.waits).toEqual([5500, 1500]);
  });

  it('ends with the adapter\'s "try later" when a named wait is longer than the queue should be held, even on the last attempt', async () => {
    const p = policy({ maxAttempts: 1 });
    await expect(withRetries(p, new AbortController().signal, hooks(), async () => Promise.reject(new TransientFailure(new Words('x'), 3_600_000)))).rejects.toThrow('later 3600000');
    expect(p.waits).toEqual([]);
  });

  it('runs the hook before every attempt with its number, and lets it end the loop', async () => {
    const p = policy();
    const seen: number[] = [];
    const found = new Words('found it');
    const err = await withRetries(p, new AbortController().signal, hooks({ beforeAttempt: async (n) => {
      seen.push(n);
      if (n === 3) throw found;
    } }), async () => Promise.reject(new TransientFailure(new Words('x')))).catch((e: unknown) => e);
    expect(err).toBe(found);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('reports a cancelled job as cancelled, not as the failure underneath', async () => {
    const controller = new AbortController();
    await expect(withRetries(policy(), controller.signal, hooks(), async () => {
      controller.abort();
      throw new Error('socket hang up');
    })).rejects.toThrow('stopped');
  });
});
