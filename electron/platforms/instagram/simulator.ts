// A protocol-faithful Instagram content publishing API for Reels on 127.0.0.1, for tests and the
// training demo (../shared/platform-apis.md §6.4, Facebook Login for Business): a REELS
// container with `upload_type=resumable` and its rupload `uri`, the bytes POSTed there with
// `Authorization: OAuth`, `offset` and `file_size`, `status_code` going IN_PROGRESS → FINISHED
// (or ERROR, or EXPIRED after 24 h), `media_publish` (9007/2207027 before FINISHED), the 24 h
// publishing limit (9/2207042) and `content_publishing_limit`, the account's media, Graph's error
// envelope, and faults on demand; and the Facebook Login that connects it (simulator-login.ts):
// the Pages the person manages, each with its linked IG professional account. Bytes are hashed as
// they arrive and never held. Never a real host.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Clock } from '../../services/core.ts';
import { failWith, GraphUserTokens, META_REDIRECT_URI, reply, tokenOf, type GraphReply } from '../facebook/simulator.ts';
import { GRAPH_CODES, GRAPH_VERSION, INSTAGRAM_SCOPES } from '../facebook/protocol.ts';
import { loginEndpoint, MetaLogin, sendLoginReply, type LoginEndpoint } from '../facebook/simulator-login.ts';
import { BodyTooLarge, drain, readSmallBody } from '../simulator-body.ts';
import { FaultQueue, listenOnLoopback, stopServer } from '../simulator-server.ts';
import { captionTags, INSTAGRAM_CODES, INSTAGRAM_LIMITS, INSTAGRAM_PATHS } from './protocol.ts';

export type InstagramEndpoint = 'container' | 'upload' | 'status' | 'limit' | 'publish' | 'media' | LoginEndpoint;

/**
 * Faults on demand, consumed in the order injected. `drop-connection` on an upload closes the
 * socket halfway through its body (nothing is kept: the upload starts again at offset 0), or with
 * `after-processing` once the request took effect, before the answer goes. `processing-error`
 * ends the container in ERROR after its upload.
 */
export type InstagramFault = { endpoint?: InstagramEndpoint; times?: number } & (
  | { kind: 'drop-connection'; when?: 'mid-request' | 'after-processing' }
  /** The request takes effect and no answer ever comes (until the client gives up or the simulator stops). */
  | { kind: 'no-answer' }
  | { kind: 'server-error'; status?: number }
  | { kind: 'rate-limit' }
  | { kind: 'expired-token' }
  | { kind: 'processing-error' }
);

export interface InstagramSimAccount {
  id: string;
  username: string;
}

/** A Facebook Page the signed-in person manages, with the IG account linked to it (or none). */
export interface InstagramSimPage {
  id: string;
  name: string;
  instagramId: string | null;
}

export interface InstagramSimulatorOptions {
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clock?: Clock;
  accounts?: Partial<InstagramSimAccount>[];
  /** Default: one Page per account, linked to it. */
  pages?: Partial<InstagramSimPage>[];
  /** The Meta app Facebook Login checks (the same app as the Facebook Page connect). */
  appId?: string;
  appSecret?: string;
  redirectUris?: string[];
  redirectMatch?: 'exact' | 'loopback-any-port';
  /** Status reads that still say IN_PROGRESS after the upload. Default 1. */
  processingPolls?: number;
  /** §6.4: posts a 24 h moving window. Default 50. */
  publishesPerDay?: number;
  faults?: InstagramFault[];
}

export interface InstagramMediaView {
  id: string;
  accountId: string;
  caption: string;
  shareToFeed: boolean;
  sizeBytes: number;
  sha256: string;
  permalink: string;
  publishedAt: number;
}

export interface InstagramRequestRecord {
  method: string;
  /** Path only; tokens are never recorded. */
  path: string;
  endpoint: InstagramEndpoint | null;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** The request's Content-Length as sent. */
  bytes: number;
}

