// A protocol-faithful Graph API for Facebook Pages on 127.0.0.1 for tests and the training demo
// (../shared/platform-apis.md §6.1, §6.2): the Page token read with the user token, the
// Resumable Upload API (a session for the app, bytes POSTed at `file_offset` with
// `Authorization: OAuth`, the offset asked after an interruption, a file handle at the end), the
// video published on the Page with that handle, photo and text posts, the Page's lists, Graph's
// `{error:{code, error_subcode, fbtrace_id}}` with token, permission and rate-limit codes, and
// faults on demand; and Facebook Login (simulator-login.ts): the authorize dialog, the code and
// long-lived token exchanges with the app secret, /me/permissions and /me/accounts. Bytes are
// hashed as they arrive and never held. Never a real host.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Clock } from '../../services/core.ts';
import { MultipartError, multipartBoundary, readMultipart } from '../mastodon/simulator-multipart.ts';
import { BodyTooLarge, drain, readSmallBody, receiveUpload } from '../simulator-body.ts';
import { FaultQueue, listenOnLoopback, stopServer } from '../simulator-server.ts';
import { META_REDIRECT_PATH, META_REDIRECT_PORT } from './meta-login.ts';
import { FACEBOOK_LIMITS, FACEBOOK_SCOPES, GRAPH_CODES, GRAPH_VERSION, graphError, INSTAGRAM_SCOPES } from './protocol.ts';
import { loginEndpoint, MetaLogin, sendLoginReply, type LoginEndpoint } from './simulator-login.ts';
import { isReelsEndpoint, ReelsSimulation, type ReelsEndpoint, type ReelUploadView } from './simulator-reels.ts';

export type FacebookEndpoint = 'page' | 'start' | 'transfer' | 'offset' | 'publish' | 'videos' | 'photo' | 'photos' | 'feed-post' | 'feed' | LoginEndpoint | ReelsEndpoint;

/** The Meta app's Valid OAuth Redirect URI, as IT registers it (meta-login.ts). */
export const META_REDIRECT_URI = `http://127.0.0.1:${META_REDIRECT_PORT}${META_REDIRECT_PATH}`;

/**
 * Faults on demand, consumed in the order injected. `drop-connection` on a transfer closes the
 * socket halfway through its body (the bytes that arrived are kept), or with `after-processing`
 * once the request took effect, before the answer goes.
 */
export type FacebookFault = { endpoint?: FacebookEndpoint; times?: number } & (
  | { kind: 'drop-connection'; when?: 'mid-request' | 'after-processing' }
  /** The request takes effect and no answer ever comes (until the client gives up or the simulator stops). */
  | { kind: 'no-answer' }
  | { kind: 'server-error'; status?: number }
  | { kind: 'rate-limit'; regainMinutes?: number }
  | { kind: 'expired-token' }
  | { kind: 'no-permission' }
  | { kind: 'session-expired' }
);

export interface FacebookSimPage {
  id: string;
  name: string;
  /** The tasks the connected user has on the Page (§6.2: CREATE_CONTENT to post). */
  tasks: string[];
}

export interface FacebookSimulatorOptions {
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clock?: Clock;
  appId?: string;
  /** The app secret Facebook Login checks at the token endpoint. */
  appSecret?: string;
  /** Valid OAuth Redirect URIs. Default: Airlock's fixed loopback URI, compared exactly. */
  redirectUris?: string[];
  /** 'loopback-any-port' for tests and training, whose listeners take any free port. */
  redirectMatch?: 'exact' | 'loopback-any-port';
  pages?: Partial<FacebookSimPage>[];
  /** §6.1: long-lived user tokens last about 60 days. */
  userTokenSeconds?: number;
  faults?: FacebookFault[];
  /** Status reads a published Reel stays processing (§6.3 step 4, simulator-reels.ts). Default 1. */
  reelProcessingPolls?: number;
}

export interface FacebookPostView {
  id: string;
  pageId: string;
  kind: 'video' | 'photo' | 'text' | 'reel';
  message: string;
  title: string | null;
  sizeBytes: number;
  sha256: string | null;
  createdAt: number;
}

export interface FacebookRequestRecord {
  method: string;
  /** Path only; tokens are never recorded. */
  path: string;
  endpoint: FacebookEndpoint | null;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** The request's Content-Length as sent. */
  bytes: number;
  /** Where a transfer started (its `file_offset` header). */
  fileOffset: number | null;
}

