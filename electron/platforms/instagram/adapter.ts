// Publishes a Reel to an Instagram professional account through Facebook Login for Business
// (../shared/platform-apis.md §6.4): a REELS container with `upload_type=resumable`, the video
// streamed from the library to the container's rupload `uri` (from offset 0, as the protocol
// takes it: after a dropped connection the same container gets the whole file again), the
// container's `status_code` read until FINISHED, the publishing limit checked, and
// `media_publish`. The container is checkpointed; a publish whose answer was lost is settled by
// the container's own status (PUBLISHED) and the account's media, never by sending it again.
import type { AccountCredentials } from '../../services/vault/vault.ts';
import type { PlatformAdapter, PublishContext, PublishMedia, PublishRequest, PublishResult } from '../adapter.ts';
import { AlreadyPosted, bearerSettings, guardJob, monotonicProgress, parseJson, type Answer, type BearerAdapterOptions, type BearerRequest, type BearerSession } from '../bearer-session.ts';
import { classifyGraph, formUpload } from '../facebook/adapter.ts';
import { GraphClient } from '../facebook/graph-client.ts';
import { checkPostForPlatform } from '../post-rules.ts';
import { clip, publishErrors } from '../publish-error.ts';
import { TransientFailure } from '../retry.ts';
import { fileRange } from '../youtube/adapter.ts';
import { INSTAGRAM_CODES, INSTAGRAM_HOSTS, INSTAGRAM_LIMITS, INSTAGRAM_PATHS } from './protocol.ts';

export const INSTAGRAM_REQUESTER = 'publish:instagram';

export interface InstagramAdapterOptions extends BearerAdapterOptions {
  /** Bytes read from the library at a time while the video streams. Default 256 KiB. */
  pieceBytes?: number;
  /** §6.4: "once per minute". Default 60 s. */
  pollIntervalMs?: number;
  /** §6.4: "for no more than 5 minutes"; then the job is left for a later run. Default 5. */
  maxPolls?: number;
}

/** What the job keeps between attempts (through `context.checkpoint`); never a token. */
export interface InstagramJobState {
  container: string | null;
  /** The rupload URI the container answered with. */
  uploadUri: string | null;
  uploaded: boolean;
  /** Set just before media_publish is first sent: from then on the Reel may exist. */
  postingSince: number | null;
  result?: PublishResult;
}

type Settings = ReturnType<typeof bearerSettings> & { pieceBytes: number; pollIntervalMs: number; maxPolls: number };

const errors = publishErrors('instagram', 'Instagram');

/** The container expired (24 h) or is unknown: only a new one helps. */
class ContainerLost extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function classifyInstagramAnswer(answer: Answer, what: string, nowMs: number): Error {
  return classifyGraph(errors, 'Instagram', 'this Instagram account', answer, what, nowMs, (f) => {
    if (f.code === INSTAGRAM_CODES.limit.code && f.subcode === INSTAGRAM_CODES.limit.subcode) {
      return errors.make('publish-limit', 'This Instagram account has published as many posts as Instagram allows in 24 hours. Airlock will try again later.', f.detail, 'later');
    }
    if (f.code === INSTAGRAM_CODES.notReady.code) return new TransientFailure(errors.make('not-ready', 'Instagram has not finished preparing the video. Airlock will try again later.', f.detail, 'retry'));
    // rupload's `{debug_info:{retriable, message}}`.
    const body = parseJson(answer.raw);
    const debug = isRecord(body) ? body.debug_info : undefined;
    if (isRecord(debug)) {
      const detail = `${what} answered HTTP ${answer.status}: ${clip(String(debug.message ?? ''))}`;
      if (answer.status === 401) return errors.reconnect('token-rejected', detail);
      if (debug.retriable === true || answer.status >= 500) return new TransientFailure(errors.unavailable(detail));
      return errors.make('upload-refused', 'Instagram did not accept the video. Nothing was published. Check that it is an MP4 or MOV Reel of 3 seconds to 15 minutes, or ask IT to look at the details.', detail, 'fix');
    }
    return null;
  });
}

function readState(raw: Record<string, unknown>): InstagramJobState {
  const saved = isRecord(raw.result) ? raw.result : null;
  const result: PublishResult | undefined = saved && typeof saved.remoteId === 'string' ? { remoteId: saved.remoteId, url: typeof saved.url === 'string' ? saved.url : null, outcome: 'published' } : undefined;
  return {
    container: typeof raw.container === 'string' ? raw.container : null,
    uploadUri: typeof raw.uploadUri === 'string' ? raw.uploadUri : null,
    uploaded: raw.uploaded === true,
    postingSince: Number.isSafeInteger(raw.postingSince) ? (raw.postingSince as number) : null,
    ...(result ? { result } : {}),
  };
}

