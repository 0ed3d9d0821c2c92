// The LinkedIn adapter against the protocol-faithful simulator on 127.0.0.1, through the real
// egress client: the Videos API upload in the parts initializeUpload hands out, ETags in order
// at finalize, the status read until AVAILABLE, the post with the video URN, a photo post, a part
// sent again after a dropped connection, 5xx and 429, an expired token, a sunset API version and
// other refusals in plain words, and crash and resume without a second post.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { createLinkedInAdapter, type LinkedInAdapterOptions } from '../../../../electron/platforms/linkedin/adapter.ts';
import { startLinkedInSimulator, type LinkedInSimulator, type LinkedInSimulatorOptions } from '../../../../electron/platforms/linkedin/simulator.ts';
import { manualClock, MiB, padVideo, sha256Of } from '../../../support/platform-driver.ts';
import { plainPhoto } from '../../../support/image-fixtures.ts';
import { progressIsMonotonic, publishHarness, recordingSleep, simulatorPerTest, type PublishHarness } from '../../../support/publish-harness.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';

let dir: string;
let video: string;
let photo: string;
const suite = simulatorPerTest<LinkedInSimulator>();

const PART = 4 * MiB;
const SIZE = 9 * MiB + 4321;
const CAPTION = 'Ferry times change on Monday (see the #harbour page) — questions? Ask @ the desk_';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-linkedin-adapter-'));
  const clip = await makeVideo(dir, 'clip', { seconds: 1 });
  video = await padVideo(clip, join(dir, 'video.mp4'), SIZE);
  photo = join(dir, 'photo.jpg');
  await plainPhoto(photo, 'jpeg', 800, 600);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(options: LinkedInSimulatorOptions = {}): Promise<LinkedInSimulator> {
  return suite.start(() => startLinkedInSimulator(options));
}

function harness(s: LinkedInSimulator, scopes?: readonly string[]): PublishHarness {
  const tokens = s.issueTokens(scopes);
  return publishHarness({
    platform: 'linkedin',
    accountId: s.organizations()[0]!.urn,
    apiBase: s.origin,
    http: suite.client(),
    credentials: { accessToken: tokens.access_token, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}), expiresAt: Date.now() + tokens.expires_in * 1000, scopes: tokens.scope.split(' ') },
    requestCount: () => s.requests().length,
  });
}

async function videoRequest(caption = CAPTION): Promise<PublishRequest> {
  const bytes = (await stat(video)).size;
  return {
    postId: 'post-1',
    idempotencyKey: 'post-1:linkedin:org',
    caption,
    options: {},
    media: [{ kind: 'video', path: video, bytes, format: 'mp4', contentType: 'video/mp4', cleanSha256: 'clean', altText: null, width: 160, height: 120, durationMs: 4000 }],
  };
}

function adapterWith(s: LinkedInSimulator, options: LinkedInAdapterOptions = {}) {
  const { sleep, sleeps } = recordingSleep();
  const adapter = createLinkedInAdapter({ sleep, random: () => 0.5, pollIntervalMs: 2000, appCredentials: async () => ({ clientId: s.clientId, clientSecret: s.clientSecret }), ...options });
  return { adapter, sleeps };
}

const endpoints = (s: LinkedInSimulator) => s.requests().map((r) => r.endpoint);
const count = (s: LinkedInSimulator, endpoint: string) => endpoints(s).filter((e) => e === endpoint).length;