export interface FacebookSimulator {
  readonly origin: string;
  readonly appId: string;
  readonly appSecret: string;
  stop(): Promise<void>;
  injectFault(fault: FacebookFault): void;
  pendingFaults(): FacebookFault[];
  /** Posts on the Pages, newest first. */
  feed(pageId?: string): FacebookPostView[];
  pages(): FacebookSimPage[];
  /** A long-lived user token, as the connect flow would have stored. */
  issueUserToken(): { access_token: string; token_type: 'bearer'; expires_in: number };
  /** Who consents at the next sign-ins: the Pages they manage (default all), or null to decline. */
  consentAs(pageIds: readonly string[] | null | undefined): void;
  /** Permissions the person unticks at the next sign-ins. */
  declinePermissions(permissions: readonly string[]): void;
  requests(): FacebookRequestRecord[];
  /** Upload sessions: bytes received of the total, and whether a handle was given. */
  sessions(): { received: number; total: number; done: boolean }[];
  /** Reels uploads (§6.3): bytes received of the file size, and whether the Reel was finished. */
  reelUploads(): ReelUploadView[];
}

interface Session {
  id: string;
  userToken: string;
  fileName: string;
  total: number;
  received: number;
  hash: Hash;
  handle: string | null;
  sha256: string | null;
  expired: boolean;
}

export type GraphReply = { status: number; body: unknown; headers?: Record<string, string> };
type Reply = GraphReply;

const systemClock: Clock = { now: () => new Date() };

export const failWith = (status: number, code: number, message: string, o: Parameters<typeof graphError>[2] = {}, headers?: Record<string, string>): Reply => ({
  status,
  body: graphError(code, message, { trace: randomBytes(8).toString('base64url'), ...o }),
  ...(headers ? { headers } : {}),
});

export function reply(res: ServerResponse, r: Reply): void {
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': String(Buffer.byteLength(text)), ...r.headers });
  res.end(text);
}

/** The token of a request: `Authorization: OAuth|Bearer …`, or `access_token` in the query or form. */
export function tokenOf(req: IncomingMessage, url: URL, form?: URLSearchParams | Map<string, string[]>): string | null {
  const m = /^(?:OAuth|Bearer) (\S+)$/i.exec(req.headers.authorization ?? '');
  if (m) return m[1]!;
  const fromForm = form instanceof Map ? form.get('access_token')?.[0] : form?.get('access_token');
  return fromForm ?? url.searchParams.get('access_token');
}

/** Long-lived user tokens (§6.1), in this process's memory only, checked as Graph checks them. */
export class GraphUserTokens {
  readonly #tokens = new Map<string, number>();
  readonly #now: () => number;
  readonly #seconds: number;

  constructor(now: () => number, seconds = 60 * 24 * 60 * 60) {
    this.#now = now;
    this.#seconds = seconds;
  }

