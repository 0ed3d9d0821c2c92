// A protocol-faithful X API v2 on 127.0.0.1 for tests and the training demo: OAuth 2.0 with
// PKCE and rotating refresh tokens, the dedicated chunked media endpoints (initialize, append
// with multipart segments, finalize, STATUS with processing_info), a photo's or GIF's alt text
// through media metadata, POST /2/tweets, users/me and recent posts, RFC 7807 problems and
// rate-limit headers (../shared/platform-apis.md §2), plus faults on demand. Segments are hashed as they pass and never held. Never a real host.
import { createHash, type Hash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Clock } from '../../services/core.ts';
import { MultipartError, multipartBoundary, readMultipart } from '../mastodon/simulator-multipart.ts';
import { BodyTooLarge, drain, readSmallBody } from '../simulator-body.ts';
import { PkceOAuth, type OAuthAccess, type PkceTokenResponse } from '../simulator-pkce-oauth.ts';
import { FaultQueue, jsonObject, listenOnLoopback, stopServer } from '../simulator-server.ts';
import { xWeightedLength } from '../text-measure.ts';
import {
  X_DUPLICATE_DETAIL,
  X_LIMITS,
  X_MEDIA_CATEGORIES,
  X_MEDIA_TYPES,
  X_PATHS,
  X_PROBLEM,
  X_SCOPES,
  xAltTextLength,
  type XMediaCategory,
  type XProblem,
  type XProcessingInfo,
} from './protocol.ts';

export type XEndpoint = 'authorize' | 'token' | 'revoke' | 'me' | 'user_tweets' | 'initialize' | 'append' | 'finalize' | 'status' | 'metadata' | 'tweets';

/**
 * Faults on demand, consumed in the order injected. `drop-connection` closes the socket with no
 * answer: `mid-request` before the server acts (for an append, halfway through the segment),
 * `after-processing` once it has acted (a segment kept, a post created, a token rotated).
 */
export type XFault = { endpoint?: XEndpoint; times?: number; segmentIndex?: number } & (
  | { kind: 'drop-connection'; when?: 'mid-request' | 'after-processing' }
  | { kind: 'server-error'; status?: number }
  /** A 400 Invalid Request problem, as X answers parameters it will not take. */
  | { kind: 'invalid-request'; message?: string }
  | { kind: 'rate-limit'; resetSeconds?: number }
  | { kind: 'expired-token' }
  | { kind: 'processing-failure' }
);

export interface XSimAccount {
  id: string;
  username: string;
  name: string;
}

export interface XSimulatorOptions {
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clock?: Clock;
  clientId?: string;
  /** Set for a confidential client; a public (native) client has none (§2.1). */
  clientSecret?: string | null;
  redirectUris?: string[];
  accounts?: Partial<XSimAccount>[];
  accessSeconds?: number;
  /** STATUS polls a video stays pending / in_progress before it succeeds. Default 2. */
  processingPolls?: number;
  checkAfterSecs?: number;
  faults?: XFault[];
}

export interface XFeedPost {
  id: string;
  authorId: string;
  username: string;
  text: string;
  mediaKeys: string[];
  /** `contentHash`: SHA-256 over the ordered segments' SHA-256s (see `segmentChainHash`); the bytes are never kept. */
  media: { mediaKey: string; type: string; contentHash: string | null; sizeBytes: number; altText: string | null }[];
  createdAt: string;
}

export interface XRequestRecord {
  method: string;
  /** Path only; queries are never recorded. */
  path: string;
  endpoint: XEndpoint | null;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** The request's Content-Length as sent, when it had one. */
  bytes: number;
}

export interface XSegmentRecord {
  mediaId: string;
  index: number;
  bytes: number;
}

