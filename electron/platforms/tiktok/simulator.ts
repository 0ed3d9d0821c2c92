// A protocol-faithful TikTok Content Posting API on 127.0.0.1 for tests and the training
// demo: the paths, envelopes, error codes, chunk rules, status progression, token rotation
// and rate limits of ../shared/platform-apis.md §1, plus faults on demand. Never a real host.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../services/core.ts';
import type { ChunkPlan } from './chunks.ts';
import {
  isTikTokPrivacyLevel,
  TIKTOK_LIMITS,
  TIKTOK_OAUTH,
  TIKTOK_PATHS,
  TIKTOK_RATE_LIMITS,
  TIKTOK_SCOPES,
  type TikTokCreatorInfo,
  type TikTokFailReason,
  type TikTokPrivacyLevel,
  type TikTokPublishStatus,
  type TikTokScope,
  type TikTokTokenResponse,
} from './protocol.ts';
import { BodyTooLarge, drain, Int64, makeLogId, readSmallBody, sendEnvelope, sendJson } from './simulator-http.ts';
import { TikTokOAuth, type AccessGrant, type Grant } from './simulator-oauth.ts';
import { fail, isRecord, ok, optionalBoolean, parseVideoPostInfo, parseVideoSource, type PostSettings, type Reply } from './simulator-requests.ts';
import { looksLikeVideo, newUploadSession, receiveChunk, type UploadFault, type UploadSession } from './simulator-upload.ts';

export type TikTokEndpoint =
  | 'authorize'
  | 'token'
  | 'revoke'
  | 'creator_info'
  | 'video_init'
  | 'inbox_init'
  | 'content_init'
  | 'status'
  | 'cancel'
  | 'upload';

interface FaultTarget {
  /** Which endpoint the fault hits; any endpoint it applies to when left out. */
  endpoint?: TikTokEndpoint;
  /** How many requests it hits before it is used up; 1 when left out. */
  times?: number;
}

/**
 * Faults on demand, consumed in the order injected. `drop-connection` closes the socket with
 * no answer: `mid-request` before the server acts (for an upload, halfway through the chunk's
 * body), `after-processing` once it has acted (a chunk kept, a post created, a token rotated).
 */
export type TikTokFault =
  | (FaultTarget & { kind: 'drop-connection'; when?: 'mid-request' | 'after-processing'; chunkIndex?: number })
  | (FaultTarget & { kind: 'server-error'; status?: number; chunkIndex?: number })
  | (FaultTarget & { kind: 'rate-limit'; retryAfterSeconds?: number; chunkIndex?: number })
  | (FaultTarget & { kind: 'expired-token' })
  | (FaultTarget & { kind: 'spam-risk'; code?: SpamRiskCode; httpStatus?: number })
  | (FaultTarget & { kind: 'error-envelope'; code: string; message?: string; httpStatus?: number })
  | { kind: 'publish-failure'; failReason: TikTokFailReason; publishId?: string; times?: number };

export type SpamRiskCode = 'spam_risk_too_many_posts' | 'spam_risk_user_banned_from_posting' | 'reached_active_user_cap' | 'spam_risk_too_many_pending_share';

export interface TikTokSimAccountSeed {
  openId?: string;
  username?: string;
  nickname?: string;
  /** A private account; unaudited clients may post only to these (§1.8). */
  isPrivate?: boolean;
  /** Defaults follow the account's privacy: public accounts get §1.2's sample list. */
  privacyLevelOptions?: TikTokPrivacyLevel[];
  maxVideoPostDurationSec?: number;
  commentDisabled?: boolean;
  duetDisabled?: boolean;
  stitchDisabled?: boolean;
  bannedFromPosting?: boolean;
  /** Scopes this user ticks at consent; all by default. */
  grantedScopes?: TikTokScope[];
}

export type TikTokSimAccount = Required<TikTokSimAccountSeed>;

export interface TikTokSimulatorOptions {
  /** 0 (the default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clock?: Clock;
  clientKey?: string;
  clientSecret?: string;
  redirectUris?: string[];
  /** Scopes TikTok approved for the app. */
  appScopes?: TikTokScope[];
  /** False models an app TikTok has not audited yet (§1.8). Default true. */
  audited?: boolean;
  accounts?: TikTokSimAccountSeed[];
  /** §1.1: the docs conflict, so vary these. Defaults are the newer 2 h / 180 d. */
  tokenLifetimes?: { accessSeconds?: number; refreshSeconds?: number };
  /**
   * How a post moves after its upload: it stays PROCESSING_* for `polls` status polls and at
   * least `ms` of clock time, then public posts wait `moderationPolls` / `moderationMs` more
   * before their post id appears (§1.7). Defaults: 1 poll, 0 ms, 1 poll, 0 ms.
   */
  processing?: { polls?: number; ms?: number; moderationPolls?: number; moderationMs?: number };
  /** Per-token limits per sliding minute (§1.9); `false` switches them off. */
  rateLimits?: Partial<Record<keyof typeof TIKTOK_RATE_LIMITS, number>> | false;
  /** §1.8: about 15 posts per creator per day. */
  dailyPostCap?: number;
  /** §1.5: 5 pending inbox shares per 24 h. */
  pendingShareCap?: number;
  /** Active posting users per 24 h for an audited client (set at audit, §1.8); unlimited by default. */
  activeUserCap?: number;
  /** §1.4 PULL_FROM_URL: prefixes "verified" for this app. Nothing is ever fetched. */
  verifiedUrlPrefixes?: string[];
  faults?: TikTokFault[];
  /** Authorize shows a consent page with Authorize and Cancel instead of consenting at once. */
  consentPage?: boolean;
}

