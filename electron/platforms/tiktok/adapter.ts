// Publishes one video to TikTok through the Content Posting API (../shared/platform-apis.md §1):
// creator_info, Direct Post or inbox init, chunked upload, status polling. Every step is
// checkpointed so a restarted job resumes, and a post whose fate is unknown is never re-sent.
import { stat } from 'node:fs/promises';
import type { PlatformAdapter, PublishContext, PublishMedia, PublishRequest, PublishResult } from '../adapter.ts';
import { checkPostForPlatform } from '../post-rules.ts';
import { retryPolicy, type RetryOptions } from '../retry.ts';
import { checkChunkPlan, DEFAULT_CHUNK_BYTES, planChunks, type ChunkPlan } from './chunks.ts';
import {
  isTikTokPrivacyLevel,
  TIKTOK_LIMITS,
  TIKTOK_SCOPES,
  TIKTOK_VIDEO_MIME_TYPES,
  type TikTokCreatorInfo,
  type TikTokPrivacyLevel,
} from './protocol.ts';
import { toTikTokPostInfo, validateTikTokPost, type TikTokPostDraft, type TikTokRuleIssue } from './rules.ts';
import type { AccountCredentials, AppCredentials } from '../../services/vault/vault.ts';
import { isRecord, TikTokApiSession, type JsonRecord, type TikTokStatusReport } from './tiktok-adapter-api.ts';
import { abortedError, platformError, throwIfAborted, TikTokPublishError, type RetryPolicy } from './tiktok-adapter-retry.ts';
import { uploadChunks, UploadSessionLost } from './tiktok-adapter-upload.ts';

export { TikTokPublishError } from './tiktok-adapter-retry.ts';

export interface TikTokAdapterOptions extends RetryOptions {
  /** Preferred chunk size in bytes; clamped to TikTok's rules (§1.4). Default 10,000,000. */
  chunkSize?: number;
  /** Pause between status polls. Default 5 s (status allows 30 calls a minute, §1.7). */
  pollIntervalMs?: number;
  /** Status polls before the job reports "still processing" and leaves the rest to reconcile. Default 120. */
  maxPolls?: number;
  /** Extra polls for a public post's id while TikTok moderates it (§1.7). Default 3. */
  moderationPolls?: number;
  now?: () => number;
  /** The organisation's TikTok app (client_key, client_secret), needed to refresh tokens (§1.1). */
  appCredentials?: () => Promise<AppCredentials | null>;
  /** Renew the access token this long before it expires. Default 5 minutes. */
  refreshMarginMs?: number;
  /** Longest silence on one request. Default: the egress client's. */
  timeoutMs?: number;
  /**
   * The policy's choice (tiktok.postMode): 'inbox' sends every video to the account's TikTok
   * inbox as a draft, whatever the post's own option says. Absent: each post's option decides.
   */
  mode?: 'direct' | 'inbox';
}

/** What the job keeps between attempts (through `context.checkpoint`). */
export interface TikTokJobState {
  publishId: string;
  uploadUrl: string | null;
  chunksDone: number;
  plan: ChunkPlan | null;
  mode: 'direct' | 'inbox';
  /** §1.3: `upload_url` lives one hour from init. */
  uploadUrlExpiresAt: number;
  privacyLevel: TikTokPrivacyLevel | null;
  username: string | null;
  result?: PublishResult;
}

interface Settings {
  chunkSize: number;
  pollIntervalMs: number;
  maxPolls: number;
  moderationPolls: number;
  mode?: 'direct' | 'inbox';
  retry: RetryPolicy;
  now: () => number;
  appCredentials: (() => Promise<AppCredentials | null>) | undefined;
  refreshMarginMs: number;
  timeoutMs: number | undefined;
}

/** Resumes only while the upload URL still has this long to live, so no chunk races its expiry. */
const URL_SAFETY_MS = 2 * 60_000;
/** Progress events while a chunk streams: at most one per this many bytes. */
const PROGRESS_STEP_BYTES = 1024 * 1024;

const fix = (code: string, message: string, detail: string) => new TikTokPublishError(`publish.tiktok.${code}`, message, detail, 'fix');

