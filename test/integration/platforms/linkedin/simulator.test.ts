// The LinkedIn simulator driven over plain HTTP the way §7 describes, to hold it to the protocol:
// the version and Rest.li headers, initializeUpload's part instructions (4 MiB, lastByte
// inclusive), ETags given in order at finalize, the status until AVAILABLE, the post's id in a
// header, and the refusals (401, 403, 422, 426, 429). 127.0.0.1 only.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LINKEDIN_PATHS } from '../../../../electron/platforms/linkedin/protocol.ts';
import { pkceS256 } from '../../../../electron/platforms/simulator-pkce-oauth.ts';
import { startLinkedInSimulator, type LinkedInSimulator, type LinkedInSimulatorOptions } from '../../../../electron/platforms/linkedin/simulator.ts';
import { assertLoopback, manualClock, MiB } from '../../../support/platform-driver.ts';

let sim: LinkedInSimulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: LinkedInSimulatorOptions = {}): Promise<LinkedInSimulator> {
  sim = await startLinkedInSimulator(options);
  assertLoopback(sim.origin);
  return sim;
}

const REST = { 'LinkedIn-Version': '202605', 'X-Restli-Protocol-Version': '2.0.0' };

async function call(s: LinkedInSimulator, method: string, pathOrUrl: string, init: { token?: string; json?: unknown; headers?: Record<string, string>; bytes?: Buffer } = {}) {
  const headers: Record<string, string> = { ...REST, ...init.headers };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  let body: string | Blob | undefined;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.bytes) {
    headers['Content-Type'] = 'application/octet-stream';
    body = new Blob([new Uint8Array(init.bytes)]);
  }
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${s.origin}${pathOrUrl}`;
  assertLoopback(url);
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const raw = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read by shape in the assertions
  return { status: res.status, headers: res.headers, body: (raw ? JSON.parse(raw) : null) as Record<string, any> };
}

describe('LinkedIn simulator: versions and auth (§7.1)', () => {
  it('refuses a call without a version, with a sunset version, or without Rest.li 2.0.0', async () => {
    const s = await start({ clock: manualClock(Date.UTC(2026, 10, 20)) });
    const token = s.issueTokens().access_token;
    const find = `${LINKEDIN_PATHS.posts}?q=author&author=${encodeURIComponent(s.organizations()[0]!.urn)}`;
    expect((await call(s, 'GET', find, { token, headers: { 'LinkedIn-Version': '' } })).body).toMatchObject({ status: 400, code: 'VERSION_MISSING' });
    expect((await call(s, 'GET', find, { token, headers: { 'LinkedIn-Version': '202506' } })).body).toEqual({ status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 202506 is not active' });
    // Not yet released either.
    expect((await call(s, 'GET', find, { token, headers: { 'LinkedIn-Version': '202612' } })).status).toBe(426);
    expect((await call(s, 'GET', find, { token, headers: { 'X-Restli-Protocol-Version': '1.0.0' } })).status).toBe(400);
    expect((await call(s, 'GET', find, { token, headers: { 'LinkedIn-Version': '202512' } })).status).toBe(200);
  });

  it('answers 401 for an unknown token and 403 without the organisation scope or for a non-admin', async () => {
    const s = await start({ organizations: [{}, { admins: ['someone-else'] }] });
    const [mine, theirs] = s.organizations();
    const init = (owner: string) => ({ initializeUploadRequest: { owner } });
    expect((await call(s, 'POST', `${LINKEDIN_PATHS.images}?action=initializeUpload`, { token: 'nope', json: init(mine!.urn) })).body).toMatchObject({ status: 401, serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN' });
    const readOnly = s.issueTokens(['r_organization_social']).access_token;
    expect((await call(s, 'POST', `${LINKEDIN_PATHS.images}?action=initializeUpload`, { token: readOnly, json: init(mine!.urn) })).body).toMatchObject({ status: 403, code: 'ACCESS_DENIED' });
    const token = s.issueTokens().access_token;
    expect((await call(s, 'POST', `${LINKEDIN_PATHS.images}?action=initializeUpload`, { token, json: init(theirs!.urn) })).status).toBe(403);
    expect((await call(s, 'POST', `${LINKEDIN_PATHS.images}?action=initializeUpload`, { token, json: init(mine!.urn) })).status).toBe(200);
  });
});

describe('LinkedIn simulator: native-app OAuth with PKCE (§7.1)', () => {
  async function signIn(s: LinkedInSimulator) {
    const verifier = randomBytes(32).toString('base64url');
    const redirect = 'http://127.0.0.1:53682/';
    const url = new URL(`${s.origin}${LINKEDIN_PATHS.authorize}`);
    url.search = new URLSearchParams({ response_type: 'code', client_id: s.clientId, redirect_uri: redirect, scope: 'w_organization_social r_organization_social', state: 'st', code_challenge: pkceS256(verifier), code_challenge_method: 'S256' }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: s.clientId, client_secret: s.clientSecret, code_verifier: verifier };
    const token = await fetch(`${s.origin}${LINKEDIN_PATHS.token}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    expect(token.status).toBe(200);
    return (await token.json()) as Record<string, unknown>;
  }

  it('signs in on any loopback port and gives a 60-day token, with no refresh token unless the app is a partner', async () => {
    const s = await start();
    const token = await signIn(s);
    expect(token).toMatchObject({ expires_in: 60 * 24 * 60 * 60, scope: 'w_organization_social r_organization_social' });
    expect(token.refresh_token).toBeUndefined();
    const find = `${LINKEDIN_PATHS.posts}?q=author&author=${encodeURIComponent(s.organizations()[0]!.urn)}`;
    expect((await call(s, 'GET', find, { token: token.access_token as string })).status).toBe(200);
  });

  it('gives partner apps a refresh token', async () => {
    await sim?.stop();
    const s = await start({ refreshTokens: true });
    expect((await signIn(s)).refresh_token).toEqual(expect.any(String));
  });
});

