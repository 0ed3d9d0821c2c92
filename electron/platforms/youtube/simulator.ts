// A protocol-faithful YouTube Data API v3 upload on 127.0.0.1 for tests and the training demo:
// Google OAuth with PKCE and loopback redirects, the resumable protocol (session URI in
// Location, PUT chunks in multiples of 256 KiB answered 308 with Range, `bytes */TOTAL` status
// queries, the video resource at the end), videos.list, Google's error envelope with quota and
// upload-limit reasons (../shared/platform-apis.md §5), channels.list for the signed-in channel, plus faults on demand. Bytes are hashed
// as they arrive, kept in 256 KiB steps as Google keeps them, and never held. Never a real host.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Clock } from '../../services/core.ts';
import { BodyTooLarge, drain, readSmallBody } from '../simulator-body.ts';
import { PkceOAuth, type OAuthAccess, type PkceTokenResponse } from '../simulator-pkce-oauth.ts';
import { FaultQueue, jsonObject, listenOnLoopback, stopServer } from '../simulator-server.ts';
import { googleError, YOUTUBE_LIMITS, YOUTUBE_PATHS, YOUTUBE_PRIVACY, YOUTUBE_SCOPES, type YouTubePrivacy } from './protocol.ts';

export type YouTubeEndpoint = 'authorize' | 'token' | 'revoke' | 'start' | 'chunk' | 'query' | 'videos' | 'channels';

/**
 * Faults on demand, consumed in the order injected. `drop-connection` on a chunk closes the
 * socket halfway through its body (Google keeps what arrived, in whole 256 KiB steps), or with
 * `after-processing` once the whole chunk is kept, before the answer goes.
 */
export type YouTubeFault = { endpoint?: YouTubeEndpoint; times?: number; chunkIndex?: number } & (
  | { kind: 'drop-connection'; when?: 'mid-request' | 'after-processing' }
  | { kind: 'server-error'; status?: number }
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  | { kind: 'expired-token' }
  | { kind: 'quota-exceeded' }
  | { kind: 'upload-limit-exceeded' }
  | { kind: 'session-expired' }
);

export interface YouTubeSimChannel {
  id: string;
  title: string;
  /** The channel's handle, e.g. `@harbourcity`, shown as snippet.customUrl. */
  customUrl?: string;
}

export interface YouTubeSimulatorOptions {
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clock?: Clock;
  clientId?: string;
  clientSecret?: string;
  /** Installed-app loopback redirect; any port on 127.0.0.1 matches (RFC 8252 §7.3). */
  redirectUris?: string[];
  channels?: Partial<YouTubeSimChannel>[];
  accessSeconds?: number;
  /** §5.3: videos.insert calls a day. Default 100. */
  insertsPerDay?: number;
  faults?: YouTubeFault[];
}

export interface YouTubeVideoView {
  id: string;
  channelId: string;
  title: string;
  description: string;
  privacyStatus: YouTubePrivacy;
  categoryId: string;
  sha256: string;
  sizeBytes: number;
  contentType: string;
  publishedAt: string;
}

export interface YouTubeRequestRecord {
  method: string;
  /** Path only; the session's upload_id is never recorded. */
  path: string;
  endpoint: YouTubeEndpoint | null;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** The request's Content-Length as sent. */
  bytes: number;
}

export interface YouTubeChunkRecord {
  /** First byte of the chunk, and how many bytes the request carried in full. */
  start: number;
  bytes: number;
  /** False when the connection dropped partway. */
  whole: boolean;
}

export interface YouTubeSimulator {
  readonly origin: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  stop(): Promise<void>;
  injectFault(fault: YouTubeFault): void;
  pendingFaults(): YouTubeFault[];
  /** Uploaded videos, newest first. */
  feed(channelId?: string): YouTubeVideoView[];
  channels(): YouTubeSimChannel[];
  signInAs(channelId: string | null): void;
  /** Tokens without the browser step, for tests and the demo's pre-connected account. */
  issueTokens(channelId?: string, scopes?: readonly string[]): PkceTokenResponse;
  requests(): YouTubeRequestRecord[];
  chunks(): YouTubeChunkRecord[];
  /** Open upload sessions, for tests: bytes received of the total. */
  sessions(): { received: number; total: number; done: boolean }[];
}

