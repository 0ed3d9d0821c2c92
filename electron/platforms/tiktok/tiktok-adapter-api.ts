// The TikTok adapter's side of the data endpoints and the token endpoint (§1.1–§1.7): one
// enveloped call with TikTok's "only error.code === ok is success" rule, access tokens renewed
// before expiry with the rotating refresh token saved before use, and status read int64-safe.
import type { EgressClient, EgressResponse } from '../../services/egress/http-client.ts';
import type { AccountCredentials, AppCredentials } from '../../services/vault/vault.ts';
import { usableAccessToken } from '../bearer-session.ts';
import {
  TIKTOK_PATHS,
  TIKTOK_PUBLISH_STATUSES,
  type TikTokCreatorInfo,
  type TikTokPublishStatus,
  type TikTokTokenResponse,
} from './protocol.ts';
import {
  networkFailure,
  parseRetryAfter,
  platformError,
  TikTokPublishError,
  TransientFailure,
  withRetries,
  type RetryPolicy,
} from './tiktok-adapter-retry.ts';

export const TIKTOK_REQUESTER = 'publish:tiktok';

/** JSON answers of this API are small; a bigger one is not TikTok talking. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export type JsonRecord = Record<string, unknown>;
export const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * JSON.parse that keeps integers beyond 2^53 as their digits (§1.7 post ids are int64), using
 * the reviver's source text where the runtime offers it; `readPostIds` covers the rest.
 */
export function parseJsonKeepingInt64(raw: string): unknown {
  try {
    return JSON.parse(raw, (_key: string, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) && /^-?\d+$/.test(context?.source ?? '') ? context!.source : value,
    );
  } catch {
    return undefined;
  }
}

/** §1.7 `publicaly_available_post_id` as decimal strings, never rounded through a double. */
export function readPostIds(data: JsonRecord, raw: string): string[] {
  const ids = data.publicaly_available_post_id;
  if (!Array.isArray(ids)) return [];
  if (ids.every((id) => typeof id === 'string' || Number.isSafeInteger(id))) {
    return ids.map(String).filter((id) => /^\d+$/.test(id));
  }
  // A runtime without reviver source text: read the digits straight from the answer.
  const match = /"publicaly_available_post_id"\s*:\s*\[([-\d\s,]*)\]/.exec(raw);
  return match ? match[1]!.split(',').map((s) => s.trim()).filter((s) => /^\d+$/.test(s)) : [];
}

export interface TikTokStatusReport {
  status: TikTokPublishStatus;
  failReason: string | null;
  uploadedBytes: number | null;
  postIds: string[];
}

/** 401 `access_token_invalid`: worth one renewal of the token, then it is for IT. */
class TokenRejected extends Error {
  readonly final: TikTokPublishError;

