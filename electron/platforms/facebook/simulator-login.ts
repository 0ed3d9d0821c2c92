// The Facebook Login side of the Facebook and Instagram simulators (platform-apis.md §6.1, §6.4):
// the authorize dialog, which consents at once for the signed-in person (or declines) and
// redirects to a registered URI only; the code exchange with the app secret (codes single-use,
// 10 minutes, bound to the redirect URI); the `fb_exchange_token` grant to a ~60-day user token;
// `/me/permissions`; and `/me/accounts` with the fields asked for (`tasks`, `access_token`,
// `instagram_business_account{id,username}`). Graph's error envelope throughout. Tokens live only
// in this process's memory.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { GRAPH_CODES } from './protocol.ts';
import { failWith, reply, type GraphReply, type GraphUserTokens } from './simulator.ts';

export interface MetaLoginPage {
  id: string;
  name: string;
  tasks: readonly string[];
  /** The IG professional account linked to the Page, if any. */
  instagram: { id: string; username: string } | null;
}

export interface MetaLoginOptions {
  appId: string;
  appSecret: string;
  /** Valid OAuth Redirect URIs of the app. */
  redirectUris: readonly string[];
  /** 'exact' as Meta's strict mode compares; 'loopback-any-port' for tests and training, whose listeners take any port. */
  redirectMatch: 'exact' | 'loopback-any-port';
  /** Permissions the app may ask for. */
  permissions: readonly string[];
  /** The long-lived user tokens the rest of the simulator checks. */
  tokens: GraphUserTokens;
  nowMs(): number;
  /** Every Page of the simulator; the signed-in person manages those `consentAs` names. */
  pages(): MetaLoginPage[];
  /** A Page token for `/me/accounts?fields=access_token`, registered with the simulator. */
  pageToken?(pageId: string): string;
}

export type LoginEndpoint = 'authorize' | 'token' | 'accounts' | 'permissions';

export type LoginReply = { kind: 'json'; reply: GraphReply } | { kind: 'redirect'; location: string } | { kind: 'page'; status: number; text: string };

interface CodeRecord {
  redirectUri: string;
  scopes: string[];
  pages: string[];
  expiresAt: number;
  used: boolean;
}

interface Grant {
  scopes: string[];
  declined: string[];
  /** The Pages the person managed when they consented. */
  pages: string[];
}

/** Short-lived user tokens: about an hour or two (§6.1 "hours"). */
const SHORT_SECONDS = 2 * 60 * 60;
/** Facebook Login codes are single-use and short-lived. */
const CODE_SECONDS = 10 * 60;

function redirectMatches(mode: MetaLoginOptions['redirectMatch'], registered: string, candidate: string): boolean {
  if (registered === candidate) return true;
  if (mode !== 'loopback-any-port') return false;
  try {
    const want = new URL(registered);
    const got = new URL(candidate);
    return got.protocol === 'http:' && want.hostname === '127.0.0.1' && got.hostname === '127.0.0.1' && want.pathname === got.pathname && got.search === '' && got.hash === '';
  } catch {
    return false;
  }
}

export class MetaLogin {
  readonly #o: MetaLoginOptions;
  readonly #codes = new Map<string, CodeRecord>();
  readonly #short = new Map<string, { grant: Grant; expiresAt: number }>();
  readonly #grants = new Map<string, Grant>();
  /** null: the person declines at the dialog; undefined: manages every Page. */
  #consent: readonly string[] | null | undefined;
  #declined: readonly string[] = [];

  constructor(options: MetaLoginOptions) {
    this.#o = options;
  }

  /** Who consents next: the Pages they manage, or null to decline. Default: every Page. */
  consentAs(pageIds: readonly string[] | null | undefined): void {
    this.#consent = pageIds;
  }

  /** Permissions the person unticks at the next consents. */
  decline(permissions: readonly string[]): void {
    this.#declined = [...permissions];
  }

