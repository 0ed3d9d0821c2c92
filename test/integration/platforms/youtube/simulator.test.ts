// The YouTube simulator driven over plain HTTP the way §5 describes, to hold it to the protocol:
// Google OAuth with PKCE and loopback redirects on any port, the resumable session (Location,
// 308 with Range, `bytes */TOTAL`, 256 KiB multiples, gaps that upload nothing, the final video
// again on a finished session), videos.list, and Google's error envelope. 127.0.0.1 only.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { pkceS256 } from '../../../../electron/platforms/simulator-pkce-oauth.ts';
import { YOUTUBE_PATHS } from '../../../../electron/platforms/youtube/protocol.ts';
import { startYouTubeSimulator, type YouTubeSimulator, type YouTubeSimulatorOptions } from '../../../../electron/platforms/youtube/simulator.ts';
import { assertLoopback } from '../../../support/platform-driver.ts';

let sim: YouTubeSimulator | undefined;
const KiB256 = 256 * 1024;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: YouTubeSimulatorOptions = {}): Promise<YouTubeSimulator> {
  sim = await startYouTubeSimulator(options);
  assertLoopback(sim.origin);
  return sim;
}

async function startSession(s: YouTubeSimulator, token: string, total: number, metadata: unknown = { snippet: { title: 'Ferry', description: 'New times' }, status: { privacyStatus: 'private' } }) {
  const res = await fetch(`${s.origin}${YOUTUBE_PATHS.upload}?uploadType=resumable&part=snippet,status`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=UTF-8', 'X-Upload-Content-Length': String(total), 'X-Upload-Content-Type': 'video/mp4' },
    body: JSON.stringify(metadata),
  });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

async function put(uri: string, range: string, bytes?: Buffer) {
  const res = await fetch(uri, { method: 'PUT', headers: { 'Content-Range': range, 'Content-Type': 'video/mp4' }, body: bytes ? new Uint8Array(bytes) : new Uint8Array(0) });
  const raw = await res.text();
  return { status: res.status, range: res.headers.get('range'), body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null };
}

describe('YouTube simulator: Google OAuth (§5.1)', () => {
  it('accepts a loopback redirect on any port, checks the PKCE verifier, and keeps the refresh token on refresh', async () => {
    const s = await start();
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = 'http://127.0.0.1:49152';
    const url = new URL(`${s.origin}${YOUTUBE_PATHS.authorize}`);
    url.search = new URLSearchParams({ response_type: 'code', client_id: s.clientId, redirect_uri: redirectUri, scope: 'https://www.googleapis.com/auth/youtube.upload', access_type: 'offline', state: 'st', code_challenge: pkceS256(verifier), code_challenge_method: 'S256' }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(redirectUri);
    const form = (extra: Record<string, string>) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: s.clientId, client_secret: s.clientSecret, ...extra }).toString() });
    const token = (await (await fetch(`${s.origin}${YOUTUBE_PATHS.token}`, form({ grant_type: 'authorization_code', code: location.searchParams.get('code')!, redirect_uri: redirectUri, code_verifier: verifier }))).json()) as Record<string, string>;
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'https://www.googleapis.com/auth/youtube.upload', refresh_token: expect.any(String) });
    const refreshed = (await (await fetch(`${s.origin}${YOUTUBE_PATHS.token}`, form({ grant_type: 'refresh_token', refresh_token: token.refresh_token! }))).json()) as Record<string, string>;
    expect(refreshed.refresh_token).toBeUndefined();
    expect(refreshed.access_token).not.toBe(token.access_token);
    // Google does not rotate: the same refresh token works again.
    expect((await fetch(`${s.origin}${YOUTUBE_PATHS.token}`, form({ grant_type: 'refresh_token', refresh_token: token.refresh_token! }))).status).toBe(200);
    // Another host is not a loopback redirect.
    url.searchParams.set('redirect_uri', 'http://example.org:49152');
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(400);
  });
});

describe('YouTube simulator: channels.list (§5.1)', () => {
  it('names the token\'s own channel with mine=true, and wants youtube.readonly for it', async () => {
    const s = await start({ channels: [{ id: 'UCfirst0000000000000000001', title: 'City Council', customUrl: '@citycouncil' }, { id: 'UCsecond000000000000000002', title: 'Library' }] });
    const list = (token: string, query = 'part=snippet&mine=true') => fetch(`${s.origin}${YOUTUBE_PATHS.channels}?${query}`, { headers: { Authorization: `Bearer ${token}` } });
    const token = s.issueTokens('UCsecond000000000000000002').access_token;
    const mine = await list(token);
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ kind: 'youtube#channelListResponse', pageInfo: { totalResults: 1 }, items: [{ kind: 'youtube#channel', id: 'UCsecond000000000000000002', snippet: { title: 'Library' } }] });
    const first = (await (await list(s.issueTokens('UCfirst0000000000000000001').access_token)).json()) as { items: { snippet: { customUrl?: string } }[] };
    expect(first.items[0]!.snippet.customUrl).toBe('@citycouncil');
    expect(await (await list(token, 'part=snippet')).json()).toMatchObject({ error: { code: 400, errors: [{ reason: 'missingRequiredParameter' }] } });
    const uploadOnly = s.issueTokens('UCfirst0000000000000000001', ['https://www.googleapis.com/auth/youtube.upload']).access_token;
    expect(await (await list(uploadOnly)).json()).toMatchObject({ error: { code: 403, errors: [{ reason: 'insufficientPermissions' }] } });
    expect((await list('not-a-token')).status).toBe(401);
  });
});

