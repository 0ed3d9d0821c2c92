// The OAuth 2.0 side of the X and YouTube simulators (RFC 6749 with RFC 7636 PKCE, S256 over
// base64url): authorize with auto-consent by the signed-in user, the token endpoint for codes
// and refresh tokens (rotated where the platform rotates them), revoke, and bearer checks.
// Same shape as the TikTok simulator's Login Kit, so a connect flow can drive either. Tokens
// live only in this process's memory.
import { createHash, randomBytes } from 'node:crypto';

export interface PkceOAuthConfig {
  clientId: string;
  /** null: a public client (X native app) that sends only client_id. */
  clientSecret: string | null;
  /**
   * How the token and revoke endpoints check the client. 'x' (platform-apis.md §2.1, and X's
   * user-access-token page, steps 3, 5 and 6): a confidential client must authenticate with HTTP
   * Basic, a public client with `client_id` in the body and nothing secret, at revoke as at the
   * token endpoint. Otherwise (Google, LinkedIn): the secret in the form or in Basic, and revoke
   * takes the token alone.
   */
  clientAuth?: 'x';
  /** Registered redirect URIs. */
  redirectUris: readonly string[];
  /**
   * 'exact' (X §2.1 "exact match") or 'loopback-any-port' (Google installed apps, RFC 8252 §7.3:
   * any port on http://127.0.0.1 is accepted for a registered loopback URI).
   */
  redirectMatch: 'exact' | 'loopback-any-port';
  /** Scopes the app may ask for. */
  scopes: readonly string[];
  /** X: the code lives 30 s (§2.1). */
  codeSeconds: number;
  accessSeconds: number;
  /** null: refresh tokens do not expire by time. */
  refreshSeconds: number | null;
  /** X rotates refresh tokens; Google does not. */
  rotateRefresh: boolean;
  /** Whether this authorization gets a refresh token (X: `offline.access`; Google: `access_type=offline`). */
  offline(query: URLSearchParams, scopes: readonly string[]): boolean;
  nowMs(): number;
  /** The user signed in to the simulated browser, who consents at authorize; undefined denies. */
  signedInUser(): string | undefined;
  knownUser(userId: string): boolean;
}

export interface OAuthGrant {
  id: number;
  userId: string;
  scopes: string[];
  revoked: boolean;
}

export interface OAuthAccess {
  token: string;
  grant: OAuthGrant;
  expiresAt: number;
}

