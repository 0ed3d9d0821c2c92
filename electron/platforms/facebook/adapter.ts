// Publishes to a Facebook Page (../shared/platform-apis.md §6.1, §6.2). The account's stored
// token is the long-lived user token; the Page token is read with it for each job and never
// kept. A video goes through the Resumable Upload API (a session for the organisation's app, the
// file streamed from the library at `file_offset`, the offset asked after an interruption and
// the rest sent), then is published on the Page with the file handle on graph-video; a photo is
// a multipart post to the Page's photos; text alone goes to its feed. The session and handle
// are checkpointed, and a post whose answer was lost is found on the Page before it is sent again.
// A video can instead go out as a Reel (§6.3, `options.facebook.format: 'reel'`): started on the
// Page's `video_reels` with the Page token, the bytes sent to rupload at an `offset` (after an
// interruption, from what the video's status says arrived), finished as PUBLISHED with the
// caption as its description, and its status read until it is published. The video id is
// checkpointed, and after a crash the status says whether the Reel was already finished.
import { Readable } from 'node:stream';
import type { AccountCredentials } from '../../services/vault/vault.ts';
import type { PlatformAdapter, PublishContext, PublishMedia, PublishRequest, PublishResult } from '../adapter.ts';
import { AlreadyPosted, bearerSettings, guardJob, type BearerSession, monotonicProgress, parseJson, type Answer, type BearerAdapterOptions, type BearerRequest } from '../bearer-session.ts';
import { multipartFileBody } from '../mastodon/mastodon-multipart.ts';
import { oneMediaOrText } from '../one-media.ts';
import { checkPostForPlatform } from '../post-rules.ts';
import { clip, publishErrors, type PublishErrors } from '../publish-error.ts';
import { parseRetryAfter, TransientFailure } from '../retry.ts';
import { fileRange } from '../youtube/adapter.ts';
import { GraphClient } from './graph-client.ts';
import { FACEBOOK_LIMITS, FACEBOOK_PATHS, FACEBOOK_PHOTO_TYPES, facebookVideoBase, GRAPH_CODES } from './protocol.ts';
import { REELS_PATHS, reelsUploadBase, type ReelStatus } from './reels-protocol.ts';
import { facebookFormat, reelIssues } from './rules.ts';

export const FACEBOOK_REQUESTER = 'publish:facebook';

export interface FacebookAdapterOptions extends BearerAdapterOptions {
  /** Bytes read from the library at a time while the file streams. Default 256 KiB. */
  pieceBytes?: number;
  /** Between reads of a finished Reel's status. Default 5 s. */
  reelPollIntervalMs?: number;
  /** Status reads before a Reel still processing ends the job, to be looked at again later. Default 60. */
  reelMaxPolls?: number;
}

/** What the job keeps between attempts (through `context.checkpoint`); never a token. */
export interface FacebookJobState {
  /** `upload:<id>`, once the session started. */
  session: string | null;
  total: number;
  /** The file handle, once every byte arrived. */
  handle: string | null;
  /** Set just before the post is first sent: from then on it may exist. */
  postingSince: number | null;
  /** A Reel (§6.3): its video id once started, the file size, and whether every byte arrived. */
  reel: { videoId: string; total: number; uploaded: boolean } | null;
  result?: PublishResult;
}

type Settings = ReturnType<typeof bearerSettings> & { pieceBytes: number; reelPollIntervalMs: number; reelMaxPolls: number };

const errors = publishErrors('facebook', 'Facebook');

/** The upload session is gone (expired or unknown): only a new one helps. */
class SessionLost extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Graph's `X-Business-Use-Case-Usage` (or `X-App-Usage`) names, in minutes, when access comes back. */
function regainMs(headers: Answer['headers']): number | undefined {
  for (const name of ['x-business-use-case-usage', 'x-page-usage', 'x-app-usage']) {
    const raw = headers[name];
    const usage = parseJson(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''));
    const entries = isRecord(usage) ? Object.values(usage).flat() : [];
    const minutes = entries.map((e) => (isRecord(e) ? Number(e.estimated_time_to_regain_access) : NaN)).filter((n) => Number.isFinite(n) && n > 0);
    if (minutes.length > 0) return Math.max(...minutes) * 60_000;
  }
  return undefined;
}

