// A protocol-faithful LinkedIn Marketing API on 127.0.0.1 for tests and the training demo
// (../shared/platform-apis.md §7): native-app OAuth with PKCE, the `LinkedIn-Version` and
// `X-Restli-Protocol-Version` headers on every REST call (a missing or sunset version refused),
// the Videos API (initializeUpload → part URLs of 4 MiB → ETags → finalizeUpload → status until
// AVAILABLE), the Images API, the Posts API (201 with the id in `x-restli-id`, and the author
// finder), the organisations a member administers (organizationAcls' roleAssignee finder, the
// organization lookup), LinkedIn's `{status, code, message}` errors with 401/403/422/429, and
// faults on demand. Part bytes are hashed as they arrive and never held. Never a real host.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Clock } from '../../services/core.ts';
import { BodyTooLarge, drain, readSmallBody } from '../simulator-body.ts';
import { PkceOAuth, type OAuthAccess, type PkceTokenResponse } from '../simulator-pkce-oauth.ts';
import { FaultQueue, jsonObject, listenOnLoopback, stopServer } from '../simulator-server.ts';
import { LINKEDIN_CONNECT_SCOPES, LINKEDIN_LIMITS, LINKEDIN_PATHS, LINKEDIN_RESTLI_VERSION, LINKEDIN_SCOPES, LINKEDIN_VERSION_MONTHS, linkedInError, unescapeLittleText } from './protocol.ts';

export type LinkedInEndpoint = 'authorize' | 'token' | 'initialize' | 'part' | 'finalize' | 'video' | 'image-initialize' | 'image-part' | 'image' | 'post' | 'find' | 'acls' | 'organization';

/**
 * Faults on demand, consumed in the order injected. `drop-connection` on a part closes the
 * socket halfway through its body (the part is not kept), or with `after-processing` once the
 * request took effect, before the answer goes. `processing-failed` on finalize makes the video
 * end in PROCESSING_FAILED.
 */
export type LinkedInFault = { endpoint?: LinkedInEndpoint; times?: number; partIndex?: number } & (
  | { kind: 'drop-connection'; when?: 'mid-request' | 'after-processing' }
  /** The request takes effect and no answer ever comes (until the client gives up or the simulator stops). */
  | { kind: 'no-answer' }
  | { kind: 'server-error'; status?: number }
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  | { kind: 'expired-token' }
  | { kind: 'not-admin' }
  | { kind: 'processing-failed' }
  | { kind: 'upload-expired' }
);

export interface LinkedInSimOrganization {
  /** urn:li:organization:… */
  urn: string;
  name: string;
  /** The organisation's public page name (linkedin.com/company/<vanityName>). */
  vanityName?: string;
  /** Members (their person ids) who may post as the organisation. */
  admins: string[];
}

export interface LinkedInSimulatorOptions {
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clock?: Clock;
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  organizations?: Partial<LinkedInSimOrganization>[];
  /** §7.1: 60 days. */
  accessSeconds?: number;
  /** §7.1: refresh tokens only for approved partners. Default false. */
  refreshTokens?: boolean;
  /** Bytes per upload part (§7.2: 4 MiB). */
  partBytes?: number;
  /** Status reads that still say PROCESSING after finalize. Default 1. */
  processingPolls?: number;
  /** Posts a member may create a day before 429. Default 150. */
  postsPerDay?: number;
  faults?: LinkedInFault[];
}

export interface LinkedInPostView {
  /** urn:li:share:… */
  id: string;
  author: string;
  /** As sent, in the little-text format. */
  commentary: string;
  /** As readers see it. */
  text: string;
  mediaId: string | null;
  mediaTitle: string | null;
  altText: string | null;
  visibility: string;
  lifecycleState: string;
  createdAt: number;
}

export interface LinkedInMediaView {
  urn: string;
  owner: string;
  status: string;
  sizeBytes: number;
  /** Of the whole file, when its parts arrived in order; else null. */
  sha256: string | null;
}

export interface LinkedInRequestRecord {
  method: string;
  /** Path only; the upload URLs' signatures are never recorded. */
  path: string;
  endpoint: LinkedInEndpoint | null;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** The request's Content-Length as sent. */
  bytes: number;
  version: string | null;
}

export interface LinkedInPartRecord {
  video: string;
  index: number;
  bytes: number;
  /** False when the connection dropped partway. */
  whole: boolean;
}

