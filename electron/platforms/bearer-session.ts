// One platform account's calls with an OAuth 2.0 bearer token, for the X and YouTube adapters:
// every request through the egress client with the shared retries, the access token renewed
// before it expires or once after a 401, and a rotated refresh token stored before it is used.
// What an answer means is the platform's to say (`classify`).
import type { Readable } from 'node:stream';
import { AirlockError } from '../../common/errors.ts';
import type { EgressClient, EgressResponse } from '../services/egress/http-client.ts';
import type { AccountCredentials, AppCredentials } from '../services/vault/vault.ts';
import { clip, PublishError, type PublishErrors } from './publish-error.ts';
import type { PublishContext, PublishResult } from './adapter.ts';
import { parseRetryAfter, retryPolicy, TransientFailure, withRetries, type RetryOptions, type RetryPolicy } from './retry.ts';

/** JSON answers of these APIs are small; a bigger one is not the platform talking. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export interface Answer {
  status: number;
  headers: EgressResponse['headers'];
  raw: string;
}

/** The platform refused the access token (401): worth one renewal, then it is for IT. */
export class TokenRejected extends Error {
  readonly final: PublishError;

  constructor(final: PublishError) {
    super(final.detail);
    this.name = 'TokenRejected';
    this.final = final;
  }
}

export interface BearerRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  /** For messages and logs: method and path, never a query with a token in it. */
  what: string;
  headers?: Record<string, string>;
  json?: unknown;
  /** A body opened afresh for every attempt, so a resend sends the whole of it again. */
  upload?: () => { body: Readable; headers: Record<string, string> };
  /** Statuses besides 2xx that are answers to read, not failures (308 on a resumable upload). */
  accept?: readonly number[];
  /** Send without the Authorization header (a session URI carries its own authority). */
  anonymous?: boolean;
  /** Runs before each attempt: a step that may have taken effect unheard looks before it sends again. */
  beforeAttempt?: (attempt: number) => Promise<void>;
}

export interface BearerSessionOptions {
  http: EgressClient;
  signal: AbortSignal;
  requester: string;
  retry: RetryPolicy;
  now: () => number;
  timeoutMs: number | undefined;
  errors: PublishErrors;
  label: string;
  credentials: () => Promise<AccountCredentials>;
  saveCredentials: (credentials: AccountCredentials) => Promise<void>;
  appCredentials: (() => Promise<AppCredentials | null>) | undefined;
  tokenUrl: string;
  /** X's confidential clients authenticate with Basic; Google's installed apps put the secret in the form. */
  clientAuth: 'basic' | 'form';
  /** Renew this long before `expiresAt`, so a token cannot run out between two calls. */
  refreshMarginMs: number;
  /** Refreshes in flight, shared by the adapter's jobs and keyed by account, so no refresh token is spent twice. */
  refreshes: Map<string, Promise<AccountCredentials>>;
  accountKey: string;
  /** Turns a failed answer into TransientFailure, TokenRejected or a PublishError. */
  classify: (answer: Answer, what: string) => Error;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export class BearerSession {
  readonly #o: BearerSessionOptions;

  constructor(options: BearerSessionOptions) {
    this.#o = options;
  }

  /** One request, sent again while the failure is temporary, with one token renewal on 401. */
  async request(request: BearerRequest): Promise<Answer> {
    let token = request.anonymous ? '' : await this.#accessToken(undefined);
    for (let renewed = false; ; renewed = true) {
      try {
        return await withRetries(this.#o.retry, this.#o.signal, { ...this.#hooks(), ...(request.beforeAttempt ? { beforeAttempt: request.beforeAttempt } : {}) }, () => this.once(request, token));
      } catch (err) {
        if (!(err instanceof TokenRejected)) throw err;
        if (renewed || request.anonymous) throw err.final;
        token = await this.#accessToken(token);
      }
    }
  }

  /** One attempt, no retries: for steps that must look before they send again. */
  async once(request: BearerRequest, token?: string): Promise<Answer> {
    const o = this.#o;
    const bearer = request.anonymous ? '' : (token ?? (await this.#accessToken(undefined)));
    const headers: Record<string, string> = { Accept: 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), ...request.headers };
    let body: string | Readable | undefined;
    if (request.upload) {
      const upload = request.upload();
      Object.assign(headers, upload.headers);
      body = upload.body;
    } else if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json; charset=UTF-8';
      body = JSON.stringify(request.json);
    }
    let res: EgressResponse;
    let raw: string;
    try {
      res = await o.http.request(request.url, {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body }),
        requester: o.requester,
        signal: o.signal,
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      });
      raw = await res.text(MAX_ANSWER_BYTES);
    } catch (err) {
      throw this.networkFailure(err, request.what);
    } finally {
      // The server may answer before it has read the whole upload; the rest is not needed.
      if (body !== undefined && typeof body !== 'string') body.destroy();
    }
    const answer = { status: res.status, headers: res.headers, raw };
    if ((res.status >= 200 && res.status < 300) || request.accept?.includes(res.status)) return answer;
    throw o.classify(answer, request.what);
  }

