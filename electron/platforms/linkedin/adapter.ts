// Publishes an organisation post to LinkedIn (../shared/platform-apis.md §7): a video through
// the Videos API (initializeUpload, each part PUT exactly as the instructions cut it, streamed
// from the library, its ETag kept, finalizeUpload with the ETags in order, status read until
// AVAILABLE) or a photo through the Images API, then POST /rest/posts with the media URN. Every
// REST call names the LinkedIn-Version. The upload instructions and each part's ETag are
// checkpointed, so a job run again sends only the parts LinkedIn has not confirmed; a post whose
// answer was lost is found among the organisation's posts before anything is sent again.
import { stat } from 'node:fs/promises';
import type { AccountCredentials } from '../../services/vault/vault.ts';
import type { PlatformAdapter, PublishContext, PublishMedia, PublishRequest, PublishResult } from '../adapter.ts';
import { AlreadyPosted, bearerSettings, guardJob, jobSession, type BearerSession, monotonicProgress, parseJson, TokenRejected, type Answer, type BearerAdapterOptions, type BearerRequest } from '../bearer-session.ts';
import { oneMediaOrText } from '../one-media.ts';
import { checkPostForPlatform } from '../post-rules.ts';
import { clip, publishErrors } from '../publish-error.ts';
import { parseRetryAfter, TransientFailure } from '../retry.ts';
import { fileRange } from '../youtube/adapter.ts';
import {
  escapeLittleText,
  LINKEDIN_DEFAULT_VERSION,
  LINKEDIN_IMAGE_TYPES,
  LINKEDIN_LIMITS,
  LINKEDIN_PATHS,
  LINKEDIN_RESTLI_VERSION,
  linkedInTokenUrl,
  organizationUrn,
  trustedUploadOrigin,
} from './protocol.ts';

export const LINKEDIN_REQUESTER = 'publish:linkedin';

export interface LinkedInAdapterOptions extends BearerAdapterOptions {
  /** `LinkedIn-Version` (YYYYMM) sent on every REST call. */
  apiVersion?: string;
  /** Bytes read from the library at a time while a part streams. Default 256 KiB. */
  pieceBytes?: number;
  /** Wait between status reads while LinkedIn processes a video. Default 5 s. */
  pollIntervalMs?: number;
  /** Status reads before the job is left for a later run. Default 60. */
  maxPolls?: number;
}

interface Instruction {
  url: string;
  first: number;
  last: number;
}

/** What the job keeps between attempts (through `context.checkpoint`). */
export interface LinkedInJobState {
  /** The video or image URN, once initialized. */
  mediaUrn: string | null;
  mediaTotal: number;
  /** Video: the finalize token, the parts and the ETag of each part LinkedIn confirmed. */
  uploadToken: string | null;
  instructions: Instruction[];
  etags: (string | null)[];
  /** True once every part (or the image) arrived and, for a video, finalize was accepted. */
  uploaded: boolean;
  /** Set just before POST /rest/posts is first sent: from then on the post may exist. */
  postingSince: number | null;
  result?: PublishResult;
}

type Settings = ReturnType<typeof bearerSettings> & { apiVersion: string; pieceBytes: number; pollIntervalMs: number; maxPolls: number };

const errors = publishErrors('linkedin', 'LinkedIn');

/** An upload URL or media LinkedIn no longer knows (404): only a new upload helps. */
class UploadLost extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** LinkedIn's `{status, code, serviceErrorCode, message}` as the right kind of failure, in plain words. */
export function classifyLinkedInAnswer(answer: Answer, what: string, nowMs: number): Error {
  const body = parseJson(answer.raw);
  const code = isRecord(body) && typeof body.code === 'string' ? body.code : '';
  const service = isRecord(body) && typeof body.serviceErrorCode === 'number' ? body.serviceErrorCode : null;
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : '';
  const detail = `${what} answered HTTP ${answer.status}${code ? ` code=${clip(code, 60)}` : ''}${service === null ? '' : ` serviceErrorCode=${service}`}${message ? `: ${clip(message)}` : ''}`;
  const { status } = answer;
  const make = errors.make;
  if (status === 404) return new UploadLost(detail);
  if (status === 401) return new TokenRejected(errors.reconnect('token-rejected', detail));
  if (status === 426 || code === 'NONEXISTENT_VERSION' || code === 'VERSION_MISSING') {
    return make('version-retired', 'LinkedIn no longer accepts the version of its API this copy of Airlock uses. Nothing was published. Ask IT to update Airlock.', detail, 'fix');
  }
  if (status === 403) {
    return make('not-allowed', 'LinkedIn did not allow posting for this organisation. The account that was connected must be an administrator of the LinkedIn page and allow posting. Ask IT to reconnect it.', detail, 'reconnect');
  }
  if (status === 429) {
    const wait = parseRetryAfter(answer.headers['retry-after'], nowMs);
    return new TransientFailure(errors.rateLimited(detail, wait), wait);
  }
  if ([500, 502, 503, 504].includes(status)) return new TransientFailure(errors.unavailable(detail));
  if (code === 'FIELD_LENGTH_TOO_LONG') return make('text-too-long', `LinkedIn posts may have at most ${LINKEDIN_LIMITS.commentaryMaxChars} characters. Shorten the text in the post editor.`, detail, 'fix');
  return make('refused', 'LinkedIn did not accept the post. Nothing was published. Ask IT to look at the details.', detail, 'fix');
}