export interface LinkedInSimulator {
  readonly origin: string;
  readonly clientId: string;
  readonly clientSecret: string;
  stop(): Promise<void>;
  injectFault(fault: LinkedInFault): void;
  pendingFaults(): LinkedInFault[];
  /** Posts, newest first. */
  feed(author?: string): LinkedInPostView[];
  videos(): LinkedInMediaView[];
  images(): LinkedInMediaView[];
  organizations(): LinkedInSimOrganization[];
  /** The member signed in to the simulated browser (consents at authorize). */
  member(): string;
  /**
   * Who consents at the next sign-ins: the member, administering exactly the organisations named
   * (undefined leaves the roles as they are), or null for a member who declines.
   */
  consentAs(administered: readonly string[] | null | undefined): void;
  /** Tokens without the browser step, for tests and the demo's pre-connected account. */
  issueTokens(scopes?: readonly string[]): PkceTokenResponse;
  requests(): LinkedInRequestRecord[];
  parts(): LinkedInPartRecord[];
}

interface Part {
  first: number;
  last: number;
  etag: string | null;
}

interface Upload {
  kind: 'video' | 'image';
  urn: string;
  owner: string;
  total: number;
  /** The upload URL's signature and, for videos, the finalize token. */
  signature: string;
  uploadToken: string;
  parts: Part[];
  /** Parts hashed in order so far; the hash of those parts. */
  hashedParts: number;
  hash: Hash;
  inOrder: boolean;
  sha256: string | null;
  status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE' | 'PROCESSING_FAILED';
  pollsLeft: number;
  failProcessing: boolean;
  expired: boolean;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

const systemClock: Clock = { now: () => new Date() };

const fail = (status: number, code: string | undefined, message: string, serviceErrorCode?: number, headers?: Record<string, string>): Reply => ({
  status,
  body: linkedInError(status, code, message, serviceErrorCode),
  ...(headers ? { headers } : {}),
});

function reply(res: ServerResponse, r: Reply): void {
  const text = r.body === null ? '' : JSON.stringify(r.body);
  res.writeHead(r.status, { ...(text ? { 'Content-Type': 'application/json' } : {}), 'Content-Length': String(Buffer.byteLength(text)), ...r.headers });
  res.end(text);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const digits = (n: number) => String(10 ** (n - 1) + (randomBytes(4).readUInt32BE(0) % (9 * 10 ** (n - 1))));

class Simulation implements LinkedInSimulator {
  origin = '';
  readonly clientId: string;
  readonly clientSecret: string;
  readonly server = createServer((req, res) => this.#serve(req, res));
  readonly #clock: Clock;
  readonly #oauth: PkceOAuth;
  readonly #member: string;
  readonly #orgs: LinkedInSimOrganization[];
  readonly #faults = new FaultQueue<LinkedInFault>();
  readonly #uploads = new Map<string, Upload>();
  readonly #posts: LinkedInPostView[] = [];
  readonly #requests: LinkedInRequestRecord[] = [];
  readonly #parts: LinkedInPartRecord[] = [];
  readonly #partBytes: number;
  readonly #processingPolls: number;
  readonly #postsPerDay: number;
  readonly #refreshTokens: boolean;
  #declines = false;

  constructor(options: LinkedInSimulatorOptions) {
    this.#clock = options.clock ?? systemClock;
    this.clientId = options.clientId ?? '86airlockclient';
    this.clientSecret = options.clientSecret ?? 'WPL_AP1.simulator-secret';
    this.#member = randomBytes(6).toString('base64url');
    const seeds = options.organizations?.length ? options.organizations : [{}];
    this.#orgs = seeds.map((o, i) => ({ urn: o.urn ?? `urn:li:organization:${digits(8)}`, name: o.name ?? (i === 0 ? 'City Council' : `Organisation ${i + 1}`), ...(o.vanityName ? { vanityName: o.vanityName } : {}), admins: o.admins ?? [this.#member] }));
    this.#partBytes = options.partBytes ?? LINKEDIN_LIMITS.partBytes;
    this.#processingPolls = options.processingPolls ?? 1;
    this.#postsPerDay = options.postsPerDay ?? 150;
    for (const fault of options.faults ?? []) this.injectFault(fault);
    const refresh = options.refreshTokens === true;
    this.#refreshTokens = refresh;
    this.#oauth = new PkceOAuth({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      redirectUris: options.redirectUris ?? ['http://127.0.0.1'],
      // §7.1: native apps use loopback redirects on any port.
      redirectMatch: 'loopback-any-port',
      scopes: LINKEDIN_CONNECT_SCOPES,
      codeSeconds: 30 * 60,
      accessSeconds: options.accessSeconds ?? 60 * 24 * 60 * 60,
      // §7.1: 365 days from the first grant, for approved partners only.
      refreshSeconds: 365 * 24 * 60 * 60,
      rotateRefresh: false,
      offline: () => refresh,
      nowMs: () => this.#now(),
      signedInUser: () => (this.#declines ? undefined : this.#member),
      knownUser: (id) => id === this.#member,
    });
  }

  stop(): Promise<void> {
    return stopServer(this.server);
  }

  injectFault(fault: LinkedInFault): void {
    this.#faults.push(fault);
  }

  pendingFaults(): LinkedInFault[] {
    return this.#faults.pending();
  }

  feed(author?: string): LinkedInPostView[] {
    return this.#posts.filter((p) => author === undefined || p.author === author).map((p) => ({ ...p })).reverse();
  }

  #media(kind: Upload['kind']): LinkedInMediaView[] {
    return [...this.#uploads.values()].filter((u) => u.kind === kind).map((u) => ({ urn: u.urn, owner: u.owner, status: u.status, sizeBytes: u.total, sha256: u.sha256 }));
  }

  videos(): LinkedInMediaView[] {
    return this.#media('video');
  }

  images(): LinkedInMediaView[] {
    return this.#media('image');
  }

  organizations(): LinkedInSimOrganization[] {
    return this.#orgs.map((o) => ({ ...o, admins: [...o.admins] }));
  }

  member(): string {
    return this.#member;
  }

  consentAs(administered: readonly string[] | null | undefined): void {
    this.#declines = administered === null;
    if (!administered) return;
    for (const org of this.#orgs) {
      org.admins = org.admins.filter((m) => m !== this.#member);
      if (administered.includes(org.urn)) org.admins.push(this.#member);
    }
  }

  issueTokens(scopes: readonly string[] = LINKEDIN_SCOPES): PkceTokenResponse {
    const { refresh_token: refresh, ...tokens } = this.#oauth.issueForTest(this.#member, scopes);
    return this.#refreshTokens && refresh ? { ...tokens, refresh_token: refresh } : tokens;
  }

  requests(): LinkedInRequestRecord[] {
    return this.#requests.map((r) => ({ ...r }));
  }

  parts(): LinkedInPartRecord[] {
    return this.#parts.map((p) => ({ ...p }));
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #takeFault(endpoint: LinkedInEndpoint, partIndex?: number): LinkedInFault | undefined {
    const oauth = endpoint === 'authorize' || endpoint === 'token';
    return this.#faults.take(
      (f) => (f.endpoint === undefined || f.endpoint === endpoint) && (f.partIndex === undefined || f.partIndex === partIndex) && !(oauth && f.kind !== 'drop-connection' && f.kind !== 'server-error'),
    );
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const length = Number(req.headers['content-length'] ?? 0);
    const version = req.headers['linkedin-version'];
    const record: LinkedInRequestRecord = { method: req.method ?? '', path: url.pathname, endpoint: null, status: 0, bytes: Number.isSafeInteger(length) ? length : 0, version: typeof version === 'string' ? version : null };
    this.#requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    this.#route(req, res, url, record).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) reply(res, fail(500, 'INTERNAL_SERVER_ERROR', `Simulator fault: ${err instanceof Error ? err.message : String(err)}`));
      else res.destroy();
    });
  }

  #endpoint(method: string, url: URL): LinkedInEndpoint | null {
    const path = url.pathname;
    const action = url.searchParams.get('action');
    if (path === LINKEDIN_PATHS.authorize && method === 'GET') return 'authorize';
    if (path === LINKEDIN_PATHS.token && method === 'POST') return 'token';
    if (path.startsWith(LINKEDIN_PATHS.uploads) && method === 'PUT') return this.#uploads.get(path.split('/')[2] ?? '')?.kind === 'image' ? 'image-part' : 'part';
    if (path === LINKEDIN_PATHS.videos && method === 'POST') return action === 'initializeUpload' ? 'initialize' : action === 'finalizeUpload' ? 'finalize' : null;
    if (path === LINKEDIN_PATHS.images && method === 'POST') return action === 'initializeUpload' ? 'image-initialize' : null;
    if (path.startsWith(`${LINKEDIN_PATHS.videos}/`) && method === 'GET') return 'video';
    if (path.startsWith(`${LINKEDIN_PATHS.images}/`) && method === 'GET') return 'image';
    if (path === LINKEDIN_PATHS.posts) return method === 'POST' ? 'post' : method === 'GET' ? 'find' : null;
    if (path === LINKEDIN_PATHS.organizationAcls && method === 'GET') return 'acls';
    if (path.startsWith('/rest/organizations/') && method === 'GET') return 'organization';
    return null;
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL, record: LinkedInRequestRecord): Promise<void> {
    const method = req.method ?? '';
    const endpoint = this.#endpoint(method, url);
    record.endpoint = endpoint;
    const answer = (r: Reply) => reply(res, r);
    if (endpoint === null) {
      await drain(req);
      return answer(fail(404, 'NOT_FOUND', `No virtual resource found for ${method} ${url.pathname}.`));
    }
    if (endpoint === 'part' || endpoint === 'image-part') return this.#putPart(req, res, url, endpoint);
    const fault = this.#takeFault(endpoint);
    if (fault?.kind === 'drop-connection' && fault.when !== 'after-processing') return void req.socket.destroy();
    let body: Buffer;
    try {
      body = await readSmallBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) return void res.destroy();
      return answer(fail(413, 'REQUEST_TOO_LARGE', 'Request body is too large.'));
    }
    if (endpoint === 'authorize') {
      const r = this.#oauth.authorize(url.searchParams);
      if (r.kind === 'redirect') {
        res.writeHead(302, { Location: r.location, 'Content-Length': '0' });
        return void res.end();
      }
      res.writeHead(r.status, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end(r.text);
    }
    if (fault?.kind === 'server-error') return answer(fail(fault.status ?? 503, undefined, 'Service Unavailable'));
    if (endpoint === 'token') {
      const r = this.#oauth.token(new URLSearchParams(body.toString('utf8')), req.headers.authorization);
      // §7.1: a partner's refresh token comes with its lifetime (365 days from the first grant).
      const tokens = r.body as Record<string, unknown>;
      const withLifetime = typeof tokens.refresh_token === 'string' ? { ...tokens, refresh_token_expires_in: 365 * 24 * 60 * 60 } : tokens;
      return answer({ status: r.status, body: withLifetime });
    }
    if (fault?.kind === 'rate-limit') {
      return answer(fail(429, 'TOO_MANY_REQUESTS', 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.', undefined, fault.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(fault.retryAfterSeconds) }));
    }
    const refused = this.#checkVersion(req);
    if (refused) return answer(refused);
    if (fault?.kind === 'expired-token') this.#oauth.expireAccessToken(req.headers.authorization);
    const access = this.#oauth.authenticate(req.headers.authorization);
    if (!access) return answer(fail(401, 'INVALID_ACCESS_TOKEN', 'Invalid access token', 65600));
    const json = method === 'POST' ? jsonObject(body) : {};
    if (!json) return answer(fail(400, 'ILLEGAL_ARGUMENT', 'Request body is not valid JSON.'));
    const notAdmin = fault?.kind === 'not-admin';
    const result = (() => {
      switch (endpoint) {
        case 'initialize':
        case 'image-initialize':
          return this.#initialize(access, json, endpoint === 'initialize' ? 'video' : 'image', notAdmin);
        case 'finalize':
          return this.#finalize(access, json, fault?.kind === 'processing-failed');
        case 'video':
        case 'image':
          return this.#status(access, decodeURIComponent(url.pathname.split('/')[3] ?? ''));
        case 'post':
          return this.#post(access, json, notAdmin);
        case 'find':
          return this.#find(access, url, notAdmin);
        case 'acls':
          return this.#acls(access, url);
        case 'organization':
          return this.#organization(access, decodeURIComponent(url.pathname.split('/')[3] ?? ''));
      }
    })();
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    if (fault?.kind === 'no-answer') return;
    answer(result);
  }

  /** §7.1: `LinkedIn-Version: YYYYMM` (or YYYYMMDD) of the last year, and Rest.li 2.0.0. */
  #checkVersion(req: IncomingMessage): Reply | null {
    const version = req.headers['linkedin-version'];
    if (typeof version !== 'string' || !version) return fail(400, 'VERSION_MISSING', 'A version must be present. Please specify a version by adding the LinkedIn-Version header.');
    const m = /^(\d{4})(\d{2})(\d{2})?$/.exec(version);
    const now = this.#clock.now();
    const months = m ? (now.getUTCFullYear() - Number(m[1])) * 12 + (now.getUTCMonth() + 1 - Number(m[2])) : -1;
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || months < 0 || months >= LINKEDIN_VERSION_MONTHS) return fail(426, 'NONEXISTENT_VERSION', `Requested version ${version} is not active`);
    if (req.headers['x-restli-protocol-version'] !== LINKEDIN_RESTLI_VERSION) return fail(400, 'ILLEGAL_ARGUMENT', 'X-Restli-Protocol-Version 2.0.0 is required.');
    return null;
  }

