// Uploads a video to YouTube with the resumable protocol (../shared/platform-apis.md §5.2): a
// session started with the title, description and privacy, then the file in chunks of a
// multiple of 256 KiB, each streamed from the library. After a lost connection or a 5xx the
// session is asked how much arrived and the upload carries on from there; the session URI is
// checkpointed, so after a crash the same question tells whether the video already exists.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { AccountCredentials, AppCredentials } from '../../services/vault/vault.ts';
import type { PlatformAdapter, PublishContext, PublishRequest, PublishResult } from '../adapter.ts';
import { BearerSession, guardJob, monotonicProgress, parseJson, TokenRejected, type Answer, type BearerAdapterOptions } from '../bearer-session.ts';
import { checkPostForPlatform } from '../post-rules.ts';
import { clip, publishErrors, type PublishError } from '../publish-error.ts';
import { parseRetryAfter, retryPolicy, TransientFailure, type RetryPolicy } from '../retry.ts';
import { YOUTUBE_LIMITS, YOUTUBE_PATHS, youtubeTokenUrl } from './protocol.ts';
import { youtubePrivacy } from './rules.ts';

export const YOUTUBE_REQUESTER = 'publish:youtube';

export interface YouTubeAdapterOptions extends BearerAdapterOptions {
  /** Bytes per PUT, rounded down to a multiple of 256 KiB (§5.2). Default 8 MiB. */
  chunkBytes?: number;
  /** Bytes read from the library at a time while a chunk streams. Default 256 KiB. */
  pieceBytes?: number;
}

/** What the job keeps between attempts (through `context.checkpoint`). */
export interface YouTubeJobState {
  /** Opaque: its upload_id is the session's authority, so it never appears in an error. */
  sessionUri: string | null;
  total: number;
  /** Bytes YouTube confirmed (its Range header). */
  confirmed: number;
  /** True once every byte was sent at least once: from then on the video may exist. */
  allSent: boolean;
  result?: PublishResult;
}

interface Settings {
  chunkBytes: number;
  pieceBytes: number;
  retry: RetryPolicy;
  now: () => number;
  appCredentials: (() => Promise<AppCredentials | null>) | undefined;
  refreshMarginMs: number;
  timeoutMs: number | undefined;
}

const errors = publishErrors('youtube', 'YouTube');

/** The session URI answered 404: it expired, and only a new session helps (§5.2). */
class SessionLost extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Google's `{error:{code,message,errors:[{reason}]}}` (§8) as the right kind of failure, in plain words. */
export function classifyGoogleAnswer(answer: Answer, what: string, nowMs: number): Error {
  const body = parseJson(answer.raw);
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const first = Array.isArray(error.errors) && isRecord(error.errors[0]) ? error.errors[0] : {};
  const reason = typeof first.reason === 'string' ? first.reason : '';
  const message = typeof error.message === 'string' ? error.message : '';
  const detail = `${what} answered HTTP ${answer.status}${reason ? ` reason=${clip(reason, 60)}` : ''}${message ? `: ${clip(message)}` : ''}`;
  const { status } = answer;
  const make = errors.make;
  if (status === 404) return new SessionLost(detail);
  if (status === 401 && reason === 'youtubeSignupRequired') return make('no-channel', 'The connected Google account has no YouTube channel. Ask IT to connect an account that has one.', detail, 'reconnect');
  if (status === 401) return new TokenRejected(errors.reconnect('token-rejected', detail));
  if (status === 403 && (reason === 'quotaExceeded' || reason === 'dailyLimitExceeded')) {
    return make('quota-exceeded', "The organisation's YouTube app has used up its uploads for today. YouTube resets the allowance at midnight Pacific time; Airlock will try again later.", detail, 'later');
  }
  if (reason === 'uploadLimitExceeded') return make('upload-limit', 'This YouTube channel has reached the number of videos it may upload today. Try again tomorrow.', detail, 'later');
  if (status === 429 || reason === 'rateLimitExceeded') {
    const wait = parseRetryAfter(answer.headers['retry-after'], nowMs);
    return new TransientFailure(errors.rateLimited(detail, wait), wait);
  }
  // §5.2: 500, 502, 503 and 504 are worth a resume; any other 5xx is not.
  if ([500, 502, 503, 504].includes(status)) return new TransientFailure(errors.unavailable(detail));
  if (status === 403 && (reason === 'forbidden' || reason === 'insufficientPermissions')) {
    return make('forbidden', 'The YouTube connection does not allow uploading videos. Ask IT to reconnect the account and allow uploads.', detail, 'reconnect');
  }
  if (reason === 'invalidTitle') return make('invalid-title', 'YouTube did not accept the title. Titles need 1 to 100 characters, without < or >.', detail, 'fix');
  if (reason === 'invalidDescription') return make('invalid-description', 'YouTube did not accept the description. It may have at most 5000 bytes, without < or >.', detail, 'fix');
  return make('refused', 'YouTube did not accept the video. Nothing was published. Ask IT to look at the details.', detail, 'fix');
}