/** What a Graph error says: code, subcode and a detail line for IT. */
export interface GraphFailure {
  status: number;
  code: number | null;
  subcode: number | null;
  detail: string;
}

/**
 * Graph's `{error:{message, type, code, error_subcode, fbtrace_id}}` (§6.4) as the right kind of
 * failure, in the platform's words; `special` answers first for the platform's own codes.
 */
export function classifyGraph(errs: PublishErrors, label: string, place: string, answer: Answer, what: string, nowMs: number, special?: (f: GraphFailure) => Error | null): Error {
  const body = parseJson(answer.raw);
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const code = typeof error.code === 'number' ? error.code : null;
  const subcode = typeof error.error_subcode === 'number' ? error.error_subcode : null;
  const message = typeof error.message === 'string' ? error.message : '';
  const trace = typeof error.fbtrace_id === 'string' ? ` fbtrace_id=${clip(error.fbtrace_id, 40)}` : '';
  const detail = `${what} answered HTTP ${answer.status}${code === null ? '' : ` code=${code}`}${subcode === null ? '' : ` subcode=${subcode}`}${trace}${message ? `: ${clip(message)}` : ''}`;
  const own = special?.({ status: answer.status, code, subcode, detail });
  if (own) return own;
  if (code === GRAPH_CODES.token) return errs.reconnect(subcode === GRAPH_CODES.tokenExpiredSubcode ? 'token-expired' : 'token-rejected', detail);
  if (code !== null && GRAPH_CODES.rateLimits.includes(code)) {
    const wait = regainMs(answer.headers) ?? parseRetryAfter(answer.headers['retry-after'], nowMs);
    return new TransientFailure(errs.rateLimited(detail, wait), wait);
  }
  if (answer.status >= 500 || (code !== null && GRAPH_CODES.transient.includes(code)) || error.is_transient === true) return new TransientFailure(errs.unavailable(detail));
  if (code === GRAPH_CODES.permission || (code !== null && code >= 200 && code <= 299)) {
    return errs.make('not-allowed', `${label} did not allow posting to ${place}. The person who connected it must be allowed to create content on it. Ask IT to reconnect it.`, detail, 'reconnect');
  }
  return errs.make('refused', `${label} did not accept the post. Nothing was published. Ask IT to look at the details.`, detail, 'fix');
}

/**
 * rupload answers failures in its own shape, `{debug_info:{retriable, type, message}}` (§6.3,
 * §6.4 [S]): a video it no longer knows needs a new start (the type it names then is not
 * documented; `NotFoundError` is the simulator's); otherwise it says whether to retry.
 */
function ruploadFailure(answer: Answer, what: string): Error | null {
  const body = parseJson(answer.raw);
  const info = isRecord(body) && isRecord(body.debug_info) ? body.debug_info : null;
  if (!info) return null;
  const detail = `${what} answered HTTP ${answer.status}: ${clip(String(info.type ?? ''), 60)} ${clip(String(info.message ?? ''))}`;
  if (info.type === 'NotFoundError') return new SessionLost(detail);
  if (info.retriable === true || answer.status >= 500) return new TransientFailure(errors.unavailable(detail));
  return errors.make('refused', 'Facebook did not accept the video for the Reel. Nothing was published. Ask IT to look at the details.', detail, 'fix');
}

export function classifyGraphAnswer(answer: Answer, what: string, nowMs: number): Error {
  const rupload = ruploadFailure(answer, what);
  if (rupload) return rupload;
  return classifyGraph(errors, 'Facebook', 'this Page', answer, what, nowMs, (f) => (f.subcode === 1363130 ? new SessionLost(f.detail) : null));
}