  #has(access: OAuthAccess, scope: string): boolean {
    return access.grant.scopes.includes(scope);
  }

  /** The member may act for `owner`: an organisation they administer. */
  #mayActFor(access: OAuthAccess, owner: unknown, notAdmin: boolean): Reply | null {
    if (!this.#has(access, LINKEDIN_SCOPES[0])) return fail(403, 'ACCESS_DENIED', 'Not enough permissions to access: w_organization_social', 100);
    const org = this.#orgs.find((o) => o.urn === owner);
    if (typeof owner !== 'string' || !/^urn:li:(organization|person):/.test(owner)) return fail(422, 'UNPROCESSABLE_ENTITY', 'owner/author must be a person or organization URN.');
    if (notAdmin || !org || !org.admins.includes(access.grant.userId)) return fail(403, 'ACCESS_DENIED', `Member is not an administrator of ${owner}.`, 100);
    return null;
  }

  /** §7.2 step 1 (and the Images API): the URN, the upload URLs, and a token for finalize. */
  #initialize(access: OAuthAccess, json: Record<string, unknown>, kind: Upload['kind'], notAdmin: boolean): Reply {
    const request = isRecord(json.initializeUploadRequest) ? json.initializeUploadRequest : null;
    if (!request) return fail(422, 'UNPROCESSABLE_ENTITY', 'initializeUploadRequest is required.');
    const refused = this.#mayActFor(access, request.owner, notAdmin);
    if (refused) return refused;
    const owner = request.owner as string;
    const id = `D${randomBytes(9).toString('base64url')}`;
    const signature = randomBytes(12).toString('base64url');
    const base = `${this.origin}${LINKEDIN_PATHS.uploads}${id}`;
    if (kind === 'image') {
      const urn = `urn:li:image:${id}`;
      this.#uploads.set(id, this.#upload('image', urn, owner, 0, signature, []));
      return { status: 200, body: { value: { uploadUrlExpiresAt: this.#now() + 24 * 60 * 60_000, uploadUrl: `${base}/0?ut=${signature}`, image: urn } } };
    }
    const total = request.fileSizeBytes;
    if (!Number.isSafeInteger(total) || (total as number) < 1) return fail(422, 'UNPROCESSABLE_ENTITY', 'fileSizeBytes must be a positive integer.');
    if ((total as number) > LINKEDIN_LIMITS.videoMaxBytes) return fail(422, 'UNPROCESSABLE_ENTITY', `fileSizeBytes exceeds the maximum of ${LINKEDIN_LIMITS.videoMaxBytes}.`);
    const parts: Part[] = [];
    for (let first = 0; first < (total as number); first += this.#partBytes) parts.push({ first, last: Math.min(total as number, first + this.#partBytes) - 1, etag: null });
    const urn = `urn:li:video:${id}`;
    const upload = this.#upload('video', urn, owner, total as number, signature, parts);
    this.#uploads.set(id, upload);
    return {
      status: 200,
      body: {
        value: {
          uploadUrlsExpireAt: this.#now() + 24 * 60 * 60_000,
          video: urn,
          uploadToken: upload.uploadToken,
          uploadInstructions: parts.map((p, i) => ({ uploadUrl: `${base}/${i}?ut=${signature}`, firstByte: p.first, lastByte: p.last })),
        },
      },
    };
  }

  #upload(kind: Upload['kind'], urn: string, owner: string, total: number, signature: string, parts: Part[]): Upload {
    return { kind, urn, owner, total, signature, uploadToken: kind === 'video' ? randomBytes(8).toString('hex') : '', parts, hashedParts: 0, hash: createHash('sha256'), inOrder: true, sha256: null, status: 'WAITING_UPLOAD', pollsLeft: this.#processingPolls, failProcessing: false, expired: false };
  }

  /** §7.2 step 2: one part's exact bytes, answered with its ETag. */
  async #putPart(req: IncomingMessage, res: ServerResponse, url: URL, endpoint: 'part' | 'image-part'): Promise<void> {
    const early = async (r: Reply) => {
      await drain(req);
      reply(res, r);
    };
    const [, , id = '', indexText = ''] = url.pathname.split('/');
    const upload = this.#uploads.get(id);
    const index = Number(indexText);
    const fault = this.#takeFault(endpoint, index);
    if (fault?.kind === 'upload-expired' && upload) upload.expired = true;
    if (!upload || upload.expired || url.searchParams.get('ut') !== upload.signature) return early(fail(404, 'NOT_FOUND', 'The upload URL is not valid or has expired.'));
    if (fault?.kind === 'server-error') return early(fail(fault.status ?? 503, undefined, 'Service Unavailable'));
    if (fault?.kind === 'rate-limit') return early(fail(429, 'TOO_MANY_REQUESTS', 'Too many requests.', undefined, fault.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(fault.retryAfterSeconds) }));
    const length = Number(req.headers['content-length'] ?? NaN);
    let part: Part | undefined;
    if (upload.kind === 'image') {
      if (!Number.isSafeInteger(length) || length < 1 || length > LINKEDIN_LIMITS.imageMaxBytes) return early(fail(400, 'ILLEGAL_ARGUMENT', `Images may have at most ${LINKEDIN_LIMITS.imageMaxBytes} bytes.`));
      part = { first: 0, last: length - 1, etag: null };
    } else {
      part = upload.parts[index];
      if (!part || upload.status !== 'WAITING_UPLOAD') return early(fail(400, 'ILLEGAL_ARGUMENT', 'No such part, or the upload is already finalized.'));
      if (length !== part.last - part.first + 1) return early(fail(400, 'ILLEGAL_ARGUMENT', `The part must carry exactly bytes ${part.first}-${part.last}.`));
    }
    const size = part.last - part.first + 1;
    const drop = fault?.kind === 'drop-connection' && fault.when !== 'after-processing' ? Math.floor(size / 2) : Infinity;
    // The running hash of the whole file goes on only while parts come in order.
    const next = upload.kind === 'image' || index === upload.hashedParts;
    const hash = next ? upload.hash.copy() : null;
    let seen = 0;
    for await (const piece of req as AsyncIterable<Buffer>) {
      if (seen + piece.length > drop) {
        this.#parts.push({ video: upload.urn, index, bytes: drop, whole: false });
        return void req.socket.destroy();
      }
      seen += piece.length;
      hash?.update(piece);
    }
    if (seen !== size) {
      this.#parts.push({ video: upload.urn, index, bytes: seen, whole: false });
      return;
    }
    this.#parts.push({ video: upload.urn, index, bytes: size, whole: true });
    if (hash) {
      upload.hash = hash;
      upload.hashedParts++;
    } else if (index > upload.hashedParts) {
      upload.inOrder = false;
    }
    if (upload.kind === 'image') {
      upload.total = size;
      upload.sha256 = upload.hash.digest('hex');
      upload.status = 'AVAILABLE';
      if (fault?.kind === 'drop-connection') return void req.socket.destroy();
      return reply(res, { status: 201, body: null });
    }
    part.etag = randomBytes(10).toString('base64url');
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    reply(res, { status: 200, body: null, headers: { ETag: `"${part.etag}"` } });
  }

  /** §7.2 step 3: every part's ETag, in the order of the instructions. */
  #finalize(access: OAuthAccess, json: Record<string, unknown>, failProcessing: boolean): Reply {
    const request = isRecord(json.finalizeUploadRequest) ? json.finalizeUploadRequest : null;
    const urn = typeof request?.video === 'string' ? request.video : '';
    const upload = this.#uploads.get(urn.replace(/^urn:li:video:/, ''));
    if (!request || !upload || upload.kind !== 'video') return fail(404, 'NOT_FOUND', `Video ${urn} was not found.`);
    const refused = this.#mayActFor(access, upload.owner, false);
    if (refused) return refused;
    if (request.uploadToken !== upload.uploadToken) return fail(400, 'ILLEGAL_ARGUMENT', 'uploadToken does not match the upload.');
    if (upload.status !== 'WAITING_UPLOAD') return { status: 200, body: null };
    const ids = Array.isArray(request.uploadedPartIds) ? request.uploadedPartIds : [];
    const expected = upload.parts.map((p) => p.etag);
    if (ids.length !== expected.length || ids.some((id, i) => id !== expected[i])) return fail(400, 'ILLEGAL_ARGUMENT', 'uploadedPartIds do not match the uploaded parts, or are out of order.');
    upload.sha256 = upload.inOrder && upload.hashedParts === upload.parts.length ? upload.hash.digest('hex') : null;
    upload.status = 'PROCESSING';
    upload.failProcessing = failProcessing;
    return { status: 200, body: null };
  }

  /** GET /rest/videos/{urn} or /rest/images/{urn}. */
  #status(access: OAuthAccess, urn: string): Reply {
    const upload = this.#uploads.get(urn.replace(/^urn:li:(video|image):/, ''));
    if (!upload || upload.urn !== urn) return fail(404, 'NOT_FOUND', `${urn} was not found.`);
    const refused = this.#mayActFor(access, upload.owner, false);
    if (refused) return refused;
    if (upload.status === 'PROCESSING') {
      if (upload.pollsLeft > 0) upload.pollsLeft--;
      else upload.status = upload.failProcessing ? 'PROCESSING_FAILED' : 'AVAILABLE';
    }
    const body: Record<string, unknown> = { owner: upload.owner, id: upload.urn, status: upload.status };
    if (upload.kind === 'video') Object.assign(body, { fileSizeBytes: upload.total, ...(upload.status === 'PROCESSING_FAILED' ? { processingFailureReason: 'Video could not be processed.' } : {}) });
    return { status: 200, body };
  }

  /** §7.3: 201, no body, the post's URN in `x-restli-id`. */
  #post(access: OAuthAccess, json: Record<string, unknown>, notAdmin: boolean): Reply {
    const refused = this.#mayActFor(access, json.author, notAdmin);
    if (refused) return refused;
    const author = json.author as string;
    const commentary = typeof json.commentary === 'string' ? json.commentary : '';
    const text = unescapeLittleText(commentary);
    if (Array.from(text).length > LINKEDIN_LIMITS.commentaryMaxChars) return fail(400, 'FIELD_LENGTH_TOO_LONG', `commentary exceeds the maximum length of ${LINKEDIN_LIMITS.commentaryMaxChars}.`);
    const distribution = isRecord(json.distribution) ? json.distribution : null;
    if (json.visibility !== 'PUBLIC' && json.visibility !== 'LOGGED_IN') return fail(422, 'UNPROCESSABLE_ENTITY', 'visibility must be PUBLIC or LOGGED_IN.');
    if (!distribution || distribution.feedDistribution !== 'MAIN_FEED') return fail(422, 'UNPROCESSABLE_ENTITY', 'distribution.feedDistribution must be MAIN_FEED.');
    if (json.lifecycleState !== 'PUBLISHED') return fail(422, 'UNPROCESSABLE_ENTITY', 'lifecycleState must be PUBLISHED.');
    const media = isRecord(json.content) && isRecord(json.content.media) ? json.content.media : null;
    if (!media && !text.trim()) return fail(422, 'UNPROCESSABLE_ENTITY', 'A post needs commentary or content.');
    let mediaId: string | null = null;
    if (media) {
      mediaId = typeof media.id === 'string' ? media.id : '';
      const upload = this.#uploads.get(mediaId.replace(/^urn:li:(video|image):/, ''));
      if (!upload || upload.urn !== mediaId || upload.owner !== author) return fail(422, 'UNPROCESSABLE_ENTITY', `Media ${mediaId} was not found for ${author}.`);
      // One client reports a post accepted while the video still processes (§7.2 step 4).
      if (upload.status !== 'AVAILABLE' && upload.status !== 'PROCESSING') return fail(422, 'UNPROCESSABLE_ENTITY', `Media ${mediaId} is ${upload.status}.`);
    }
    const day = this.#posts.filter((p) => p.createdAt > this.#now() - 24 * 60 * 60_000);
    if (day.length >= this.#postsPerDay) return fail(429, 'TOO_MANY_REQUESTS', 'Resource level throttle MEMBER DAY limit for calls to this resource is reached.');
    const post: LinkedInPostView = {
      id: `urn:li:share:${digits(19)}`,
      author,
      commentary,
      text,
      mediaId,
      mediaTitle: typeof media?.title === 'string' ? media.title : null,
      altText: typeof media?.altText === 'string' ? media.altText : null,
      visibility: json.visibility,
      lifecycleState: 'PUBLISHED',
      createdAt: this.#now(),
    };
    this.#posts.push(post);
    return { status: 201, body: null, headers: { 'x-restli-id': post.id, 'x-linkedin-id': post.id } };
  }

  /**
   * GET /rest/organizationAcls?q=roleAssignee[&role=…][&state=…][&start&count]: the signed-in
   * member's roles, needing r_organization_admin or rw_organization_admin.
   */
  #acls(access: OAuthAccess, url: URL): Reply {
    if (url.searchParams.get('q') !== 'roleAssignee') return fail(400, 'ILLEGAL_ARGUMENT', 'Unsupported finder; use q=roleAssignee or q=organization.');
    if (!this.#has(access, 'r_organization_admin') && !this.#has(access, 'rw_organization_admin')) return fail(403, 'ACCESS_DENIED', 'Not enough permissions to access: organizationAcls.FINDER-roleAssignee', 100);
    const role = url.searchParams.get('role');
    const state = url.searchParams.get('state');
    const count = Math.min(100, Math.max(1, Number(url.searchParams.get('count') ?? 10) || 10));
    const start = Math.max(0, Number(url.searchParams.get('start') ?? 0) || 0);
    const all = this.#orgs
      .filter((o) => o.admins.includes(access.grant.userId))
      .map((o) => ({ roleAssignee: `urn:li:person:${access.grant.userId}`, role: 'ADMINISTRATOR', state: 'APPROVED', organization: o.urn }))
      .filter((e) => (role === null || e.role === role) && (state === null || e.state === state));
    return { status: 200, body: { paging: { start, count, total: all.length, links: [] }, elements: all.slice(start, start + count) } };
  }

  /** GET /rest/organizations/{id}: an organisation's names. */
  #organization(access: OAuthAccess, id: string): Reply {
    const org = this.#orgs.find((o) => o.urn === `urn:li:organization:${id}`);
    if (!org) return fail(404, 'NOT_FOUND', `Organization ${id} not found.`);
    if (!org.admins.includes(access.grant.userId)) return fail(403, 'ACCESS_DENIED', `Member is not an administrator of ${org.urn}.`, 100);
    return { status: 200, body: { id: Number(id), localizedName: org.name, ...(org.vanityName ? { vanityName: org.vanityName } : {}), name: { localized: { en_US: org.name }, preferredLocale: { country: 'US', language: 'en' } } } };
  }

  /** GET /rest/posts?q=author&author=…&count=…&sortBy=LAST_MODIFIED: newest first. */
  #find(access: OAuthAccess, url: URL, notAdmin: boolean): Reply {
    if (url.searchParams.get('q') !== 'author') return fail(400, 'ILLEGAL_ARGUMENT', 'Unsupported finder; use q=author.');
    const author = url.searchParams.get('author') ?? '';
    if (!this.#has(access, LINKEDIN_SCOPES[1])) return fail(403, 'ACCESS_DENIED', 'Not enough permissions to access: r_organization_social', 100);
    const org = this.#orgs.find((o) => o.urn === author);
    if (notAdmin || !org || !org.admins.includes(access.grant.userId)) return fail(403, 'ACCESS_DENIED', `Member is not an administrator of ${author}.`, 100);
    const count = Math.min(100, Math.max(1, Number(url.searchParams.get('count') ?? 10) || 10));
    const start = Math.max(0, Number(url.searchParams.get('start') ?? 0) || 0);
    const all = this.feed(author);
    const elements = all.slice(start, start + count).map((p) => ({
      id: p.id,
      author: p.author,
      commentary: p.commentary,
      visibility: p.visibility,
      lifecycleState: p.lifecycleState,
      createdAt: p.createdAt,
      lastModifiedAt: p.createdAt,
      publishedAt: p.createdAt,
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      ...(p.mediaId ? { content: { media: { id: p.mediaId, ...(p.mediaTitle ? { title: p.mediaTitle } : {}) } } } : {}),
    }));
    return { status: 200, body: { paging: { start, count, total: all.length, links: [] }, elements } };
  }
}

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startLinkedInSimulator(options: LinkedInSimulatorOptions = {}): Promise<LinkedInSimulator> {
  const sim = new Simulation(options);
  sim.origin = await listenOnLoopback(sim.server, options.port);
  return sim;
}