describe('LinkedIn adapter: video post', () => {
  it('uploads the parts initializeUpload gives, finalizes with the ETags, waits for AVAILABLE and posts with the video URN', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    const req = await videoRequest();

    const result = await adapter.publish(req, h.context);

    const [post] = s.feed();
    const [v] = s.videos();
    expect(s.feed()).toHaveLength(1);
    expect(post).toMatchObject({ author: s.organizations()[0]!.urn, text: CAPTION, mediaId: v!.urn, visibility: 'PUBLIC', lifecycleState: 'PUBLISHED' });
    // The reserved characters of the little-text format went escaped, so readers see them as typed.
    expect(post!.commentary).toContain('\\(see the \\#harbour page\\)');
    expect(v).toMatchObject({ status: 'AVAILABLE', sizeBytes: SIZE, sha256: await sha256Of(video) });
    expect(result).toEqual({ remoteId: post!.id, url: `https://www.linkedin.com/feed/update/${post!.id}/`, outcome: 'published' });
    expect(endpoints(s)).toEqual(['initialize', 'part', 'part', 'part', 'finalize', 'video', 'video', 'post']);
    // One status read said PROCESSING: one wait of the poll interval.
    expect(sleeps).toEqual([2000]);
    // Every REST call named the version; the upload URLs carried none.
    expect(s.requests().filter((r) => r.endpoint !== 'part').every((r) => r.version === '202605')).toBe(true);
    // Bounded memory: each part a request of at most 4 MiB, never the whole file.
    expect(s.parts().map((p) => [p.index, p.bytes, p.whole])).toEqual([[0, PART, true], [1, PART, true], [2, SIZE - 2 * PART, true]]);
    expect(Math.max(...s.requests().map((r) => r.bytes))).toBe(PART);
    expect(progressIsMonotonic(h.progress, SIZE)).toBe(true);
    expect(h.progress.at(-1)).toEqual({ phase: 'creating', bytesDone: SIZE, bytesTotal: SIZE });

    const before = s.requests().length;
    expect(await adapter.publish(req, h.context)).toEqual(result);
    expect(await adapter.reconcile(req, h.context)).toEqual(result);
    expect(s.requests()).toHaveLength(before);
  });

  it('posts a photo through the Images API with its alt text', async () => {
    const s = await start();
    const h = harness(s);
    const bytes = (await stat(photo)).size;
    const req: PublishRequest = {
      postId: 'post-2',
      idempotencyKey: 'post-2:linkedin:org',
      caption: 'Library open late on Thursday',
      options: {},
      media: [{ kind: 'image', path: photo, bytes, format: 'jpeg', contentType: 'image/jpeg', cleanSha256: 'clean', altText: 'The library at dusk', width: 800, height: 600, durationMs: null }],
    };

    await adapterWith(s).adapter.publish(req, h.context);

    expect(endpoints(s)).toEqual(['image-initialize', 'image-part', 'image', 'post']);
    expect(s.images()[0]).toMatchObject({ status: 'AVAILABLE', sizeBytes: bytes, sha256: createHash('sha256').update(await readFile(photo)).digest('hex') });
    expect(s.feed()[0]).toMatchObject({ mediaId: s.images()[0]!.urn, altText: 'The library at dusk', text: 'Library open late on Thursday' });
  });

  it('posts text alone', async () => {
    const s = await start();
    const result = await adapterWith(s).adapter.publish({ postId: 'p', idempotencyKey: 'p:linkedin', caption: 'Council meeting tonight at 7.', options: {}, media: [] }, harness(s).context);
    expect(endpoints(s)).toEqual(['post']);
    expect(s.feed()[0]).toMatchObject({ id: result.remoteId, text: 'Council meeting tonight at 7.', mediaId: null });
  });
});

