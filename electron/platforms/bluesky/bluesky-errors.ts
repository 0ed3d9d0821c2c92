// What goes wrong when Airlock posts to Bluesky, in words a comms officer can act on, with the
// XRPC detail for IT and a flag telling the publisher whether trying later can help.
import { AirlockError } from '../../../common/errors.ts';

export interface BlueskyErrorOptions {
  /** True when the same request may succeed later without any change (server trouble, rate limit). */
  retryable?: boolean;
  /** How long Bluesky asked Airlock to wait before trying again. */
  retryAfterMs?: number;
}

export class BlueskyPublishError extends AirlockError {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, detail?: string, options: BlueskyErrorOptions = {}) {
    super(code, message, detail);
    this.name = 'BlueskyPublishError';
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** An XRPC error answer as the server sent it: `{ error, message }` on a 4xx or 5xx status. */
export class XrpcError extends Error {
  readonly nsid: string;
  readonly status: number;
  /** The XRPC error name, e.g. `InvalidRequest`, `ExpiredToken`; empty when the body had none. */
  readonly error: string;
  readonly serverMessage: string;
  /** From `ratelimit-reset` or `retry-after` on a 429. */
  readonly retryAfterMs: number | undefined;

  constructor(nsid: string, status: number, error: string, serverMessage: string, retryAfterMs?: number) {
    super(`${nsid}: HTTP ${status} ${error || '(no error name)'}: ${serverMessage}`);
    this.name = 'XrpcError';
    this.nsid = nsid;
    this.status = status;
    this.error = error;
    this.serverMessage = serverMessage;
    this.retryAfterMs = retryAfterMs;
  }
}

const NOTHING_PUBLISHED = 'Nothing was published.';

export const RECONNECT_MESSAGE = 'Bluesky no longer accepts the saved sign-in for this account. Ask IT to reconnect the account with a new app password.';

export function reconnectError(detail: string): BlueskyPublishError {
  return new BlueskyPublishError('publish.bluesky.reconnect', RECONNECT_MESSAGE, detail);
}

function detailOf(err: XrpcError): string {
  const text = err.serverMessage.length > 400 ? `${err.serverMessage.slice(0, 400)}…` : err.serverMessage;
  return `${err.nsid}: HTTP ${err.status} ${err.error || '(no error name)'}: ${text}`;
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return m === 1 ? 'about a minute' : `about ${m} minutes`;
}

// The PDS reports every lexicon failure as InvalidRequest; the message names the rule and the
// path ("... at $.record.text"), which is what tells the staff member what to change.
function explainInvalidRequest(err: XrpcError): BlueskyPublishError {
  const m = err.serverMessage;
  const detail = detailOf(err);
  if (/\$\.record\.text\b/.test(m) && /too (big|long)/i.test(m)) {
    return new BlueskyPublishError('publish.bluesky.text-too-long', `Bluesky refused the post because the text is too long: Bluesky allows 300 characters. Shorten the caption and publish again. ${NOTHING_PUBLISHED}`, detail);
  }
  if (/"alt"/.test(m) && /embed/.test(m)) {
    return new BlueskyPublishError('publish.bluesky.alt-missing', `Bluesky needs a description (alt text) for every photo. Add one and publish again. ${NOTHING_PUBLISHED}`, detail);
  }
  if (/\$\.record\.embed\.(images|video)/.test(m) && /(size|too (big|large))/i.test(m)) {
    return new BlueskyPublishError('publish.bluesky.media-too-large', `A photo or video is too large for Bluesky. ${NOTHING_PUBLISHED} Ask IT to look at the details.`, detail);
  }
  if (/\$\.record\.embed/.test(m) && /mimeType|Expected "(image|video)/.test(m)) {
    return new BlueskyPublishError('publish.bluesky.media-type', `Bluesky does not accept this kind of file in a post. ${NOTHING_PUBLISHED} Ask IT to look at the details.`, detail);
  }
  if (/\$\.record\.langs/.test(m)) {
    return new BlueskyPublishError('publish.bluesky.language', `Bluesky did not accept the language chosen for the post. Choose another language and publish again. ${NOTHING_PUBLISHED}`, detail);
  }
  return new BlueskyPublishError('publish.bluesky.rejected', `Bluesky refused the post as Airlock sent it. ${NOTHING_PUBLISHED} Ask IT to look at the details.`, detail);
}

const AUTH_ERRORS = new Set(['ExpiredToken', 'InvalidToken', 'AuthenticationRequired', 'AuthMissing', 'AuthRequired', 'BadJwt']);

/** An answer that a new session may cure: expired or unreadable token, or a plain 401. */
export function isSessionProblem(err: unknown): boolean {
  if (!(err instanceof XrpcError)) return false;
  if (err.error === 'AccountTakedown' || err.error === 'AccountDeactivated') return false;
  return err.status === 401 || (err.status === 400 && AUTH_ERRORS.has(err.error));
}

const NETWORK_CODES = new Set(['egress.connection-failed', 'egress.timeout', 'egress.dns-failed']);

/** Failures where sending the same request again, after a pause, is the right move. */
export function isTransient(err: unknown): boolean {
  if (err instanceof XrpcError) return err.status >= 500 && err.status !== 501;
  return err instanceof AirlockError && NETWORK_CODES.has(err.code);
}

/** Turns whatever a Bluesky step threw into one error value for the publisher and the screen. */
export function explainBlueskyFailure(err: unknown): AirlockError {
  if (err instanceof BlueskyPublishError) return err;
  if (err instanceof XrpcError) {
    const detail = detailOf(err);
    if (err.status === 429 || err.error === 'RateLimitExceeded') {
      const wait = err.retryAfterMs;
      const when = wait === undefined ? 'shortly' : `in ${minutes(wait)}`;
      return new BlueskyPublishError('publish.bluesky.rate-limited', `Bluesky asked Airlock to slow down. Airlock will try again ${when}.`, detail, {
        retryable: true,
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
      });
    }
    if (err.error === 'AccountTakedown' || err.error === 'AccountDeactivated' || err.error === 'RepoTakendown' || err.error === 'RepoDeactivated' || err.error === 'RepoSuspended') {
      return new BlueskyPublishError('publish.bluesky.account-unavailable', `Bluesky says this account is suspended or deactivated, so it cannot post. Check the account in the Bluesky app. ${NOTHING_PUBLISHED}`, detail);
    }
    if (isSessionProblem(err)) return reconnectError(detail);
    if (err.status >= 500) {
      return new BlueskyPublishError('publish.bluesky.unavailable', 'Bluesky had a problem on its side. Airlock will check whether the post went out and try again later.', detail, { retryable: true });
    }
    if (err.error === 'InvalidRequest' || err.status === 400) return explainInvalidRequest(err);
    if (err.status === 413) {
      return new BlueskyPublishError('publish.bluesky.media-too-large', `A photo or video is too large for this Bluesky server. ${NOTHING_PUBLISHED} Ask IT to look at the details.`, detail);
    }
    return new BlueskyPublishError('publish.bluesky.failed', `Bluesky did not accept the request. ${NOTHING_PUBLISHED} Ask IT to look at the details.`, detail);
  }
  if (err instanceof AirlockError) {
    if (NETWORK_CODES.has(err.code)) {
      return new BlueskyPublishError('publish.bluesky.unreachable', `Airlock could not reach Bluesky. Check the kiosk's internet connection; Airlock will try again later.`, `${err.code}: ${err.detail ?? err.message}`, { retryable: true });
    }
    // Refusals by the egress guard, cancellations and vault errors already speak plainly.
    return err;
  }
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new BlueskyPublishError('publish.bluesky.failed', `Something went wrong while posting to Bluesky. ${NOTHING_PUBLISHED} Ask IT to look at the details.`, detail);
}
