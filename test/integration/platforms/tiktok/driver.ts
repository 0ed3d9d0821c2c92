// A tiny test-only TikTok client on plain fetch, to drive the simulator the way the real
// adapter will: OAuth form posts, enveloped JSON calls and chunked PUTs. 127.0.0.1 only.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { chunkRange, contentRangeHeader, planChunks, type ChunkPlan } from '../../../../electron/platforms/tiktok/chunks.ts';
import { TIKTOK_PATHS, tiktokCodeChallenge, type TikTokEnvelope, type TikTokTokenResponse } from '../../../../electron/platforms/tiktok/protocol.ts';
import type { TikTokSimulator } from '../../../../electron/platforms/tiktok/simulator.ts';
import { assertLoopback, MiB } from '../../../support/platform-driver.ts';

export { manualClock, MiB } from '../../../support/platform-driver.ts';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  raw: string;
  body: TikTokEnvelope<T>;
}

/** POSTs JSON to a data endpoint and returns TikTok's envelope as sent. */
export async function call<T = Record<string, unknown>>(origin: string, path: string, accessToken: string | null, body?: unknown, contentType = 'application/json; charset=UTF-8'): Promise<Answer<T>> {
  assertLoopback(origin);
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (accessToken !== null) headers.Authorization = `Bearer ${accessToken}`;
  const res = await fetch(`${origin}${path}`, { method: 'POST', headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const raw = await res.text();
  return { status: res.status, headers: res.headers, raw, body: JSON.parse(raw) as TikTokEnvelope<T> };
}

export async function postForm(origin: string, path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  assertLoopback(origin);
  const res = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Runs the desktop authorization-code flow with TikTok's hex PKCE and returns the token response. */
export async function connectAccount(sim: TikTokSimulator, scope = 'user.info.basic,video.publish,video.upload'): Promise<TikTokTokenResponse> {
  const verifier = randomBytes(48).toString('base64url');
  const redirectUri = 'http://127.0.0.1:53123/callback/';
  const code = await authorize(sim, { scope, redirectUri, challenge: tiktokCodeChallenge(verifier) });
  const res = await postForm(sim.origin, TIKTOK_PATHS.token, {
    client_key: sim.clientKey,
    client_secret: sim.clientSecret,
    code,
    grant_type: 'authorization_code',
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
  expect(res.status).toBe(200);
  return res.body as unknown as TikTokTokenResponse;
}

/** GETs the authorize URL and returns the code from the redirect. */
export async function authorize(sim: TikTokSimulator, o: { scope: string; redirectUri: string; challenge?: string; state?: string }): Promise<string> {
  const url = authorizeUrl(sim, o);
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(location.searchParams.get('state')).toBe(o.state ?? 'state-123');
  const code = location.searchParams.get('code');
  expect(code).toBeTruthy();
  return code!;
}

export function authorizeUrl(sim: TikTokSimulator, o: { scope: string; redirectUri: string; challenge?: string; state?: string }): string {
  const url = new URL(TIKTOK_PATHS.authorize, sim.origin);
  url.searchParams.set('client_key', sim.clientKey);
  url.searchParams.set('scope', o.scope);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', o.redirectUri);
  url.searchParams.set('state', o.state ?? 'state-123');
  if (o.challenge !== undefined) {
    url.searchParams.set('code_challenge', o.challenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  assertLoopback(url.href);
  return url.href;
}

/**
 * Deterministic video bytes that open with a real ISO BMFF `ftyp` box, generated a block at
 * a time so a test never holds the whole file.
 */
export class SyntheticVideo {
  readonly size: number;
  readonly #seed: number;

  constructor(size: number, seed = 1) {
    this.size = size;
    this.#seed = seed;
  }

  /** Bytes [first, last] inclusive. */
  slice(first: number, last: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(last - first + 1);
    for (let i = 0; i < out.length; i++) {
      const pos = first + i;
      out[i] = (pos * 31 + this.#seed * 7 + (pos >>> 11)) & 0xff;
    }
    const ftyp = Buffer.from([0, 0, 0, 24, ...Buffer.from('ftypisom'), 0, 0, 2, 0, ...Buffer.from('isommp42')]);
    if (first < ftyp.length) out.set(ftyp.subarray(first, Math.min(ftyp.length, last + 1)), 0);
    return out;
  }

  sha256(): string {
    const hash = createHash('sha256');
    const block = 4 * MiB;
    for (let at = 0; at < this.size; at += block) hash.update(this.slice(at, Math.min(this.size, at + block) - 1));
    return hash.digest('hex');
  }
}

export async function putChunk(
  uploadUrl: string,
  bytes: Uint8Array<ArrayBuffer>,
  contentRange: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentRange: string | null; body: string }> {
  assertLoopback(uploadUrl);
  const res = await fetch(uploadUrl, {
    method: 'PUT',
    headers: { 'Content-Type': 'video/mp4', 'Content-Range': contentRange, ...headers },
    body: bytes,
  });
  return { status: res.status, contentRange: res.headers.get('content-range'), body: await res.text() };
}

/** PUTs chunks `from` up to (not including) `to` in order and returns the status of each. */
export async function uploadChunks(uploadUrl: string, plan: ChunkPlan, video: SyntheticVideo, from = 0, to = plan.totalChunkCount): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = from; i < to; i++) {
    const range = chunkRange(plan, i);
    const res = await putChunk(uploadUrl, video.slice(range.first, range.last), contentRangeHeader(plan, i));
    statuses.push(res.status);
  }
  return statuses;
}

export function postInfo(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Library opening hours change on Monday #library @citycouncil',
    privacy_level: 'PUBLIC_TO_EVERYONE',
    disable_duet: false,
    disable_comment: true,
    disable_stitch: false,
    video_cover_timestamp_ms: 1000,
    brand_content_toggle: false,
    brand_organic_toggle: false,
    is_aigc: false,
    ...overrides,
  };
}

export function fileSource(plan: ChunkPlan): Record<string, unknown> {
  return { source: 'FILE_UPLOAD', video_size: plan.videoSize, chunk_size: plan.chunkSize, total_chunk_count: plan.totalChunkCount };
}

/** Direct Post init for a synthetic video; returns the plan, publish id and upload URL. */
export async function initDirectPost(origin: string, token: string, size: number, post: Record<string, unknown> = postInfo(), plan = planChunks(size)) {
  const res = await call<{ publish_id: string; upload_url: string }>(origin, TIKTOK_PATHS.videoInit, token, { post_info: post, source_info: fileSource(plan) });
  expect(res.body.error.code, res.raw).toBe('ok');
  return { plan, publishId: res.body.data.publish_id, uploadUrl: res.body.data.upload_url };
}

export async function fetchStatus(origin: string, token: string, publishId: string) {
  return call<{ status: string; fail_reason?: string; uploaded_bytes?: number; publicaly_available_post_id?: number[] }>(origin, TIKTOK_PATHS.statusFetch, token, { publish_id: publishId });
}

/** Polls status/fetch until `done` holds; returns every status seen, in order. */
export async function pollStatus(origin: string, token: string, publishId: string, done: (status: string) => boolean, maxPolls = 20) {
  const seen: Answer<{ status: string; fail_reason?: string; uploaded_bytes?: number; publicaly_available_post_id?: number[] }>[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const res = await fetchStatus(origin, token, publishId);
    seen.push(res);
    if (res.body.error.code !== 'ok' || done(res.body.data.status)) return seen;
  }
  throw new Error(`status of ${publishId} did not settle after ${maxPolls} polls`);
}
