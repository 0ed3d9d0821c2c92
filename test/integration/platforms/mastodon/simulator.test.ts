// The Mastodon simulator spoken to with plain fetch, as any client would: app registration and
// OAuth with PKCE, instance configuration, async media processing, statuses and their
// Idempotency-Key, Mastodon's error shapes, rate limits and the faults tests ask for.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mastodonCodeChallenge, MASTODON_PATHS } from '../../../../electron/platforms/mastodon/mastodon-protocol.ts';
import { startMastodonSimulator, type MastodonSimulator, type MastodonSimulatorOptions } from '../../../../electron/platforms/mastodon/simulator.ts';
import { plainPhoto } from '../../../support/image-fixtures.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';
import { call, connectAccount, manualClock, postStatus, uploadMedia } from './driver.ts';

let dir: string;
let photo: Buffer;
let png: Buffer;
let video: Buffer;
let sim: MastodonSimulator | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-mastodon-sim-'));
  await plainPhoto(join(dir, 'photo.jpg'), 'jpeg', 640, 400);
  await plainPhoto(join(dir, 'photo.png'), 'png', 64, 48);
  photo = await readFile(join(dir, 'photo.jpg'));
  png = await readFile(join(dir, 'photo.png'));
  video = await readFile(await makeVideo(dir, 'clip', { seconds: 1 }));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: MastodonSimulatorOptions = {}): Promise<MastodonSimulator> {
  sim = await startMastodonSimulator(options);
  expect(new URL(sim.origin).hostname).toBe('127.0.0.1');
  return sim;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const endpoints = (s: MastodonSimulator) => s.requests().map((r) => r.endpoint);

describe('Mastodon simulator: apps and OAuth (§4.1)', () => {
  it('registers a confidential app per instance and hands out a token through the code flow with S256 PKCE', async () => {
    const s = await start();
    const { app, token } = await connectAccount(s);
    expect(app).toMatchObject({ name: 'Airlock', website: 'https://example.org', redirect_uris: ['http://127.0.0.1:53123/callback'], client_secret_expires_at: 0 });
    expect(app.client_id).toMatch(/^[\w-]{30,}$/);
    expect(app.client_secret).toMatch(/^[\w-]{30,}$/);
    expect(app.scopes).toEqual(['profile', 'read:statuses', 'write:media', 'write:statuses']);
    // §4.1: no expires_in, no refresh token.
    expect(Object.keys(token).sort()).toEqual(['access_token', 'created_at', 'scope', 'token_type']);
    expect(token).toMatchObject({ token_type: 'Bearer', scope: 'profile read:statuses write:media write:statuses' });
    const me = await call(s.origin, 'GET', MASTODON_PATHS.verifyCredentials, { token: token.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: s.accounts()[0]!.id, username: 'harbourcity', acct: 'harbourcity', source: { privacy: 'public', language: 'en' } });
  });

  it('takes redirect_uris as an array (4.3+) and refuses a nameless app or a relative redirect with 422 {error}', async () => {
    const s = await start();
    const many = await call(s.origin, 'POST', MASTODON_PATHS.apps, { json: { client_name: 'Airlock', redirect_uris: ['http://127.0.0.1:1/a', 'urn:ietf:wg:oauth:2.0:oob'], scopes: 'write:statuses' } });
    expect(many.status).toBe(200);
    expect(many.body.redirect_uris).toEqual(['http://127.0.0.1:1/a', 'urn:ietf:wg:oauth:2.0:oob']);
    const nameless = await call(s.origin, 'POST', MASTODON_PATHS.apps, { form: { redirect_uris: 'urn:ietf:wg:oauth:2.0:oob' } });
    expect([nameless.status, nameless.body]).toEqual([422, { error: "Validation failed: Application name can't be blank" }]);
    const relative = await call(s.origin, 'POST', MASTODON_PATHS.apps, { form: { client_name: 'x', redirect_uris: '/callback' } });
    expect([relative.status, relative.body.error]).toEqual([422, 'Validation failed: Redirect URI must be an absolute URI.']);
  });

  it('advertises PKCE S256 in its authorization-server metadata', async () => {
    const s = await start();
    const meta = await call(s.origin, 'GET', MASTODON_PATHS.oauthMetadata);
    expect(meta.body).toMatchObject({ code_challenge_methods_supported: ['S256'], token_endpoint: `${s.origin}/oauth/token`, revocation_endpoint: `${s.origin}/oauth/revoke` });
  });

  it('refuses a plain PKCE method, a scope the app never registered, a wrong verifier, a reused code and a wrong secret', async () => {
    const s = await start();
    const redirect = 'http://127.0.0.1:9/cb';
    const app = (await call<Record<string, string>>(s.origin, 'POST', MASTODON_PATHS.apps, { form: { client_name: 'A', redirect_uris: redirect, scopes: 'write:statuses' } })).body;
    const authorize = async (params: Record<string, string>) => {
      const url = new URL(`${s.origin}${MASTODON_PATHS.authorize}`);
      url.search = new URLSearchParams({ response_type: 'code', client_id: app.client_id!, redirect_uri: redirect, scope: 'write:statuses', ...params }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      return { status: res.status, location: res.headers.get('location') ? new URL(res.headers.get('location')!) : null };
    };
    expect((await authorize({ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' })).location?.searchParams.get('error')).toBe('invalid_request');
    expect((await authorize({ scope: 'write:statuses read' })).location?.searchParams.get('error')).toBe('invalid_scope');
    expect((await authorize({ client_id: 'nope' })).status).toBe(401);
    expect((await authorize({ redirect_uri: 'http://127.0.0.1:9/other' })).status).toBe(400);

    const verifier = 'v'.repeat(50);
    const code = (await authorize({ code_challenge: mastodonCodeChallenge(verifier), code_challenge_method: 'S256' })).location!.searchParams.get('code')!;
    const exchange = (extra: Record<string, string>) =>
      call(s.origin, 'POST', MASTODON_PATHS.token, { form: { grant_type: 'authorization_code', code, client_id: app.client_id!, client_secret: app.client_secret!, redirect_uri: redirect, ...extra } });
    expect((await exchange({ code_verifier: 'w'.repeat(50) })).body.error).toBe('invalid_grant');
    expect((await exchange({ code_verifier: verifier, client_secret: 'wrong' })).status).toBe(401);
    const good = await exchange({ code_verifier: verifier });
    expect(good.status).toBe(200);
    expect((await exchange({ code_verifier: verifier })).body.error).toBe('invalid_grant');

    s.signInAs(null);
    const denied = await authorize({});
    expect(denied.location?.searchParams.get('error')).toBe('access_denied');
  });

  it('revokes a token: it then answers 401 "The access token was revoked"; another app may not revoke it', async () => {
    const s = await start();
    const { app, token } = await connectAccount(s);
    const other = (await call<Record<string, string>>(s.origin, 'POST', MASTODON_PATHS.apps, { form: { client_name: 'Other', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob' } })).body;
    const foreign = await call(s.origin, 'POST', MASTODON_PATHS.revoke, { form: { client_id: other.client_id!, client_secret: other.client_secret!, token: token.access_token } });
    expect([foreign.status, foreign.body.error]).toEqual([403, 'unauthorized_client']);
    const revoked = await call(s.origin, 'POST', MASTODON_PATHS.revoke, { form: { client_id: app.client_id!, client_secret: app.client_secret!, token: token.access_token } });
    expect([revoked.status, revoked.body]).toEqual([200, {}]);
    const after = await call(s.origin, 'GET', MASTODON_PATHS.verifyCredentials, { token: token.access_token });
    expect([after.status, after.body]).toEqual([401, { error: 'The access token was revoked' }]);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer realm="Doorkeeper", error="invalid_token"/);
  });

  it('answers 401 for a missing or unknown token and 403 for a token without the scope', async () => {
    const s = await start();
    expect(await call(s.origin, 'GET', MASTODON_PATHS.verifyCredentials)).toMatchObject({ status: 401, body: { error: 'The access token is invalid' } });
    expect(await call(s.origin, 'GET', MASTODON_PATHS.verifyCredentials, { token: 'made-up' })).toMatchObject({ status: 401 });
    const readOnly = s.issueToken(undefined, ['profile']).access_token;
    expect(await postStatus(s.origin, readOnly, { status: 'hi' })).toMatchObject({ status: 403, body: { error: 'This action is outside the authorized scopes' } });
    // `write` covers `write:statuses` (the scope hierarchy).
    expect(await postStatus(s.origin, s.issueToken(undefined, ['write']).access_token, { status: 'hi' })).toMatchObject({ status: 200 });
  });
});

describe('Mastodon simulator: instance (§4.4)', () => {
  it('serves v2 and v1 configuration with the documented defaults, and the instance options override them', async () => {
    const s = await start({ instance: { maxCharacters: 5000, domain: 'social.harbour.example' } });
    const v2 = await call(s.origin, 'GET', MASTODON_PATHS.instanceV2);
    expect(v2.body).toMatchObject({
      domain: 'social.harbour.example',
      configuration: {
        statuses: { max_characters: 5000, max_media_attachments: 4, characters_reserved_per_url: 23 },
        media_attachments: { description_limit: 1500, image_size_limit: 16_777_216, image_matrix_limit: 33_177_600, video_size_limit: 103_809_024, video_frame_rate_limit: 120, video_matrix_limit: 8_294_400 },
      },
    });
    expect((v2.body.configuration as { media_attachments: { supported_mime_types: string[] } }).media_attachments.supported_mime_types).toEqual(expect.arrayContaining(['image/jpeg', 'image/png', 'video/mp4']));
    const v1 = await call(s.origin, 'GET', MASTODON_PATHS.instanceV1);
    expect(v1.body).toMatchObject({ uri: 'social.harbour.example', configuration: { statuses: { max_characters: 5000 } } });
  });
});

describe('Mastodon simulator: media (§4.2)', () => {
  it('processes an image while the upload waits: 200 with url, its description, size and hash', async () => {
    const s = await start();
    const token = s.issueToken().access_token;
    const up = await uploadMedia(s.origin, token, { bytes: photo, contentType: 'image/jpeg', filename: 'IMG_0001.jpg' }, { description: 'Library front door', focus: '0.5,-0.25' });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ type: 'image', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/system\//), description: 'Library front door', meta: { original: { width: 640, height: 400 }, focus: { x: 0.5, y: -0.25 } } });
    expect(s.media()[0]).toMatchObject({ sha256: sha256(photo), sizeBytes: photo.length, state: 'ready', filename: 'IMG_0001.jpg' });
  });

  it('processes a video later: 202 with url null, 206 while polled, then 200; PUT sets the description meanwhile', async () => {
    const s = await start({ processing: { polls: 2 } });
    const token = s.issueToken().access_token;
    const up = await uploadMedia(s.origin, token, { bytes: video, contentType: 'video/mp4' });
    expect(up.status).toBe(202);
    expect(up.body).toMatchObject({ type: 'video', url: null });
    const id = up.body.id as string;
    const put = await call(s.origin, 'PUT', `${MASTODON_PATHS.media}/${id}`, { token, form: { description: 'A walk through the new wing' } });
    expect([put.status, put.body.description]).toEqual([206, 'A walk through the new wing']);
    const polls = [];
    for (let i = 0; i < 3; i++) polls.push((await call(s.origin, 'GET', `${MASTODON_PATHS.media}/${id}`, { token })).status);
    expect(polls).toEqual([206, 206, 200]);
    expect((await call(s.origin, 'GET', `${MASTODON_PATHS.media}/${id}`, { token })).body.url).toMatch(/\.mp4$/);
  });

  it('also ends processing by the clock when configured so', async () => {
    const clock = manualClock();
    const s = await start({ clock, processing: { polls: 0, ms: 30_000 } });
    const token = s.issueToken().access_token;
    const id = (await uploadMedia(s.origin, token, { bytes: video, contentType: 'video/mp4' })).body.id as string;
    expect((await call(s.origin, 'GET', `${MASTODON_PATHS.media}/${id}`, { token })).status).toBe(206);
    clock.advance(30_000);
    expect((await call(s.origin, 'GET', `${MASTODON_PATHS.media}/${id}`, { token })).status).toBe(200);
  });

  it('refuses a type the instance does not take, bytes that are not what they claim, an over-long description and a missing file', async () => {
    const s = await start();
    const token = s.issueToken().access_token;
    const pdf = await uploadMedia(s.origin, token, { bytes: Buffer.from('%PDF-1.7'), contentType: 'application/pdf' });
    expect([pdf.status, pdf.body]).toEqual([422, { error: 'Validation failed: File content type is invalid, File is invalid' }]);
    const fake = await uploadMedia(s.origin, token, { bytes: png, contentType: 'video/mp4' });
    expect([fake.status, fake.body]).toEqual([422, { error: 'File type of uploaded media could not be verified' }]);
    const long = await uploadMedia(s.origin, token, { bytes: png, contentType: 'image/png' }, { description: 'x'.repeat(1501) });
    expect([long.status, long.body.error]).toEqual([422, 'Validation failed: Description is too long (maximum is 1500 characters)']);
    const form = new FormData();
    form.append('description', 'no file');
    expect((await call(s.origin, 'POST', MASTODON_PATHS.mediaV2, { token, body: form })).body).toEqual({ error: "Validation failed: File can't be blank" });
    expect(s.media()).toEqual([]);
  });

  it('keeps to the instance size limits (image_size_limit here lowered to 1 KiB)', async () => {
    const s = await start({ instance: { imageSizeLimit: 1024 } });
    const up = await uploadMedia(s.origin, s.issueToken().access_token, { bytes: photo, contentType: 'image/jpeg' });
    expect(up.status).toBe(422);
    expect(up.body.error).toMatch(/^Validation failed: File file size must be less than/);
  });

  it('shows media only to its owner and only until attached: 404 after', async () => {
    const s = await start({ accounts: [{}, {}] });
    const [a, b] = s.accounts();
    const ta = s.issueToken(a!.id).access_token;
    const tb = s.issueToken(b!.id).access_token;
    const id = (await uploadMedia(s.origin, ta, { bytes: png, contentType: 'image/png' })).body.id as string;
    expect((await call(s.origin, 'GET', `${MASTODON_PATHS.media}/${id}`, { token: tb })).status).toBe(404);
    await postStatus(s.origin, ta, { status: 'with media', media_ids: [id] });
    expect(await call(s.origin, 'GET', `${MASTODON_PATHS.media}/${id}`, { token: ta })).toMatchObject({ status: 404, body: { error: 'Record not found' } });
  });
});

describe('Mastodon simulator: statuses (§4.3)', () => {
  it('posts text with media, visibility, language and a content warning; the feed shows it as sent and as HTML', async () => {
    const s = await start();
    const token = s.issueToken().access_token;
    const id = (await uploadMedia(s.origin, token, { bytes: photo, contentType: 'image/jpeg' }, { description: 'Front door' })).body.id as string;
    const res = await call(s.origin, 'POST', MASTODON_PATHS.statuses, {
      token,
      form: { status: 'Opening hours change on Monday. #library https://example.org/hours', 'media_ids[]': [id], visibility: 'unlisted', language: 'cy', spoiler_text: 'Library news' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ visibility: 'unlisted', language: 'cy', spoiler_text: 'Library news', sensitive: true, media_attachments: [{ id, description: 'Front door' }], tags: [{ name: 'library' }] });
    expect(res.body.content).toMatch(/^<p>Opening hours change on Monday\. <a href="[^"]+\/tags\/library" class="mention hashtag" rel="tag">#<span>library<\/span><\/a> <a href="https:\/\/example\.org\/hours"/);
    const [post] = s.feed();
    expect(post).toMatchObject({ id: res.body.id, text: 'Opening hours change on Monday. #library https://example.org/hours', visibility: 'unlisted', media: [{ id, sha256: sha256(photo), description: 'Front door' }] });
    expect(res.body.url).toBe(`${s.origin}/@harbourcity/${res.body.id}`);
  });

  it('returns the same status for the same Idempotency-Key within the hour, and a new one after', async () => {
    const clock = manualClock();
    const s = await start({ clock });
    const token = s.issueToken().access_token;
    const first = await postStatus(s.origin, token, { status: 'Bin collection moves to Tuesday' }, 'key-1');
    const again = await postStatus(s.origin, token, { status: 'a different body is not even read' }, 'key-1');
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(s.feed()).toHaveLength(1);
    const other = await postStatus(s.origin, token, { status: 'Bin collection moves to Tuesday' }, 'key-2');
    expect(other.body.id).not.toBe(first.body.id);
    clock.advance(60 * 60_000);
    const later = await postStatus(s.origin, token, { status: 'Bin collection moves to Tuesday' }, 'key-1');
    expect(later.body.id).not.toBe(first.body.id);
    expect(s.feed()).toHaveLength(3);
    expect(s.requests().filter((r) => r.endpoint === 'status_create').map((r) => r.idempotencyKey)).toEqual(['key-1', 'key-1', 'key-2', 'key-1']);
  });

  it('keys are per account, and a key whose status was deleted answers 404', async () => {
    const s = await start({ accounts: [{}, {}] });
    const [a, b] = s.accounts();
    const ta = s.issueToken(a!.id).access_token;
    const first = await postStatus(s.origin, ta, { status: 'one' }, 'same');
    expect((await postStatus(s.origin, s.issueToken(b!.id).access_token, { status: 'two' }, 'same')).body.id).not.toBe(first.body.id);
    s.deleteStatus(first.body.id as string);
    expect(await postStatus(s.origin, ta, { status: 'one' }, 'same')).toMatchObject({ status: 404, body: { error: 'Record not found' } });
  });

  it('validates: too long (links count 23, graphemes counted), blank, unprocessed media, a video with photos, too many, unknown media', async () => {
    const s = await start({ processing: { polls: 5 } });
    const token = s.issueToken().access_token;
    expect(await postStatus(s.origin, token, { status: 'x'.repeat(501) })).toMatchObject({ status: 422, body: { error: 'Validation failed: Text character limit of 500 exceeded' } });
    // 476 letters, a space and a 220-character link that weighs 23: exactly 500.
    expect((await postStatus(s.origin, token, { status: `${'x'.repeat(476)} https://example.org/${'a'.repeat(200)}` })).status).toBe(200);
    // A flag emoji is one grapheme of two code points: 500 of them fit.
    expect((await postStatus(s.origin, token, { status: '🇬🇧'.repeat(500) })).status).toBe(200);
    // Mastodon does not count "https://aaaa…" without a dot as a link: every character counts.
    expect((await postStatus(s.origin, token, { status: `https://${'a'.repeat(600)}` })).status).toBe(422);
    expect(await postStatus(s.origin, token, { status: '  ' })).toMatchObject({ status: 422, body: { error: "Validation failed: Text can't be blank" } });
    const vid = (await uploadMedia(s.origin, token, { bytes: video, contentType: 'video/mp4' })).body.id as string;
    expect(await postStatus(s.origin, token, { status: 'early', media_ids: [vid] })).toMatchObject({ status: 422, body: { error: 'Cannot attach files that have not finished processing. Try again in a moment!' } });
    const img = (await uploadMedia(s.origin, token, { bytes: png, contentType: 'image/png' })).body.id as string;
    expect((await postStatus(s.origin, token, { status: 'mixed', media_ids: [img, vid] })).body).toEqual({ error: 'Cannot attach a video to a post that already contains images' });
    expect((await postStatus(s.origin, token, { status: 'many', media_ids: ['1', '2', '3', '4', '5'] })).body).toEqual({ error: 'Cannot attach more than 4 files' });
    expect((await postStatus(s.origin, token, { status: 'ghost', media_ids: ['123'] })).body).toEqual({ error: 'Media 123 not found or already attached to another post' });
    // Media alone needs no text.
    expect((await postStatus(s.origin, token, { media_ids: [img] })).status).toBe(200);
    expect(await postStatus(s.origin, token, { status: 'x', visibility: 'everyone' })).toMatchObject({ status: 422 });
  });

  it('lists an account\'s statuses newest first, paged, with private ones only for the owner; /source gives the text as written', async () => {
    const s = await start();
    const token = s.issueToken().access_token;
    const ids: string[] = [];
    for (const [i, visibility] of (['public', 'private', 'public', 'unlisted'] as const).entries()) ids.push((await postStatus(s.origin, token, { status: `post ${i}`, visibility })).body.id as string);
    const account = s.accounts()[0]!.id;
    const mine = await call<{ id: string }[]>(s.origin, 'GET', `/api/v1/accounts/${account}/statuses?limit=2`, { token });
    expect(mine.body.map((st) => st.id)).toEqual([ids[3], ids[2]]);
    expect(mine.headers.get('link')).toContain(`max_id=${ids[2]}>; rel="next"`);
    const next = await call<{ id: string }[]>(s.origin, 'GET', `/api/v1/accounts/${account}/statuses?limit=2&max_id=${ids[2]}`, { token });
    expect(next.body.map((st) => st.id)).toEqual([ids[1], ids[0]]);
    const anonymous = await call<{ id: string }[]>(s.origin, 'GET', `/api/v1/accounts/${account}/statuses`);
    expect(anonymous.body.map((st) => st.id)).toEqual([ids[3], ids[2], ids[0]]);
    expect((await call(s.origin, 'GET', `/api/v1/accounts/${account}/statuses`, { token: s.issueToken(undefined, ['write:statuses']).access_token })).status).toBe(403);
    expect((await call(s.origin, 'GET', `${MASTODON_PATHS.statuses}/${ids[1]}/source`, { token })).body).toEqual({ id: ids[1], text: 'post 1', spoiler_text: '' });
  });
});

describe('Mastodon simulator: rate limits (§4.4)', () => {
  it('allows 300 calls per token per 5 minutes with X-RateLimit-* on each answer, then 429 until the window resets', async () => {
    const clock = manualClock(Date.UTC(2026, 10, 20, 9, 0, 0));
    const s = await start({ clock, rateLimits: { perToken: 3 } });
    const token = s.issueToken().access_token;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call(s.origin, 'GET', MASTODON_PATHS.verifyCredentials, { token }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    expect(answers[3]!.body).toEqual({ error: 'Too many requests' });
    expect(answers[3]!.headers.get('x-ratelimit-reset')).toBe('2026-11-20T09:05:00.000Z');
    expect(answers[3]!.headers.get('retry-after')).toBeNull();
    clock.advance(5 * 60_000);
    expect((await call(s.origin, 'GET', MASTODON_PATHS.verifyCredentials, { token })).status).toBe(200);
  });

  it('also limits an account across its tokens (1,500 per 5 minutes by default)', async () => {
    const s = await start({ rateLimits: { perAccount: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(s.origin, 'GET', MASTODON_PATHS.verifyCredentials, { token: s.issueToken().access_token })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('limits media uploads per account (30 per 30 minutes by default)', async () => {
    const s = await start({ rateLimits: { mediaPerAccount: 1 } });
    const token = s.issueToken().access_token;
    expect((await uploadMedia(s.origin, token, { bytes: png, contentType: 'image/png' })).status).toBe(200);
    expect((await uploadMedia(s.origin, token, { bytes: png, contentType: 'image/png' })).status).toBe(429);
  });
});

describe('Mastodon simulator: faults on demand', () => {
  it('drops the connection halfway through an upload: the client sees a network error, no media is kept', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'media_upload' }] });
    const token = s.issueToken().access_token;
    const big = Buffer.concat([photo, Buffer.alloc(2 * 1024 * 1024, 7)]);
    await expect(uploadMedia(s.origin, token, { bytes: big, contentType: 'image/jpeg' })).rejects.toThrow();
    const [record] = s.requests();
    expect(record).toMatchObject({ endpoint: 'media_upload', status: 0 });
    expect(record!.bytesReceived).toBeGreaterThan(0);
    expect(record!.bytesReceived).toBeLessThan(big.length);
    expect(s.media()).toEqual([]);
    expect((await uploadMedia(s.origin, token, { bytes: photo, contentType: 'image/jpeg' })).status).toBe(200);
  });

  it('drops the answer after creating the status: a resend with the same key gets that status', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'status_create', when: 'after-processing' }] });
    const token = s.issueToken().access_token;
    await expect(postStatus(s.origin, token, { status: 'lost answer' }, 'k')).rejects.toThrow();
    expect(s.feed()).toHaveLength(1);
    expect((await postStatus(s.origin, token, { status: 'lost answer' }, 'k')).body.id).toBe(s.feed()[0]!.id);
    expect(s.feed()).toHaveLength(1);
  });

  it('answers 5xx as nginx does (HTML), 429 with Retry-After when asked, and a revoked or expired token', async () => {
    const s = await start({
      faults: [
        { kind: 'server-error', endpoint: 'status_create', status: 502 },
        { kind: 'rate-limit', endpoint: 'status_create', retryAfterSeconds: 7 },
        { kind: 'token-rejected', endpoint: 'verify_credentials', reason: 'expired' },
      ],
    });
    const token = s.issueToken().access_token;
    const bad = await postStatus(s.origin, token, { status: 'x' });
    expect([bad.status, bad.headers.get('content-type')]).toEqual([502, 'text/html']);
    expect(bad.raw).toContain('502 Bad Gateway');
    const slow = await postStatus(s.origin, token, { status: 'x' });
    expect([slow.status, slow.headers.get('retry-after'), slow.body.error]).toEqual([429, '7', 'Too many requests']);
    expect(slow.headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await call(s.origin, 'GET', MASTODON_PATHS.verifyCredentials, { token })).toMatchObject({ status: 401, body: { error: 'The access token expired' } });
    expect((await postStatus(s.origin, token, { status: 'x' })).status).toBe(401);
    expect(s.feed()).toEqual([]);
    expect(s.pendingFaults()).toEqual([]);
  });

  it('fails processing on demand: the poll answers 422 with Mastodon\'s text', async () => {
    const s = await start({ faults: [{ kind: 'processing-failure' }], processing: { polls: 1 } });
    const token = s.issueToken().access_token;
    const id = (await uploadMedia(s.origin, token, { bytes: video, contentType: 'video/mp4' })).body.id as string;
    expect((await call(s.origin, 'GET', `${MASTODON_PATHS.media}/${id}`, { token })).status).toBe(206);
    expect(await call(s.origin, 'GET', `${MASTODON_PATHS.media}/${id}`, { token })).toMatchObject({ status: 422, body: { error: 'Error processing thumbnail for uploaded media' } });
    expect(endpoints(s)).toEqual(['media_upload', 'media_get', 'media_get']);
  });
});
