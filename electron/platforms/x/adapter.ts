// Publishes a post to X through API v2 (../shared/platform-apis.md §2): each photo or the video
// sent through the chunked media endpoints in segments read from the library one at a time,
// processing polled at X's pace, each photo's or GIF's description (alt text) set on its media
// id, then POST /2/tweets. Every step is checkpointed; a post whose fate is unknown is looked up
// among the account's recent posts, never sent blind a second time.
import { stat } from 'node:fs/promises';
import type { AccountCredentials, AppCredentials } from '../../services/vault/vault.ts';
import type { PlatformAdapter, PublishContext, PublishMedia, PublishRequest, PublishResult } from '../adapter.ts';
import { AlreadyPosted, BearerSession, guardJob, monotonicProgress, parseJson, TokenRejected, type Answer, type BearerAdapterOptions } from '../bearer-session.ts';
import { multipartFileBody } from '../mastodon/mastodon-multipart.ts';
import { checkPostForPlatform } from '../post-rules.ts';
import { clip, PublishError, publishErrors } from '../publish-error.ts';
import { parseRetryAfter, retryPolicy, TransientFailure, type RetryPolicy } from '../retry.ts';
import { X_DUPLICATE_DETAIL, X_LIMITS, X_MEDIA_TYPES, X_PATHS, xAltTextLength, type XMediaCategory, type XProcessingInfo } from './protocol.ts';

export const X_REQUESTER = 'publish:x';

export interface XAdapterOptions extends BearerAdapterOptions {
  /** Bytes per append segment; at most 4 MiB (§2.2), grown only to stay within 1000 segments. Default 4 MiB. */
  segmentBytes?: number;
  /** Bytes read from the library at a time while a segment streams. Default 256 KiB. */
  pieceBytes?: number;
  /** STATUS polls before the job reports "still processing". Default 120. */
  maxPolls?: number;
}

interface XMediaState {
  cleanSha256: string;
  mediaId: string;
  mediaKey: string;
  segmentBytes: number;
  segmentsDone: number;
  finalized: boolean;
  ready: boolean;
  /** The description X confirmed for this media id; null until one is set. */
  altText: string | null;
  /** Epoch ms after which X no longer knows the media id. */
  expiresAt: number;
}

/** What the job keeps between attempts (through `context.checkpoint`). */
export interface XJobState {
  userId: string | null;
  username: string | null;
  media: (XMediaState | null)[];
  /** Set just before POST /2/tweets is first sent: from then on the post may exist. */
  creatingSince: number | null;
  result?: PublishResult;
}

interface Settings {
  segmentBytes: number;
  pieceBytes: number;
  maxPolls: number;
  retry: RetryPolicy;
  now: () => number;
  appCredentials: (() => Promise<AppCredentials | null>) | undefined;
  refreshMarginMs: number;
  timeoutMs: number | undefined;
}

const errors = publishErrors('x', 'X');
/** A media id this close to expiry is not worth resuming. */
const MEDIA_SAFETY_MS = 60 * 60_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** §2.4: wait until `x-rate-limit-reset` (epoch seconds); Retry-After if a proxy sent one. */
export function xRateLimitWaitMs(headers: Answer['headers'], nowMs: number): number | undefined {
  const retryAfter = parseRetryAfter(headers['retry-after'], nowMs);
  if (retryAfter !== undefined) return retryAfter;
  const reset = header(headers['x-rate-limit-reset'])?.trim();
  return reset && /^\d{1,12}$/.test(reset) ? Math.max(0, Number(reset) * 1000 - nowMs) : undefined;
}

