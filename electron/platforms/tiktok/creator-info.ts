// Asking TikTok what a connected account may post right now (§1.2 creator_info), for the post
// editor: the audiences it offers, its name, its longest video, and whether it can post at all.
// It goes through the adapter's own API session (envelope rules, one token renewal, the rotating
// refresh token stored before use), with a short retry so the editor never waits long.
import type { EgressClient } from '../../services/egress/http-client.ts';
import type { AccountCredentials, AppCredentials } from '../../services/vault/vault.ts';
import { retryPolicy } from '../retry.ts';
import { isTikTokPrivacyLevel, TIKTOK_LIMITS, type TikTokCreatorInfo, type TikTokPrivacyLevel } from './protocol.ts';
import { TikTokApiSession } from './tiktok-adapter-api.ts';
import { abortedError, TikTokPublishError } from './tiktok-adapter-retry.ts';

export interface CreatorInfoQuery {
  http: EgressClient;
  apiBase: string;
  credentials: () => Promise<AccountCredentials>;
  saveCredentials: (credentials: AccountCredentials) => Promise<void>;
  /** Called only when the access token must be renewed. */
  appCredentials: () => Promise<AppCredentials | null>;
  now: () => number;
  accountKey: string;
  timeoutMs?: number;
}

export interface CreatorSettings {
  nickname: string;
  username: string;
  /** Only levels Airlock knows, in TikTok's order. */
  privacyLevels: TikTokPrivacyLevel[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  /** The account's own limit, never above the API's. */
  maxVideoSeconds: number;
}

export type CreatorInfoAnswer =
  | { kind: 'ready'; settings: CreatorSettings }
  /** §1.2: TikTok says the creator cannot post right now; staff are told to try later. */
  | { kind: 'cannot-post'; code: string; message: string; detail: string };

/** TikTok codes meaning "this account cannot post now" rather than "the question failed". */
const CANNOT_POST = new Set(['spam_risk_too_many_posts', 'reached_active_user_cap', 'spam_risk_user_banned_from_posting', 'spam_risk']);

export function creatorSettings(info: TikTokCreatorInfo): CreatorSettings {
  const max = Number(info.max_video_post_duration_sec);
  return {
    nickname: typeof info.creator_nickname === 'string' ? info.creator_nickname.trim() : '',
    username: typeof info.creator_username === 'string' ? info.creator_username.trim() : '',
    privacyLevels: info.privacy_level_options.filter(isTikTokPrivacyLevel),
    commentDisabled: info.comment_disabled === true,
    duetDisabled: info.duet_disabled === true,
    stitchDisabled: info.stitch_disabled === true,
    maxVideoSeconds: Number.isFinite(max) && max > 0 ? Math.min(max, TIKTOK_LIMITS.videoApiMaxDurationSec) : TIKTOK_LIMITS.videoApiMaxDurationSec,
  };
}

export async function queryCreatorInfo(q: CreatorInfoQuery): Promise<CreatorInfoAnswer> {
  const session = new TikTokApiSession({
    http: q.http,
    apiBase: q.apiBase.replace(/\/+$/, ''),
    signal: new AbortController().signal,
    credentials: q.credentials,
    saveCredentials: q.saveCredentials,
    appCredentials: q.appCredentials,
    // One more try after a short pause: someone is waiting at the editor.
    retry: retryPolicy({ maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 1000, maxRetryAfterMs: 2000 }, abortedError),
    now: q.now,
    refreshMarginMs: 5 * 60_000,
    timeoutMs: q.timeoutMs ?? 15_000,
    refreshes: new Map(),
    accountKey: q.accountKey,
  });
  try {
    return { kind: 'ready', settings: creatorSettings(await session.creatorInfo()) };
  } catch (err) {
    const code = err instanceof TikTokPublishError ? err.code.replace(/^publish\.tiktok\./, '') : '';
    if (err instanceof TikTokPublishError && CANNOT_POST.has(code)) return { kind: 'cannot-post', code, message: err.message, detail: err.detail ?? code };
    throw err;
  }
}