function readState(raw: Record<string, unknown>): YouTubeJobState {
  const saved = isRecord(raw.result) ? raw.result : null;
  const result: PublishResult | undefined = saved && typeof saved.remoteId === 'string' ? { remoteId: saved.remoteId, url: typeof saved.url === 'string' ? saved.url : null, outcome: 'published' } : undefined;
  return {
    sessionUri: typeof raw.sessionUri === 'string' ? raw.sessionUri : null,
    total: Number.isSafeInteger(raw.total) ? (raw.total as number) : 0,
    confirmed: Number.isSafeInteger(raw.confirmed) ? (raw.confirmed as number) : 0,
    allSent: raw.allSent === true,
    ...(result ? { result } : {}),
  };
}

/** `Range: bytes=0-N` → N + 1; no Range → 0 (§5.2 step 3). */
function rangeEnd(headers: Answer['headers']): number | null {
  const value = headers.range;
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return 0;
  const m = /^bytes=0-(\d+)$/.exec(text.trim());
  return m ? Number(m[1]) + 1 : null;
}

/** Bytes [start, start + bytes) of the file, read a piece at a time, counting as they go. */
export function fileRange(path: string, start: number, bytes: number, pieceBytes: number, onRead: (read: number) => void): Readable {
  async function* pieces(): AsyncGenerator<Buffer> {
    const stream = createReadStream(path, { start, end: start + bytes - 1, highWaterMark: pieceBytes });
    let read = 0;
    try {
      for await (const piece of stream as AsyncIterable<Buffer>) {
        read += piece.length;
        onRead(read);
        yield piece;
      }
    } finally {
      stream.destroy();
    }
    if (read !== bytes) throw new Error(`the file shrank while it was being sent (${read} of ${bytes} bytes)`);
  }
  return Readable.from(pieces(), { objectMode: false, highWaterMark: pieceBytes });
}

class YouTubePublishJob {
  readonly #s: Settings;
  readonly #request: PublishRequest;
  readonly #context: PublishContext;
  readonly #api: BearerSession;
  readonly #apiBase: string;
  #report: ReturnType<typeof monotonicProgress> | null = null;

