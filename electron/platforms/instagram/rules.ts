// Instagram Reels rules (platform-apis.md §6.4): one video, MP4 or MOV, 3 s to 15 min, up to
// 300 MB and 1920 px wide; a caption of at most 2200 characters, 30 hashtags and 20 @mentions.
// Photos need a public URL Meta fetches, which a kiosk does not have, so Airlock posts Reels only.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { captionTags, INSTAGRAM_LIMITS } from './protocol.ts';

export function checkInstagram(facts: PostFacts) {
  const used = Array.from(facts.caption).length;
  const tags = captionTags(facts.caption);
  const errors: RuleIssue[] = [];
  const issue = (field: string, code: string, message: string): RuleIssue => ({ field, code, message });
  if (used > INSTAGRAM_LIMITS.captionMaxChars) errors.push(issue('caption', 'instagram.too-long', `Instagram allows ${INSTAGRAM_LIMITS.captionMaxChars} characters; this caption has ${used}.`));
  if (tags.hashtags > INSTAGRAM_LIMITS.maxHashtags) errors.push(issue('caption', 'instagram.hashtags', `Instagram allows ${INSTAGRAM_LIMITS.maxHashtags} hashtags; this caption has ${tags.hashtags}.`));
  if (tags.mentions > INSTAGRAM_LIMITS.maxMentions) errors.push(issue('caption', 'instagram.mentions', `Instagram allows ${INSTAGRAM_LIMITS.maxMentions} @mentions; this caption has ${tags.mentions}.`));
  const m = facts.media.length === 1 ? facts.media[0]! : null;
  if (!m || m.kind !== 'video') {
    errors.push(issue('media', 'instagram.one-video', 'Airlock publishes Reels to Instagram: the post needs exactly one video.'));
  } else {
    if (!['mp4', 'quicktime', 'mov'].includes(m.format.toLowerCase())) errors.push(issue('media', 'instagram.video-format', 'Instagram takes Reels in MP4 or MOV format.'));
    if (m.bytes > INSTAGRAM_LIMITS.reelMaxBytes) errors.push(issue('media', 'instagram.video-too-large', 'Instagram takes Reels of up to 300 MB.'));
    if (m.durationMs !== null && (m.durationMs < INSTAGRAM_LIMITS.reelMinMs || m.durationMs > INSTAGRAM_LIMITS.reelMaxMs)) errors.push(issue('media', 'instagram.video-length', 'Instagram takes Reels from 3 seconds to 15 minutes long.'));
    if (m.width !== null && m.width > INSTAGRAM_LIMITS.reelMaxWidth) errors.push(issue('media', 'instagram.video-width', 'Instagram takes Reels up to 1920 pixels wide.'));
  }
  return {
    counters: [
      { label: 'characters', used, limit: INSTAGRAM_LIMITS.captionMaxChars },
      { label: 'hashtags', used: tags.hashtags, limit: INSTAGRAM_LIMITS.maxHashtags },
    ],
    errors,
    warnings: [],
  };
}
