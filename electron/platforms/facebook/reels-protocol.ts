// Facebook Page Reels facts shared by the simulator, the adapter and the post rules
// (../shared/platform-apis.md §6.3): the `video_reels` edge with its start and finish phases, the
// rupload host the bytes go to at an `offset`, the video's status, the Page's daily Reels limit,
// and the video a Reel must be.
import { GRAPH_VERSION } from './protocol.ts';

export const REELS_PATHS = {
  /** §6.3 steps 1 and 3: POST with `upload_phase=start`, then `upload_phase=finish`. */
  reels: (pageId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(pageId)}/video_reels`,
  /** §6.3 step 2, on rupload.facebook.com: the bytes, with `offset` and `file_size` headers. */
  upload: (videoId: string) => `/video-upload/${GRAPH_VERSION}/${encodeURIComponent(videoId)}`,
  /** §6.3 step 4: `GET /{video_id}?fields=status`. */
  video: (videoId: string) => `/${GRAPH_VERSION}/${encodeURIComponent(videoId)}`,
} as const;

/** §6.3: Reels bytes go to their own host; Graph calls stay on graph.facebook.com. */
export const REELS_UPLOAD_HOST = 'rupload.facebook.com';

/** Where a Reel's bytes go for an API base: rupload for Meta's Graph host, else the simulator's origin. */
export function reelsUploadBase(apiBase: string): string {
  const base = apiBase.replace(/\/+$/, '');
  return new URL(base).hostname === 'graph.facebook.com' ? `https://${REELS_UPLOAD_HOST}` : base;
}

/**
 * What a Reel must be. The daily limit is §6.3 [V]; the video itself is from the "Video
 * Specifications" of Meta's Reels Publishing guide (developers.facebook.com/docs/video-api/guides/
 * reels-publishing): 3 to 90 seconds, 9:16, at least 540 × 960 pixels, MP4 recommended.
 */
export const REELS_LIMITS = {
  /** "30 API-published posts within a 24-hour moving period", enforced when a Reel is published. */
  perDay: 30,
  windowMs: 24 * 60 * 60_000,
  minMs: 3_000,
  maxMs: 90_000,
  minWidth: 540,
  minHeight: 960,
  /** Width over height. Encoders round odd sizes (1080 × 1918), so a little either way is allowed. */
  aspect: 9 / 16,
  aspectTolerance: 0.02,
} as const;

/** The post option that makes a Facebook video a Reel: `options.facebook.format`. */
export const FACEBOOK_FORMATS = ['post', 'reel'] as const;
export type FacebookFormat = (typeof FACEBOOK_FORMATS)[number];

/**
 * §6.3 step 4 [S]: `status.video_status`, with a phase each for the upload, processing and
 * publishing. `uploading_phase.bytes_transferred` says how much of an interrupted upload arrived,
 * the `offset` to go on from (Meta's Reels guide; not in the notes).
 */
export interface ReelStatus {
  video_status: 'upload_complete' | 'processing' | 'ready' | 'error' | 'expired';
  uploading_phase: { status: 'not_started' | 'in_progress' | 'complete' | 'error'; bytes_transferred: number };
  processing_phase: { status: 'not_started' | 'in_progress' | 'complete' | 'error'; errors?: { code: number; message: string }[] };
  publishing_phase: { status: 'not_started' | 'in_progress' | 'complete' | 'error'; publish_status?: 'published' | 'draft'; publish_time?: number };
}
