// How every platform adapter waits and tries again: exponential backoff with equal jitter,
// waits the server names (Retry-After and the like) honoured up to a limit, and only failures
// known to be temporary ever sent again. Each adapter brings its own words for the errors.
import { setTimeout as delay } from 'node:timers/promises';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface RetryPolicy {
  /** Attempts of one step (a call or a chunk), the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer wait asked by the server ends the job with "try later" rather than holding the kiosk's queue. */
  maxRetryAfterMs: number;
  sleep: Sleep;
  /** In [0, 1); the jitter source. */
  random: () => number;
}

/** What an adapter's options may set of its retry policy; the rest takes the defaults below. */
export interface RetryOptions {
  /** Every wait (backoff, Retry-After, polling) goes through this, so tests need not wait. */
  sleep?: Sleep;
  /** In [0, 1); the jitter of the backoff. */
  random?: () => number;
  /** Attempts of one step (a call or a chunk), the first included. Default 5. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A longer server-named wait ends the job with "try later". Default 5 minutes. */
  maxRetryAfterMs?: number;
}

/** A sleep that a cancelled job leaves at once, with the adapter's own "stopped" error. */
export function abortableSleep(aborted: () => Error): Sleep {
  return async (ms, signal) => {
    try {
      await delay(ms, undefined, { signal });
    } catch (err) {
      if (signal.aborted) throw aborted();
      throw err;
    }
  };
}

export function retryPolicy(options: RetryOptions, aborted: () => Error): RetryPolicy {
  return {
    maxAttempts: options.maxAttempts ?? 5,
    baseDelayMs: options.baseDelayMs ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 5 * 60_000,
    sleep: options.sleep ?? abortableSleep(aborted),
    random: options.random ?? Math.random,
  };
}

/**
 * Exponential backoff with "equal jitter": half the ceiling fixed, half random, so kiosks
 * that lost the network together do not come back in step, yet never retry at once.
 */
export function backoffDelay(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const r = Math.min(1, Math.max(0, policy.random()));
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A failure worth another attempt; `final` is what staff see when every attempt has failed. */
export class TransientFailure<E extends Error = Error> extends Error {
  readonly final: E;
  /** How long the server asked Airlock to wait, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(final: E, retryAfterMs?: number) {
    super((final as { detail?: string }).detail ?? final.message);
    this.name = 'TransientFailure';
    this.final = final;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface RetryHooks {
  /** The adapter's "publishing was stopped" error. */
  aborted: () => Error;
  /** The adapter's "try later" error, for a server-named wait longer than `maxRetryAfterMs`. */
  tooLong: (failure: TransientFailure, waitMs: number) => Error;
  /** Up to this much random time on top of a wait the server named, so kiosks do not return in step. Default 0. */
  waitJitterMs?: number;
  /** Runs before every attempt (e.g. to sit out a rate-limit window the last answer announced). */
  beforeAttempt?: (attempt: number) => Promise<void>;
}

/** Runs `work` until it succeeds, fails for good, or runs out of attempts. */
export async function withRetries<T>(policy: RetryPolicy, signal: AbortSignal, hooks: RetryHooks, work: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw hooks.aborted();
    try {
      await hooks.beforeAttempt?.(attempt);
      return await work(attempt);
    } catch (err) {
      // Whatever failed, a cancelled job reports the cancellation, not the broken socket.
      if (signal.aborted) throw hooks.aborted();
      if (!(err instanceof TransientFailure)) throw err;
      const asked = err.retryAfterMs;
      if (asked !== undefined && asked > policy.maxRetryAfterMs) throw hooks.tooLong(err, asked);
      if (attempt >= policy.maxAttempts) throw err.final;
      const jitter = hooks.waitJitterMs ?? 0;
      const named = asked === undefined ? 0 : asked + (jitter > 0 ? Math.round(policy.random() * jitter) : 0);
      await policy.sleep(Math.max(backoffDelay(policy, attempt), named), signal);
    }
  }
}
