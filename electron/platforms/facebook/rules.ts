// Facebook Page post rules (platform-apis.md §6.2 and the Page video and photo references): text
// of at most 63,206 characters, and at most one photo (up to 10 MB) or one video (up to 10 GB
// and 240 minutes), as Airlock posts them.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { FACEBOOK_LIMITS } from './protocol.ts';

const PHOTO_FORMATS = ['jpeg', 'jpg', 'png', 'gif', 'bmp', 'tiff'];

export function checkFacebook(facts: PostFacts) {
  const used = Array.from(facts.caption).length;
  const errors: RuleIssue[] = [];
  const issue = (field: string, code: string, message: string): RuleIssue => ({ field, code, message });
  if (used > FACEBOOK_LIMITS.messageMaxChars) errors.push(issue('caption', 'facebook.too-long', `Facebook allows ${FACEBOOK_LIMITS.messageMaxChars} characters; this text has ${used}.`));
  if (facts.media.length === 0 && !facts.caption.trim()) errors.push(issue('caption', 'facebook.empty', 'A Facebook post needs text, a photo or a video.'));
  if (facts.media.length > 1) errors.push(issue('media', 'facebook.one-media', 'Airlock posts one photo or one video to a Facebook Page at a time.'));
  const m = facts.media.length === 1 ? facts.media[0]! : null;
  if (m?.kind === 'image') {
    if (m.bytes > FACEBOOK_LIMITS.photoMaxBytes) errors.push(issue('media', 'facebook.photo-too-large', 'Facebook takes photos of up to 10 MB.'));
    if (!PHOTO_FORMATS.includes(m.format.toLowerCase())) errors.push(issue('media', 'facebook.photo-format', 'Facebook takes photos in JPEG, PNG, GIF, BMP or TIFF format.'));
  }
  if (m?.kind === 'video') {
    if (m.bytes > FACEBOOK_LIMITS.videoMaxBytes) errors.push(issue('media', 'facebook.video-too-large', 'Facebook takes videos of up to 10 GB.'));
    if (m.durationMs !== null && m.durationMs > FACEBOOK_LIMITS.videoMaxMs) errors.push(issue('media', 'facebook.video-too-long', 'Facebook takes videos of up to 240 minutes.'));
  }
  return { counters: [{ label: 'characters', used, limit: FACEBOOK_LIMITS.messageMaxChars }], errors, warnings: [] };
}