class InstagramPublishJob {
  readonly #s: Settings;
  readonly #request: PublishRequest;
  readonly #context: PublishContext;
  readonly #api: BearerSession;
  readonly #graphApi: GraphClient;
  readonly #apiBase: string;
  readonly #userId: string;
  #report: ReturnType<typeof monotonicProgress> | null = null;

  constructor(settings: Settings, request: PublishRequest, context: PublishContext, refreshes: Map<string, Promise<AccountCredentials>>) {
    this.#s = settings;
    this.#request = request;
    this.#context = context;
    this.#apiBase = context.account.apiBase.replace(/\/+$/, '');
    this.#userId = context.account.accountId;
    this.#graphApi = new GraphClient(context, settings, refreshes, { requester: INSTAGRAM_REQUESTER, errors, label: 'Instagram', classify: (answer, what) => classifyInstagramAnswer(answer, what, settings.now()) });
    this.#api = this.#graphApi.api;
  }

  async publish(): Promise<PublishResult> {
    const video = this.#video();
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    if (state.postingSince === null) {
      try {
        await this.#prepare(state, video);
      } catch (err) {
        if (!(err instanceof ContainerLost)) throw err;
        // Nothing is published from an expired container: a new one is safe, once.
        Object.assign(state, { container: null, uploadUri: null, uploaded: false });
        await this.#save(state);
        await this.#prepare(state, video);
      }
    }
    return this.#create(state);
  }

  async reconcile(): Promise<PublishResult | null> {
    const state = readState(await this.#context.checkpoint.load());
    if (state.result) return state.result;
    if (state.postingSince === null || !state.container) return null;
    const found = await this.#published(state);
    return found ? this.#finish(state, found) : null;
  }

  #video(): PublishMedia {
    const { media } = this.#request;
    const fix = (code: string, message: string, detail: string) => errors.make(code, message, detail, 'fix');
    const m = media[0];
    if (media.length !== 1 || !m || m.kind !== 'video') throw fix('one-video', 'Airlock publishes Reels to Instagram: the post needs exactly one video.', `request has ${media.length} media item(s)`);
    if (m.bytes > INSTAGRAM_LIMITS.reelMaxBytes) throw fix('video-too-large', 'Instagram takes Reels of up to 300 MB. This video is larger.', `${m.bytes} bytes`);
    return m;
  }