/** Reads a checkpoint back; anything unrecognisable counts as no publish started. */
export function readJobState(raw: Record<string, unknown>): TikTokJobState | null {
  if (typeof raw.publishId !== 'string' || raw.publishId === '') return null;
  const plan = isRecord(raw.plan) ? (raw.plan as unknown as ChunkPlan) : null;
  const validPlan = plan && checkChunkPlan(plan).length === 0 ? { videoSize: plan.videoSize, chunkSize: plan.chunkSize, totalChunkCount: plan.totalChunkCount } : null;
  const saved = isRecord(raw.result) ? raw.result : null;
  const outcome = saved?.outcome === 'published' || saved?.outcome === 'sent-to-inbox' ? saved.outcome : null;
  const result: PublishResult | undefined =
    saved && outcome && typeof saved.remoteId === 'string' ? { remoteId: saved.remoteId, url: typeof saved.url === 'string' ? saved.url : null, outcome } : undefined;
  return {
    publishId: raw.publishId,
    uploadUrl: typeof raw.uploadUrl === 'string' ? raw.uploadUrl : null,
    chunksDone: Number.isSafeInteger(raw.chunksDone) && (raw.chunksDone as number) >= 0 ? (raw.chunksDone as number) : 0,
    plan: validPlan,
    mode: raw.mode === 'inbox' ? 'inbox' : 'direct',
    uploadUrlExpiresAt: typeof raw.uploadUrlExpiresAt === 'number' ? raw.uploadUrlExpiresAt : 0,
    privacyLevel: isTikTokPrivacyLevel(raw.privacyLevel) ? raw.privacyLevel : null,
    username: typeof raw.username === 'string' ? raw.username : null,
    ...(result ? { result } : {}),
  };
}

function bytesForChunks(plan: ChunkPlan, chunks: number): number {
  return chunks >= plan.totalChunkCount ? plan.videoSize : chunks * plan.chunkSize;
}

/** The post's TikTok options (the editor's `options.tiktok`) as a rules draft. */
function draftFrom(request: PublishRequest): TikTokPostDraft {
  const o = request.options;
  const commercial = isRecord(o.commercialContent) ? o.commercialContent : null;
  return {
    mode: o.mode === 'inbox' ? 'inbox' : 'direct',
    caption: request.caption,
    privacyLevel: isTikTokPrivacyLevel(o.privacyLevel) ? o.privacyLevel : null,
    allowComments: o.allowComments === true,
    allowDuet: o.allowDuet === true,
    allowStitch: o.allowStitch === true,
    aiGenerated: o.aiGenerated === true,
    ...(commercial
      ? { commercialContent: { disclosed: commercial.disclosed === true, yourBrand: commercial.yourBrand === true, brandedContent: commercial.brandedContent === true } }
      : {}),
    ...(typeof o.coverTimestampMs === 'number' && Number.isFinite(o.coverTimestampMs) ? { coverTimestampMs: o.coverTimestampMs } : {}),
  };
}

function progressReporter(onProgress: PublishContext['onProgress']) {
  // The UI draws a bar: it never moves backwards, even when a chunk is sent a second time.
  let high = 0;
  let lastSent = -Infinity;
  return (phase: 'uploading' | 'processing' | 'creating', bytes: number, total: number, force = false): void => {
    high = Math.min(total, Math.max(high, bytes));
    if (!force && high - lastSent < PROGRESS_STEP_BYTES && high !== total) return;
    lastSent = high;
    onProgress({ phase, bytesDone: high, bytesTotal: total });
  };
}

class TikTokPublishJob {
  readonly #s: Settings;
  readonly #request: PublishRequest;
  readonly #context: PublishContext;
  readonly #api: TikTokApiSession;
  readonly #draft: TikTokPostDraft;
  readonly #mode: 'direct' | 'inbox';
  readonly #progress: ReturnType<typeof progressReporter>;

