// The platforms Airlock can publish to: one list for the policy, content packages, the
// editor and the screens, so a platform is added in one place.

export const PLATFORM_IDS = ['tiktok', 'bluesky', 'mastodon', 'x', 'youtube', 'facebook', 'instagram', 'linkedin'] as const;

export type PlatformId = (typeof PLATFORM_IDS)[number];

export const PLATFORM_LABELS: Record<PlatformId, string> = {
  tiktok: 'TikTok',
  bluesky: 'Bluesky',
  mastodon: 'Mastodon',
  x: 'X',
  youtube: 'YouTube',
  facebook: 'Facebook',
  instagram: 'Instagram',
  linkedin: 'LinkedIn',
};