export interface XSimulator {
  readonly origin: string;
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly redirectUris: readonly string[];
  stop(): Promise<void>;
  injectFault(fault: XFault): void;
  pendingFaults(): XFault[];
  /** Posts, newest first. */
  feed(userId?: string): XFeedPost[];
  accounts(): XSimAccount[];
  signInAs(userId: string | null): void;
  /** Tokens without the browser step, for tests and the demo's pre-connected account. */
  issueTokens(userId?: string, scopes?: readonly string[]): PkceTokenResponse;
  requests(): XRequestRecord[];
  /** Every append segment that arrived whole, in order of arrival. */
  segments(): XSegmentRecord[];
}

interface Media {
  id: string;
  key: string;
  userId: string;
  type: string;
  category: XMediaCategory;
  totalBytes: number;
  segments: Map<number, { bytes: number; sha256: string }>;
  /** Running hash while segments arrive in order; null once they do not. */
  hash: Hash | null;
  nextIndex: number;
  sha256: string | null;
  finalized: boolean;
  polls: number;
  failed: boolean;
  expiresAt: number;
  /** Set through media metadata; shown with the post. */
  altText: string | null;
}

interface Tweet {
  id: string;
  authorId: string;
  /** As sent; `shown` is the text X returns, with links rewritten to t.co (§2.3). */
  text: string;
  shown: string;
  mediaKeys: string[];
  createdAt: number;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

const systemClock: Clock = { now: () => new Date() };

const problem = (status: number, title: string, detail: string, type = 'about:blank', extra: Partial<XProblem> = {}): Reply => ({
  status,
  body: { title, detail, type, status, ...extra },
});

const invalid = (message: string, parameters: Record<string, string[]> = {}): Reply =>
  problem(400, 'Invalid Request', 'One or more parameters to your request was invalid.', X_PROBLEM.invalidRequest, { errors: [{ message, parameters }] });

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Simulation implements XSimulator {
  origin = '';
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly redirectUris: readonly string[];
  readonly server = createServer((req, res) => this.#serve(req, res));
  readonly #clock: Clock;
  readonly #oauth: PkceOAuth;
  readonly #accounts: XSimAccount[];
  readonly #faults = new FaultQueue<XFault>();
  readonly #media = new Map<string, Media>();
  readonly #tweets: Tweet[] = [];
  readonly #requests: XRequestRecord[] = [];
  readonly #segments: XSegmentRecord[] = [];
  readonly #processingPolls: number;
  readonly #checkAfterSecs: number;
  #signedIn: string | null;
  #counter = 0;

  constructor(options: XSimulatorOptions) {
    this.#clock = options.clock ?? systemClock;
    this.clientId = options.clientId ?? 'YWlybG9jay14LWNsaWVudDoxOmNp';
    this.clientSecret = options.clientSecret ?? null;
    this.redirectUris = options.redirectUris ?? ['http://127.0.0.1:53123/callback'];
    const seeds = options.accounts?.length ? options.accounts : [{}];
    this.#accounts = seeds.map((a, i) => ({ id: a.id ?? String(1_600_000_000_000_000_000n + BigInt(i + 1)), username: a.username ?? (i === 0 ? 'citycouncil' : `account${i + 1}`), name: a.name ?? 'City Council' }));
    this.#signedIn = this.#accounts[0]!.id;
    this.#processingPolls = options.processingPolls ?? 2;
    this.#checkAfterSecs = options.checkAfterSecs ?? 1;
    for (const fault of options.faults ?? []) this.injectFault(fault);
    this.#oauth = new PkceOAuth({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      clientAuth: 'x',
      redirectUris: this.redirectUris,
      redirectMatch: 'exact',
      scopes: X_SCOPES,
      codeSeconds: X_LIMITS.codeSeconds,
      accessSeconds: options.accessSeconds ?? X_LIMITS.accessSeconds,
      refreshSeconds: null,
      rotateRefresh: true,
      offline: (_query, scopes) => scopes.includes('offline.access'),
      nowMs: () => this.#now(),
      signedInUser: () => this.#signedIn ?? undefined,
      knownUser: (id) => this.#accounts.some((a) => a.id === id),
    });
  }

  stop(): Promise<void> {
    return stopServer(this.server);
  }

  injectFault(fault: XFault): void {
    this.#faults.push(fault);
  }