  constructor(settings: Settings, request: PublishRequest, context: PublishContext, refreshes: Map<string, Promise<AccountCredentials>>) {
    this.#s = settings;
    this.#request = request;
    this.#context = context;
    this.#apiBase = context.account.apiBase.replace(/\/+$/, '');
    this.#api = new BearerSession({
      http: context.http,
      signal: context.signal,
      requester: YOUTUBE_REQUESTER,
      retry: settings.retry,
      now: settings.now,
      timeoutMs: settings.timeoutMs,
      errors,
      label: 'YouTube',
      credentials: context.credentials,
      saveCredentials: context.saveCredentials,
      appCredentials: settings.appCredentials,
      tokenUrl: youtubeTokenUrl(this.#apiBase),
      clientAuth: 'form',
      refreshMarginMs: settings.refreshMarginMs,
      refreshes,
      accountKey: `${context.account.apiBase} ${context.account.accountId}`,
      classify: (answer, what) => classifyGoogleAnswer(answer, what, settings.now()),
    });
  }

  async publish(): Promise<PublishResult> {
    const video = this.#video();
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    if (state.sessionUri && state.total === video.bytes) {
      try {
        const done = await this.#query(state);
        if (done) return this.#finish(state, done);
        return await this.#upload(state);
      } catch (err) {
        if (!(err instanceof SessionLost)) throw err;
        if (state.allSent) throw this.#outcomeUnknown(err.message);
        // Nothing was published under a session that never had all its bytes; start again.
      }
    }
    return this.#fresh(0);
  }

  async reconcile(): Promise<PublishResult | null> {
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    if (!state.sessionUri) return null;
    try {
      const done = await this.#query(state);
      return done ? this.#finish(state, done) : null;
    } catch (err) {
      if (!(err instanceof SessionLost)) throw err;
      if (state.allSent) throw this.#outcomeUnknown(err.message);
      return null;
    }
  }

  #video() {
    const { media } = this.#request;
    const video = media[0];
    const fix = (code: string, message: string, detail: string) => errors.make(code, message, detail, 'fix');
    if (media.length !== 1 || !video || video.kind !== 'video') throw fix('one-video', 'A YouTube upload needs exactly one video.', `request has ${media.length} media item(s)`);
    if (video.bytes > YOUTUBE_LIMITS.fileMaxBytes) throw fix('video-too-large', "The video is larger than YouTube's limit of 256 GB.", `${video.bytes} bytes`);
    return video;
  }

  /** §5.2 body: the editor's `options.youtube` title and description (the caption when empty), and the privacy staff chose (never a default). */
  #metadata() {
    const o = this.#request.options;
    const title = typeof o.title === 'string' ? o.title.trim() : '';
    const description = typeof o.description === 'string' && o.description.trim() !== '' ? o.description : this.#request.caption;
    const privacy = youtubePrivacy(o);
    if (!title) throw errors.make('title-missing', 'YouTube needs a title. Add one in the post editor.', 'options.youtube.title is empty', 'fix');
    if (!privacy) throw errors.make('privacy-missing', 'Nobody chose who can watch this video on YouTube, so it was not sent. Choose public, unlisted or private in the post editor.', 'options.youtube.privacy is not public, unlisted or private', 'fix');
    return {
      snippet: { title, description, categoryId: typeof o.categoryId === 'string' && /^\d+$/.test(o.categoryId) ? o.categoryId : '22' },
      status: { privacyStatus: privacy, selfDeclaredMadeForKids: o.madeForKids === true, containsSyntheticMedia: o.aiGenerated === true },
    };
  }

  #progress(phase: 'uploading' | 'processing' | 'creating', bytes: number, total: number, force = false): void {
    this.#report ??= monotonicProgress(this.#context.onProgress, total);
    this.#report(phase, bytes, force);
  }

  async #save(state: YouTubeJobState): Promise<void> {
    await this.#context.checkpoint.save({ ...state });
  }

  async #fresh(restarts: number): Promise<PublishResult> {
    const video = this.#video();
    const metadata = this.#metadata();
    let size: number;
    try {
      size = (await stat(video.path)).size;
    } catch (err) {
      throw errors.fileUnreadable(`stat failed: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (size !== video.bytes || size === 0) {
      throw errors.make('file-changed', 'The video in the library is not the one that was approved. Nothing was sent. Ask IT to look at the details.', `file has ${size} bytes, the post expects ${video.bytes}`, 'fix');
    }
    this.#progress('creating', 0, size, true);
    const what = `POST ${YOUTUBE_PATHS.upload} (start session)`;
    const answer = await this.#api.request({
      method: 'POST',
      url: `${this.#apiBase}${YOUTUBE_PATHS.upload}?uploadType=resumable&part=snippet,status`,
      what,
      headers: { 'X-Upload-Content-Length': String(size), 'X-Upload-Content-Type': video.contentType.startsWith('video/') ? video.contentType : 'application/octet-stream' },
      json: metadata,
    });
    const location = answer.headers.location;
    const sessionUri = Array.isArray(location) ? location[0] : location;
    if (!sessionUri) throw errors.make('bad-response', 'YouTube did not start the upload as expected. Nothing was published; Airlock will try again later.', `${what}: answer has no Location`, 'retry');
    // The session must stay with YouTube's API hosts (or the simulator's origin): never follow it elsewhere.
    if (new URL(sessionUri, this.#apiBase).origin !== new URL(this.#apiBase).origin) {
      throw errors.make('bad-response', 'YouTube answered in a way Airlock does not trust. Nothing was published. Ask IT to look at the details.', `${what}: Location points to another host`, 'fix');
    }
    const state: YouTubeJobState = { sessionUri: new URL(sessionUri, this.#apiBase).href, total: size, confirmed: 0, allSent: false };
    await this.#save(state);
    try {
      return await this.#upload(state);
    } catch (err) {
      if (!(err instanceof SessionLost)) throw err;
      if (state.allSent) throw this.#outcomeUnknown(err.message);
      if (restarts < 1) return this.#fresh(restarts + 1);
      throw errors.make('session-expired', 'YouTube stopped accepting the video part way through, twice. Nothing was published. Try again later.', `${err.message} (after starting over once)`, 'retry');
    }
  }

  /** §5.2 step 3: how much YouTube holds, or the video if the upload already finished. */
  async #query(state: YouTubeJobState): Promise<PublishResult | null> {
    const answer = await this.#api.request({
      method: 'PUT',
      url: state.sessionUri!,
      what: 'PUT session (status query)',
      headers: { 'Content-Range': `bytes */${state.total}`, 'Content-Length': '0' },
      accept: [308],
    });
    if (answer.status !== 308) return this.#readVideo(answer);
    const held = rangeEnd(answer.headers);
    if (held === null || held > state.total) throw errors.make('upload-out-of-step', 'YouTube and Airlock disagree about how much of the video has arrived, so Airlock stopped. Send the post again.', `status query answered Range ${String(answer.headers.range)}`, 'retry');
    state.confirmed = held;
    await this.#save(state);
    return null;
  }

  /** Chunks from what YouTube holds to the end; after a failure, asks again before resending. */
  async #upload(state: YouTubeJobState): Promise<PublishResult> {
    const video = this.#video();
    const total = state.total;
    this.#progress('uploading', state.confirmed, total, true);
    for (;;) {
      const result = await this.#api.retrying(async (attempt) => {
        // Never assume a whole chunk landed: after any failure the session says where to go on.
        if (attempt > 1) {
          const done = await this.#query(state);
          if (done) return done;
        }
        return this.#putChunk(state, video.path);
      });
      if (result) return this.#finish(state, result);
    }
  }

  async #putChunk(state: YouTubeJobState, path: string): Promise<PublishResult | null> {
    const total = state.total;
    const start = state.confirmed;
    const bytes = Math.min(this.#s.chunkBytes, total - start);
    const last = start + bytes - 1;
    if (last === total - 1) {
      state.allSent = true;
      await this.#save(state);
    }
    const answer = await this.#api.once({
      method: 'PUT',
      url: state.sessionUri!,
      what: `PUT session bytes ${start}-${last}/${total}`,
      upload: () => ({
        body: fileRange(path, start, bytes, this.#s.pieceBytes, (read) => this.#progress('uploading', start + read, total)),
        headers: { 'Content-Type': this.#request.media[0]!.contentType, 'Content-Length': String(bytes), 'Content-Range': `bytes ${start}-${last}/${total}` },
      }),
      accept: [308],
    });
    if (answer.status !== 308) return this.#readVideo(answer);
    const held = rangeEnd(answer.headers);
    if (held === null || held > total || held < start) throw errors.make('upload-out-of-step', 'YouTube and Airlock disagree about how much of the video has arrived, so Airlock stopped. Send the post again.', `chunk answered Range ${String(answer.headers.range)}`, 'retry');
    state.confirmed = held;
    await this.#save(state);
    this.#progress('uploading', held, total, true);
    return null;
  }

  #readVideo(answer: Answer): PublishResult {
    const body = parseJson(answer.raw);
    const id = isRecord(body) && typeof body.id === 'string' ? body.id : null;
    if (!id || !/^[A-Za-z0-9_-]{6,20}$/.test(id)) {
      throw errors.make('bad-response', 'YouTube finished the upload but its answer could not be read. Check the channel on YouTube before sending it again.', `final answer HTTP ${answer.status} lacks a video id`, 'fix');
    }
    return { remoteId: id, url: `https://www.youtube.com/watch?v=${id}`, outcome: 'published' };
  }

  #outcomeUnknown(why: string): PublishError {
    return errors.make(
      'outcome-unknown',
      'Airlock sent this video to YouTube before, but YouTube no longer says what became of it. Check the channel on YouTube before sending it again.',
      `${why}; every byte had been sent under the expired session`,
      'fix',
    );
  }

  async #finish(state: YouTubeJobState, result: PublishResult): Promise<PublishResult> {
    this.#progress('processing', state.total, state.total, true);
    await this.#save({ ...state, result });
    return result;
  }
}