  issue(): { access_token: string; token_type: 'bearer'; expires_in: number } {
    const token = `EAAG${randomBytes(24).toString('base64url')}`;
    this.#tokens.set(token, this.#now() + this.#seconds * 1000);
    return { access_token: token, token_type: 'bearer', expires_in: this.#seconds };
  }

  expire(token: string | null): void {
    if (token && this.#tokens.has(token)) this.#tokens.set(token, 0);
  }

  /** null when the token is good; else Graph's 190 (463 when it has expired). */
  check(token: string | null): GraphReply | null {
    const expiresAt = token ? this.#tokens.get(token) : undefined;
    if (expiresAt === undefined) return failWith(400, GRAPH_CODES.token, 'Invalid OAuth access token - Cannot parse access token');
    if (expiresAt <= this.#now()) return failWith(400, GRAPH_CODES.token, `Error validating access token: Session has expired on ${new Date(expiresAt).toUTCString()}.`, { subcode: GRAPH_CODES.tokenExpiredSubcode });
    return null;
  }
}

class Simulation implements FacebookSimulator {
  origin = '';
  readonly appId: string;
  readonly appSecret: string;
  readonly server = createServer((req, res) => this.#serve(req, res));
  readonly #login: MetaLogin;
  readonly #clock: Clock;
  readonly #pages: FacebookSimPage[];
  readonly #userTokens: GraphUserTokens;
  /** Page token → Page id. Page tokens from a long-lived user token do not expire (§6.1). */
  readonly #pageTokens = new Map<string, string>();
  readonly #faults = new FaultQueue<FacebookFault>();
  readonly #sessions = new Map<string, Session>();
  readonly #posts: FacebookPostView[] = [];
  readonly #requests: FacebookRequestRecord[] = [];
  readonly #reels: ReelsSimulation;

  constructor(options: FacebookSimulatorOptions) {
    this.#clock = options.clock ?? systemClock;
    this.appId = options.appId ?? '987654321012345';
    const seeds = options.pages?.length ? options.pages : [{}];
    this.#pages = seeds.map((p, i) => ({ id: p.id ?? String(100_000_000_000_000 + Math.floor(Math.random() * 1e12)), name: p.name ?? (i === 0 ? 'City Council' : `Page ${i + 1}`), tasks: p.tasks ?? ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'] }));
    this.#userTokens = new GraphUserTokens(() => this.#now(), options.userTokenSeconds);
    for (const fault of options.faults ?? []) this.injectFault(fault);
    this.#reels = new ReelsSimulation(
      {
        origin: () => this.origin,
        now: () => this.#now(),
        isPage: (id) => this.#pages.some((p) => p.id === id),
        checkPageToken: (token, pageId, denied) => this.#pageToken(token, pageId, denied, true),
        addPost: ({ id, ...post }) => Object.assign(this.#add(post), { id }),
        takeFault: (endpoint) => this.#faults.take((f) => f.endpoint === undefined || f.endpoint === endpoint),
      },
      { processingPolls: options.reelProcessingPolls ?? 1 },
    );
    this.appSecret = options.appSecret ?? randomBytes(16).toString('hex');
    this.#login = new MetaLogin({
      appId: this.appId,
      appSecret: this.appSecret,
      redirectUris: options.redirectUris ?? [META_REDIRECT_URI],
      redirectMatch: options.redirectMatch ?? 'exact',
      permissions: [...new Set([...FACEBOOK_SCOPES, ...INSTAGRAM_SCOPES, 'public_profile'])],
      tokens: this.#userTokens,
      nowMs: () => this.#now(),
      pages: () => this.#pages.map((p) => ({ id: p.id, name: p.name, tasks: p.tasks, instagram: null })),
      pageToken: (pageId) => this.#newPageToken(pageId),
    });
  }

  consentAs(pageIds: readonly string[] | null | undefined): void {
    this.#login.consentAs(pageIds);
  }

  declinePermissions(permissions: readonly string[]): void {
    this.#login.decline(permissions);
  }

  #newPageToken(pageId: string): string {
    const token = `EAAP${randomBytes(24).toString('base64url')}`;
    this.#pageTokens.set(token, pageId);
    return token;
  }

  stop(): Promise<void> {
    return stopServer(this.server);
  }

  injectFault(fault: FacebookFault): void {
    this.#faults.push(fault);
  }

  pendingFaults(): FacebookFault[] {
    return this.#faults.pending();
  }

  feed(pageId?: string): FacebookPostView[] {
    return this.#posts.filter((p) => pageId === undefined || p.pageId === pageId).map((p) => ({ ...p })).reverse();
  }

  pages(): FacebookSimPage[] {
    return this.#pages.map((p) => ({ ...p, tasks: [...p.tasks] }));
  }

  issueUserToken() {
    return this.#userTokens.issue();
  }

  requests(): FacebookRequestRecord[] {
    return this.#requests.map((r) => ({ ...r }));
  }

  sessions() {
    return [...this.#sessions.values()].map((s) => ({ received: s.received, total: s.total, done: s.handle !== null }));
  }

  reelUploads(): ReelUploadView[] {
    return this.#reels.uploads();
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const length = Number(req.headers['content-length'] ?? 0);
    const offset = req.headers.file_offset;
    const record: FacebookRequestRecord = {
      method: req.method ?? '',
      path: url.pathname,
      endpoint: null,
      status: 0,
      bytes: Number.isSafeInteger(length) ? length : 0,
      fileOffset: typeof offset === 'string' && /^\d+$/.test(offset) ? Number(offset) : null,
    };
    this.#requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    this.#route(req, res, url, record).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) reply(res, failWith(500, 2, `Simulator fault: ${err instanceof Error ? err.message : String(err)}`, { transient: true }));
      else res.destroy();
    });
  }

