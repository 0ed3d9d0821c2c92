// Request bodies of the TikTok simulator's data endpoints, read field by field into what
// the simulator keeps, with TikTok's `invalid_param` answer (§1.3) for anything malformed.
import { checkChunkPlan, type ChunkPlan } from './chunks.ts';
import { isTikTokPrivacyLevel, TIKTOK_LIMITS, type TikTokPrivacyLevel } from './protocol.ts';

/** What a data endpoint answers; one place turns it into TikTok's envelope. */
export interface Reply {
  status: number;
  data?: unknown;
  code?: string;
  message?: string;
  headers?: Record<string, string>;
}

export const ok = (data: unknown): Reply => ({ status: 200, data });
export const fail = (status: number, code: string, message: string, headers?: Record<string, string>): Reply => ({ status, code, message, ...(headers ? { headers } : {}) });


export interface PostSettings {
  caption: string;
  privacyLevel: TikTokPrivacyLevel;
  disableComment: boolean;
  disableDuet: boolean;
  disableStitch: boolean;
  brandContentToggle: boolean;
  brandOrganicToggle: boolean;
  isAigc: boolean;
  videoCoverTimestampMs: number | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reply: Reply };
export const invalid = (message: string): { ok: false; reply: Reply } => ({ ok: false, reply: fail(400, 'invalid_param', message) });
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function optionalBoolean(obj: Record<string, unknown>, key: string, errors: string[]): boolean {
  const v = obj[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') errors.push(`${key} must be a boolean.`);
  return v === true;
}

export type VideoSource = { source: 'FILE_UPLOAD'; plan: ChunkPlan } | { source: 'PULL_FROM_URL'; url: string };

/** §1.3/§1.4 `source_info`, with the chunk rules applied to FILE_UPLOAD. */
export function parseVideoSource(raw: unknown): Parsed<VideoSource> {
  if (!isRecord(raw)) return invalid('source_info is required.');
  if (raw.source === 'PULL_FROM_URL') {
    if (typeof raw.video_url !== 'string' || !raw.video_url.startsWith('https://')) return invalid('video_url must be an https URL.');
    return { ok: true, value: { source: 'PULL_FROM_URL', url: raw.video_url } };
  }
  if (raw.source !== 'FILE_UPLOAD') return invalid('source must be FILE_UPLOAD or PULL_FROM_URL.');
  const plan = { videoSize: raw.video_size, chunkSize: raw.chunk_size, totalChunkCount: raw.total_chunk_count } as ChunkPlan;
  const problems = checkChunkPlan(plan, TIKTOK_LIMITS.videoMaxBytes);
  if (problems.length > 0) return invalid(problems.join(' '));
  return { ok: true, value: { source: 'FILE_UPLOAD', plan } };
}

/** §1.3 `post_info`; privacy is checked later against the creator. */
export function parseVideoPostInfo(raw: unknown): Parsed<{ privacy: unknown; settings: PostSettings }> {
  if (!isRecord(raw)) return invalid('post_info is required.');
  const errors: string[] = [];
  const title = raw.title ?? '';
  if (typeof title !== 'string') errors.push('title must be a string.');
  // §1.3: at most 2200 UTF-16 code units, which is what String#length counts.
  else if (title.length > TIKTOK_LIMITS.videoTitleUnits) errors.push(`title is ${title.length} UTF-16 code units; the limit is ${TIKTOK_LIMITS.videoTitleUnits}.`);
  // §1.3: brand_content_toggle is required.
  if (typeof raw.brand_content_toggle !== 'boolean') errors.push('brand_content_toggle is required and must be a boolean.');
  const cover = raw.video_cover_timestamp_ms;
  if (cover !== undefined && (!Number.isSafeInteger(cover) || (cover as number) < 0)) errors.push('video_cover_timestamp_ms must be a non-negative integer.');
  const settings: PostSettings = {
    caption: typeof title === 'string' ? title : '',
    privacyLevel: 'SELF_ONLY',
    disableComment: optionalBoolean(raw, 'disable_comment', errors),
    disableDuet: optionalBoolean(raw, 'disable_duet', errors),
    disableStitch: optionalBoolean(raw, 'disable_stitch', errors),
    brandContentToggle: raw.brand_content_toggle === true,
    brandOrganicToggle: optionalBoolean(raw, 'brand_organic_toggle', errors),
    isAigc: optionalBoolean(raw, 'is_aigc', errors),
    videoCoverTimestampMs: typeof cover === 'number' ? cover : null,
  };
  if (errors.length > 0) return invalid(errors.join(' '));
  if (isTikTokPrivacyLevel(raw.privacy_level)) settings.privacyLevel = raw.privacy_level;
  return { ok: true, value: { privacy: raw.privacy_level, settings } };
}