export interface InstagramSimulator {
  readonly origin: string;
  readonly appId: string;
  readonly appSecret: string;
  stop(): Promise<void>;
  injectFault(fault: InstagramFault): void;
  pendingFaults(): InstagramFault[];
  /** Published Reels, newest first. */
  feed(accountId?: string): InstagramMediaView[];
  accounts(): InstagramSimAccount[];
  /** A long-lived user token (Facebook Login for Business), as the connect flow would have stored. */
  issueUserToken(): { access_token: string; token_type: 'bearer'; expires_in: number };
  pages(): InstagramSimPage[];
  /** Who consents at the next sign-ins: the Pages they manage (default all), or null to decline. */
  consentAs(pageIds: readonly string[] | null | undefined): void;
  declinePermissions(permissions: readonly string[]): void;
  requests(): InstagramRequestRecord[];
  containers(): { id: string; statusCode: string; received: number; total: number }[];
}

interface Container {
  id: string;
  accountId: string;
  caption: string;
  shareToFeed: boolean;
  createdAt: number;
  total: number;
  received: number;
  sha256: string | null;
  state: 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'PUBLISHED';
  uploaded: boolean;
  pollsLeft: number;
  failProcessing: boolean;
  mediaId: string | null;
}

const systemClock: Clock = { now: () => new Date() };

const digits = () => String(17_000_000_000_000_000n + BigInt(randomBytes(6).readUIntBE(0, 6)));

