// Publishes one post to a Mastodon instance (../shared/platform-apis.md §4): verify the account,
// read the instance's limits, stream each photo or video up with its description, wait for
// processing, then create the status under the job's Idempotency-Key, checkpointing each step.
//
// Never posting twice. Mastodon keeps an Idempotency-Key for one hour after the status it made
// (§4.3), so a resend with the same key inside that window returns the same status. The window
// is counted, conservatively, from the first time this job sent its status; past it (less a
// margin for clock skew), Airlock first looks for the post among the account's recent statuses
// (by its media ids, which only one status can hold, or by its exact source text) and, when it
// cannot tell, stops with "check the account" rather than risk a second post.
//
// Credentials (AccountCredentials, platform 'mastodon'): `accessToken` only. Mastodon tokens have
// no expiry and no refresh token (§4.1); they end when revoked, which reads as "reconnect".
import { stat } from 'node:fs/promises';
import type { PlatformAdapter, PublishContext, PublishMedia, PublishRequest, PublishResult } from '../adapter.ts';
import { checkPostForPlatform } from '../post-rules.ts';
import { mastodonLength } from '../text-measure.ts';
import { MastodonApi, type MastodonAnswer } from './mastodon-api.ts';
import { backoffDelay, retryPolicy, type RetryOptions, type RetryPolicy } from '../retry.ts';
import { abortedError, explainMastodonAnswer, MastodonHttpError, mastodonError, MastodonPublishError, reconnectError } from './mastodon-errors.ts';
import { DEFAULT_PIECE_BYTES, multipartFileBody } from './mastodon-multipart.ts';
import {
  isMastodonVisibility,
  MASTODON_DEFAULT_LIMITS,
  MASTODON_IDEMPOTENCY_WINDOW_MS,
  MASTODON_PATHS,
  type MastodonLimits,
  type MastodonVisibility,
} from './mastodon-protocol.ts';

export { MastodonPublishError } from './mastodon-errors.ts';

export interface MastodonAdapterOptions extends RetryOptions {
  /** Pause between media status polls (§4.2). Default 2 s. */
  pollIntervalMs?: number;
  /** Polls per job before it reports "still processing" and leaves the rest to the next attempt. Default 150. */
  maxPolls?: number;
  now?: () => number;
  /** Longest silence on one request. Default: the egress client's. */
  timeoutMs?: number;
  /** Bytes read from the library file at a time; an upload's memory stays near this. Default 256 KiB. */
  pieceBytes?: number;
  /** How long an instance's configuration (§4.4) is trusted before it is read again. Default 10 minutes. */
  instanceCacheMs?: number;
  /**
   * Resends of the status with the same Idempotency-Key are trusted until this long after the
   * job first sent it. Default: §4.3's hour less 10 minutes for clock skew and slow answers.
   */
  idempotencyTrustMs?: number;
}

/** One uploaded media item, kept so a restarted job does not upload it again. */
export interface MastodonMediaCheckpoint {
  /** The library file it came from, to be sure it is still the same item. */
  sha256: string;
  bytes: number;
  id: string;
  processed: boolean;
}

/** What the job keeps between attempts (through `context.checkpoint`). */
export interface MastodonJobState {
  /** By position in the request; null where nothing is uploaded yet. */
  media: (MastodonMediaCheckpoint | null)[];
  /** When this job first sent POST /api/v1/statuses (ms since the epoch), saved before sending. */
  statusSentAt: number | null;
  result?: PublishResult;
}

interface Settings {
  pollIntervalMs: number;
  maxPolls: number;
  retry: RetryPolicy;
  now: () => number;
  timeoutMs: number | undefined;
  pieceBytes: number;
  instanceCacheMs: number;
  idempotencyTrustMs: number;
}

interface Me {
  id: string;
  username: string;
  acct: string;
}

interface StatusOptions {
  visibility: MastodonVisibility;
  language: string | null;
  spoilerText: string;
  sensitive: boolean;
}