describe('LinkedIn simulator: video upload and post (§7.2, §7.3)', () => {
  it('cuts 4 MiB parts, wants the ETags in order at finalize, processes, and posts with the id in x-restli-id', async () => {
    const s = await start({ processingPolls: 1 });
    const token = s.issueTokens().access_token;
    const owner = s.organizations()[0]!.urn;
    const size = 9 * MiB + 10;
    const file = Buffer.alloc(size, 7);
    const init = await call(s, 'POST', `${LINKEDIN_PATHS.videos}?action=initializeUpload`, { token, json: { initializeUploadRequest: { owner, fileSizeBytes: size, uploadCaptions: false, uploadThumbnail: false } } });
    expect(init.status).toBe(200);
    const { video, uploadToken, uploadInstructions } = init.body.value;
    expect(uploadInstructions.map((i: { firstByte: number; lastByte: number }) => [i.firstByte, i.lastByte])).toEqual([[0, 4 * MiB - 1], [4 * MiB, 8 * MiB - 1], [8 * MiB, size - 1]]);

    // A part of the wrong length is refused.
    expect((await call(s, 'PUT', uploadInstructions[0].uploadUrl, { bytes: file.subarray(0, 10) })).status).toBe(400);
    const etags: string[] = [];
    for (const i of uploadInstructions) {
      const put = await call(s, 'PUT', i.uploadUrl, { bytes: file.subarray(i.firstByte, i.lastByte + 1) });
      expect(put.status).toBe(200);
      expect(put.headers.get('etag')).toMatch(/^"[^"]+"$/);
      etags.push(put.headers.get('etag')!.slice(1, -1));
    }
    // Not yet finalized: a post with the video is refused.
    const post = { author: owner, commentary: 'Hello', visibility: 'PUBLIC', distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] }, content: { media: { id: video } }, lifecycleState: 'PUBLISHED', isReshareDisabledByAuthor: false };
    expect((await call(s, 'POST', LINKEDIN_PATHS.posts, { token, json: post })).status).toBe(422);
    const finalize = (ids: string[]) => call(s, 'POST', `${LINKEDIN_PATHS.videos}?action=finalizeUpload`, { token, json: { finalizeUploadRequest: { video, uploadToken, uploadedPartIds: ids } } });
    expect((await finalize([...etags].reverse())).status).toBe(400);
    expect((await finalize(etags)).status).toBe(200);
    expect((await call(s, 'GET', LINKEDIN_PATHS.video(video), { token })).body).toMatchObject({ id: video, status: 'PROCESSING' });
    expect((await call(s, 'GET', LINKEDIN_PATHS.video(video), { token })).body).toMatchObject({ id: video, status: 'AVAILABLE', owner });

    const created = await call(s, 'POST', LINKEDIN_PATHS.posts, { token, json: post });
    expect(created.status).toBe(201);
    expect(created.body).toBeNull();
    const id = created.headers.get('x-restli-id');
    expect(id).toMatch(/^urn:li:share:\d+$/);
    const found = await call(s, 'GET', `${LINKEDIN_PATHS.posts}?q=author&author=${encodeURIComponent(owner)}&count=10&sortBy=LAST_MODIFIED`, { token });
    expect(found.body.elements).toEqual([expect.objectContaining({ id, author: owner, commentary: 'Hello', content: { media: { id: video } } })]);
    expect(s.videos()[0]).toMatchObject({ urn: video, sizeBytes: size, status: 'AVAILABLE' });
  });

  it('refuses commentary over 3000 characters (400 FIELD_LENGTH_TOO_LONG) and a post without text or media (422)', async () => {
    const s = await start();
    const token = s.issueTokens().access_token;
    const owner = s.organizations()[0]!.urn;
    const post = (commentary: string) => ({ author: owner, commentary, visibility: 'PUBLIC', distribution: { feedDistribution: 'MAIN_FEED' }, lifecycleState: 'PUBLISHED' });
    expect((await call(s, 'POST', LINKEDIN_PATHS.posts, { token, json: post('a'.repeat(3001)) })).body).toMatchObject({ status: 400, code: 'FIELD_LENGTH_TOO_LONG' });
    // Escaped reserved characters count once.
    expect((await call(s, 'POST', LINKEDIN_PATHS.posts, { token, json: post('\\#'.repeat(3000)) })).status).toBe(201);
    expect((await call(s, 'POST', LINKEDIN_PATHS.posts, { token, json: post('  ') })).status).toBe(422);
  });

  it('answers 429 once the day\'s posts are used up', async () => {
    const s = await start({ postsPerDay: 1 });
    const token = s.issueTokens().access_token;
    const post = { author: s.organizations()[0]!.urn, commentary: 'One', visibility: 'PUBLIC', distribution: { feedDistribution: 'MAIN_FEED' }, lifecycleState: 'PUBLISHED' };
    expect((await call(s, 'POST', LINKEDIN_PATHS.posts, { token, json: post })).status).toBe(201);
    expect((await call(s, 'POST', LINKEDIN_PATHS.posts, { token, json: post })).body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
  });
});
