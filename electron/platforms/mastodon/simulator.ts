// A protocol-faithful Mastodon instance on 127.0.0.1 for tests and the training demo: app
// registration and OAuth with PKCE, instance configuration, async media processing, statuses
// with Idempotency-Key, Mastodon's `{error}` answers, rate limits and faults on demand (§4, §8).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../services/core.ts';
import {
  isMastodonVisibility,
  MASTODON_DEFAULT_LIMITS,
  MASTODON_IDEMPOTENCY_WINDOW_MS,
  MASTODON_PATHS,
  MASTODON_RATE_LIMITS,
  scopesCover,
  type MastodonAccount,
  type MastodonLimits,
  type MastodonMediaAttachment,
  type MastodonMediaType,
  type MastodonStatus,
  type MastodonTokenResponse,
  type MastodonVisibility,
} from './mastodon-protocol.ts';
import { BadBody, BodyTooLarge, drain, param, queryParams, readParams, sendError, sendGatewayPage, sendJson, type Params } from './simulator-http.ts';
import { FixedWindows, rateLimitHeaders, type WindowState } from './simulator-limits.ts';
import { contentMatches, imageSize, mediaTypeFor, processedSynchronously } from './simulator-media.ts';
import { MultipartError, multipartBoundary, readMultipart, type MultipartForm } from './simulator-multipart.ts';
import { KNOWN_SCOPES, MastodonOAuth, type SimToken } from './simulator-oauth.ts';
import { statusHtml, statusLength } from './simulator-text.ts';

export type MastodonEndpoint =
  | 'apps'
  | 'authorize'
  | 'token'
  | 'revoke'
  | 'oauth_metadata'
  | 'instance'
  | 'verify_credentials'
  | 'media_upload'
  | 'media_get'
  | 'media_update'
  | 'media_delete'
  | 'status_create'
  | 'status_get'
  | 'status_source'
  | 'status_delete'
  | 'account_statuses';

interface FaultTarget {
  /** Which endpoint the fault hits; the first request it applies to when left out. */
  endpoint?: MastodonEndpoint;
  /** How many requests it hits before it is used up; 1 when left out. */
  times?: number;
}

/**
 * Faults on demand, consumed in the order injected. `drop-connection` closes the socket with
 * no answer: `mid-request` before the server acts (a media upload halfway through its body),
 * `after-processing` once it has acted (media stored, status created). `server-error` is nginx's
 * HTML page, as a real instance behind its proxy sends. `rate-limit` is a 429 with Mastodon's
 * X-RateLimit-* headers, plus Retry-After when asked (a proxy's; Mastodon itself sends none).
 * `token-rejected` makes the presented token fail: revoked and expired stay so, invalid is once.
 * `processing-failure` makes the next uploaded media fail processing.
 */
export type MastodonFault =
  | (FaultTarget & { kind: 'drop-connection'; when?: 'mid-request' | 'after-processing' })
  | (FaultTarget & { kind: 'server-error'; status?: number })
  | (FaultTarget & { kind: 'rate-limit'; retryAfterSeconds?: number; resetAfterSeconds?: number })
  | (FaultTarget & { kind: 'token-rejected'; reason?: 'revoked' | 'expired' | 'invalid' })
  | { kind: 'processing-failure'; times?: number };

export interface MastodonSimAccountSeed {
  id?: string;
  username?: string;
  displayName?: string;
  /** The account's default posting language (ISO 639-1). */
  language?: string;
  /** The account's default visibility, used when a status names none. */
  defaultVisibility?: MastodonVisibility;
}

export type MastodonSimAccount = Required<MastodonSimAccountSeed>;

/** The instance's identity and its §4.4 configuration; forks change these, so tests vary them. */
export interface MastodonInstanceOptions extends Partial<MastodonLimits> {
  domain?: string;
  title?: string;
  version?: string;
}

export interface MastodonSimulatorOptions {
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clock?: Clock;
  instance?: MastodonInstanceOptions;
  accounts?: MastodonSimAccountSeed[];
  /**
   * How long video, gifv and audio stay processing (§4.2): until they have answered `polls`
   * GETs with 206 and `ms` of clock time have passed. Defaults: 2 polls, 0 ms.
   */
  processing?: { polls?: number; ms?: number };
  /** §4.4 limits per window; `false` switches them all off. */
  rateLimits?: Partial<Record<keyof typeof MASTODON_RATE_LIMITS, number>> | false;
  /** §4.3: one hour. */
  idempotencyWindowMs?: number;
  faults?: MastodonFault[];
}

export interface MastodonFeedMedia {
  id: string;
  type: MastodonMediaType;
  contentType: string;
  filename: string;
  sizeBytes: number;
  /** Of the bytes received; the bytes themselves are never kept. */
  sha256: string;
  description: string | null;
  focus: { x: number; y: number } | null;
  width: number | null;
  height: number | null;
}

export interface MastodonFeedStatus {
  id: string;
  accountId: string;
  username: string;
  /** The text as sent; `content` is the HTML the API shows. */
  text: string;
  content: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: MastodonVisibility;
  language: string | null;
  url: string;
  createdAt: string;
  idempotencyKey: string | null;
  application: string | null;
  media: MastodonFeedMedia[];
}

export interface MastodonMediaView extends MastodonFeedMedia {
  accountId: string;
  state: 'processing' | 'ready' | 'failed';
  /** 206 answers so far. */
  polls: number;
  statusId: string | null;
  createdAt: string;
}

export interface MastodonRequestRecord {
  method: string;
  /** Path only; no query, no tokens. */
  path: string;
  endpoint: MastodonEndpoint | null;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  idempotencyKey?: string;
  /** Body bytes read, for media uploads. */
  bytesReceived?: number;
}