/** Pages of the account's statuses read when looking for an earlier attempt's post. */
const LOOKUP_PAGES = 5;
/** How far the server's clock may be off the kiosk's when comparing created_at. */
const CLOCK_SKEW_MS = 10 * 60_000;
const PROGRESS_STEP_BYTES = 1024 * 1024;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/heic': 'heic',
  'image/avif': 'avif',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const fix = (code: string, message: string, detail: string) => mastodonError(code, message, detail, 'fix');

/** Reads a checkpoint back; anything unrecognisable counts as nothing done. */
export function readJobState(raw: Record<string, unknown>, mediaCount: number): MastodonJobState {
  const saved = isRecord(raw.result) ? raw.result : null;
  const result: PublishResult | undefined =
    saved && typeof saved.remoteId === 'string' && saved.outcome === 'published' ? { remoteId: saved.remoteId, url: str(saved.url), outcome: 'published' } : undefined;
  const list = Array.isArray(raw.media) ? raw.media : [];
  const media = Array.from({ length: mediaCount }, (_, i): MastodonMediaCheckpoint | null => {
    const m: unknown = list[i];
    if (!isRecord(m) || typeof m.id !== 'string' || !/^\d{1,20}$/.test(m.id) || typeof m.sha256 !== 'string' || !Number.isSafeInteger(m.bytes)) return null;
    return { sha256: m.sha256, bytes: m.bytes as number, id: m.id, processed: m.processed === true };
  });
  return {
    media,
    statusSentAt: typeof raw.statusSentAt === 'number' && Number.isFinite(raw.statusSentAt) ? raw.statusSentAt : null,
    ...(result ? { result } : {}),
  };
}

/** §4.4 configuration from /api/v2/instance (or v1's, which has the same keys since 3.4). */
export function limitsFrom(instance: unknown): MastodonLimits {
  const conf = isRecord(instance) && isRecord(instance.configuration) ? instance.configuration : {};
  const statuses = isRecord(conf.statuses) ? conf.statuses : {};
  const media = isRecord(conf.media_attachments) ? conf.media_attachments : {};
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : fallback);
  const d = MASTODON_DEFAULT_LIMITS;
  const types = Array.isArray(media.supported_mime_types) && media.supported_mime_types.every((t) => typeof t === 'string') ? (media.supported_mime_types as string[]) : d.supportedMimeTypes;
  return {
    maxCharacters: num(statuses.max_characters, d.maxCharacters),
    maxMediaAttachments: num(statuses.max_media_attachments, d.maxMediaAttachments),
    charactersReservedPerUrl: num(statuses.characters_reserved_per_url, d.charactersReservedPerUrl),
    supportedMimeTypes: types,
    descriptionLimit: num(media.description_limit, d.descriptionLimit),
    imageSizeLimit: num(media.image_size_limit, d.imageSizeLimit),
    imageMatrixLimit: num(media.image_matrix_limit, d.imageMatrixLimit),
    videoSizeLimit: num(media.video_size_limit, d.videoSizeLimit),
    videoFrameRateLimit: num(media.video_frame_rate_limit, d.videoFrameRateLimit),
    videoMatrixLimit: num(media.video_matrix_limit, d.videoMatrixLimit),
  };
}

/** The post's Mastodon options (the editor's `options.mastodon`), checked before anything is sent. */
function statusOptions(request: PublishRequest): StatusOptions {
  const o = request.options;
  const visibility = o.visibility ?? 'public';
  if (!isMastodonVisibility(visibility)) {
    throw fix('invalid-visibility', 'Choose who can see the Mastodon post: public, quiet public (unlisted), followers only, or mentioned people only.', `options.visibility ${JSON.stringify(visibility).slice(0, 40)}`);
  }
  let language: string | null = null;
  if (o.language !== undefined && o.language !== null && o.language !== '') {
    // §4.3: ISO 639-1; a regional tag such as en-GB is sent as its language.
    const m = typeof o.language === 'string' ? /^([a-z]{2,3})(?:[-_][A-Za-z0-9]{2,8})*$/i.exec(o.language.trim()) : null;
    if (!m) throw fix('invalid-language', 'The language chosen for the Mastodon post is not one Airlock recognises. Choose another language.', `options.language ${JSON.stringify(o.language).slice(0, 40)}`);
    language = m[1]!.toLowerCase();
  }
  const spoilerText = typeof o.spoilerText === 'string' ? o.spoilerText : '';
  return { visibility, language, spoilerText, sensitive: o.sensitive === true };
}

