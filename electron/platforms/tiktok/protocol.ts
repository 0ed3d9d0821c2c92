// The TikTok Content Posting API's wire vocabulary: paths, scopes, enums, error codes, limits
// and JSON shapes, in one place so the simulator, the rules and the adapter cannot drift.
// Every fact cites its section of ../shared/platform-apis.md (§1.x); [U] marks a guess.
import { createHash } from 'node:crypto';

/** §1: every endpoint hangs off one host; the simulator serves all of them on one origin. */
export const TIKTOK_API_ORIGIN = 'https://open.tiktokapis.com';

export const TIKTOK_PATHS = {
  /** §1.1: on www.tiktok.com in reality; the simulator serves it on its own origin. */
  authorize: '/v2/auth/authorize/',
  token: '/v2/oauth/token/',
  revoke: '/v2/oauth/revoke/',
  creatorInfo: '/v2/post/publish/creator_info/query/',
  videoInit: '/v2/post/publish/video/init/',
  inboxVideoInit: '/v2/post/publish/inbox/video/init/',
  contentInit: '/v2/post/publish/content/init/',
  statusFetch: '/v2/post/publish/status/fetch/',
  cancel: '/v2/post/publish/cancel/',
  /** §1.4: the real upload host is regional (open-upload / upload.us); the path is `/video/`. */
  upload: '/video/',
} as const;

export const TIKTOK_SCOPES = ['user.info.basic', 'video.publish', 'video.upload'] as const;
export type TikTokScope = (typeof TIKTOK_SCOPES)[number];

/** §1.3: the four audiences; the creator's own list (creator_info) says which are allowed. */
export const TIKTOK_PRIVACY_LEVELS = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'] as const;
export type TikTokPrivacyLevel = (typeof TIKTOK_PRIVACY_LEVELS)[number];

export function isTikTokPrivacyLevel(value: unknown): value is TikTokPrivacyLevel {
  return typeof value === 'string' && (TIKTOK_PRIVACY_LEVELS as readonly string[]).includes(value);
}

/** §1.4: the only Content-Type values the upload PUT accepts. */
export const TIKTOK_VIDEO_MIME_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const;
export type TikTokVideoMimeType = (typeof TIKTOK_VIDEO_MIME_TYPES)[number];

/** §1.7 */
export const TIKTOK_PUBLISH_STATUSES = ['PROCESSING_UPLOAD', 'PROCESSING_DOWNLOAD', 'SEND_TO_USER_INBOX', 'PUBLISH_COMPLETE', 'FAILED'] as const;
export type TikTokPublishStatus = (typeof TIKTOK_PUBLISH_STATUSES)[number];

/** §1.7 [S]: `internal` is documented as retryable; the rest are final for that publish. */
export const TIKTOK_FAIL_REASONS = [
  'file_format_check_failed',
  'duration_check_failed',
  'frame_rate_check_failed',
  'picture_size_check_failed',
  'internal',
  'video_pull_failed',
  'photo_pull_failed',
  'publish_cancelled',
  'auth_removed',
  'spam_risk_too_many_posts',
  'spam_risk_user_banned_from_posting',
  'spam_risk_text',
  'spam_risk',
] as const;
export type TikTokFailReason = (typeof TIKTOK_FAIL_REASONS)[number];

/**
 * §1.2, §1.3, §1.5, §1.6, §1.7 and the generic v2 error page. `invalid_param` and
 * `invalid_params` are both real spellings (§1.3 notes); accept either when reading.
 */
export const TIKTOK_ERROR_CODES = [
  'ok',
  'invalid_param',
  'invalid_params',
  'invalid_file_upload',
  'scope_permission_missed',
  'spam_risk_too_many_posts',
  'spam_risk_user_banned_from_posting',
  'spam_risk_too_many_pending_share',
  'reached_active_user_cap',
  'unaudited_client_can_only_post_to_private_accounts',
  'url_ownership_unverified',
  'privacy_level_option_mismatch',
  'app_version_check_failed',
  'access_token_invalid',
  'scope_not_authorized',
  'rate_limit_exceeded',
  'internal_error',
  'invalid_publish_id',
  'token_not_authorized_for_specified_publish_id',
  'publish_not_cancellable',
] as const;
export type TikTokErrorCode = (typeof TIKTOK_ERROR_CODES)[number];

/** §1.1: data endpoints wrap everything; success only when `error.code === "ok"`. */
export interface TikTokEnvelope<T> {
  data: T;
  error: { code: string; message: string; log_id: string };
}

