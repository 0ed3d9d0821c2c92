// The Mastodon adapter's one way to call the instance: bearer-authenticated requests through the
// egress client, with the shared resends (../retry.ts) for dropped connections, 5xx and 429,
// honouring Retry-After or Mastodon's X-RateLimit-Reset (§4.4). Decides nothing else.
import type { Readable } from 'node:stream';
import { AirlockError } from '../../../common/errors.ts';
import type { EgressClient, EgressResponse } from '../../services/egress/http-client.ts';
import { parseRetryAfter, TransientFailure as SharedTransientFailure, withRetries, type RetryPolicy } from '../retry.ts';
import { abortedError, MastodonHttpError, mastodonError, MastodonPublishError, networkError, rateLimitedError, unavailableError } from './mastodon-errors.ts';

export const MASTODON_REQUESTER = 'publish:mastodon';

/** Answers of this API are JSON; forty statuses with their accounts fit well inside this. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export { backoffDelay, type RetryPolicy, type Sleep } from '../retry.ts';

function header(headers: EgressResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long the server asked Airlock to wait: Retry-After (seconds or an HTTP date, RFC 9110
 * §10.2.3) when a proxy sends one, else Mastodon's X-RateLimit-Reset (ISO 8601, §4.4).
 */
export function rateLimitWaitMs(headers: EgressResponse['headers'], nowMs: number): number | undefined {
  const retryAfter = parseRetryAfter(headers['retry-after'], nowMs);
  if (retryAfter !== undefined) return retryAfter;
  const reset = header(headers, 'x-ratelimit-reset')?.trim();
  if (reset) {
    const at = Date.parse(reset);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  return undefined;
}

const TransientFailure = SharedTransientFailure as new (final: MastodonPublishError, retryAfterMs?: number) => SharedTransientFailure<MastodonPublishError>;

export interface MastodonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, e.g. `/api/v1/accounts/1/statuses?limit=40`. */
  path: string;
  json?: unknown;
  form?: Record<string, string>;
  /** A body opened afresh for every attempt, so a resend sends the whole of it again. */
  upload?: () => { body: Readable; contentType: string; contentLength: number };
  headers?: Record<string, string>;
  /** Statuses besides 2xx that are answers to read, not failures (404 when looking something up). */
  accept?: readonly number[];
}

export interface MastodonAnswer {
  status: number;
  headers: EgressResponse['headers'];
  /** Parsed JSON; null for an empty body. */
  body: unknown;
}

export interface MastodonApiOptions {
  http: EgressClient;
  apiBase: string;
  signal: AbortSignal;
  token: () => Promise<string>;
  retry: RetryPolicy;
  now: () => number;
  timeoutMs: number | undefined;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The `{error}` text of an answer (§8); an HTML page from a proxy gives its title at most. */
function serverErrorOf(raw: string): string {
  try {
    const parsed = JSON.parse(raw) as { error?: unknown; error_description?: unknown };
    if (typeof parsed?.error === 'string') return clip(typeof parsed.error_description === 'string' ? `${parsed.error}: ${parsed.error_description}` : parsed.error);
  } catch {
    // not JSON
  }
  const title = /<title>([^<]{0,120})<\/title>/i.exec(raw)?.[1];
  return title ? `(HTML page: ${title.trim()})` : '';
}

export class MastodonApi {
  readonly #o: MastodonApiOptions;
  /** Set when an answer said no requests remain in this window (X-RateLimit-Remaining: 0). */
  #pauseUntil = 0;

  constructor(options: MastodonApiOptions) {
    this.#o = options;
  }

  /** One request, sent again while the failure is temporary; a refusal throws MastodonHttpError. */
  async call(request: MastodonRequest): Promise<MastodonAnswer> {
    return withRetries(this.#o.retry, this.#o.signal, {
      aborted: abortedError,
      tooLong: (failure, waitMs) => rateLimitedError((failure.final as MastodonPublishError).detail ?? '', waitMs),
      // A wait the server named gets a second of jitter on top, so kiosks do not return in step.
      waitJitterMs: 1000,
      beforeAttempt: () => this.#respectPause(request),
    }, () => this.#once(request));
  }

  async #respectPause(request: MastodonRequest): Promise<void> {
    const wait = this.#pauseUntil - this.#o.now();
    if (wait <= 0) return;
    if (wait > this.#o.retry.maxRetryAfterMs) throw rateLimitedError(`${request.method} ${request.path.split('?')[0]}: X-RateLimit-Remaining was 0 until the window resets`, wait);
    await this.#o.retry.sleep(wait, this.#o.signal);
  }

  async #once(request: MastodonRequest): Promise<MastodonAnswer> {
    const o = this.#o;
    const what = `${request.method} ${request.path.split('?')[0]}`;
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${await o.token()}`, ...request.headers };
    let body: string | Readable | undefined;
    if (request.upload) {
      const upload = request.upload();
      headers['Content-Type'] = upload.contentType;
      headers['Content-Length'] = String(upload.contentLength);
      body = upload.body;
    } else if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
      body = JSON.stringify(request.json);
    } else if (request.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    }
    let res: EgressResponse;
    let raw: string;
    try {
      res = await o.http.request(`${o.apiBase}${request.path}`, {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body }),
        requester: MASTODON_REQUESTER,
        signal: o.signal,
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      });
      raw = await res.text(MAX_ANSWER_BYTES);
    } catch (err) {
      throw this.#networkFailure(err, what);
    } finally {
      // The server may answer before it has read the whole upload; the rest is not needed.
      if (body !== undefined && typeof body !== 'string') body.destroy();
    }
    const { status } = res;
    // A 429's own wait is honoured by the retry below; this is for answers that used the last call.
    if (status !== 429) this.#notePause(res.headers);
    if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
      if (raw.trim() === '') return { status, headers: res.headers, body: null };
      try {
        return { status, headers: res.headers, body: JSON.parse(raw) as unknown };
      } catch {
        if (status >= 300) return { status, headers: res.headers, body: null };
        throw mastodonError('bad-response', 'Mastodon sent an answer Airlock could not read. Airlock will try again later; ask IT if it keeps happening.', `${what} answered HTTP ${status} with a body that is not JSON`, 'retry');
      }
    }
    const serverError = serverErrorOf(raw);
    const detail = `${what} answered HTTP ${status}${serverError ? `: ${serverError}` : ''}`;
    if (status >= 500 && status !== 501) throw new TransientFailure(unavailableError(detail));
    if (status === 429) {
      const wait = rateLimitWaitMs(res.headers, o.now());
      throw new TransientFailure(rateLimitedError(detail, wait), wait);
    }
    throw new MastodonHttpError(what, status, serverError);
  }

  #notePause(headers: EgressResponse['headers']): void {
    if (header(headers, 'x-ratelimit-remaining') !== '0') return;
    const reset = Date.parse(header(headers, 'x-ratelimit-reset') ?? '');
    if (!Number.isNaN(reset)) this.#pauseUntil = Math.max(this.#pauseUntil, reset);
  }

  /**
   * A request that got no readable answer. Dropped connections and time-outs are worth another
   * try; an egress refusal or an over-large answer is not, and keeps its own wording.
   */
  #networkFailure(err: unknown, what: string): Error {
    if (err instanceof MastodonPublishError) return err;
    if (err instanceof AirlockError && err.code !== 'egress.connection-failed' && err.code !== 'egress.timeout' && err.code !== 'egress.dns-failed') return err;
    const why = err instanceof AirlockError ? (err.detail ?? err.message) : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return new TransientFailure(networkError(`${what}: ${why}`));
  }
}