/** Reads X's RFC 7807 problem (§2.4) into the right kind of failure, in words staff can act on. */
export function classifyXAnswer(answer: Answer, what: string, nowMs: number): Error {
  const body = parseJson(answer.raw);
  const title = isRecord(body) && typeof body.title === 'string' ? body.title : '';
  const detailText = isRecord(body) && typeof body.detail === 'string' ? body.detail : '';
  const type = isRecord(body) && typeof body.type === 'string' ? body.type : '';
  const firstError = isRecord(body) && Array.isArray(body.errors) && isRecord(body.errors[0]) && typeof body.errors[0].message === 'string' ? body.errors[0].message : '';
  const detail = `${what} answered HTTP ${answer.status}${title ? `: ${clip(title, 80)}` : ''}${detailText ? ` (${clip(detailText)})` : ''}${firstError ? ` ${clip(firstError)}` : ''}${type && type !== 'about:blank' ? ` [${clip(type, 100)}]` : ''}`;
  const { status } = answer;
  if (status === 401) return new TokenRejected(errors.reconnect('token-rejected', detail));
  if (status === 429 || type.endsWith('/rate-limit-exceeded')) {
    const wait = xRateLimitWaitMs(answer.headers, nowMs);
    return new TransientFailure(errors.rateLimited(detail, wait), wait);
  }
  if (status >= 500) return new TransientFailure(errors.unavailable(detail));
  if (status === 403 && detailText === X_DUPLICATE_DETAIL) {
    return errors.make('duplicate', 'X will not publish the same text twice from one account. Change the caption and send the post again.', detail, 'fix');
  }
  if (status === 403 && type.endsWith('/usage-capped')) return errors.make('usage-capped', "The organisation's X app has used up its posting allowance for now. Try again later, or ask IT.", detail, 'later');
  if (status === 403 && (type.endsWith('/client-forbidden') || type.endsWith('/not-authorized-for-resource'))) {
    return errors.make('forbidden', 'X does not let this account or the organisation\'s X app post. Ask IT to check the X connection and the app\'s access.', detail, 'reconnect');
  }
  if (status === 404) return errors.make('not-found', 'X no longer knows a photo or video Airlock uploaded. Nothing was published; send the post again.', detail, 'retry');
  return errors.make('refused', 'X did not accept the post. Nothing was published. Ask IT to look at the details.', detail, 'fix');
}

function readState(raw: Record<string, unknown>): XJobState {
  const media = Array.isArray(raw.media)
    ? raw.media.map((m): XMediaState | null =>
        isRecord(m) && typeof m.mediaId === 'string' && typeof m.mediaKey === 'string' && typeof m.cleanSha256 === 'string' && Number.isSafeInteger(m.segmentBytes) && Number.isSafeInteger(m.segmentsDone)
          ? {
              cleanSha256: m.cleanSha256,
              mediaId: m.mediaId,
              mediaKey: m.mediaKey,
              segmentBytes: m.segmentBytes as number,
              segmentsDone: m.segmentsDone as number,
              finalized: m.finalized === true,
              ready: m.ready === true,
              altText: typeof m.altText === 'string' ? m.altText : null,
              expiresAt: typeof m.expiresAt === 'number' ? m.expiresAt : 0,
            }
          : null,
      )
    : [];
  const saved = isRecord(raw.result) ? raw.result : null;
  const result: PublishResult | undefined = saved && typeof saved.remoteId === 'string' ? { remoteId: saved.remoteId, url: typeof saved.url === 'string' ? saved.url : null, outcome: 'published' } : undefined;
  return {
    userId: typeof raw.userId === 'string' ? raw.userId : null,
    username: typeof raw.username === 'string' ? raw.username : null,
    media,
    creatingSince: typeof raw.creatingSince === 'number' ? raw.creatingSince : null,
    ...(result ? { result } : {}),
  };
}

/** A post's text with every link as one token: X returns links rewritten to t.co (§2.3). */
function linksAside(text: string): string {
  return text.replace(/https?:\/\/\S+/g, '<link>').trim();
}

/** The description to set on X: a photo's or GIF's alt text; none for a video, whose metadata X does not take. */
function altTextOf(media: PublishMedia): string {
  return media.kind === 'video' ? '' : (media.altText?.trim() ?? '');
}

function categoryOf(media: PublishMedia): XMediaCategory {
  if (media.kind === 'video') return 'tweet_video';
  return media.contentType === 'image/gif' ? 'tweet_gif' : 'tweet_image';
}

class XPublishJob {
  readonly #s: Settings;
  readonly #request: PublishRequest;
  readonly #context: PublishContext;
  readonly #api: BearerSession;
  readonly #apiBase: string;
  readonly #total: number;
  readonly #report: ReturnType<typeof monotonicProgress>;