  constructor(settings: Settings, request: PublishRequest, context: PublishContext, refreshes: Map<string, Promise<AccountCredentials>>) {
    this.#s = settings;
    this.#request = request;
    this.#context = context;
    this.#draft = draftFrom(request);
    this.#mode = settings.mode ?? this.#draft.mode ?? 'direct';
    this.#progress = progressReporter(context.onProgress);
    this.#api = new TikTokApiSession({
      http: context.http,
      apiBase: context.account.apiBase.replace(/\/+$/, ''),
      signal: context.signal,
      credentials: context.credentials,
      saveCredentials: context.saveCredentials,
      appCredentials: settings.appCredentials,
      retry: settings.retry,
      now: settings.now,
      refreshMarginMs: settings.refreshMarginMs,
      timeoutMs: settings.timeoutMs,
      refreshes,
      accountKey: `${context.account.apiBase} ${context.account.accountId}`,
    });
  }

  async publish(): Promise<PublishResult> {
    throwIfAborted(this.#context.signal);
    const media = this.#video();
    const saved = readJobState(await this.#context.checkpoint.load());
    if (saved?.result) return saved.result;
    await this.#checkScopes();
    if (saved) {
      const resumed = await this.#resume(saved, media);
      if (resumed) return resumed;
    }
    return this.#fresh(media, 0);
  }

  async reconcile(): Promise<PublishResult | null> {
    throwIfAborted(this.#context.signal);
    const saved = readJobState(await this.#context.checkpoint.load());
    if (saved?.result) return saved.result;
    if (!saved) return null;
    const report = await this.#statusOrNull(saved);
    if (!report || report.status === 'FAILED') return null;
    const uploading = report.status === 'PROCESSING_UPLOAD' && (!saved.plan || (report.uploadedBytes ?? 0) < saved.plan.videoSize);
    // Half uploaded: nothing can have been posted; publish() carries the upload on.
    if (uploading) return null;
    const settled = await this.#poll(saved, report);
    return settled.status === 'FAILED' ? null : this.#finish(saved, settled);
  }

  /** Picks up a publish an earlier attempt started; null when starting over is safe and needed. */
  async #resume(saved: TikTokJobState, media: PublishMedia): Promise<PublishResult | null> {
    const report = await this.#statusOrNull(saved);
    if (!report) return null;
    switch (report.status) {
      case 'PUBLISH_COMPLETE':
      case 'SEND_TO_USER_INBOX':
      case 'PROCESSING_DOWNLOAD':
      case 'FAILED':
        return this.#finish(saved, await this.#poll(saved, report));
      case 'PROCESSING_UPLOAD': {
        const plan = saved.plan;
        const held = report.uploadedBytes ?? (plan ? bytesForChunks(plan, saved.chunksDone) : 0);
        if (plan && held >= plan.videoSize) return this.#finish(saved, await this.#poll(saved, report));
        // The half-sent publish is abandoned; TikTok drops it when its upload URL expires (§1.3).
        if (!plan || !saved.uploadUrl || plan.videoSize !== media.bytes || this.#s.now() >= saved.uploadUrlExpiresAt - URL_SAFETY_MS) return null;
        try {
          await this.#upload(saved, media, held);
        } catch (err) {
          if (err instanceof UploadSessionLost) return null;
          throw err;
        }
        return this.#finish(saved, await this.#poll(saved));
      }
    }
  }

  /** creator_info, checks, init, upload, poll: one new publish on TikTok. */
  async #fresh(media: PublishMedia, restarts: number): Promise<PublishResult> {
    const creator = this.#mode === 'direct' ? await this.#api.creatorInfo() : null;
    if (creator) this.#checkAgainstCreator(creator, media);
    const size = await this.#fileSize(media);
    const plan = planChunks(size, this.#s.chunkSize);
    this.#progress('creating', 0, size, true);
    const sourceInfo = { source: 'FILE_UPLOAD', video_size: plan.videoSize, chunk_size: plan.chunkSize, total_chunk_count: plan.totalChunkCount };
    const body: JsonRecord = creator ? { post_info: toTikTokPostInfo(this.#draft, creator), source_info: sourceInfo } : { source_info: sourceInfo };
    const init = await this.#api.initVideo(this.#mode, body);
    const state: TikTokJobState = {
      publishId: init.publishId,
      uploadUrl: init.uploadUrl,
      chunksDone: 0,
      plan,
      mode: this.#mode,
      uploadUrlExpiresAt: this.#s.now() + TIKTOK_LIMITS.uploadUrlSeconds * 1000,
      privacyLevel: this.#draft.privacyLevel ?? null,
      username: creator?.creator_username ?? null,
    };
    await this.#save(state);
    try {
      await this.#upload(state, media, 0);
    } catch (err) {
      if (!(err instanceof UploadSessionLost)) throw err;
      if (restarts < 1) return this.#fresh(media, restarts + 1);
      throw new TikTokPublishError(
        'publish.tiktok.upload-expired',
        'TikTok stopped accepting the video part way through, twice. Nothing was published. Try again later.',
        `${err.message} (after starting over once)`,
        'retry',
      );
    }
    return this.#finish(state, await this.#poll(state));
  }

  async #upload(state: TikTokJobState, media: PublishMedia, startAt: number): Promise<void> {
    const plan = state.plan!;
    this.#progress('uploading', startAt, plan.videoSize, true);
    await uploadChunks({
      http: this.#context.http,
      signal: this.#context.signal,
      retry: this.#s.retry,
      now: this.#s.now,
      timeoutMs: this.#s.timeoutMs,
      uploadUrl: state.uploadUrl!,
      plan,
      path: media.path,
      contentType: media.contentType,
      startAt,
      uploadedBytes: async () => (await this.#api.status(state.publishId)).uploadedBytes,
      onBytes: (bytes) => this.#progress('uploading', bytes, plan.videoSize),
      onChunk: async (chunksDone, held) => {
        state.chunksDone = chunksDone;
        await this.#save(state);
        this.#progress('uploading', held, plan.videoSize, true);
      },
    });
  }

  /** Polls status/fetch until the publish settles (§1.7); a public post also waits a little for its id. */
  async #poll(state: TikTokJobState, first?: TikTokStatusReport): Promise<TikTokStatusReport> {
    const total = state.plan?.videoSize ?? 0;
    let report = first;
    let moderation = this.#s.moderationPolls;
    for (let polls = 0; ; ) {
      if (!report) {
        report = await this.#api.status(state.publishId);
        polls += 1;
      }
      this.#progress('processing', total, total, true);
      if (report.status === 'FAILED' || report.status === 'SEND_TO_USER_INBOX') return report;
      if (report.status === 'PUBLISH_COMPLETE' && (report.postIds.length > 0 || state.privacyLevel !== 'PUBLIC_TO_EVERYONE' || moderation-- <= 0)) return report;
      if (polls >= this.#s.maxPolls) {
        throw new TikTokPublishError(
          'publish.tiktok.still-processing',
          'TikTok is still processing the video. Airlock will check again; the post will not be sent twice.',
          `publish_id ${state.publishId} still ${report.status} after ${polls} polls`,
          'retry',
        );
      }
      await this.#s.retry.sleep(this.#s.pollIntervalMs, this.#context.signal);
      throwIfAborted(this.#context.signal);
      report = undefined;
    }
  }

  /** Records a settled publish; a failed one is forgotten so that a deliberate retry starts over. */
  async #finish(state: TikTokJobState, report: TikTokStatusReport): Promise<PublishResult> {
    if (report.status === 'FAILED') {
      await this.#context.checkpoint.save({ lastFailedPublishId: state.publishId, lastFailReason: report.failReason });
      throw platformError(report.failReason ?? 'unknown', `publish_id ${state.publishId} FAILED with fail_reason ${report.failReason ?? '(none)'}`);
    }
    const inbox = report.status === 'SEND_TO_USER_INBOX';
    const postId = report.postIds[0];
    const result: PublishResult = inbox
      ? { remoteId: state.publishId, url: null, outcome: 'sent-to-inbox' }
      : {
          remoteId: postId ?? state.publishId,
          url: postId && state.username ? `https://www.tiktok.com/@${encodeURIComponent(state.username)}/video/${postId}` : null,
          outcome: 'published',
        };
    await this.#save({ ...state, result });
    return result;
  }

  /** status/fetch of a saved publish; null when TikTok no longer knows it and nothing can have been posted. */
  async #statusOrNull(saved: TikTokJobState): Promise<TikTokStatusReport | null> {
    try {
      return await this.#api.status(saved.publishId);
    } catch (err) {
      if (!(err instanceof TikTokPublishError) || err.code !== 'publish.tiktok.invalid_publish_id') throw err;
      if (saved.plan && saved.chunksDone >= saved.plan.totalChunkCount) {
        // Every byte went, so TikTok may have posted it: sending again could post it twice.
        throw fix(
          'outcome-unknown',
          'Airlock sent this video to TikTok before, but TikTok no longer says what became of it. Check the account on TikTok before sending it again.',
          `${err.detail ?? ''}; publish_id ${saved.publishId} had all ${saved.plan.totalChunkCount} chunks uploaded`,
        );
      }
      return null;
    }
  }

  async #save(state: TikTokJobState): Promise<void> {
    await this.#context.checkpoint.save({ ...state, ...(state.plan ? { plan: { ...state.plan } } : {}) });
  }

  #video(): PublishMedia {
    const { media } = this.#request;
    const video = media[0];
    if (media.length !== 1 || !video || video.kind !== 'video') {
      throw fix('one-video', 'A TikTok post from Airlock needs exactly one video.', `request has ${media.length} media item(s): ${media.map((m) => m.kind).join(', ')}`);
    }
    if (!(TIKTOK_VIDEO_MIME_TYPES as readonly string[]).includes(video.contentType)) {
      throw fix('video-format', 'TikTok accepts MP4, MOV or WebM videos only.', `content type ${video.contentType.slice(0, 60)}`);
    }
    if (video.bytes > TIKTOK_LIMITS.videoMaxBytes) throw fix('video-too-large', "The video is larger than TikTok's limit of 4 GB.", `${video.bytes} bytes`);
    return video;
  }

  async #fileSize(media: PublishMedia): Promise<number> {
    let size: number;
    try {
      size = (await stat(media.path)).size;
    } catch (err) {
      throw fix('file-unreadable', 'Airlock could not find the video in its library. Nothing was sent. Ask IT to look at the details.', `stat failed: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (size !== media.bytes || size === 0) {
      throw fix('file-changed', 'The video in the library is not the one that was approved. Nothing was sent. Ask IT to look at the details.', `file has ${size} bytes, the post expects ${media.bytes}`);
    }
    return size;
  }

  /** The token's scopes, when known, must cover the flow (§1.1): say so before anything is sent. */
  async #checkScopes(): Promise<void> {
    const { scopes } = await this.#context.credentials();
    const needed = this.#mode === 'direct' ? 'video.publish' : 'video.upload';
    if (scopes && scopes.some((s) => (TIKTOK_SCOPES as readonly string[]).includes(s)) && !scopes.includes(needed)) {
      throw new TikTokPublishError(
        'publish.tiktok.scope_not_authorized',
        this.#mode === 'direct'
          ? 'The TikTok connection does not allow posting. Ask IT to reconnect the account and allow posting.'
          : 'The TikTok connection does not allow sending drafts. Ask IT to reconnect the account and allow uploads.',
        `token scopes ${scopes.join(',')} lack ${needed}`,
        'reconnect',
      );
    }
  }

  /** §1.2/§1.3: the audience, the duration and the creator's own settings, before any byte goes. */
  #checkAgainstCreator(creator: TikTokCreatorInfo, media: PublishMedia): void {
    const issues: TikTokRuleIssue[] = validateTikTokPost(this.#draft, creator).errors.filter((e) => e.code !== 'tiktok.video-missing');
    const maxSec = Math.min(Number(creator.max_video_post_duration_sec) || TIKTOK_LIMITS.videoApiMaxDurationSec, TIKTOK_LIMITS.videoApiMaxDurationSec);
    if (media.durationMs !== null && media.durationMs / 1000 > maxSec) {
      issues.push({
        field: 'video.durationSec',
        code: 'tiktok.video-too-long',
        message: `The video is ${Math.round(media.durationMs / 1000)} seconds long; this TikTok account accepts at most ${maxSec} seconds.`,
      });
    }
    const first = issues[0];
    if (!first) return;
    throw new TikTokPublishError(
      `publish.${first.code}`,
      issues.map((i) => i.message).join(' '),
      `refused before upload: ${issues.map((i) => i.code).join(', ')}; creator offers ${creator.privacy_level_options.join(',')}, max ${creator.max_video_post_duration_sec} s`,
      'fix',
    );
  }
}

export function createTikTokAdapter(options: TikTokAdapterOptions = {}): PlatformAdapter {
  const settings: Settings = {
    chunkSize: options.chunkSize ?? DEFAULT_CHUNK_BYTES,
    pollIntervalMs: options.pollIntervalMs ?? 5000,
    maxPolls: options.maxPolls ?? 120,
    moderationPolls: options.moderationPolls ?? 3,
    ...(options.mode ? { mode: options.mode } : {}),
    retry: retryPolicy(options, abortedError),
    now: options.now ?? Date.now,
    appCredentials: options.appCredentials,
    refreshMarginMs: options.refreshMarginMs ?? 5 * 60_000,
    timeoutMs: options.timeoutMs,
  };
  const refreshes = new Map<string, Promise<AccountCredentials>>();
  const guard = <T>(context: PublishContext, work: () => Promise<T>): Promise<T> =>
    work().catch((err: unknown) => {
      // A cancelled job says so, whatever broke underneath it.
      throw context.signal.aborted ? abortedError() : err;
    });
  return {
    platform: 'tiktok',
    check: (facts) => checkPostForPlatform('tiktok', facts),
    publish: (request, context) => guard(context, () => new TikTokPublishJob(settings, request, context, refreshes).publish()),
    reconcile: (request, context) => guard(context, () => new TikTokPublishJob(settings, request, context, refreshes).reconcile()),
  };
}