class Simulation implements InstagramSimulator {
  origin = '';
  readonly appId: string;
  readonly appSecret: string;
  readonly #pages: InstagramSimPage[];
  readonly #login: MetaLogin;
  readonly server = createServer((req, res) => this.#serve(req, res));
  readonly #clock: Clock;
  readonly #accounts: InstagramSimAccount[];
  readonly #tokens = new GraphUserTokens(() => this.#now());
  readonly #faults = new FaultQueue<InstagramFault>();
  readonly #containers = new Map<string, Container>();
  readonly #media: InstagramMediaView[] = [];
  readonly #requests: InstagramRequestRecord[] = [];
  readonly #processingPolls: number;
  readonly #publishesPerDay: number;

  constructor(options: InstagramSimulatorOptions) {
    this.#clock = options.clock ?? systemClock;
    const seeds = options.accounts?.length ? options.accounts : [{}];
    this.#accounts = seeds.map((a, i) => ({ id: a.id ?? digits(), username: a.username ?? (i === 0 ? 'citycouncil' : `account${i + 1}`) }));
    const pageSeeds: Partial<InstagramSimPage>[] = options.pages ?? this.#accounts.map((a) => ({ instagramId: a.id }));
    this.#pages = pageSeeds.map((p, i) => ({ id: p.id ?? String(100_000_000_000_000 + i * 7919 + Math.floor(Math.random() * 1e9)), name: p.name ?? `Page ${i + 1}`, instagramId: p.instagramId ?? null }));
    this.appId = options.appId ?? '987654321012345';
    this.appSecret = options.appSecret ?? randomBytes(16).toString('hex');
    this.#login = new MetaLogin({
      appId: this.appId,
      appSecret: this.appSecret,
      redirectUris: options.redirectUris ?? [META_REDIRECT_URI],
      redirectMatch: options.redirectMatch ?? 'exact',
      permissions: [...INSTAGRAM_SCOPES, 'public_profile'],
      tokens: this.#tokens,
      nowMs: () => this.#now(),
      pages: () =>
        this.#pages.map((p) => {
          const ig = this.#accounts.find((a) => a.id === p.instagramId);
          return { id: p.id, name: p.name, tasks: ['CREATE_CONTENT', 'MANAGE'], instagram: ig ? { id: ig.id, username: ig.username } : null };
        }),
    });
    this.#processingPolls = options.processingPolls ?? 1;
    this.#publishesPerDay = options.publishesPerDay ?? INSTAGRAM_LIMITS.publishesPerDay;
    for (const fault of options.faults ?? []) this.injectFault(fault);
  }

  stop(): Promise<void> {
    return stopServer(this.server);
  }

  injectFault(fault: InstagramFault): void {
    this.#faults.push(fault);
  }

  pendingFaults(): InstagramFault[] {
    return this.#faults.pending();
  }

  feed(accountId?: string): InstagramMediaView[] {
    return this.#media.filter((m) => accountId === undefined || m.accountId === accountId).map((m) => ({ ...m })).reverse();
  }

  accounts(): InstagramSimAccount[] {
    return this.#accounts.map((a) => ({ ...a }));
  }

  issueUserToken() {
    return this.#tokens.issue();
  }

  pages(): InstagramSimPage[] {
    return this.#pages.map((p) => ({ ...p }));
  }

  consentAs(pageIds: readonly string[] | null | undefined): void {
    this.#login.consentAs(pageIds);
  }

  declinePermissions(permissions: readonly string[]): void {
    this.#login.decline(permissions);
  }

  requests(): InstagramRequestRecord[] {
    return this.#requests.map((r) => ({ ...r }));
  }

  containers() {
    return [...this.#containers.values()].map((c) => ({ id: c.id, statusCode: this.#statusCode(c), received: c.received, total: c.total }));
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #statusCode(c: Container): string {
    if (c.state !== 'PUBLISHED' && this.#now() - c.createdAt > INSTAGRAM_LIMITS.containerHours * 60 * 60_000) return 'EXPIRED';
    return c.state;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const length = Number(req.headers['content-length'] ?? 0);
    const record: InstagramRequestRecord = { method: req.method ?? '', path: url.pathname, endpoint: null, status: 0, bytes: Number.isSafeInteger(length) ? length : 0 };
    this.#requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    this.#route(req, res, url, record).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) reply(res, failWith(500, 2, `Simulator fault: ${err instanceof Error ? err.message : String(err)}`, { transient: true }));
      else res.destroy();
    });
  }

  #endpoint(method: string, url: URL): { endpoint: InstagramEndpoint; node: string } | null {
    const parts = url.pathname.split('/').slice(1);
    if (parts[0] === 'ig-api-upload' && parts[1] === GRAPH_VERSION && parts.length === 3 && method === 'POST') return { endpoint: 'upload', node: decodeURIComponent(parts[2]!) };
    if (parts[0] !== GRAPH_VERSION) return null;
    const node = decodeURIComponent(parts[1] ?? '');
    const login = parts.length === 3 ? loginEndpoint(method, node, parts[2]) : null;
    if (login) return { endpoint: login, node };
    const account = this.#accounts.some((a) => a.id === node);
    if (parts.length === 2 && method === 'GET') return { endpoint: 'status', node };
    if (parts.length !== 3 || !account) return null;
    if (parts[2] === 'media') return method === 'POST' ? { endpoint: 'container', node } : method === 'GET' ? { endpoint: 'media', node } : null;
    if (parts[2] === 'media_publish' && method === 'POST') return { endpoint: 'publish', node };
    if (parts[2] === 'content_publishing_limit' && method === 'GET') return { endpoint: 'limit', node };
    return null;
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL, record: InstagramRequestRecord): Promise<void> {
    const found = this.#endpoint(req.method ?? '', url);
    record.endpoint = found?.endpoint ?? null;
    const answer = (r: GraphReply) => reply(res, r);
    const early = async (r: GraphReply) => {
      await drain(req);
      answer(r);
    };
    if (!found) return early(failWith(400, GRAPH_CODES.invalidParameter, `Unsupported ${req.method} request.`, { type: 'GraphMethodException', subcode: 33 }));
    const { endpoint, node } = found;
    const fault = this.#faults.take((f) => f.endpoint === undefined || f.endpoint === endpoint);
    if (fault?.kind === 'drop-connection' && fault.when !== 'after-processing' && endpoint !== 'upload') return void req.socket.destroy();
    if (fault?.kind === 'server-error') return early(failWith(fault.status ?? 500, 2, 'An unexpected error has occurred. Please retry your request later.', { transient: true }));
    if (fault?.kind === 'rate-limit') return early(failWith(400, 4, 'Application request limit reached', { subcode: 2207051 }));
    if (endpoint === 'upload') return this.#upload(req, res, node, fault);
    let body: Buffer;
    try {
      body = await readSmallBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) return void res.destroy();
      return answer(failWith(413, GRAPH_CODES.invalidParameter, 'Request body is too large.'));
    }
    if (endpoint === 'authorize' || endpoint === 'token' || endpoint === 'accounts' || endpoint === 'permissions') {
      const r = this.#login.handle(endpoint, url, body, req.headers.authorization);
      if (fault?.kind === 'drop-connection') return void req.socket.destroy();
      return sendLoginReply(res, r);
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const token = tokenOf(req, url, form);
    if (fault?.kind === 'expired-token') this.#tokens.expire(token);
    const refused = this.#check(token);
    if (refused) return answer(refused);
    const field = (name: string) => form.get(name) ?? url.searchParams.get(name) ?? '';
    const result =
      endpoint === 'container'
        ? this.#create(node, field, fault?.kind === 'processing-error')
        : endpoint === 'status'
          ? this.#status(node, url)
          : endpoint === 'limit'
            ? this.#limit(node)
            : endpoint === 'publish'
              ? this.#publish(node, field('creation_id'))
              : this.#list(node, url);
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    if (fault?.kind === 'no-answer') return;
    answer(result);
  }

  #check(token: string | null): GraphReply | null {
    return this.#tokens.check(token);
  }


  /** §6.4 step 1. */
  #create(accountId: string, field: (name: string) => string, failProcessing: boolean): GraphReply {
    if (field('media_type') !== 'REELS') return failWith(400, GRAPH_CODES.invalidParameter, '(#100) media_type must be REELS for a video.');
    if (field('upload_type') !== 'resumable') return failWith(400, GRAPH_CODES.invalidParameter, 'The parameter video_url is required');
    const caption = field('caption');
    const tags = captionTags(caption);
    if (Array.from(caption).length > INSTAGRAM_LIMITS.captionMaxChars) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) The caption is too long.', { subcode: 2207010 });
    if (tags.hashtags > INSTAGRAM_LIMITS.maxHashtags || tags.mentions > INSTAGRAM_LIMITS.maxMentions) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) The caption has too many hashtags or mentions.', { subcode: 2207010 });
    const id = digits();
    this.#containers.set(id, { id, accountId, caption, shareToFeed: field('share_to_feed') !== 'false', createdAt: this.#now(), total: 0, received: 0, sha256: null, state: 'IN_PROGRESS', uploaded: false, pollsLeft: this.#processingPolls, failProcessing, mediaId: null });
    return { status: 200, body: { id, uri: `${this.origin}${INSTAGRAM_PATHS.upload(id)}` } };
  }

  /** §6.4 step 2: the whole file from `offset: 0`, with `file_size`. */
  async #upload(req: IncomingMessage, res: ServerResponse, id: string, fault: InstagramFault | undefined): Promise<void> {
    const early = async (status: number, retriable: boolean, message: string) => {
      await drain(req);
      reply(res, { status, body: { debug_info: { retriable, type: retriable ? 'ProcessingFailedError' : 'BadRequestError', message } } });
    };
    const header = /^OAuth (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    if (this.#check(header)) return early(401, false, 'Invalid OAuth access token.');
    const c = this.#containers.get(id);
    if (!c || this.#statusCode(c) === 'EXPIRED') return early(400, false, 'The container does not exist or has expired.');
    if (c.uploaded) return early(400, false, 'The media was already uploaded to this container.');
    const size = Number(req.headers.file_size ?? NaN);
    const length = Number(req.headers['content-length'] ?? NaN);
    if (req.headers.offset !== '0') return early(400, false, 'Only offset 0 is accepted.');
    if (!Number.isSafeInteger(size) || size < 1 || length !== size) return early(400, false, 'file_size must equal the body length.');
    if (size > INSTAGRAM_LIMITS.reelMaxBytes) return early(400, false, 'The video is larger than 300 MB.');
    const drop = fault?.kind === 'drop-connection' && fault.when !== 'after-processing' ? Math.floor(size / 2) : Infinity;
    const hash: Hash = createHash('sha256');
    let seen = 0;
    c.total = size;
    c.received = 0;
    for await (const piece of req as AsyncIterable<Buffer>) {
      if (seen + piece.length > drop) {
        c.received = drop;
        return void req.socket.destroy();
      }
      seen += piece.length;
      hash.update(piece);
    }
    if (seen !== size) return;
    c.received = size;
    c.sha256 = hash.digest('hex');
    c.uploaded = true;
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    reply(res, { status: 200, body: { success: true, message: 'Upload successful.' } });
  }

  /** §6.4 step 3: a container's status_code, or a published media's id and permalink. */
  #status(id: string, url: URL): GraphReply {
    const media = this.#media.find((m) => m.id === id);
    if (media) return { status: 200, body: { id: media.id, permalink: media.permalink } };
    const c = this.#containers.get(id);
    if (!c) return failWith(400, GRAPH_CODES.invalidParameter, `(#100) Unsupported get request. Object with ID '${id}' does not exist.`, { type: 'GraphMethodException', subcode: 33 });
    if (c.state === 'IN_PROGRESS' && c.uploaded) {
      if (c.pollsLeft > 0) c.pollsLeft--;
      else c.state = c.failProcessing ? 'ERROR' : 'FINISHED';
    }
    const code = this.#statusCode(c);
    const fields = (url.searchParams.get('fields') ?? 'id').split(',');
    const status = code === 'ERROR' ? 'Error: Media upload has failed with error code 2207026' : code === 'IN_PROGRESS' ? 'In Progress: Media is still being processed.' : code === 'FINISHED' ? 'Finished: Media has been uploaded and it is ready to be published.' : code === 'PUBLISHED' ? 'Published: Media has been successfully published.' : 'Expired: Media was not published within 24 hours.';
    return { status: 200, body: { id: c.id, ...(fields.includes('status_code') ? { status_code: code } : {}), ...(fields.includes('status') ? { status } : {}) } };
  }

  #window(accountId: string): InstagramMediaView[] {
    return this.#media.filter((m) => m.accountId === accountId && m.publishedAt > this.#now() - 24 * 60 * 60_000);
  }

  /** `content_publishing_limit?fields=config,quota_usage`. */
  #limit(accountId: string): GraphReply {
    return { status: 200, body: { data: [{ quota_usage: this.#window(accountId).length, config: { quota_total: this.#publishesPerDay, quota_duration: 86400 } }] } };
  }

  /** §6.4 step 4. */
  #publish(accountId: string, creationId: string): GraphReply {
    const c = this.#containers.get(creationId);
    if (!c || c.accountId !== accountId) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) The parameter creation_id is invalid.');
    const code = this.#statusCode(c);
    if (code === 'PUBLISHED') return failWith(400, GRAPH_CODES.invalidParameter, '(#100) The media has already been published.', { subcode: 2207008 });
    if (code !== 'FINISHED') return failWith(400, INSTAGRAM_CODES.notReady.code, 'Media ID is not available', { subcode: INSTAGRAM_CODES.notReady.subcode });
    if (this.#window(accountId).length >= this.#publishesPerDay) {
      return failWith(400, INSTAGRAM_CODES.limit.code, 'Application does not have permission for this action: the maximum number of posts that can be published within 24 hours has been reached', { subcode: INSTAGRAM_CODES.limit.subcode });
    }
    const id = digits();
    const shortcode = randomBytes(8).toString('base64url').slice(0, 11);
    this.#media.push({ id, accountId, caption: c.caption, shareToFeed: c.shareToFeed, sizeBytes: c.total, sha256: c.sha256 ?? '', permalink: `https://www.instagram.com/reel/${shortcode}/`, publishedAt: this.#now() });
    c.state = 'PUBLISHED';
    c.mediaId = id;
    return { status: 200, body: { id } };
  }

  /** The account's media, newest first. */
  #list(accountId: string, url: URL): GraphReply {
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 25) || 25));
    const data = this.feed(accountId)
      .slice(0, limit)
      .map((m) => ({ id: m.id, caption: m.caption, media_product_type: 'REELS', media_type: 'VIDEO', permalink: m.permalink, timestamp: new Date(m.publishedAt).toISOString().replace(/\.\d{3}Z$/, '+0000') }));
    return { status: 200, body: { data, paging: { cursors: { before: 'QVFIUm', after: 'QVFIUn' } } } };
  }
}

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startInstagramSimulator(options: InstagramSimulatorOptions = {}): Promise<InstagramSimulator> {
  const sim = new Simulation(options);
  sim.origin = await listenOnLoopback(sim.server, options.port);
  return sim;
}
