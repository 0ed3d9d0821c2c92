// The X simulator driven over plain HTTP the way §2 describes, to hold it to the protocol: the
// OAuth code flow with S256 PKCE and rotating refresh tokens, the media state machine and its
// refusals, alt text through media metadata, and the RFC 7807 problems. 127.0.0.1 only.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { pkceS256 } from '../../../../electron/platforms/simulator-pkce-oauth.ts';
import { X_PATHS } from '../../../../electron/platforms/x/protocol.ts';
import { startXSimulator, type XSimulator, type XSimulatorOptions } from '../../../../electron/platforms/x/simulator.ts';
import { assertLoopback, manualClock } from '../../../support/platform-driver.ts';

let sim: XSimulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: XSimulatorOptions = {}): Promise<XSimulator> {
  sim = await startXSimulator(options);
  assertLoopback(sim.origin);
  return sim;
}

async function call(s: XSimulator, method: string, path: string, init: { token?: string; json?: unknown; form?: Record<string, string>; body?: FormData; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  let body: string | FormData | undefined;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.body) {
    body = init.body;
  }
  const res = await fetch(`${s.origin}${path}`, { method, headers, ...(body === undefined ? {} : { body }), redirect: 'manual' });
  const raw = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read by shape in the assertions
  return { status: res.status, headers: res.headers, body: (raw ? JSON.parse(raw) : null) as Record<string, any> };
}

function segment(index: number, bytes: Buffer): FormData {
  const form = new FormData();
  form.append('segment_index', String(index));
  form.append('media', new Blob([new Uint8Array(bytes)]), 'blob');
  return form;
}

