// The publisher: hands due posts to the platforms exactly once. A scheduled post becomes
// "publishing" with one job per (post, account) in a single transaction; each job is claimed,
// checked against the approval hash, run through the platform's adapter with its progress and
// checkpoints persisted, and finished. After a crash, running jobs are reconciled with the
// platform (did it get published?) before anything is sent again.
import { randomUUID } from 'node:crypto';
import { AirlockError, toErrorValue } from '../../../common/errors.ts';
import type { PlatformId } from '../../../common/platforms.ts';
import type { PlatformAdapter, PublishContext, PublishRequest, PublishResult } from '../../platforms/adapter.ts';
import { accountAllowed } from '../accounts/account-allowed.ts';
import type { EgressClient } from '../egress/http-client.ts';
import type { BlobStore } from '../ingest/index.ts';
import type { PostService } from '../posts/post-service.ts';
import type { Store } from '../store/store.ts';
import type { Vault } from '../vault/vault.ts';
import type { AccountRow, JobRow } from './publish-repositories.ts';

const CONTENT_TYPES: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', mp4: 'video/mp4', quicktime: 'video/quicktime' };

/** Failures that say "not now" rather than "never": the job waits and tries again. */
const TRANSIENT = /^(egress\.(dns-failed|timeout|connection-failed)|publish\..*\.(transient|rate-limited|unavailable|network))$/;

export type PublishEvent =
  | { kind: 'progress'; postId: string; platform: string; phase: string; bytesDone: number; bytesTotal: number }
  | { kind: 'attempt'; postId: string; platform: string; accountId: string; attempt: number }
  | { kind: 'result'; postId: string; platform: string; accountId: string; ok: boolean; remoteId: string | null; url: string | null; error: ReturnType<typeof toErrorValue> | null; waiting: boolean }
  | { kind: 'post'; postId: string; state: string };

export interface PublisherDeps {
  store: Store;
  posts: PostService;
  blobs: BlobStore;
  vault: Vault;
  http: EgressClient;
  adapters: Partial<Record<PlatformId, PlatformAdapter>>;
  /** The policy's `accounts`: an account connected before the policy narrowed them is not used. */
  allowedAccounts?: Partial<Record<PlatformId, readonly string[]>>;
  now: () => Date;
  onEvent?: (event: PublishEvent) => void;
  /** Seconds to wait before retry n (1-based) of a job that could not reach the platform. */
  retryDelaySeconds?: (attempt: number) => number;
  maxAttempts?: number;
}

export class Publisher {
  readonly #deps: PublisherDeps;
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #abort = new AbortController();

  constructor(deps: PublisherDeps) {
    this.#deps = deps;
  }

  /** Reconciles jobs a crash left running, then looks for due work every `intervalMs`. */
  async start(intervalMs = 1000): Promise<void> {
    await this.recover();
    this.#timer = setInterval(() => void this.tick(), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#abort.abort(new AirlockError('publish.stopped', 'Airlock is shutting down; the upload will continue when it starts again.'));
    await this.#ticking?.catch(() => {});
  }

  /** One pass: start due posts, then run due jobs one after another. Never overlaps itself. */
  tick(): Promise<void> {
    this.#ticking ??= this.#pass().finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  async recover(): Promise<void> {
    for (const job of await this.#deps.store.call('publish.jobsInState', { state: 'running' })) {
      const adapter = this.#deps.adapters[job.platform as PlatformId];
      try {
        const request = await this.#request(job);
        const context = await this.#context(job);
        const found = adapter ? await this.#deps.vault.withAccount(job.platform, job.account_id, () => adapter.reconcile(request, context)) : null;
        if (found) await this.#finish(job, found, null);
        else await this.#deps.store.call('publish.retryLater', { id: job.id, at: this.#now(), errorJson: JSON.stringify({ code: 'publish.interrupted', message: 'Airlock stopped during this upload.' }), now: this.#now() });
      } catch (err) {
        await this.#deps.store.call('publish.retryLater', { id: job.id, at: this.#now(), errorJson: JSON.stringify(toErrorValue(err)), now: this.#now() });
      }
    }
  }