describe('YouTube simulator: resumable upload (§5.2)', () => {
  it('answers 308 with Range per chunk, no Range before any byte, and the video at the end and again after', async () => {
    const s = await start();
    const token = s.issueTokens().access_token;
    const file = randomBytes(2 * KiB256 + 1000);
    const session = await startSession(s, token, file.length);
    expect(session).toMatchObject({ status: 200, body: '' });
    const uri = session.location!;
    expect(new URL(uri).searchParams.get('upload_id')).toBeTruthy();
    expect(await put(uri, `bytes */${file.length}`)).toMatchObject({ status: 308, range: null });
    // Not a multiple of 256 KiB, and not the last chunk: refused.
    expect((await put(uri, `bytes 0-999/${file.length}`, file.subarray(0, 1000))).status).toBe(400);
    expect(await put(uri, `bytes 0-${KiB256 - 1}/${file.length}`, file.subarray(0, KiB256))).toMatchObject({ status: 308, range: `bytes=0-${KiB256 - 1}` });
    // A gap uploads nothing; the answer says where to go on.
    const gap = await put(uri, `bytes ${2 * KiB256}-${file.length - 1}/${file.length}`, file.subarray(2 * KiB256));
    expect(gap).toMatchObject({ status: 308, range: `bytes=0-${KiB256 - 1}` });
    const done = await put(uri, `bytes ${KiB256}-${file.length - 1}/${file.length}`, file.subarray(KiB256));
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ kind: 'youtube#video', snippet: { title: 'Ferry', description: 'New times', categoryId: '22' }, status: { uploadStatus: 'uploaded', privacyStatus: 'private' } });
    expect(s.feed()[0]!.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    const again = await put(uri, `bytes */${file.length}`);
    expect(again).toMatchObject({ status: 201, body: { id: done.body!.id } });

    const listed = await fetch(`${s.origin}${YOUTUBE_PATHS.videos}?part=status&id=${done.body!.id as string}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(await listed.json()).toMatchObject({ kind: 'youtube#videoListResponse', items: [{ id: done.body!.id }], pageInfo: { totalResults: 1 } });
  });

  it('keeps whole 256 KiB steps of a chunk cut off mid-way, and 404s an expired session', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'chunk' }] });
    const token = s.issueTokens().access_token;
    const file = randomBytes(4 * KiB256);
    const uri = (await startSession(s, token, file.length)).location!;
    await expect(put(uri, `bytes 0-${file.length - 1}/${file.length}`, file)).rejects.toThrow();
    expect(await put(uri, `bytes */${file.length}`)).toMatchObject({ status: 308, range: `bytes=0-${2 * KiB256 - 1}` });
    s.injectFault({ kind: 'session-expired', endpoint: 'query' });
    expect(await put(uri, `bytes */${file.length}`)).toMatchObject({ status: 404, body: { error: { code: 404, errors: [{ reason: 'notFound' }] } } });
  });

  it('speaks Google\'s error envelope: invalid title, quotaExceeded, uploadLimitExceeded, authError', async () => {
    const s = await start({ insertsPerDay: 1 });
    const token = s.issueTokens().access_token;
    expect(JSON.parse((await startSession(s, token, 10, { snippet: { title: 'a <b>' }, status: {} })).body)).toMatchObject({ error: { code: 400, errors: [{ reason: 'invalidTitle' }] } });
    expect((await startSession(s, token, 10)).status).toBe(200);
    expect(JSON.parse((await startSession(s, token, 10)).body)).toMatchObject({ error: { code: 403, errors: [{ reason: 'quotaExceeded', domain: 'youtube.quota' }] } });
    s.injectFault({ kind: 'upload-limit-exceeded', endpoint: 'start' });
    expect(JSON.parse((await startSession(s, token, 10)).body)).toMatchObject({ error: { code: 400, errors: [{ reason: 'uploadLimitExceeded' }] } });
    expect(JSON.parse((await startSession(s, 'expired', 10)).body)).toMatchObject({ error: { code: 401, errors: [{ reason: 'authError' }] } });
  });
});