async function authorize(s: XSimulator, verifier: string, scope = 'tweet.read tweet.write users.read media.write offline.access') {
  const url = new URL(`${s.origin}${X_PATHS.authorize}`);
  url.search = new URLSearchParams({ response_type: 'code', client_id: s.clientId, redirect_uri: s.redirectUris[0]!, scope, state: 'st-1', code_challenge: pkceS256(verifier), code_challenge_method: 'S256' }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(location.searchParams.get('state')).toBe('st-1');
  return location.searchParams.get('code')!;
}

describe('X simulator: OAuth 2.0 with PKCE (§2.1)', () => {
  it('computes S256 as RFC 7636 appendix B does', () => {
    expect(pkceS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('exchanges a code for tokens once, with the matching verifier, and rotates refresh tokens', async () => {
    const s = await start();
    const verifier = randomBytes(32).toString('base64url');
    const code = await authorize(s, verifier);
    const wrong = await call(s, 'POST', X_PATHS.token, { form: { grant_type: 'authorization_code', code, client_id: s.clientId, redirect_uri: s.redirectUris[0]!, code_verifier: randomBytes(32).toString('base64url') } });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const token = await call(s, 'POST', X_PATHS.token, { form: { grant_type: 'authorization_code', code, client_id: s.clientId, redirect_uri: s.redirectUris[0]!, code_verifier: verifier } });
    expect(token).toMatchObject({ status: 200, body: { token_type: 'bearer', expires_in: 7200, scope: 'tweet.read tweet.write users.read media.write offline.access' } });
    expect((await call(s, 'GET', X_PATHS.me, { token: token.body.access_token })).body.data).toMatchObject({ username: 'citycouncil' });

    const refreshed = await call(s, 'POST', X_PATHS.token, { form: { grant_type: 'refresh_token', refresh_token: token.body.refresh_token, client_id: s.clientId } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(token.body.refresh_token);
    const again = await call(s, 'POST', X_PATHS.token, { form: { grant_type: 'refresh_token', refresh_token: token.body.refresh_token, client_id: s.clientId } });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    await call(s, 'POST', X_PATHS.revoke, { form: { token: refreshed.body.access_token, client_id: s.clientId } });
    expect((await call(s, 'GET', X_PATHS.me, { token: refreshed.body.access_token })).status).toBe(401);
  });

  it('lets a code live 30 seconds, gives no refresh token without offline.access, and refuses plain PKCE', async () => {
    const clock = manualClock();
    const s = await start({ clock });
    const verifier = randomBytes(32).toString('base64url');
    const late = await authorize(s, verifier);
    clock.advance(31_000);
    expect((await call(s, 'POST', X_PATHS.token, { form: { grant_type: 'authorization_code', code: late, client_id: s.clientId, redirect_uri: s.redirectUris[0]!, code_verifier: verifier } })).status).toBe(400);
    const code = await authorize(s, verifier, 'tweet.read users.read');
    const token = await call(s, 'POST', X_PATHS.token, { form: { grant_type: 'authorization_code', code, client_id: s.clientId, redirect_uri: s.redirectUris[0]!, code_verifier: verifier } });
    expect(token.status).toBe(200);
    expect(token.body.refresh_token).toBeUndefined();
    const plain = await fetch(`${s.origin}${X_PATHS.authorize}?${new URLSearchParams({ response_type: 'code', client_id: s.clientId, redirect_uri: s.redirectUris[0]!, scope: 'tweet.read', code_challenge: verifier, code_challenge_method: 'plain' })}`, { redirect: 'manual' });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });
});

describe('X simulator: public and confidential clients (§2.1)', () => {
  const basic = (id: string, secret: string) => ({ Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

  it('takes a public client by client_id in the body, and refuses one that sends a secret', async () => {
    const s = await start();
    expect(s.clientSecret).toBeNull();
    const verifier = randomBytes(32).toString('base64url');
    const code = await authorize(s, verifier);
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: s.redirectUris[0]!, code_verifier: verifier };
    expect(await call(s, 'POST', X_PATHS.token, { form: exchange, headers: basic(s.clientId, 'made-up-secret') })).toMatchObject({ status: 401, body: { error: 'unauthorized_client' } });
    expect(await call(s, 'POST', X_PATHS.token, { form: { ...exchange, client_id: s.clientId, client_secret: 'made-up-secret' } })).toMatchObject({ status: 401, body: { error: 'unauthorized_client' } });
    expect(await call(s, 'POST', X_PATHS.token, { form: exchange })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const token = await call(s, 'POST', X_PATHS.token, { form: { ...exchange, client_id: s.clientId } });
    expect(token.status).toBe(200);
    const refresh = { grant_type: 'refresh_token', refresh_token: token.body.refresh_token };
    expect((await call(s, 'POST', X_PATHS.token, { form: refresh, headers: basic(s.clientId, 'made-up-secret') })).status).toBe(401);
    const refreshed = await call(s, 'POST', X_PATHS.token, { form: { ...refresh, client_id: s.clientId } });
    expect(refreshed.status).toBe(200);
    // Revoke wants the client too, the same way.
    expect((await call(s, 'POST', X_PATHS.revoke, { form: { token: refreshed.body.access_token } })).status).toBe(401);
    expect((await call(s, 'POST', X_PATHS.revoke, { form: { token: refreshed.body.access_token }, headers: basic(s.clientId, 'made-up-secret') })).status).toBe(401);
    expect((await call(s, 'GET', X_PATHS.me, { token: refreshed.body.access_token })).status).toBe(200);
    expect((await call(s, 'POST', X_PATHS.revoke, { form: { token: refreshed.body.access_token, client_id: s.clientId } })).status).toBe(200);
    expect((await call(s, 'GET', X_PATHS.me, { token: refreshed.body.access_token })).status).toBe(401);
  });

  it('wants HTTP Basic from a confidential client, as X does ("Missing valid authorization header"), and the right secret in it', async () => {
    const s = await start({ clientSecret: 'x-sim-secret-5d1e' });
    const verifier = randomBytes(32).toString('base64url');
    const code = await authorize(s, verifier);
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: s.redirectUris[0]!, code_verifier: verifier };
    expect(await call(s, 'POST', X_PATHS.token, { form: { ...exchange, client_id: s.clientId } })).toMatchObject({ status: 401, body: { error: 'unauthorized_client', error_description: 'Missing valid authorization header' } });
    expect(await call(s, 'POST', X_PATHS.token, { form: { ...exchange, client_id: s.clientId, client_secret: 'x-sim-secret-5d1e' } })).toMatchObject({ status: 401, body: { error: 'unauthorized_client' } });
    expect(await call(s, 'POST', X_PATHS.token, { form: exchange, headers: basic(s.clientId, 'wrong') })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const token = await call(s, 'POST', X_PATHS.token, { form: exchange, headers: basic(s.clientId, 'x-sim-secret-5d1e') });
    expect(token.status).toBe(200);
    expect((await call(s, 'POST', X_PATHS.revoke, { form: { token: token.body.access_token, client_id: s.clientId } })).status).toBe(401);
    expect((await call(s, 'POST', X_PATHS.revoke, { form: { token: token.body.access_token }, headers: basic(s.clientId, 'x-sim-secret-5d1e') })).status).toBe(200);
    expect((await call(s, 'GET', X_PATHS.me, { token: token.body.access_token })).status).toBe(401);
  });
});

describe('X simulator: media and posts (§2.2–§2.4)', () => {
  it('walks initialize → append → finalize → STATUS pending, in_progress, succeeded, then posts with the media', async () => {
    const s = await start({ processingPolls: 1, checkAfterSecs: 2 });
    const token = s.issueTokens().access_token;
    const init = await call(s, 'POST', X_PATHS.mediaInitialize, { token, json: { media_type: 'video/mp4', total_bytes: 3000, media_category: 'tweet_video' } });
    expect(init.body.data).toMatchObject({ id: expect.stringMatching(/^\d{19}$/), media_key: expect.stringMatching(/^7_\d{19}$/), expires_after_secs: 1295999 });
    const id = init.body.data.id as string;
    expect((await call(s, 'POST', X_PATHS.mediaAppend(id), { token, body: segment(0, Buffer.alloc(1000, 1)) })).body.data.expires_at).toEqual(expect.any(Number));
    // Finalizing with bytes missing is refused.
    expect((await call(s, 'POST', X_PATHS.mediaFinalize(id), { token })).status).toBe(400);
    await call(s, 'POST', X_PATHS.mediaAppend(id), { token, body: segment(1, Buffer.alloc(2000, 2)) });
    const fin = await call(s, 'POST', X_PATHS.mediaFinalize(id), { token });
    expect(fin.body.data).toMatchObject({ id, size: 3000, processing_info: { state: 'pending', check_after_secs: 2 } });
    // A post cannot use media still processing.
    expect((await call(s, 'POST', X_PATHS.tweets, { token, json: { text: 'Too soon', media: { media_ids: [id] } } })).status).toBe(400);
    const status = async () => (await call(s, 'GET', `${X_PATHS.mediaStatus}?command=STATUS&media_id=${id}`, { token })).body.data.processing_info.state as string;
    expect([await status(), await status()]).toEqual(['in_progress', 'succeeded']);
    const post = await call(s, 'POST', X_PATHS.tweets, { token, json: { text: 'Ferry video', media: { media_ids: [id] } } });
    expect(post).toMatchObject({ status: 201, body: { data: { text: 'Ferry video', edit_history_tweet_ids: [post.body.data.id] } } });
    const listed = await call(s, 'GET', `${X_PATHS.userTweets(s.accounts()[0]!.id)}?max_results=5&tweet.fields=attachments`, { token });
    expect(listed.body).toMatchObject({ data: [{ id: post.body.data.id, attachments: { media_keys: [init.body.data.media_key] } }], meta: { result_count: 1 } });
  });

  it('answers with RFC 7807 problems: bad segment index, unknown media, 401, duplicate content, 429 with x-rate-limit-reset', async () => {
    const s = await start();
    const token = s.issueTokens().access_token;
    const init = await call(s, 'POST', X_PATHS.mediaInitialize, { token, json: { media_type: 'image/png', total_bytes: 10, media_category: 'tweet_image' } });
    const bad = await call(s, 'POST', X_PATHS.mediaAppend(init.body.data.id), { token, body: segment(1000, Buffer.alloc(10)) });
    expect(bad.body).toMatchObject({ title: 'Invalid Request', type: 'https://api.twitter.com/2/problems/invalid-request' });
    expect((await call(s, 'GET', `${X_PATHS.mediaStatus}?command=STATUS&media_id=123`, { token })).body).toMatchObject({ status: 404, type: 'https://api.twitter.com/2/problems/resource-not-found' });
    expect((await call(s, 'GET', X_PATHS.me, { token: 'nope' })).body).toEqual({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    expect((await call(s, 'POST', X_PATHS.mediaInitialize, { token, json: { media_type: 'image/png', total_bytes: 10, extra: 1 } })).status).toBe(400);
    await call(s, 'POST', X_PATHS.tweets, { token, json: { text: 'Hello harbour' } });
    expect((await call(s, 'POST', X_PATHS.tweets, { token, json: { text: 'Hello harbour' } })).body).toEqual({ detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 });
    s.injectFault({ kind: 'rate-limit', endpoint: 'me', resetSeconds: 90 });
    const limited = await call(s, 'GET', X_PATHS.me, { token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('x-rate-limit-reset')) - Math.ceil(Date.now() / 1000)).toBeGreaterThanOrEqual(88);
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
  });
});

describe('X simulator: media metadata (alt text)', () => {
  async function upload(s: XSimulator, token: string, media_type: string, media_category: string) {
    const id = (await call(s, 'POST', X_PATHS.mediaInitialize, { token, json: { media_type, total_bytes: 100, media_category } })).body.data.id as string;
    await call(s, 'POST', X_PATHS.mediaAppend(id), { token, body: segment(0, Buffer.alloc(100, 7)) });
    return id;
  }
  const describeMedia = (s: XSimulator, token: string, id: string, text: string) => call(s, 'POST', X_PATHS.mediaMetadata, { token, json: { id, metadata: { alt_text: { text } } } });

  it('sets a finished photo\'s alt text, answers with it, and shows it with the post', async () => {
    const s = await start();
    const token = s.issueTokens().access_token;
    const id = await upload(s, token, 'image/jpeg', 'tweet_image');
    // Not before the upload has finished.
    expect((await describeMedia(s, token, id, 'Too soon')).body).toMatchObject({ status: 400, type: 'https://api.twitter.com/2/problems/invalid-request' });
    await call(s, 'POST', X_PATHS.mediaFinalize(id), { token });
    const set = await describeMedia(s, token, id, 'A red ferry at the pier');
    expect(set).toMatchObject({ status: 200, body: { data: { associated_metadata: { alt_text: { text: 'A red ferry at the pier' } } } } });
    // Setting it again replaces it.
    expect((await describeMedia(s, token, id, 'A red ferry at the north pier')).status).toBe(200);
    const other = await upload(s, token, 'image/png', 'tweet_image');
    await call(s, 'POST', X_PATHS.mediaFinalize(other), { token });
    await call(s, 'POST', X_PATHS.tweets, { token, json: { text: 'Ferries', media: { media_ids: [id, other] } } });
    expect(s.feed()[0]!.media.map((m) => m.altText)).toEqual(['A red ferry at the north pier', null]);
  });

  it('takes at most 1000 characters (counted as code points), and refuses a video, an unknown or another account\'s media, a missing token and a token without media.write', async () => {
    const s = await start({ processingPolls: 0, accounts: [{}, {}] });
    const [me, them] = s.accounts();
    const token = s.issueTokens(me!.id).access_token;
    const photo = await upload(s, token, 'image/jpeg', 'tweet_image');
    await call(s, 'POST', X_PATHS.mediaFinalize(photo), { token });
    expect((await describeMedia(s, token, photo, 'd'.repeat(1001))).status).toBe(400);
    expect((await describeMedia(s, token, photo, '🌊'.repeat(1000))).status).toBe(200);

    const video = await upload(s, token, 'video/mp4', 'tweet_video');
    await call(s, 'POST', X_PATHS.mediaFinalize(video), { token });
    await call(s, 'GET', `${X_PATHS.mediaStatus}?command=STATUS&media_id=${video}`, { token });
    expect((await describeMedia(s, token, video, 'Ferry video')).body).toMatchObject({ status: 400, errors: [{ message: 'Metadata is only supported for images and GIFs.' }] });

    expect((await describeMedia(s, token, '1234567890123456789', 'x')).body).toMatchObject({ status: 404, type: 'https://api.twitter.com/2/problems/resource-not-found' });
    expect((await describeMedia(s, s.issueTokens(them!.id).access_token, photo, 'x')).status).toBe(404);
    expect((await describeMedia(s, 'nope', photo, 'x')).status).toBe(401);
    const noMedia = s.issueTokens(me!.id, ['tweet.read', 'tweet.write', 'users.read', 'offline.access']).access_token;
    expect((await describeMedia(s, noMedia, photo, 'x')).body).toMatchObject({ status: 403, detail: 'Missing scopes: media.write', type: 'https://api.twitter.com/2/problems/client-forbidden' });
    expect((await call(s, 'POST', X_PATHS.mediaMetadata, { token, json: { media_id: photo, alt_text: { text: 'v1.1 shape' } } })).status).toBe(400);
  });

  it('serves faults on demand: a server error, then a refusal', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'metadata' }, { kind: 'invalid-request', endpoint: 'metadata', message: 'No.' }] });
    const token = s.issueTokens().access_token;
    const id = await upload(s, token, 'image/jpeg', 'tweet_image');
    await call(s, 'POST', X_PATHS.mediaFinalize(id), { token });
    expect((await describeMedia(s, token, id, 'Pier')).status).toBe(503);
    expect((await describeMedia(s, token, id, 'Pier')).body).toMatchObject({ status: 400, errors: [{ message: 'No.' }] });
    expect((await describeMedia(s, token, id, 'Pier')).status).toBe(200);
  });
});