  handle(endpoint: LoginEndpoint, url: URL, body: Buffer, authorization: string | undefined): LoginReply {
    if (endpoint === 'authorize') return this.#authorize(url.searchParams);
    const params = new URLSearchParams(url.searchParams);
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
    if (endpoint === 'token') return { kind: 'json', reply: this.#token(params) };
    const token = /^(?:OAuth|Bearer) (\S+)$/i.exec(authorization ?? '')?.[1] ?? params.get('access_token');
    const grant = this.#grantOf(token);
    if ('status' in grant) return { kind: 'json', reply: grant };
    return { kind: 'json', reply: endpoint === 'permissions' ? this.#permissions(grant) : this.#accounts(grant, params) };
  }

  #authorize(query: URLSearchParams): LoginReply {
    const o = this.#o;
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('client_id') !== o.appId) return { kind: 'page', status: 400, text: 'Invalid App ID: the app_id or client_id is not valid.' };
    if (!o.redirectUris.some((r) => redirectMatches(o.redirectMatch, r, redirectUri))) {
      return { kind: 'page', status: 400, text: "URL Blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings." };
    }
    const requested = (query.get('scope') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = requested.filter((s) => !o.permissions.includes(s));
    if (unknown.length > 0) return { kind: 'page', status: 400, text: `Invalid Scopes: ${unknown.join(', ')}.` };
    const back = (params: Record<string, string>): LoginReply => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      const state = query.get('state');
      if (state !== null) url.searchParams.set('state', state);
      return { kind: 'redirect', location: url.href };
    };
    if (query.get('response_type') !== null && query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response_type must be code.' });
    if (this.#consent === null) return back({ error: 'access_denied', error_code: '200', error_description: 'Permissions error', error_reason: 'user_denied' });
    const code = `AQ${randomBytes(32).toString('base64url')}`;
    const pages = this.#consent ?? o.pages().map((p) => p.id);
    this.#codes.set(code, { redirectUri, scopes: requested, pages: [...pages], expiresAt: o.nowMs() + CODE_SECONDS * 1000, used: false });
    return back({ code });
  }

  #token(params: URLSearchParams): GraphReply {
    const o = this.#o;
    if (params.get('client_id') !== o.appId) return failWith(400, 101, 'Error validating application. Invalid application ID.');
    if (params.get('client_secret') !== o.appSecret) return failWith(400, 1, 'Error validating client secret.');
    if (params.get('grant_type') === 'fb_exchange_token') {
      const token = params.get('fb_exchange_token') ?? '';
      const grant = this.#grantOf(token);
      if ('status' in grant) return grant;
      const long = o.tokens.issue();
      this.#grants.set(long.access_token, grant);
      return { status: 200, body: long };
    }
    const code = params.get('code') ?? '';
    const record = this.#codes.get(code);
    if (!code) return failWith(400, GRAPH_CODES.invalidParameter, 'Missing authorization code');
    if (!record) return failWith(400, GRAPH_CODES.invalidParameter, 'Invalid verification code format.', { subcode: 36010 });
    if (record.used) return failWith(400, GRAPH_CODES.invalidParameter, 'This authorization code has been used.', { subcode: 36009 });
    if (record.expiresAt <= o.nowMs()) return failWith(400, GRAPH_CODES.invalidParameter, 'This authorization code has expired.', { subcode: 36007 });
    if (params.get('redirect_uri') !== record.redirectUri) {
      return failWith(400, GRAPH_CODES.invalidParameter, 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request', { subcode: 36008 });
    }
    record.used = true;
    const token = `EAAS${randomBytes(24).toString('base64url')}`;
    const declined = record.scopes.filter((s) => this.#declined.includes(s));
    this.#short.set(token, { grant: { scopes: record.scopes.filter((s) => !declined.includes(s)), declined, pages: record.pages }, expiresAt: o.nowMs() + SHORT_SECONDS * 1000 });
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: SHORT_SECONDS } };
  }

  /** The grant behind a user token; tokens issued without the dialog (tests, training) have every permission and Page. */
  #grantOf(token: string | null): Grant | GraphReply {
    const short = token ? this.#short.get(token) : undefined;
    if (short) {
      if (short.expiresAt <= this.#o.nowMs()) return failWith(400, GRAPH_CODES.token, 'Error validating access token: Session has expired.', { subcode: GRAPH_CODES.tokenExpiredSubcode });
      return short.grant;
    }
    const refused = this.#o.tokens.check(token);
    if (refused) return refused;
    return this.#grants.get(token!) ?? { scopes: [...this.#o.permissions], declined: [], pages: this.#o.pages().map((p) => p.id) };
  }

  #permissions(grant: Grant): GraphReply {
    return { status: 200, body: { data: [...grant.scopes.map((permission) => ({ permission, status: 'granted' })), ...grant.declined.map((permission) => ({ permission, status: 'declined' }))] } };
  }

  /** `/me/accounts?fields=…`: the Pages the person manages, with `instagram_business_account{id,username}` expanded as asked. */
  #accounts(grant: Grant, params: URLSearchParams): GraphReply {
    if (!grant.scopes.includes('pages_show_list')) return failWith(403, 200, '(#200) Requires pages_show_list permission to manage the object');
    const fields = params.get('fields') ?? 'id,name,access_token';
    const top = new Set(fields.replace(/\{[^}]*\}/g, '').split(',').map((f) => f.trim()));
    const igFields = /instagram_business_account\{([^}]*)\}/.exec(fields)?.[1]?.split(',').map((f) => f.trim()) ?? ['id'];
    const limit = Math.min(100, Math.max(1, Number(params.get('limit') ?? 25) || 25));
    const data = this.#o
      .pages()
      .filter((p) => grant.pages.includes(p.id))
      .slice(0, limit)
      .map((p) => ({
        id: p.id,
        ...(top.has('name') ? { name: p.name } : {}),
        ...(top.has('tasks') ? { tasks: [...p.tasks] } : {}),
        ...(top.has('access_token') && this.#o.pageToken ? { access_token: this.#o.pageToken(p.id) } : {}),
        ...(top.has('instagram_business_account') && p.instagram ? { instagram_business_account: { id: p.instagram.id, ...(igFields.includes('username') ? { username: p.instagram.username } : {}) } } : {}),
      }));
    return { status: 200, body: { data, paging: { cursors: { before: 'QVFIUmJ', after: 'QVFIUmx' } } } };
  }
}

export function sendLoginReply(res: ServerResponse, r: LoginReply): void {
  if (r.kind === 'json') return reply(res, r.reply);
  if (r.kind === 'redirect') {
    res.writeHead(302, { Location: r.location, 'Content-Length': '0' });
    return void res.end();
  }
  res.writeHead(r.status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(r.text);
}

/** Which Facebook Login endpoint a Graph path is: `dialog/oauth`, `oauth/access_token`, `me/accounts`, `me/permissions`. */
export function loginEndpoint(method: string, node: string, edge: string | undefined): LoginEndpoint | null {
  if (node === 'dialog' && edge === 'oauth' && method === 'GET') return 'authorize';
  if (node === 'oauth' && edge === 'access_token' && (method === 'GET' || method === 'POST')) return 'token';
  if (node === 'me' && edge === 'accounts' && method === 'GET') return 'accounts';
  if (node === 'me' && edge === 'permissions' && method === 'GET') return 'permissions';
  return null;
}
