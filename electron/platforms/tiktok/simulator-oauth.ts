// The simulator's Login Kit (§1.1): authorize with auto-consent, the token endpoint with
// TikTok's hex PKCE and its required client_secret, rotating refresh tokens, expiry and
// revoke. Tokens live only in this process's memory.
import { randomBytes } from 'node:crypto';
import { TIKTOK_OAUTH, TIKTOK_PATHS, TIKTOK_SCOPES, tiktokCodeChallenge, type TikTokOAuthError, type TikTokScope, type TikTokTokenResponse } from './protocol.ts';

export interface OAuthAccount {
  openId: string;
  /** What this user ticks on the consent screen. */
  grantedScopes: readonly TikTokScope[];
}

export interface OAuthConfig {
  clientKey: string;
  clientSecret: string;
  /** Registered redirect URIs; `http://127.0.0.1:*\/callback/` style wildcard ports allowed (§1.1). */
  redirectUris: readonly string[];
  /** Scopes TikTok approved for the app. */
  appScopes: readonly TikTokScope[];
  accessSeconds: number;
  refreshSeconds: number;
  nowMs(): number;
  logId(): string;
  account(openId: string): OAuthAccount | undefined;
  /** The account "signed in" in the simulated browser, which consents at authorize. */
  signedInOpenId(): string | undefined;
  /**
   * Show a consent page with Authorize and Cancel buttons instead of consenting at once, as the
   * real Login Kit does (for end-to-end tests and the training demo).
   */
  consentPage?: boolean;
}

export interface Grant {
  id: number;
  openId: string;
  scopes: TikTokScope[];
  revoked: boolean;
}

export interface AccessGrant {
  token: string;
  grant: Grant;
  expiresAt: number;
}

interface RefreshRecord {
  grant: Grant;
  expiresAt: number;
  /** Set once a newer refresh token was issued; §1.1 "The previous refresh token stops working". */
  superseded: boolean;
}

interface CodeRecord {
  openId: string;
  scopes: TikTokScope[];
  redirectUri: string;
  challenge: string | undefined;
  expiresAt: number;
  used: boolean;
}

export interface OAuthReply {
  status: number;
  body: TikTokTokenResponse | TikTokOAuthError | Record<string, never>;
}

export type AuthorizeReply = { kind: 'redirect'; location: string } | { kind: 'page'; status: number; text: string } | { kind: 'consent'; html: string };

