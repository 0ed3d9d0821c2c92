// X API v2 facts shared by the simulator and the adapter (../shared/platform-apis.md §2): the
// paths, scopes, media categories, limits and the RFC 7807 problem types.

export const X_PATHS = {
  /** §2.1: on x.com; the simulator serves it on its own origin. */
  authorize: '/i/oauth2/authorize',
  token: '/2/oauth2/token',
  revoke: '/2/oauth2/revoke',
  me: '/2/users/me',
  /** GET /2/users/{id}/tweets: the account's recent posts, for reconcile. */
  userTweets: (userId: string) => `/2/users/${encodeURIComponent(userId)}/tweets`,
  mediaInitialize: '/2/media/upload/initialize',
  mediaAppend: (mediaId: string) => `/2/media/upload/${encodeURIComponent(mediaId)}/append`,
  mediaFinalize: (mediaId: string) => `/2/media/upload/${encodeURIComponent(mediaId)}/finalize`,
  /** GET with `command=STATUS&media_id=…` (§2.2 step 4). */
  mediaStatus: '/2/media/upload',
  tweets: '/2/tweets',
  /**
   * "Create Media metadata" (https://docs.x.com/x-api/media/create-media-metadata): POST JSON
   * `{ id, metadata: { alt_text: { text } } }` with the user's bearer token, answered with
   * `{ data: { associated_metadata: { alt_text: { text } } } }`. Not in the platform notes.
   */
  mediaMetadata: '/2/media/metadata',
} as const;

/** §2.1: what posting with media needs, and `offline.access` for a refresh token. */
export const X_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'] as const;

export const X_LIMITS = {
  /** §2.1 */
  codeSeconds: 30,
  accessSeconds: 2 * 60 * 60,
  /** §2.2: segment_index 0–999. */
  maxSegments: 1000,
  /** §2.2 [U]: v2's maximum is undocumented; v1.1 said 5 MB and the advice is ≤ 4 MiB. */
  maxSegmentBytes: 4 * 1024 * 1024,
  imageMaxBytes: 5 * 1024 * 1024,
  gifMaxBytes: 15 * 1024 * 1024,
  videoMaxBytes: 512 * 1024 * 1024,
  maxMediaPerPost: 4,
  /**
   * A photo's or GIF's description (alt text). The v1.1 reference
   * (developer.x.com/en/docs/media/upload-media/api-reference/post-media-metadata-create) says
   * at most 1000 characters, for images and GIFs only, set after the upload and before the post.
   */
  altTextMaxChars: 1000,
} as const;

/** Characters in a description as X counts them for its limit: Unicode code points. */
export function xAltTextLength(text: string): number {
  return [...text].length;
}

export const X_MEDIA_TYPES = ['video/mp4', 'video/webm', 'video/mp2t', 'video/quicktime', 'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/bmp', 'image/tiff', 'image/pjpeg', 'text/srt', 'text/vtt'] as const;

export const X_MEDIA_CATEGORIES = ['amplify_video', 'tweet_gif', 'tweet_image', 'tweet_video', 'dm_gif', 'dm_image', 'dm_video', 'subtitles'] as const;
export type XMediaCategory = (typeof X_MEDIA_CATEGORIES)[number];

export type XProcessingState = 'pending' | 'in_progress' | 'failed' | 'succeeded';

export interface XProcessingInfo {
  state: XProcessingState;
  check_after_secs?: number;
  progress_percent?: number;
  error?: { code: number; name: string; message: string };
}

/** §2.4: RFC 7807 problem types. */
export const X_PROBLEM = {
  invalidRequest: 'https://api.twitter.com/2/problems/invalid-request',
  notFound: 'https://api.twitter.com/2/problems/resource-not-found',
  notAuthorized: 'https://api.twitter.com/2/problems/not-authorized-for-resource',
  clientForbidden: 'https://api.twitter.com/2/problems/client-forbidden',
  usageCapped: 'https://api.twitter.com/2/problems/usage-capped',
  rateLimit: 'https://api.twitter.com/2/problems/rate-limit-exceeded',
} as const;

/** §2.4 [S]: the 403 detail for a post that repeats a recent one. */
export const X_DUPLICATE_DETAIL = 'You are not allowed to create a Tweet with duplicate content.';

export interface XProblem {
  title: string;
  detail: string;
  type: string;
  status?: number;
  errors?: { message: string; parameters?: Record<string, string[]> }[];
}