function readState(raw: Record<string, unknown>): LinkedInJobState {
  const saved = isRecord(raw.result) ? raw.result : null;
  const result: PublishResult | undefined = saved && typeof saved.remoteId === 'string' ? { remoteId: saved.remoteId, url: typeof saved.url === 'string' ? saved.url : null, outcome: 'published' } : undefined;
  const instructions = Array.isArray(raw.instructions)
    ? raw.instructions.filter((i): i is Instruction => isRecord(i) && typeof i.url === 'string' && Number.isSafeInteger(i.first) && Number.isSafeInteger(i.last))
    : [];
  const etags = Array.isArray(raw.etags) ? raw.etags.map((e) => (typeof e === 'string' ? e : null)) : [];
  return {
    mediaUrn: typeof raw.mediaUrn === 'string' ? raw.mediaUrn : null,
    mediaTotal: Number.isSafeInteger(raw.mediaTotal) ? (raw.mediaTotal as number) : 0,
    uploadToken: typeof raw.uploadToken === 'string' ? raw.uploadToken : null,
    instructions,
    etags: instructions.map((_, i) => etags[i] ?? null),
    uploaded: raw.uploaded === true,
    postingSince: Number.isSafeInteger(raw.postingSince) ? (raw.postingSince as number) : null,
    ...(result ? { result } : {}),
  };
}

const empty = (): LinkedInJobState => ({ mediaUrn: null, mediaTotal: 0, uploadToken: null, instructions: [], etags: [], uploaded: false, postingSince: null });

class LinkedInPublishJob {
  readonly #s: Settings;
  readonly #request: PublishRequest;
  readonly #context: PublishContext;
  readonly #api: BearerSession;
  readonly #apiBase: string;
  readonly #author: string;
  #report: ReturnType<typeof monotonicProgress> | null = null;