/** The simulator's own consent form field; the real page's controls are not part of the API. */
export const CONSENT_FIELD = 'airlock_sim_consent';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function consentPage(query: URLSearchParams, who: string, scopes: readonly string[]): string {
  const hidden = [...query.entries()]
    .filter(([k]) => k !== CONSENT_FIELD)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const items = scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TikTok (simulator): authorize</title></head><body><main><h1>Authorize this app</h1><p>Signed in as ${escapeHtml(who)}. The app asks to:</p><ul>${items}</ul><form method="get" action="${TIKTOK_PATHS.authorize}">${hidden}<button type="submit" name="${CONSENT_FIELD}" value="allow">Authorize</button> <button type="submit" name="${CONSENT_FIELD}" value="deny">Cancel</button></form></main></body></html>`;
}


/** §1.1 desktop rules: absolute http(s), host localhost or 127.0.0.1, a port, no query or fragment. */
const DESKTOP_REDIRECT = /^(https?):\/\/(localhost|127\.0\.0\.1):(\d{1,5}|\*)(\/[^?#]*)?$/;

export function checkRegisteredRedirectUris(uris: readonly string[]): void {
  if (uris.length === 0 || uris.length > 10) throw new RangeError('A TikTok app registers between 1 and 10 redirect URIs (§1.1).');
  for (const uri of uris) {
    if (uri.length >= 512 || !DESKTOP_REDIRECT.test(uri)) throw new RangeError(`Not a valid desktop redirect URI (§1.1): ${uri}`);
  }
}

function redirectMatches(registered: string, candidate: string): boolean {
  const want = DESKTOP_REDIRECT.exec(registered);
  const got = DESKTOP_REDIRECT.exec(candidate);
  if (!want || !got || got[3] === '*') return false;
  return want[1] === got[1] && want[2] === got[2] && (want[3] === '*' || want[3] === got[3]) && (want[4] ?? '') === (got[4] ?? '');
}

const oauthError = (status: number, error: string, description: string, logId: string): OAuthReply => ({
  status,
  body: { error, error_description: description, log_id: logId },
});

export class TikTokOAuth {
  readonly #config: OAuthConfig;
  readonly #codes = new Map<string, CodeRecord>();
  readonly #access = new Map<string, AccessGrant>();
  readonly #refresh = new Map<string, RefreshRecord>();
  #grantCount = 0;
  #tokenCount = 0;

  constructor(config: OAuthConfig) {
    checkRegisteredRedirectUris(config.redirectUris);
    this.#config = config;
  }

  /**
   * GET /v2/auth/authorize/ (§1.1). The signed-in account consents at once. An unknown client
   * or redirect URI gets an error page, never a redirect (RFC 6749 §4.1.2.1).
   */
  authorize(query: URLSearchParams): AuthorizeReply {
    const c = this.#config;
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('client_key') !== c.clientKey) return { kind: 'page', status: 400, text: 'client_key is missing or unknown.' };
    if (!c.redirectUris.some((r) => redirectMatches(r, redirectUri))) {
      return { kind: 'page', status: 400, text: 'redirect_uri is not registered for this app.' };
    }
    const state = query.get('state');
    const back = (params: Record<string, string>): AuthorizeReply => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      if (state !== null) url.searchParams.set('state', state);
      return { kind: 'redirect', location: url.href };
    };
    if (query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response_type must be code.' });
    const challenge = query.get('code_challenge') ?? undefined;
    if (challenge !== undefined && query.get('code_challenge_method') !== 'S256') {
      return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256.' });
    }
    const requested = (query.get('scope') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = requested.filter((s) => !(TIKTOK_SCOPES as readonly string[]).includes(s) || !c.appScopes.includes(s as TikTokScope));
    if (requested.length === 0 || unknown.length > 0) {
      return back({ error: 'invalid_scope', error_description: `Scope not approved for this app: ${unknown.join(',') || '(none)'}` });
    }
    const openId = c.signedInOpenId();
    const account = openId === undefined ? undefined : c.account(openId);
    if (!account) return back({ error: 'access_denied', error_description: 'The user did not grant access.' });
    if (c.consentPage) {
      const answer = query.get(CONSENT_FIELD);
      if (answer === null) return { kind: 'consent', html: consentPage(query, account.openId, requested) };
      if (answer !== 'allow') return back({ error: 'access_denied', error_description: 'The user did not grant access.' });
    }
    const scopes = (requested as TikTokScope[]).filter((s) => account.grantedScopes.includes(s));
    // Real codes carry characters such as `*` and `!`, which is why §1.1 says to URL-decode them.
    const code = `${randomBytes(18).toString('base64url')}*${++this.#tokenCount}!v2`;
    this.#codes.set(code, { openId: account.openId, scopes, redirectUri, challenge, expiresAt: c.nowMs() + TIKTOK_OAUTH.codeSeconds * 1000, used: false });
    return back({ code, scopes: scopes.join(',') });
  }

  /** POST /v2/oauth/token/ (§1.1), authorization_code or refresh_token. */
  token(form: URLSearchParams): OAuthReply {
    const c = this.#config;
    const logId = c.logId();
    const grantType = form.get('grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return oauthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.', logId);
    }
    const required = grantType === 'authorization_code' ? ['client_key', 'client_secret', 'code', 'redirect_uri'] : ['client_key', 'client_secret', 'refresh_token'];
    const missing = required.filter((k) => !form.get(k));
    // §1.1: client_secret is required "even for desktop".
    if (missing.length > 0) return oauthError(400, 'invalid_request', `Missing required parameter: ${missing.join(', ')}.`, logId);
    if (form.get('client_key') !== c.clientKey || form.get('client_secret') !== c.clientSecret) {
      return oauthError(401, 'invalid_client', 'Client key or secret is invalid.', logId);
    }
    if (grantType === 'authorization_code') return this.#exchangeCode(form, logId);
    return this.#refreshGrant(form.get('refresh_token')!, logId);
  }

  #exchangeCode(form: URLSearchParams, logId: string): OAuthReply {
    const record = this.#codes.get(form.get('code')!);
    if (!record || record.used || record.expiresAt <= this.#config.nowMs()) {
      return oauthError(400, 'invalid_grant', 'Authorization code is expired or invalid.', logId);
    }
    if (record.redirectUri !== form.get('redirect_uri')) return oauthError(400, 'invalid_grant', 'redirect_uri does not match the authorization request.', logId);
    if (record.challenge !== undefined) {
      const verifier = form.get('code_verifier') ?? '';
      if (!TIKTOK_OAUTH.verifierPattern.test(verifier) || tiktokCodeChallenge(verifier) !== record.challenge) {
        return oauthError(400, 'invalid_request', TIKTOK_OAUTH.pkceMismatchDescription, logId);
      }
    }
    record.used = true;
    const grant: Grant = { id: ++this.#grantCount, openId: record.openId, scopes: record.scopes, revoked: false };
    return { status: 200, body: this.#issue(grant) };
  }

  #refreshGrant(refreshToken: string, logId: string): OAuthReply {
    const record = this.#refresh.get(refreshToken);
    if (!record || record.superseded || record.grant.revoked || record.expiresAt <= this.#config.nowMs()) {
      return oauthError(400, 'invalid_grant', 'Refresh token is invalid or expired.', logId);
    }
    record.superseded = true;
    return { status: 200, body: this.#issue(record.grant) };
  }

  #issue(grant: Grant): TikTokTokenResponse {
    const c = this.#config;
    const n = ++this.#tokenCount;
    const accessToken = `act.${randomBytes(24).toString('hex')}!${n}.va`;
    const refreshToken = `rft.${randomBytes(24).toString('hex')}!${n}.va`;
    const now = c.nowMs();
    this.#access.set(accessToken, { token: accessToken, grant, expiresAt: now + c.accessSeconds * 1000 });
    // [U] whether a rotated refresh token gets a fresh lifetime is not documented; here it does.
    this.#refresh.set(refreshToken, { grant, expiresAt: now + c.refreshSeconds * 1000, superseded: false });
    return {
      open_id: grant.openId,
      scope: grant.scopes.join(','),
      access_token: accessToken,
      expires_in: c.accessSeconds,
      refresh_token: refreshToken,
      refresh_expires_in: c.refreshSeconds,
      token_type: 'Bearer',
    };
  }

  /** POST /v2/oauth/revoke/ (§1.1 [S]): ends the whole grant, access and refresh tokens alike. */
  revoke(form: URLSearchParams): OAuthReply {
    const c = this.#config;
    const logId = c.logId();
    if (!form.get('token')) return oauthError(400, 'invalid_request', 'Missing required parameter: token.', logId);
    if (form.get('client_key') !== c.clientKey || form.get('client_secret') !== c.clientSecret) {
      return oauthError(401, 'invalid_client', 'Client key or secret is invalid.', logId);
    }
    const token = form.get('token')!;
    const grant = this.#access.get(token)?.grant ?? this.#refresh.get(token)?.grant;
    if (grant) grant.revoked = true;
    // [U] the success body is not documented; an empty object is the least to assume.
    return { status: 200, body: {} };
  }

  /** The grant behind `Authorization: Bearer …`, or null if missing, unknown, expired or revoked. */
  authenticate(header: string | undefined): AccessGrant | null {
    const match = /^Bearer (\S+)$/.exec(header ?? '');
    const record = match ? this.#access.get(match[1]!) : undefined;
    if (!record || record.grant.revoked || record.expiresAt <= this.#config.nowMs()) return null;
    return record;
  }

  /** Makes an access token expire now, as if its lifetime had run out. */
  expireAccessToken(header: string | undefined): void {
    const match = /^Bearer (\S+)$/.exec(header ?? '');
    const record = match ? this.#access.get(match[1]!) : undefined;
    if (record) record.expiresAt = Math.min(record.expiresAt, this.#config.nowMs());
  }

  /** Skips the browser: a fresh grant for `openId`, as after a completed consent. */
  issueForTest(openId: string, scopes: readonly TikTokScope[]): TikTokTokenResponse {
    if (!this.#config.account(openId)) throw new RangeError(`No simulated TikTok account ${openId}`);
    return this.#issue({ id: ++this.#grantCount, openId, scopes: [...scopes], revoked: false });
  }
}