  #progress(phase: 'uploading' | 'processing' | 'creating', bytes: number, force = false): void {
    this.#report ??= monotonicProgress(this.#context.onProgress, this.#request.media[0]?.bytes ?? 0);
    this.#report(phase, bytes, force);
  }

  async #save(state: InstagramJobState): Promise<void> {
    await this.#context.checkpoint.save({ ...state });
  }

  #token(): Promise<string> {
    return this.#graphApi.userToken();
  }

  #graph(request: Omit<BearerRequest, 'anonymous'>): Promise<Answer> {
    return this.#graphApi.call(request);
  }

  /** Steps 1–3: the container, its video, and FINISHED. */
  async #prepare(state: InstagramJobState, video: PublishMedia): Promise<void> {
    if (!state.container) {
      const o = this.#request.options;
      const form = new URLSearchParams({ media_type: 'REELS', upload_type: 'resumable', caption: this.#request.caption, share_to_feed: o.shareToFeed === false ? 'false' : 'true', ...(o.aiGenerated === true ? { is_ai_generated: 'true' } : {}) });
      this.#progress('uploading', 0, true);
      const answer = await this.#graph({ method: 'POST', url: `${this.#apiBase}${INSTAGRAM_PATHS.media(this.#userId)}`, what: 'POST /{ig-user-id}/media (REELS container)', upload: formUpload(form) });
      const body = parseJson(answer.raw);
      const id = isRecord(body) && typeof body.id === 'string' && /^\d+$/.test(body.id) ? body.id : null;
      if (!id) throw errors.make('bad-response', 'Instagram did not start the upload as expected. Nothing was published; Airlock will try again later.', 'POST /{ig-user-id}/media: answer lacks the container id', 'retry');
      // "Use the returned uri when there is one" — but only on Meta's upload host (or the simulator's origin).
      const uri = isRecord(body) && typeof body.uri === 'string' ? body.uri : `${this.#uploadBase()}${INSTAGRAM_PATHS.upload(id)}`;
      if (!this.#trustedUpload(uri)) throw errors.make('bad-response', 'Instagram answered in a way Airlock does not trust. Nothing was published. Ask IT to look at the details.', 'the container uri points to another host', 'fix');
      Object.assign(state, { container: id, uploadUri: uri, uploaded: false });
      await this.#save(state);
    }
    if (!state.uploaded) await this.#upload(state, video);
    await this.#waitFinished(state);
  }

  #uploadBase(): string {
    return new URL(this.#apiBase).hostname === 'graph.facebook.com' ? `https://${INSTAGRAM_HOSTS.upload}` : this.#apiBase;
  }

  #trustedUpload(uri: string): boolean {
    try {
      return new URL(uri).origin === new URL(this.#uploadBase()).origin;
    } catch {
      return false;
    }
  }

  /** Step 2: the whole file, offset 0, each attempt afresh. */
  async #upload(state: InstagramJobState, video: PublishMedia): Promise<void> {
    const token = await this.#token();
    await this.#api.request({
      method: 'POST',
      url: state.uploadUri!,
      what: 'POST rupload /ig-api-upload/{container}',
      anonymous: true,
      upload: () => ({
        body: fileRange(video.path, 0, video.bytes, this.#s.pieceBytes, (read) => this.#progress('uploading', read)),
        headers: { Authorization: `OAuth ${token}`, offset: '0', file_size: String(video.bytes), 'Content-Type': 'application/octet-stream', 'Content-Length': String(video.bytes) },
      }),
    });
    state.uploaded = true;
    await this.#save(state);
    this.#progress('uploading', video.bytes, true);
  }

  async #status(state: InstagramJobState): Promise<string> {
    const answer = await this.#graph({ method: 'GET', url: `${this.#apiBase}${INSTAGRAM_PATHS.node(state.container!)}?fields=status_code,status`, what: 'GET /{container-id}?fields=status_code,status' });
    const body = parseJson(answer.raw);
    return isRecord(body) && typeof body.status_code === 'string' ? body.status_code : '';
  }

  /** Step 3: poll status_code until FINISHED. */
  async #waitFinished(state: InstagramJobState): Promise<void> {
    for (let polls = 0; ; polls++) {
      this.#progress('processing', this.#request.media[0]!.bytes, true);
      const code = await this.#status(state);
      if (code === 'FINISHED') return;
      if (code === 'EXPIRED') throw new ContainerLost(`container ${state.container} expired before it was published`);
      if (code === 'ERROR') throw errors.make('processing-failed', 'Instagram could not process the video. Nothing was published. Check that it is an MP4 or MOV Reel of 3 seconds to 15 minutes, or ask IT to look at the details.', `container ${state.container} ended in ERROR`, 'fix');
      if (polls + 1 >= this.#s.maxPolls) throw errors.make('still-processing', 'Instagram is still preparing the video. Airlock will check again later; the Reel will not be published twice.', `container ${state.container} still ${code || 'unknown'} after ${polls + 1} reads`, 'retry');
      await this.#s.retry.sleep(this.#s.pollIntervalMs, this.#context.signal);
    }
  }

  /** `content_publishing_limit`: a full quota ends the job for later, before publishing. */
  async #checkLimit(): Promise<void> {
    const answer = await this.#graph({ method: 'GET', url: `${this.#apiBase}${INSTAGRAM_PATHS.limit(this.#userId)}?fields=config,quota_usage`, what: 'GET /{ig-user-id}/content_publishing_limit' });
    const body = parseJson(answer.raw);
    const entry = isRecord(body) && Array.isArray(body.data) && isRecord(body.data[0]) ? body.data[0] : null;
    const used = Number(entry?.quota_usage);
    const total = Number(isRecord(entry?.config) ? entry.config.quota_total : NaN);
    if (Number.isFinite(used) && Number.isFinite(total) && used >= total) {
      throw errors.make('publish-limit', 'This Instagram account has published as many posts as Instagram allows in 24 hours. Airlock will try again later.', `content_publishing_limit: ${used} of ${total} used`, 'later');
    }
  }

  /** Step 4, once. */
  async #create(state: InstagramJobState): Promise<PublishResult> {
    const earlier = state.postingSince !== null;
    if (!earlier) await this.#checkLimit();
    state.postingSince ??= this.#s.now();
    await this.#save(state);
    this.#progress('creating', this.#request.media[0]!.bytes, true);
    let attempts = earlier ? 1 : 0;
    let answer: Answer;
    try {
      answer = await this.#graph({
        method: 'POST',
        url: `${this.#apiBase}${INSTAGRAM_PATHS.publish(this.#userId)}?creation_id=${encodeURIComponent(state.container!)}`,
        what: 'POST /{ig-user-id}/media_publish',
        beforeAttempt: async () => {
          if (attempts++ > 0) {
            const found = await this.#published(state);
            if (found) throw new AlreadyPosted(found);
          }
        },
      });
    } catch (err) {
      if (err instanceof AlreadyPosted) return this.#finish(state, err.result);
      throw err;
    }
    const body = parseJson(answer.raw);
    const id = isRecord(body) && typeof body.id === 'string' && /^\d+$/.test(body.id) ? body.id : null;
    if (!id) {
      const found = await this.#published(state);
      if (found) return this.#finish(state, found);
      throw errors.make('bad-response', 'Instagram sent an answer Airlock could not read. Airlock will check whether the Reel went out before trying again.', 'media_publish answer lacks an id', 'retry');
    }
    return this.#finish(state, await this.#resultFor(id));
  }

  async #resultFor(id: string): Promise<PublishResult> {
    const answer = await this.#graph({ method: 'GET', url: `${this.#apiBase}${INSTAGRAM_PATHS.node(id)}?fields=id,permalink`, what: 'GET /{ig-media-id}?fields=permalink' }).catch(() => null);
    const body = answer ? parseJson(answer.raw) : null;
    return { remoteId: id, url: isRecord(body) && typeof body.permalink === 'string' && body.permalink.startsWith('https://www.instagram.com/') ? body.permalink : null, outcome: 'published' };
  }

  /** The Reel an earlier attempt published: the container says PUBLISHED, and the account's media holds it. */
  async #published(state: InstagramJobState): Promise<PublishResult | null> {
    if ((await this.#status(state)) !== 'PUBLISHED') return null;
    const answer = await this.#graph({ method: 'GET', url: `${this.#apiBase}${INSTAGRAM_PATHS.media(this.#userId)}?fields=id,caption,media_product_type,permalink,timestamp&limit=25`, what: 'GET /{ig-user-id}/media' });
    const body = parseJson(answer.raw);
    const data = isRecord(body) && Array.isArray(body.data) ? body.data : [];
    const since = (state.postingSince ?? 0) - 10 * 60_000;
    for (const m of data) {
      if (!isRecord(m) || typeof m.id !== 'string' || m.media_product_type !== 'REELS') continue;
      const at = typeof m.timestamp === 'string' ? Date.parse(m.timestamp.replace(/\+0000$/, 'Z')) : NaN;
      if (!Number.isNaN(at) && at < since) continue;
      if ((m.caption ?? '') !== this.#request.caption) continue;
      return { remoteId: m.id, url: typeof m.permalink === 'string' && m.permalink.startsWith('https://www.instagram.com/') ? m.permalink : null, outcome: 'published' };
    }
    throw errors.make('outcome-unknown', 'Instagram says this Reel was published, but Airlock cannot find it on the account. Check the account on Instagram before sending it again.', `container ${state.container} is PUBLISHED; no matching media among the latest 25`, 'fix');
  }

  async #finish(state: InstagramJobState, result: PublishResult): Promise<PublishResult> {
    await this.#save({ ...state, result });
    return result;
  }
}

export function createInstagramAdapter(options: InstagramAdapterOptions = {}): PlatformAdapter {
  const settings: Settings = { ...bearerSettings(options, errors.aborted), pieceBytes: options.pieceBytes ?? 256 * 1024, pollIntervalMs: options.pollIntervalMs ?? 60_000, maxPolls: options.maxPolls ?? 5 };
  const refreshes = new Map<string, Promise<AccountCredentials>>();
  const guard = <T>(context: PublishContext, work: () => Promise<T>): Promise<T> =>
    guardJob(context, errors.aborted, work, (err) =>
      err instanceof ContainerLost ? errors.make('container-expired', 'Instagram no longer holds the uploaded video. Nothing was published; send the post again.', err.message, 'retry') : err,
    );
  return {
    platform: 'instagram',
    check: (facts) => checkPostForPlatform('instagram', facts),
    publish: (request, context) => guard(context, () => new InstagramPublishJob(settings, request, context, refreshes).publish()),
    reconcile: (request, context) => guard(context, () => new InstagramPublishJob(settings, request, context, refreshes).reconcile()),
  };
}
