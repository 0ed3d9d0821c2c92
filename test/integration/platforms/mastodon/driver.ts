// A tiny test-only Mastodon client on plain fetch, to drive the simulator the way a real client
// would: JSON and form calls, multipart media uploads, the OAuth code flow with S256 PKCE, and
// test files built at run time. 127.0.0.1 only.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { mastodonCodeChallenge, MASTODON_PATHS, type MastodonTokenResponse } from '../../../../electron/platforms/mastodon/mastodon-protocol.ts';
import type { MastodonSimulator } from '../../../../electron/platforms/mastodon/simulator.ts';
import { assertLoopback } from '../../../support/platform-driver.ts';

export { manualClock, MiB, padVideo } from '../../../support/platform-driver.ts';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  raw: string;
  body: T;
}

export interface CallInit {
  token?: string | null;
  json?: unknown;
  form?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: FormData;
}

export async function call<T = Record<string, unknown>>(origin: string, method: string, path: string, init: CallInit = {}): Promise<Answer<T>> {
  assertLoopback(origin);
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  let body: string | FormData | undefined;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(init.form)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
    body = form.toString();
  } else if (init.body !== undefined) {
    body = init.body;
  }
  const res = await fetch(`${origin}${path}`, { method, headers, ...(body === undefined ? {} : { body }), redirect: 'manual' });
  const raw = await res.text();
  let parsed: unknown;
  try {
    parsed = raw === '' ? null : JSON.parse(raw);
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, raw, body: parsed as T };
}

/** POST /api/v2/media with fetch's own multipart encoding. */
export async function uploadMedia(origin: string, token: string, file: { bytes: Buffer; contentType: string; filename?: string }, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.contentType }), file.filename ?? 'upload.bin');
  return call(origin, 'POST', MASTODON_PATHS.mediaV2, { token, body: form });
}

export async function postStatus(origin: string, token: string, json: Record<string, unknown>, idempotencyKey?: string) {
  return call(origin, 'POST', MASTODON_PATHS.statuses, { token, json, ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}) });
}

/** Registers an app, authorizes with S256 PKCE as the signed-in account, and exchanges the code. */
export async function connectAccount(sim: MastodonSimulator, scopes = 'profile read:statuses write:media write:statuses'): Promise<{ app: Record<string, string>; token: MastodonTokenResponse }> {
  const redirectUri = 'http://127.0.0.1:53123/callback';
  const app = await call<Record<string, string>>(sim.origin, 'POST', MASTODON_PATHS.apps, { form: { client_name: 'Airlock', redirect_uris: redirectUri, scopes, website: 'https://example.org' } });
  expect(app.status).toBe(200);
  const verifier = randomBytes(48).toString('base64url');
  const url = new URL(`${sim.origin}${MASTODON_PATHS.authorize}`);
  url.search = new URLSearchParams({ response_type: 'code', client_id: app.body.client_id!, redirect_uri: redirectUri, scope: scopes, state: 'state-1', code_challenge: mastodonCodeChallenge(verifier), code_challenge_method: 'S256' }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(location.searchParams.get('state')).toBe('state-1');
  const token = await call<MastodonTokenResponse>(sim.origin, 'POST', MASTODON_PATHS.token, {
    form: { grant_type: 'authorization_code', code: location.searchParams.get('code')!, client_id: app.body.client_id!, client_secret: app.body.client_secret!, redirect_uri: redirectUri, code_verifier: verifier },
  });
  expect(token.status).toBe(200);
  return { app: app.body, token: token.body };
}