export interface TikTokFeedPost {
  postId: string;
  publishId: string;
  openId: string;
  username: string;
  via: 'direct' | 'inbox';
  caption: string;
  privacyLevel: TikTokPrivacyLevel;
  disableComment: boolean;
  disableDuet: boolean;
  disableStitch: boolean;
  brandContentToggle: boolean;
  brandOrganicToggle: boolean;
  isAigc: boolean;
  videoCoverTimestampMs: number | null;
  /** FILE_UPLOAD only: the uploaded bytes' SHA-256 and size; never the bytes themselves. */
  video: { sha256: string; sizeBytes: number; contentType: string } | null;
  /** Photo posts: the image URLs TikTok would have pulled. */
  photoUrls: string[] | null;
  publishedAt: string;
  /** False while a public post is in moderation and has no public id yet (§1.7). */
  moderated: boolean;
}

export interface TikTokUploadView {
  publishId: string;
  status: TikTokPublishStatus;
  videoSize: number;
  chunkSize: number;
  totalChunkCount: number;
  uploadedBytes: number;
  chunksReceived: number;
  contentType: string | null;
  sha256: string | null;
  expiresAt: string;
}

export interface TikTokPublishView {
  publishId: string;
  openId: string;
  kind: PublishKind;
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  status: TikTokPublishStatus;
  failReason: string | null;
  postId: string | null;
}

export interface TikTokRequestRecord {
  method: string;
  /** Path only: the upload URL's query holds its token and is never recorded. */
  path: string;
  endpoint: TikTokEndpoint | null;
  /** 0 when the connection was dropped without an answer. */
  status: number;
}

export interface TikTokSimulator {
  readonly origin: string;
  readonly clientKey: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  stop(): Promise<void>;
  injectFault(fault: TikTokFault): void;
  pendingFaults(): TikTokFault[];
  /** Published posts, newest first, for a read-only feed view. */
  feed(openId?: string): TikTokFeedPost[];
  uploads(): TikTokUploadView[];
  publishes(): TikTokPublishView[];
  accounts(): TikTokSimAccount[];
  /** The account that consents in the simulated browser at /v2/auth/authorize/; null denies. */
  signInAs(openId: string | null): void;
  setAudited(audited: boolean): void;
  /** Tokens without the browser step, for tests and the demo's pre-connected account. */
  issueTokens(openId?: string, scopes?: TikTokScope[]): TikTokTokenResponse;
  /** The account owner finishes an inbox draft in the TikTok app (§1.5). */
  finishInboxShare(publishId: string, post: { caption: string; privacyLevel: TikTokPrivacyLevel }): TikTokFeedPost;
  requests(): TikTokRequestRecord[];
}

type PublishKind = 'direct-video' | 'inbox-video' | 'direct-photo' | 'inbox-photo';

interface Publish {
  publishId: string;
  kind: PublishKind;
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  openId: string;
  grant: Grant;
  settings: PostSettings | null;
  upload: UploadSession | null;
  photoUrls: string[] | null;
  createdAt: number;
  stage: 'uploading' | 'processing' | 'moderation' | 'done';
  stageAt: number;
  stagePolls: number;
  status: TikTokPublishStatus;
  failure: string | null;
  post: TikTokFeedPost | null;
  inboxFinished: boolean;
}

const DATA_ENDPOINTS: Partial<Record<string, TikTokEndpoint>> = {
  [TIKTOK_PATHS.creatorInfo]: 'creator_info',
  [TIKTOK_PATHS.videoInit]: 'video_init',
  [TIKTOK_PATHS.inboxVideoInit]: 'inbox_init',
  [TIKTOK_PATHS.contentInit]: 'content_init',
  [TIKTOK_PATHS.statusFetch]: 'status',
  [TIKTOK_PATHS.cancel]: 'cancel',
};

const DAY_MS = 24 * 60 * 60 * 1000;
const systemClock: Clock = { now: () => new Date() };

function faultApplies(fault: TikTokFault, endpoint: TikTokEndpoint): boolean {
  if (fault.kind === 'publish-failure') return false;
  if (fault.endpoint !== undefined && fault.endpoint !== endpoint) return false;
  const oauth = endpoint === 'authorize' || endpoint === 'token' || endpoint === 'revoke';
  switch (fault.kind) {
    case 'drop-connection':
    case 'server-error':
    case 'rate-limit':
      return true;
    case 'error-envelope':
      return endpoint !== 'upload' && endpoint !== 'authorize';
    case 'expired-token':
    case 'spam-risk':
      return !oauth && endpoint !== 'upload';
  }
}

function normaliseAccount(seed: TikTokSimAccountSeed, index: number): TikTokSimAccount {
  const isPrivate = seed.isPrivate ?? false;
  const n = index + 1;
  return {
    openId: seed.openId ?? `-000sim-open-id-${n}`,
    username: seed.username ?? `airlock_demo_${n}`,
    nickname: seed.nickname ?? `Airlock Demo ${n}`,
    isPrivate,
    // §1.2 sample for a public account; a private one offers followers instead of everyone [U].
    privacyLevelOptions: seed.privacyLevelOptions ?? (isPrivate ? ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'] : ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']),
    maxVideoPostDurationSec: seed.maxVideoPostDurationSec ?? 300,
    commentDisabled: seed.commentDisabled ?? false,
    duetDisabled: seed.duetDisabled ?? false,
    stitchDisabled: seed.stitchDisabled ?? false,
    bannedFromPosting: seed.bannedFromPosting ?? false,
    grantedScopes: seed.grantedScopes ?? [...TIKTOK_SCOPES],
  };
}