  #endpoint(method: string, parts: string[]): FacebookEndpoint | null {
    const [, node = '', edge, extra] = parts;
    if (extra !== undefined) return null;
    const login = loginEndpoint(method, node, edge);
    if (login) return login;
    if (node.startsWith('upload:') && edge === undefined) return method === 'POST' ? 'transfer' : method === 'GET' ? 'offset' : null;
    if (node === this.appId && edge === 'uploads' && method === 'POST') return 'start';
    if (!this.#pages.some((p) => p.id === node)) return null;
    if (edge === undefined) return method === 'GET' ? 'page' : null;
    if (edge === 'videos') return method === 'POST' ? 'publish' : method === 'GET' ? 'videos' : null;
    if (edge === 'photos') return method === 'POST' ? 'photo' : method === 'GET' ? 'photos' : null;
    if (edge === 'feed') return method === 'POST' ? 'feed-post' : method === 'GET' ? 'feed' : null;
    return null;
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL, record: FacebookRequestRecord): Promise<void> {
    const method = req.method ?? '';
    const [version, ...rest] = url.pathname.split('/').slice(1);
    const endpoint = this.#reels.endpoint(method, url.pathname) ?? (version === GRAPH_VERSION ? this.#endpoint(method, ['', ...rest]) : null);
    record.endpoint = endpoint;
    const answer = (r: Reply) => reply(res, r);
    const early = async (r: Reply) => {
      await drain(req);
      answer(r);
    };
    if (endpoint === null) return early(failWith(400, GRAPH_CODES.invalidParameter, `Unsupported ${method} request. Object with ID '${rest[0] ?? ''}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { type: 'GraphMethodException', subcode: 33 }));
    if (isReelsEndpoint(endpoint)) return this.#reels.handle(endpoint, req, res, url, record);
    const fault = this.#faults.take((f) => f.endpoint === undefined || f.endpoint === endpoint);
    if (fault?.kind === 'drop-connection' && fault.when !== 'after-processing' && endpoint !== 'transfer') return void req.socket.destroy();
    if (fault?.kind === 'server-error') return early(failWith(fault.status ?? 500, 2, 'An unexpected error has occurred. Please retry your request later.', { transient: true }));
    if (fault?.kind === 'rate-limit') {
      const usage = JSON.stringify({ [rest[0] ?? '']: [{ type: 'pages', call_count: 100, total_cputime: 30, total_time: 40, estimated_time_to_regain_access: fault.regainMinutes ?? 0 }] });
      return early(failWith(400, 32, 'Page request limit reached', { subcode: 2446079 }, { 'X-Business-Use-Case-Usage': usage }));
    }
    const pageId = rest[0] ?? '';
    if (endpoint === 'authorize' || endpoint === 'token' || endpoint === 'accounts' || endpoint === 'permissions') {
      let body: Buffer;
      try {
        body = await readSmallBody(req);
      } catch (err) {
        if (!(err instanceof BodyTooLarge)) return void res.destroy();
        return answer(failWith(413, GRAPH_CODES.invalidParameter, 'Request body is too large.'));
      }
      const r = this.#login.handle(endpoint, url, body, req.headers.authorization);
      if (fault?.kind === 'drop-connection') return void req.socket.destroy();
      return sendLoginReply(res, r);
    }
    if (endpoint === 'transfer' || endpoint === 'offset') return this.#session(req, res, url, endpoint, pageId, fault);
    // Form and JSON bodies are small; a photo is read as a stream.
    let form: URLSearchParams | Map<string, string[]> | undefined;
    let photo: { size: number; sha256: string; contentType: string } | null = null;
    if (endpoint === 'photo') {
      const boundary = multipartBoundary(req.headers['content-type']);
      if (!boundary) return early(failWith(400, GRAPH_CODES.invalidParameter, '(#100) Use multipart/form-data with source.'));
      try {
        const parsed = await readMultipart(req as AsyncIterable<Buffer>, boundary, { maxParts: 8, maxHeaderBytes: 8 * 1024, maxFieldBytes: 256 * 1024, headBytes: 16 });
        form = parsed.fields;
        const file = parsed.files.find((f) => f.field === 'source');
        photo = file ? { size: file.size, sha256: file.sha256, contentType: file.contentType } : null;
      } catch (err) {
        if (err instanceof MultipartError) return answer(failWith(400, GRAPH_CODES.invalidParameter, `(#100) Malformed multipart body: ${err.message}`));
        return void res.destroy();
      }
    } else {
      try {
        form = new URLSearchParams((await readSmallBody(req)).toString('utf8'));
      } catch (err) {
        if (!(err instanceof BodyTooLarge)) return void res.destroy();
        return answer(failWith(413, GRAPH_CODES.invalidParameter, 'Request body is too large.'));
      }
    }
    const token = tokenOf(req, url, form);
    if (fault?.kind === 'expired-token') this.#userTokens.expire(token);
    const field = (name: string) => (form instanceof Map ? form.get(name)?.[0] : form?.get(name)) ?? url.searchParams.get(name) ?? '';
    let result: Reply;
    if (endpoint === 'page' || endpoint === 'start') {
      const refused = this.#userToken(token);
      if (refused) return answer(refused);
      result = endpoint === 'page' ? this.#page(pageId, url) : this.#start(token!, url);
    } else {
      const refused = this.#pageToken(token, pageId, fault?.kind === 'no-permission', method === 'POST');
      if (refused) return answer(refused);
      if (endpoint === 'publish') result = this.#publish(pageId, field);
      else if (endpoint === 'photo') result = this.#photo(pageId, field, photo);
      else if (endpoint === 'feed-post') result = this.#text(pageId, field);
      else result = this.#list(pageId, endpoint, url);
    }
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    if (fault?.kind === 'no-answer') return;
    answer(result);
  }

  #userToken(token: string | null): Reply | null {
    return this.#userTokens.check(token);
  }