export interface MastodonSimulator {
  readonly origin: string;
  /** The instance's domain, as `/api/v2/instance` names it. */
  readonly domain: string;
  stop(): Promise<void>;
  injectFault(fault: MastodonFault): void;
  pendingFaults(): MastodonFault[];
  /** Statuses, newest first, for a read-only feed view. */
  feed(accountId?: string): MastodonFeedStatus[];
  media(): MastodonMediaView[];
  apps(): { clientId: string; name: string; website: string | null; redirectUris: string[]; scopes: string[] }[];
  accounts(): MastodonSimAccount[];
  /** The account that consents in the simulated browser at /oauth/authorize; null denies. */
  signInAs(accountId: string | null): void;
  /** A user token without the browser step, for tests and the demo's pre-connected account. */
  issueToken(accountId?: string, scopes?: readonly string[]): MastodonTokenResponse;
  /** As if the user withdrew the app's access in their settings. */
  revokeToken(token: string): void;
  /** As if someone deleted the post in Mastodon's web interface. */
  deleteStatus(id: string): void;
  requests(): MastodonRequestRecord[];
}

interface Media {
  id: string;
  accountId: string;
  type: MastodonMediaType;
  contentType: string;
  filename: string;
  size: number;
  sha256: string;
  description: string | null;
  focus: { x: number; y: number } | null;
  width: number | null;
  height: number | null;
  createdAt: number;
  polls: number;
  state: 'processing' | 'ready' | 'failed';
  willFail: boolean;
  statusId: string | null;
}

interface Status {
  id: string;
  accountId: string;
  text: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: MastodonVisibility;
  language: string | null;
  mediaIds: string[];
  inReplyToId: string | null;
  createdAt: number;
  idempotencyKey: string | null;
  application: { name: string; website: string | null } | null;
  deleted: boolean;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameter (an id), when the route has one. */
  id: string;
  token: SimToken | null;
  account: MastodonSimAccount | null;
  fault: MastodonFault | undefined;
  record: MastodonRequestRecord;
}

interface Route {
  method: string;
  pattern: RegExp;
  endpoint: MastodonEndpoint;
  /** `user`: a token for an account; `optional`: checked only when one is sent (authorize_if_got_token!). */
  auth: 'none' | 'user' | 'optional';
  /** Any one of these, with `read`/`write` covering their sub-scopes. */
  scopes: string[];
}

const API_ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/api\/v1\/apps$/, endpoint: 'apps', auth: 'none', scopes: [] },
  { method: 'GET', pattern: /^\/api\/v[12]\/instance$/, endpoint: 'instance', auth: 'none', scopes: [] },
  { method: 'GET', pattern: /^\/api\/v1\/accounts\/verify_credentials$/, endpoint: 'verify_credentials', auth: 'user', scopes: ['profile', 'read:accounts'] },
  { method: 'POST', pattern: /^\/api\/v2\/media$/, endpoint: 'media_upload', auth: 'user', scopes: ['write:media'] },
  { method: 'GET', pattern: /^\/api\/v1\/media\/([^/]+)$/, endpoint: 'media_get', auth: 'user', scopes: ['write:media'] },
  { method: 'PUT', pattern: /^\/api\/v1\/media\/([^/]+)$/, endpoint: 'media_update', auth: 'user', scopes: ['write:media'] },
  { method: 'DELETE', pattern: /^\/api\/v1\/media\/([^/]+)$/, endpoint: 'media_delete', auth: 'user', scopes: ['write:media'] },
  { method: 'POST', pattern: /^\/api\/v1\/statuses$/, endpoint: 'status_create', auth: 'user', scopes: ['write:statuses'] },
  { method: 'GET', pattern: /^\/api\/v1\/statuses\/([^/]+)\/source$/, endpoint: 'status_source', auth: 'user', scopes: ['read:statuses'] },
  { method: 'GET', pattern: /^\/api\/v1\/statuses\/([^/]+)$/, endpoint: 'status_get', auth: 'optional', scopes: ['read:statuses'] },
  { method: 'DELETE', pattern: /^\/api\/v1\/statuses\/([^/]+)$/, endpoint: 'status_delete', auth: 'user', scopes: ['write:statuses'] },
  { method: 'GET', pattern: /^\/api\/v1\/accounts\/([^/]+)\/statuses$/, endpoint: 'account_statuses', auth: 'optional', scopes: ['read:statuses'] },
];

const OAUTH_ENDPOINTS = new Set<MastodonEndpoint>(['apps', 'authorize', 'token', 'revoke', 'oauth_metadata', 'instance']);
const systemClock: Clock = { now: () => new Date() };
const MiB = 1024 * 1024;
const NOT_FOUND = 'Record not found';
const OUT_OF_SCOPE = 'This action is outside the authorized scopes';

/** Rails validation failures come back as `{"error":"Validation failed: …"}` (§4.2, §4.3). */
const validation = (message: string): Reply => ({ status: 422, body: { error: `Validation failed: ${message}` } });
/** Mastodon::ValidationError: 422 with the message alone. */
const refused = (message: string): Reply => ({ status: 422, body: { error: message } });
const notFound = (): Reply => ({ status: 404, body: { error: NOT_FOUND } });

function faultApplies(fault: MastodonFault, endpoint: MastodonEndpoint): boolean {
  if (fault.kind === 'processing-failure') return false;
  if (fault.endpoint !== undefined && fault.endpoint !== endpoint) return false;
  if (fault.kind === 'token-rejected') return !OAUTH_ENDPOINTS.has(endpoint);
  return true;
}

function normaliseAccount(seed: MastodonSimAccountSeed, index: number): MastodonSimAccount {
  const n = index + 1;
  return {
    id: seed.id ?? String(109_000_000_000_000_000n + BigInt(n)),
    username: seed.username ?? (n === 1 ? 'harbourcity' : `harbourcity${n}`),
    displayName: seed.displayName ?? `Harbour City Council${n === 1 ? '' : ` ${n}`}`,
    language: seed.language ?? 'en',
    defaultVisibility: seed.defaultVisibility ?? 'public',
  };
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 't', 'on', 'yes'].includes(value.toLowerCase());
}

function parseFocus(value: string | undefined): { x: number; y: number } | null {
  if (value === undefined) return null;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  if (!m) return null;
  const clamp = (v: number) => Math.max(-1, Math.min(1, v));
  return { x: clamp(Number(m[1])), y: clamp(Number(m[2])) };
}