  constructor(settings: Settings, request: PublishRequest, context: PublishContext, refreshes: Map<string, Promise<AccountCredentials>>) {
    this.#s = settings;
    this.#request = request;
    this.#context = context;
    this.#apiBase = context.account.apiBase.replace(/\/+$/, '');
    this.#total = request.media.reduce((n, m) => n + m.bytes, 0);
    this.#report = monotonicProgress(context.onProgress, this.#total);
    this.#api = new BearerSession({
      http: context.http,
      signal: context.signal,
      requester: X_REQUESTER,
      retry: settings.retry,
      now: settings.now,
      timeoutMs: settings.timeoutMs,
      errors,
      label: 'X',
      credentials: context.credentials,
      saveCredentials: context.saveCredentials,
      appCredentials: settings.appCredentials,
      tokenUrl: `${this.#apiBase}${X_PATHS.token}`,
      clientAuth: 'basic',
      refreshMarginMs: settings.refreshMarginMs,
      refreshes,
      accountKey: `${context.account.apiBase} ${context.account.accountId}`,
      classify: (answer, what) => classifyXAnswer(answer, what, settings.now()),
    });
  }

  async publish(): Promise<PublishResult> {
    this.#checkMedia();
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    await this.#me(state);
    // A post that may already exist is looked up (in #create) before it is sent again.
    for (let i = 0; i < this.#request.media.length; i++) await this.#ensureMedia(state, i, 0);
    return this.#create(state);
  }

  async reconcile(): Promise<PublishResult | null> {
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    if (state.creatingSince === null) return null;
    await this.#me(state);
    const found = await this.#findPosted(state);
    return found ? this.#finish(state, found) : null;
  }

  #progress(phase: 'uploading' | 'processing' | 'creating', bytes: number, force = false): void {
    this.#report(phase, bytes, force);
  }

  async #save(state: XJobState): Promise<void> {
    await this.#context.checkpoint.save({ ...state, media: state.media.map((m) => (m ? { ...m } : null)) });
  }

  #checkMedia(): void {
    const { media } = this.#request;
    const fix = (code: string, message: string, detail: string) => errors.make(code, message, detail, 'fix');
    const videos = media.filter((m) => m.kind === 'video').length;
    if (media.length > X_LIMITS.maxMediaPerPost) throw fix('too-many', 'X allows up to 4 photos in a post.', `${media.length} media items`);
    if (videos > 0 && media.length > 1) throw fix('one-video', 'A post on X can have one video, without photos.', `${videos} video(s) among ${media.length} items`);
    media.forEach((m, i) => {
      const length = xAltTextLength(altTextOf(m));
      if (length > X_LIMITS.altTextMaxChars) throw fix('alt-too-long', `The description of photo ${i + 1} is longer than X allows (${X_LIMITS.altTextMaxChars} characters). Nothing was sent; shorten it and send the post again.`, `item ${i + 1}: alt text of ${length} characters, limit ${X_LIMITS.altTextMaxChars}`);
    });
    for (const m of media) {
      if (!(X_MEDIA_TYPES as readonly string[]).includes(m.contentType)) throw fix('media-format', 'X does not accept this kind of file.', `content type ${m.contentType.slice(0, 60)}`);
      const category = categoryOf(m);
      const limit = category === 'tweet_image' ? X_LIMITS.imageMaxBytes : category === 'tweet_gif' ? X_LIMITS.gifMaxBytes : X_LIMITS.videoMaxBytes;
      if (m.bytes > limit) {
        throw fix('media-too-large', category === 'tweet_image' ? "A photo is larger than X's limit of 5 MB." : category === 'tweet_gif' ? "The GIF is larger than X's limit of 15 MB." : "The video is larger than X's limit of 512 MB.", `${m.bytes} bytes, limit ${limit}`);
      }
    }
  }

  async #me(state: XJobState): Promise<void> {
    if (state.userId) return;
    const answer = await this.#api.request({ method: 'GET', url: `${this.#apiBase}${X_PATHS.me}`, what: `GET ${X_PATHS.me}` });
    const data = (parseJson(answer.raw) as { data?: { id?: unknown; username?: unknown } } | undefined)?.data;
    if (typeof data?.id !== 'string' || typeof data.username !== 'string') {
      throw errors.make('bad-response', 'X sent an answer Airlock could not read. Airlock will try again later; ask IT if it keeps happening.', `GET ${X_PATHS.me}: answer lacks data.id or data.username`, 'retry');
    }
    state.userId = data.id;
    state.username = data.username;
    await this.#save(state);
  }

  /** The bytes of media before `index`, for one progress bar over the whole post. */
  #offsetOf(index: number): number {
    return this.#request.media.slice(0, index).reduce((n, m) => n + m.bytes, 0);
  }

  async #ensureMedia(state: XJobState, index: number, restarts: number): Promise<void> {
    const media = this.#request.media[index]!;
    let m = state.media[index] ?? null;
    if (m && (m.cleanSha256 !== media.cleanSha256 || m.expiresAt - this.#s.now() < MEDIA_SAFETY_MS)) m = null;
    try {
      if (!m || !m.ready) {
        m ??= await this.#initialize(state, index, media);
        if (!m.finalized) {
          await this.#appendFrom(state, m, index, media);
          await this.#finalize(state, m);
        }
        await this.#awaitProcessing(state, m, index);
      }
      // A resumed job sends the description again unless the checkpoint says X confirmed it:
      // setting it twice on one media id is harmless, a post without it is not what was approved.
      await this.#describe(state, m, index);
    } catch (err) {
      // X forgot the media (expired, or a resumed id it no longer has): upload it afresh, once.
      if (err instanceof PublishError && err.code === 'publish.x.not-found' && restarts < 1) {
        state.media[index] = null;
        await this.#save(state);
        return this.#ensureMedia(state, index, restarts + 1);
      }
      throw err;
    }
  }

  async #initialize(state: XJobState, index: number, media: PublishMedia): Promise<XMediaState> {
    let size: number;
    try {
      size = (await stat(media.path)).size;
    } catch (err) {
      throw errors.fileUnreadable(`stat failed: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (size !== media.bytes || size === 0) {
      throw errors.make('file-changed', 'A file in the library is not the one that was approved. Nothing was sent. Ask IT to look at the details.', `file has ${size} bytes, the post expects ${media.bytes}`, 'fix');
    }
    const segmentBytes = Math.max(this.#s.segmentBytes, Math.ceil(size / X_LIMITS.maxSegments));
    this.#progress('uploading', this.#offsetOf(index), true);
    const answer = await this.#api.request({
      method: 'POST',
      url: `${this.#apiBase}${X_PATHS.mediaInitialize}`,
      what: `POST ${X_PATHS.mediaInitialize}`,
      json: { media_type: media.contentType, total_bytes: size, media_category: categoryOf(media) },
    });
    const data = (parseJson(answer.raw) as { data?: { id?: unknown; media_key?: unknown; expires_after_secs?: unknown } } | undefined)?.data;
    if (typeof data?.id !== 'string' || typeof data.media_key !== 'string') {
      throw errors.make('bad-response', 'X did not confirm a photo or video upload as expected. Nothing was published; Airlock will try again later.', `POST ${X_PATHS.mediaInitialize}: answer lacks data.id or data.media_key`, 'retry');
    }
    const lifetime = typeof data.expires_after_secs === 'number' ? data.expires_after_secs * 1000 : 24 * 60 * 60_000;
    const m: XMediaState = { cleanSha256: media.cleanSha256, mediaId: data.id, mediaKey: data.media_key, segmentBytes, segmentsDone: 0, finalized: false, ready: false, altText: null, expiresAt: this.#s.now() + lifetime };
    state.media[index] = m;
    await this.#save(state);
    return m;
  }

  /** Appends every segment from the checkpoint's count on, each streamed from the file (§2.2 step 2). */
  async #appendFrom(state: XJobState, m: XMediaState, index: number, media: PublishMedia): Promise<void> {
    const count = Math.ceil(media.bytes / m.segmentBytes);
    const offset = this.#offsetOf(index);
    const path = X_PATHS.mediaAppend(m.mediaId);
    for (let segment = m.segmentsDone; segment < count; segment++) {
      const start = segment * m.segmentBytes;
      const bytes = Math.min(m.segmentBytes, media.bytes - start);
      const body = multipartFileBody([['segment_index', String(segment)]], { field: 'media', filename: 'blob', contentType: 'application/octet-stream', path: media.path, bytes, start }, this.#s.pieceBytes);
      await this.#api.request({
          method: 'POST',
          url: `${this.#apiBase}${path}`,
          what: `POST /2/media/upload/{id}/append segment ${segment + 1} of ${count}`,
          upload: () => ({
            body: body.open((read) => this.#progress('uploading', offset + start + read)),
            headers: { 'Content-Type': body.contentType, 'Content-Length': String(body.contentLength) },
          }),
        });
      m.segmentsDone = segment + 1;
      await this.#save(state);
      this.#progress('uploading', offset + start + bytes, true);
    }
  }

  async #finalize(state: XJobState, m: XMediaState): Promise<void> {
    const path = X_PATHS.mediaFinalize(m.mediaId);
    const answer = await this.#api.request({ method: 'POST', url: `${this.#apiBase}${path}`, what: 'POST /2/media/upload/{id}/finalize' });
    const data = (parseJson(answer.raw) as { data?: { processing_info?: XProcessingInfo } } | undefined)?.data;
    m.finalized = true;
    // §2.2: without processing_info the media is ready.
    if (!data?.processing_info) m.ready = true;
    await this.#save(state);
  }

  /** §2.2 step 4: STATUS at the pace X asks (`check_after_secs`) until it succeeds or fails. */
  async #awaitProcessing(state: XJobState, m: XMediaState, index: number): Promise<void> {
    const media = this.#request.media[index]!;
    for (let polls = 0; !m.ready; polls++) {
      const query = `?command=STATUS&media_id=${encodeURIComponent(m.mediaId)}`;
      const answer = await this.#api.request({ method: 'GET', url: `${this.#apiBase}${X_PATHS.mediaStatus}${query}`, what: 'GET /2/media/upload STATUS' });
      this.#progress('processing', this.#offsetOf(index) + media.bytes, true);
      const info = (parseJson(answer.raw) as { data?: { processing_info?: XProcessingInfo } } | undefined)?.data?.processing_info;
      if (!info || info.state === 'succeeded') {
        m.ready = true;
        await this.#save(state);
        return;
      }
      if (info.state === 'failed') {
        // Forgotten, so that a deliberate retry uploads the file afresh.
        state.media[index] = null;
        await this.#save(state);
        throw errors.make(
          'processing-failed',
          media.kind === 'video' ? 'X could not process the video (its format, length or size is not one X accepts). Nothing was published.' : 'X could not process a photo. Nothing was published.',
          `media ${m.mediaId} processing failed: ${clip(`${info.error?.name ?? ''} ${info.error?.message ?? ''}`.trim() || '(no reason given)')}`,
          'fix',
        );
      }
      if (polls + 1 >= this.#s.maxPolls) {
        throw errors.make('still-processing', 'X is still processing the video. Airlock will check again; the post will not be sent twice.', `media ${m.mediaId} still ${info.state} after ${polls + 1} polls`, 'retry');
      }
      const wait = Math.min(60, Math.max(1, Number(info.check_after_secs) || 1)) * 1000;
      await this.#s.retry.sleep(wait, this.#context.signal);
      if (this.#context.signal.aborted) throw errors.aborted();
    }
  }

  /**
   * A photo's or GIF's description, through X's "Create Media metadata"
   * (https://docs.x.com/x-api/media/create-media-metadata; the v1.1 reference,
   * developer.x.com/en/docs/media/upload-media/api-reference/post-media-metadata-create, says it is
   * for images and GIFs and is set after the upload finishes and before the post is created).
   */
  async #describe(state: XJobState, m: XMediaState, index: number): Promise<void> {
    const text = altTextOf(this.#request.media[index]!);
    // Once the post may exist its media are left alone: every description was confirmed before
    // `creatingSince` was first saved (a checkpoint from before descriptions were sent has none).
    if (text === '' || m.altText === text || state.creatingSince !== null) return;
    try {
      await this.#api.request({
        method: 'POST',
        url: `${this.#apiBase}${X_PATHS.mediaMetadata}`,
        what: `POST ${X_PATHS.mediaMetadata} for item ${index + 1}`,
        json: { id: m.mediaId, metadata: { alt_text: { text } } },
      });
    } catch (err) {
      if (err instanceof PublishError && err.code === 'publish.x.refused') {
        throw errors.make('alt-text-refused', `X did not accept the description (alt text) of photo ${index + 1}. Nothing was published. Ask IT to look at the details.`, err.detail, 'fix');
      }
      throw err;
    }
    m.altText = text;
    await this.#save(state);
  }

  /** POST /2/tweets (§2.3). After an attempt that went unanswered, the account's posts are checked first. */
  async #create(state: XJobState): Promise<PublishResult> {
    const mediaIds = state.media.slice(0, this.#request.media.length).map((m) => m!.mediaId);
    const body = { text: this.#request.caption, ...(mediaIds.length > 0 ? { media: { media_ids: mediaIds } } : {}) };
    const earlier = state.creatingSince !== null;
    state.creatingSince ??= this.#s.now();
    await this.#save(state);
    this.#progress('creating', this.#total, true);
    let attempts = earlier ? 1 : 0;
    let answer: Answer;
    try {
      answer = await this.#api.request({
        method: 'POST',
        url: `${this.#apiBase}${X_PATHS.tweets}`,
        what: `POST ${X_PATHS.tweets}`,
        json: body,
        beforeAttempt: async () => {
          if (attempts++ > 0) {
            const found = await this.#findPosted(state);
            if (found) throw new AlreadyPosted(found);
          }
        },
      });
    } catch (err) {
      if (err instanceof AlreadyPosted) return this.#finish(state, err.result);
      // A duplicate after an unanswered attempt is most likely that attempt's post.
      if (err instanceof PublishError && err.code === 'publish.x.duplicate' && attempts > 1) {
        const found = await this.#findPosted(state);
        if (found) return this.#finish(state, found);
      }
      throw err;
    }
    const data = (parseJson(answer.raw) as { data?: { id?: unknown } } | undefined)?.data;
    if (typeof data?.id !== 'string' || !/^\d+$/.test(data.id)) {
      const found = await this.#findPosted(state);
      if (found) return this.#finish(state, found);
      throw errors.make('bad-response', 'X sent an answer Airlock could not read. Airlock will check whether the post went out before trying again.', `POST ${X_PATHS.tweets}: answer lacks data.id`, 'retry');
    }
    return this.#finish(state, this.#resultFor(state, data.id));
  }

  #resultFor(state: XJobState, id: string): PublishResult {
    return { remoteId: id, url: state.username ? `https://x.com/${encodeURIComponent(state.username)}/status/${id}` : null, outcome: 'published' };
  }

  /** The post an earlier attempt created, among the account's recent posts, or null. */
  async #findPosted(state: XJobState): Promise<PublishResult | null> {
    if (!state.userId) return null;
    const path = X_PATHS.userTweets(state.userId);
    const answer = await this.#api.request({ method: 'GET', url: `${this.#apiBase}${path}?max_results=20&tweet.fields=created_at,attachments`, what: 'GET /2/users/{id}/tweets' });
    const data = (parseJson(answer.raw) as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(data)) return null;
    const keys = state.media.slice(0, this.#request.media.length).map((m) => m?.mediaKey ?? '');
    const since = (state.creatingSince ?? 0) - 10 * 60_000;
    for (const t of data) {
      if (!isRecord(t) || typeof t.id !== 'string') continue;
      const created = typeof t.created_at === 'string' ? Date.parse(t.created_at) : NaN;
      if (!Number.isNaN(created) && created < since) continue;
      const theirs = isRecord(t.attachments) && Array.isArray(t.attachments.media_keys) ? t.attachments.media_keys : [];
      // Media keys are this upload's own; without media, the text as sent (X shortens links to t.co).
      const same = keys.length > 0 ? keys.length === theirs.length && keys.every((k, i) => theirs[i] === k) : theirs.length === 0 && typeof t.text === 'string' && linksAside(t.text) === linksAside(this.#request.caption);
      if (same) return this.#resultFor(state, t.id);
    }
    return null;
  }

  async #finish(state: XJobState, result: PublishResult): Promise<PublishResult> {
    await this.#save({ ...state, result });
    return result;
  }
}

export function createXAdapter(options: XAdapterOptions = {}): PlatformAdapter {
  const settings: Settings = {
    segmentBytes: Math.min(X_LIMITS.maxSegmentBytes, Math.max(64 * 1024, options.segmentBytes ?? X_LIMITS.maxSegmentBytes)),
    pieceBytes: options.pieceBytes ?? 256 * 1024,
    maxPolls: options.maxPolls ?? 120,
    retry: retryPolicy(options, errors.aborted),
    now: options.now ?? Date.now,
    appCredentials: options.appCredentials,
    refreshMarginMs: options.refreshMarginMs ?? 5 * 60_000,
    timeoutMs: options.timeoutMs,
  };
  const refreshes = new Map<string, Promise<AccountCredentials>>();
  const guard = <T>(context: PublishContext, work: () => Promise<T>): Promise<T> => guardJob(context, errors.aborted, work);
  return {
    platform: 'x',
    check: (facts) => checkPostForPlatform('x', facts),
    publish: (request, context) => guard(context, () => new XPublishJob(settings, request, context, refreshes).publish()),
    reconcile: (request, context) => guard(context, () => new XPublishJob(settings, request, context, refreshes).reconcile()),
  };
}
