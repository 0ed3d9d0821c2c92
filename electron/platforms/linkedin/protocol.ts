// LinkedIn Posts, Videos and Images API facts shared by the simulator and the adapter
// (../shared/platform-apis.md §7): the paths, the headers every call carries, the versions,
// part sizes, limits and LinkedIn's error envelope.

export const LINKEDIN_PATHS = {
  /** §7.1: on www.linkedin.com. */
  authorize: '/oauth/v2/authorization',
  token: '/oauth/v2/accessToken',
  /** §7.2: `?action=initializeUpload` and `?action=finalizeUpload`, on api.linkedin.com. */
  videos: '/rest/videos',
  /** GET /rest/videos/{url-encoded urn}: the video's status. */
  video: (urn: string) => `/rest/videos/${encodeURIComponent(urn)}`,
  images: '/rest/images',
  image: (urn: string) => `/rest/images/${encodeURIComponent(urn)}`,
  /** §7.3: POST creates; GET with `q=author&author=…` finds an author's recent posts. */
  posts: '/rest/posts',
  /** The upload URLs the initialize calls hand out (§7.2: https://www.linkedin.com/dms-uploads/…). */
  uploads: '/dms-uploads/',
  /**
   * The organisations a member has a role in: `?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`
   * (§7 does not name it; LinkedIn's "Organization Access Control by Role" page,
   * learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-access-control-by-role:
   * the roleAssignee FINDER on /rest/organizationAcls, Rest.li 2.0.0, needing r_organization_admin
   * or rw_organization_admin).
   */
  organizationAcls: '/rest/organizationAcls',
  /** GET /rest/organizations/{id}: the organisation's `localizedName` and `vanityName`. */
  organization: (id: string) => `/rest/organizations/${encodeURIComponent(id)}`,
} as const;

/** The real hosts (§7); a simulator serves every path on its own origin. */
export const LINKEDIN_HOSTS = { api: 'api.linkedin.com', www: 'www.linkedin.com' } as const;

/** §7.1: posting as an organisation, and reading its posts to find one after a crash. */
export const LINKEDIN_SCOPES = ['w_organization_social', 'r_organization_social'] as const;

/** Connecting also reads which organisations the member administers, and their names (organizationAcls). */
export const LINKEDIN_CONNECT_SCOPES = [...LINKEDIN_SCOPES, 'r_organization_admin'] as const;

/** §7.1: every call names a version (YYYYMM); versions are sunset on a rolling basis. */
export const LINKEDIN_DEFAULT_VERSION = '202605';
export const LINKEDIN_RESTLI_VERSION = '2.0.0';

/** LinkedIn keeps a version for about a year after its release. */
export const LINKEDIN_VERSION_MONTHS = 12;

export const LINKEDIN_LIMITS = {
  /** §7.2: upload parts are 4 MiB, `lastByte` inclusive. */
  partBytes: 4 * 1024 * 1024,
  /** §7.2 [S]: MP4, 75 KB to 500 MB, 3 s to 30 min. */
  videoMinBytes: 75 * 1000,
  videoMaxBytes: 500 * 1024 * 1024,
  videoMinMs: 3_000,
  videoMaxMs: 30 * 60_000,
  /** §7.2 [S/U]: images up to 5 MB, JPG, PNG or GIF. */
  imageMaxBytes: 5 * 1024 * 1024,
  /** §7.3: `commentary` up to 3000 characters. */
  commentaryMaxChars: 3000,
} as const;

export const LINKEDIN_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif'] as const;

/** §7.3 [U]: characters the "little text" format reserves; a literal one is written with a backslash. */
const RESERVED = /[\\|{}@[\]()<>#*_~]/g;

export function escapeLittleText(text: string): string {
  return text.replace(RESERVED, (c) => `\\${c}`);
}

export function unescapeLittleText(text: string): string {
  return text.replace(/\\(.)/gs, '$1');
}

/** LinkedIn's error body: `{status, serviceErrorCode?, code?, message}`. */
export interface LinkedInError {
  status: number;
  serviceErrorCode?: number;
  code?: string;
  message: string;
}

export function linkedInError(status: number, code: string | undefined, message: string, serviceErrorCode?: number): LinkedInError {
  return { status, ...(serviceErrorCode === undefined ? {} : { serviceErrorCode }), ...(code ? { code } : {}), message };
}

/** The account's URN: IT stores the organisation's id or its full URN. */
export function organizationUrn(accountId: string): string {
  return accountId.startsWith('urn:li:') ? accountId : `urn:li:organization:${accountId}`;
}

/** Where the upload URLs may point for an API base: LinkedIn's own hosts, or the simulator's origin. */
export function trustedUploadOrigin(apiBase: string, uploadUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(uploadUrl);
  } catch {
    return false;
  }
  const base = new URL(apiBase);
  if (base.hostname === LINKEDIN_HOSTS.api) return url.protocol === 'https:' && (url.hostname === LINKEDIN_HOSTS.www || url.hostname === LINKEDIN_HOSTS.api);
  return url.origin === base.origin;
}

/** Where the token endpoint is for an API base: LinkedIn's own host, or a simulator's origin. */
export function linkedInTokenUrl(apiBase: string): string {
  const base = apiBase.replace(/\/+$/, '');
  return new URL(base).hostname === LINKEDIN_HOSTS.api ? `https://${LINKEDIN_HOSTS.www}${LINKEDIN_PATHS.token}` : `${base}${LINKEDIN_PATHS.token}`;
}