const byIdDesc = (a: { id: string }, b: { id: string }) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0);

class Simulation implements MastodonSimulator {
  origin = '';
  domain = '';

  readonly #clock: Clock;
  readonly #accounts: MastodonSimAccount[];
  readonly #oauth: MastodonOAuth;
  readonly #faults: { fault: MastodonFault; remaining: number }[] = [];
  readonly #media = new Map<string, Media>();
  readonly #statuses = new Map<string, Status>();
  readonly #idempotency = new Map<string, { statusId: string; at: number }>();
  readonly #windows = new FixedWindows();
  readonly #requests: MastodonRequestRecord[] = [];
  readonly #limits: MastodonLimits;
  readonly #instance: { title: string; version: string };
  readonly #processing: { polls: number; ms: number };
  readonly #rateLimits: Record<keyof typeof MASTODON_RATE_LIMITS, number> | null;
  readonly #idempotencyWindowMs: number;
  #signedIn: string | null;
  #lastId = 0n;
  #seq = 0;
  readonly server = createServer((req, res) => this.#serve(req, res));

  constructor(options: MastodonSimulatorOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#accounts = (options.accounts ?? [{}]).map(normaliseAccount);
    if (new Set(this.#accounts.map((a) => a.id)).size !== this.#accounts.length) throw new RangeError('Simulated Mastodon accounts need distinct ids.');
    this.#signedIn = this.#accounts[0]?.id ?? null;
    const { domain: _domain, title, version, ...limits } = options.instance ?? {};
    this.#limits = { ...MASTODON_DEFAULT_LIMITS, ...limits };
    this.#instance = { title: title ?? 'Harbour City Social (simulated)', version: version ?? '4.5.0' };
    this.#processing = { polls: options.processing?.polls ?? 2, ms: options.processing?.ms ?? 0 };
    const defaults = Object.fromEntries(Object.entries(MASTODON_RATE_LIMITS).map(([k, v]) => [k, v.limit])) as Record<keyof typeof MASTODON_RATE_LIMITS, number>;
    this.#rateLimits = options.rateLimits === false ? null : { ...defaults, ...options.rateLimits };
    this.#idempotencyWindowMs = options.idempotencyWindowMs ?? MASTODON_IDEMPOTENCY_WINDOW_MS;
    this.#oauth = new MastodonOAuth({ nowMs: () => this.#now(), signedIn: () => this.#signedIn, nextId: () => this.#nextId() });
    for (const fault of options.faults ?? []) this.injectFault(fault);
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  /** Snowflake-shaped ids (milliseconds << 16, then a sequence), increasing like Mastodon's. */
  #nextId(): string {
    this.#seq = (this.#seq + 1) & 0xffff;
    let id = (BigInt(this.#now()) << 16n) | BigInt(this.#seq);
    if (id <= this.#lastId) id = this.#lastId + 1n;
    this.#lastId = id;
    return id.toString();
  }

  #account(id: string | null | undefined): MastodonSimAccount | null {
    return this.#accounts.find((a) => a.id === id) ?? null;
  }

  // ---- public API -------------------------------------------------------------------------

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  injectFault(fault: MastodonFault): void {
    this.#faults.push({ fault, remaining: Math.max(1, fault.times ?? 1) });
  }

  pendingFaults(): MastodonFault[] {
    return this.#faults.map((f) => f.fault);
  }

  feed(accountId?: string): MastodonFeedStatus[] {
    return [...this.#statuses.values()]
      .filter((s) => !s.deleted && (accountId === undefined || s.accountId === accountId))
      .sort(byIdDesc)
      .map((s) => {
        const account = this.#account(s.accountId)!;
        return {
          id: s.id,
          accountId: s.accountId,
          username: account.username,
          text: s.text,
          content: statusHtml(s.text, this.origin),
          spoilerText: s.spoilerText,
          sensitive: s.sensitive,
          visibility: s.visibility,
          language: s.language,
          url: this.#statusUrl(s),
          createdAt: new Date(s.createdAt).toISOString(),
          idempotencyKey: s.idempotencyKey,
          application: s.application?.name ?? null,
          media: s.mediaIds.map((id) => this.#feedMedia(this.#media.get(id)!)),
        };
      });
  }

  media(): MastodonMediaView[] {
    return [...this.#media.values()].map((m) => {
      this.#advance(m, false);
      return { ...this.#feedMedia(m), accountId: m.accountId, state: m.state, polls: m.polls, statusId: m.statusId, createdAt: new Date(m.createdAt).toISOString() };
    });
  }

  apps() {
    return this.#oauth.apps().map((a) => ({ clientId: a.clientId, name: a.name, website: a.website, redirectUris: a.redirectUris, scopes: a.scopes }));
  }

  accounts(): MastodonSimAccount[] {
    return this.#accounts.map((a) => ({ ...a }));
  }

  signInAs(accountId: string | null): void {
    if (accountId !== null && !this.#account(accountId)) throw new RangeError(`No simulated Mastodon account ${accountId}`);
    this.#signedIn = accountId;
  }

  issueToken(accountId?: string, scopes?: readonly string[]): MastodonTokenResponse {
    const account = accountId === undefined ? this.#accounts[0] : this.#account(accountId);
    if (!account) throw new RangeError(`No simulated Mastodon account ${accountId ?? '(none configured)'}`);
    return this.#oauth.issueForTest(account.id, scopes ?? ['profile', 'read:statuses', 'write:media', 'write:statuses']);
  }

  revokeToken(token: string): void {
    this.#oauth.revokeToken(token);
  }

  deleteStatus(id: string): void {
    const s = this.#statuses.get(id);
    if (!s || s.deleted) throw new RangeError(`No status ${id}`);
    s.deleted = true;
  }

  requests(): MastodonRequestRecord[] {
    return this.#requests.map((r) => ({ ...r }));
  }

  // ---- faults, limits, processing -----------------------------------------------------------

  #takeFault(endpoint: MastodonEndpoint): MastodonFault | undefined {
    const i = this.#faults.findIndex((f) => faultApplies(f.fault, endpoint));
    return i < 0 ? undefined : this.#consume(i);
  }

  #takeProcessingFailure(): boolean {
    const i = this.#faults.findIndex((f) => f.fault.kind === 'processing-failure');
    return i >= 0 && this.#consume(i) !== undefined;
  }

  #consume(i: number): MastodonFault {
    const entry = this.#faults[i]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#faults.splice(i, 1);
    return entry.fault;
  }

  /**
   * §4.2: processing ends once the media has answered its number of polls with 206 and its time
   * has passed. A counted poll that still finds it processing adds one to its polls.
   */
  #advance(m: Media, counted: boolean): void {
    if (m.state !== 'processing') return;
    if (m.polls >= this.#processing.polls && this.#now() - m.createdAt >= this.#processing.ms) {
      m.state = m.willFail ? 'failed' : 'ready';
      return;
    }
    if (counted) m.polls += 1;
  }

  // ---- entities -----------------------------------------------------------------------------

  #accountEntity(a: MastodonSimAccount): MastodonAccount & Record<string, unknown> {
    const statuses = [...this.#statuses.values()].filter((s) => s.accountId === a.id && !s.deleted);
    const last = statuses.reduce<number | null>((at, s) => (at === null || s.createdAt > at ? s.createdAt : at), null);
    return {
      id: a.id,
      username: a.username,
      acct: a.username,
      display_name: a.displayName,
      locked: false,
      bot: false,
      discoverable: true,
      group: false,
      created_at: '2023-01-02T00:00:00.000Z',
      note: '',
      url: `${this.origin}/@${a.username}`,
      uri: `${this.origin}/users/${a.username}`,
      avatar: `${this.origin}/avatars/original/missing.png`,
      avatar_static: `${this.origin}/avatars/original/missing.png`,
      header: `${this.origin}/headers/original/missing.png`,
      header_static: `${this.origin}/headers/original/missing.png`,
      followers_count: 0,
      following_count: 0,
      statuses_count: statuses.length,
      last_status_at: last === null ? null : new Date(last).toISOString().slice(0, 10),
      emojis: [],
      fields: [],
    };
  }

  #mediaEntity(m: Media): MastodonMediaAttachment & Record<string, unknown> {
    const ready = m.state === 'ready';
    const ext = m.type === 'image' ? (m.contentType.split('/')[1] ?? 'bin').replace('jpeg', 'jpg') : m.type === 'audio' ? 'mp3' : 'mp4';
    const base = `${this.origin}/system/media_attachments/files/${m.id}`;
    const meta: Record<string, unknown> = {};
    if (m.width !== null && m.height !== null) {
      meta.original = { width: m.width, height: m.height, size: `${m.width}x${m.height}`, aspect: m.width / m.height };
      const scale = Math.min(1, Math.sqrt((640 * 360) / (m.width * m.height)));
      const w = Math.round(m.width * scale);
      const h = Math.round(m.height * scale);
      meta.small = { width: w, height: h, size: `${w}x${h}`, aspect: w / h };
    }
    if (m.focus) meta.focus = m.focus;
    return {
      id: m.id,
      type: m.type,
      // §4.2: `url` is null until processing is done; an image's preview exists at once.
      url: ready ? `${base}/original/${m.sha256.slice(0, 16)}.${ext}` : null,
      preview_url: ready || m.type === 'image' ? `${base}/small/${m.sha256.slice(0, 16)}.${m.type === 'image' ? ext : 'png'}` : null,
      remote_url: null,
      preview_remote_url: null,
      text_url: null,
      meta: Object.keys(meta).length > 0 ? meta : null,
      description: m.description,
      blurhash: m.type === 'image' || ready ? 'UFO{~3~q9F-;00M{M{Rj00WB%MRj~qj[ayof' : null,
    };
  }

  #feedMedia(m: Media): MastodonFeedMedia {
    return { id: m.id, type: m.type, contentType: m.contentType, filename: m.filename, sizeBytes: m.size, sha256: m.sha256, description: m.description, focus: m.focus, width: m.width, height: m.height };
  }

  #statusUrl(s: Status): string {
    return `${this.origin}/@${this.#account(s.accountId)!.username}/${s.id}`;
  }

  #statusEntity(s: Status): MastodonStatus & Record<string, unknown> {
    const account = this.#account(s.accountId)!;
    const tags = [...new Set([...s.text.matchAll(/(?:^|[^\p{L}\p{N}_/&#])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu)].map((m) => m[1]!.toLowerCase()))];
    return {
      id: s.id,
      created_at: new Date(s.createdAt).toISOString(),
      in_reply_to_id: s.inReplyToId,
      in_reply_to_account_id: s.inReplyToId ? (this.#statuses.get(s.inReplyToId)?.accountId ?? null) : null,
      sensitive: s.sensitive,
      spoiler_text: s.spoilerText,
      visibility: s.visibility,
      language: s.language,
      uri: `${this.origin}/users/${account.username}/statuses/${s.id}`,
      url: this.#statusUrl(s),
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 0,
      edited_at: null,
      content: statusHtml(s.text, this.origin),
      reblog: null,
      application: s.application,
      account: this.#accountEntity(account),
      media_attachments: s.mediaIds.map((id) => this.#mediaEntity(this.#media.get(id)!)),
      mentions: [],
      tags: tags.map((name) => ({ name, url: `${this.origin}/tags/${encodeURIComponent(name)}` })),
      emojis: [],
      card: null,
      poll: null,
    };
  }

  /** Who may see a status: its author always; anyone else public and unlisted ones. */
  #visible(s: Status, token: SimToken | null): boolean {
    if (s.deleted) return false;
    return token?.accountId === s.accountId || s.visibility === 'public' || s.visibility === 'unlisted';
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: MastodonRequestRecord = { method: req.method ?? '', path: url.pathname, endpoint: null, status: 0 };
    this.#requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    this.#route(req, res, url, record).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendError(res, 500, `Simulator fault: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL, record: MastodonRequestRecord): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? '';
    if (path === MASTODON_PATHS.authorize && method === 'GET') {
      record.endpoint = 'authorize';
      return this.#authorize(req, res, url);
    }
    if ((path === MASTODON_PATHS.token || path === MASTODON_PATHS.revoke) && method === 'POST') {
      record.endpoint = path === MASTODON_PATHS.token ? 'token' : 'revoke';
      return this.#oauthEndpoint(req, res, record.endpoint);
    }
    if (path === MASTODON_PATHS.oauthMetadata && method === 'GET') {
      record.endpoint = 'oauth_metadata';
      return sendJson(res, 200, this.#oauthMetadata());
    }
    for (const route of API_ROUTES) {
      const m = route.method === method ? route.pattern.exec(path) : null;
      if (m) {
        record.endpoint = route.endpoint;
        return this.#api(req, res, url, route, m[1] ?? '', record);
      }
    }
    await drain(req);
    sendError(res, 404, NOT_FOUND);
  }

  /** RFC 8414 metadata, served since 4.3 (§4.1). */
  #oauthMetadata(): Record<string, unknown> {
    return {
      issuer: `${this.origin}/`,
      service_documentation: 'https://docs.joinmastodon.org/',
      authorization_endpoint: `${this.origin}${MASTODON_PATHS.authorize}`,
      token_endpoint: `${this.origin}${MASTODON_PATHS.token}`,
      app_registration_endpoint: `${this.origin}${MASTODON_PATHS.apps}`,
      revocation_endpoint: `${this.origin}${MASTODON_PATHS.revoke}`,
      scopes_supported: [...KNOWN_SCOPES],
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    };
  }

  #authorize(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const fault = this.#takeFault('authorize');
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    if (fault?.kind === 'server-error') return sendGatewayPage(res, fault.status ?? 503);
    const reply = this.#oauth.authorize(url.searchParams);
    if (reply.kind === 'redirect') {
      res.writeHead(302, { Location: reply.location, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    res.writeHead(reply.status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`<!DOCTYPE html><html><body>${reply.html}</body></html>`);
  }

  async #oauthEndpoint(req: IncomingMessage, res: ServerResponse, endpoint: 'token' | 'revoke'): Promise<void> {
    const fault = this.#takeFault(endpoint);
    if (fault?.kind === 'drop-connection' && fault.when !== 'after-processing') return void req.socket.destroy();
    let params: Params;
    try {
      params = await readParams(req);
    } catch (err) {
      if (err instanceof BodyTooLarge || err instanceof BadBody) {
        res.setHeader('Connection', 'close');
        return sendJson(res, 400, { error: 'invalid_request', error_description: err.message });
      }
      throw err;
    }
    if (fault?.kind === 'server-error') return sendGatewayPage(res, fault.status ?? 503);
    if (fault?.kind === 'rate-limit') return this.#sendTooMany(res, this.#faultWindow(fault), fault.retryAfterSeconds);
    const reply = endpoint === 'token' ? this.#oauth.token(params, req.headers.authorization) : this.#oauth.revoke(params, req.headers.authorization);
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    sendJson(res, reply.status, reply.body, reply.headers ?? {});
  }

  #faultWindow(fault: { resetAfterSeconds?: number }): WindowState {
    const { limit, periodMs } = MASTODON_RATE_LIMITS.perToken;
    const now = this.#now();
    const resetAt = fault.resetAfterSeconds !== undefined ? now + fault.resetAfterSeconds * 1000 : (Math.floor(now / periodMs) + 1) * periodMs;
    return { limit: this.#rateLimits?.perToken ?? limit, remaining: 0, resetAt, allowed: false };
  }

  /** §4.4: 429 with `{error}` and X-RateLimit-*; Retry-After only when a proxy adds one. */
  #sendTooMany(res: ServerResponse, window: WindowState, retryAfterSeconds?: number): void {
    sendError(res, 429, 'Too many requests', {
      ...rateLimitHeaders({ ...window, remaining: 0 }),
      ...(retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) }),
    });
  }

  /** Rack::Attack, then Doorkeeper, then the controller, as a request meets them in Mastodon. */
  async #api(req: IncomingMessage, res: ServerResponse, url: URL, route: Route, id: string, record: MastodonRequestRecord): Promise<void> {
    const endpoint = route.endpoint;
    const fault = this.#takeFault(endpoint);
    const upload = endpoint === 'media_upload';
    if (fault?.kind === 'drop-connection' && fault.when !== 'after-processing' && !upload) return void req.socket.destroy();

    const presented = this.#oauth.lookup(req.headers.authorization);
    const usable = presented && !presented.revoked && !presented.expired ? presented : undefined;
    let headers: Record<string, string> = {};
    if (this.#rateLimits) {
      const now = this.#now();
      const { perToken, perAccount, perIp, mediaPerAccount } = MASTODON_RATE_LIMITS;
      const window = usable
        ? this.#windows.hit(`token:${usable.token}`, this.#rateLimits.perToken, perToken.periodMs, now)
        : this.#windows.hit(`ip:${req.socket.remoteAddress ?? ''}`, this.#rateLimits.perIp, perIp.periodMs, now);
      if (!window.allowed) return this.#refuseEarly(req, res, () => this.#sendTooMany(res, window));
      if (usable?.accountId) {
        // All of an account's tokens together (several apps, or several kiosks).
        const perAccountWindow = this.#windows.hit(`account:${usable.accountId}`, this.#rateLimits.perAccount, perAccount.periodMs, now);
        if (!perAccountWindow.allowed) return this.#refuseEarly(req, res, () => this.#sendTooMany(res, perAccountWindow));
      }
      if (upload && usable?.accountId) {
        const media = this.#windows.hit(`media:${usable.accountId}`, this.#rateLimits.mediaPerAccount, mediaPerAccount.periodMs, now);
        if (!media.allowed) return this.#refuseEarly(req, res, () => this.#sendTooMany(res, media));
      }
      headers = rateLimitHeaders(window);
    }
    if (fault?.kind === 'rate-limit') return this.#refuseEarly(req, res, () => this.#sendTooMany(res, this.#faultWindow(fault), fault.retryAfterSeconds));
    if (fault?.kind === 'server-error') return this.#refuseEarly(req, res, () => sendGatewayPage(res, fault.status ?? 503));
    if (fault?.kind === 'token-rejected' && presented) {
      if (fault.reason === 'revoked' || fault.reason === undefined) presented.revoked = true;
      if (fault.reason === 'expired') presented.expired = true;
    }

    let token: SimToken | null = null;
    if (route.auth === 'user' || (route.auth === 'optional' && req.headers.authorization !== undefined)) {
      const auth = fault?.kind === 'token-rejected' && fault.reason === 'invalid' ? { ok: false as const, description: 'The access token is invalid' } : this.#oauth.authenticate(req.headers.authorization);
      if (!auth.ok) {
        const challenge = `Bearer realm="Doorkeeper", error="invalid_token", error_description="${auth.description}"`;
        return this.#refuseEarly(req, res, () => sendError(res, 401, auth.description, { ...headers, 'WWW-Authenticate': challenge }));
      }
      if (!route.scopes.some((s) => scopesCover(auth.token.scopes, s))) return this.#refuseEarly(req, res, () => sendError(res, 403, OUT_OF_SCOPE, headers));
      if (route.auth === 'user' && auth.token.accountId === null) {
        return this.#refuseEarly(req, res, () => sendError(res, 422, 'This method requires an authenticated user', headers));
      }
      token = auth.token;
    }

    const ctx: Ctx = { req, res, url, id, token, account: this.#account(token?.accountId), fault, record };
    let reply: Reply | null;
    try {
      reply = await this.#handle(route.endpoint, ctx);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        return sendError(res, 413, err.message, headers);
      }
      if (err instanceof BadBody) return sendError(res, 400, err.message, headers);
      throw err;
    }
    if (reply === null) return;
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    sendJson(res, reply.status, reply.body, { ...headers, ...reply.headers });
  }

  /** Answers before the body is read; the rest is read and dropped so the client hears it. */
  async #refuseEarly(req: IncomingMessage, res: ServerResponse, send: () => void): Promise<void> {
    await drain(req).catch(() => undefined);
    send();
  }

  #handle(endpoint: MastodonEndpoint, ctx: Ctx): Promise<Reply | null> | Reply {
    switch (endpoint) {
      case 'apps':
        return readParams(ctx.req).then((params) => this.#oauth.registerApp(params));
      case 'instance':
        return drain(ctx.req).then(() => ({ status: 200, body: ctx.url.pathname.startsWith('/api/v2/') ? this.#instanceV2() : this.#instanceV1() }));
      case 'verify_credentials':
        return drain(ctx.req).then(() => this.#verifyCredentials(ctx));
      case 'media_upload':
        return this.#mediaUpload(ctx);
      case 'media_get':
      case 'media_update':
      case 'media_delete':
        return this.#mediaById(endpoint, ctx);
      case 'status_create':
        return readParams(ctx.req).then((params) => this.#createStatus(ctx, params));
      case 'status_get':
      case 'status_source':
      case 'status_delete':
        return drain(ctx.req).then(() => this.#statusById(endpoint, ctx));
      case 'account_statuses':
        return drain(ctx.req).then(() => this.#accountStatuses(ctx));
      default:
        return notFound();
    }
  }

  // ---- endpoints ----------------------------------------------------------------------------

  #configuration(): Record<string, unknown> {
    const l = this.#limits;
    return {
      urls: { streaming: this.origin.replace(/^http/, 'ws') },
      vapid: { public_key: 'BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=' },
      accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
      statuses: { max_characters: l.maxCharacters, max_media_attachments: l.maxMediaAttachments, characters_reserved_per_url: l.charactersReservedPerUrl },
      media_attachments: {
        supported_mime_types: [...l.supportedMimeTypes],
        description_limit: l.descriptionLimit,
        image_size_limit: l.imageSizeLimit,
        image_matrix_limit: l.imageMatrixLimit,
        video_size_limit: l.videoSizeLimit,
        video_frame_rate_limit: l.videoFrameRateLimit,
        video_matrix_limit: l.videoMatrixLimit,
      },
      polls: { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2_629_746 },
      translation: { enabled: false },
    };
  }

  /** §4.4 `GET /api/v2/instance`. */
  #instanceV2(): Record<string, unknown> {
    return {
      domain: this.domain,
      title: this.#instance.title,
      version: this.#instance.version,
      source_url: 'https://github.com/mastodon/mastodon',
      description: 'A simulated Mastodon instance for Airlock training and tests.',
      usage: { users: { active_month: this.#accounts.length } },
      thumbnail: { url: `${this.origin}/packs/media/images/preview.png` },
      languages: ['en'],
      configuration: this.#configuration(),
      registrations: { enabled: false, approval_required: false, message: null },
      api_versions: { mastodon: 6 },
      contact: { email: 'admin@example.invalid', account: null },
      rules: [],
    };
  }

  /** The older `GET /api/v1/instance` shape, still served. */
  #instanceV1(): Record<string, unknown> {
    const { urls, vapid: _vapid, translation: _translation, ...configuration } = this.#configuration();
    return {
      uri: this.domain,
      title: this.#instance.title,
      short_description: 'A simulated Mastodon instance.',
      description: 'A simulated Mastodon instance for Airlock training and tests.',
      email: 'admin@example.invalid',
      version: this.#instance.version,
      urls: { streaming_api: (urls as { streaming: string }).streaming },
      stats: { user_count: this.#accounts.length, status_count: [...this.#statuses.values()].filter((s) => !s.deleted).length, domain_count: 1 },
      thumbnail: `${this.origin}/packs/media/images/preview.png`,
      languages: ['en'],
      registrations: false,
      approval_required: false,
      invites_enabled: false,
      configuration,
      contact_account: null,
      rules: [],
    };
  }

  #verifyCredentials(ctx: Ctx): Reply {
    const a = ctx.account!;
    return {
      status: 200,
      body: { ...this.#accountEntity(a), source: { privacy: a.defaultVisibility, sensitive: false, language: a.language, note: '', fields: [], follow_requests_count: 0 } },
    };
  }

  /** §4.2 `POST /api/v2/media`: the file streams through a hash; 200 for images, 202 otherwise. */
  async #mediaUpload(ctx: Ctx): Promise<Reply | null> {
    const { req, fault, record } = ctx;
    const boundary = multipartBoundary(req.headers['content-type']);
    if (!boundary) {
      await drain(req);
      return validation("File can't be blank");
    }
    const declared = Number(req.headers['content-length']);
    const dropAt = fault?.kind === 'drop-connection' && fault.when !== 'after-processing' ? Math.max(1, Math.floor((Number.isFinite(declared) && declared > 0 ? declared : 2 * MiB) / 2)) : Infinity;
    let dropped = false;
    record.bytesReceived = 0;
    async function* body(): AsyncGenerator<Buffer> {
      for await (const piece of req as AsyncIterable<Buffer>) {
        record.bytesReceived! += piece.length;
        if (record.bytesReceived! >= dropAt) {
          dropped = true;
          req.socket.destroy();
          return;
        }
        yield piece;
      }
    }
    let form: MultipartForm;
    try {
      form = await readMultipart(body(), boundary);
    } catch (err) {
      // A client that went away, or the dropped connection asked for: nobody to answer.
      if (dropped || req.destroyed || ctx.res.destroyed) return null;
      if (err instanceof MultipartError) {
        await drain(req).catch(() => undefined);
        return { status: 400, body: { error: `Invalid multipart body: ${err.message}` } };
      }
      throw err;
    }
    const file = form.files.find((f) => f.field === 'file');
    if (!file) return validation("File can't be blank");
    const l = this.#limits;
    const contentType = file.contentType;
    if (!l.supportedMimeTypes.includes(contentType)) return validation('File content type is invalid, File is invalid');
    // Api::V1::MediaController#file_type_error: the bytes are not what the type says.
    if (!contentMatches(contentType, file.head)) return { status: 422, body: { error: 'File type of uploaded media could not be verified' } };
    const type = mediaTypeFor(contentType);
    const sizeLimit = contentType.startsWith('image/') ? l.imageSizeLimit : l.videoSizeLimit;
    // [U] Wording of the size refusal; the limits themselves are §4.4's.
    if (file.size > sizeLimit) return validation(`File file size must be less than ${Math.round(sizeLimit / MiB)} MB`);
    const description = form.fields.get('description')?.[0] ?? null;
    if (description !== null && Array.from(description).length > l.descriptionLimit) return validation(`Description is too long (maximum is ${l.descriptionLimit} characters)`);
    const size = type === 'image' ? imageSize(file.head) : null;
    const willFail = this.#takeProcessingFailure();
    // An image is processed while the request waits, so its failure is the upload's answer.
    if (willFail && processedSynchronously(type)) return { status: 500, body: { error: 'Error processing thumbnail for uploaded media' } };
    const m: Media = {
      id: this.#nextId(),
      accountId: ctx.account!.id,
      type,
      contentType,
      filename: file.filename,
      size: file.size,
      sha256: file.sha256,
      description: description === '' ? null : description,
      focus: parseFocus(form.fields.get('focus')?.[0]),
      width: size?.width ?? null,
      height: size?.height ?? null,
      createdAt: this.#now(),
      polls: 0,
      state: processedSynchronously(type) ? 'ready' : 'processing',
      willFail,
      statusId: null,
    };
    this.#media.set(m.id, m);
    return { status: m.state === 'ready' ? 200 : 202, body: this.#mediaEntity(m) };
  }

  /** §4.2 poll, update and delete: only the caller's media not yet attached to a status. */
  async #mediaById(endpoint: 'media_get' | 'media_update' | 'media_delete', ctx: Ctx): Promise<Reply> {
    const params = endpoint === 'media_update' ? await readParams(ctx.req) : (await drain(ctx.req), new Map<string, string[]>());
    const m = this.#media.get(ctx.id);
    if (!m || m.accountId !== ctx.account!.id || m.statusId !== null) return notFound();
    if (endpoint === 'media_delete') {
      this.#media.delete(m.id);
      return { status: 200, body: {} };
    }
    this.#advance(m, endpoint === 'media_get');
    if (m.state === 'failed') return { status: 422, body: { error: 'Error processing thumbnail for uploaded media' } };
    if (endpoint === 'media_update') {
      const description = param(params, 'description');
      if (description !== undefined) {
        if (Array.from(description).length > this.#limits.descriptionLimit) return validation(`Description is too long (maximum is ${this.#limits.descriptionLimit} characters)`);
        m.description = description === '' ? null : description;
      }
      const focus = parseFocus(param(params, 'focus'));
      if (focus) m.focus = focus;
    }
    return { status: m.state === 'ready' ? 200 : 206, body: this.#mediaEntity(m) };
  }

  /** §4.3 `POST /api/v1/statuses`, in PostStatusService's order: idempotency, media, text. */
  #createStatus(ctx: Ctx, params: Params): Reply {
    const account = ctx.account!;
    const now = this.#now();
    const key = ctx.req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' && key.trim() !== '' ? key.trim() : null;
    if (idempotencyKey !== null) ctx.record.idempotencyKey = idempotencyKey;
    const slot = idempotencyKey === null ? null : `${account.id}\n${idempotencyKey}`;
    if (slot !== null) {
      const earlier = this.#idempotency.get(slot);
      if (earlier && now - earlier.at < this.#idempotencyWindowMs) {
        const s = this.#statuses.get(earlier.statusId)!;
        // Status.find on a deleted status raises RecordNotFound.
        return s.deleted ? notFound() : { status: 200, body: this.#statusEntity(s) };
      }
    }
    if (params.has('poll')) return refused('Polls are not modelled by the Airlock Mastodon simulator');
    if (params.has('scheduled_at')) return refused('Scheduled statuses are not modelled by the Airlock Mastodon simulator');

    const l = this.#limits;
    const mediaIds = params.get('media_ids') ?? [];
    if (mediaIds.length > l.maxMediaAttachments) return refused(`Cannot attach more than ${l.maxMediaAttachments} files`);
    const media = mediaIds.map((id) => this.#media.get(id)).filter((m): m is Media => m !== undefined && m.accountId === account.id && m.statusId === null);
    const missing = mediaIds.filter((id) => !media.some((m) => m.id === id));
    if (missing.length > 0) return refused(`Media ${missing.join(', ')} not found or already attached to another post`);
    if (media.length > 1 && media.some((m) => m.type !== 'image')) return refused('Cannot attach a video to a post that already contains images');
    for (const m of media) this.#advance(m, false);
    if (media.some((m) => m.state !== 'ready')) return refused('Cannot attach files that have not finished processing. Try again in a moment!');

    const text = param(params, 'status') ?? '';
    const spoilerText = param(params, 'spoiler_text') ?? '';
    if (text.trim() === '' && media.length === 0) return validation("Text can't be blank");
    if (statusLength(text, spoilerText, l.charactersReservedPerUrl) > l.maxCharacters) return validation(`Text character limit of ${l.maxCharacters} exceeded`);
    const visibilityParam = param(params, 'visibility');
    if (visibilityParam !== undefined && visibilityParam !== '' && !isMastodonVisibility(visibilityParam)) return validation('Visibility is not included in the list');
    const inReplyToId = param(params, 'in_reply_to_id') || null;
    if (inReplyToId !== null) {
      const parent = this.#statuses.get(inReplyToId);
      if (!parent || !this.#visible(parent, ctx.token)) return notFound();
    }
    if (this.#rateLimits) {
      const { periodMs } = MASTODON_RATE_LIMITS.statusesPerAccount;
      const window = this.#windows.hit(`statuses:${account.id}`, this.#rateLimits.statusesPerAccount, periodMs, now);
      if (!window.allowed) return { status: 429, body: { error: 'Too many requests' }, headers: rateLimitHeaders(window) };
    }
    // An unknown language falls back to the account's, as valid_locale_cascade does.
    const language = param(params, 'language')?.toLowerCase();
    const s: Status = {
      id: this.#nextId(),
      accountId: account.id,
      text,
      spoilerText,
      // A content warning always marks the media sensitive.
      sensitive: truthy(param(params, 'sensitive')) || spoilerText !== '',
      visibility: visibilityParam && isMastodonVisibility(visibilityParam) ? visibilityParam : account.defaultVisibility,
      language: language && /^[a-z]{2,3}$/.test(language) ? language : account.language,
      mediaIds: media.map((m) => m.id),
      inReplyToId,
      createdAt: now,
      idempotencyKey,
      application: ctx.token ? { name: ctx.token.app.name, website: ctx.token.app.website } : null,
      deleted: false,
    };
    this.#statuses.set(s.id, s);
    for (const m of media) m.statusId = s.id;
    if (slot !== null) this.#idempotency.set(slot, { statusId: s.id, at: now });
    return { status: 200, body: this.#statusEntity(s) };
  }

  #statusById(endpoint: 'status_get' | 'status_source' | 'status_delete', ctx: Ctx): Reply {
    const s = this.#statuses.get(ctx.id);
    if (!s || !this.#visible(s, ctx.token)) return notFound();
    if (endpoint === 'status_get') return { status: 200, body: this.#statusEntity(s) };
    if (endpoint === 'status_source') return { status: 200, body: { id: s.id, text: s.text, spoiler_text: s.spoilerText } };
    if (s.accountId !== ctx.account!.id) return notFound();
    s.deleted = true;
    return { status: 200, body: { ...this.#statusEntity(s), text: s.text } };
  }

  /** `GET /api/v1/accounts/:id/statuses`, newest first, paged by id with a Link header. */
  #accountStatuses(ctx: Ctx): Reply {
    const account = this.#account(ctx.id);
    if (!account) return notFound();
    const q = queryParams(ctx.url);
    const limit = Math.max(1, Math.min(40, Number(param(q, 'limit')) || 20));
    const big = (v: string | undefined) => (v !== undefined && /^\d{1,20}$/.test(v) ? BigInt(v) : null);
    const maxId = big(param(q, 'max_id'));
    const sinceId = big(param(q, 'since_id'));
    const minId = big(param(q, 'min_id'));
    // [U] The author's own direct messages are left out of their profile timeline.
    let list = [...this.#statuses.values()]
      .filter((s) => s.accountId === account.id && s.visibility !== 'direct' && this.#visible(s, ctx.token))
      .filter((s) => (maxId === null || BigInt(s.id) < maxId) && (sinceId === null || BigInt(s.id) > sinceId) && (minId === null || BigInt(s.id) > minId))
      .filter((s) => !truthy(param(q, 'only_media')) || s.mediaIds.length > 0)
      .filter((s) => !truthy(param(q, 'exclude_replies')) || s.inReplyToId === null)
      .sort(byIdDesc);
    // min_id pages forward from the oldest; the others take the newest.
    list = minId !== null ? list.slice(-limit) : list.slice(0, limit);
    const headers: Record<string, string> = {};
    if (list.length > 0) {
      const base = `${this.origin}${MASTODON_PATHS.accounts}/${account.id}/statuses`;
      headers.Link = `<${base}?limit=${limit}&max_id=${list.at(-1)!.id}>; rel="next", <${base}?limit=${limit}&min_id=${list[0]!.id}>; rel="prev"`;
    }
    return { status: 200, body: list.map((s) => this.#statusEntity(s)), headers };
  }
}

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startMastodonSimulator(options: MastodonSimulatorOptions = {}): Promise<MastodonSimulator> {
  const sim = new Simulation(options);
  await new Promise<void>((resolve, reject) => {
    sim.server.once('error', reject);
    sim.server.listen(options.port ?? 0, '127.0.0.1', () => {
      sim.server.off('error', reject);
      resolve();
    });
  });
  const { port } = sim.server.address() as AddressInfo;
  sim.origin = `http://127.0.0.1:${port}`;
  sim.domain = options.instance?.domain ?? `127.0.0.1:${port}`;
  return sim;
}
