// OAuth 2.0 for a native app (RFC 8252, RFC 7636): PKCE verifiers and challenges in each
// platform's encoding, an unguessable state, and form posts to token and revoke endpoints
// through the egress client, the only way Airlock reaches the network.
import { createHash, randomBytes } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';
import type { EgressClient } from '../egress/http-client.ts';

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