  /** Runs `work` under the shared retries in this platform's words. */
  retrying<T>(work: (attempt: number) => Promise<T>): Promise<T> {
    return withRetries(this.#o.retry, this.#o.signal, this.#hooks(), work);
  }

  /**
   * A request that never got a readable answer. Connection failures and time-outs are worth
   * another try; an egress refusal or an over-large answer is not, and keeps its own wording.
   */
  networkFailure(err: unknown, what: string): Error {
    if (err instanceof TransientFailure || err instanceof PublishError) return err;
    if (err instanceof AirlockError && err.code !== 'egress.connection-failed' && err.code !== 'egress.timeout' && err.code !== 'egress.dns-failed') return err;
    const why = err instanceof AirlockError ? (err.detail ?? err.message) : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return new TransientFailure(this.#o.errors.unreachable(`${what}: ${why}`));
  }

  #hooks() {
    const { errors } = this.#o;
    return {
      aborted: errors.aborted,
      tooLong: (failure: TransientFailure, waitMs: number) => errors.rateLimited(`${(failure.final as PublishError).detail ?? ''} (asked to wait ${Math.round(waitMs / 1000)} s)`.trim(), waitMs),
      waitJitterMs: 1000,
    };
  }

  #accessToken(stale: string | undefined): Promise<string> {
    return usableAccessToken(this.#o, stale, (creds) => this.#refresh(creds));
  }

  /** RFC 6749 §6. Where the platform rotates the refresh token, the new pair is stored before it is used. */
  async #refresh(creds: AccountCredentials): Promise<AccountCredentials> {
    const o = this.#o;
    if (!creds.refreshToken) throw o.errors.reconnect('no-refresh-token', 'access token expired and no refresh token is stored');
    if (creds.refreshExpiresAt !== undefined && creds.refreshExpiresAt <= o.now()) {
      throw o.errors.reconnect('refresh-expired', `refresh token expired at ${new Date(creds.refreshExpiresAt).toISOString()}`);
    }
    const app = o.appCredentials ? await o.appCredentials() : null;
    if (!app) {
      throw o.errors.make(
        'app-credentials-missing',
        `The organisation's ${o.label} app details are not set up on this kiosk, so Airlock cannot renew the ${o.label} connection. Ask IT.`,
        'refreshing a token needs the client id; none is provisioned',
        'fix',
      );
    }
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.refreshToken, client_id: app.clientId });
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (app.clientSecret && o.clientAuth === 'basic') headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`;
    if (app.clientSecret && o.clientAuth === 'form') form.set('client_secret', app.clientSecret);
    const what = `POST ${new URL(o.tokenUrl).pathname} (refresh)`;
    // Once any attempt went unanswered, the platform may have rotated the token without Airlock
    // hearing of it; a later invalid_grant then means exactly that.
    let unsure = false;
    const answer = await this.retrying(async () => {
      let res: EgressResponse;
      let raw: string;
      try {
        res = await o.http.request(o.tokenUrl, { method: 'POST', headers, body: form.toString(), requester: o.requester, signal: o.signal, ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) });
        raw = await res.text(MAX_ANSWER_BYTES);
      } catch (err) {
        const failure = this.networkFailure(err, what);
        if (failure instanceof TransientFailure) unsure = true;
        throw failure;
      }
      const body = parseJson(raw);
      if (res.status === 200 && isRecord(body) && typeof body.access_token === 'string') return body;
      const error = isRecord(body) && typeof body.error === 'string' ? body.error : '';
      const description = isRecord(body) && typeof body.error_description === 'string' ? `: ${clip(body.error_description)}` : '';
      const detail = `${what} answered HTTP ${res.status}${error ? ` error=${error}` : ''}${description}`;
      if (res.status >= 500 || res.status === 429) {
        unsure = true;
        throw new TransientFailure(res.status === 429 ? o.errors.rateLimited(detail) : o.errors.unavailable(detail), parseRetryAfter(res.headers['retry-after'], o.now()));
      }
      if (error === 'invalid_grant' && unsure) throw o.errors.reconnect('refresh-lost', `${detail}; an earlier refresh attempt went unanswered, so the refresh token was most likely rotated then`);
      if (error === 'invalid_grant') throw o.errors.reconnect('refresh-rejected', detail);
      throw o.errors.make('token-refresh-failed', `${o.label} would not renew the account's sign-in. Ask IT to reconnect the ${o.label} account.`, detail, 'reconnect');
    });
    const now = o.now();
    const expiresIn = Number(answer.expires_in);
    const next: AccountCredentials = {
      accessToken: answer.access_token as string,
      // Google keeps the refresh token; X sends a new one and retires the old.
      refreshToken: typeof answer.refresh_token === 'string' ? answer.refresh_token : creds.refreshToken,
      ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: now + expiresIn * 1000 } : {}),
      ...(creds.refreshExpiresAt !== undefined && typeof answer.refresh_token !== 'string' ? { refreshExpiresAt: creds.refreshExpiresAt } : {}),
      ...(typeof answer.scope === 'string' ? { scopes: answer.scope.split(' ').filter(Boolean) } : creds.scopes ? { scopes: creds.scopes } : {}),
    };
    try {
      await o.saveCredentials(next);
    } catch (err) {
      // The old refresh token may be dead already; without the new one stored, the next job would fail too.
      throw o.errors.make(
        'credentials-not-saved',
        `Airlock renewed the ${o.label} sign-in but could not store it safely, so it stopped. Ask IT to check the kiosk's keychain and reconnect the ${o.label} account.`,
        `saving the renewed tokens failed: ${err instanceof Error ? err.message : String(err)}`,
        'reconnect',
      );
    }
    return next;
  }
}