function readState(raw: Record<string, unknown>): FacebookJobState {
  const saved = isRecord(raw.result) ? raw.result : null;
  const result: PublishResult | undefined = saved && typeof saved.remoteId === 'string' ? { remoteId: saved.remoteId, url: typeof saved.url === 'string' ? saved.url : null, outcome: 'published' } : undefined;
  return {
    session: typeof raw.session === 'string' ? raw.session : null,
    total: Number.isSafeInteger(raw.total) ? (raw.total as number) : 0,
    handle: typeof raw.handle === 'string' ? raw.handle : null,
    postingSince: Number.isSafeInteger(raw.postingSince) ? (raw.postingSince as number) : null,
    reel: readReel(raw.reel),
    ...(result ? { result } : {}),
  };
}

function readReel(raw: unknown): FacebookJobState['reel'] {
  if (!isRecord(raw) || typeof raw.videoId !== 'string' || !/^\d+$/.test(raw.videoId) || !Number.isSafeInteger(raw.total)) return null;
  return { videoId: raw.videoId, total: raw.total as number, uploaded: raw.uploaded === true };
}

/** §6.3 step 4 [S]: the parts of `status` Airlock reads, or null when the answer lacks them. */
function readReelStatus(body: unknown): ReelStatus | null {
  const status = isRecord(body) && isRecord(body.status) ? body.status : null;
  if (!status || typeof status.video_status !== 'string') return null;
  const phase = (name: string) => (isRecord(status[name]) ? (status[name] as Record<string, unknown>) : {});
  const upload = phase('uploading_phase');
  const bytes = Number(upload.bytes_transferred ?? 0);
  return {
    video_status: status.video_status as ReelStatus['video_status'],
    uploading_phase: { status: String(upload.status ?? 'not_started') as ReelStatus['uploading_phase']['status'], bytes_transferred: Number.isSafeInteger(bytes) ? bytes : -1 },
    processing_phase: { status: String(phase('processing_phase').status ?? 'not_started') as ReelStatus['processing_phase']['status'] },
    publishing_phase: { status: String(phase('publishing_phase').status ?? 'not_started') as ReelStatus['publishing_phase']['status'] },
  };
}

class FacebookPublishJob {
  readonly #s: Settings;
  readonly #request: PublishRequest;
  readonly #context: PublishContext;
  readonly #api: BearerSession;
  readonly #graphApi: GraphClient;
  readonly #apiBase: string;
  readonly #pageId: string;
  #pageToken: string | null = null;
  #report: ReturnType<typeof monotonicProgress> | null = null;

  constructor(settings: Settings, request: PublishRequest, context: PublishContext, refreshes: Map<string, Promise<AccountCredentials>>) {
    this.#s = settings;
    this.#request = request;
    this.#context = context;
    this.#apiBase = context.account.apiBase.replace(/\/+$/, '');
    this.#pageId = context.account.accountId;
    this.#graphApi = new GraphClient(context, settings, refreshes, { requester: FACEBOOK_REQUESTER, errors, label: 'Facebook', classify: (answer, what) => classifyGraphAnswer(answer, what, settings.now()) });
    this.#api = this.#graphApi.api;
  }

