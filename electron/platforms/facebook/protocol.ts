// Meta Graph API facts for Facebook Pages, shared by the simulator and the adapter
// (../shared/platform-apis.md §6.1, §6.2): the version, the Resumable Upload API paths, the
// Page's video and photo edges, the hosts, and the Graph error envelope with its codes.

/** §6: v26.0, released 2026-07-29. */
export const GRAPH_VERSION = 'v26.0';

export const FACEBOOK_PATHS = {
  /** §6.2 step 1: `?file_name&file_length&file_type&access_token=<user token>`. */
  uploads: (appId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(appId)}/uploads`,
  /** §6.2 steps 2–3: POST the bytes at `file_offset`, GET where it stands. */
  session: (sessionId: string) => `/${GRAPH_VERSION}/${sessionId}`,
  /** The Page and its token: `GET /{page-id}?fields=access_token,tasks` with the user token. */
  page: (pageId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(pageId)}`,
  /** §6.2 step 4, on graph-video.facebook.com; GET lists the Page's videos. */
  videos: (pageId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(pageId)}/videos`,
  /** A photo post: multipart `source` and `message`; GET with `type=uploaded` lists them. */
  photos: (pageId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(pageId)}/photos`,
  /** Text alone: form field `message`; GET lists the Page's posts. */
  feed: (pageId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(pageId)}/feed`,
  /** Facebook Login's authorize dialog, on www.facebook.com. */
  dialog: `/${GRAPH_VERSION}/dialog/oauth`,
  /** §6.1: the code exchange, and `grant_type=fb_exchange_token` for the ~60-day token; both need the app secret. */
  token: `/${GRAPH_VERSION}/oauth/access_token`,
  /** The Pages the user manages, with the fields asked for (`tasks`, `instagram_business_account{…}`). */
  myAccounts: `/${GRAPH_VERSION}/me/accounts`,
  /** What the user granted and declined: `{data:[{permission, status}]}`. */
  myPermissions: `/${GRAPH_VERSION}/me/permissions`,
} as const;

/** The sign-in page's host (§6 names only Graph's; Facebook Login's dialog is on www.facebook.com). */
export const FACEBOOK_LOGIN_HOST = 'www.facebook.com';

/**
 * Permissions for posting to a Page (§6.2: the Page's `CREATE_CONTENT` task; the Video API's
 * publishing guide asks for these four): the Page list, reading the Page, posting, and video.
 */
export const FACEBOOK_SCOPES = ['pages_show_list', 'pages_read_engagement', 'pages_manage_posts', 'publish_video'] as const;

/** §6.4, Facebook Login for Business: the Page list and its linked IG account, reading it and publishing. */
export const INSTAGRAM_SCOPES = ['pages_show_list', 'pages_read_engagement', 'instagram_basic', 'instagram_content_publish'] as const;

/** The real hosts (§6, §6.2); a simulator serves every path on its own origin. */
export const FACEBOOK_HOSTS = { graph: 'graph.facebook.com', video: 'graph-video.facebook.com' } as const;

export const FACEBOOK_LIMITS = {
  /** Page video uploads (Video API reference): up to 10 GB and 240 minutes. */
  videoMaxBytes: 10 * 1024 ** 3,
  videoMaxMs: 240 * 60_000,
  /** Page photos: JPEG, PNG, GIF, BMP, TIFF up to 10 MB. */
  photoMaxBytes: 10 * 1024 * 1024,
  /** A post's text. */
  messageMaxChars: 63_206,
  /** Video titles. */
  titleMaxChars: 255,
} as const;

export const FACEBOOK_PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/bmp', 'image/tiff'] as const;

/** §6.4 (shared by all Graph calls): `{error:{message, type, code, error_subcode, fbtrace_id}}`. */
export interface GraphError {
  error: { message: string; type: string; code: number; error_subcode?: number; is_transient?: boolean; fbtrace_id: string };
}

export const GRAPH_CODES = {
  /** 190: token invalid or expired (subcode 463 = expired). */
  token: 190,
  tokenExpiredSubcode: 463,
  /** 4, 17, 32, 613: rate limits. */
  rateLimits: [4, 17, 32, 613] as readonly number[],
  invalidParameter: 100,
  /** 10 and 200–299: permissions. */
  permission: 10,
  /** 1 and 2: unknown or temporary errors, worth another try. */
  transient: [1, 2] as readonly number[],
} as const;

export function graphError(code: number, message: string, o: { subcode?: number; type?: string; transient?: boolean; trace?: string } = {}): GraphError {
  return {
    error: {
      message,
      type: o.type ?? 'OAuthException',
      code,
      ...(o.subcode === undefined ? {} : { error_subcode: o.subcode }),
      ...(o.transient === undefined ? {} : { is_transient: o.transient }),
      fbtrace_id: o.trace ?? 'A1b2C3d4E5f',
    },
  };
}

/** Where the video publish call goes for an API base: graph-video for Meta's host, else the simulator's origin. */
export function facebookVideoBase(apiBase: string): string {
  const base = apiBase.replace(/\/+$/, '');
  return new URL(base).hostname === FACEBOOK_HOSTS.graph ? `https://${FACEBOOK_HOSTS.video}` : base;
}