function progressReporter(onProgress: PublishContext['onProgress']) {
  // The UI draws a bar: it never moves backwards, even when an upload is sent a second time.
  let high = 0;
  let lastSent = -Infinity;
  return (phase: 'uploading' | 'processing' | 'creating', bytes: number, total: number, force = false): void => {
    high = Math.min(total, Math.max(high, bytes));
    if (!force && high - lastSent < PROGRESS_STEP_BYTES && high !== total) return;
    lastSent = high;
    onProgress({ phase, bytesDone: high, bytesTotal: total });
  };
}

/** The result a status entity stands for. */
function resultOf(status: unknown, what: string): PublishResult {
  if (!isRecord(status) || typeof status.id !== 'string' || !/^\d{1,20}$/.test(status.id)) {
    throw mastodonError('bad-response', 'Mastodon sent an answer Airlock could not read. Airlock will check whether the post went out before trying again.', `${what}: answer lacks a status id`, 'retry');
  }
  return { remoteId: status.id, url: str(status.url) ?? str(status.uri), outcome: 'published' };
}

class MastodonPublishJob {
  readonly #s: Settings;
  readonly #request: PublishRequest;
  readonly #context: PublishContext;
  readonly #api: MastodonApi;
  readonly #instances: Map<string, { at: number; limits: MastodonLimits }>;
  readonly #apiBase: string;
  readonly #progress: ReturnType<typeof progressReporter>;
  readonly #total: number;
  #limits: MastodonLimits = MASTODON_DEFAULT_LIMITS;