  async #pass(): Promise<void> {
    const now = this.#now();
    for (const post of await this.#deps.store.call('publish.duePosts', { now, limit: 20 })) await this.#startPost(post);
    for (const job of await this.#deps.store.call('publish.dueJobs', { now: this.#now(), limit: 20 })) {
      if (this.#abort.signal.aborted) return;
      await this.#run(job);
    }
  }

  async #startPost(post: { id: string; version: number; approval_hash: string; targets_json: string }): Promise<void> {
    const accounts = await this.#deps.store.call('accounts.list', {});
    const targets = JSON.parse(post.targets_json) as PlatformId[];
    const jobs = targets.map((platform) => {
      const account = accounts.find((a) => a.platform === platform);
      const accountId = account?.account_id ?? 'not-connected';
      return { id: randomUUID(), platform, accountId, idempotencyKey: `${post.id}:${platform}:${accountId}:${post.approval_hash.slice(0, 16)}`, approvalHash: post.approval_hash };
    });
    if (await this.#deps.store.call('publish.start', { postId: post.id, version: post.version, now: this.#now(), jobs })) {
      this.#deps.onEvent?.({ kind: 'post', postId: post.id, state: 'publishing' });
    }
  }

  async #run(job: JobRow): Promise<void> {
    if (!(await this.#deps.store.call('publish.claim', { id: job.id, now: this.#now() }))) return;
    this.#deps.onEvent?.({ kind: 'attempt', postId: job.post_id, platform: job.platform, accountId: job.account_id, attempt: job.attempts + 1 });
    try {
      const adapter = this.#deps.adapters[job.platform as PlatformId];
      if (!adapter) throw new AirlockError('publish.no-adapter', `Airlock cannot publish to ${job.platform} yet.`);
      // The approval covers exact content: anything changed since is not published.
      const post = await this.#deps.posts.get(job.post_id);
      if (this.#deps.posts.contentHashOf(post) !== job.approval_hash) {
        throw new AirlockError('publish.approval-void', 'The post was changed after it was approved, so it was not published. Submit it for approval again.');
      }
      const request = await this.#request(job);
      const context = await this.#context(job);
      // One user of this account's sign-in at a time: a rotating refresh token works only once.
      const result = await this.#deps.vault.withAccount(job.platform, job.account_id, () => adapter.publish(request, context));
      await this.#finish(job, result, null);
    } catch (err) {
      const error = toErrorValue(err);
      if (this.#abort.signal.aborted) {
        // Shutting down is not a failure: the job waits, with its checkpoint, for the next start.
        await this.#deps.store.call('publish.retryLater', { id: job.id, at: this.#now(), errorJson: JSON.stringify(error), now: this.#now() });
        return;
      }
      const attempts = job.attempts + 1;
      // Adapters say what should happen next ('retry' or 'later' mean the platform may take it
      // another time); network failures below the adapter are always worth waiting out.
      const { next, retryable } = err as { next?: string; retryable?: boolean };
      const transient = retryable === true || next === 'retry' || next === 'later' || TRANSIENT.test(error.code);
      if (transient && attempts < (this.#deps.maxAttempts ?? 12)) {
        const delay = (this.#deps.retryDelaySeconds ?? ((n) => Math.min(600, 5 * 2 ** (n - 1))))(attempts);
        const at = new Date(this.#deps.now().getTime() + delay * 1000).toISOString();
        await this.#deps.store.call('publish.retryLater', { id: job.id, at, errorJson: JSON.stringify(error), now: this.#now() });
        this.#deps.onEvent?.({ kind: 'result', postId: job.post_id, platform: job.platform, accountId: job.account_id, ok: false, remoteId: null, url: null, error, waiting: true });
        return;
      }
      await this.#finish(job, null, error);
    }
  }

  async #finish(job: JobRow, result: PublishResult | null, error: ReturnType<typeof toErrorValue> | null): Promise<void> {
    const done = await this.#deps.store.call('publish.finish', {
      id: job.id,
      ok: result !== null,
      remoteId: result?.remoteId ?? null,
      url: result?.url ?? null,
      outcome: result?.outcome ?? null,
      errorJson: error ? JSON.stringify(error) : null,
      now: this.#now(),
    });
    this.#deps.onEvent?.({ kind: 'result', postId: job.post_id, platform: job.platform, accountId: job.account_id, ok: result !== null, remoteId: result?.remoteId ?? null, url: result?.url ?? null, error, waiting: false });
    if (done.postState) this.#deps.onEvent?.({ kind: 'post', postId: done.postId, state: done.postState });
  }

  async #request(job: JobRow): Promise<PublishRequest> {
    const post = await this.#deps.posts.get(job.post_id);
    const facts = new Map((await this.#deps.store.call('media.facts', { ids: post.media.map((m) => m.mediaId) })).map((f) => [f.id, f]));
    return {
      postId: post.id,
      idempotencyKey: job.idempotency_key,
      caption: post.caption,
      options: (post.options[job.platform] ?? {}) as Record<string, unknown>,
      media: post.media.map((m) => {
        const f = facts.get(m.mediaId)!;
        return {
          kind: m.kind,
          path: this.#deps.blobs.pathFor(m.cleanSha256),
          bytes: f.clean_bytes,
          format: f.format,
          contentType: CONTENT_TYPES[f.format] ?? 'application/octet-stream',
          cleanSha256: m.cleanSha256,
          altText: m.altText,
          width: m.width,
          height: m.height,
          durationMs: f.duration_ms,
        };
      }),
    };
  }

  async #context(job: JobRow): Promise<PublishContext> {
    const account = (await this.#deps.store.call('accounts.list', {})).find((a: AccountRow) => a.platform === job.platform && a.account_id === job.account_id);
    if (!account) throw new AirlockError('publish.not-connected', `No ${job.platform} account is connected on this kiosk. Ask IT to connect one.`);
    const allowed = this.#deps.allowedAccounts?.[job.platform as PlatformId];
    if (allowed && !accountAllowed(allowed, { accountId: account.account_id, displayName: account.display_name })) {
      throw new AirlockError(
        'publish.account-not-allowed',
        `The connected ${job.platform} account (${account.display_name}) is not one the kiosk's policy allows, so nothing was sent. Ask IT to connect an allowed account.`,
        `${job.platform} account ${account.account_id.slice(0, 80)} is not in the policy's accounts.${job.platform}`,
      );
    }
    const { vault, store } = this.#deps;
    return {
      account: { platform: job.platform as PlatformId, accountId: account.account_id, apiBase: account.api_base },
      http: this.#deps.http,
      credentials: async () => {
        const creds = await vault.loadAccountCredentials(job.platform, job.account_id);
        if (!creds) throw new AirlockError('publish.not-connected', `The ${job.platform} account has no stored sign-in. Ask IT to reconnect it.`);
        return creds;
      },
      saveCredentials: (creds) => vault.saveAccountCredentials(job.platform, job.account_id, creds),
      onProgress: (p) => this.#deps.onEvent?.({ kind: 'progress', postId: job.post_id, platform: job.platform, phase: p.phase, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal }),
      signal: this.#abort.signal,
      checkpoint: {
        load: async () => JSON.parse((await store.call('publish.jobsForPost', { postId: job.post_id })).find((j) => j.id === job.id)?.checkpoint_json ?? '{}') as Record<string, unknown>,
        save: (state) => store.call('publish.checkpoint', { id: job.id, checkpointJson: JSON.stringify(state), now: this.#now() }),
      },
    };
  }

  #now(): string {
    return this.#deps.now().toISOString();
  }
}
