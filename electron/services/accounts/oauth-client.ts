// OAuth 2.0 for a native app (RFC 8252, RFC 7636): PKCE verifiers and challenges in each
// platform's encoding, an unguessable state, and form posts to token and revoke endpoints
// through the egress client, the only way Airlock reaches the network.
import { createHash, randomBytes } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';
import type { EgressClient } from '../egress/http-client.ts';
import type { AccountCredentials, AppCredentials } from '../vault/vault.ts';

/** RFC 7636 §4.2 says S256 is base64url; TikTok's desktop Login Kit wants lowercase hex instead. */
export type ChallengeEncoding = 'base64url' | 'hex';

/** 64 characters of the RFC 7636 alphabet (base64url of 48 random bytes: 384 bits). */
export function newCodeVerifier(): string {
  return randomBytes(48).toString('base64url');
}

export function codeChallenge(verifier: string, encoding: ChallengeEncoding): string {
  return createHash('sha256').update(verifier, 'ascii').digest(encoding);
}

/** 256 bits, so a forged callback cannot guess it (RFC 6749 §10.12). */
export function newState(): string {
  return randomBytes(32).toString('base64url');
}

export interface FormReply {
  status: number;
  body: unknown;
}

/** POSTs an application/x-www-form-urlencoded body and reads a small JSON answer (or null). */
export async function postForm(http: EgressClient, url: string, form: Record<string, string>, requester: string, headers: Record<string, string> = {}): Promise<FormReply> {
  const res = await http.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(form).toString(),
    requester,
    timeoutMs: 30_000,
  });
  const text = await res.text(256 * 1024);
  try {
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  } catch {
    return { status: res.status, body: null };
  }
}

export async function getJson(http: EgressClient, url: string, token: string, requester: string): Promise<FormReply> {
  const res = await http.request(url, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, requester, timeoutMs: 30_000 });
  const text = await res.text(256 * 1024);
  try {
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  } catch {
    return { status: res.status, body: null };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `error` and `error_description` of an OAuth error answer, for IT; never the request itself. */
export function oauthErrorText(reply: FormReply): string {
  const b = isRecord(reply.body) ? reply.body : {};
  const parts = [`HTTP ${reply.status}`];
  if (typeof b.error === 'string') parts.push(`error=${b.error.slice(0, 80)}`);
  if (typeof b.error_description === 'string') parts.push(`"${b.error_description.slice(0, 200)}"`);
  if (typeof b.log_id === 'string') parts.push(`log_id=${b.log_id.slice(0, 80)}`);
  return parts.join(' ');
}

export function platformRefused(platformLabel: string, what: string, reply: FormReply): AirlockError {
  return new AirlockError(
    'accounts.platform-refused',
    `${platformLabel} did not accept the sign-in, so the account was not connected. Try again; if it keeps happening, ask IT to look at the details.`,
    `${what} answered ${oauthErrorText(reply)}`,
  );
}

/**
 * A token endpoint's answer as stored credentials. Lifetimes are read from the answer, never
 * assumed; `refreshExpiresIn` names the platform's field for the refresh token's lifetime, if
 * it has one, and `scopeSeparator` how it lists scopes.
 */
export function tokenCredentials(body: Record<string, unknown>, nowMs: number, o: { refreshExpiresIn?: string; scopeSeparator?: string | RegExp } = {}): AccountCredentials {
  const creds: AccountCredentials = { accessToken: String(body.access_token) };
  if (typeof body.refresh_token === 'string') creds.refreshToken = body.refresh_token;
  const seconds = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 1000) : null);
  const access = seconds(body.expires_in);
  if (access !== null) creds.expiresAt = nowMs + access;
  const refresh = o.refreshExpiresIn === undefined ? null : seconds(body[o.refreshExpiresIn]);
  if (refresh !== null) creds.refreshExpiresAt = nowMs + refresh;
  if (typeof body.scope === 'string') creds.scopes = body.scope.split(o.scopeSeparator ?? /\s+/).map((s) => s.trim()).filter(Boolean);
  return creds;
}

/** A refused refresh: a dead grant (`invalid_grant`) needs a person to reconnect; anything else is tried again later. */
export function refreshRefused(reply: FormReply, words: { dead: string; later: string }): AirlockError {
  const dead = isRecord(reply.body) && reply.body.error === 'invalid_grant';
  return new AirlockError(dead ? 'accounts.needs-reconnect' : 'accounts.refresh-failed', dead ? words.dead : words.later, `refresh answered ${oauthErrorText(reply)}`);
}

/**
 * The app's client secret, for a platform whose token endpoint always wants one (every platform
 * but X, whose native apps are public clients). A missing one is IT's to fix, not the person's.
 */
export function clientSecretOf(app: AppCredentials, label: string, platform: string): string {
  if (app.clientSecret) return app.clientSecret;
  throw new AirlockError(
    'accounts.no-app-secret',
    `The ${label} app that IT set up on this kiosk has no client secret, and ${label} needs one, so accounts cannot be connected or renewed. Ask IT to set it up again.`,
    `the ${platform} token endpoint needs client_secret; run: airlock credentials set-app ${platform} --client-id ID (the secret on standard input)`,
  );
}
