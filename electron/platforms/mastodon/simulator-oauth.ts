// The simulator's OAuth side (§4.1): app registration per instance (always a confidential
// client), authorize with auto-consent and S256-only PKCE, the token endpoint, revoke, and
// bearer checks with Doorkeeper's wording. Tokens never expire on their own; they end by revoke.
import { randomBytes } from 'node:crypto';
import { mastodonCodeChallenge, type MastodonApplication, type MastodonTokenResponse } from './mastodon-protocol.ts';
import { param, type Params } from './simulator-http.ts';

/** Scopes the server knows (`api/oauth-scopes.md`); admin scopes are left out. */
export const KNOWN_SCOPES: readonly string[] = [
  'read',
  'write',
  'follow',
  'push',
  'profile',
  ...['accounts', 'blocks', 'bookmarks', 'favourites', 'filters', 'follows', 'lists', 'mutes', 'notifications', 'search', 'statuses'].map((s) => `read:${s}`),
  ...['accounts', 'blocks', 'bookmarks', 'conversations', 'favourites', 'filters', 'follows', 'lists', 'media', 'mutes', 'notifications', 'reports', 'statuses'].map((s) => `write:${s}`),
];

export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';
/** Doorkeeper's default authorization code lifetime. */
const CODE_LIFETIME_MS = 10 * 60_000;

export interface SimApp {
  id: string;
  name: string;
  website: string | null;
  redirectUris: string[];
  scopes: string[];
  clientId: string;
  clientSecret: string;
  createdAt: number;
}

export interface SimToken {
  token: string;
  app: SimApp;
  /** null for a client_credentials (app-only) token. */
  accountId: string | null;
  scopes: string[];
  createdAt: number;
  revoked: boolean;
  /** Only by fault: real Mastodon tokens have no expiry (§4.1). */
  expired: boolean;
}