interface Session {
  id: string;
  channelId: string;
  total: number;
  contentType: string;
  title: string;
  description: string;
  categoryId: string;
  privacyStatus: YouTubePrivacy;
  /** Bytes kept, always a multiple of 256 KiB until the last chunk. */
  received: number;
  hash: Hash;
  video: YouTubeVideoView | null;
  expired: boolean;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

const systemClock: Clock = { now: () => new Date() };
const STEP = YOUTUBE_LIMITS.chunkMultiple;

const fail = (code: number, reason: string, message: string, domain?: string, headers?: Record<string, string>): Reply => ({ status: code, body: googleError(code, reason, message, domain), ...(headers ? { headers } : {}) });

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === null ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json; charset=UTF-8' } : {}), 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Simulation implements YouTubeSimulator {
  origin = '';
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly server = createServer((req, res) => this.#serve(req, res));
  readonly #clock: Clock;
  readonly #oauth: PkceOAuth;
  readonly #channels: YouTubeSimChannel[];
  readonly #faults = new FaultQueue<YouTubeFault>();
  readonly #sessions = new Map<string, Session>();
  readonly #videos: YouTubeVideoView[] = [];
  readonly #requests: YouTubeRequestRecord[] = [];
  readonly #chunks: YouTubeChunkRecord[] = [];
  readonly #insertsPerDay: number;
  readonly #inserts: number[] = [];
  #signedIn: string | null;

  constructor(options: YouTubeSimulatorOptions) {
    this.#clock = options.clock ?? systemClock;
    this.clientId = options.clientId ?? '1234567890-airlock.apps.googleusercontent.com';
    this.clientSecret = options.clientSecret ?? 'GOCSPX-installed-app-secret';
    this.redirectUris = options.redirectUris ?? ['http://127.0.0.1'];
    const seeds = options.channels?.length ? options.channels : [{}];
    this.#channels = seeds.map((c, i) => ({
      id: c.id ?? `UC${randomBytes(16).toString('base64url').slice(0, 22)}`,
      title: c.title ?? (i === 0 ? 'City Council' : `Channel ${i + 1}`),
      ...(c.customUrl ? { customUrl: c.customUrl } : {}),
    }));
    this.#signedIn = this.#channels[0]!.id;
    this.#insertsPerDay = options.insertsPerDay ?? YOUTUBE_LIMITS.insertsPerDay;
    for (const fault of options.faults ?? []) this.injectFault(fault);
    this.#oauth = new PkceOAuth({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      redirectUris: this.redirectUris,
      redirectMatch: 'loopback-any-port',
      scopes: YOUTUBE_SCOPES,
      codeSeconds: 600,
      accessSeconds: options.accessSeconds ?? 3600,
      // §5.1: 7 days while the consent screen is in Testing; not rotated.
      refreshSeconds: 7 * 24 * 60 * 60,
      rotateRefresh: false,
      offline: (query) => query.get('access_type') === 'offline',
      nowMs: () => this.#now(),
      signedInUser: () => this.#signedIn ?? undefined,
      knownUser: (id) => this.#channels.some((c) => c.id === id),
    });
  }

  stop(): Promise<void> {
    return stopServer(this.server);
  }

  injectFault(fault: YouTubeFault): void {
    this.#faults.push(fault);
  }

  pendingFaults(): YouTubeFault[] {
    return this.#faults.pending();
  }

  feed(channelId?: string): YouTubeVideoView[] {
    return this.#videos.filter((v) => channelId === undefined || v.channelId === channelId).map((v) => ({ ...v })).reverse();
  }

  channels(): YouTubeSimChannel[] {
    return this.#channels.map((c) => ({ ...c }));
  }

  signInAs(channelId: string | null): void {
    this.#signedIn = channelId;
  }

  issueTokens(channelId = this.#channels[0]!.id, scopes: readonly string[] = YOUTUBE_SCOPES): PkceTokenResponse {
    return this.#oauth.issueForTest(channelId, scopes);
  }

  requests(): YouTubeRequestRecord[] {
    return this.#requests.map((r) => ({ ...r }));
  }

  chunks(): YouTubeChunkRecord[] {
    return this.#chunks.map((c) => ({ ...c }));
  }

  sessions(): { received: number; total: number; done: boolean }[] {
    return [...this.#sessions.values()].map((s) => ({ received: s.received, total: s.total, done: s.video !== null }));
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #takeFault(endpoint: YouTubeEndpoint, chunkIndex?: number): YouTubeFault | undefined {
    const oauth = endpoint === 'authorize' || endpoint === 'token' || endpoint === 'revoke';
    return this.#faults.take(
      (fault) =>
        (fault.endpoint === undefined || fault.endpoint === endpoint) &&
        (fault.chunkIndex === undefined || fault.chunkIndex === chunkIndex) &&
        !(oauth && fault.kind !== 'drop-connection' && fault.kind !== 'server-error'),
    );
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const length = Number(req.headers['content-length'] ?? 0);
    const record: YouTubeRequestRecord = { method: req.method ?? '', path: url.pathname, endpoint: null, status: 0, bytes: Number.isSafeInteger(length) ? length : 0 };
    this.#requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    this.#route(req, res, url, record).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, googleError(500, 'backendError', `Simulator fault: ${err instanceof Error ? err.message : String(err)}`, 'global'));
      else res.destroy();
    });
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL, record: YouTubeRequestRecord): Promise<void> {
    const method = req.method ?? '';
    const path = url.pathname;
    const answer = (reply: Reply) => sendJson(res, reply.status, reply.body, reply.headers);
    if (path === YOUTUBE_PATHS.upload && method === 'PUT') {
      record.endpoint = req.headers['content-range']?.startsWith('bytes */') ? 'query' : 'chunk';
      return this.#put(req, res, url, record.endpoint);
    }
    const endpoint: YouTubeEndpoint | null =
      path === YOUTUBE_PATHS.authorize && method === 'GET'
        ? 'authorize'
        : path === YOUTUBE_PATHS.token && method === 'POST'
          ? 'token'
          : path === YOUTUBE_PATHS.revoke && method === 'POST'
            ? 'revoke'
            : path === YOUTUBE_PATHS.upload && method === 'POST'
              ? 'start'
              : path === YOUTUBE_PATHS.videos && method === 'GET'
                ? 'videos'
                : path === YOUTUBE_PATHS.channels && method === 'GET'
                  ? 'channels'
                  : null;
    record.endpoint = endpoint;
    if (endpoint === null) {
      await drain(req);
      return answer(fail(404, 'notFound', `No route for ${method} ${path}.`, 'global'));
    }
    const fault = this.#takeFault(endpoint);
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    let body: Buffer;
    try {
      body = await readSmallBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) return void res.destroy();
      return answer(fail(413, 'requestTooLarge', 'Request body is too large.', 'global'));
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
    if (fault?.kind === 'server-error') return answer(fail(fault.status ?? 503, 'backendError', 'Backend Error', 'global'));
    if (fault?.kind === 'rate-limit') return answer(fail(429, 'rateLimitExceeded', 'Too many requests.', 'youtube.quota', fault.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(fault.retryAfterSeconds) }));
    if (endpoint === 'token' || endpoint === 'revoke') {
      const form = new URLSearchParams(body.toString('utf8'));
      // Google's revoke also takes the token in the query.
      if (endpoint === 'revoke' && !form.get('token') && url.searchParams.get('token')) form.set('token', url.searchParams.get('token')!);
      const reply = endpoint === 'token' ? this.#oauth.token(form, req.headers.authorization) : this.#oauth.revoke(form, req.headers.authorization);
      return answer({ status: reply.status, body: reply.body });
    }
    if (fault?.kind === 'expired-token') this.#oauth.expireAccessToken(req.headers.authorization);
    const access = this.#oauth.authenticate(req.headers.authorization);
    if (!access) return answer({ ...fail(401, 'authError', 'Invalid Credentials', 'global'), headers: { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' } });
    if (endpoint === 'videos') return answer(this.#list(access, url));
    if (endpoint === 'channels') return answer(this.#channelList(access, url));
    return answer(this.#start(req, url, access, body, fault));
  }

  #has(access: OAuthAccess, scope: string): boolean {
    return access.grant.scopes.includes(scope);
  }

  /** videos.list by id (needs youtube.readonly, §5.1). */
  #list(access: OAuthAccess, url: URL): Reply {
    if (!this.#has(access, YOUTUBE_SCOPES[1])) return fail(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'global');
    const ids = (url.searchParams.get('id') ?? '').split(',').filter(Boolean);
    if (ids.length === 0) return fail(400, 'missingRequiredParameter', 'No filter selected. Expected one of: id, myRating, chart.', 'youtube.parameter');
    const items = this.#videos.filter((v) => ids.includes(v.id)).map((v) => this.#resource(v));
    return { status: 200, body: { kind: 'youtube#videoListResponse', etag: randomBytes(8).toString('hex'), items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } } };
  }

  /**
   * channels.list `?part=snippet&mine=true`: the channel the token belongs to, whose `id` (UC…)
   * names it for good and whose snippet carries its title and handle. Needs youtube.readonly
   * (§5.1: youtube.upload is not accepted here).
   */
  #channelList(access: OAuthAccess, url: URL): Reply {
    if (!this.#has(access, YOUTUBE_SCOPES[1])) return fail(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'global');
    const parts = (url.searchParams.get('part') ?? '').split(',').filter(Boolean);
    if (parts.length === 0) return fail(400, 'missingRequiredParameter', 'No part selected.', 'youtube.parameter');
    if (parts.some((p) => p !== 'snippet' && p !== 'id')) return fail(400, 'unknownPart', `Unknown part: ${parts.filter((p) => p !== 'snippet' && p !== 'id').join(',')}.`, 'youtube.part');
    if (url.searchParams.get('mine') !== 'true' && !url.searchParams.get('id')) return fail(400, 'missingRequiredParameter', 'No filter selected. Expected one of: id, mine, forHandle, forUsername, managedByMe.', 'youtube.parameter');
    const ids = (url.searchParams.get('id') ?? '').split(',').filter(Boolean);
    const items = this.#channels
      .filter((c) => (url.searchParams.get('mine') === 'true' ? c.id === access.grant.userId : ids.includes(c.id)))
      .map((c) => ({
        kind: 'youtube#channel',
        etag: createHash('sha1').update(c.id).digest('base64url'),
        id: c.id,
        ...(parts.includes('snippet') ? { snippet: { title: c.title, description: '', ...(c.customUrl ? { customUrl: c.customUrl } : {}), publishedAt: '2015-03-02T09:00:00Z' } } : {}),
      }));
    return { status: 200, body: { kind: 'youtube#channelListResponse', etag: randomBytes(8).toString('hex'), pageInfo: { totalResults: items.length, resultsPerPage: 5 }, items } };
  }

  /** §5.2 step 1: metadata in, session URI out. */
  #start(req: IncomingMessage, url: URL, access: OAuthAccess, body: Buffer, fault: YouTubeFault | undefined): Reply {
    if (url.searchParams.get('uploadType') !== 'resumable') return fail(400, 'badRequest', 'uploadType must be resumable.', 'global');
    const parts = (url.searchParams.get('part') ?? '').split(',');
    if (!parts.includes('snippet') || !parts.includes('status')) return fail(400, 'unexpectedPart', 'part must name snippet and status.', 'youtube.part');
    if (!this.#has(access, YOUTUBE_SCOPES[0])) return fail(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'global');
    if (fault?.kind === 'quota-exceeded') return this.#quotaExceeded();
    if (fault?.kind === 'upload-limit-exceeded') return this.#uploadLimit();
    const today = this.#inserts.filter((t) => t > this.#now() - 24 * 60 * 60_000);
    if (today.length >= this.#insertsPerDay) return this.#quotaExceeded();
    const total = Number(req.headers['x-upload-content-length']);
    const contentType = String(req.headers['x-upload-content-type'] ?? '');
    if (!Number.isSafeInteger(total) || total <= 0 || total > YOUTUBE_LIMITS.fileMaxBytes) return fail(400, 'badContent', 'X-Upload-Content-Length is missing or not valid.', 'global');
    if (!/^video\/[a-z0-9.+-]+$/i.test(contentType) && contentType !== 'application/octet-stream') return fail(400, 'badContent', 'X-Upload-Content-Type must be video/* or application/octet-stream.', 'global');
    const json = jsonObject(body);
    if (!json) return fail(400, 'parseError', 'Parse Error', 'global');
    const snippet = isRecord(json.snippet) ? json.snippet : {};
    const status = isRecord(json.status) ? json.status : {};
    const title = typeof snippet.title === 'string' ? snippet.title : '';
    const description = typeof snippet.description === 'string' ? snippet.description : '';
    if (!title.trim() || Array.from(title).length > YOUTUBE_LIMITS.titleMaxChars || /[<>]/.test(title)) return fail(400, 'invalidTitle', 'The request metadata specifies an invalid video title.');
    if (Buffer.byteLength(description) > YOUTUBE_LIMITS.descriptionMaxBytes || /[<>]/.test(description)) return fail(400, 'invalidDescription', 'The request metadata specifies an invalid video description.');
    const categoryId = snippet.categoryId ?? '22';
    if (typeof categoryId !== 'string' || !/^\d+$/.test(categoryId)) return fail(400, 'invalidCategoryId', 'The snippet.categoryId property specifies an invalid category ID.');
    const privacy = status.privacyStatus ?? 'public';
    if (!(YOUTUBE_PRIVACY as readonly unknown[]).includes(privacy)) return fail(400, 'invalidValue', 'status.privacyStatus is not valid.', 'youtube.video');
    this.#inserts.push(this.#now());
    const id = randomBytes(24).toString('base64url');
    this.#sessions.set(id, { id, channelId: access.grant.userId, total, contentType, title, description, categoryId, privacyStatus: privacy as YouTubePrivacy, received: 0, hash: createHash('sha256'), video: null, expired: false });
    const location = `${this.origin}${YOUTUBE_PATHS.upload}?uploadType=resumable&part=snippet,status&upload_id=${id}`;
    return { status: 200, body: null, headers: { Location: location, 'X-GUploader-UploadID': id } };
  }

  #quotaExceeded(): Reply {
    return fail(403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your quota.', 'youtube.quota');
  }

  #uploadLimit(): Reply {
    return fail(400, 'uploadLimitExceeded', 'The user has exceeded the number of videos they may upload.', 'youtube.video');
  }

  #rangeHeader(s: Session): Record<string, string> {
    // §5.2 step 3: no Range at all while nothing has arrived.
    return s.received > 0 ? { Range: `bytes=0-${s.received - 1}` } : {};
  }

  // §5.2 steps 2–4: a chunk, or `bytes */TOTAL` asking how much arrived.
  async #put(req: IncomingMessage, res: ServerResponse, url: URL, endpoint: 'chunk' | 'query'): Promise<void> {
    const answer = (reply: Reply) => sendJson(res, reply.status, reply.body, reply.headers);
    const early = async (reply: Reply) => {
      await drain(req);
      answer(reply);
    };
    const session = this.#sessions.get(url.searchParams.get('upload_id') ?? '');
    const index = this.#chunks.length;
    const fault = this.#takeFault(endpoint, endpoint === 'chunk' ? index : undefined);
    if (fault?.kind === 'session-expired' && session) session.expired = true;
    if (!session || session.expired) return early(fail(404, 'notFound', 'The upload session was not found or has expired.', 'global'));
    if (fault?.kind === 'server-error') return early(fail(fault.status ?? 503, 'backendError', 'Backend Error', 'global'));
    if (session.video) return early({ status: 201, body: this.#resource(session.video) });
    const range = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
    const length = Number(req.headers['content-length'] ?? NaN);
    if (!range || Number(range[3]) !== session.total) return early(fail(400, 'badContent', 'Content-Range is missing or does not match the upload.', 'global'));
    if (endpoint === 'query') {
      if (fault?.kind === 'drop-connection') return void req.socket.destroy();
      return early({ status: 308, body: null, headers: this.#rangeHeader(session) });
    }
    const first = Number(range[1]);
    const last = Number(range[2]);
    const size = last - first + 1;
    const final = last === session.total - 1;
    if (last < first || last >= session.total || length !== size) return early(fail(400, 'badContent', 'Content-Length does not match Content-Range.', 'global'));
    if (!final && size % STEP !== 0) return early(fail(400, 'badContent', `Chunks other than the last must be a multiple of ${STEP} bytes.`, 'global'));
    // A range that overlaps what arrived or leaves a gap uploads nothing (§5.2 step 4).
    if (first !== session.received) return early({ status: 308, body: null, headers: this.#rangeHeader(session) });
    const drop = fault?.kind === 'drop-connection' && fault.when !== 'after-processing' ? Math.floor(size / 2) : Infinity;
    let seen = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const keep = (piece: Buffer): void => {
      pending.push(piece);
      pendingBytes += piece.length;
      // Whole 256 KiB steps are kept; a tail waits for the rest of its step.
      while (pendingBytes >= STEP) {
        const all = Buffer.concat(pending);
        session.hash.update(all.subarray(0, STEP));
        session.received += STEP;
        pending = [all.subarray(STEP)];
        pendingBytes -= STEP;
      }
    };
    for await (const piece of req as AsyncIterable<Buffer>) {
      if (seen + piece.length > drop) {
        keep(piece.subarray(0, drop - seen));
        this.#chunks.push({ start: first, bytes: drop, whole: false });
        return void req.socket.destroy();
      }
      seen += piece.length;
      keep(piece);
    }
    if (seen !== size) {
      this.#chunks.push({ start: first, bytes: seen, whole: false });
      return;
    }
    this.#chunks.push({ start: first, bytes: size, whole: true });
    if (final) {
      for (const piece of pending) session.hash.update(piece);
      session.received += pendingBytes;
      session.video = this.#publish(session);
      if (fault?.kind === 'drop-connection') return void req.socket.destroy();
      return answer({ status: 201, body: this.#resource(session.video) });
    }
    if (fault?.kind === 'rate-limit') return answer(fail(429, 'rateLimitExceeded', 'Too many requests.', 'youtube.quota'));
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    answer({ status: 308, body: null, headers: this.#rangeHeader(session) });
  }

  #publish(s: Session): YouTubeVideoView {
    const video: YouTubeVideoView = {
      id: randomBytes(8).toString('base64url').slice(0, 11),
      channelId: s.channelId,
      title: s.title,
      description: s.description,
      privacyStatus: s.privacyStatus,
      categoryId: s.categoryId,
      sha256: s.hash.digest('hex'),
      sizeBytes: s.total,
      contentType: s.contentType,
      publishedAt: new Date(this.#now()).toISOString(),
    };
    this.#videos.push(video);
    return video;
  }

  #resource(v: YouTubeVideoView): Record<string, unknown> {
    const channel = this.#channels.find((c) => c.id === v.channelId);
    return {
      kind: 'youtube#video',
      etag: createHash('sha1').update(v.id).digest('base64url'),
      id: v.id,
      snippet: { publishedAt: v.publishedAt, channelId: v.channelId, title: v.title, description: v.description, channelTitle: channel?.title ?? '', categoryId: v.categoryId, liveBroadcastContent: 'none' },
      status: { uploadStatus: 'uploaded', privacyStatus: v.privacyStatus, license: 'youtube', embeddable: true, publicStatsViewable: true, selfDeclaredMadeForKids: false },
    };
  }
}

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startYouTubeSimulator(options: YouTubeSimulatorOptions = {}): Promise<YouTubeSimulator> {
  const sim = new Simulation(options);
  sim.origin = await listenOnLoopback(sim.server, options.port);
  return sim;
}