export interface PkceTokenResponse {
  token_type: 'bearer' | 'Bearer';
  access_token: string;
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

export interface PkceOAuthReply {
  status: number;
  body: PkceTokenResponse | { error: string; error_description: string } | Record<string, never>;
}

export type PkceAuthorizeReply = { kind: 'redirect'; location: string } | { kind: 'page'; status: number; text: string };

interface CodeRecord {
  userId: string;
  scopes: string[];
  redirectUri: string;
  challenge: string;
  offline: boolean;
  expiresAt: number;
  used: boolean;
}

interface RefreshRecord {
  grant: OAuthGrant;
  expiresAt: number | null;
  superseded: boolean;
}

/** RFC 7636 §4.2 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function pkceS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.1: 43–128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function redirectMatches(mode: PkceOAuthConfig['redirectMatch'], registered: string, candidate: string): boolean {
  if (registered === candidate) return true;
  if (mode !== 'loopback-any-port') return false;
  try {
    const want = new URL(registered);
    const got = new URL(candidate);
    return want.protocol === 'http:' && got.protocol === 'http:' && want.hostname === '127.0.0.1' && got.hostname === '127.0.0.1' && want.pathname === got.pathname && got.search === '' && got.hash === '';
  } catch {
    return false;
  }
}

const oauthError = (status: number, error: string, description: string): PkceOAuthReply => ({ status, body: { error, error_description: description } });

function bearer(header: string | undefined): string | undefined {
  return /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
}

export class PkceOAuth {
  readonly #c: PkceOAuthConfig;
  readonly #codes = new Map<string, CodeRecord>();
  readonly #access = new Map<string, OAuthAccess>();
  readonly #refresh = new Map<string, RefreshRecord>();
  #grants = 0;
  #tokens = 0;

  constructor(config: PkceOAuthConfig) {
    this.#c = config;
  }

  /** GET authorize. An unknown client or redirect URI gets an error page, never a redirect (RFC 6749 §4.1.2.1). */
  authorize(query: URLSearchParams): PkceAuthorizeReply {
    const c = this.#c;
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('client_id') !== c.clientId) return { kind: 'page', status: 400, text: 'client_id is missing or unknown.' };
    if (!c.redirectUris.some((r) => redirectMatches(c.redirectMatch, r, redirectUri))) return { kind: 'page', status: 400, text: 'redirect_uri is not registered for this app.' };
    const state = query.get('state');
    const back = (params: Record<string, string>): PkceAuthorizeReply => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      if (state !== null) url.searchParams.set('state', state);
      return { kind: 'redirect', location: url.href };
    };
    if (query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response_type must be code.' });
    const challenge = query.get('code_challenge') ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge) || query.get('code_challenge_method') !== 'S256') {
      return back({ error: 'invalid_request', error_description: 'code_challenge (S256) is required.' });
    }
    const requested = (query.get('scope') ?? '').split(' ').filter(Boolean);
    const unknown = requested.filter((s) => !c.scopes.includes(s));
    if (requested.length === 0 || unknown.length > 0) return back({ error: 'invalid_scope', error_description: `Unknown scope: ${unknown.join(' ') || '(none)'}` });
    const userId = c.signedInUser();
    if (userId === undefined) return back({ error: 'access_denied', error_description: 'The user did not grant access.' });
    const code = randomBytes(24).toString('base64url');
    this.#codes.set(code, { userId, scopes: requested, redirectUri, challenge, offline: c.offline(query, requested), expiresAt: c.nowMs() + c.codeSeconds * 1000, used: false });
    return back({ code });
  }

  /** POST token: authorization_code or refresh_token, form-encoded. */
  token(form: URLSearchParams, authorization: string | undefined): PkceOAuthReply {
    const clientError = this.#checkClient(form, authorization);
    if (clientError) return clientError;
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') return this.#exchange(form);
    if (grantType === 'refresh_token') return this.#refreshGrant(form.get('refresh_token') ?? '');
    return oauthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.');
  }

  /** POST revoke: ends the grant the token belongs to, access and refresh alike. */
  revoke(form: URLSearchParams, authorization: string | undefined): PkceOAuthReply {
    const token = form.get('token');
    if (!token) return oauthError(400, 'invalid_request', 'Missing required parameter: token.');
    // Google's revoke takes the token alone; X's wants the client too.
    if (this.#c.clientAuth === 'x' || this.#c.clientSecret === null) {
      const clientError = this.#checkClient(form, authorization);
      if (clientError) return clientError;
    }
    const grant = this.#access.get(token)?.grant ?? this.#refresh.get(token)?.grant;
    if (!grant) return oauthError(400, 'invalid_token', 'Token is not valid.');
    grant.revoked = true;
    return { status: 200, body: {} };
  }

  /** The grant behind `Authorization: Bearer …`, or null if missing, unknown, expired or revoked. */
  authenticate(header: string | undefined): OAuthAccess | null {
    const token = bearer(header);
    const record = token ? this.#access.get(token) : undefined;
    if (!record || record.grant.revoked || record.expiresAt <= this.#c.nowMs()) return null;
    return record;
  }

  /** Makes an access token expire now, as if its lifetime had run out. */
  expireAccessToken(header: string | undefined): void {
    const token = bearer(header);
    const record = token ? this.#access.get(token) : undefined;
    if (record) record.expiresAt = Math.min(record.expiresAt, this.#c.nowMs());
  }

  /** Skips the browser: a fresh grant, as after a completed consent with offline access. */
  issueForTest(userId: string, scopes: readonly string[]): PkceTokenResponse {
    if (!this.#c.knownUser(userId)) throw new RangeError(`No simulated account ${userId}`);
    return this.#issue({ id: ++this.#grants, userId, scopes: [...scopes], revoked: false }, true);
  }

  #checkClient(form: URLSearchParams, authorization: string | undefined): PkceOAuthReply | null {
    const c = this.#c;
    if (c.clientAuth === 'x') return this.#checkXClient(form, authorization);
    let clientId = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (\S+)$/i.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (clientId !== c.clientId) return oauthError(401, 'invalid_client', 'Missing or unknown client_id.');
    if (c.clientSecret !== null && secret !== null && secret !== c.clientSecret) return oauthError(401, 'invalid_client', 'Client secret is invalid.');
    return null;
  }

  /**
   * X: the kind of client decides how it must identify itself. A confidential client without the
   * Basic header gets X's 401 `unauthorized_client` "Missing valid authorization header" (the
   * answer client libraries report when they leave the header out); a public client has no
   * secret to send, so a Basic header or a `client_secret` from it is refused the same way
   * (the exact wording X uses for that case is not documented).
   */
  #checkXClient(form: URLSearchParams, authorization: string | undefined): PkceOAuthReply | null {
    const c = this.#c;
    const basic = /^Basic (\S+)$/i.exec(authorization ?? '');
    const bodyId = form.get('client_id');
    if (c.clientSecret === null) {
      if (authorization !== undefined || form.has('client_secret')) return oauthError(401, 'unauthorized_client', 'This app is a public client: send client_id in the request body and no client secret.');
      if (bodyId !== c.clientId) return oauthError(401, 'invalid_client', 'Missing or unknown client_id.');
      return null;
    }
    if (!basic) return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    let clientId: string;
    let secret: string;
    try {
      clientId = decodeURIComponent(colon < 0 ? decoded : decoded.slice(0, colon));
      secret = colon < 0 ? '' : decodeURIComponent(decoded.slice(colon + 1));
    } catch {
      return oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
    }
    if (clientId !== c.clientId || (bodyId !== null && bodyId !== clientId)) return oauthError(401, 'invalid_client', 'Missing or unknown client_id.');
    if (secret !== c.clientSecret) return oauthError(401, 'invalid_client', 'Client secret is invalid.');
    return null;
  }

  #exchange(form: URLSearchParams): PkceOAuthReply {
    const record = this.#codes.get(form.get('code') ?? '');
    if (!record || record.used || record.expiresAt <= this.#c.nowMs()) return oauthError(400, 'invalid_grant', 'Authorization code is expired or invalid.');
    if (record.redirectUri !== form.get('redirect_uri')) return oauthError(400, 'invalid_grant', 'redirect_uri does not match the authorization request.');
    const verifier = form.get('code_verifier') ?? '';
    if (!VERIFIER.test(verifier) || pkceS256(verifier) !== record.challenge) return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge.');
    record.used = true;
    return { status: 200, body: this.#issue({ id: ++this.#grants, userId: record.userId, scopes: record.scopes, revoked: false }, record.offline) };
  }

  #refreshGrant(refreshToken: string): PkceOAuthReply {
    const record = this.#refresh.get(refreshToken);
    if (!record || record.superseded || record.grant.revoked || (record.expiresAt !== null && record.expiresAt <= this.#c.nowMs())) {
      return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    }
    if (!this.#c.rotateRefresh) return { status: 200, body: this.#issue(record.grant, false) };
    record.superseded = true;
    return { status: 200, body: this.#issue(record.grant, true) };
  }

  #issue(grant: OAuthGrant, withRefresh: boolean): PkceTokenResponse {
    const c = this.#c;
    const n = ++this.#tokens;
    const now = c.nowMs();
    const accessToken = `${randomBytes(30).toString('base64url')}${n}`;
    this.#access.set(accessToken, { token: accessToken, grant, expiresAt: now + c.accessSeconds * 1000 });
    const body: PkceTokenResponse = { token_type: c.clientSecret === null ? 'bearer' : 'Bearer', access_token: accessToken, expires_in: c.accessSeconds, scope: grant.scopes.join(' ') };
    if (withRefresh) {
      const refreshToken = `${randomBytes(30).toString('base64url')}r${n}`;
      this.#refresh.set(refreshToken, { grant, expiresAt: c.refreshSeconds === null ? null : now + c.refreshSeconds * 1000, superseded: false });
      body.refresh_token = refreshToken;
    }
    return body;
  }
}
