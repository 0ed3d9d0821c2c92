// What goes wrong when Airlock posts to Mastodon, in words a comms officer can act on: a code
// `publish.mastodon.<what>`, a sentence, the server's own `{error}` text for IT, and whether the
// publisher should try again later (`retryable`, `next`).
import { AirlockError } from '../../../common/errors.ts';
import type { MastodonLimits } from './mastodon-protocol.ts';

/**
 * `retry`: the same request may succeed after a pause. `later`: Mastodon asked for a long pause.
 * `reconnect`: IT must connect the account again. `fix`: the post or the setup must change first.
 */
export type MastodonNextStep = 'retry' | 'later' | 'reconnect' | 'fix';

export class MastodonPublishError extends AirlockError {
  readonly next: MastodonNextStep;
  /** The publisher checks this: true when trying the job again later can help. */
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, detail: string | undefined, next: MastodonNextStep, retryAfterMs?: number) {
    super(code, message, detail);
    this.name = 'MastodonPublishError';
    this.next = next;
    this.retryable = next === 'retry' || next === 'later';
    this.retryAfterMs = retryAfterMs;
  }
}

/** A non-success answer as Mastodon sent it: the status and its `{error}` text (§8). */
export class MastodonHttpError extends Error {
  readonly status: number;
  readonly serverError: string;
  /** Method and path, never the query or a token. */
  readonly what: string;

  constructor(what: string, status: number, serverError: string) {
    super(`${what} answered HTTP ${status}${serverError ? `: ${serverError}` : ''}`);
    this.name = 'MastodonHttpError';
    this.what = what;
    this.status = status;
    this.serverError = serverError;
  }
}

const NOTHING = 'Nothing was published.';

export const mastodonError = (code: string, message: string, detail: string | undefined, next: MastodonNextStep, retryAfterMs?: number) =>
  new MastodonPublishError(`publish.mastodon.${code}`, message, detail, next, retryAfterMs);

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return m === 1 ? 'about a minute' : `about ${m} minutes`;
}

export function reconnectError(detail: string): MastodonPublishError {
  return mastodonError(
    'reconnect',
    "Mastodon no longer accepts Airlock's connection to this account; it may have been withdrawn in the account's settings. Ask IT to reconnect the Mastodon account, then publish again.",
    detail,
    'reconnect',
  );
}

export function rateLimitedError(detail: string, waitMs: number | undefined): MastodonPublishError {
  const when = waitMs === undefined ? 'shortly' : `in ${minutes(waitMs)}`;
  return mastodonError('rate-limited', `Mastodon asked Airlock to slow down. Airlock will try again ${when}; the post will not be sent twice.`, detail, waitMs !== undefined && waitMs > 5 * 60_000 ? 'later' : 'retry', waitMs);
}

export function unavailableError(detail: string): MastodonPublishError {
  return mastodonError('unavailable', 'Mastodon had a problem on its side. Airlock will try again shortly; the post will not be sent twice.', detail, 'retry');
}

export function networkError(detail: string): MastodonPublishError {
  return mastodonError('network', "Airlock could not get an answer from Mastodon. Check the kiosk's internet connection; Airlock will try again, and the post will not be sent twice.", detail, 'retry');
}

export function abortedError(): MastodonPublishError {
  return mastodonError('aborted', 'Publishing to Mastodon was stopped before it finished. When the job runs again it carries on where it stopped.', 'the publish job was cancelled (AbortSignal)', 'retry');
}

/** §4.3/§4.2 422 texts that say the post itself must change, matched on Mastodon's wording. */
function explainRefusal(text: string, detail: string, limits: MastodonLimits): MastodonPublishError {
  const limit = /character limit of (\d+) exceeded/i.exec(text);
  if (limit) {
    return mastodonError(
      'text-too-long',
      `Mastodon allows ${limit[1]} characters in a post, and counts every link as ${limits.charactersReservedPerUrl}. This caption is too long: shorten it and publish again. ${NOTHING}`,
      detail,
      'fix',
    );
  }
  if (/not finished processing/i.test(text)) {
    return mastodonError('still-processing', 'Mastodon is still processing a photo or video of this post. Airlock will try again shortly; the post will not be sent twice.', detail, 'retry');
  }
  if (/Text can't be blank/i.test(text)) return mastodonError('text-blank', `A Mastodon post needs some text or at least one photo or video. ${NOTHING}`, detail, 'fix');
  if (/Cannot attach more than/i.test(text)) return mastodonError('too-many-media', `Mastodon allows up to ${limits.maxMediaAttachments} photos in a post. ${NOTHING}`, detail, 'fix');
  if (/Cannot attach a video to a post that already contains images/i.test(text)) return mastodonError('media-mix', `A Mastodon post can have one video, without photos. ${NOTHING}`, detail, 'fix');
  if (/content type is invalid|could not be verified|File is invalid|not what they are reported/i.test(text)) {
    return mastodonError('media-type', `Mastodon does not accept this kind of file. ${NOTHING} Ask IT to look at the details.`, detail, 'fix');
  }
  if (/file size|too large|too big/i.test(text)) return mastodonError('media-too-large', `A photo or video is larger than this Mastodon server accepts. ${NOTHING}`, detail, 'fix');
  if (/Description is too long/i.test(text)) {
    return mastodonError('alt-too-long', `Mastodon descriptions (alt text) are limited to ${limits.descriptionLimit} characters. Shorten the description and publish again. ${NOTHING}`, detail, 'fix');
  }
  if (/Error processing/i.test(text)) {
    return mastodonError('media-processing-failed', `Mastodon could not process a photo or video of this post. Ask for it to be exported again (video as MP4, H.264). ${NOTHING}`, detail, 'fix');
  }
  return mastodonError('rejected', `Mastodon refused the post${text ? `: "${clip(text, 160)}"` : ''}. ${NOTHING} Ask IT to look at the details.`, detail, 'fix');
}

/** Turns a refusal into what staff see; network trouble and 5xx are the transport's business. */
export function explainMastodonAnswer(err: MastodonHttpError, limits: MastodonLimits): MastodonPublishError {
  const detail = clip(err.message, 400);
  if (err.status === 401) return reconnectError(detail);
  if (err.status === 403) {
    if (/outside the authorized scopes/i.test(err.serverError)) {
      return mastodonError('scope-missing', 'The Mastodon connection does not allow this. Ask IT to reconnect the account and allow posting.', detail, 'reconnect');
    }
    return mastodonError('forbidden', `Mastodon refused this account's request${err.serverError ? `: "${clip(err.serverError, 160)}"` : ''}. Check the account on Mastodon, or ask IT.`, detail, 'fix');
  }
  if (err.status === 413) return mastodonError('media-too-large', `A photo or video is larger than this Mastodon server accepts. ${NOTHING}`, detail, 'fix');
  if (err.status === 429) return rateLimitedError(detail, undefined);
  if (err.status >= 500) return unavailableError(detail);
  if (err.status === 422) return explainRefusal(err.serverError, detail, limits);
  return mastodonError('rejected', `Mastodon did not accept the request${err.serverError ? `: "${clip(err.serverError, 160)}"` : ''}. ${NOTHING} Ask IT to look at the details.`, detail, 'fix');
}