  async publish(): Promise<PublishResult> {
    const media = this.#media();
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    if (this.#isReel()) return this.#publishReel(state, media!);
    if (media?.kind === 'video' && state.postingSince === null && !state.handle) {
      try {
        await this.#upload(state, media);
      } catch (err) {
        if (!(err instanceof SessionLost)) throw err;
        // Nothing is published before the handle is used: a new session is safe, once.
        Object.assign(state, { session: null, total: 0, handle: null });
        await this.#save(state);
        await this.#upload(state, media);
      }
    }
    return this.#create(state, media);
  }

  async reconcile(): Promise<PublishResult | null> {
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    if (state.postingSince === null) return null;
    if (state.reel) {
      // Finished and published: done. Finished and still processing: publish() sees it before finishing again.
      const status = await this.#reelStatus(state.reel.videoId, await this.#page());
      return status.publishing_phase.status === 'complete' ? this.#finish(state, this.#reelResult(state.reel.videoId)) : null;
    }
    const found = await this.#findPosted(state, this.#request.media[0] ?? null);
    return found ? this.#finish(state, found) : null;
  }

  #media(): PublishMedia | null {
    const fix = (code: string, message: string, detail: string) => errors.make(code, message, detail, 'fix');
    if (this.#isReel()) {
      const [problem] = reelIssues(this.#request.media);
      if (problem) throw fix(problem.code.replace(/^facebook\./, ''), problem.message, `Reel: ${this.#request.media.map((m) => `${m.kind} ${m.width ?? '?'}x${m.height ?? '?'} ${m.durationMs ?? '?'} ms`).join(', ') || 'no media'}`);
    }
    const m = oneMediaOrText(this.#request, errors, 'Facebook', 'a Facebook Page');
    if (!m) return null;
    if (m.kind === 'video' && m.bytes > FACEBOOK_LIMITS.videoMaxBytes) throw fix('video-too-large', "The video is larger than Facebook's limit of 10 GB.", `${m.bytes} bytes`);
    if (m.kind === 'image' && m.bytes > FACEBOOK_LIMITS.photoMaxBytes) throw fix('photo-too-large', 'Facebook takes photos of up to 10 MB. This photo is larger.', `${m.bytes} bytes`);
    if (m.kind === 'image' && !(FACEBOOK_PHOTO_TYPES as readonly string[]).includes(m.contentType)) throw fix('photo-format', 'Facebook does not take photos in this format.', `content type ${m.contentType}`);
    return m;
  }

  /** Whether the post goes on the Page as a Reel (§6.3); an unknown choice is refused. */
  #isReel(): boolean {
    const format = facebookFormat(isRecord(this.#request.options) ? this.#request.options : {});
    if (format === null) throw errors.make('format-unknown', 'The post does not say whether it goes on the Facebook Page as a post or as a Reel. Edit the post and choose.', `options.format ${clip(String(this.#request.options.format), 40)}`, 'fix');
    return format === 'reel';
  }

  #progress(phase: 'uploading' | 'processing' | 'creating', bytes: number, force = false): void {
    this.#report ??= monotonicProgress(this.#context.onProgress, this.#request.media[0]?.bytes ?? 0);
    this.#report(phase, bytes, force);
  }

  async #save(state: FacebookJobState): Promise<void> {
    await this.#context.checkpoint.save({ ...state });
  }

  #userToken(): Promise<string> {
    return this.#graphApi.userToken();
  }

