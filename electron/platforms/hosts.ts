// The hosts each platform's API, upload and sign-in traffic goes to (platform-apis.md): the
// egress allow-list is built from the platforms the policy enables, plus hosts IT adds.
import type { PlatformId } from '../../common/platforms.ts';

export const PLATFORM_HOSTS: Record<PlatformId, readonly string[]> = {
  // §1: API base, the regional upload hosts, and the sign-in page.
  tiktok: ['open.tiktokapis.com', 'open-upload.tiktokapis.com', 'upload.us.tiktokapis.com', 'www.tiktok.com'],
  // §3: the account's PDS; bsky.social for hosted accounts (self-hosted PDSes are added by policy).
  bluesky: ['bsky.social', 'public.api.bsky.app'],
  // §4: each organisation's own instance is added by policy.
  mastodon: [],
  // §2: API, token and media upload (the v2 media endpoints are on api.x.com), and the sign-in page.
  x: ['api.x.com', 'x.com'],
  // §5: API and resumable uploads, the token and revoke endpoint, and the sign-in page.
  youtube: ['www.googleapis.com', 'oauth2.googleapis.com', 'accounts.google.com'],
  // §6.2, §6.3: Graph, the video publish host, Reels uploads, and the sign-in page.
  facebook: ['graph.facebook.com', 'graph-video.facebook.com', 'rupload.facebook.com', 'www.facebook.com'],
  // §6.4: Graph and the resumable upload host (Facebook Login for Business).
  instagram: ['graph.facebook.com', 'rupload.facebook.com', 'www.facebook.com'],
  // §7: the REST API, and the sign-in page and upload URLs (dms-uploads).
  linkedin: ['api.linkedin.com', 'www.linkedin.com'],
};

export function egressHostsFor(platforms: readonly PlatformId[], extra: readonly string[] = []): string[] {
  return [...new Set([...platforms.flatMap((p) => PLATFORM_HOSTS[p]), ...extra])];
}