interface CodeRecord {
  app: SimApp;
  accountId: string;
  scopes: string[];
  redirectUri: string;
  challenge: string | null;
  expiresAt: number;
  used: boolean;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type AuthorizeReply = { kind: 'redirect'; location: string } | { kind: 'page'; status: number; html: string };

export type Authenticated = { ok: true; token: SimToken } | { ok: false; description: string };

export interface OAuthConfig {
  nowMs(): number;
  /** The account signed in to the simulated browser; null makes it deny consent. */
  signedIn(): string | null;
  /** Mastodon-style ids (snowflakes) for new records. */
  nextId(): string;
}

const oauthError = (status: number, error: string, description: string): Reply => ({ status, body: { error, error_description: description } });
const validation = (message: string): Reply => ({ status: 422, body: { error: `Validation failed: ${message}` } });

const INVALID_CLIENT = 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.';
const INVALID_GRANT =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';

function splitScopes(text: string | undefined): string[] {
  return (text ?? '').split(/[\s+]+/).filter(Boolean);
}

function isAbsoluteUri(uri: string): boolean {
  if (uri === OOB_REDIRECT) return true;
  try {
    const url = new URL(uri);
    return url.protocol !== '' && url.hash === '';
  } catch {
    return false;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class MastodonOAuth {
  readonly #config: OAuthConfig;
  readonly #apps = new Map<string, SimApp>();
  readonly #codes = new Map<string, CodeRecord>();
  readonly #tokens = new Map<string, SimToken>();

  constructor(config: OAuthConfig) {
    this.#config = config;
  }

  apps(): SimApp[] {
    return [...this.#apps.values()].map((a) => ({ ...a, redirectUris: [...a.redirectUris], scopes: [...a.scopes] }));
  }

  tokens(): SimToken[] {
    return [...this.#tokens.values()];
  }

  /** POST /api/v1/apps (§4.1). `redirect_uris` may be a string or, since 4.3, an array. */
  registerApp(params: Params): Reply {
    const name = param(params, 'client_name')?.trim() ?? '';
    if (name === '') return validation("Application name can't be blank");
    if (name.length > 60) return validation('Application name is too long (maximum is 60 characters)');
    const redirectUris = (params.get('redirect_uris') ?? []).flatMap((v) => v.split(/\r?\n/)).map((v) => v.trim()).filter(Boolean);
    if (redirectUris.length === 0) return validation("Redirect URI can't be blank");
    if (!redirectUris.every(isAbsoluteUri)) return validation('Redirect URI must be an absolute URI.');
    const scopes = params.has('scopes') ? splitScopes(param(params, 'scopes')) : ['read'];
    // [U] The exact wording of an unknown-scope refusal is not documented.
    const unknown = scopes.filter((s) => !KNOWN_SCOPES.includes(s));
    if (unknown.length > 0) return validation(`Scopes ${unknown.join(' ')} are not valid`);
    const website = param(params, 'website')?.trim() || null;
    const app: SimApp = {
      id: this.#config.nextId(),
      name,
      website,
      redirectUris,
      scopes: scopes.length > 0 ? scopes : ['read'],
      clientId: randomBytes(32).toString('base64url'),
      clientSecret: randomBytes(32).toString('base64url'),
      createdAt: this.#config.nowMs(),
    };
    this.#apps.set(app.clientId, app);
    return { status: 200, body: this.#appEntity(app) };
  }

  #appEntity(app: SimApp): MastodonApplication {
    return {
      id: app.id,
      name: app.name,
      website: app.website,
      scopes: [...app.scopes],
      redirect_uri: app.redirectUris.join('\n'),
      redirect_uris: [...app.redirectUris],
      client_id: app.clientId,
      client_secret: app.clientSecret,
      // §4.1 (4.4+): 0 means the secret does not expire.
      client_secret_expires_at: 0,
      vapid_key: 'BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=',
    };
  }

  /**
   * GET /oauth/authorize (§4.1). The signed-in account consents at once. An unknown client or
   * redirect URI gets an error page, never a redirect (RFC 6749 §4.1.2.1).
   */
  authorize(query: URLSearchParams): AuthorizeReply {
    const app = this.#apps.get(query.get('client_id') ?? '');
    if (!app) return { kind: 'page', status: 401, html: '<h1>invalid_client</h1><p>' + escapeHtml(INVALID_CLIENT) + '</p>' };
    const redirectUri = query.get('redirect_uri') ?? (app.redirectUris.length === 1 ? app.redirectUris[0]! : '');
    if (!app.redirectUris.includes(redirectUri)) return { kind: 'page', status: 400, html: '<h1>invalid_redirect_uri</h1><p>The redirect uri included is not valid.</p>' };
    const state = query.get('state');
    const back = (params: Record<string, string>): AuthorizeReply => {
      if (redirectUri === OOB_REDIRECT) {
        const text = params.code ?? `${params.error}: ${params.error_description ?? ''}`;
        return { kind: 'page', status: params.code ? 200 : 400, html: `<p>Copy this authorization code:</p><input class="oauth-code" readonly type="text" value="${escapeHtml(text)}">` };
      }
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      if (state !== null) url.searchParams.set('state', state);
      return { kind: 'redirect', location: url.href };
    };
    if (query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'The authorization server does not support this response type.' });
    // Doorkeeper's default scope is `read`; what is asked must be a subset of what was registered.
    const scopes = query.has('scope') ? splitScopes(query.get('scope') ?? '') : ['read'];
    if (scopes.length === 0 || !scopes.every((s) => app.scopes.includes(s))) {
      return back({ error: 'invalid_scope', error_description: 'The requested scope is invalid, unknown, or malformed.' });
    }
    const challenge = query.get('code_challenge');
    const method = query.get('code_challenge_method');
    // §4.1: PKCE since 4.3, S256 only.
    if (challenge !== null && method !== 'S256') {
      return back({ error: 'invalid_request', error_description: 'The code_challenge_method must be S256.' });
    }
    if (challenge !== null && !/^[A-Za-z0-9\-._~]{43,128}$/.test(challenge)) {
      return back({ error: 'invalid_request', error_description: 'The code_challenge is malformed.' });
    }
    const accountId = this.#config.signedIn();
    if (accountId === null) return back({ error: 'access_denied', error_description: 'The resource owner or authorization server denied the request.' });
    const code = randomBytes(32).toString('base64url');
    this.#codes.set(code, { app, accountId, scopes, redirectUri, challenge, expiresAt: this.#config.nowMs() + CODE_LIFETIME_MS, used: false });
    return back({ code });
  }

  /** The client from the form (client_secret_post) or HTTP Basic (client_secret_basic). */
  #client(params: Params, authorization: string | undefined): SimApp | null {
    let id = param(params, 'client_id');
    let secret = param(params, 'client_secret');
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        id = decodeURIComponent(decoded.slice(0, colon));
        secret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    const app = this.#apps.get(id ?? '');
    return app && secret === app.clientSecret ? app : null;
  }

  /** POST /oauth/token (§4.1): no expires_in, no refresh token. */
  token(params: Params, authorization: string | undefined): Reply {
    const grantType = param(params, 'grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    }
    const app = this.#client(params, authorization);
    if (!app) return oauthError(401, 'invalid_client', INVALID_CLIENT);
    if (grantType === 'client_credentials') {
      const scopes = params.has('scope') ? splitScopes(param(params, 'scope')) : ['read'];
      if (!scopes.every((s) => app.scopes.includes(s))) return oauthError(400, 'invalid_scope', 'The requested scope is invalid, unknown, or malformed.');
      return { status: 200, body: this.#issue(app, null, scopes), headers: { 'Cache-Control': 'no-store' } };
    }
    const record = this.#codes.get(param(params, 'code') ?? '');
    if (!record || record.app !== app || record.used || record.expiresAt <= this.#config.nowMs() || record.redirectUri !== param(params, 'redirect_uri')) {
      return oauthError(400, 'invalid_grant', INVALID_GRANT);
    }
    if (record.challenge !== null) {
      const verifier = param(params, 'code_verifier') ?? '';
      if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || mastodonCodeChallenge(verifier) !== record.challenge) return oauthError(400, 'invalid_grant', INVALID_GRANT);
    }
    record.used = true;
    return { status: 200, body: this.#issue(app, record.accountId, record.scopes), headers: { 'Cache-Control': 'no-store' } };
  }

  /** POST /oauth/revoke (RFC 7009): an unknown token is not an error; another client's is. */
  revoke(params: Params, authorization: string | undefined): Reply {
    const app = this.#client(params, authorization);
    if (!app) return oauthError(401, 'invalid_client', INVALID_CLIENT);
    const token = this.#tokens.get(param(params, 'token') ?? '');
    if (token && token.app !== app) return oauthError(403, 'unauthorized_client', 'You are not authorized to revoke this token');
    if (token) token.revoked = true;
    return { status: 200, body: {} };
  }

  #issue(app: SimApp, accountId: string | null, scopes: string[]): MastodonTokenResponse {
    const token: SimToken = { token: randomBytes(32).toString('base64url'), app, accountId, scopes: [...scopes], createdAt: this.#config.nowMs(), revoked: false, expired: false };
    this.#tokens.set(token.token, token);
    return { access_token: token.token, token_type: 'Bearer', scope: scopes.join(' '), created_at: Math.floor(token.createdAt / 1000) };
  }

  /** A user token without the browser step, for tests and the demo's pre-connected account. */
  issueForTest(accountId: string, scopes: readonly string[]): MastodonTokenResponse {
    let app = [...this.#apps.values()].find((a) => a.name === 'Airlock (simulator)');
    if (!app) {
      const params: Params = new Map([
        ['client_name', ['Airlock (simulator)']],
        ['redirect_uris', [OOB_REDIRECT]],
        ['scopes', [KNOWN_SCOPES.join(' ')]],
      ]);
      this.registerApp(params);
      app = [...this.#apps.values()].find((a) => a.name === 'Airlock (simulator)')!;
    }
    return this.#issue(app, accountId, [...scopes]);
  }

  /** Bearer check with Doorkeeper's descriptions, which Mastodon returns as `{error}`. */
  authenticate(authorization: string | undefined): Authenticated {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const token = m ? this.#tokens.get(m[1]!) : undefined;
    if (!token) return { ok: false, description: 'The access token is invalid' };
    if (token.revoked) return { ok: false, description: 'The access token was revoked' };
    if (token.expired) return { ok: false, description: 'The access token expired' };
    return { ok: true, token };
  }

  /** The bearer token as sent, if it names a known token. */
  lookup(authorization: string | undefined): SimToken | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    return m ? this.#tokens.get(m[1]!) : undefined;
  }

  revokeToken(token: string): boolean {
    const t = this.#tokens.get(token);
    if (t) t.revoked = true;
    return t !== undefined;
  }
}