  constructor(settings: Settings, request: PublishRequest, context: PublishContext, instances: Map<string, { at: number; limits: MastodonLimits }>) {
    this.#s = settings;
    this.#request = request;
    this.#context = context;
    this.#instances = instances;
    this.#apiBase = context.account.apiBase.replace(/\/+$/, '');
    this.#progress = progressReporter(context.onProgress);
    this.#total = request.media.reduce((sum, m) => sum + m.bytes, 0);
    this.#api = new MastodonApi({
      http: context.http,
      apiBase: this.#apiBase,
      signal: context.signal,
      token: async () => {
        const { accessToken } = await context.credentials();
        if (!accessToken) throw reconnectError('no access token is stored for this account');
        return accessToken;
      },
      retry: settings.retry,
      now: settings.now,
      timeoutMs: settings.timeoutMs,
    });
  }

  async publish(): Promise<PublishResult> {
    const state = await this.#load();
    if (state.result) return state.result;
    const options = statusOptions(this.#request);
    const me = await this.#verify();
    const late = state.statusSentAt !== null && !this.#withinKeyWindow(state);
    if (late) {
      const earlier = await this.#settleLateAttempt(state, me);
      if (earlier) return this.#finish(state, earlier);
    }
    this.#limits = await this.#instanceLimits();
    // An attempt inside the key's window resends at once: Mastodon answers with the status it
    // made then, if it made one, before it looks at the media or the text again.
    const ready = state.media.every((m) => m !== null && m.processed);
    if (state.statusSentAt === null || late || !ready) {
      this.#preflight(options);
      await this.#checkFiles();
      await this.#uploadAll(state);
      await this.#waitProcessed(state);
    }
    // Past the window, with no earlier post found and the media still unattached, this send
    // starts a new key window of its own.
    if (late) state.statusSentAt = null;
    return this.#createStatus(state, options, me);
  }

  async reconcile(): Promise<PublishResult | null> {
    const state = await this.#load();
    if (state.result) return state.result;
    // The status was never sent, so nothing can have been posted; publish() reuses the media.
    if (state.statusSentAt === null) return null;
    const me = await this.#verify();
    if (this.#withinKeyWindow(state)) {
      const found = await this.#findEarlier(state, me).catch((err: unknown) => {
        // Inside the window the resend is safe anyway; a failed look is no reason to stop.
        if (err instanceof MastodonPublishError && err.code === 'publish.mastodon.reconnect') throw err;
        return null;
      });
      return found === null || found === 'unknown' ? null : this.#finish(state, found);
    }
    const earlier = await this.#settleLateAttempt(state, me);
    return earlier ? this.#finish(state, earlier) : null;
  }

  async #load(): Promise<MastodonJobState> {
    if (this.#context.signal.aborted) throw abortedError();
    return readJobState(await this.#context.checkpoint.load(), this.#request.media.length);
  }

  async #save(state: MastodonJobState): Promise<void> {
    await this.#context.checkpoint.save({
      media: state.media.map((m) => (m ? { ...m } : null)),
      statusSentAt: state.statusSentAt,
      ...(state.result ? { result: { ...state.result } } : {}),
    });
  }

  async #finish(state: MastodonJobState, result: PublishResult): Promise<PublishResult> {
    state.result = result;
    await this.#save(state);
    this.#progress('creating', this.#total, this.#total, true);
    return result;
  }

  #withinKeyWindow(state: MastodonJobState): boolean {
    return state.statusSentAt !== null && this.#s.now() - state.statusSentAt < this.#s.idempotencyTrustMs;
  }

  /** Calls that end in a refusal become the error staff see. */
  async #call(request: Parameters<MastodonApi['call']>[0]): Promise<MastodonAnswer> {
    try {
      return await this.#api.call(request);
    } catch (err) {
      if (err instanceof MastodonHttpError) throw explainMastodonAnswer(err, this.#limits);
      throw err;
    }
  }

  /** The token still works, and it is the connected account's (§4.1 `profile` scope). */
  async #verify(): Promise<Me> {
    const { body } = await this.#call({ method: 'GET', path: MASTODON_PATHS.verifyCredentials });
    if (!isRecord(body) || typeof body.id !== 'string' || typeof body.username !== 'string') {
      throw mastodonError('bad-response', 'Mastodon sent an answer Airlock could not read. Airlock will try again later; ask IT if it keeps happening.', 'verify_credentials: answer lacks id or username', 'retry');
    }
    const me: Me = { id: body.id, username: body.username, acct: str(body.acct) ?? body.username };
    const host = new URL(this.#apiBase).host;
    const wanted = this.#context.account.accountId.replace(/^@/, '').toLowerCase();
    const names = [me.id, me.username, me.acct, `${me.username}@${host}`, `${me.acct}@${host}`].map((n) => n.toLowerCase());
    if (!names.includes(wanted)) {
      throw mastodonError(
        'wrong-account',
        'The saved Mastodon sign-in belongs to a different account than the one connected here, so Airlock did not post. Ask IT to reconnect the Mastodon account.',
        `verify_credentials answered account ${me.id} (@${me.acct}); the connected account is ${this.#context.account.accountId.slice(0, 80)}`,
        'reconnect',
      );
    }
    return me;
  }

  /** §4.4: read the instance's limits rather than assume them; cached per instance for a while. */
  async #instanceLimits(): Promise<MastodonLimits> {
    const cached = this.#instances.get(this.#apiBase);
    if (cached && this.#s.now() - cached.at < this.#s.instanceCacheMs) return cached.limits;
    let answer = await this.#call({ method: 'GET', path: MASTODON_PATHS.instanceV2, accept: [404, 410] });
    // Before 4.0 only v1 exists.
    if (answer.status === 404 || answer.status === 410) answer = await this.#call({ method: 'GET', path: MASTODON_PATHS.instanceV1, accept: [404, 410] });
    const limits = limitsFrom(answer.status === 200 ? answer.body : null);
    this.#instances.set(this.#apiBase, { at: this.#s.now(), limits });
    return limits;
  }

  /** The instance's rules, applied before a byte of media goes, so nothing is uploaded in vain. */
  #preflight(options: StatusOptions): void {
    const l = this.#limits;
    const { media, caption } = this.#request;
    const nothing = 'Nothing was published.';
    const used = mastodonLength(caption, l.charactersReservedPerUrl) + mastodonLength(options.spoilerText, l.charactersReservedPerUrl);
    if (used > l.maxCharacters) {
      throw fix('text-too-long', `Mastodon allows ${l.maxCharacters} characters in a post, and counts every link as ${l.charactersReservedPerUrl}. This caption has ${used}: shorten it and publish again. ${nothing}`, `caption counts ${used} of ${l.maxCharacters} (instance configuration)`);
    }
    if (caption.trim() === '' && media.length === 0) throw fix('text-blank', `A Mastodon post needs some text or at least one photo or video. ${nothing}`, 'empty caption and no media');
    if (media.length > l.maxMediaAttachments) throw fix('too-many-media', `Mastodon allows up to ${l.maxMediaAttachments} photos in a post. ${nothing}`, `${media.length} media items`);
    if (media.length > 1 && media.some((m) => m.kind === 'video')) throw fix('media-mix', `A Mastodon post can have one video, without photos. ${nothing}`, `${media.length} media items including a video`);
    media.forEach((m, i) => {
      const name = m.kind === 'video' ? 'The video' : media.length > 1 ? `Photo ${i + 1}` : 'The photo';
      if (!l.supportedMimeTypes.includes(m.contentType)) throw fix('media-type', `${name} is a kind of file this Mastodon server does not accept. ${nothing}`, `media.${i}: ${m.contentType.slice(0, 60)} is not in supported_mime_types`);
      const limit = m.contentType.startsWith('image/') ? l.imageSizeLimit : l.videoSizeLimit;
      if (m.bytes > limit) throw fix('media-too-large', `${name} is larger than this Mastodon server accepts (${Math.floor(limit / (1024 * 1024))} MB). ${nothing}`, `media.${i}: ${m.bytes} bytes, limit ${limit}`);
      const alt = m.altText ?? '';
      if (Array.from(alt).length > l.descriptionLimit) {
        throw fix('alt-too-long', `Mastodon descriptions (alt text) are limited to ${l.descriptionLimit} characters; ${name.toLowerCase()}'s is longer. Shorten it and publish again. ${nothing}`, `media.${i}: description of ${Array.from(alt).length} characters`);
      }
    });
  }

  /** The clean file must be the approved one: a changed size means different bytes than staff saw. */
  async #checkFiles(): Promise<void> {
    for (const [i, m] of this.#request.media.entries()) {
      let size: number;
      try {
        size = (await stat(m.path)).size;
      } catch (err) {
        throw fix('file-unreadable', 'Airlock could not find a photo or video of this post in its library. Nothing was published. Ask IT to look at the details.', `media.${i}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      if (size !== m.bytes) throw fix('file-changed', 'A photo or video of this post changed in the library after it was approved. Nothing was published. Ask IT to look at the details.', `media.${i}: ${size} bytes on disk, ${m.bytes} expected`);
    }
  }

  /** §4.2: each item once; a checkpointed upload the server still holds is used again. */
  async #uploadAll(state: MastodonJobState): Promise<void> {
    let before = 0;
    for (const [i, m] of this.#request.media.entries()) {
      const saved = state.media[i];
      if (saved && saved.sha256 === m.cleanSha256 && saved.bytes === m.bytes && (await this.#stillHeld(state, i, saved))) {
        this.#progress('uploading', before + m.bytes, this.#total, true);
      } else {
        state.media[i] = await this.#upload(m, i, before);
        await this.#save(state);
      }
      before += m.bytes;
    }
  }

  /** Whether the server still has an earlier upload, unattached (§4.2: 404 when gone or attached). */
  async #stillHeld(state: MastodonJobState, i: number, saved: MastodonMediaCheckpoint): Promise<boolean> {
    const answer = await this.#call({ method: 'GET', path: `${MASTODON_PATHS.media}/${saved.id}`, accept: [404, 422] });
    if (answer.status === 200 || answer.status === 206) {
      saved.processed = answer.status === 200;
      await this.#describe(saved.id, answer.body, i);
      return true;
    }
    if (answer.status === 404 && state.statusSentAt !== null) {
      // Attached, so an earlier status holds it, yet it was not found among the recent posts.
      throw this.#outcomeUnknown(`media ${saved.id} (item ${i + 1}) is no longer unattached`);
    }
    // Removed (unattached media are cleaned up after a day), or its processing failed: upload it afresh.
    state.media[i] = null;
    return false;
  }

  async #upload(m: PublishMedia, i: number, before: number): Promise<MastodonMediaCheckpoint> {
    const alt = m.altText?.trim() ?? '';
    const body = multipartFileBody(alt === '' ? [] : [['description', alt]], {
      field: 'file',
      filename: `airlock-${i + 1}.${EXTENSIONS[m.contentType] ?? 'bin'}`,
      contentType: m.contentType,
      path: m.path,
      bytes: m.bytes,
    }, this.#s.pieceBytes);
    let fileProblem: Error | null = null;
    this.#progress('uploading', before, this.#total, true);
    const answer = await this.#call({
      method: 'POST',
      path: MASTODON_PATHS.mediaV2,
      upload: () => {
        // A file that changed under the upload is not a network fault: no point sending it again.
        if (fileProblem) {
          throw fix('file-changed', 'A photo or video of this post changed in the library while it was being sent. Nothing was published. Ask IT to look at the details.', `media.${i}: ${fileProblem.message}`);
        }
        const stream = body.open((read) => this.#progress('uploading', before + read, this.#total));
        stream.once('error', (err) => {
          if (/grew|shrank|ENOENT|EACCES|EIO/.test(err.message)) fileProblem = err;
        });
        return { body: stream, contentType: body.contentType, contentLength: body.contentLength };
      },
    });
    const entity = answer.body;
    if (!isRecord(entity) || typeof entity.id !== 'string' || !/^\d{1,20}$/.test(entity.id)) {
      throw mastodonError('bad-response', 'Mastodon did not confirm a photo or video upload as expected. Nothing was published; Airlock will try again later.', `POST ${MASTODON_PATHS.mediaV2} media.${i}: answer lacks an id`, 'retry');
    }
    this.#progress('uploading', before + m.bytes, this.#total, true);
    // §4.2: 200 means processed; 202 means still processing (url null).
    const saved: MastodonMediaCheckpoint = { sha256: m.cleanSha256, bytes: m.bytes, id: entity.id, processed: answer.status === 200 && entity.url !== null };
    await this.#describe(saved.id, entity, i);
    return saved;
  }

  /** The description went with the upload; set it again (PUT) only if the server did not keep it. */
  async #describe(id: string, entity: unknown, i: number): Promise<void> {
    const wanted = this.#request.media[i]!.altText?.trim() ?? '';
    const held = isRecord(entity) ? (str(entity.description) ?? '').trim() : '';
    if (held === wanted) return;
    await this.#call({ method: 'PUT', path: `${MASTODON_PATHS.media}/${id}`, form: { description: wanted } });
  }

  /** §4.2: GET /api/v1/media/:id answers 206 while processing and 200 once ready. */
  async #waitProcessed(state: MastodonJobState): Promise<void> {
    const pending = () => state.media.filter((m): m is MastodonMediaCheckpoint => m !== null && !m.processed);
    if (pending().length === 0) return;
    this.#progress('processing', this.#total, this.#total, true);
    for (let polls = 0; pending().length > 0; polls++) {
      if (polls >= this.#s.maxPolls) {
        throw mastodonError(
          'still-processing',
          'Mastodon is still processing the video. Airlock will check again later; the post will not be sent twice.',
          `media ${pending().map((m) => m.id).join(', ')} still processing after ${polls} polls`,
          'retry',
        );
      }
      if (polls > 0) await this.#s.retry.sleep(this.#s.pollIntervalMs, this.#context.signal);
      for (const m of pending()) {
        const answer = await this.#call({ method: 'GET', path: `${MASTODON_PATHS.media}/${m.id}`, accept: [404, 422] });
        if (answer.status === 200) {
          m.processed = true;
          await this.#save(state);
        } else if (answer.status === 422) {
          const i = state.media.indexOf(m);
          state.media[i] = null;
          await this.#save(state);
          throw mastodonError('media-processing-failed', `Mastodon could not process ${this.#request.media[i]?.kind === 'video' ? 'the video' : 'a photo'} of this post. Ask for it to be exported again (video as MP4, H.264). Nothing was published.`, `GET ${MASTODON_PATHS.media}/${m.id} answered 422`, 'fix');
        } else if (answer.status === 404) {
          state.media[state.media.indexOf(m)] = null;
          await this.#save(state);
          throw mastodonError('media-lost', 'Mastodon lost a photo or video while processing it. Nothing was published; Airlock will upload it again.', `GET ${MASTODON_PATHS.media}/${m.id} answered 404`, 'retry');
        }
      }
    }
  }

  /** §4.3, under the job's Idempotency-Key, the send time saved first so a crash cannot hide it. */
  async #createStatus(state: MastodonJobState, options: StatusOptions, me: Me): Promise<PublishResult> {
    if (this.#context.signal.aborted) throw abortedError();
    this.#progress('creating', this.#total, this.#total, true);
    const mediaIds = state.media.map((m) => m?.id).filter((id): id is string => id !== undefined);
    const json: Record<string, unknown> = { status: this.#request.caption, visibility: options.visibility };
    if (mediaIds.length > 0) json.media_ids = mediaIds;
    if (options.language) json.language = options.language;
    if (options.spoilerText !== '') json.spoiler_text = options.spoilerText;
    if (options.sensitive) json.sensitive = true;
    for (let early = 0; ; early++) {
      if (state.statusSentAt === null) {
        state.statusSentAt = this.#s.now();
        await this.#save(state);
      }
      try {
        const answer = await this.#api.call({ method: 'POST', path: MASTODON_PATHS.statuses, json, headers: { 'Idempotency-Key': this.#idempotencyKey() } });
        return this.#finish(state, resultOf(answer.body, `POST ${MASTODON_PATHS.statuses}`));
      } catch (err) {
        if (!(err instanceof MastodonHttpError)) throw err;
        // §4.3 [S]: media still processing; wait a poll and send again (same key, so no risk).
        if (err.status === 422 && /not finished processing/i.test(err.serverError) && early < 3) {
          await this.#s.retry.sleep(Math.max(this.#s.pollIntervalMs, backoffDelay(this.#s.retry, early + 1)), this.#context.signal);
          continue;
        }
        if (err.status === 422 && /already attached/i.test(err.serverError)) {
          // The media went into a status: this job's earlier one, if anything.
          const found = await this.#findEarlier(state, me).catch(() => 'unknown' as const);
          if (found !== null && found !== 'unknown') return this.#finish(state, found);
          throw this.#outcomeUnknown(`POST ${MASTODON_PATHS.statuses} answered 422: ${err.serverError}`);
        }
        if (err.status === 404 && state.statusSentAt !== null) {
          // The key still names a status, which has since been deleted (Status.find → 404).
          throw fix('deleted-after-publishing', 'This post was already published on Mastodon and has since been deleted there, so Airlock did not publish it again.', `POST ${MASTODON_PATHS.statuses} with the job's Idempotency-Key answered 404: ${err.serverError}`);
        }
        throw explainMastodonAnswer(err, this.#limits);
      }
    }
  }

  /** The header value: the job's key as is when it is plain header text, else its stable hash. */
  #idempotencyKey(): string {
    const key = this.#request.idempotencyKey;
    return /^[\x21-\x7e]{1,200}$/.test(key) ? key : `airlock-${Buffer.from(key, 'utf8').toString('base64url').slice(0, 180)}`;
  }

  /**
   * After the key's window: the earlier attempt's post if the account shows it; null when it
   * surely does not exist (so a new send is safe); otherwise staff must look.
   */
  async #settleLateAttempt(state: MastodonJobState, me: Me): Promise<PublishResult | null> {
    const found = await this.#findEarlier(state, me);
    if (found === 'unknown') throw this.#outcomeUnknown('the account\'s statuses could not be listed (read:statuses scope missing?)');
    if (found) return found;
    return null;
  }

  /**
   * Looks for this job's post among the account's statuses since it was first sent: by media ids
   * (a media item belongs to one status only), or for a text-only post by its source text.
   * 'unknown' when the token may not list them.
   */
  async #findEarlier(state: MastodonJobState, me: Me): Promise<PublishResult | null | 'unknown'> {
    const since = (state.statusSentAt ?? 0) - CLOCK_SKEW_MS;
    const ours = state.media.map((m) => m?.id).filter((id): id is string => id !== undefined).sort();
    let maxId: string | null = null;
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      const query: string = `limit=40${maxId ? `&max_id=${maxId}` : ''}${ours.length > 0 ? '&only_media=true' : ''}`;
      const answer: MastodonAnswer | null = await this.#call({ method: 'GET', path: `${MASTODON_PATHS.accounts}/${encodeURIComponent(me.id)}/statuses?${query}`, accept: [403] }).catch((err: unknown) => {
        if (err instanceof MastodonPublishError && err.code === 'publish.mastodon.scope-missing') return null;
        throw err;
      });
      if (answer === null || answer.status === 403) return 'unknown';
      const list: Record<string, unknown>[] = Array.isArray(answer.body) ? answer.body.filter(isRecord) : [];
      for (const status of list) {
        const attached = Array.isArray(status.media_attachments) ? status.media_attachments.filter(isRecord).map((m) => str(m.id)).filter((id): id is string => id !== null).sort() : [];
        if (ours.length > 0) {
          if (attached.length === ours.length && attached.every((id, k) => id === ours[k])) return resultOf(status, 'account statuses');
        } else if (attached.length === 0 && Date.parse(str(status.created_at) ?? '') >= since && (await this.#sourceMatches(status))) {
          return resultOf(status, 'account statuses');
        }
      }
      const oldest: Record<string, unknown> | undefined = list.at(-1);
      if (!oldest || Date.parse(str(oldest.created_at) ?? '') < since || typeof oldest.id !== 'string') return null;
      maxId = oldest.id;
    }
    return null;
  }

  /** The status's text as written (`/source`), compared with the caption; HTML is never compared. */
  async #sourceMatches(status: Record<string, unknown>): Promise<boolean> {
    if (typeof status.id !== 'string' || !/^\d{1,20}$/.test(status.id)) return false;
    const answer = await this.#call({ method: 'GET', path: `${MASTODON_PATHS.statuses}/${status.id}/source`, accept: [404] });
    if (!isRecord(answer.body)) return false;
    const spoiler = typeof this.#request.options.spoilerText === 'string' ? this.#request.options.spoilerText : '';
    return str(answer.body.text) === this.#request.caption && (str(answer.body.spoiler_text) ?? '') === spoiler;
  }

  #outcomeUnknown(why: string): MastodonPublishError {
    return fix(
      'outcome-unknown',
      'Airlock sent this post to Mastodon before, but cannot tell whether it was published. Check the account on Mastodon before sending it again.',
      `${why}; first sent ${this.#request.postId ? `for post ${this.#request.postId.slice(0, 60)} ` : ''}more than ${Math.round(this.#s.idempotencyTrustMs / 60_000)} minutes ago, beyond the Idempotency-Key window`,
    );
  }
}

