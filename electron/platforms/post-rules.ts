// Each platform's publishing rules applied to one post, for the editor's live counters and the
// blocking checks before submission and publishing. Rules live with each platform; this module
// only gives them one shape.
import type { PlatformId } from '../../common/platforms.ts';
import { checkBluesky } from './bluesky/rules.ts';
import { checkFacebook } from './facebook/rules.ts';
import { checkInstagram } from './instagram/rules.ts';
import { checkLinkedIn } from './linkedin/rules.ts';
import { checkMastodon } from './mastodon/rules.ts';
import { countCaptionUnits, validateTikTokPost } from './tiktok/rules.ts';
import type { TikTokPrivacyLevel } from './tiktok/protocol.ts';
import { checkX } from './x/rules.ts';
import { checkYouTube } from './youtube/rules.ts';

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
  message: string;
}

export interface PlatformCheck {
  platform: PlatformId;
  counters: { label: string; used: number; limit: number }[];
  errors: RuleIssue[];
  warnings: RuleIssue[];
}

const issue = (field: string, code: string, message: string): RuleIssue => ({ field, code, message });

function checkTikTok(facts: PostFacts): Omit<PlatformCheck, 'platform'> {
  const o = facts.options.tiktok ?? {};
  const videos = facts.media.filter((m) => m.kind === 'video');
  const errors: RuleIssue[] = [];
  if (videos.length !== 1 || facts.media.length !== 1) {
    errors.push(issue('media', 'tiktok.one-video', 'A TikTok post from Airlock needs exactly one video.'));
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
    errors: [...errors, ...result.errors.map((e) => issue(e.field, e.code, e.message))],
    warnings: result.warnings.map((w) => issue(w.field, w.code, w.message)),
  };
}

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
