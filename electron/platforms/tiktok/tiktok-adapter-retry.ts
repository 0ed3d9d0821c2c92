// How the TikTok adapter fails and waits: errors staff can act on (a code, a sentence, detail
// for IT, and what should happen next), and retries with exponential backoff and jitter that
// honour TikTok's Retry-After. Only failures known to be temporary are ever sent again.
import { setTimeout as delay } from 'node:timers/promises';
import { AirlockError } from '../../../common/errors.ts';
import { explainTikTokCode, type TikTokNextStep } from './messages.ts';

/** An AirlockError that also says what the publisher should do next (§1.2 "try later" etc.). */
export class TikTokPublishError extends AirlockError {
  readonly next: TikTokNextStep;

  constructor(code: string, message: string, detail: string | undefined, next: TikTokNextStep) {
    super(code, message, detail);
    this.name = 'TikTokPublishError';
    this.next = next;
  }
}

/** TikTok's own code as `publish.tiktok.<code>`; the code comes off the wire, so only its safe characters. */
export function platformError(code: string, detail: string): TikTokPublishError {
  const safe = code.toLowerCase().replace(/[^a-z0-9_]/g, '').slice(0, 64) || 'unknown';
  const { message, next } = explainTikTokCode(safe);
  return new TikTokPublishError(`publish.tiktok.${safe}`, message, detail, next);
}

/** A failure worth another attempt; `final` is what staff see when every attempt has failed. */
export class TransientFailure extends Error {
  readonly final: TikTokPublishError;
  readonly retryAfterMs: number | undefined;

  constructor(final: TikTokPublishError, retryAfterMs?: number) {
    super(final.detail ?? final.message);
    this.name = 'TransientFailure';
    this.final = final;
    this.retryAfterMs = retryAfterMs;
  }
}

export function abortedError(): TikTokPublishError {
  return new TikTokPublishError(
    'publish.tiktok.aborted',
    'Publishing to TikTok was stopped before it finished. When the job runs again it carries on where it stopped.',
    'the publish job was cancelled (AbortSignal)',
    'retry',
  );
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortedError();
}

/**
 * A request that never got a readable answer. Connection failures and time-outs are worth
 * another try; an egress refusal or an over-large answer is not, and keeps its own wording.
 */
export function networkFailure(err: unknown, what: string): Error {
  if (err instanceof TransientFailure || err instanceof TikTokPublishError) return err;
  if (err instanceof AirlockError && err.code !== 'egress.connection-failed' && err.code !== 'egress.timeout') return err;
  const why = err instanceof AirlockError ? (err.detail ?? err.message) : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new TransientFailure(
    new TikTokPublishError(
      'publish.tiktok.unreachable',
      "Airlock could not get an answer from TikTok. Check the kiosk's internet connection; the post can be sent again safely.",
      `${what}: ${why}`,
      'retry',
    ),
  );
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface RetryPolicy {
  /** Attempts of one step (a call or a chunk), the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After ends the job with "try later" rather than holding the kiosk's queue. */
  maxRetryAfterMs: number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
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

export async function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (signal.aborted) throw abortedError();
    throw err;
  }
}

/** Runs `work` until it succeeds, fails for good, or runs out of attempts. */
export async function withRetries<T>(policy: RetryPolicy, signal: AbortSignal, work: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await work(attempt);
    } catch (err) {
      // Whatever failed, a cancelled job reports the cancellation, not the broken socket.
      if (signal.aborted) throw abortedError();
      if (!(err instanceof TransientFailure)) throw err;
      if (attempt >= policy.maxAttempts) throw err.final;
      if (err.retryAfterMs !== undefined && err.retryAfterMs > policy.maxRetryAfterMs) {
        const minutes = Math.ceil(err.retryAfterMs / 60_000);
        throw new TikTokPublishError(
          'publish.tiktok.rate_limit_exceeded',
          `TikTok asked Airlock to wait about ${minutes} minute${minutes === 1 ? '' : 's'} before sending more. Try again later.`,
          `${err.final.detail ?? ''} (Retry-After ${Math.round(err.retryAfterMs / 1000)} s)`.trim(),
          'later',
        );
      }
      await policy.sleep(Math.max(backoffDelay(policy, attempt), err.retryAfterMs ?? 0), signal);
    }
  }
}
