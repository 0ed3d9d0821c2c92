// Mastodon's REST API as the simulator serves it and the adapter speaks it (../shared/platform-apis.md
// §4): paths, the instance configuration defaults, scopes, rate limits and the entity shapes
// both sides read. Facts only; no I/O.
import { createHash } from 'node:crypto';

export const MASTODON_PATHS = {
  apps: '/api/v1/apps',
  authorize: '/oauth/authorize',
  token: '/oauth/token',
  revoke: '/oauth/revoke',
  /** §4.1: 404 before 4.3, so its presence says PKCE (S256) is supported. */
  oauthMetadata: '/.well-known/oauth-authorization-server',
  instanceV1: '/api/v1/instance',
  instanceV2: '/api/v2/instance',
  verifyCredentials: '/api/v1/accounts/verify_credentials',
  mediaV2: '/api/v2/media',
  /** `/api/v1/media/:id` for GET (poll), PUT (description) and DELETE. */
  media: '/api/v1/media',
  statuses: '/api/v1/statuses',
  /** `/api/v1/accounts/:id/statuses` */
  accounts: '/api/v1/accounts',
} as const;

/** §4.3: "Idempotency keys are stored for up to 1 hour". */
export const MASTODON_IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;

export const MASTODON_VISIBILITIES = ['public', 'unlisted', 'private', 'direct'] as const;
export type MastodonVisibility = (typeof MASTODON_VISIBILITIES)[number];

export function isMastodonVisibility(value: unknown): value is MastodonVisibility {
  return typeof value === 'string' && (MASTODON_VISIBILITIES as readonly string[]).includes(value);
}

/**
 * §4.1: what Airlock asks for. `profile` (4.3+) covers verify_credentials; `read:statuses` lets
 * reconcile list the account's own posts, including non-public ones.
 */
export const AIRLOCK_MASTODON_SCOPES = ['profile', 'read:statuses', 'write:media', 'write:statuses'] as const;

/** Mastodon's default media types (`media_attachments.supported_mime_types`, §4.4). */
export const MASTODON_DEFAULT_MIME_TYPES: readonly string[] = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/heic',
  'image/heif',
  'image/webp',
  'image/avif',
  'video/webm',
  'video/mp4',
  'video/quicktime',
  'video/ogg',
  'audio/wave',
  'audio/wav',
  'audio/x-wav',
  'audio/x-pn-wave',
  'audio/vnd.wave',
  'audio/ogg',
  'audio/vorbis',
  'audio/mpeg',
  'audio/mp3',
  'audio/webm',
  'audio/flac',
  'audio/aac',
  'audio/m4a',
  'audio/x-m4a',
  'audio/mp4',
  'audio/3gpp',
  'video/x-ms-asf',
];

/** `configuration` of GET /api/v2/instance, the parts that limit a post (§4.4). */
export interface MastodonLimits {
  maxCharacters: number;
  maxMediaAttachments: number;
  charactersReservedPerUrl: number;
  supportedMimeTypes: readonly string[];
  descriptionLimit: number;
  imageSizeLimit: number;
  imageMatrixLimit: number;
  videoSizeLimit: number;
  videoFrameRateLimit: number;
  videoMatrixLimit: number;
}

/** §4.4 defaults from the documented example; forks change them, so they are read, not assumed. */
export const MASTODON_DEFAULT_LIMITS: MastodonLimits = {
  maxCharacters: 500,
  maxMediaAttachments: 4,
  charactersReservedPerUrl: 23,
  supportedMimeTypes: MASTODON_DEFAULT_MIME_TYPES,
  descriptionLimit: 1500,
  imageSizeLimit: 16_777_216,
  imageMatrixLimit: 33_177_600,
  videoSizeLimit: 103_809_024,
  videoFrameRateLimit: 120,
  videoMatrixLimit: 8_294_400,
};

/** §4.4 rate limits (rack_attack.rb and rate_limiter.rb). */
export const MASTODON_RATE_LIMITS = {
  perToken: { limit: 300, periodMs: 5 * 60_000 },
  perAccount: { limit: 1500, periodMs: 5 * 60_000 },
  perIp: { limit: 300, periodMs: 5 * 60_000 },
  mediaPerAccount: { limit: 30, periodMs: 30 * 60_000 },
  statusesPerAccount: { limit: 300, periodMs: 3 * 60 * 60_000 },
} as const;

export type MastodonMediaType = 'image' | 'gifv' | 'video' | 'audio' | 'unknown';

export interface MastodonApplication {
  id: string;
  name: string;
  website: string | null;
  scopes: string[];
  redirect_uri: string;
  redirect_uris: string[];
  client_id: string;
  client_secret: string;
  client_secret_expires_at: number;
  vapid_key: string;
}

export interface MastodonTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  scope: string;
  created_at: number;
}

export interface MastodonMediaAttachment {
  id: string;
  type: MastodonMediaType;
  /** null while the server still processes it (§4.2). */
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  meta: Record<string, unknown> | null;
  description: string | null;
  blurhash: string | null;
}

export interface MastodonAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  url: string;
  locked: boolean;
  bot: boolean;
  created_at: string;
  note: string;
  statuses_count: number;
}

export interface MastodonStatus {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  account: MastodonAccount;
  /** HTML, not the text as sent. */
  content: string;
  visibility: MastodonVisibility;
  sensitive: boolean;
  spoiler_text: string;
  language: string | null;
  media_attachments: MastodonMediaAttachment[];
  in_reply_to_id: string | null;
  application: { name: string; website: string | null } | null;
}

/** RFC 7636 S256, the only method Mastodon takes (§4.1). */
export function mastodonCodeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * Whether granted scopes cover `needed`: `read` covers every `read:*`, `write` every `write:*`
 * (Mastodon's scope hierarchy, `api/oauth-scopes.md`).
 */
export function scopesCover(granted: readonly string[], needed: string): boolean {
  if (granted.includes(needed)) return true;
  const parent = needed.split(':')[0]!;
  return parent !== needed && granted.includes(parent);
}
