// Each platform's publishing rules applied to one post, for the editor's live counters and the
// blocking checks before submission and publishing. Rules live with each platform; this module
// only gives them one shape.
import type { PlatformId } from '../../common/platforms.ts';
import { BLUESKY_RULE_CODES, checkBluesky } from './bluesky/rules.ts';
import { FACEBOOK_RULE_CODES, checkFacebook } from './facebook/rules.ts';
import { INSTAGRAM_RULE_CODES, checkInstagram } from './instagram/rules.ts';
import { LINKEDIN_RULE_CODES, checkLinkedIn } from './linkedin/rules.ts';
import { MASTODON_RULE_CODES, checkMastodon } from './mastodon/rules.ts';
import { ruleIssue } from './rule-issue.ts';
import { countCaptionUnits, TIKTOK_RULE_CODES, validateTikTokPost } from './tiktok/rules.ts';
import type { TikTokPrivacyLevel } from './tiktok/protocol.ts';
import { X_RULE_CODES, checkX } from './x/rules.ts';
import { YOUTUBE_RULE_CODES, checkYouTube } from './youtube/rules.ts';

export interface PostMediaFacts {
  kind: 'image' | 'video';
  altText: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  bytes: number;
  format: string;
}

export interface PostFacts {
  caption: string;
  media: PostMediaFacts[];
  /** Per-platform options, e.g. { tiktok: { privacyLevel: 'SELF_ONLY' }, youtube: { title } }. */
  options: Partial<Record<PlatformId, Record<string, unknown>>>;
}

export interface RuleIssue {
  field: string;
  code: string;
  /** The sentence in English, for IT and the logs; the renderer says it by `code` with `params`. */
  message: string;
  /** The values in the sentence (numbers, limits, a photo's number…), for saying it in another language. */
  params?: Record<string, string | number>;
}

/** What a counter counts; the renderer names each in the active language. */
export const COUNTER_LABELS = ['characters', 'hashtags', 'title', 'description bytes'] as const;

export interface PlatformCheck {
  platform: PlatformId;
  counters: { label: string; used: number; limit: number }[];
  errors: RuleIssue[];
  warnings: RuleIssue[];
}

function checkTikTok(facts: PostFacts): Omit<PlatformCheck, 'platform'> {
  const o = facts.options.tiktok ?? {};
  const videos = facts.media.filter((m) => m.kind === 'video');
  const errors: RuleIssue[] = [];
  if (videos.length !== 1 || facts.media.length !== 1) {
    errors.push(ruleIssue('media', 'tiktok.one-video', 'A TikTok post from Airlock needs exactly one video.'));
  }
  const video = videos[0];
  const result = validateTikTokPost({
    caption: facts.caption,
    privacyLevel: (o.privacyLevel as TikTokPrivacyLevel | undefined) ?? null,
    allowComments: o.allowComments === true,
    allowDuet: o.allowDuet === true,
    allowStitch: o.allowStitch === true,
    aiGenerated: o.aiGenerated === true,
    // Duration and size checks need all the facts; a video whose facts are not yet known is
    // checked again by the publisher before upload.
    ...(video && video.durationMs !== null && video.width !== null && video.height !== null
      ? { video: { durationSec: video.durationMs / 1000, sizeBytes: video.bytes, width: video.width, height: video.height, container: video.format === 'quicktime' ? 'mov' : 'mp4' } }
      : {}),
  });
  return {
    counters: [{ label: 'characters', used: countCaptionUnits(facts.caption), limit: 2200 }],
    errors: [...errors, ...result.errors.map((e) => ruleIssue(e.field, e.code, e.message, e.params))],
    warnings: result.warnings.map((w) => ruleIssue(w.field, w.code, w.message, w.params)),
  };
}

/** Every code a platform's rules can give, platform by platform; the renderer has a sentence for each. */
export const RULE_CODES: Record<PlatformId, readonly string[]> = {
  tiktok: ['tiktok.one-video', ...TIKTOK_RULE_CODES],
  bluesky: BLUESKY_RULE_CODES,
  mastodon: MASTODON_RULE_CODES,
  x: X_RULE_CODES,
  youtube: YOUTUBE_RULE_CODES,
  facebook: FACEBOOK_RULE_CODES,
  instagram: INSTAGRAM_RULE_CODES,
  linkedin: LINKEDIN_RULE_CODES,
};

const CHECKS: Record<PlatformId, (facts: PostFacts) => Omit<PlatformCheck, 'platform'>> = {
  tiktok: checkTikTok,
  bluesky: checkBluesky,
  mastodon: checkMastodon,
  x: checkX,
  youtube: checkYouTube,
  facebook: checkFacebook,
  instagram: checkInstagram,
  linkedin: checkLinkedIn,
};

export function checkPostForPlatform(platform: PlatformId, facts: PostFacts): PlatformCheck {
  return { platform, ...CHECKS[platform](facts) };
}