/** §1.1: the token endpoint answers flat, with no envelope. */
export interface TikTokTokenResponse {
  open_id: string;
  scope: string;
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
  token_type: 'Bearer';
}

/** §1.1 [S]: errors of the token and revoke endpoints. */
export interface TikTokOAuthError {
  error: string;
  error_description: string;
  log_id: string;
}

/** §1.2: the `data` of creator_info. */
export interface TikTokCreatorInfo {
  creator_avatar_url: string;
  creator_username: string;
  creator_nickname: string;
  privacy_level_options: TikTokPrivacyLevel[];
  comment_disabled: boolean;
  duet_disabled: boolean;
  stitch_disabled: boolean;
  max_video_post_duration_sec: number;
}

/** §1.3: `post_info` of a Direct Post video. */
export interface TikTokVideoPostInfo {
  title?: string;
  privacy_level: TikTokPrivacyLevel;
  disable_duet?: boolean;
  disable_comment?: boolean;
  disable_stitch?: boolean;
  video_cover_timestamp_ms?: number;
  brand_content_toggle: boolean;
  brand_organic_toggle?: boolean;
  is_aigc?: boolean;
}

/** §1.3 / §1.5: `source_info` of a video init. */
export type TikTokVideoSourceInfo =
  | { source: 'FILE_UPLOAD'; video_size: number; chunk_size: number; total_chunk_count: number }
  | { source: 'PULL_FROM_URL'; video_url: string };

export interface TikTokInitData {
  publish_id: string;
  upload_url?: string;
}

/**
 * §1.7: `data` of status/fetch. `publicaly_available_post_id` is TikTok's spelling and holds
 * int64 values: JSON.parse rounds ids above 2^53, so read them from the raw text.
 */
export interface TikTokStatusData {
  status: TikTokPublishStatus;
  fail_reason?: string;
  publicaly_available_post_id?: number[];
  uploaded_bytes?: number;
  downloaded_bytes?: number;
}

/** §1.1 */
export const TIKTOK_OAUTH = {
  /** §1.1: RFC 7636 alphabet and length, kept by TikTok. */
  verifierPattern: /^[A-Za-z0-9\-._~]{43,128}$/,
  /** §1.1 [S]: the exact text TikTok sends when the PKCE pair does not match. */
  pkceMismatchDescription: 'Code verifier or code challenge is invalid.',
  /** §1.1: the newer pages (2 h / 180 d); the older page said 24 h / 365 d. Read expires_in. */
  defaultAccessSeconds: 7200,
  defaultRefreshSeconds: 15_552_000,
  /** [U] not documented; RFC 6749 recommends at most 10 minutes for a code. */
  codeSeconds: 600,
} as const;

/** §1.1 quirk: TikTok's PKCE challenge is lowercase hex of SHA-256(verifier), not RFC 7636's base64url. */
export function tiktokCodeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('hex');
}

/** Per-token requests per sliding minute (§1.2, §1.3, §1.5, §1.6, §1.7). */
export const TIKTOK_RATE_LIMITS = {
  creator_info: 20,
  video_init: 6,
  inbox_init: 6,
  content_init: 6,
  status: 30,
} as const;

export const TIKTOK_LIMITS = {
  /** §1.3: caption of a video post, in UTF-16 code units. */
  videoTitleUnits: 2200,
  /** §1.6: photo post title and description, in UTF-16 code units. */
  photoTitleUnits: 90,
  photoDescriptionUnits: 4000,
  photoMaxImages: 35,
  /** §1.6/§1.8: 20 MB per image; decimal or binary is not said, so the smaller reading. */
  photoMaxBytes: 20_000_000,
  /** §1.8: "max 4 GB"; decimal or binary is not said, so the smaller reading. */
  videoMaxBytes: 4_000_000_000,
  /** §1.8: the API's ceiling; each creator's own limit comes from creator_info. */
  videoApiMaxDurationSec: 600,
  /** §1.8: what every creator may post. */
  videoEveryoneDurationSec: 180,
  videoMinFps: 23,
  videoMaxFps: 60,
  videoMinSidePx: 360,
  videoMaxSidePx: 4096,
  /** §1.3: `upload_url` lives one hour. */
  uploadUrlSeconds: 3600,
  /** §1.3 */
  publishIdMaxChars: 64,
  uploadUrlMaxChars: 256,
  /** §1.8: about 15 posts a day per creator across every API client. */
  dailyPostsPerCreator: 15,
  /** §1.5: at most 5 pending inbox shares in any 24 h. */
  pendingSharesPer24h: 5,
  /** §1.8: an unaudited client may have at most 5 users posting in 24 h. */
  unauditedUsersPer24h: 5,
} as const;