  #pageToken(token: string | null, pageId: string, denied: boolean, posting: boolean): Reply | null {
    const page = token ? this.#pageTokens.get(token) : undefined;
    if (page === undefined) return this.#userToken(token) ?? failWith(400, 190, '(#190) This method must be called with a Page Access Token');
    const tasks = this.#pages.find((p) => p.id === pageId)?.tasks ?? [];
    if (page !== pageId || denied || (posting && !tasks.includes('CREATE_CONTENT'))) {
      return failWith(403, 200, '(#200) The user hasn\'t authorized the application to perform this action, or lacks the CREATE_CONTENT task on the Page.', { type: 'OAuthException' });
    }
    return null;
  }

  /** `GET /{page-id}?fields=access_token,tasks` with the user token. */
  #page(pageId: string, url: URL): Reply {
    const page = this.#pages.find((p) => p.id === pageId)!;
    const fields = (url.searchParams.get('fields') ?? 'name,id').split(',');
    const token = this.#newPageToken(page.id);
    return { status: 200, body: { id: page.id, ...(fields.includes('name') ? { name: page.name } : {}), ...(fields.includes('access_token') ? { access_token: token } : {}), ...(fields.includes('tasks') ? { tasks: page.tasks } : {}) } };
  }

  /** §6.2 step 1. */
  #start(userToken: string, url: URL): Reply {
    const length = Number(url.searchParams.get('file_length'));
    const type = url.searchParams.get('file_type') ?? '';
    if (!Number.isSafeInteger(length) || length < 1) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) The parameter file_length is required and must be a positive integer.');
    if (length > FACEBOOK_LIMITS.videoMaxBytes) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) file_length is over the limit.');
    if (!/^(video\/[a-z0-9.+-]+|image\/(jpeg|png)|application\/pdf)$/i.test(type)) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) file_type must be one of video/mp4, image/jpeg, image/png, application/pdf.');
    const id = randomBytes(18).toString('base64url');
    this.#sessions.set(id, { id, userToken, fileName: url.searchParams.get('file_name') ?? '', total: length, received: 0, hash: createHash('sha256'), handle: null, sha256: null, expired: false });
    return { status: 200, body: { id: `upload:${id}` } };
  }

  /** §6.2 steps 2–3: bytes at `file_offset`, or where the session stands. */
  async #session(req: IncomingMessage, res: ServerResponse, url: URL, endpoint: 'transfer' | 'offset', node: string, fault: FacebookFault | undefined): Promise<void> {
    const early = async (r: Reply) => {
      await drain(req);
      reply(res, r);
    };
    const session = this.#sessions.get(node.slice('upload:'.length));
    if (fault?.kind === 'session-expired' && session) session.expired = true;
    // "You must include the access token in the header."
    const header = /^OAuth (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    const refused = this.#userToken(header);
    if (refused) return early(refused);
    if (!session || session.expired || session.userToken !== header) return early(failWith(400, GRAPH_CODES.invalidParameter, '(#100) Invalid upload session id or the session has expired.', { subcode: 1363130 }));
    const status = (): Reply => ({ status: 200, body: session.handle ? { h: session.handle } : { id: `upload:${session.id}`, file_offset: String(session.received) } });
    if (endpoint === 'offset') {
      if (fault?.kind === 'drop-connection') return void req.socket.destroy();
      return early({ status: 200, body: { id: `upload:${session.id}`, file_offset: String(session.received) } });
    }
    if (session.handle) return early({ status: 200, body: { h: session.handle } });
    const offset = Number(req.headers.file_offset ?? NaN);
    const length = Number(req.headers['content-length'] ?? NaN);
    if (offset !== session.received) return early(failWith(400, GRAPH_CODES.invalidParameter, `(#100) file_offset ${String(req.headers.file_offset)} does not match the ${session.received} bytes received.`, { subcode: 1363037 }));
    if (!Number.isSafeInteger(length) || length < 1 || offset + length > session.total) return early(failWith(400, GRAPH_CODES.invalidParameter, '(#100) The body must carry the file from file_offset, within file_length.'));
    const drop = fault?.kind === 'drop-connection' && fault.when !== 'after-processing' ? Math.floor(length / 2) : Infinity;
    const whole = await receiveUpload(req, (piece) => {
      session.hash.update(piece);
      session.received += piece.length;
    }, drop);
    if (!whole) return;
    if (session.received === session.total) {
      session.sha256 = session.hash.digest('hex');
      session.handle = `2:${Buffer.from(`${session.id}:${session.fileName}`).toString('base64')}`;
    }
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    reply(res, status());
  }

  /** §6.2 step 4: `title`, `description`, `fbuploader_video_file_chunk`. */
  #publish(pageId: string, field: (name: string) => string): Reply {
    const handle = field('fbuploader_video_file_chunk');
    const session = [...this.#sessions.values()].find((s) => s.handle !== null && s.handle === handle);
    if (!session) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) Invalid file handle in fbuploader_video_file_chunk.', { subcode: 1363019 });
    const title = field('title');
    if (Array.from(title).length > FACEBOOK_LIMITS.titleMaxChars) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) title is too long.');
    const post = this.#add({ pageId, kind: 'video', message: field('description'), title: title || null, sizeBytes: session.total, sha256: session.sha256 });
    return { status: 200, body: { id: post.id } };
  }

  #photo(pageId: string, field: (name: string) => string, photo: { size: number; sha256: string; contentType: string } | null): Reply {
    if (!photo || photo.size === 0) return failWith(400, 324, '(#324) Requires upload file');
    if (photo.size > FACEBOOK_LIMITS.photoMaxBytes) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) The photo is too large.');
    const post = this.#add({ pageId, kind: 'photo', message: field('message'), title: null, sizeBytes: photo.size, sha256: photo.sha256 });
    return { status: 200, body: { id: post.id, post_id: `${pageId}_${post.id}` } };
  }

  #text(pageId: string, field: (name: string) => string): Reply {
    const message = field('message');
    if (!message.trim()) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) A post needs a message, a link or media.');
    if (Array.from(message).length > FACEBOOK_LIMITS.messageMaxChars) return failWith(400, GRAPH_CODES.invalidParameter, '(#100) The message is too long.');
    const post = this.#add({ pageId, kind: 'text', message, title: null, sizeBytes: 0, sha256: null });
    return { status: 200, body: { id: `${pageId}_${post.id}` } };
  }

  #add(p: Omit<FacebookPostView, 'id' | 'createdAt'>): FacebookPostView {
    const post = { ...p, id: String(1_000_000_000_000_000 + this.#posts.length * 7919 + Math.floor(Math.random() * 1000)), createdAt: this.#now() };
    this.#posts.push(post);
    return post;
  }

  /** The Page's videos, uploaded photos or feed, newest first, with `created_time` in Graph's format. */
  #list(pageId: string, endpoint: 'videos' | 'photos' | 'feed', url: URL): Reply {
    const kind = endpoint === 'videos' ? 'video' : endpoint === 'photos' ? 'photo' : null;
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 25) || 25));
    const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
    const data = this.feed(pageId)
      .filter((p) => kind === null || p.kind === kind)
      .slice(0, limit)
      .map((p) =>
        endpoint === 'videos'
          ? { id: p.id, title: p.title ?? undefined, description: p.message, created_time: time(p.createdAt) }
          : endpoint === 'photos'
            ? { id: p.id, name: p.message, created_time: time(p.createdAt) }
            : { id: `${pageId}_${p.id}`, message: p.message, created_time: time(p.createdAt) },
      );
    return { status: 200, body: { data, paging: { cursors: { before: 'QVFIUmJ', after: 'QVFIUmx' } } } };
  }
}

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startFacebookSimulator(options: FacebookSimulatorOptions = {}): Promise<FacebookSimulator> {
  const sim = new Simulation(options);
  sim.origin = await listenOnLoopback(sim.server, options.port);
  return sim;
}
