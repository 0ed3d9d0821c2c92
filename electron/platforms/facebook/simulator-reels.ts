// Facebook Page Reels in the Graph simulator (../shared/platform-apis.md §6.3): `video_reels` with
// `upload_phase=start` (a video id and its rupload URL, with the Page token), the bytes POSTed to
// rupload with `offset` and `file_size` headers and `Authorization: OAuth`, `upload_phase=finish`
// with `video_state` and the description, and `GET /{video_id}?fields=status` with its upload,
// processing and publishing phases. The Page's limit of 30 published Reels in a moving 24 hours
// is enforced at finish. Bytes are hashed as they arrive and never held.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, drain, readSmallBody, receiveUpload } from '../simulator-body.ts';
import { FACEBOOK_LIMITS, GRAPH_CODES, GRAPH_VERSION, graphError } from './protocol.ts';
import { REELS_LIMITS, type ReelStatus } from './reels-protocol.ts';
import type { FacebookFault, FacebookPostView } from './simulator.ts';

export type ReelsEndpoint = 'reel-start' | 'reel-finish' | 'reel-upload' | 'reel-status';

const REELS_ENDPOINTS: ReadonlySet<string> = new Set<ReelsEndpoint>(['reel-start', 'reel-finish', 'reel-upload', 'reel-status']);

export function isReelsEndpoint(endpoint: string): endpoint is ReelsEndpoint {
  return REELS_ENDPOINTS.has(endpoint);
}

/** What the Reels endpoints need from the rest of the simulator. */
export interface ReelsHost {
  origin(): string;
  now(): number;
  isPage(id: string): boolean;
  /** null when `token` is this Page's token and may post (`denied` forces the refusal); else Graph's answer. */
  checkPageToken(token: string | null, pageId: string, denied: boolean): { status: number; body: unknown } | null;
  /** Puts a post on the Page's feed, under the given id (a Reel's post id is its video id). */
  addPost(post: Omit<FacebookPostView, 'id' | 'createdAt'> & { id: string }): FacebookPostView;
  /** The next injected fault for this endpoint, if any. */
  takeFault(endpoint: ReelsEndpoint): FacebookFault | undefined;
}

export interface ReelsOptions {
  /** Status reads a published Reel stays processing before its publishing is complete. Default 1. */
  processingPolls?: number;
}

export interface ReelUploadView {
  videoId: string;
  pageId: string;
  received: number;
  total: number | null;
  finished: boolean;
}