export function createYouTubeAdapter(options: YouTubeAdapterOptions = {}): PlatformAdapter {
  const step = YOUTUBE_LIMITS.chunkMultiple;
  const settings: Settings = {
    chunkBytes: Math.max(step, Math.floor((options.chunkBytes ?? 8 * 1024 * 1024) / step) * step),
    pieceBytes: options.pieceBytes ?? 256 * 1024,
    retry: retryPolicy(options, errors.aborted),
    now: options.now ?? Date.now,
    appCredentials: options.appCredentials,
    refreshMarginMs: options.refreshMarginMs ?? 5 * 60_000,
    timeoutMs: options.timeoutMs,
  };
  const refreshes = new Map<string, Promise<AccountCredentials>>();
  const guard = <T>(context: PublishContext, work: () => Promise<T>): Promise<T> =>
    guardJob(context, errors.aborted, work, (err) =>
      err instanceof SessionLost ? errors.make('session-expired', 'YouTube no longer knows the upload. Nothing was published; send the post again.', err.message, 'retry') : err,
    );
  return {
    platform: 'youtube',
    check: (facts) => checkPostForPlatform('youtube', facts),
    publish: (request, context) => guard(context, () => new YouTubePublishJob(settings, request, context, refreshes).publish()),
    reconcile: (request, context) => guard(context, () => new YouTubePublishJob(settings, request, context, refreshes).reconcile()),
  };
}