describe('LinkedIn adapter: faults', () => {
  it('sends a part again after the connection dropped halfway through it, and only that part', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'part', partIndex: 1 }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);

    await adapter.publish(await videoRequest(), h.context);

    expect(s.parts().map((p) => [p.index, p.whole])).toEqual([[0, true], [1, false], [1, true], [2, true]]);
    expect(s.videos()[0]!.sha256).toBe(await sha256Of(video));
    expect(count(s, 'initialize')).toBe(1);
    expect(s.feed()).toHaveLength(1);
    expect(sleeps.length).toBeGreaterThanOrEqual(1);
    expect(progressIsMonotonic(h.progress, SIZE)).toBe(true);
  });

  it('retries a 503 on a part and a 429 on initializeUpload, honouring Retry-After', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', endpoint: 'initialize', retryAfterSeconds: 30 }, { kind: 'server-error', endpoint: 'part', status: 503, partIndex: 2 }] });
    const { adapter, sleeps } = adapterWith(s);

    await adapter.publish(await videoRequest(), harness(s).context);

    expect(s.requests().filter((r) => r.endpoint === 'initialize').map((r) => r.status)).toEqual([429, 200]);
    expect(s.requests().filter((r) => r.endpoint === 'part').map((r) => r.status)).toEqual([200, 200, 503, 200]);
    expect(sleeps[0]).toBeGreaterThanOrEqual(30_000);
    expect(s.feed()).toHaveLength(1);
  });

  it('says the connection expired when the token is refused and no refresh token exists, having sent nothing', async () => {
    const s = await start({ faults: [{ kind: 'expired-token', endpoint: 'initialize' }] });
    const err = await adapterWith(s).adapter.publish(await videoRequest(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.linkedin.no-refresh-token', next: 'reconnect', message: 'The connection to LinkedIn has expired or was withdrawn. Ask IT to reconnect the LinkedIn account.' });
    expect(count(s, 'part')).toBe(0);
    expect(s.feed()).toHaveLength(0);
  });

  it('renews an expired token with a partner refresh token and stores it before using it', async () => {
    const s = await start({ refreshTokens: true, faults: [{ kind: 'expired-token', endpoint: 'post' }] });
    const h = harness(s);
    const first = h.creds();
    expect(first.refreshToken).toBeTruthy();

    await adapterWith(s).adapter.publish(await videoRequest(), h.context);

    expect(h.saved).toHaveLength(1);
    expect(h.saved[0]!.accessToken).not.toBe(first.accessToken);
    const tokenAt = s.requests().findIndex((r) => r.endpoint === 'token');
    expect(h.savedAtRequest[0]).toBe(tokenAt + 1);
    // The refused post is looked for before it is sent again with the new token.
    expect(s.requests().slice(tokenAt + 1).map((r) => [r.endpoint, r.status])).toEqual([['find', 200], ['post', 201]]);
    expect(s.feed()).toHaveLength(1);
  });

  it('says plainly when LinkedIn no longer accepts the API version, before anything is uploaded', async () => {
    const s = await start();
    const err = await adapterWith(s, { apiVersion: '202506' }).adapter.publish(await videoRequest(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.linkedin.version-retired', next: 'fix', retryable: false, message: 'LinkedIn no longer accepts the version of its API this copy of Airlock uses. Nothing was published. Ask IT to update Airlock.' });
    expect((err as { detail: string }).detail).toContain('HTTP 426 code=NONEXISTENT_VERSION');
    expect(s.requests().map((r) => [r.endpoint, r.status])).toEqual([['initialize', 426]]);
  });

  it('says the account may not post for the organisation (403), to reconnect', async () => {
    const s = await start({ organizations: [{ admins: ['someone-else'] }] });
    const err = await adapterWith(s).adapter.publish(await videoRequest(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.linkedin.not-allowed', next: 'reconnect' });
    expect((err as Error).message).toMatch(/must be an administrator of the LinkedIn page/);
  });

  it('ends with a plain message when LinkedIn finds the request unprocessable (422)', async () => {
    const s = await start();
    const h = harness(s);
    const context = { ...h.context, account: { ...h.context.account, accountId: 'urn:li:group:5' } };
    const err = await adapterWith(s).adapter.publish(await videoRequest(), context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.linkedin.refused', next: 'fix', message: 'LinkedIn did not accept the post. Nothing was published. Ask IT to look at the details.' });
    expect((err as { detail: string }).detail).toContain('HTTP 422 code=UNPROCESSABLE_ENTITY');
  });

  it('waits out a 429 on an upload part for the Retry-After it names', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', endpoint: 'part', partIndex: 1, retryAfterSeconds: 45 }] });
    const { adapter, sleeps } = adapterWith(s);
    await adapter.publish(await videoRequest(), harness(s).context);
    expect(s.requests().filter((r) => r.endpoint === 'part').map((r) => r.status)).toEqual([200, 429, 200, 200]);
    expect(sleeps[0]).toBeGreaterThanOrEqual(45_000);
    expect(s.feed()).toHaveLength(1);
  });

  it('a video LinkedIn could not process ends the job with a fix, and no post', async () => {
    const s = await start({ faults: [{ kind: 'processing-failed', endpoint: 'finalize' }] });
    const err = await adapterWith(s).adapter.publish(await videoRequest(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.linkedin.processing-failed', next: 'fix' });
    expect(s.feed()).toHaveLength(0);
  });

  it('says plainly that text over 3000 characters is too long (400 FIELD_LENGTH_TOO_LONG)', async () => {
    const s = await start();
    const err = await adapterWith(s).adapter.publish({ postId: 'p', idempotencyKey: 'p:linkedin', caption: 'a'.repeat(3001), options: {}, media: [] }, harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.linkedin.text-too-long', next: 'fix', message: 'LinkedIn posts may have at most 3000 characters. Shorten the text in the post editor.' });
    expect(s.feed()).toHaveLength(0);
  });

  it('gives up on a server that keeps failing, saying so plainly', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'post', status: 500, times: 3 }] });
    const err = await adapterWith(s, { maxAttempts: 3 }).adapter.publish({ postId: 'p', idempotencyKey: 'p:linkedin', caption: 'Hello', options: {}, media: [] }, harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.linkedin.unavailable', next: 'retry', message: 'LinkedIn is having problems right now. Airlock will try again later.' });
    expect(s.feed()).toHaveLength(0);
  });
});

describe('LinkedIn adapter: crash and resume', () => {
  it('after a crash mid-upload, sends only the parts LinkedIn has not confirmed', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const req = await videoRequest();
    h.onSave = (state) => {
      if (Array.isArray(state.etags) && state.etags[0] !== null && state.etags[1] === null) h.controller.abort();
    };
    expect(await adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.linkedin.aborted' });
    expect(s.feed()).toHaveLength(0);
    h.onSave = undefined;
    const context = { ...h.context, signal: new AbortController().signal };

    expect(await adapter.reconcile(req, context)).toBeNull();
    const result = await adapter.publish(req, context);

    expect(count(s, 'initialize')).toBe(1);
    expect(s.parts().filter((p) => p.whole).map((p) => p.index)).toEqual([0, 1, 2]);
    expect(s.videos()[0]!.sha256).toBe(await sha256Of(video));
    expect(result.remoteId).toBe(s.feed()[0]!.id);
  });

  it('finds the post whose answer was lost, and never posts it twice', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'post', when: 'after-processing' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s, { maxAttempts: 1 });
    const req = await videoRequest();

    expect(await adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.linkedin.unreachable' });
    expect(s.feed()).toHaveLength(1);

    // After a restart the publisher asks first: the organisation's posts hold it.
    const found = await adapter.reconcile(req, h.context);
    expect(found).toEqual({ remoteId: s.feed()[0]!.id, url: `https://www.linkedin.com/feed/update/${s.feed()[0]!.id}/`, outcome: 'published' });
    expect(await adapter.publish(req, h.context)).toEqual(found);
    expect(s.feed()).toHaveLength(1);
    expect(count(s, 'post')).toBe(1);
    expect(count(s, 'initialize')).toBe(1);
  });

  it('within one run, looks for the post before sending it again after a lost answer', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'post', when: 'after-processing' }] });
    const result = await adapterWith(s).adapter.publish({ postId: 'p', idempotencyKey: 'p:linkedin', caption: 'Bins collected on Tuesday.', options: {}, media: [] }, harness(s).context);
    expect(s.feed()).toHaveLength(1);
    expect(result.remoteId).toBe(s.feed()[0]!.id);
    expect(endpoints(s)).toEqual(['post', 'find']);
  });

  it('starts the upload again when the upload URLs expired before every part arrived', async () => {
    const clock = manualClock(Date.UTC(2026, 10, 20, 9));
    const s = await start({ clock, faults: [{ kind: 'upload-expired', endpoint: 'part', partIndex: 1 }] });
    await adapterWith(s).adapter.publish(await videoRequest(), harness(s).context);
    expect(count(s, 'initialize')).toBe(2);
    expect(s.feed()).toHaveLength(1);
    expect(s.feed()[0]!.mediaId).toBe(s.videos()[1]!.urn);
    expect(s.videos()[1]!.sha256).toBe(await sha256Of(video));
  });
});