class Simulation implements TikTokSimulator {
  origin = '';
  readonly clientKey: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];

  readonly #clock: Clock;
  readonly #accounts: TikTokSimAccount[];
  readonly #oauth: TikTokOAuth;
  readonly #faults: { fault: TikTokFault; remaining: number }[] = [];
  readonly #publishes = new Map<string, Publish>();
  readonly #uploads = new Map<string, UploadSession>();
  readonly #hits = new Map<string, number[]>();
  readonly #postTimes = new Map<string, number[]>();
  readonly #activeUsers = new Map<string, number>();
  readonly #requests: TikTokRequestRecord[] = [];
  readonly #processing: { polls: number; ms: number; moderationPolls: number; moderationMs: number };
  readonly #rateLimits: Record<keyof typeof TIKTOK_RATE_LIMITS, number> | null;
  readonly #dailyPostCap: number;
  readonly #pendingShareCap: number;
  readonly #activeUserCap: number;
  readonly #verifiedPrefixes: string[];
  #audited: boolean;
  #signedIn: string | null;
  #counter = 0;
  readonly server = createServer((req, res) => this.#serve(req, res));

  constructor(options: TikTokSimulatorOptions) {
    this.#clock = options.clock ?? systemClock;
    this.clientKey = options.clientKey ?? 'sim-client-key';
    this.clientSecret = options.clientSecret ?? randomBytes(16).toString('hex');
    this.redirectUris = options.redirectUris ?? ['http://127.0.0.1:*/callback/'];
    this.#accounts = (options.accounts ?? [{}]).map(normaliseAccount);
    if (new Set(this.#accounts.map((a) => a.openId)).size !== this.#accounts.length) throw new RangeError('Simulated TikTok accounts need distinct open ids.');
    this.#signedIn = this.#accounts[0]?.openId ?? null;
    this.#audited = options.audited ?? true;
    const p = options.processing ?? {};
    this.#processing = { polls: p.polls ?? 1, ms: p.ms ?? 0, moderationPolls: p.moderationPolls ?? 1, moderationMs: p.moderationMs ?? 0 };
    this.#rateLimits = options.rateLimits === false ? null : { ...TIKTOK_RATE_LIMITS, ...options.rateLimits };
    this.#dailyPostCap = options.dailyPostCap ?? TIKTOK_LIMITS.dailyPostsPerCreator;
    this.#pendingShareCap = options.pendingShareCap ?? TIKTOK_LIMITS.pendingSharesPer24h;
    this.#activeUserCap = options.activeUserCap ?? Infinity;
    this.#verifiedPrefixes = options.verifiedUrlPrefixes ?? [];
    for (const fault of options.faults ?? []) this.injectFault(fault);
    this.#oauth = new TikTokOAuth({
      clientKey: this.clientKey,
      clientSecret: this.clientSecret,
      redirectUris: this.redirectUris,
      appScopes: options.appScopes ?? [...TIKTOK_SCOPES],
      accessSeconds: options.tokenLifetimes?.accessSeconds ?? TIKTOK_OAUTH.defaultAccessSeconds,
      refreshSeconds: options.tokenLifetimes?.refreshSeconds ?? TIKTOK_OAUTH.defaultRefreshSeconds,
      nowMs: () => this.#now(),
      logId: () => makeLogId(this.#now()),
      account: (openId) => this.#account(openId),
      signedInOpenId: () => this.#signedIn ?? undefined,
      consentPage: options.consentPage === true,
    });
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #account(openId: string): TikTokSimAccount | undefined {
    return this.#accounts.find((a) => a.openId === openId);
  }

  // ---- public API -------------------------------------------------------------------------

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  injectFault(fault: TikTokFault): void {
    this.#faults.push({ fault, remaining: Math.max(1, fault.times ?? 1) });
  }

  pendingFaults(): TikTokFault[] {
    return this.#faults.map((f) => f.fault);
  }

  feed(openId?: string): TikTokFeedPost[] {
    this.#advanceAll();
    return [...this.#publishes.values()]
      .filter((p) => p.post !== null && (openId === undefined || p.openId === openId))
      .map((p) => ({ ...p.post!, moderated: p.stage === 'done' }))
      .reverse();
  }

  uploads(): TikTokUploadView[] {
    this.#advanceAll();
    return [...this.#publishes.values()].flatMap((p) => {
      const u = p.upload;
      if (!u) return [];
      return [
        {
          publishId: p.publishId,
          status: p.status,
          videoSize: u.plan.videoSize,
          chunkSize: u.plan.chunkSize,
          totalChunkCount: u.plan.totalChunkCount,
          uploadedBytes: u.uploadedBytes,
          chunksReceived: u.chunksReceived,
          contentType: u.contentType ?? null,
          sha256: u.sha256 ?? null,
          expiresAt: new Date(u.expiresAt).toISOString(),
        },
      ];
    });
  }

  publishes(): TikTokPublishView[] {
    this.#advanceAll();
    return [...this.#publishes.values()].map((p) => ({
      publishId: p.publishId,
      openId: p.openId,
      kind: p.kind,
      source: p.source,
      status: p.status,
      failReason: p.status === 'FAILED' ? p.failure : null,
      postId: p.post?.postId ?? null,
    }));
  }

  accounts(): TikTokSimAccount[] {
    return this.#accounts.map((a) => ({ ...a, privacyLevelOptions: [...a.privacyLevelOptions], grantedScopes: [...a.grantedScopes] }));
  }

  signInAs(openId: string | null): void {
    if (openId !== null && !this.#account(openId)) throw new RangeError(`No simulated TikTok account ${openId}`);
    this.#signedIn = openId;
  }

  setAudited(audited: boolean): void {
    this.#audited = audited;
  }

  issueTokens(openId?: string, scopes?: TikTokScope[]): TikTokTokenResponse {
    const account = openId === undefined ? this.#accounts[0] : this.#account(openId);
    if (!account) throw new RangeError(`No simulated TikTok account ${openId ?? '(none configured)'}`);
    return this.#oauth.issueForTest(account.openId, scopes ?? account.grantedScopes);
  }

  finishInboxShare(publishId: string, post: { caption: string; privacyLevel: TikTokPrivacyLevel }): TikTokFeedPost {
    const p = this.#publishes.get(publishId);
    if (!p || p.status !== 'SEND_TO_USER_INBOX') throw new RangeError(`${publishId} is not a draft waiting in the TikTok inbox`);
    p.inboxFinished = true;
    p.settings = {
      caption: post.caption,
      privacyLevel: post.privacyLevel,
      disableComment: false,
      disableDuet: false,
      disableStitch: false,
      brandContentToggle: false,
      brandOrganicToggle: false,
      isAigc: false,
      videoCoverTimestampMs: null,
    };
    this.#complete(p);
    return { ...p.post!, moderated: p.stage === 'done' };
  }

  requests(): TikTokRequestRecord[] {
    return this.#requests.map((r) => ({ ...r }));
  }

  // ---- faults, limits, progress -----------------------------------------------------------

  #takeFault(endpoint: TikTokEndpoint, match: (f: TikTokFault) => boolean = () => true): TikTokFault | undefined {
    const i = this.#faults.findIndex((f) => faultApplies(f.fault, endpoint) && match(f.fault));
    if (i < 0) return undefined;
    const entry = this.#faults[i]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#faults.splice(i, 1);
    return entry.fault;
  }

  #takePublishFailure(publishId: string): TikTokFailReason | undefined {
    const i = this.#faults.findIndex((f) => f.fault.kind === 'publish-failure' && (f.fault.publishId === undefined || f.fault.publishId === publishId));
    if (i < 0) return undefined;
    const entry = this.#faults[i]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#faults.splice(i, 1);
    return entry.fault.kind === 'publish-failure' ? entry.fault.failReason : undefined;
  }

  /** §1.9: per-token sliding minute. A refused request does not count. */
  #allow(endpoint: keyof typeof TIKTOK_RATE_LIMITS, token: string): boolean {
    if (!this.#rateLimits) return true;
    const key = `${endpoint} ${token}`;
    const since = this.#now() - 60_000;
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > since);
    if (hits.length >= this.#rateLimits[endpoint]) {
      this.#hits.set(key, hits);
      return false;
    }
    hits.push(this.#now());
    this.#hits.set(key, hits);
    return true;
  }

  #postsToday(openId: string): number {
    const since = this.#now() - DAY_MS;
    return (this.#postTimes.get(openId) ?? []).filter((t) => t > since).length;
  }

  #pendingShares(openId: string): number {
    const since = this.#now() - DAY_MS;
    return [...this.#publishes.values()].filter(
      (p) => p.openId === openId && p.kind.startsWith('inbox') && p.createdAt > since && !p.inboxFinished && p.status !== 'FAILED',
    ).length;
  }

  /** §1.2/§1.3/§1.8: why this creator cannot post right now, if so. */
  #cannotPost(account: TikTokSimAccount, kind: 'direct' | 'inbox'): Reply | null {
    if (account.bannedFromPosting) return fail(403, 'spam_risk_user_banned_from_posting', 'The user is banned from posting.');
    if (kind === 'direct' && this.#postsToday(account.openId) >= this.#dailyPostCap) {
      return fail(403, 'spam_risk_too_many_posts', 'The daily post cap from the API has been reached for this user.');
    }
    if (kind === 'inbox' && this.#pendingShares(account.openId) >= this.#pendingShareCap) {
      return fail(403, 'spam_risk_too_many_pending_share', `At most ${this.#pendingShareCap} pending shares are allowed within any 24-hour period.`);
    }
    const cap = this.#audited ? this.#activeUserCap : Math.min(this.#activeUserCap, TIKTOK_LIMITS.unauditedUsersPer24h);
    const since = this.#now() - DAY_MS;
    const active = [...this.#activeUsers.entries()].filter(([, t]) => t > since).map(([id]) => id);
    if (!active.includes(account.openId) && active.length >= cap) {
      return fail(403, 'reached_active_user_cap', 'The daily quota of active publishing users for this client has been reached.');
    }
    return null;
  }

  #recordPosting(openId: string, kind: 'direct' | 'inbox'): void {
    const now = this.#now();
    this.#activeUsers.set(openId, now);
    if (kind === 'direct') this.#postTimes.set(openId, [...(this.#postTimes.get(openId) ?? []), now]);
  }

  #advanceAll(): void {
    for (const p of this.#publishes.values()) this.#advance(p, false);
  }

  /**
   * §1.7 progress, driven by status polls and the injected clock so tests are deterministic.
   * A stage ends once it has been seen by its number of polls and its time has passed; a
   * counted poll that still sees a stage adds one to that stage's count.
   */
  #advance(p: Publish, counted: boolean): void {
    const { polls, ms, moderationPolls, moderationMs } = this.#processing;
    const due = (n: number, wait: number) => p.stagePolls >= n && this.#now() - p.stageAt >= wait;
    if (p.stage === 'processing' && due(polls, ms)) this.#complete(p);
    if (p.stage === 'moderation' && due(moderationPolls, moderationMs)) this.#enterStage(p, 'done');
    if (counted && (p.stage === 'processing' || p.stage === 'moderation')) p.stagePolls += 1;
  }

  #enterStage(p: Publish, stage: Publish['stage']): void {
    p.stage = stage;
    p.stageAt = this.#now();
    p.stagePolls = 0;
  }

  #complete(p: Publish): void {
    // §1.7 `auth_removed`: the user revoked the app while TikTok was still processing.
    if (p.grant.revoked && !p.inboxFinished) p.failure = 'auth_removed';
    if (p.failure !== null) {
      p.status = 'FAILED';
      this.#enterStage(p, 'done');
      return;
    }
    if ((p.kind === 'inbox-video' || p.kind === 'inbox-photo') && !p.inboxFinished) {
      // §1.5/§1.7: the draft is delivered; the account owner finishes it in the app.
      p.status = 'SEND_TO_USER_INBOX';
      this.#enterStage(p, 'done');
      return;
    }
    p.status = 'PUBLISH_COMPLETE';
    const account = this.#account(p.openId)!;
    const s = p.settings!;
    const u = p.upload;
    p.post = {
      postId: (7_300_000_000_000_000_000n + BigInt(++this.#counter)).toString(),
      publishId: p.publishId,
      openId: p.openId,
      username: account.username,
      via: p.kind.startsWith('inbox') ? 'inbox' : 'direct',
      caption: s.caption,
      privacyLevel: s.privacyLevel,
      disableComment: s.disableComment,
      disableDuet: s.disableDuet,
      disableStitch: s.disableStitch,
      brandContentToggle: s.brandContentToggle,
      brandOrganicToggle: s.brandOrganicToggle,
      isAigc: s.isAigc,
      videoCoverTimestampMs: s.videoCoverTimestampMs,
      video: u?.sha256 ? { sha256: u.sha256, sizeBytes: u.plan.videoSize, contentType: u.contentType ?? 'video/mp4' } : null,
      photoUrls: p.photoUrls,
      publishedAt: new Date(this.#now()).toISOString(),
      moderated: false,
    };
    // §1.7: public posts go through moderation; no post id is given until it finishes.
    this.#enterStage(p, s.privacyLevel === 'PUBLIC_TO_EVERYONE' ? 'moderation' : 'done');
  }

  #newPublish(fields: Pick<Publish, 'publishId' | 'kind' | 'source' | 'openId' | 'grant' | 'settings' | 'photoUrls'>): Publish {
    const now = this.#now();
    const p: Publish = {
      ...fields,
      upload: null,
      createdAt: now,
      stage: fields.source === 'FILE_UPLOAD' ? 'uploading' : 'processing',
      stageAt: now,
      stagePolls: 0,
      status: fields.source === 'FILE_UPLOAD' ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD',
      failure: null,
      post: null,
      inboxFinished: false,
    };
    if (fields.source === 'PULL_FROM_URL') p.failure = this.#takePublishFailure(p.publishId) ?? null;
    this.#publishes.set(p.publishId, p);
    return p;
  }

  #attachUpload(p: Publish, plan: ChunkPlan): string {
    const uploadId = String(700_000_000 + ++this.#counter);
    const uploadToken = randomBytes(18).toString('base64url');
    const session = newUploadSession({ publishId: p.publishId, uploadId, uploadToken, plan, expiresAt: this.#now() + TIKTOK_LIMITS.uploadUrlSeconds * 1000 });
    p.upload = session;
    this.#uploads.set(uploadId, session);
    return `${this.origin}${TIKTOK_PATHS.upload}?upload_id=${uploadId}&upload_token=${uploadToken}`;
  }

  #onUploadComplete(session: UploadSession): void {
    const p = this.#publishes.get(session.publishId)!;
    // §1.7 fail_reason `file_format_check_failed`: TikTok finds a bad file after the upload.
    p.failure = this.#takePublishFailure(p.publishId) ?? (looksLikeVideo(session.head, session.contentType ?? '') ? null : 'file_format_check_failed');
    this.#enterStage(p, 'processing');
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: TikTokRequestRecord = { method: req.method ?? '', path: url.pathname, endpoint: null, status: 0 };
    this.#requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    this.#route(req, res, url, record).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        sendEnvelope(res, 500, makeLogId(this.#now()), {}, 'internal_error', `Simulator fault: ${err instanceof Error ? err.message : String(err)}`);
      } else {
        res.destroy();
      }
    });
  }

  async #route(req: IncomingMessage, res: ServerResponse, url: URL, record: TikTokRequestRecord): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? '';
    const methodIs = (wanted: string): boolean => {
      if (method === wanted) return true;
      void drain(req).then(() => sendEnvelope(res, 405, makeLogId(this.#now()), {}, 'invalid_params', `Use ${wanted} for ${path}.`, { Allow: wanted }));
      return false;
    };
    if (path === TIKTOK_PATHS.authorize) {
      record.endpoint = 'authorize';
      if (methodIs('GET')) this.#authorize(req, res, url);
      return;
    }
    if (path === TIKTOK_PATHS.token || path === TIKTOK_PATHS.revoke) {
      record.endpoint = path === TIKTOK_PATHS.token ? 'token' : 'revoke';
      if (methodIs('POST')) await this.#oauthEndpoint(req, res, record.endpoint);
      return;
    }
    if (path === TIKTOK_PATHS.upload) {
      record.endpoint = 'upload';
      if (methodIs('PUT')) await this.#upload(req, res, url);
      return;
    }
    const endpoint = DATA_ENDPOINTS[path];
    if (endpoint) {
      record.endpoint = endpoint;
      if (methodIs('POST')) await this.#dataEndpoint(req, res, endpoint);
      return;
    }
    await drain(req);
    sendEnvelope(res, 404, makeLogId(this.#now()), {}, 'invalid_params', `No such endpoint: ${path}`);
  }

  #authorize(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const fault = this.#takeFault('authorize');
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    if (fault?.kind === 'server-error' || fault?.kind === 'rate-limit') {
      res.writeHead(fault.kind === 'server-error' ? (fault.status ?? 500) : 429, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('The simulated TikTok sign-in page is unavailable.');
    }
    const reply = this.#oauth.authorize(url.searchParams);
    if (reply.kind === 'redirect') {
      res.writeHead(302, { Location: reply.location, 'Cache-Control': 'no-store' });
      res.end();
    } else if (reply.kind === 'consent') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'" });
      res.end(reply.html);
    } else {
      res.writeHead(reply.status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(reply.text);
    }
  }

  async #oauthEndpoint(req: IncomingMessage, res: ServerResponse, endpoint: 'token' | 'revoke'): Promise<void> {
    const fault = this.#takeFault(endpoint);
    const logId = makeLogId(this.#now());
    if (fault?.kind === 'drop-connection' && fault.when !== 'after-processing') return void req.socket.destroy();
    let body: Buffer;
    try {
      body = await readSmallBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) return void res.destroy();
      res.setHeader('Connection', 'close');
      return sendJson(res, 400, { error: 'invalid_request', error_description: err.message, log_id: logId });
    }
    const oauthFail = (status: number, error: string, description: string, headers: Record<string, string> = {}) =>
      sendJson(res, status, { error, error_description: description, log_id: logId }, headers);
    if (fault?.kind === 'server-error') return oauthFail(fault.status ?? 500, 'server_error', 'Simulated server error.');
    if (fault?.kind === 'rate-limit') {
      return oauthFail(429, 'rate_limit_exceeded', 'Simulated rate limit.', fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'error-envelope') return oauthFail(fault.httpStatus ?? 400, fault.code, fault.message ?? 'Simulated error.');
    // §1.1: the token endpoint takes application/x-www-form-urlencoded.
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
      return oauthFail(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const reply = endpoint === 'token' ? this.#oauth.token(form) : this.#oauth.revoke(form);
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    sendJson(res, reply.status, reply.body, { 'Cache-Control': 'no-store' });
  }

  async #upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const logId = makeLogId(this.#now());
    const session = this.#uploads.get(url.searchParams.get('upload_id') ?? '');
    // §1.4 404: no such upload task (an unknown id, or a token that does not belong to it).
    if (!session || session.uploadToken !== url.searchParams.get('upload_token')) {
      await drain(req);
      return sendEnvelope(res, 404, logId, {}, 'invalid_params', 'No such upload task.');
    }
    const outcome = await receiveChunk(req, res, session, {
      nowMs: this.#now(),
      logId,
      fault: (chunkIndex) => {
        const f = this.#takeFault('upload', (candidate) => !('chunkIndex' in candidate) || candidate.chunkIndex === undefined || candidate.chunkIndex === chunkIndex);
        return f ? toUploadFault(f) : undefined;
      },
    });
    if (outcome === 'complete') this.#onUploadComplete(session);
  }

  async #dataEndpoint(req: IncomingMessage, res: ServerResponse, endpoint: TikTokEndpoint): Promise<void> {
    const logId = makeLogId(this.#now());
    const fault = this.#takeFault(endpoint);
    if (fault?.kind === 'drop-connection' && fault.when !== 'after-processing') return void req.socket.destroy();
    let body: Buffer;
    try {
      body = await readSmallBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) return void res.destroy();
      res.setHeader('Connection', 'close');
      return sendEnvelope(res, 400, logId, {}, 'invalid_param', err.message);
    }
    const reply = this.#dataReply(req, endpoint, body, fault);
    if (fault?.kind === 'drop-connection') return void req.socket.destroy();
    sendEnvelope(res, reply.status, logId, reply.data ?? {}, reply.code ?? 'ok', reply.message ?? '', reply.headers);
  }

  #dataReply(req: IncomingMessage, endpoint: TikTokEndpoint, body: Buffer, fault: TikTokFault | undefined): Reply {
    // §1.3 5xx `internal_error` and 429 `rate_limit_exceeded`, on demand.
    if (fault?.kind === 'server-error') return fail(fault.status ?? 500, 'internal_error', 'Simulated internal error; retry later.');
    if (fault?.kind === 'rate-limit') {
      return fail(429, 'rate_limit_exceeded', 'Simulated rate limit.', fault.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'expired-token') this.#oauth.expireAccessToken(req.headers.authorization);
    // §1.3 401 `access_token_invalid`: missing, unknown, expired or revoked.
    const auth = this.#oauth.authenticate(req.headers.authorization);
    if (!auth) return fail(401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
    const account = this.#account(auth.grant.openId);
    if (!account) return fail(401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
    // §1.2: Content-Type application/json; charset=UTF-8 is a required header.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return fail(400, 'invalid_param', 'Content-Type must be application/json; charset=UTF-8.');
    let json: unknown = {};
    if (body.length > 0) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return fail(400, 'invalid_param', 'The request body is not valid JSON.');
      }
    }
    if (!isRecord(json)) return fail(400, 'invalid_param', 'The request body must be a JSON object.');
    const scopeCheck = (scopes: TikTokScope[]): Reply | null =>
      scopes.some((s) => auth.grant.scopes.includes(s)) ? null : fail(401, 'scope_not_authorized', `The token lacks the ${scopes.join(' or ')} scope.`);
    const limited = (name: keyof typeof TIKTOK_RATE_LIMITS): Reply | null =>
      this.#allow(name, auth.token) ? null : fail(429, 'rate_limit_exceeded', 'API rate limit exceeded; slow down.');
    const spam = (): Reply | null => {
      if (fault?.kind === 'spam-risk') return fail(fault.httpStatus ?? 403, fault.code ?? 'spam_risk_too_many_posts', 'Simulated: the creator cannot post right now.');
      if (fault?.kind === 'error-envelope') return fail(fault.httpStatus ?? 400, fault.code, fault.message ?? 'Simulated error.');
      return null;
    };
    switch (endpoint) {
      case 'creator_info':
        return scopeCheck(['video.publish']) ?? limited('creator_info') ?? spam() ?? this.#creatorInfo(account);
      case 'video_init':
        return scopeCheck(['video.publish']) ?? limited('video_init') ?? spam() ?? this.#videoInit(auth, account, json, 'direct');
      case 'inbox_init':
        return scopeCheck(['video.upload']) ?? limited('inbox_init') ?? spam() ?? this.#videoInit(auth, account, json, 'inbox');
      case 'content_init': {
        // §1.6: video.publish for DIRECT_POST, video.upload for MEDIA_UPLOAD.
        const scope: TikTokScope = json.post_mode === 'MEDIA_UPLOAD' ? 'video.upload' : 'video.publish';
        return scopeCheck([scope]) ?? limited('content_init') ?? spam() ?? this.#contentInit(auth, account, json);
      }
      case 'status':
        return scopeCheck(['video.publish', 'video.upload']) ?? limited('status') ?? spam() ?? this.#status(auth, json);
      case 'cancel':
        return scopeCheck(['video.publish', 'video.upload']) ?? spam() ?? this.#cancel(auth, json);
      default:
        return fail(404, 'invalid_params', 'No such endpoint.');
    }
  }

  // ---- endpoints ----------------------------------------------------------------------------

  /** §1.2 */
  #creatorInfo(account: TikTokSimAccount): Reply {
    const refused = this.#cannotPost(account, 'direct');
    if (refused) return refused;
    const data: TikTokCreatorInfo = {
      // Not served by the simulator; a kiosk never loads remote images anyway.
      creator_avatar_url: `${this.origin}/sim/avatar/${encodeURIComponent(account.openId)}.jpeg`,
      creator_username: account.username,
      creator_nickname: account.nickname,
      privacy_level_options: [...account.privacyLevelOptions],
      comment_disabled: account.commentDisabled,
      duet_disabled: account.duetDisabled,
      stitch_disabled: account.stitchDisabled,
      max_video_post_duration_sec: account.maxVideoPostDurationSec,
    };
    return ok(data);
  }

  /** §1.3 Direct Post and §1.5 inbox upload. */
  #videoInit(auth: AccessGrant, account: TikTokSimAccount, body: Record<string, unknown>, mode: 'direct' | 'inbox'): Reply {
    const source = parseVideoSource(body.source_info);
    if (!source.ok) return source.reply;
    let settings: PostSettings | null = null;
    if (mode === 'direct') {
      const parsed = parseVideoPostInfo(body.post_info);
      if (!parsed.ok) return parsed.reply;
      settings = parsed.value.settings;
      const refused = this.#cannotPost(account, 'direct') ?? this.#checkAudience(account, parsed.value.privacy, settings);
      if (refused) return refused;
    } else {
      // §1.5: the body is only source_info; post_info is not read.
      const refused = this.#cannotPost(account, 'inbox');
      if (refused) return refused;
    }
    if (source.value.source === 'PULL_FROM_URL' && !this.#verified(source.value.url)) {
      return fail(403, 'url_ownership_unverified', 'The video_url domain or prefix has not been verified for this app.');
    }
    const fileUpload = source.value.source === 'FILE_UPLOAD';
    const prefix = mode === 'direct' ? (fileUpload ? 'v_pub_file~v2-1.' : 'v_pub_url~v2-1.') : fileUpload ? 'v_inbox_file~v2.' : 'v_inbox_url~v2.';
    const p = this.#newPublish({
      publishId: `${prefix}${7_000_000_000 + ++this.#counter}`,
      kind: mode === 'direct' ? 'direct-video' : 'inbox-video',
      source: fileUpload ? 'FILE_UPLOAD' : 'PULL_FROM_URL',
      openId: account.openId,
      grant: auth.grant,
      settings,
      photoUrls: null,
    });
    this.#recordPosting(account.openId, mode);
    if (source.value.source !== 'FILE_UPLOAD') return ok({ publish_id: p.publishId });
    return ok({ publish_id: p.publishId, upload_url: this.#attachUpload(p, source.value.plan) });
  }

  /** §1.3 403s about the audience, in the order that tells the user the most. */
  #checkAudience(account: TikTokSimAccount, privacy: unknown, settings: PostSettings): Reply | null {
    if (!isTikTokPrivacyLevel(privacy)) return fail(403, 'privacy_level_option_mismatch', 'privacy_level is missing or not one of the creator\'s options.');
    // §1.8: unaudited clients post SELF_ONLY, and only to private accounts.
    if (!this.#audited && (privacy !== 'SELF_ONLY' || !account.isPrivate)) {
      return fail(403, 'unaudited_client_can_only_post_to_private_accounts', 'Unaudited clients can only post SELF_ONLY content to private accounts.');
    }
    if (!account.privacyLevelOptions.includes(privacy)) return fail(403, 'privacy_level_option_mismatch', `privacy_level ${privacy} is not one of the creator's options.`);
    // §1.8 "Branded content cannot be SELF_ONLY" (a UX rule; enforced here too [U]).
    if (settings.brandContentToggle && privacy === 'SELF_ONLY') return fail(400, 'invalid_param', 'Branded content cannot be posted with privacy_level SELF_ONLY.');
    return null;
  }

  #verified(url: string): boolean {
    return this.#verifiedPrefixes.some((prefix) => url.startsWith(prefix));
  }

  /** §1.6 photo posts: PULL_FROM_URL only, nothing is actually fetched. */
  #contentInit(auth: AccessGrant, account: TikTokSimAccount, body: Record<string, unknown>): Reply {
    if (body.media_type !== 'PHOTO') return fail(400, 'invalid_param', 'media_type must be PHOTO.');
    const mode = body.post_mode;
    if (mode !== 'DIRECT_POST' && mode !== 'MEDIA_UPLOAD') return fail(400, 'invalid_param', 'post_mode must be DIRECT_POST or MEDIA_UPLOAD.');
    if (body.is_aigc !== undefined && typeof body.is_aigc !== 'boolean') return fail(400, 'invalid_param', 'is_aigc must be a boolean.');
    const info = body.post_info;
    if (!isRecord(info)) return fail(400, 'invalid_param', 'post_info is required.');
    const errors: string[] = [];
    const title = info.title ?? '';
    const description = info.description ?? '';
    if (typeof title !== 'string' || title.length > TIKTOK_LIMITS.photoTitleUnits) errors.push(`title must be a string of at most ${TIKTOK_LIMITS.photoTitleUnits} UTF-16 units.`);
    if (typeof description !== 'string' || description.length > TIKTOK_LIMITS.photoDescriptionUnits) {
      errors.push(`description must be a string of at most ${TIKTOK_LIMITS.photoDescriptionUnits} UTF-16 units.`);
    }
    const settings: PostSettings = {
      caption: typeof description === 'string' ? description : '',
      privacyLevel: 'SELF_ONLY',
      disableComment: optionalBoolean(info, 'disable_comment', errors),
      disableDuet: true,
      disableStitch: true,
      brandContentToggle: optionalBoolean(info, 'brand_content_toggle', errors),
      brandOrganicToggle: optionalBoolean(info, 'brand_organic_toggle', errors),
      isAigc: body.is_aigc === true,
      videoCoverTimestampMs: null,
    };
    optionalBoolean(info, 'auto_add_music', errors);
    const src = body.source_info;
    if (!isRecord(src) || src.source !== 'PULL_FROM_URL') errors.push('Photos accept source PULL_FROM_URL only.');
    const images = isRecord(src) ? src.photo_images : undefined;
    const urls = Array.isArray(images) && images.every((u) => typeof u === 'string' && u.startsWith('https://')) ? (images as string[]) : null;
    if (!urls || urls.length === 0 || urls.length > TIKTOK_LIMITS.photoMaxImages) errors.push(`photo_images must hold 1 to ${TIKTOK_LIMITS.photoMaxImages} https URLs.`);
    const cover = isRecord(src) ? src.photo_cover_index : undefined;
    // [U] whether the index is 0- or 1-based is not stated; 0-based is assumed.
    if (urls && (!Number.isInteger(cover) || (cover as number) < 0 || (cover as number) >= urls.length)) errors.push('photo_cover_index must point at one of photo_images.');
    if (errors.length > 0) return fail(400, 'invalid_param', errors.join(' '));
    if (mode === 'DIRECT_POST') {
      const refused = this.#cannotPost(account, 'direct');
      if (refused) return refused;
      settings.caption = [title, description].filter(Boolean).join('\n');
      const audience = this.#checkAudience(account, info.privacy_level, settings);
      if (audience) return audience;
      settings.privacyLevel = info.privacy_level as TikTokPrivacyLevel;
    } else {
      const refused = this.#cannotPost(account, 'inbox');
      if (refused) return refused;
    }
    if (!urls!.every((u) => this.#verified(u))) return fail(403, 'url_ownership_unverified', 'A photo URL is not on a verified domain or prefix for this app.');
    const p = this.#newPublish({
      publishId: `${mode === 'DIRECT_POST' ? 'p_pub_url~v2.' : 'p_inbox_url~v2.'}${7_000_000_000 + ++this.#counter}`,
      kind: mode === 'DIRECT_POST' ? 'direct-photo' : 'inbox-photo',
      source: 'PULL_FROM_URL',
      openId: account.openId,
      grant: auth.grant,
      settings: mode === 'DIRECT_POST' ? settings : null,
      photoUrls: [...urls!],
    });
    this.#recordPosting(account.openId, mode === 'DIRECT_POST' ? 'direct' : 'inbox');
    return ok({ publish_id: p.publishId });
  }

  #ownedPublish(auth: AccessGrant, body: Record<string, unknown>): Publish | Reply {
    const id = body.publish_id;
    if (typeof id !== 'string' || id.length === 0) return fail(400, 'invalid_param', 'publish_id is required.');
    const p = this.#publishes.get(id);
    if (!p) return fail(400, 'invalid_publish_id', 'The publish_id does not exist.');
    if (p.openId !== auth.grant.openId) return fail(403, 'token_not_authorized_for_specified_publish_id', 'The token does not belong to the creator of this publish_id.');
    return p;
  }

  /** §1.7 */
  #status(auth: AccessGrant, body: Record<string, unknown>): Reply {
    const p = this.#ownedPublish(auth, body);
    if (!('publishId' in p)) return p;
    this.#advance(p, true);
    const data: Record<string, unknown> = { status: p.status };
    if (p.status === 'FAILED') data.fail_reason = p.failure;
    if (p.upload) data.uploaded_bytes = p.upload.uploadedBytes;
    if (p.source === 'PULL_FROM_URL') data.downloaded_bytes = 0;
    // §1.7: only public posts have a public id, and only once moderation is over. int64 on the wire.
    if (p.status === 'PUBLISH_COMPLETE' && p.post && p.settings?.privacyLevel === 'PUBLIC_TO_EVERYONE') {
      data.publicaly_available_post_id = p.stage === 'done' ? [new Int64(p.post.postId)] : [];
    }
    return ok(data);
  }

  /** §1.4: only a pull still in progress can be cancelled. */
  #cancel(auth: AccessGrant, body: Record<string, unknown>): Reply {
    const p = this.#ownedPublish(auth, body);
    if (!('publishId' in p)) return p;
    if (p.source !== 'PULL_FROM_URL' || p.stage !== 'processing') return fail(400, 'publish_not_cancellable', 'This publish can no longer be cancelled.');
    p.failure = 'publish_cancelled';
    p.status = 'FAILED';
    this.#enterStage(p, 'done');
    return ok({});
  }
}

function toUploadFault(f: TikTokFault): UploadFault | undefined {
  switch (f.kind) {
    case 'drop-connection':
      return { kind: 'drop-connection', when: f.when === 'after-processing' ? 'after-chunk' : 'mid-chunk' };
    case 'server-error':
      return { kind: 'server-error', status: f.status ?? 500 };
    case 'rate-limit':
      return { kind: 'rate-limit', retryAfterSeconds: f.retryAfterSeconds };
    default:
      return undefined;
  }
}

/** Starts the simulator on 127.0.0.1 and resolves once it listens. */
export async function startTikTokSimulator(options: TikTokSimulatorOptions = {}): Promise<TikTokSimulator> {
  const sim = new Simulation(options);
  await new Promise<void>((resolve, reject) => {
    sim.server.once('error', reject);
    sim.server.listen(options.port ?? 0, '127.0.0.1', () => {
      sim.server.off('error', reject);
      resolve();
    });
  });
  const { port } = sim.server.address() as AddressInfo;
  sim.origin = `http://127.0.0.1:${port}`;
  return sim;
}