export function createMastodonAdapter(options: MastodonAdapterOptions = {}): PlatformAdapter {
  const settings: Settings = {
    pollIntervalMs: options.pollIntervalMs ?? 2000,
    maxPolls: options.maxPolls ?? 150,
    retry: retryPolicy(options, abortedError),
    now: options.now ?? Date.now,
    timeoutMs: options.timeoutMs,
    pieceBytes: options.pieceBytes ?? DEFAULT_PIECE_BYTES,
    instanceCacheMs: options.instanceCacheMs ?? 10 * 60_000,
    idempotencyTrustMs: options.idempotencyTrustMs ?? MASTODON_IDEMPOTENCY_WINDOW_MS - 10 * 60_000,
  };
  const instances = new Map<string, { at: number; limits: MastodonLimits }>();
  const guard = <T>(context: PublishContext, work: () => Promise<T>): Promise<T> =>
    work().catch((err: unknown) => {
      // A cancelled job says so, whatever broke underneath it.
      throw context.signal.aborted ? abortedError() : err;
    });
  return {
    platform: 'mastodon',
    check: (facts) => checkPostForPlatform('mastodon', facts),
    publish: (request, context) => guard(context, () => new MastodonPublishJob(settings, request, context, instances).publish()),
    reconcile: (request, context) => guard(context, () => new MastodonPublishJob(settings, request, context, instances).reconcile()),
  };
}
