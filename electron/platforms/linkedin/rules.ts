// LinkedIn's post rules (platform-apis.md §7): text of at most 3000 characters, and at most one
// photo (JPEG, PNG or GIF, up to 5 MB) or one MP4 video (75 KB to 500 MB, 3 s to 30 min).
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { LINKEDIN_LIMITS } from './protocol.ts';

const IMAGE_FORMATS = ['jpeg', 'jpg', 'png', 'gif'];

export function checkLinkedIn(facts: PostFacts) {
  const used = Array.from(facts.caption).length;
  const errors: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  const issue = (field: string, code: string, message: string): RuleIssue => ({ field, code, message });
  if (used > LINKEDIN_LIMITS.commentaryMaxChars) errors.push(issue('caption', 'linkedin.too-long', `LinkedIn allows ${LINKEDIN_LIMITS.commentaryMaxChars} characters; this text has ${used}.`));
  if (facts.media.length === 0 && !facts.caption.trim()) errors.push(issue('caption', 'linkedin.empty', 'A LinkedIn post needs text, a photo or a video.'));
  if (facts.media.length > 1) errors.push(issue('media', 'linkedin.one-media', 'Airlock posts one photo or one video to LinkedIn at a time.'));
  const m = facts.media.length === 1 ? facts.media[0]! : null;
  if (m?.kind === 'image') {
    if (m.bytes > LINKEDIN_LIMITS.imageMaxBytes) errors.push(issue('media', 'linkedin.image-too-large', 'LinkedIn takes photos of up to 5 MB.'));
    if (!IMAGE_FORMATS.includes(m.format.toLowerCase())) errors.push(issue('media', 'linkedin.image-format', 'LinkedIn takes photos in JPEG, PNG or GIF format only.'));
  }
  if (m?.kind === 'video') {
    if (m.format.toLowerCase() !== 'mp4') errors.push(issue('media', 'linkedin.video-format', 'LinkedIn takes videos in MP4 format only.'));
    if (m.bytes < LINKEDIN_LIMITS.videoMinBytes || m.bytes > LINKEDIN_LIMITS.videoMaxBytes) errors.push(issue('media', 'linkedin.video-size', 'LinkedIn takes videos from 75 KB to 500 MB.'));
    if (m.durationMs !== null && (m.durationMs < LINKEDIN_LIMITS.videoMinMs || m.durationMs > LINKEDIN_LIMITS.videoMaxMs)) {
      errors.push(issue('media', 'linkedin.video-length', 'LinkedIn takes videos from 3 seconds to 30 minutes long.'));
    }
    if (m.width !== null && m.height !== null && m.width > 0 && m.height > 0) {
      const ratio = m.width / m.height;
      if (ratio > 2.4 || ratio < 1 / 2.4) errors.push(issue('media', 'linkedin.video-shape', 'LinkedIn takes videos between 1:2.4 (tall) and 2.4:1 (wide).'));
    }
  }
  return { counters: [{ label: 'characters', used, limit: LINKEDIN_LIMITS.commentaryMaxChars }], errors, warnings };
}