  pendingFaults(): XFault[] {
    return this.#faults.pending();
  }

  feed(userId?: string): XFeedPost[] {
    return this.#tweets
      .filter((t) => userId === undefined || t.authorId === userId)
      .map((t) => ({
        id: t.id,
        authorId: t.authorId,
        username: this.#accounts.find((a) => a.id === t.authorId)?.username ?? '',
        text: t.text,
        mediaKeys: [...t.mediaKeys],
        media: t.mediaKeys.map((key) => {
          const m = [...this.#media.values()].find((x) => x.key === key)!;
          return { mediaKey: key, type: m.type, contentHash: m.sha256, sizeBytes: m.totalBytes, altText: m.altText };
        }),
        createdAt: new Date(t.createdAt).toISOString(),
      }))
      .reverse();
  }

  accounts(): XSimAccount[] {
    return this.#accounts.map((a) => ({ ...a }));
  }

  signInAs(userId: string | null): void {
    this.#signedIn = userId;
  }

  issueTokens(userId = this.#accounts[0]!.id, scopes: readonly string[] = X_SCOPES): PkceTokenResponse {
    return this.#oauth.issueForTest(userId, scopes);
  }

  requests(): XRequestRecord[] {
    return this.#requests.map((r) => ({ ...r }));
  }

  segments(): XSegmentRecord[] {
    return this.#segments.map((s) => ({ ...s }));
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #snowflake(): string {
    // Post and media ids are 19-digit numbers, sent as strings (§2.2, §2.3).
    return String(1_860_000_000_000_000_000n + BigInt(this.#now()) * 1000n + BigInt(++this.#counter));
  }

  #takeFault(endpoint: XEndpoint, segmentIndex?: number): XFault | undefined {
    return this.#faults.take(
      (fault) =>
        fault.kind !== 'processing-failure' &&
        (fault.endpoint === undefined || fault.endpoint === endpoint) &&
        (fault.segmentIndex === undefined || fault.segmentIndex === segmentIndex) &&
        // An expired token means nothing to the sign-in endpoints.
        !(fault.kind === 'expired-token' && (endpoint === 'authorize' || endpoint === 'token' || endpoint === 'revoke')),
    );
  }

  #takeProcessingFailure(): boolean {
    return this.#faults.take((fault) => fault.kind === 'processing-failure') !== undefined;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const length = Number(req.headers['content-length'] ?? 0);
    const record: XRequestRecord = { method: req.method ?? '', path: url.pathname, endpoint: null, status: 0, bytes: Number.isSafeInteger(length) ? length : 0 };
    this.#requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    this.#route(req, res, url, record).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, problem(500, 'Internal Server Error', `Simulator fault: ${err instanceof Error ? err.message : String(err)}`).body);
      else res.destroy();
    });
  }

  #endpointOf(method: string, path: string): XEndpoint | null {
    if (path === X_PATHS.authorize) return 'authorize';
    if (path === X_PATHS.token) return 'token';
    if (path === X_PATHS.revoke) return 'revoke';
    if (path === X_PATHS.me) return 'me';
    if (/^\/2\/users\/[^/]+\/tweets$/.test(path)) return 'user_tweets';
    if (path === X_PATHS.mediaInitialize) return 'initialize';
    if (/^\/2\/media\/upload\/[^/]+\/append$/.test(path)) return 'append';
    if (/^\/2\/media\/upload\/[^/]+\/finalize$/.test(path)) return 'finalize';
    if (path === X_PATHS.mediaStatus && method === 'GET') return 'status';
    if (path === X_PATHS.mediaMetadata) return 'metadata';
    if (path === X_PATHS.tweets) return 'tweets';
    return null;
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL, record: XRequestRecord): Promise<void> {
    const method = req.method ?? '';
    const endpoint = this.#endpointOf(method, url.pathname);
    record.endpoint = endpoint;
    if (endpoint === null) {
      await drain(req);
      return sendJson(res, 404, problem(404, 'Not Found Error', `No route for ${method} ${url.pathname}.`, X_PROBLEM.notFound).body);
    }
    const wanted = endpoint === 'authorize' || endpoint === 'me' || endpoint === 'user_tweets' || endpoint === 'status' ? 'GET' : 'POST';
    if (method !== wanted) {
      await drain(req);
      return sendJson(res, 405, problem(405, 'Method Not Allowed', `Use ${wanted} for ${url.pathname}.`).body, { Allow: wanted });
    }
    if (endpoint === 'append') return this.#append(req, res, url);
    const fault = this.#takeFault(endpoint);
    if (fault?.kind === 'drop-connection' && fault.when !== 'after-processing') return void req.socket.destroy();
    let body: Buffer;
    try {
      body = await readSmallBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) return void res.destroy();
      return sendJson(res, 413, problem(413, 'Payload Too Large', 'Request body is too large.').body);
    }
    if (endpoint === 'authorize') {
      const reply = this.#oauth.authorize(url.searchParams);
      if (reply.kind === 'redirect') {
        res.writeHead(302, { Location: reply.location, 'Content-Length': '0' });
        return void res.end();
      }
      res.writeHead(reply.status, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end(reply.text);
    }
    const reply = this.#reply(req, url, endpoint, body, fault);
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    sendJson(res, reply.status, reply.body, { ...this.#rateHeaders(), ...reply.headers });
  }

  #rateHeaders(): Record<string, string> {
    return { 'x-rate-limit-limit': '1875', 'x-rate-limit-remaining': '1874', 'x-rate-limit-reset': String(Math.ceil(this.#now() / 1000) + 900) };
  }

  #reply(req: IncomingMessage, url: URL, endpoint: XEndpoint, body: Buffer, fault: XFault | undefined): Reply {
    if (fault?.kind === 'server-error') {
      const status = fault.status ?? 503;
      return problem(status, status === 503 ? 'Service Unavailable' : 'Internal Server Error', status === 503 ? 'Service Unavailable' : 'Internal Server Error');
    }
    if (fault?.kind === 'rate-limit') {
      return { ...problem(429, 'Too Many Requests', 'Too Many Requests', X_PROBLEM.rateLimit), headers: { 'x-rate-limit-limit': '1875', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(this.#now() / 1000) + (fault.resetSeconds ?? 60)) } };
    }
    if (fault?.kind === 'invalid-request') return invalid(fault.message ?? 'The request was refused.');
    if (endpoint === 'token' || endpoint === 'revoke') {
      if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) return { status: 400, body: { error: 'invalid_request', error_description: 'Use application/x-www-form-urlencoded.' } };
      const form = new URLSearchParams(body.toString('utf8'));
      return endpoint === 'token' ? this.#oauth.token(form, req.headers.authorization) : this.#oauth.revoke(form, req.headers.authorization);
    }
    if (fault?.kind === 'expired-token') this.#oauth.expireAccessToken(req.headers.authorization);
    const access = this.#oauth.authenticate(req.headers.authorization);
    if (!access) return problem(401, 'Unauthorized', 'Unauthorized');
    switch (endpoint) {
      case 'me':
        return this.#scoped(access, ['users.read', 'tweet.read']) ?? { status: 200, body: { data: this.#user(access.grant.userId) } };
      case 'user_tweets':
        return this.#scoped(access, ['users.read', 'tweet.read']) ?? this.#userTweets(url);
      case 'initialize':
        return this.#scoped(access, ['media.write']) ?? this.#initialize(access, body);
      case 'finalize':
        return this.#scoped(access, ['media.write']) ?? this.#finalize(access, decodeURIComponent(url.pathname.split('/')[4]!));
      case 'status':
        return this.#scoped(access, ['media.write']) ?? this.#status(access, url);
      case 'metadata':
        return this.#scoped(access, ['media.write']) ?? this.#metadata(access, body);
      case 'tweets':
        return this.#scoped(access, ['tweet.read', 'tweet.write', 'users.read']) ?? this.#createTweet(access, body);
      default:
        return problem(404, 'Not Found Error', 'No such endpoint.', X_PROBLEM.notFound);
    }
  }

  #scoped(access: OAuthAccess, needed: readonly string[]): Reply | null {
    const missing = needed.filter((s) => !access.grant.scopes.includes(s));
    if (missing.length === 0) return null;
    return problem(403, 'Forbidden', `Missing scopes: ${missing.join(' ')}`, X_PROBLEM.clientForbidden);
  }

  #user(id: string): XSimAccount {
    return { ...this.#accounts.find((a) => a.id === id)! };
  }

  #userTweets(url: URL): Reply {
    const userId = decodeURIComponent(url.pathname.split('/')[3]!);
    if (!this.#accounts.some((a) => a.id === userId)) return problem(404, 'Not Found Error', `Could not find user with id: [${userId}].`, X_PROBLEM.notFound);
    const max = Number(url.searchParams.get('max_results') ?? 10);
    if (!Number.isInteger(max) || max < 5 || max > 100) return invalid('The `max_results` query parameter value is not between 5 and 100', { max_results: [String(max)] });
    const fields = new Set((url.searchParams.get('tweet.fields') ?? '').split(',').filter(Boolean));
    const tweets = this.#tweets.filter((t) => t.authorId === userId).reverse().slice(0, max);
    const data = tweets.map((t) => ({
      id: t.id,
      text: t.shown,
      edit_history_tweet_ids: [t.id],
      ...(fields.has('created_at') ? { created_at: new Date(t.createdAt).toISOString() } : {}),
      ...(fields.has('attachments') && t.mediaKeys.length > 0 ? { attachments: { media_keys: t.mediaKeys } } : {}),
    }));
    const meta = data.length > 0 ? { result_count: data.length, newest_id: data[0]!.id, oldest_id: data[data.length - 1]!.id } : { result_count: 0 };
    return { status: 200, body: data.length > 0 ? { data, meta } : { meta } };
  }

  #initialize(access: OAuthAccess, body: Buffer): Reply {
    const json = jsonObject(body);
    if (!json) return invalid('Request body must be a JSON object.');
    const extra = Object.keys(json).filter((k) => !['media_type', 'total_bytes', 'media_category', 'additional_owners', 'shared'].includes(k));
    if (extra.length > 0) return invalid(`Unknown fields: ${extra.join(', ')}`);
    const type = json.media_type;
    const total = json.total_bytes;
    const category = json.media_category ?? 'tweet_image';
    if (typeof type !== 'string' || !(X_MEDIA_TYPES as readonly string[]).includes(type)) return invalid('media_type is missing or not supported.', { media_type: [String(type)] });
    if (!Number.isSafeInteger(total) || (total as number) <= 0 || (total as number) > 17_179_869_184) return invalid('total_bytes must be a positive integer.', { total_bytes: [String(total)] });
    if (typeof category !== 'string' || !(X_MEDIA_CATEGORIES as readonly string[]).includes(category)) return invalid('media_category is not valid.', { media_category: [String(category)] });
    const limit = category === 'tweet_image' ? X_LIMITS.imageMaxBytes : category === 'tweet_gif' ? X_LIMITS.gifMaxBytes : X_LIMITS.videoMaxBytes;
    if ((total as number) > limit) return invalid(`File size exceeds ${limit} bytes.`, { total_bytes: [String(total)] });
    const id = this.#snowflake();
    const media: Media = {
      id,
      key: `${category === 'tweet_image' ? 3 : category === 'amplify_video' ? 13 : 7}_${id}`,
      userId: access.grant.userId,
      type,
      category: category as XMediaCategory,
      totalBytes: total as number,
      segments: new Map(),
      hash: createHash('sha256'),
      nextIndex: 0,
      sha256: null,
      finalized: false,
      polls: 0,
      failed: false,
      expiresAt: this.#now() + 1_295_999_000,
      altText: null,
    };
    this.#media.set(id, media);
    return { status: 200, body: { data: { id, media_key: media.key, expires_after_secs: 1_295_999 } } };
  }

  async #append(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const mediaId = decodeURIComponent(url.pathname.split('/')[4]!);
    const done = (reply: Reply) => sendJson(res, reply.status, reply.body, { ...this.#rateHeaders(), ...reply.headers });
    const early = async (reply: Reply) => {
      await drain(req);
      done(reply);
    };
    const access = this.#oauth.authenticate(req.headers.authorization);
    const media = this.#media.get(mediaId);
    const boundary = multipartBoundary(req.headers['content-type']);
    // The segment index is only known once the body is read; a fault for one segment is taken then.
    const fault = this.#takeFault('append');
    if (fault?.kind === 'expired-token') this.#oauth.expireAccessToken(req.headers.authorization);
    if (fault?.kind === 'server-error' || fault?.kind === 'rate-limit' || fault?.kind === 'invalid-request') return early(this.#reply(req, url, 'append', Buffer.alloc(0), fault));
    if (!access || fault?.kind === 'expired-token') return early(problem(401, 'Unauthorized', 'Unauthorized'));
    if (!media || media.userId !== access.grant.userId) return early(problem(404, 'Not Found Error', `Could not find media with id: [${mediaId}].`, X_PROBLEM.notFound));
    if (media.finalized) return early(invalid('Media has already been finalized.'));
    if (!boundary) return early(invalid('Use multipart/form-data with segment_index and media.'));
    const declared = Number(req.headers['content-length'] ?? NaN);
    const dropMid = fault?.kind === 'drop-connection' && fault.when !== 'after-processing';
    const dropLate = fault?.kind === 'drop-connection' && fault.when === 'after-processing';
    let form;
    try {
      form = await readMultipart(this.#cutOff(req, dropMid ? Math.floor((Number.isFinite(declared) ? declared : 2) / 2) : Infinity), boundary, { maxParts: 4, maxHeaderBytes: 8 * 1024, maxFieldBytes: 64, headBytes: 0 });
    } catch (err) {
      if (req.socket.destroyed) return;
      if (err instanceof MultipartError) return done(invalid(`Malformed multipart body: ${err.message}`));
      throw err;
    }
    const indexText = form.fields.get('segment_index')?.[0];
    const file = form.files.find((f) => f.field === 'media');
    const index = Number(indexText);
    if (indexText === undefined || !/^\d{1,3}$/.test(indexText) || index > X_LIMITS.maxSegments - 1) return done(invalid('segment_index must be an integer from 0 to 999.', { segment_index: [String(indexText)] }));
    if (!file) return done(invalid('The media field is required.', { media: [] }));
    const segmentFault = this.#faults.pending().some((f) => f.segmentIndex === index && (f.endpoint === undefined || f.endpoint === 'append')) ? this.#takeFault('append', index) : undefined;
    if (segmentFault?.kind === 'server-error' || segmentFault?.kind === 'rate-limit' || segmentFault?.kind === 'invalid-request') return done(this.#reply(req, url, 'append', Buffer.alloc(0), segmentFault));
    if (segmentFault?.kind === 'drop-connection' && segmentFault.when !== 'after-processing') return void req.socket.destroy();
    if (file.size > 5 * 1024 * 1024) return done(invalid('Segment is larger than 5 MB.'));
    this.#keepSegment(media, index, file.size, file.sha256);
    if (dropLate || segmentFault?.kind === 'drop-connection') return void req.socket.destroy();
    done({ status: 200, body: { data: { expires_at: Math.floor(media.expiresAt / 1000) } } });
  }

  /** The request body, cut off (and the socket closed) after `limit` bytes: a connection lost mid-segment. */
  async *#cutOff(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
    let seen = 0;
    for await (const piece of req as AsyncIterable<Buffer>) {
      if (seen + piece.length > limit) {
        yield piece.subarray(0, Math.max(0, limit - seen));
        req.socket.destroy();
        throw new MultipartError('connection dropped mid-segment');
      }
      seen += piece.length;
      yield piece;
    }
  }

  #keepSegment(media: Media, index: number, bytes: number, sha256: string): void {
    const before = media.segments.get(index);
    media.segments.set(index, { bytes, sha256 });
    this.#segments.push({ mediaId: media.id, index, bytes });
    if (index === media.nextIndex && !before) {
      // The segment's bytes were hashed on their way through and are gone; what stays is a hash
      // over the segments' hashes in order, which a test can work out from the file.
      media.hash?.update(`${index}:${sha256};`);
      media.nextIndex += 1;
    } else if (!before || before.sha256 !== sha256) {
      media.hash = null;
    }
  }

  #finalize(access: OAuthAccess, mediaId: string): Reply {
    const media = this.#media.get(mediaId);
    if (!media || media.userId !== access.grant.userId) return problem(404, 'Not Found Error', `Could not find media with id: [${mediaId}].`, X_PROBLEM.notFound);
    if (!media.finalized) {
      const count = media.segments.size;
      const sum = [...media.segments.values()].reduce((n, s) => n + s.bytes, 0);
      const contiguous = [...media.segments.keys()].every((i) => i < count);
      if (!contiguous || sum !== media.totalBytes) return invalid(`Segments total ${sum} bytes; total_bytes was ${media.totalBytes}.`);
      media.finalized = true;
      media.sha256 = media.hash ? media.hash.digest('hex') : null;
      media.failed = this.#takeProcessingFailure();
    }
    const video = media.category !== 'tweet_image';
    return {
      status: 200,
      body: { data: { id: media.id, media_key: media.key, size: media.totalBytes, expires_after_secs: 86_400, ...(video ? { processing_info: this.#processing(media, false) } : {}) } },
    };
  }

  #processing(media: Media, poll: boolean): XProcessingInfo {
    if (poll) media.polls += 1;
    if (media.polls > this.#processingPolls) {
      return media.failed ? { state: 'failed', progress_percent: 100, error: { code: 1, name: 'InvalidMedia', message: 'Unsupported video format' } } : { state: 'succeeded', progress_percent: 100 };
    }
    const percent = Math.floor((100 * media.polls) / (this.#processingPolls + 1));
    return media.polls === 0 ? { state: 'pending', check_after_secs: this.#checkAfterSecs } : { state: 'in_progress', check_after_secs: this.#checkAfterSecs, progress_percent: percent };
  }

  #status(access: OAuthAccess, url: URL): Reply {
    if (url.searchParams.get('command') !== 'STATUS') return invalid('command must be STATUS.', { command: [String(url.searchParams.get('command'))] });
    const mediaId = url.searchParams.get('media_id') ?? '';
    const media = this.#media.get(mediaId);
    if (!media || media.userId !== access.grant.userId) return problem(404, 'Not Found Error', `Could not find media with id: [${mediaId}].`, X_PROBLEM.notFound);
    if (!media.finalized) return invalid('Media has not been finalized.');
    const video = media.category !== 'tweet_image';
    return { status: 200, body: { data: { id: media.id, media_key: media.key, ...(video ? { processing_info: this.#processing(media, true) } : {}) } } };
  }

  /** Uploaded, finalized and, for a GIF or video, processed: what a post or metadata may name. */
  #ready(m: Media): boolean {
    return m.finalized && !m.failed && m.expiresAt > this.#now() && (m.category === 'tweet_image' || m.polls > this.#processingPolls);
  }

  /**
   * "Create Media metadata" (https://docs.x.com/x-api/media/create-media-metadata), alt text only.
   * The v1.1 reference says metadata is for images and GIFs, at most 1000 characters of alt text,
   * set once the upload is done; what X answers for a video or an unfinished upload is not
   * documented, so those are its usual 400 Invalid Request problem.
   */
  #metadata(access: OAuthAccess, body: Buffer): Reply {
    const json = jsonObject(body);
    if (!json) return invalid('Request body must be a JSON object.');
    const extra = Object.keys(json).filter((k) => k !== 'id' && k !== 'metadata');
    if (extra.length > 0) return invalid(`Unknown fields: ${extra.join(', ')}`);
    const id = json.id;
    if (typeof id !== 'string' || !/^\d{1,19}$/.test(id)) return invalid('id must be a media id (a numeric string).', { id: [String(id)] });
    if (!isRecord(json.metadata)) return invalid('metadata is required.', { metadata: [] });
    const altText = json.metadata.alt_text;
    if (altText !== undefined && (!isRecord(altText) || typeof altText.text !== 'string')) return invalid('metadata.alt_text.text must be a string.', { alt_text: [] });
    const media = this.#media.get(id);
    if (!media || media.userId !== access.grant.userId || media.expiresAt <= this.#now()) return problem(404, 'Not Found Error', `Could not find media with id: [${id}].`, X_PROBLEM.notFound);
    if (media.category !== 'tweet_image' && media.category !== 'tweet_gif') return invalid('Metadata is only supported for images and GIFs.', { id: [id] });
    if (!this.#ready(media)) return invalid('Media upload has not completed.', { id: [id] });
    if (isRecord(altText)) {
      const text = String(altText.text);
      if (xAltTextLength(text) > X_LIMITS.altTextMaxChars) return invalid(`alt_text.text must be at most ${X_LIMITS.altTextMaxChars} characters.`, { alt_text: [String(xAltTextLength(text))] });
      media.altText = text === '' ? null : text;
    }
    return { status: 200, body: { data: { associated_metadata: media.altText === null ? {} : { alt_text: { text: media.altText } } } } };
  }

  #createTweet(access: OAuthAccess, body: Buffer): Reply {
    const json = jsonObject(body);
    if (!json) return invalid('Request body must be a JSON object.');
    const text = typeof json.text === 'string' ? json.text : '';
    const mediaIds = isRecord(json.media) && Array.isArray(json.media.media_ids) ? json.media.media_ids : [];
    if (!text && mediaIds.length === 0) return invalid('text is required unless media is attached.', { text: [] });
    if (xWeightedLength(text) > 280) return problem(403, 'Forbidden', 'You are not permitted to perform this action.', 'about:blank', { errors: [{ message: 'Your Tweet text is too long.' }] });
    if (mediaIds.length > X_LIMITS.maxMediaPerPost || !mediaIds.every((id) => typeof id === 'string' && /^\d{1,19}$/.test(id))) return invalid('media.media_ids must hold 1 to 4 numeric strings.', { media_ids: mediaIds.map(String) });
    const media: Media[] = [];
    for (const id of mediaIds as string[]) {
      const m = this.#media.get(id);
      const ready = m && m.userId === access.grant.userId && this.#ready(m);
      if (!ready) return invalid('Your media IDs are invalid.', { media_ids: [id] });
      media.push(m);
    }
    if (media.length > 1 && media.some((m) => m.category !== 'tweet_image')) return invalid('A post may have one video or up to 4 photos.', { media_ids: mediaIds as string[] });
    const userId = access.grant.userId;
    if (text && this.#tweets.some((t) => t.authorId === userId && t.text === text)) return problem(403, 'Forbidden', X_DUPLICATE_DETAIL);
    const shown = text.replace(/https?:\/\/\S+/g, () => `https://t.co/${createHash('sha256').update(String(++this.#counter)).digest('base64url').slice(0, 10)}`);
    const tweet: Tweet = { id: this.#snowflake(), authorId: userId, text, shown, mediaKeys: media.map((m) => m.key), createdAt: this.#now() };
    this.#tweets.push(tweet);
    return { status: 201, body: { data: { id: tweet.id, text: tweet.shown, edit_history_tweet_ids: [tweet.id] } } };
  }
}

/** What `XFeedPost.media[].contentHash` is for a file sent in segments of `segmentHashes` (hex SHA-256s, in order). */
export function segmentChainHash(segmentHashes: readonly string[]): string {
  const hash = createHash('sha256');
  segmentHashes.forEach((h, i) => hash.update(`${i}:${h};`));
  return hash.digest('hex');
}

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startXSimulator(options: XSimulatorOptions = {}): Promise<XSimulator> {
  const sim = new Simulation(options);
  sim.origin = await listenOnLoopback(sim.server, options.port);
  return sim;
}