  constructor(final: TikTokPublishError) {
    super(final.detail);
    this.final = final;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Turns one answer of a data endpoint into its `data`, or the right kind of failure. TikTok
 * can send an error envelope with HTTP 200 (§8), so the envelope decides, not the status.
 */
export function readEnvelope(status: number, headers: EgressResponse['headers'], raw: string, path: string, nowMs: number): { data: JsonRecord; raw: string } {
  const parsed = parseJsonKeepingInt64(raw);
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  const code = typeof error?.code === 'string' ? error.code : undefined;
  if (code === 'ok' && status >= 200 && status < 300 && isRecord(parsed)) {
    return { data: isRecord(parsed.data) ? parsed.data : {}, raw };
  }
  const message = typeof error?.message === 'string' ? error.message : '';
  const logId = typeof error?.log_id === 'string' ? error.log_id : header(headers['x-tt-logid']);
  const detail = `${path} answered HTTP ${status}${code ? ` error.code=${code}` : ' without a TikTok envelope'}${message ? `: ${clip(message)}` : ''}${logId ? ` (log_id ${clip(logId, 80)})` : ''}`;
  const effective = code && code !== 'ok' ? code : status >= 500 ? 'internal_error' : status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'access_token_invalid' : 'unexpected_response';
  if (effective === 'internal_error' || status >= 500) throw new TransientFailure(platformError('internal_error', detail));
  if (effective === 'rate_limit_exceeded' || status === 429) {
    throw new TransientFailure(platformError('rate_limit_exceeded', detail), parseRetryAfter(headers['retry-after'], nowMs));
  }
  if (effective === 'access_token_invalid') throw new TokenRejected(platformError('access_token_invalid', detail));
  throw platformError(effective, detail);
}

export interface TikTokApiSessionOptions {
  http: EgressClient;
  apiBase: string;
  signal: AbortSignal;
  credentials: () => Promise<AccountCredentials>;
  saveCredentials: (credentials: AccountCredentials) => Promise<void>;
  appCredentials: (() => Promise<AppCredentials | null>) | undefined;
  retry: RetryPolicy;
  now: () => number;
  /** Renew this long before `expiresAt`, so a token cannot run out between two calls. */
  refreshMarginMs: number;
  timeoutMs: number | undefined;
  /**
   * Refreshes in flight, shared by the adapter's jobs and keyed by account: two jobs must never
   * spend the same refresh token, because the second would find it already rotated away.
   */
  refreshes: Map<string, Promise<AccountCredentials>>;
  accountKey: string;
}

const reconnect = (code: string, message: string, detail: string) => new TikTokPublishError(`publish.tiktok.${code}`, message, detail, 'reconnect');

export class TikTokApiSession {
  readonly #o: TikTokApiSessionOptions;

  constructor(options: TikTokApiSessionOptions) {
    this.#o = options;
  }

  /** §1.2 */
  async creatorInfo(): Promise<TikTokCreatorInfo> {
    const { data } = await this.call(TIKTOK_PATHS.creatorInfo, undefined);
    if (!Array.isArray(data.privacy_level_options)) {
      throw platformError('unexpected_response', `${TIKTOK_PATHS.creatorInfo} answered without privacy_level_options`);
    }
    return data as unknown as TikTokCreatorInfo;
  }

  /** §1.3 Direct Post or §1.5 inbox upload, FILE_UPLOAD. */
  async initVideo(mode: 'direct' | 'inbox', body: JsonRecord): Promise<{ publishId: string; uploadUrl: string }> {
    const path = mode === 'direct' ? TIKTOK_PATHS.videoInit : TIKTOK_PATHS.inboxVideoInit;
    const { data } = await this.call(path, body);
    if (typeof data.publish_id !== 'string' || data.publish_id === '' || typeof data.upload_url !== 'string') {
      throw platformError('unexpected_response', `${path} answered ok without publish_id and upload_url`);
    }
    return { publishId: data.publish_id, uploadUrl: data.upload_url };
  }

  /** §1.7 */
  async status(publishId: string): Promise<TikTokStatusReport> {
    const { data, raw } = await this.call(TIKTOK_PATHS.statusFetch, { publish_id: publishId });
    const status = data.status;
    if (typeof status !== 'string' || !(TIKTOK_PUBLISH_STATUSES as readonly string[]).includes(status)) {
      throw platformError('unexpected_response', `${TIKTOK_PATHS.statusFetch} answered an unknown status ${clip(JSON.stringify(status ?? null), 60)}`);
    }
    return {
      status: status as TikTokPublishStatus,
      failReason: typeof data.fail_reason === 'string' && data.fail_reason !== '' ? data.fail_reason : null,
      uploadedBytes: Number.isSafeInteger(data.uploaded_bytes) ? (data.uploaded_bytes as number) : null,
      postIds: readPostIds(data, raw),
    };
  }

  /** One data endpoint call, retried while the failure is temporary, with one token renewal on 401. */
  async call(path: string, body: JsonRecord | undefined): Promise<{ data: JsonRecord; raw: string }> {
    let token = await this.#accessToken(undefined);
    for (let renewed = false; ; renewed = true) {
      try {
        return await withRetries(this.#o.retry, this.#o.signal, () => this.#once(path, token, body));
      } catch (err) {
        if (!(err instanceof TokenRejected)) throw err;
        if (renewed) throw err.final;
        token = await this.#accessToken(token);
      }
    }
  }

  async #once(path: string, token: string, body: JsonRecord | undefined): Promise<{ data: JsonRecord; raw: string }> {
    const o = this.#o;
    let res: EgressResponse;
    let raw: string;
    try {
      res = await o.http.request(`${o.apiBase}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=UTF-8' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        requester: TIKTOK_REQUESTER,
        signal: o.signal,
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      });
      raw = await res.text(MAX_ANSWER_BYTES);
    } catch (err) {
      throw networkFailure(err, path);
    }
    return readEnvelope(res.status, res.headers, raw, path, o.now());
  }

  /** A usable access token (../bearer-session.ts); `stale` is one TikTok just refused. */
  #accessToken(stale: string | undefined): Promise<string> {
    return usableAccessToken(this.#o, stale, (creds) => this.#refresh(creds));
  }

  /** §1.1 refresh. TikTok rotates the refresh token, so the new pair is stored before it is used. */
  async #refresh(creds: AccountCredentials): Promise<AccountCredentials> {
    const o = this.#o;
    if (!creds.refreshToken) {
      throw reconnect('no-refresh-token', 'The connection to TikTok has expired. Ask IT to reconnect the account.', 'access token expired and no refresh token is stored');
    }
    if (creds.refreshExpiresAt !== undefined && creds.refreshExpiresAt <= o.now()) {
      throw reconnect(
        'refresh-expired',
        'The TikTok account has not been used for so long that its connection has run out. Ask IT to reconnect the account.',
        `refresh token expired at ${new Date(creds.refreshExpiresAt).toISOString()}`,
      );
    }
    const app = o.appCredentials ? await o.appCredentials() : null;
    if (!app?.clientSecret) {
      throw new TikTokPublishError(
        'publish.tiktok.app-credentials-missing',
        "The organisation's TikTok app details are not set up on this kiosk, so Airlock cannot renew the TikTok connection. Ask IT.",
        'TikTok needs client_key and client_secret to refresh a token (§1.1); none are provisioned',
        'fix',
      );
    }
    const form = new URLSearchParams({ client_key: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token', refresh_token: creds.refreshToken });
    // Once any attempt went unanswered, TikTok may have rotated the token without Airlock
    // hearing of it; a later invalid_grant then means exactly that.
    let unsure = false;
    const answer = await withRetries(o.retry, o.signal, async () => {
      let res: EgressResponse;
      let raw: string;
      try {
        res = await o.http.request(`${o.apiBase}${TIKTOK_PATHS.token}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          requester: TIKTOK_REQUESTER,
          signal: o.signal,
          ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
        });
        raw = await res.text(MAX_ANSWER_BYTES);
      } catch (err) {
        const failure = networkFailure(err, TIKTOK_PATHS.token);
        if (failure instanceof TransientFailure) unsure = true;
        throw failure;
      }
      const body = parseJsonKeepingInt64(raw);
      if (res.status === 200 && isRecord(body) && typeof body.access_token === 'string' && typeof body.refresh_token === 'string') {
        return body as unknown as TikTokTokenResponse;
      }
      const error = isRecord(body) && typeof body.error === 'string' ? body.error : '';
      const description = isRecord(body) && typeof body.error_description === 'string' ? `: ${clip(body.error_description)}` : '';
      const logId = isRecord(body) && typeof body.log_id === 'string' ? ` (log_id ${clip(body.log_id, 80)})` : '';
      const detail = `${TIKTOK_PATHS.token} refresh answered HTTP ${res.status}${error ? ` error=${error}` : ''}${description}${logId}`;
      if (res.status >= 500 || res.status === 429 || error === 'server_error' || error === 'temporarily_unavailable' || error === 'rate_limit_exceeded') {
        unsure = true;
        throw new TransientFailure(platformError(res.status === 429 ? 'rate_limit_exceeded' : 'internal_error', detail), parseRetryAfter(res.headers['retry-after'], o.now()));
      }
      if (error === 'invalid_grant' && unsure) {
        throw reconnect(
          'refresh-lost',
          'The connection to TikTok broke while Airlock was renewing the account\'s sign-in, and TikTok has since retired the old one. Ask IT to reconnect the TikTok account.',
          `${detail}; an earlier refresh attempt went unanswered, so TikTok most likely rotated the refresh token then`,
        );
      }
      throw platformError(error || `http_${res.status}`, detail);
    });
    const now = o.now();
    const next: AccountCredentials = {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      ...(Number.isFinite(answer.expires_in) ? { expiresAt: now + answer.expires_in * 1000 } : {}),
      ...(Number.isFinite(answer.refresh_expires_in) ? { refreshExpiresAt: now + answer.refresh_expires_in * 1000 } : {}),
      ...(typeof answer.scope === 'string' ? { scopes: answer.scope.split(',').map((s) => s.trim()).filter(Boolean) } : creds.scopes ? { scopes: creds.scopes } : {}),
    };
    try {
      await o.saveCredentials(next);
    } catch (err) {
      // The old refresh token is already dead; without the new one stored, the next job would fail too.
      throw reconnect(
        'credentials-not-saved',
        "Airlock renewed the TikTok sign-in but could not store it safely, so it stopped. Ask IT to check the kiosk's keychain and reconnect the TikTok account.",
        `saving the rotated TikTok tokens failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    return next;
  }
}