  constructor(settings: Settings, request: PublishRequest, context: PublishContext, refreshes: Map<string, Promise<AccountCredentials>>) {
    this.#s = settings;
    this.#request = request;
    this.#context = context;
    this.#apiBase = context.account.apiBase.replace(/\/+$/, '');
    this.#author = organizationUrn(context.account.accountId);
    this.#api = jobSession(context, settings, {
      requester: LINKEDIN_REQUESTER,
      errors,
      label: 'LinkedIn',
      tokenUrl: linkedInTokenUrl(this.#apiBase),
      clientAuth: 'form',
      refreshes,
      classify: (answer, what) => classifyLinkedInAnswer(answer, what, settings.now()),
    });
  }

  async publish(): Promise<PublishResult> {
    const media = this.#media();
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    // A post that may already exist is looked up (in #create) before it is sent again.
    if (media && state.postingSince === null) {
      try {
        await this.#ensureMedia(state, media);
      } catch (err) {
        if (!(err instanceof UploadLost)) throw err;
        // The upload URLs expired before every part arrived: nothing was posted; start again once.
        Object.assign(state, empty());
        await this.#save(state);
        await this.#ensureMedia(state, media);
      }
    }
    return this.#create(state);
  }

  async reconcile(): Promise<PublishResult | null> {
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    if (state.postingSince === null) return null;
    const found = await this.#findPosted(state);
    return found ? this.#finish(state, found) : null;
  }

  /** The one photo or video, checked against §7.2's limits before anything is sent; null for a text post. */
  #media(): PublishMedia | null {
    const fix = (code: string, message: string, detail: string) => errors.make(code, message, detail, 'fix');
    const m = oneMediaOrText(this.#request, errors, 'LinkedIn', 'LinkedIn');
    if (!m) return null;
    if (m.kind === 'video' && (m.bytes < LINKEDIN_LIMITS.videoMinBytes || m.bytes > LINKEDIN_LIMITS.videoMaxBytes)) {
      throw fix('video-size', 'LinkedIn takes videos from 75 KB to 500 MB. This video is outside that range.', `${m.bytes} bytes`);
    }
    if (m.kind === 'image' && m.bytes > LINKEDIN_LIMITS.imageMaxBytes) throw fix('image-too-large', 'LinkedIn takes photos of up to 5 MB. This photo is larger.', `${m.bytes} bytes`);
    if (m.kind === 'image' && !(LINKEDIN_IMAGE_TYPES as readonly string[]).includes(m.contentType)) {
      throw fix('image-format', 'LinkedIn takes photos in JPEG, PNG or GIF format only.', `content type ${m.contentType}`);
    }
    return m;
  }

  #progress(phase: 'uploading' | 'processing' | 'creating', bytes: number, force = false): void {
    const total = this.#request.media[0]?.bytes ?? 0;
    this.#report ??= monotonicProgress(this.#context.onProgress, total);
    this.#report(phase, bytes, force);
  }

  async #save(state: LinkedInJobState): Promise<void> {
    await this.#context.checkpoint.save({ ...state, instructions: state.instructions.map((i) => ({ ...i })), etags: [...state.etags] });
  }

  /** Every REST call names the version and Rest.li 2.0.0 (§7.1). */
  #rest(request: BearerRequest): Promise<Answer> {
    return this.#api.request({ ...request, headers: { 'LinkedIn-Version': this.#s.apiVersion, 'X-Restli-Protocol-Version': LINKEDIN_RESTLI_VERSION, ...request.headers } });
  }

  async #ensureMedia(state: LinkedInJobState, media: PublishMedia): Promise<void> {
    if (state.mediaUrn && state.mediaTotal === media.bytes && state.uploaded) return this.#waitAvailable(state);
    if (!state.mediaUrn || state.mediaTotal !== media.bytes) await this.#initialize(state, media);
    if (media.kind === 'video') {
      for (let i = 0; i < state.instructions.length; i++) {
        if (state.etags[i] === null) await this.#putPart(state, media, i);
      }
      await this.#rest({
        method: 'POST',
        url: `${this.#apiBase}${LINKEDIN_PATHS.videos}?action=finalizeUpload`,
        what: `POST ${LINKEDIN_PATHS.videos}?action=finalizeUpload`,
        json: { finalizeUploadRequest: { video: state.mediaUrn, uploadToken: state.uploadToken ?? '', uploadedPartIds: state.etags } },
      });
    } else {
      await this.#putPart(state, media, 0);
    }
    state.uploaded = true;
    await this.#save(state);
    await this.#waitAvailable(state);
  }

  async #initialize(state: LinkedInJobState, media: PublishMedia): Promise<void> {
    let size: number;
    try {
      size = (await stat(media.path)).size;
    } catch (err) {
      throw errors.fileUnreadable(`stat failed: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (size !== media.bytes || size === 0) {
      throw errors.make('file-changed', 'The file in the library is not the one that was approved. Nothing was sent. Ask IT to look at the details.', `file has ${size} bytes, the post expects ${media.bytes}`, 'fix');
    }
    this.#progress('uploading', 0, true);
    const video = media.kind === 'video';
    const path = video ? LINKEDIN_PATHS.videos : LINKEDIN_PATHS.images;
    const what = `POST ${path}?action=initializeUpload`;
    const answer = await this.#rest({
      method: 'POST',
      url: `${this.#apiBase}${path}?action=initializeUpload`,
      what,
      json: { initializeUploadRequest: video ? { owner: this.#author, fileSizeBytes: size, uploadCaptions: false, uploadThumbnail: false } : { owner: this.#author } },
    });
    const body = parseJson(answer.raw);
    const value = isRecord(body) && isRecord(body.value) ? body.value : {};
    const bad = (why: string) => errors.make('bad-response', 'LinkedIn did not start the upload as expected. Nothing was published; Airlock will try again later.', `${what}: ${why}`, 'retry');
    const urn = video ? value.video : value.image;
    if (typeof urn !== 'string' || !urn.startsWith(video ? 'urn:li:video:' : 'urn:li:image:')) throw bad('answer lacks the media URN');
    let instructions: Instruction[];
    if (video) {
      const list = Array.isArray(value.uploadInstructions) ? value.uploadInstructions : [];
      instructions = list.map((i) => (isRecord(i) ? { url: String(i.uploadUrl ?? ''), first: Number(i.firstByte), last: Number(i.lastByte) } : { url: '', first: NaN, last: NaN }));
      // The parts must cover the file exactly, in order, with no gap or overlap.
      const covers = instructions.length > 0 && instructions.every((p, i) => Number.isSafeInteger(p.first) && p.last >= p.first && p.first === (i === 0 ? 0 : instructions[i - 1]!.last + 1)) && instructions.at(-1)!.last === size - 1;
      if (!covers) throw bad('upload instructions do not cover the file');
      if (typeof value.uploadToken !== 'string') throw bad('answer lacks uploadToken');
    } else {
      instructions = [{ url: String(value.uploadUrl ?? ''), first: 0, last: size - 1 }];
    }
    // Upload URLs must stay with LinkedIn's hosts (or the simulator's origin): never follow them elsewhere.
    if (!instructions.every((p) => trustedUploadOrigin(this.#apiBase, p.url))) {
      throw errors.make('bad-response', 'LinkedIn answered in a way Airlock does not trust. Nothing was published. Ask IT to look at the details.', `${what}: an upload URL points to another host`, 'fix');
    }
    Object.assign(state, { mediaUrn: urn, mediaTotal: size, uploadToken: video ? (value.uploadToken as string) : null, instructions, etags: instructions.map(() => null), uploaded: false });
    await this.#save(state);
  }

  /** §7.2 step 2: exactly bytes first..last, streamed; the part's ETag kept without quotes. */
  async #putPart(state: LinkedInJobState, media: PublishMedia, index: number): Promise<void> {
    const part = state.instructions[index]!;
    const bytes = part.last - part.first + 1;
    const done = state.instructions.reduce((sum, p, i) => sum + (state.etags[i] !== null ? p.last - p.first + 1 : 0), 0);
    const answer = await this.#api.request({
      method: 'PUT',
      url: part.url,
      what: `PUT upload part ${index + 1} of ${state.instructions.length} (bytes ${part.first}-${part.last})`,
      // The upload URL carries its own authority.
      anonymous: true,
      upload: () => ({
        body: fileRange(media.path, part.first, bytes, this.#s.pieceBytes, (read) => this.#progress('uploading', done + read)),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes) },
      }),
    });
    if (media.kind === 'video') {
      const etag = header(answer.headers.etag)?.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
      if (!etag) throw errors.make('bad-response', 'LinkedIn did not confirm part of the video. Nothing was published; Airlock will try again later.', `part ${index + 1}: answer has no ETag`, 'retry');
      state.etags[index] = etag;
      await this.#save(state);
    }
    this.#progress('uploading', done + bytes, true);
  }

  /** §7.2 step 4: read the status until AVAILABLE. */
  async #waitAvailable(state: LinkedInJobState): Promise<void> {
    const urn = state.mediaUrn!;
    const video = urn.startsWith('urn:li:video:');
    const path = video ? LINKEDIN_PATHS.video(urn) : LINKEDIN_PATHS.image(urn);
    for (let polls = 0; ; polls++) {
      this.#progress('processing', state.mediaTotal, true);
      const answer = await this.#rest({ method: 'GET', url: `${this.#apiBase}${path}`, what: `GET ${video ? LINKEDIN_PATHS.videos : LINKEDIN_PATHS.images}/{urn}` });
      const body = parseJson(answer.raw);
      const status = isRecord(body) && typeof body.status === 'string' ? body.status : '';
      if (status === 'AVAILABLE') return;
      if (status === 'PROCESSING_FAILED') {
        const reason = isRecord(body) && typeof body.processingFailureReason === 'string' ? `: ${clip(body.processingFailureReason)}` : '';
        // A new upload of the same file would fail the same way; the file must change.
        throw errors.make('processing-failed', 'LinkedIn could not process the video. Nothing was published. Check that it is an MP4 of 3 seconds to 30 minutes, or ask IT to look at the details.', `${urn} ended PROCESSING_FAILED${reason}`, 'fix');
      }
      if (polls + 1 >= this.#s.maxPolls) {
        throw errors.make('still-processing', 'LinkedIn is still processing the video. Airlock will check again later; the post will not be sent twice.', `${urn} still ${status || 'unknown'} after ${polls + 1} reads`, 'retry');
      }
      await this.#s.retry.sleep(this.#s.pollIntervalMs, this.#context.signal);
    }
  }

  /** §7.3: the post, created once. */
  async #create(state: LinkedInJobState): Promise<PublishResult> {
    const media = this.#request.media[0];
    const alt = media?.kind === 'image' && media.altText ? { altText: media.altText } : {};
    const body = {
      author: this.#author,
      commentary: escapeLittleText(this.#request.caption),
      visibility: 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      ...(state.mediaUrn && media ? { content: { media: { id: state.mediaUrn, ...alt } } } : {}),
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    };
    const earlier = state.postingSince !== null;
    state.postingSince ??= this.#s.now();
    await this.#save(state);
    this.#progress('creating', state.mediaTotal, true);
    let attempts = earlier ? 1 : 0;
    let answer: Answer;
    try {
      answer = await this.#rest({
        method: 'POST',
        url: `${this.#apiBase}${LINKEDIN_PATHS.posts}`,
        what: `POST ${LINKEDIN_PATHS.posts}`,
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
      if (err instanceof UploadLost) {
        throw errors.make('media-lost', 'LinkedIn no longer knows the uploaded media. Nothing was published; send the post again.', err.message, 'retry');
      }
      throw err;
    }
    const id = header(answer.headers['x-restli-id']);
    if (!id || !/^urn:li:(share|ugcPost):\d+$/.test(id)) {
      const found = await this.#findPosted(state);
      if (found) return this.#finish(state, found);
      throw errors.make('bad-response', 'LinkedIn sent an answer Airlock could not read. Airlock will check whether the post went out before trying again.', `POST ${LINKEDIN_PATHS.posts}: answer lacks x-restli-id`, 'retry');
    }
    return this.#finish(state, resultFor(id));
  }

  /** The post an earlier attempt created, among the organisation's recent posts, or null. */
  async #findPosted(state: LinkedInJobState): Promise<PublishResult | null> {
    const query = new URLSearchParams({ q: 'author', author: this.#author, count: '20', sortBy: 'LAST_MODIFIED' });
    const answer = await this.#rest({ method: 'GET', url: `${this.#apiBase}${LINKEDIN_PATHS.posts}?${query}`, what: `GET ${LINKEDIN_PATHS.posts}?q=author` });
    const body = parseJson(answer.raw);
    const elements = isRecord(body) && Array.isArray(body.elements) ? body.elements : [];
    const commentary = escapeLittleText(this.#request.caption);
    const since = (state.postingSince ?? 0) - 10 * 60_000;
    for (const p of elements) {
      if (!isRecord(p) || typeof p.id !== 'string') continue;
      if (typeof p.createdAt === 'number' && p.createdAt < since) continue;
      const theirs = isRecord(p.content) && isRecord(p.content.media) && typeof p.content.media.id === 'string' ? p.content.media.id : null;
      // A media URN is this upload's own; without media, the text as sent.
      const same = state.mediaUrn ? theirs === state.mediaUrn : theirs === null && p.commentary === commentary;
      if (same) return resultFor(p.id);
    }
    return null;
  }

  async #finish(state: LinkedInJobState, result: PublishResult): Promise<PublishResult> {
    await this.#save({ ...state, result });
    return result;
  }
}

function resultFor(urn: string): PublishResult {
  return { remoteId: urn, url: `https://www.linkedin.com/feed/update/${urn}/`, outcome: 'published' };
}

export function createLinkedInAdapter(options: LinkedInAdapterOptions = {}): PlatformAdapter {
  const settings: Settings = {
    apiVersion: options.apiVersion ?? LINKEDIN_DEFAULT_VERSION,
    pieceBytes: options.pieceBytes ?? 256 * 1024,
    pollIntervalMs: options.pollIntervalMs ?? 5000,
    maxPolls: options.maxPolls ?? 60,
    ...bearerSettings(options, errors.aborted),
  };
  const refreshes = new Map<string, Promise<AccountCredentials>>();
  const guard = <T>(context: PublishContext, work: () => Promise<T>): Promise<T> =>
    guardJob(context, errors.aborted, work, (err) =>
      err instanceof UploadLost ? errors.make('upload-expired', 'LinkedIn no longer accepts the upload. Nothing was published; send the post again.', err.message, 'retry') : err,
    );
  return {
    platform: 'linkedin',
    check: (facts) => checkPostForPlatform('linkedin', facts),
    publish: (request, context) => guard(context, () => new LinkedInPublishJob(settings, request, context, refreshes).publish()),
    reconcile: (request, context) => guard(context, () => new LinkedInPublishJob(settings, request, context, refreshes).reconcile()),
  };
}
