// Facebook Page post rules (platform-apis.md §6.2 and the Page video and photo references): text
// of at most 63,206 characters, and at most one photo (up to 10 MB) or one video (up to 10 GB
// and 240 minutes), as Airlock posts them. A post can instead be a Reel (§6.3,
// `options.facebook.format: 'reel'`): one vertical 9:16 video of 3 to 90 seconds, at least
// 540 × 960 pixels.
import type { PostFacts, PostMediaFacts, RuleIssue } from '../post-rules.ts';
import { ruleIssue } from '../rule-issue.ts';
import { FACEBOOK_LIMITS } from './protocol.ts';
import { FACEBOOK_FORMATS, REELS_LIMITS, type FacebookFormat } from './reels-protocol.ts';

const PHOTO_FORMATS = ['jpeg', 'jpg', 'png', 'gif', 'bmp', 'tiff'];
const PHOTO_MAX_MB = FACEBOOK_LIMITS.photoMaxBytes / 1024 ** 2;
const VIDEO_MAX_GB = FACEBOOK_LIMITS.videoMaxBytes / 1024 ** 3;
const VIDEO_MAX_MINUTES = FACEBOOK_LIMITS.videoMaxMs / 60_000;

export const FACEBOOK_RULE_CODES = [
  'facebook.format-unknown',
  'facebook.too-long',
  'facebook.empty',
  'facebook.one-media',
  'facebook.photo-too-large',
  'facebook.photo-format',
  'facebook.video-too-large',
  'facebook.video-too-long',
  'facebook.reel-one-video',
  'facebook.reel-too-short',
  'facebook.reel-too-long',
  'facebook.reel-aspect',
  'facebook.reel-too-small',
] as const;

/** How the post goes on the Page (`options.facebook.format`): a post unless a Reel is chosen; null for an unknown value. */
export function facebookFormat(options: Record<string, unknown> | undefined): FacebookFormat | null {
  const value = options?.format;
  if (value === undefined || value === null || value === '') return 'post';
  return (FACEBOOK_FORMATS as readonly unknown[]).includes(value) ? (value as FacebookFormat) : null;
}

/** The Reel rules (§6.3) for the post's one video; what is not yet known about it is checked again before upload. */
export function reelIssues(media: readonly Pick<PostMediaFacts, 'kind' | 'width' | 'height' | 'durationMs'>[]): RuleIssue[] {
  const issue = (code: string, message: string, params?: RuleIssue['params']) => ruleIssue('media', code, message, params);
  if (media.length !== 1 || media[0]!.kind !== 'video') return [issue('facebook.reel-one-video', 'A Facebook Reel needs exactly one video.')];
  const v = media[0]!;
  const out: RuleIssue[] = [];
  if (v.durationMs !== null && v.durationMs < REELS_LIMITS.minMs) out.push(issue('facebook.reel-too-short', `A Facebook Reel must be at least ${REELS_LIMITS.minMs / 1000} seconds long.`, { minSeconds: REELS_LIMITS.minMs / 1000 }));
  if (v.durationMs !== null && v.durationMs > REELS_LIMITS.maxMs) out.push(issue('facebook.reel-too-long', `A Facebook Reel can be at most ${REELS_LIMITS.maxMs / 1000} seconds long. Post a longer video as a normal Page video.`, { maxSeconds: REELS_LIMITS.maxMs / 1000 }));
  if (v.width !== null && v.height !== null && v.width > 0 && v.height > 0) {
    if (Math.abs(v.width / v.height - REELS_LIMITS.aspect) > REELS_LIMITS.aspectTolerance * REELS_LIMITS.aspect) {
      out.push(issue('facebook.reel-aspect', `A Facebook Reel must be a vertical 9:16 video; this one is ${v.width} × ${v.height}. Post it as a normal Page video instead.`, { width: v.width, height: v.height }));
    } else if (v.width < REELS_LIMITS.minWidth || v.height < REELS_LIMITS.minHeight) {
      out.push(
        issue('facebook.reel-too-small', `A Facebook Reel must be at least ${REELS_LIMITS.minWidth} × ${REELS_LIMITS.minHeight} pixels; this one is ${v.width} × ${v.height}.`, {
          minWidth: REELS_LIMITS.minWidth,
          minHeight: REELS_LIMITS.minHeight,
          width: v.width,
          height: v.height,
        }),
      );
    }
  }
  return out;
}

export function checkFacebook(facts: PostFacts) {
  const used = Array.from(facts.caption).length;
  const errors: RuleIssue[] = [];
  const format = facebookFormat(facts.options.facebook);
  if (format === null) errors.push(ruleIssue('options.facebook.format', 'facebook.format-unknown', 'Choose how this goes on the Facebook Page: as a post or as a Reel.'));
  if (format === 'reel') {
    if (used > FACEBOOK_LIMITS.messageMaxChars) errors.push(ruleIssue('caption', 'facebook.too-long', `Facebook allows ${FACEBOOK_LIMITS.messageMaxChars} characters; this text has ${used}.`, { limit: FACEBOOK_LIMITS.messageMaxChars, used }));
    errors.push(...reelIssues(facts.media));
    return { counters: [{ label: 'characters', used, limit: FACEBOOK_LIMITS.messageMaxChars }], errors, warnings: [] };
  }
  if (used > FACEBOOK_LIMITS.messageMaxChars) errors.push(ruleIssue('caption', 'facebook.too-long', `Facebook allows ${FACEBOOK_LIMITS.messageMaxChars} characters; this text has ${used}.`, { limit: FACEBOOK_LIMITS.messageMaxChars, used }));
  if (facts.media.length === 0 && !facts.caption.trim()) errors.push(ruleIssue('caption', 'facebook.empty', 'A Facebook post needs text, a photo or a video.'));
  if (facts.media.length > 1) errors.push(ruleIssue('media', 'facebook.one-media', 'Airlock posts one photo or one video to a Facebook Page at a time.'));
  const m = facts.media.length === 1 ? facts.media[0]! : null;
  if (m?.kind === 'image') {
    if (m.bytes > FACEBOOK_LIMITS.photoMaxBytes) errors.push(ruleIssue('media', 'facebook.photo-too-large', `Facebook takes photos of up to ${PHOTO_MAX_MB} MB.`, { maxMb: PHOTO_MAX_MB }));
    if (!PHOTO_FORMATS.includes(m.format.toLowerCase())) errors.push(ruleIssue('media', 'facebook.photo-format', 'Facebook takes photos in JPEG, PNG, GIF, BMP or TIFF format.'));
  }
  if (m?.kind === 'video') {
    if (m.bytes > FACEBOOK_LIMITS.videoMaxBytes) errors.push(ruleIssue('media', 'facebook.video-too-large', `Facebook takes videos of up to ${VIDEO_MAX_GB} GB.`, { maxGb: VIDEO_MAX_GB }));
    if (m.durationMs !== null && m.durationMs > FACEBOOK_LIMITS.videoMaxMs) errors.push(ruleIssue('media', 'facebook.video-too-long', `Facebook takes videos of up to ${VIDEO_MAX_MINUTES} minutes.`, { maxMinutes: VIDEO_MAX_MINUTES }));
  }
  return { counters: [{ label: 'characters', used, limit: FACEBOOK_LIMITS.messageMaxChars }], errors, warnings: [] };
}
