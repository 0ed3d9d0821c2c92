// YouTube Data API v3 facts shared by the simulator and the adapter (../shared/platform-apis.md
// §5): the resumable upload paths, Google's OAuth endpoints, scopes, limits and error reasons.

export const YOUTUBE_PATHS = {
  /** §5.1: on accounts.google.com. */
  authorize: '/o/oauth2/v2/auth',
  /** §5.1: on oauth2.googleapis.com. */
  token: '/token',
  revoke: '/revoke',
  /** §5.2: on www.googleapis.com, `?uploadType=resumable&part=snippet,status`. */
  upload: '/upload/youtube/v3/videos',
  /** videos.list, on www.googleapis.com. */
  videos: '/youtube/v3/videos',
  /** channels.list, on www.googleapis.com: `?part=snippet&mine=true` names the signed-in channel (§5.1). */
  channels: '/youtube/v3/channels',
} as const;

/** The real hosts (§5.1, §5.2); a simulator serves every path on its own origin. */
export const YOUTUBE_HOSTS = { api: 'www.googleapis.com', token: 'oauth2.googleapis.com', authorize: 'accounts.google.com' } as const;

export const YOUTUBE_SCOPES = ['https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.readonly'] as const;

export const YOUTUBE_LIMITS = {
  /** §5.2: every chunk but the last is a multiple of 256 KiB. */
  chunkMultiple: 256 * 1024,
  titleMaxChars: 100,
  descriptionMaxBytes: 5000,
  fileMaxBytes: 256 * 1024 ** 3,
  /** §5.3: videos.insert has its own bucket of 100 calls a day. */
  insertsPerDay: 100,
} as const;

export const YOUTUBE_PRIVACY = ['private', 'unlisted', 'public'] as const;
export type YouTubePrivacy = (typeof YOUTUBE_PRIVACY)[number];

/** §8: Google's error envelope. */
export interface GoogleError {
  error: { code: number; message: string; errors: { message: string; domain: string; reason: string }[]; status?: string };
}

export function googleError(code: number, reason: string, message: string, domain = 'youtube.video', status?: string): GoogleError {
  return { error: { code, message, errors: [{ message, domain, reason }], ...(status ? { status } : {}) } };
}

/** Where the token endpoint is for an API base: Google's own host, or a simulator's origin. */
export function youtubeTokenUrl(apiBase: string): string {
  const base = apiBase.replace(/\/+$/, '');
  return new URL(base).hostname === YOUTUBE_HOSTS.api ? `https://${YOUTUBE_HOSTS.token}${YOUTUBE_PATHS.token}` : `${base}${YOUTUBE_PATHS.token}`;
}

/** Where the revoke endpoint is for an API base, like the token endpoint (§5.1). */
export function youtubeRevokeUrl(apiBase: string): string {
  const base = apiBase.replace(/\/+$/, '');
  return new URL(base).hostname === YOUTUBE_HOSTS.api ? `https://${YOUTUBE_HOSTS.token}${YOUTUBE_PATHS.revoke}` : `${base}${YOUTUBE_PATHS.revoke}`;
}