  #graph(request: Omit<BearerRequest, 'anonymous'>, token: string): Promise<Answer> {
    return this.#graphApi.call(request, token);
  }

  /** `GET /{page-id}?fields=access_token,tasks`: the Page token, and whether posting is allowed. */
  async #page(): Promise<string> {
    if (this.#pageToken) return this.#pageToken;
    const answer = await this.#graph({ method: 'GET', url: `${this.#apiBase}${FACEBOOK_PATHS.page(this.#pageId)}?fields=access_token,tasks`, what: 'GET /{page-id}?fields=access_token,tasks' }, await this.#userToken());
    const body = parseJson(answer.raw);
    const token = isRecord(body) && typeof body.access_token === 'string' ? body.access_token : null;
    const tasks = isRecord(body) && Array.isArray(body.tasks) ? body.tasks : [];
    if (!token || !tasks.includes('CREATE_CONTENT')) {
      throw errors.make('not-allowed', 'Facebook did not allow posting to this Page. The person who connected it must be allowed to create content on it. Ask IT to reconnect it.', `Page ${this.#pageId}: ${token ? `tasks ${tasks.join(',')}` : 'no Page token'}`, 'reconnect');
    }
    this.#pageToken = token;
    return token;
  }

  /** §6.2 steps 1–3. */
  async #upload(state: FacebookJobState, media: PublishMedia): Promise<void> {
    const user = await this.#userToken();
    let fresh = false;
    if (!state.session || state.total !== media.bytes) {
      const app = this.#s.appCredentials ? await this.#s.appCredentials() : null;
      if (!app) {
        throw errors.make('app-credentials-missing', "The organisation's Facebook app details are not set up on this kiosk, so Airlock cannot upload videos. Ask IT.", 'the upload session needs the app id; none is provisioned', 'fix');
      }
      const query = new URLSearchParams({ file_name: `${this.#request.postId}.mp4`, file_length: String(media.bytes), file_type: media.contentType.startsWith('video/') ? media.contentType : 'video/mp4' });
      this.#progress('uploading', 0, true);
      const answer = await this.#graph({ method: 'POST', url: `${this.#apiBase}${FACEBOOK_PATHS.uploads(app.clientId)}?${query}`, what: 'POST /{app-id}/uploads' }, user);
      const body = parseJson(answer.raw);
      const id = isRecord(body) && typeof body.id === 'string' && /^upload:[A-Za-z0-9_=:-]+$/.test(body.id) ? body.id : null;
      if (!id) throw errors.make('bad-response', 'Facebook did not start the upload as expected. Nothing was published; Airlock will try again later.', 'POST /{app-id}/uploads: answer lacks the upload session id', 'retry');
      Object.assign(state, { session: id, total: media.bytes, handle: null });
      await this.#save(state);
      fresh = true;
    }
    const url = `${this.#apiBase}${FACEBOOK_PATHS.session(state.session!)}`;
    await this.#api.retrying(async (attempt) => {
      // After any failure, ask where the session stands before sending the rest.
      let offset = 0;
      if (attempt > 1 || !fresh) {
        const answer = await this.#graph({ method: 'GET', url, what: 'GET /upload:{id}' }, user);
        const body = parseJson(answer.raw);
        if (isRecord(body) && typeof body.h === 'string') return this.#handle(state, body.h);
        offset = isRecord(body) ? Number(body.file_offset) : NaN;
        if (!Number.isSafeInteger(offset) || offset < 0 || offset > state.total) throw errors.make('upload-out-of-step', 'Facebook and Airlock disagree about how much of the video has arrived, so Airlock stopped. Send the post again.', `GET /upload:{id} answered file_offset ${String(isRecord(body) ? body.file_offset : '')}`, 'retry');
      }
      this.#progress('uploading', offset, true);
      const bytes = state.total - offset;
      const answer = await this.#api.once({
        method: 'POST',
        url,
        what: `POST /upload:{id} from byte ${offset}`,
        anonymous: true,
        upload: () => ({
          body: fileRange(media.path, offset, bytes, this.#s.pieceBytes, (read) => this.#progress('uploading', offset + read)),
          headers: { Authorization: `OAuth ${user}`, file_offset: String(offset), 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes) },
        }),
      });
      const body = parseJson(answer.raw);
      if (!isRecord(body) || typeof body.h !== 'string') throw new TransientFailure(errors.unavailable(`POST /upload:{id}: answer lacks the file handle`));
      return this.#handle(state, body.h);
    });
  }

  async #handle(state: FacebookJobState, handle: string): Promise<void> {
    state.handle = handle;
    await this.#save(state);
    this.#progress('uploading', state.total, true);
  }

  /** §6.2 step 4, a photo, or text alone: created once. */
  async #create(state: FacebookJobState, media: PublishMedia | null): Promise<PublishResult> {
    const pageToken = await this.#page();
    const earlier = state.postingSince !== null;
    state.postingSince ??= this.#s.now();
    await this.#save(state);
    this.#progress('creating', media?.bytes ?? 0, true);
    let attempts = earlier ? 1 : 0;
    const beforeAttempt = async () => {
      if (attempts++ > 0) {
        const found = await this.#findPosted(state, media);
        if (found) throw new AlreadyPosted(found);
      }
    };
    const caption = this.#request.caption;
    let request: BearerRequest;
    if (media?.kind === 'video') {
      const title = typeof this.#request.options.title === 'string' ? this.#request.options.title.trim() : '';
      const form = new URLSearchParams({ ...(title ? { title } : {}), description: caption, fbuploader_video_file_chunk: state.handle ?? '' });
      request = { method: 'POST', url: `${facebookVideoBase(this.#apiBase)}${FACEBOOK_PATHS.videos(this.#pageId)}`, what: 'POST /{page-id}/videos', upload: formUpload(form) };
    } else if (media) {
      const body = multipartFileBody([['message', caption], ['published', 'true']], { field: 'source', filename: `photo.${media.format === 'jpeg' ? 'jpg' : media.format}`, contentType: media.contentType, path: media.path, bytes: media.bytes }, this.#s.pieceBytes);
      request = {
        method: 'POST',
        url: `${this.#apiBase}${FACEBOOK_PATHS.photos(this.#pageId)}`,
        what: 'POST /{page-id}/photos',
        upload: () => ({ body: body.open((read) => this.#progress('uploading', read)), headers: { 'Content-Type': body.contentType, 'Content-Length': String(body.contentLength) } }),
      };
    } else {
      request = { method: 'POST', url: `${this.#apiBase}${FACEBOOK_PATHS.feed(this.#pageId)}`, what: 'POST /{page-id}/feed', upload: formUpload(new URLSearchParams({ message: caption })) };
    }
    let answer: Answer;
    try {
      answer = await this.#graph({ ...request, beforeAttempt }, pageToken);
    } catch (err) {
      if (err instanceof AlreadyPosted) return this.#finish(state, err.result);
      throw err;
    }
    const body = parseJson(answer.raw);
    const id = isRecord(body) ? (typeof body.post_id === 'string' ? body.post_id : typeof body.id === 'string' ? body.id : null) : null;
    if (!id || !/^[0-9_]+$/.test(id)) {
      const found = await this.#findPosted(state, media);
      if (found) return this.#finish(state, found);
      throw errors.make('bad-response', 'Facebook sent an answer Airlock could not read. Airlock will check whether the post went out before trying again.', `${request.what}: answer lacks an id`, 'retry');
    }
    return this.#finish(state, this.#resultFor(media, id));
  }

  #resultFor(media: PublishMedia | null, id: string): PublishResult {
    return { remoteId: id, url: media?.kind === 'video' ? `https://www.facebook.com/${this.#pageId}/videos/${id}/` : `https://www.facebook.com/${id}`, outcome: 'published' };
  }

  /** The post an earlier attempt created, among the Page's recent videos, photos or posts, or null. */
  async #findPosted(state: FacebookJobState, media: PublishMedia | null): Promise<PublishResult | null> {
    const pageToken = await this.#page();
    const edge = media?.kind === 'video' ? 'videos' : media ? 'photos' : 'feed';
    const fields = media?.kind === 'video' ? 'id,title,description,created_time' : media ? 'id,name,created_time' : 'id,message,created_time';
    const query = new URLSearchParams({ fields, limit: '25', ...(edge === 'photos' ? { type: 'uploaded' } : {}) });
    const answer = await this.#graph({ method: 'GET', url: `${this.#apiBase}${FACEBOOK_PATHS[edge](this.#pageId)}?${query}`, what: `GET /{page-id}/${edge}` }, pageToken);
    const body = parseJson(answer.raw);
    const data = isRecord(body) && Array.isArray(body.data) ? body.data : [];
    const since = (state.postingSince ?? 0) - 10 * 60_000;
    const text = media?.kind === 'video' ? 'description' : media ? 'name' : 'message';
    for (const item of data) {
      if (!isRecord(item) || typeof item.id !== 'string') continue;
      const created = typeof item.created_time === 'string' ? Date.parse(item.created_time.replace(/\+0000$/, 'Z')) : NaN;
      if (!Number.isNaN(created) && created < since) continue;
      if ((item[text] ?? '') !== this.#request.caption) continue;
      return this.#resultFor(media, media && media.kind === 'image' ? `${this.#pageId}_${item.id}` : item.id);
    }
    return null;
  }

  async #finish(state: FacebookJobState, result: PublishResult): Promise<PublishResult> {
    await this.#save({ ...state, result });
    return result;
  }

  // ---- Reels (§6.3) ---------------------------------------------------------------------------

  async #publishReel(state: FacebookJobState, media: PublishMedia): Promise<PublishResult> {
    const pageToken = await this.#page();
    if (state.postingSince === null && !state.reel?.uploaded) {
      try {
        await this.#reelUpload(state, media, pageToken);
      } catch (err) {
        if (!(err instanceof SessionLost)) throw err;
        // Nothing is published before finish: a new video id is safe, once.
        state.reel = null;
        await this.#save(state);
        await this.#reelUpload(state, media, pageToken);
      }
    }
    return this.#reelFinish(state, media, pageToken);
  }

  /** Steps 1–2: a video id for the Page, then the bytes to rupload from `offset`. */
  async #reelUpload(state: FacebookJobState, media: PublishMedia, pageToken: string): Promise<void> {
    let fresh = false;
    if (!state.reel || state.reel.total !== media.bytes) {
      this.#progress('uploading', 0, true);
      const answer = await this.#graph({ method: 'POST', url: `${this.#apiBase}${REELS_PATHS.reels(this.#pageId)}`, what: 'POST /{page-id}/video_reels (start)', upload: formUpload(new URLSearchParams({ upload_phase: 'start' })) }, pageToken);
      const body = parseJson(answer.raw);
      const videoId = isRecord(body) && typeof body.video_id === 'string' && /^\d{1,32}$/.test(body.video_id) ? body.video_id : null;
      if (!videoId) throw errors.make('bad-response', 'Facebook did not start the Reel upload as expected. Nothing was published; Airlock will try again later.', 'POST /{page-id}/video_reels (start): answer lacks video_id', 'retry');
      state.reel = { videoId, total: media.bytes, uploaded: false };
      await this.#save(state);
      fresh = true;
    }
    const reel = state.reel;
    const url = `${reelsUploadBase(this.#apiBase)}${REELS_PATHS.upload(reel.videoId)}`;
    const uploaded = async () => {
      reel.uploaded = true;
      await this.#save(state);
      this.#progress('uploading', reel.total, true);
    };
    await this.#api.retrying(async (attempt) => {
      // After any failure, ask how much arrived before sending the rest.
      let offset = 0;
      if (attempt > 1 || !fresh) {
        const status = await this.#reelStatus(reel.videoId, pageToken);
        if (status.uploading_phase.status === 'complete') return uploaded();
        offset = status.uploading_phase.bytes_transferred;
        if (!Number.isSafeInteger(offset) || offset < 0 || offset >= reel.total) {
          throw errors.make('upload-out-of-step', 'Facebook and Airlock disagree about how much of the video has arrived, so Airlock stopped. Send the post again.', `GET /{video-id}?fields=status: bytes_transferred ${offset} of ${reel.total}`, 'retry');
        }
      }
      this.#progress('uploading', offset, true);
      const bytes = reel.total - offset;
      const answer = await this.#api.once({
        method: 'POST',
        url,
        what: `POST rupload /video-upload/{video-id} from byte ${offset}`,
        anonymous: true,
        upload: () => ({
          body: fileRange(media.path, offset, bytes, this.#s.pieceBytes, (read) => this.#progress('uploading', offset + read)),
          headers: { Authorization: `OAuth ${pageToken}`, offset: String(offset), file_size: String(reel.total), 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes) },
        }),
      });
      const body = parseJson(answer.raw);
      if (!isRecord(body) || body.success !== true) throw new TransientFailure(errors.unavailable('POST rupload: answer lacks success'));
      return uploaded();
    });
  }

  /** Step 3, sent once: published with the caption as its description; then step 4 until it is out. */
  async #reelFinish(state: FacebookJobState, media: PublishMedia, pageToken: string): Promise<PublishResult> {
    const reel = state.reel!;
    const earlier = state.postingSince !== null;
    state.postingSince ??= this.#s.now();
    await this.#save(state);
    this.#progress('creating', media.bytes, true);
    let attempts = earlier ? 1 : 0;
    const beforeAttempt = async () => {
      if (attempts++ > 0) {
        const status = await this.#reelStatus(reel.videoId, pageToken);
        if (status.publishing_phase.status !== 'not_started') throw new AlreadyPosted(this.#reelResult(reel.videoId));
      }
    };
    const form = new URLSearchParams({ upload_phase: 'finish', video_id: reel.videoId, video_state: 'PUBLISHED', description: this.#request.caption });
    try {
      await this.#graph({ method: 'POST', url: `${this.#apiBase}${REELS_PATHS.reels(this.#pageId)}`, what: 'POST /{page-id}/video_reels (finish)', upload: formUpload(form), beforeAttempt }, pageToken);
    } catch (err) {
      if (!(err instanceof AlreadyPosted)) throw err;
    }
    for (let polls = 1; ; polls++) {
      const status = await this.#reelStatus(reel.videoId, pageToken);
      if (status.publishing_phase.status === 'complete') return this.#finish(state, this.#reelResult(reel.videoId));
      if (status.video_status === 'error' || status.processing_phase.status === 'error' || status.publishing_phase.status === 'error') {
        // Not published: a retry starts with a new video.
        await this.#save({ ...state, reel: null, postingSince: null });
        throw errors.make('processing-failed', 'Facebook could not prepare the video as a Reel, so nothing was published. Check that it is a vertical video of 3 to 90 seconds, then send the post again.', `Reel ${reel.videoId}: video_status ${status.video_status}, processing ${status.processing_phase.status}, publishing ${status.publishing_phase.status}`, 'fix');
      }
      if (polls >= this.#s.reelMaxPolls) {
        throw errors.make('still-processing', 'Facebook is still preparing the Reel. Airlock will check again later; it will not be published twice.', `Reel ${reel.videoId} still ${status.video_status} after ${polls} reads`, 'retry');
      }
      this.#progress('processing', media.bytes, true);
      await this.#s.retry.sleep(this.#s.reelPollIntervalMs, this.#context.signal);
    }
  }

  /** Step 4: `GET /{video-id}?fields=status`; a video Facebook let expire needs a new start. */
  async #reelStatus(videoId: string, pageToken: string): Promise<ReelStatus> {
    const answer = await this.#graph({ method: 'GET', url: `${this.#apiBase}${REELS_PATHS.video(videoId)}?fields=status`, what: 'GET /{video-id}?fields=status' }, pageToken);
    const status = readReelStatus(parseJson(answer.raw));
    if (!status) throw errors.make('bad-response', 'Facebook sent an answer Airlock could not read. Airlock will try again later.', 'GET /{video-id}?fields=status: answer lacks status.video_status', 'retry');
    if (status.video_status === 'expired') throw new SessionLost(`Reel ${videoId}: video_status expired`);
    return status;
  }

  #reelResult(videoId: string): PublishResult {
    return { remoteId: videoId, url: `https://www.facebook.com/reel/${videoId}`, outcome: 'published' };
  }
}

