// Instagram Reels content publishing facts shared by the simulator and the adapter
// (../shared/platform-apis.md §6.4): the container, rupload, status, publish and limit paths on
// Graph v26.0, the Reels limits and the error codes of the publishing flow.
import { GRAPH_VERSION } from '../facebook/protocol.ts';

/** §6.4: Instagram Reels through Facebook Login for Business, on the Graph host and rupload. */
export const INSTAGRAM_PATHS = {
  /** POST: create a container (`media_type=REELS&upload_type=resumable`); GET: the account's media. */
  media: (igUserId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(igUserId)}/media`,
  /** §6.4 step 2, on rupload.facebook.com. */
  upload: (containerId: string) => `/ig-api-upload/${GRAPH_VERSION}/${encodeURIComponent(containerId)}`,
  /** GET `?fields=status_code,status` of a container, or `?fields=id,permalink` of a published media. */
  node: (id: string) => `/${GRAPH_VERSION}/${encodeURIComponent(id)}`,
  publish: (igUserId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(igUserId)}/media_publish`,
  limit: (igUserId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(igUserId)}/content_publishing_limit`,
} as const;

export const INSTAGRAM_HOSTS = { upload: 'rupload.facebook.com' } as const;

export const INSTAGRAM_LIMITS = {
  /** §6.4 Reels spec: 3 s to 15 min, up to 300 MB, MOV or MP4, at most 1920 px wide. */
  reelMinMs: 3_000,
  reelMaxMs: 15 * 60_000,
  reelMaxBytes: 300 * 1024 * 1024,
  reelMaxWidth: 1920,
  /** §6.4: caption of 2200 characters, 30 hashtags, 20 @mentions. */
  captionMaxChars: 2200,
  maxHashtags: 30,
  maxMentions: 20,
  /** §6.4: `quota_total` is "currently 50" posts a 24 h moving window. */
  publishesPerDay: 50,
  /** Containers expire after 24 h. */
  containerHours: 24,
} as const;

export const INSTAGRAM_CODES = {
  /** 9 / 2207042: the publishing limit is reached. */
  limit: { code: 9, subcode: 2207042 },
  /** 9007 / 2207027: the media is not ready to publish. */
  notReady: { code: 9007, subcode: 2207027 },
} as const;

/** Hashtags and @mentions as Instagram counts them in a caption. */
export function captionTags(caption: string): { hashtags: number; mentions: number } {
  return { hashtags: (caption.match(/(^|\s)#[\p{L}\p{N}_]+/gu) ?? []).length, mentions: (caption.match(/(^|\s)@[A-Za-z0-9._]+/g) ?? []).length };
}
