// Calls Bluesky's XRPC methods through the egress client, the kiosk's only way out: JSON in and
// out, blob uploads streamed from disk, and resends with backoff and jitter for server trouble,
// dropped connections and short rate limits. Decides nothing about sessions or posts.
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { EgressClient, EgressResponse } from '../../services/egress/http-client.ts';
import { BlueskyPublishError, XrpcError, isTransient } from './bluesky-errors.ts';

/** How every Bluesky request names itself to the egress guard and its log. */
export const REQUESTER = 'publish:bluesky';

const MAX_JSON_BYTES = 1024 * 1024;
const MAX_ERROR_BYTES = 64 * 1024;

/** Waits `ms`, or rejects when the signal aborts. Injected in tests so retries take no time. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, { signal });
};

export interface XrpcUpload {
  contentType: string;
  bytes: number;
  /** Opened afresh for every attempt, so a resend sends the whole file again. */
  open: () => Readable;
}

export interface XrpcRequest {
  method: 'GET' | 'POST';
  nsid: string;
  query?: Record<string, string>;
  json?: unknown;
  upload?: XrpcUpload;
  /** Bearer token: the access JWT, or the refresh JWT for refreshSession. */
  token?: string;
  /**
   * Asked before a resend when the attempt before may have taken effect although its answer was
   * lost; a value means "already done" and is returned instead of sending again.
   */
  alreadyDone?: () => Promise<unknown>;
}

export interface RetryPolicy {
  /** Tries per request, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longer rate-limit waits are handed to the publisher instead of blocking the job here. */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRateLimitWaitMs: 60_000 };

export interface XrpcTransportOptions {
  http: EgressClient;
  apiBase: string;
  signal: AbortSignal;
  sleep: Sleep;
  /** In [0, 1); the jitter source. */
  random: () => number;
  clock: () => number;
  retry: RetryPolicy;
  timeoutMs?: number;
}

export interface XrpcTransport {
  call<T>(request: XrpcRequest): Promise<T>;
}

function header(res: EgressResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The wait a 429 asks for. The PDS sends `ratelimit-reset` as epoch seconds; small values are
 * read as delta seconds (the IETF draft's form), and `retry-after` as seconds or an HTTP date.
 */
export function rateLimitWaitMs(headers: { reset?: string | undefined; retryAfter?: string | undefined }, now: number): number | undefined {
  const reset = Number(headers.reset);
  if (headers.reset !== undefined && Number.isFinite(reset) && reset >= 0) {
    return Math.max(0, reset > 1e9 ? reset * 1000 - now : reset * 1000);
  }
  if (headers.retryAfter !== undefined) {
    const seconds = Number(headers.retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const at = Date.parse(headers.retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  return undefined;
}

/** Exponential backoff with jitter: half the step fixed, half random, so clients spread out. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

async function errorFrom(nsid: string, res: EgressResponse, now: number): Promise<XrpcError> {
  let error = '';
  let message = res.statusMessage;
  try {
    const parsed = JSON.parse((await res.buffer(MAX_ERROR_BYTES)).toString('utf8')) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') error = parsed.error.slice(0, 100);
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Proxies and load balancers answer in HTML; the status alone decides what happens next.
    res.body.destroy();
  }
  const wait = res.status === 429 ? rateLimitWaitMs({ reset: header(res, 'ratelimit-reset'), retryAfter: header(res, 'retry-after') }, now) : undefined;
  return new XrpcError(nsid, res.status, error, message, wait);
}

function badResponse(nsid: string, why: string): BlueskyPublishError {
  return new BlueskyPublishError('publish.bluesky.bad-response', 'Bluesky sent an answer Airlock could not read. Ask IT to look at the details.', `${nsid}: ${why}`, { retryable: true });
}

export function createXrpcTransport(options: XrpcTransportOptions): XrpcTransport {
  const base = options.apiBase.replace(/\/+$/, '');

  async function once(request: XrpcRequest): Promise<unknown> {
    const url = new URL(`${base}/xrpc/${request.nsid}`);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
    let body: Readable | string | undefined;
    if (request.upload) {
      headers['content-type'] = request.upload.contentType;
      headers['content-length'] = String(request.upload.bytes);
      body = request.upload.open();
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    const res = await options.http.request(url, {
      method: request.method,
      headers,
      requester: REQUESTER,
      signal: options.signal,
      ...(body === undefined ? {} : { body }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    if (res.status < 200 || res.status >= 300) {
      // The server may answer before it has read the whole upload; the rest is not needed.
      if (body !== undefined && typeof body !== 'string') body.destroy();
      throw await errorFrom(request.nsid, res, options.clock());
    }
    const raw = await res.buffer(MAX_JSON_BYTES);
    if (raw.length === 0) return undefined;
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch (err) {
      throw badResponse(request.nsid, `HTTP ${res.status} with a body that is not JSON (${(err as Error).message})`);
    }
  }

  function waitBeforeResend(err: unknown, attempt: number): number | undefined {
    if (attempt >= options.retry.maxAttempts) return undefined;
    if (err instanceof XrpcError && err.status === 429) {
      if (err.retryAfterMs === undefined) return backoffMs(attempt, options.retry, options.random);
      // A little jitter on top, so kiosks that were told the same reset time do not all return at once.
      return err.retryAfterMs <= options.retry.maxRateLimitWaitMs ? err.retryAfterMs + Math.round(options.random() * 1000) : undefined;
    }
    return isTransient(err) ? backoffMs(attempt, options.retry, options.random) : undefined;
  }

  return {
    async call<T>(request: XrpcRequest): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await once(request)) as T;
        } catch (err) {
          const wait = waitBeforeResend(err, attempt);
          if (wait === undefined || options.signal.aborted) throw err;
          await options.sleep(wait, options.signal);
          if (request.alreadyDone) {
            // A failed check is no reason to stop: the resend itself cannot duplicate anything
            // that alreadyDone guards (callers use it for writes with a fixed record key).
            const done = await request.alreadyDone().catch(() => undefined);
            if (done !== undefined && done !== null) return done as T;
          }
        }
      }
    },
  };
}