interface Reel {
  id: string;
  pageId: string;
  /** From the first rupload request's `file_size`; every later one must say the same. */
  total: number | null;
  received: number;
  hash: Hash;
  sha256: string | null;
  finished: { state: 'PUBLISHED' | 'DRAFT'; description: string; at: number } | null;
  polls: number;
  post: FacebookPostView | null;
  expired: boolean;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

const fail = (status: number, code: number, message: string, o: Parameters<typeof graphError>[2] = {}, headers?: Record<string, string>): Reply => ({
  status,
  body: graphError(code, message, { trace: randomBytes(8).toString('base64url'), ...o }),
  ...(headers ? { headers } : {}),
});

/** rupload answers in its own shape (§6.4 [S]): `debug_info` with whether a retry can help. */
const ruploadFail = (status: number, type: string, message: string, retriable: boolean): Reply => ({ status, body: { debug_info: { retriable, type, message } } });

function send(res: ServerResponse, r: Reply): void {
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': String(Buffer.byteLength(text)), ...r.headers });
  res.end(text);
}

const bearerOf = (req: IncomingMessage) => /^(?:OAuth|Bearer) (\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;

export class ReelsSimulation {
  readonly #host: ReelsHost;
  readonly #processingPolls: number;
  readonly #reels = new Map<string, Reel>();
  /** When each Reel was published, for the Page's moving 24-hour limit. */
  readonly #published: { pageId: string; at: number }[] = [];

  constructor(host: ReelsHost, options: ReelsOptions = {}) {
    this.#host = host;
    this.#processingPolls = options.processingPolls ?? 1;
  }

  uploads(): ReelUploadView[] {
    return [...this.#reels.values()].map((r) => ({ videoId: r.id, pageId: r.pageId, received: r.received, total: r.total, finished: r.finished !== null }));
  }

  /** Which Reels endpoint a request is for, or null; `video_reels` is told apart by its body's `upload_phase`. */
  endpoint(method: string, pathname: string): ReelsEndpoint | null {
    const parts = pathname.split('/').slice(1);
    if (parts.length === 3 && parts[0] === 'video-upload' && parts[1] === GRAPH_VERSION && method === 'POST') return 'reel-upload';
    if (parts[0] !== GRAPH_VERSION) return null;
    if (parts.length === 3 && parts[2] === 'video_reels' && this.#host.isPage(parts[1]!) && method === 'POST') return 'reel-start';
    if (parts.length === 2 && method === 'GET' && this.#reels.has(parts[1]!)) return 'reel-status';
    return null;
  }

  /** Answers one Reels request; `record` is the simulator's log entry, told the endpoint and an upload's `offset`. */
  async handle(first: ReelsEndpoint, req: IncomingMessage, res: ServerResponse, url: URL, record: { endpoint: string | null; fileOffset: number | null }): Promise<void> {
    let endpoint = first;
    let form = new URLSearchParams();
    if (endpoint !== 'reel-upload') {
      try {
        const body = (await readSmallBody(req)).toString('utf8');
        // The guide's examples send JSON; a form works as for every Graph call.
        form = /json/i.test(req.headers['content-type'] ?? '') ? jsonAsForm(body) : new URLSearchParams(body);
      } catch (err) {
        if (!(err instanceof BodyTooLarge)) return void res.destroy();
        return send(res, fail(413, GRAPH_CODES.invalidParameter, 'Request body is too large.'));
      }
      const field = (name: string) => form.get(name) ?? url.searchParams.get(name) ?? '';
      if (endpoint === 'reel-start' && field('upload_phase') === 'finish') endpoint = 'reel-finish';
    }
    record.endpoint = endpoint;
    if (endpoint === 'reel-upload' && typeof req.headers.offset === 'string' && /^\d+$/.test(req.headers.offset)) record.fileOffset = Number(req.headers.offset);
    const fault = this.#host.takeFault(endpoint);
    const early = async (r: Reply) => {
      await drain(req);
      send(res, r);
    };
    if (fault?.kind === 'server-error') return early(fail(fault.status ?? 500, 2, 'An unexpected error has occurred. Please retry your request later.', { transient: true }));
    if (fault?.kind === 'rate-limit') return early(this.#rateLimited(url.pathname.split('/')[2] ?? '', (fault.regainMinutes ?? 0) * 60_000));
    if (fault?.kind === 'expired-token') return early(fail(400, GRAPH_CODES.token, 'Error validating access token: Session has expired.', { subcode: GRAPH_CODES.tokenExpiredSubcode }));
    if (fault?.kind === 'drop-connection' && fault.when !== 'after-processing' && endpoint !== 'reel-upload') return void req.socket.destroy();
    if (endpoint === 'reel-upload') return this.#upload(req, res, url, fault);

    const token = bearerOf(req) ?? form.get('access_token') ?? url.searchParams.get('access_token');
    const field = (name: string) => form.get(name) ?? url.searchParams.get(name) ?? '';
    let result: Reply;
    if (endpoint === 'reel-status') {
      const reel = this.#reels.get(url.pathname.split('/')[2]!)!;
      if (fault?.kind === 'session-expired') reel.expired = true;
      result = this.#host.checkPageToken(token, reel.pageId, fault?.kind === 'no-permission') ?? this.#status(reel, url);
    } else {
      const pageId = url.pathname.split('/')[2]!;
      const refused = this.#host.checkPageToken(token, pageId, fault?.kind === 'no-permission');
      if (refused) result = refused;
      else if (endpoint === 'reel-finish') result = this.#finish(pageId, field);
      else if (field('upload_phase') === 'start') result = this.#start(pageId);
      else result = fail(400, GRAPH_CODES.invalidParameter, '(#100) upload_phase must be one of start, finish.');
    }
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    if (fault?.kind === 'no-answer') return;
    send(res, result);
  }

  /** Step 1: a video id for the Page, and where its bytes go. */
  #start(pageId: string): Reply {
    const id = String(2_000_000_000_000_000 + this.#reels.size * 7919 + Math.floor(Math.random() * 1000));
    this.#reels.set(id, { id, pageId, total: null, received: 0, hash: createHash('sha256'), sha256: null, finished: null, polls: 0, post: null, expired: false });
    return { status: 200, body: { video_id: id, upload_url: `${this.#host.origin()}/video-upload/${GRAPH_VERSION}/${id}` } };
  }

  /** Step 2: bytes at `offset` of `file_size`; only the offset already received is taken. */
  async #upload(req: IncomingMessage, res: ServerResponse, url: URL, fault: FacebookFault | undefined): Promise<void> {
    const early = async (r: Reply) => {
      await drain(req);
      send(res, r);
    };
    const reel = this.#reels.get(url.pathname.split('/')[3] ?? '');
    if (!reel || reel.expired) return early(ruploadFail(400, 'NotFoundError', 'Video not found or the upload session has expired.', false));
    if (fault?.kind === 'session-expired') {
      reel.expired = true;
      return early(ruploadFail(400, 'NotFoundError', 'Video not found or the upload session has expired.', false));
    }
    const refused = this.#host.checkPageToken(bearerOf(req), reel.pageId, fault?.kind === 'no-permission');
    if (refused) return early(refused);
    const offset = Number(req.headers.offset ?? NaN);
    const size = Number(req.headers.file_size ?? NaN);
    const length = Number(req.headers['content-length'] ?? NaN);
    if (!Number.isSafeInteger(size) || size < 1 || size > FACEBOOK_LIMITS.videoMaxBytes) return early(ruploadFail(400, 'ParameterValidationError', 'HeaderValuePredicate: Header file_size not convertable to unsigned long', false));
    if (!Number.isSafeInteger(offset) || offset < 0) return early(ruploadFail(400, 'ParameterValidationError', 'HeaderValuePredicate: Header Offset not convertable to unsigned long', false));
    if (reel.total !== null && size !== reel.total) return early(ruploadFail(400, 'ParameterValidationError', `file_size ${size} differs from the ${reel.total} bytes this upload started with.`, false));
    if (reel.sha256 !== null) return early({ status: 200, body: { success: true } });
    if (offset !== reel.received) return early(ruploadFail(400, 'ParameterValidationError', `offset ${offset} does not match the ${reel.received} bytes received.`, false));
    if (!Number.isSafeInteger(length) || length < 1 || offset + length > size) return early(ruploadFail(400, 'ParameterValidationError', 'The body must carry the file from offset, within file_size.', false));
    reel.total = size;
    const drop = fault?.kind === 'drop-connection' && fault.when !== 'after-processing' ? Math.floor(length / 2) : Infinity;
    const whole = await receiveUpload(req, (piece) => {
      reel.hash.update(piece);
      reel.received += piece.length;
    }, drop);
    if (!whole) return;
    if (reel.received === reel.total) reel.sha256 = reel.hash.digest('hex');
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    if (fault?.kind === 'no-answer') return;
    send(res, { status: 200, body: { success: true } });
  }

  /** Step 3: published (or kept as a draft) with its description, once every byte arrived. */
  #finish(pageId: string, field: (name: string) => string): Reply {
    const reel = this.#reels.get(field('video_id'));
    if (!reel || reel.pageId !== pageId || reel.expired) return fail(400, GRAPH_CODES.invalidParameter, '(#100) Invalid video_id.', { subcode: 1363130 });
    const state = field('video_state');
    if (state !== 'PUBLISHED' && state !== 'DRAFT') return fail(400, GRAPH_CODES.invalidParameter, '(#100) video_state must be one of PUBLISHED, DRAFT.');
    if (reel.sha256 === null) return fail(400, GRAPH_CODES.invalidParameter, `(#100) The video has not been uploaded completely (${reel.received} of ${reel.total ?? 'unknown'} bytes).`, { subcode: 1363040 });
    if (reel.finished) return fail(400, GRAPH_CODES.invalidParameter, '(#100) This video has already been finished.');
    const description = field('description');
    if (Array.from(description).length > FACEBOOK_LIMITS.messageMaxChars) return fail(400, GRAPH_CODES.invalidParameter, '(#100) The description is too long.');
    if (state === 'PUBLISHED') {
      const now = this.#host.now();
      const recent = this.#published.filter((p) => p.pageId === pageId && p.at > now - REELS_LIMITS.windowMs);
      if (recent.length >= REELS_LIMITS.perDay) return this.#rateLimited(pageId, recent[0]!.at + REELS_LIMITS.windowMs - now);
      this.#published.push({ pageId, at: now });
    }
    reel.finished = { state, description, at: this.#host.now() };
    // On the Page from now on (Facebook shows it once processed); its status says when that is done.
    if (state === 'PUBLISHED') reel.post = this.#host.addPost({ pageId: reel.pageId, kind: 'reel', message: description, title: null, sizeBytes: reel.total ?? 0, sha256: reel.sha256, id: reel.id });
    return { status: 200, body: { success: true } };
  }

  /** Step 4: where the video stands; processing ends after `processingPolls` reads once it is finished. */
  #status(reel: Reel, url: URL): Reply {
    const fields = (url.searchParams.get('fields') ?? 'id').split(',');
    if (reel.finished) reel.polls += 1;
    const uploaded = reel.sha256 !== null;
    const processed = reel.finished !== null && reel.polls >= this.#processingPolls;
    const status: ReelStatus = {
      video_status: reel.expired ? 'expired' : processed ? 'ready' : reel.finished ? 'processing' : uploaded ? 'upload_complete' : 'processing',
      uploading_phase: { status: uploaded ? 'complete' : reel.received > 0 ? 'in_progress' : 'not_started', bytes_transferred: reel.received },
      processing_phase: { status: processed ? 'complete' : reel.finished ? 'in_progress' : 'not_started' },
      publishing_phase: reel.finished
        ? { status: processed ? 'complete' : 'in_progress', publish_status: reel.finished.state === 'DRAFT' ? 'draft' : 'published', ...(processed ? { publish_time: Math.floor(reel.finished.at / 1000) } : {}) }
        : { status: 'not_started' },
    };
    return { status: 200, body: { id: reel.id, ...(fields.includes('status') ? { status } : {}) } };
  }

  /** Graph's Page limit answer, with the minutes until the oldest Reel in the window leaves it. */
  #rateLimited(pageId: string, waitMs: number): Reply {
    const minutes = Math.max(0, Math.ceil(waitMs / 60_000));
    const usage = JSON.stringify({ [pageId]: [{ type: 'pages', call_count: 100, total_cputime: 30, total_time: 40, estimated_time_to_regain_access: minutes }] });
    return fail(400, 32, 'Page request limit reached', { subcode: 2446079 }, { 'X-Business-Use-Case-Usage': usage });
  }
}

function jsonAsForm(text: string): URLSearchParams {
  const form = new URLSearchParams();
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) if (typeof v === 'string' || typeof v === 'number') form.set(k, String(v));
  } catch {
    // A body that is not JSON has no fields.
  }
  return form;
}
