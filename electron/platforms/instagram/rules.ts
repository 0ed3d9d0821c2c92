// Instagram Reels rules (platform-apis.md §6.4): one video, MP4 or MOV, 3 s to 15 min, up to
// 300 MB and 1920 px wide; a caption of at most 2200 characters, 30 hashtags and 20 @mentions.
// Photos need a public URL Meta fetches, which a kiosk does not have, so Airlock posts Reels only.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { ruleIssue } from '../rule-issue.ts';
import { captionTags, INSTAGRAM_LIMITS } from './protocol.ts';

const REEL_MAX_MB = INSTAGRAM_LIMITS.reelMaxBytes / 1024 ** 2;
const REEL_MIN_SECONDS = INSTAGRAM_LIMITS.reelMinMs / 1000;
const REEL_MAX_MINUTES = INSTAGRAM_LIMITS.reelMaxMs / 60_000;

export const INSTAGRAM_RULE_CODES = [
  'instagram.too-long',
  'instagram.hashtags',
  'instagram.mentions',
  'instagram.one-video',
  'instagram.video-format',
  'instagram.video-too-large',
  'instagram.video-length',
  'instagram.video-width',
] as const;

export function checkInstagram(facts: PostFacts) {
  const used = Array.from(facts.caption).length;
  const tags = captionTags(facts.caption);
  const errors: RuleIssue[] = [];
  if (used > INSTAGRAM_LIMITS.captionMaxChars) errors.push(ruleIssue('caption', 'instagram.too-long', `Instagram allows ${INSTAGRAM_LIMITS.captionMaxChars} characters; this caption has ${used}.`, { limit: INSTAGRAM_LIMITS.captionMaxChars, used }));
  if (tags.hashtags > INSTAGRAM_LIMITS.maxHashtags) errors.push(ruleIssue('caption', 'instagram.hashtags', `Instagram allows ${INSTAGRAM_LIMITS.maxHashtags} hashtags; this caption has ${tags.hashtags}.`, { limit: INSTAGRAM_LIMITS.maxHashtags, used: tags.hashtags }));
  if (tags.mentions > INSTAGRAM_LIMITS.maxMentions) errors.push(ruleIssue('caption', 'instagram.mentions', `Instagram allows ${INSTAGRAM_LIMITS.maxMentions} @mentions; this caption has ${tags.mentions}.`, { limit: INSTAGRAM_LIMITS.maxMentions, used: tags.mentions }));
  const m = facts.media.length === 1 ? facts.media[0]! : null;
  if (!m || m.kind !== 'video') {
    errors.push(ruleIssue('media', 'instagram.one-video', 'Airlock publishes Reels to Instagram: the post needs exactly one video.'));
  } else {
    if (!['mp4', 'quicktime', 'mov'].includes(m.format.toLowerCase())) errors.push(ruleIssue('media', 'instagram.video-format', 'Instagram takes Reels in MP4 or MOV format.'));
    if (m.bytes > INSTAGRAM_LIMITS.reelMaxBytes) errors.push(ruleIssue('media', 'instagram.video-too-large', `Instagram takes Reels of up to ${REEL_MAX_MB} MB.`, { maxMb: REEL_MAX_MB }));
    if (m.durationMs !== null && (m.durationMs < INSTAGRAM_LIMITS.reelMinMs || m.durationMs > INSTAGRAM_LIMITS.reelMaxMs)) {
      errors.push(ruleIssue('media', 'instagram.video-length', `Instagram takes Reels from ${REEL_MIN_SECONDS} seconds to ${REEL_MAX_MINUTES} minutes long.`, { minSeconds: REEL_MIN_SECONDS, maxMinutes: REEL_MAX_MINUTES }));
    }
    if (m.width !== null && m.width > INSTAGRAM_LIMITS.reelMaxWidth) errors.push(ruleIssue('media', 'instagram.video-width', `Instagram takes Reels up to ${INSTAGRAM_LIMITS.reelMaxWidth} pixels wide.`, { maxWidth: INSTAGRAM_LIMITS.reelMaxWidth }));
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
