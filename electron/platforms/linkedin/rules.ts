// LinkedIn's post rules (platform-apis.md §7): text of at most 3000 characters, and at most one
// photo (JPEG, PNG or GIF, up to 5 MB) or one MP4 video (75 KB to 500 MB, 3 s to 30 min).
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { ruleIssue } from '../rule-issue.ts';
import { LINKEDIN_LIMITS } from './protocol.ts';

const IMAGE_FORMATS = ['jpeg', 'jpg', 'png', 'gif'];
const IMAGE_MAX_MB = LINKEDIN_LIMITS.imageMaxBytes / 1024 ** 2;
const VIDEO_MIN_KB = LINKEDIN_LIMITS.videoMinBytes / 1000;
const VIDEO_MAX_MB = LINKEDIN_LIMITS.videoMaxBytes / 1024 ** 2;
const VIDEO_MIN_SECONDS = LINKEDIN_LIMITS.videoMinMs / 1000;
const VIDEO_MAX_MINUTES = LINKEDIN_LIMITS.videoMaxMs / 60_000;
/** The widest (and, turned round, the tallest) shape LinkedIn takes. */
const VIDEO_MAX_RATIO = 2.4;

export const LINKEDIN_RULE_CODES = [
  'linkedin.too-long',
  'linkedin.empty',
  'linkedin.one-media',
  'linkedin.image-too-large',
  'linkedin.image-format',
  'linkedin.video-format',
  'linkedin.video-size',
  'linkedin.video-length',
  'linkedin.video-shape',
] as const;

export function checkLinkedIn(facts: PostFacts) {
  const used = Array.from(facts.caption).length;
  const errors: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  if (used > LINKEDIN_LIMITS.commentaryMaxChars) errors.push(ruleIssue('caption', 'linkedin.too-long', `LinkedIn allows ${LINKEDIN_LIMITS.commentaryMaxChars} characters; this text has ${used}.`, { limit: LINKEDIN_LIMITS.commentaryMaxChars, used }));
  if (facts.media.length === 0 && !facts.caption.trim()) errors.push(ruleIssue('caption', 'linkedin.empty', 'A LinkedIn post needs text, a photo or a video.'));
  if (facts.media.length > 1) errors.push(ruleIssue('media', 'linkedin.one-media', 'Airlock posts one photo or one video to LinkedIn at a time.'));
  const m = facts.media.length === 1 ? facts.media[0]! : null;
  if (m?.kind === 'image') {
    if (m.bytes > LINKEDIN_LIMITS.imageMaxBytes) errors.push(ruleIssue('media', 'linkedin.image-too-large', `LinkedIn takes photos of up to ${IMAGE_MAX_MB} MB.`, { maxMb: IMAGE_MAX_MB }));
    if (!IMAGE_FORMATS.includes(m.format.toLowerCase())) errors.push(ruleIssue('media', 'linkedin.image-format', 'LinkedIn takes photos in JPEG, PNG or GIF format only.'));
  }
  if (m?.kind === 'video') {
    if (m.format.toLowerCase() !== 'mp4') errors.push(ruleIssue('media', 'linkedin.video-format', 'LinkedIn takes videos in MP4 format only.'));
    if (m.bytes < LINKEDIN_LIMITS.videoMinBytes || m.bytes > LINKEDIN_LIMITS.videoMaxBytes) {
      errors.push(ruleIssue('media', 'linkedin.video-size', `LinkedIn takes videos from ${VIDEO_MIN_KB} KB to ${VIDEO_MAX_MB} MB.`, { minKb: VIDEO_MIN_KB, maxMb: VIDEO_MAX_MB }));
    }
    if (m.durationMs !== null && (m.durationMs < LINKEDIN_LIMITS.videoMinMs || m.durationMs > LINKEDIN_LIMITS.videoMaxMs)) {
      errors.push(ruleIssue('media', 'linkedin.video-length', `LinkedIn takes videos from ${VIDEO_MIN_SECONDS} seconds to ${VIDEO_MAX_MINUTES} minutes long.`, { minSeconds: VIDEO_MIN_SECONDS, maxMinutes: VIDEO_MAX_MINUTES }));
    }
    if (m.width !== null && m.height !== null && m.width > 0 && m.height > 0) {
      const ratio = m.width / m.height;
      if (ratio > VIDEO_MAX_RATIO || ratio < 1 / VIDEO_MAX_RATIO) {
        errors.push(ruleIssue('media', 'linkedin.video-shape', `LinkedIn takes videos between 1:${VIDEO_MAX_RATIO} (tall) and ${VIDEO_MAX_RATIO}:1 (wide).`, { ratio: VIDEO_MAX_RATIO }));
      }
    }
  }
  return { counters: [{ label: 'characters', used, limit: LINKEDIN_LIMITS.commentaryMaxChars }], errors, warnings };
}