/** A small urlencoded form as an upload body, opened afresh for each attempt. */
export function formUpload(form: URLSearchParams): BearerRequest['upload'] {
  const text = Buffer.from(form.toString(), 'utf8');
  return () => ({ body: Readable.from([text]), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(text.length) } });
}

export function createFacebookAdapter(options: FacebookAdapterOptions = {}): PlatformAdapter {
  const settings: Settings = { ...bearerSettings(options, errors.aborted), pieceBytes: options.pieceBytes ?? 256 * 1024, reelPollIntervalMs: options.reelPollIntervalMs ?? 5_000, reelMaxPolls: options.reelMaxPolls ?? 60 };
  const refreshes = new Map<string, Promise<AccountCredentials>>();
  const guard = <T>(context: PublishContext, work: () => Promise<T>): Promise<T> =>
    guardJob(context, errors.aborted, work, (err) =>
      err instanceof SessionLost ? errors.make('session-expired', 'Facebook no longer knows the upload. Nothing was published; send the post again.', err.message, 'retry') : err,
    );
  return {
    platform: 'facebook',
    check: (facts) => checkPostForPlatform('facebook', facts),
    publish: (request, context) => guard(context, () => new FacebookPublishJob(settings, request, context, refreshes).publish()),
    reconcile: (request, context) => guard(context, () => new FacebookPublishJob(settings, request, context, refreshes).reconcile()),
  };
}