/**
 * A usable access token. `stale` is one the platform just refused: unless another job has
 * already replaced it, it is renewed whatever its recorded expiry says. One refresh per account
 * runs at a time, shared by every job, so no refresh token is ever spent twice.
 */
export async function usableAccessToken(
  o: Pick<BearerSessionOptions, 'credentials' | 'now' | 'refreshMarginMs' | 'refreshes' | 'accountKey'>,
  stale: string | undefined,
  refresh: (creds: AccountCredentials) => Promise<AccountCredentials>,
): Promise<string> {
  const creds = await o.credentials();
  const expiring = creds.expiresAt !== undefined && creds.expiresAt - o.now() <= o.refreshMarginMs;
  if (!expiring && creds.accessToken !== stale) return creds.accessToken;
  let running = o.refreshes.get(o.accountKey);
  if (!running) {
    running = refresh(creds).finally(() => o.refreshes.delete(o.accountKey));
    o.refreshes.set(o.accountKey, running);
  }
  return (await running).accessToken;
}

/** The options an adapter built on BearerSession takes besides its own. */
export interface BearerAdapterOptions extends RetryOptions {
  now?: () => number;
  /** The organisation's app for this platform (client id, and secret where there is one), to renew tokens. */
  appCredentials?: () => Promise<AppCredentials | null>;
  /** Renew the access token this long before it expires. Default 5 minutes. */
  refreshMarginMs?: number;
  /** Longest silence on one request. Default: the egress client's. */
  timeoutMs?: number;
}

/** The settings of a BearerSession that every adapter takes from its options, with the same defaults. */
export function bearerSettings(options: BearerAdapterOptions, aborted: () => Error) {
  return {
    retry: retryPolicy(options, aborted),
    now: options.now ?? Date.now,
    appCredentials: options.appCredentials,
    refreshMarginMs: options.refreshMarginMs ?? 5 * 60_000,
    timeoutMs: options.timeoutMs,
  };
}

/** A job's BearerSession: the context's network, signal and tokens, the adapter's settings, and the platform's own parts. */
export function jobSession(
  context: PublishContext,
  settings: ReturnType<typeof bearerSettings>,
  platform: Pick<BearerSessionOptions, 'requester' | 'errors' | 'label' | 'tokenUrl' | 'clientAuth' | 'refreshes' | 'classify'> & { refreshMarginMs?: number },
): BearerSession {
  return new BearerSession({
    http: context.http,
    signal: context.signal,
    retry: settings.retry,
    now: settings.now,
    timeoutMs: settings.timeoutMs,
    credentials: context.credentials,
    saveCredentials: context.saveCredentials,
    appCredentials: settings.appCredentials,
    accountKey: `${context.account.apiBase} ${context.account.accountId}`,
    ...platform,
    refreshMarginMs: platform.refreshMarginMs ?? settings.refreshMarginMs,
  });
}

/** Found among the account's recent posts: the post an earlier, unanswered attempt created. */
export class AlreadyPosted extends Error {
  readonly result: PublishResult;

  constructor(result: PublishResult) {
    super('already posted');
    this.result = result;
  }
}

/** A progress bar's feed: it never moves backwards, even when bytes are sent a second time, and speaks at most once a MiB. */
export function monotonicProgress(onProgress: PublishContext['onProgress'], total: number) {
  let high = 0;
  let lastSent = -Infinity;
  return (phase: 'uploading' | 'processing' | 'creating', bytes: number, force = false): void => {
    high = Math.min(total, Math.max(high, bytes));
    if (!force && high - lastSent < 1024 * 1024 && high !== total) return;
    lastSent = high;
    onProgress({ phase, bytesDone: high, bytesTotal: total });
  };
}

/** Runs one publish or reconcile; a cancelled job says so, whatever broke underneath it. */
export function guardJob<T>(context: PublishContext, aborted: () => Error, work: () => Promise<T>, translate: (err: unknown) => unknown = (err) => err): Promise<T> {
  return (async () => {
    if (context.signal.aborted) throw aborted();
    return work();
  })().catch((err: unknown) => {
    throw context.signal.aborted ? aborted() : translate(err);
  });
}
