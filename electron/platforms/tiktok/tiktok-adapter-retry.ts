// How the TikTok adapter fails and waits: errors staff can act on (a code, a sentence, detail
// for IT, and what should happen next), and the shared retries (../retry.ts) in TikTok's words,
// honouring TikTok's Retry-After. Only failures known to be temporary are ever sent again.
import { AirlockError } from '../../../common/errors.ts';
import { abortableSleep, TransientFailure as SharedTransientFailure, withRetries as withSharedRetries, type RetryHooks, type RetryPolicy } from '../retry.ts';
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
export type TransientFailure = SharedTransientFailure<TikTokPublishError>;
export const TransientFailure = SharedTransientFailure as new (final: TikTokPublishError, retryAfterMs?: number) => TransientFailure;

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

export { backoffDelay, parseRetryAfter, type RetryPolicy } from '../retry.ts';

export const defaultSleep = abortableSleep(abortedError);

const hooks: RetryHooks = {
  aborted: abortedError,
  tooLong: (failure, waitMs) => {
    const minutes = Math.ceil(waitMs / 60_000);
    const detail = (failure.final as TikTokPublishError).detail ?? '';
    return new TikTokPublishError(
      'publish.tiktok.rate_limit_exceeded',
      `TikTok asked Airlock to wait about ${minutes} minute${minutes === 1 ? '' : 's'} before sending more. Try again later.`,
      `${detail} (Retry-After ${Math.round(waitMs / 1000)} s)`.trim(),
      'later',
    );
  },
};

/** Runs `work` until it succeeds, fails for good, or runs out of attempts. */
export function withRetries<T>(policy: RetryPolicy, signal: AbortSignal, work: (attempt: number) => Promise<T>): Promise<T> {
  return withSharedRetries(policy, signal, hooks, work);
}
