// The YouTube adapter against the protocol-faithful simulator on 127.0.0.1, through the real
// egress client: the resumable upload in 256 KiB-multiple chunks, resume after a connection lost
// mid-chunk by asking the session, 5xx and 429, token renewal, quota and upload-limit refusals in
// plain words, and crash and resume without a second video.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { createYouTubeAdapter, type YouTubeAdapterOptions } from '../../../../electron/platforms/youtube/adapter.ts';
import { startYouTubeSimulator, type YouTubeSimulator, type YouTubeSimulatorOptions } from '../../../../electron/platforms/youtube/simulator.ts';
import { MiB, padVideo, sha256Of } from '../../../support/platform-driver.ts';
import { progressIsMonotonic, publishHarness, recordingSleep, simulatorPerTest, type PublishHarness } from '../../../support/publish-harness.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';

let dir: string;
let video: string;
const suite = simulatorPerTest<YouTubeSimulator>();

const CHUNK = 1 * MiB;
const SIZE = 5 * MiB + 4321;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-youtube-adapter-'));
  const clip = await makeVideo(dir, 'clip', { seconds: 1 });
  video = await padVideo(clip, join(dir, 'video.mp4'), SIZE);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(options: YouTubeSimulatorOptions = {}): Promise<YouTubeSimulator> {
  return suite.start(() => startYouTubeSimulator(options));
}

function harness(s: YouTubeSimulator): PublishHarness {
  const tokens = s.issueTokens();
  return publishHarness({
    platform: 'youtube',
    accountId: s.channels()[0]!.id,
    apiBase: s.origin,
    http: suite.client(),
    credentials: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token!, expiresAt: Date.now() + tokens.expires_in * 1000, scopes: tokens.scope.split(' ') },
    requestCount: () => s.requests().length,
  });
}

async function request(options: Record<string, unknown> = { title: 'Library opening hours', privacy: 'private' }, caption = 'From Monday the library opens at 9.'): Promise<PublishRequest> {
  const bytes = (await stat(video)).size;
  return {
    postId: 'post-1',
    idempotencyKey: 'post-1:youtube:channel',
    caption,
    options,
    media: [{ kind: 'video', path: video, bytes, format: 'mp4', contentType: 'video/mp4', cleanSha256: 'clean', altText: null, width: 160, height: 120, durationMs: 1000 }],
  };
}

function adapterWith(s: YouTubeSimulator, options: YouTubeAdapterOptions = {}) {
  const { sleep, sleeps } = recordingSleep();
  const adapter = createYouTubeAdapter({ chunkBytes: CHUNK, sleep, random: () => 0.5, appCredentials: async () => ({ clientId: s.clientId, clientSecret: s.clientSecret }), ...options });
  return { adapter, sleeps };
}

const endpoints = (s: YouTubeSimulator) => s.requests().map((r) => r.endpoint);
const count = (s: YouTubeSimulator, endpoint: string) => endpoints(s).filter((e) => e === endpoint).length;

describe('YouTube adapter: resumable upload', () => {
  it('starts a session with the title and description, sends 1 MiB chunks, and ends with the video', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const req = await request({ title: 'Library opening hours', description: 'New hours from Monday.', privacy: 'unlisted' });

    const result = await adapter.publish(req, h.context);

    const [v] = s.feed();
    expect(s.feed()).toHaveLength(1);
    expect(v).toMatchObject({ title: 'Library opening hours', description: 'New hours from Monday.', privacyStatus: 'unlisted', categoryId: '22', sizeBytes: SIZE, contentType: 'video/mp4' });
    expect(v!.sha256).toBe(await sha256Of(video));
    expect(result).toEqual({ remoteId: v!.id, url: `https://www.youtube.com/watch?v=${v!.id}`, outcome: 'published' });
    expect(endpoints(s)).toEqual(['start', ...Array(6).fill('chunk')]);
    // Each chunk a request of one chunk's bytes, never the whole file.
    expect(s.chunks().map((c) => [c.start, c.bytes])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i * CHUNK, Math.min(CHUNK, SIZE - i * CHUNK)]));
    expect(Math.max(...s.requests().filter((r) => r.endpoint === 'chunk').map((r) => r.bytes))).toBe(CHUNK);
    expect(progressIsMonotonic(h.progress, SIZE)).toBe(true);
    expect(h.progress.at(-1)).toEqual({ phase: 'processing', bytesDone: SIZE, bytesTotal: SIZE });
    // Each confirmed offset is saved; the last chunk is marked before it goes, as from then on the video may exist.
    expect(h.states.filter((st) => !('result' in st)).map((st) => [st.confirmed, st.allSent])).toEqual([...[0, 1, 2, 3, 4, 5].map((i) => [i * CHUNK, false]), [5 * CHUNK, true]]);

    const before = s.requests().length;
    expect(await adapter.publish(req, h.context)).toEqual(result);
    expect(await adapter.reconcile(req, h.context)).toEqual(result);
    expect(s.requests()).toHaveLength(before);
  });

  it('uses the caption as the description when the editor left it empty, and the privacy staff chose', async () => {
    const s = await start();
    const { adapter } = adapterWith(s);
    await adapter.publish(await request({ title: 'Hours', description: '  ', privacy: 'public' }), harness(s).context);
    expect(s.feed()[0]).toMatchObject({ title: 'Hours', description: 'From Monday the library opens at 9.', privacyStatus: 'public' });
  });

  it('never picks a privacy itself: without one chosen, nothing is sent', async () => {
    const s = await start();
    for (const options of [{ title: 'Hours' }, { title: 'Hours', privacy: 'everyone' }, { title: 'Hours', privacyStatus: 'public' }]) {
      const err = await adapterWith(s).adapter.publish(await request(options), harness(s).context).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'publish.youtube.privacy-missing', next: 'fix' });
      expect((err as Error).message).toContain('Choose public, unlisted or private');
    }
    expect(s.requests()).toHaveLength(0);
    expect(s.feed()).toEqual([]);
  });

  it('after a connection lost mid-chunk asks the session how much arrived and carries on from there', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'chunk', chunkIndex: 2 }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);

    await adapter.publish(await request(), h.context);

    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
    expect(count(s, 'query')).toBe(1);
    // Half of the 1 MiB chunk arrived; YouTube kept it in whole 256 KiB steps, so the next
    // chunk starts at 2.5 MiB, not at 2 or 3 MiB.
    const chunks = s.chunks();
    expect(chunks[2]).toEqual({ start: 2 * MiB, bytes: MiB / 2, whole: false });
    expect(chunks[3]!.start).toBe(2 * MiB + MiB / 2);
    expect(chunks.filter((c) => c.whole).every((c) => c.bytes === CHUNK || c.start + c.bytes === SIZE)).toBe(true);
    expect(sleeps).toHaveLength(1);
    expect(progressIsMonotonic(h.progress, SIZE)).toBe(true);
  });

  it('resumes after a 503 on a chunk and retries a 429 at the start, honouring Retry-After', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', endpoint: 'start', retryAfterSeconds: 20 }, { kind: 'server-error', endpoint: 'chunk', status: 503, chunkIndex: 1 }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);

    await adapter.publish(await request(), h.context);

    expect(s.feed()).toHaveLength(1);
    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
    expect(s.requests().filter((r) => r.endpoint === 'start').map((r) => r.status)).toEqual([429, 200]);
    expect(sleeps[0]).toBeGreaterThanOrEqual(20_000);
    expect(count(s, 'query')).toBe(1);
  });

  it('renews an expired token at the start of a session and stores it before using it', async () => {
    const s = await start({ faults: [{ kind: 'expired-token', endpoint: 'start' }] });
    const h = harness(s);
    const first = h.creds();
    const { adapter } = adapterWith(s);

    await adapter.publish(await request(), h.context);

    expect(h.saved).toHaveLength(1);
    expect(h.saved[0]!.accessToken).not.toBe(first.accessToken);
    // Google keeps the refresh token; it is stored unchanged.
    expect(h.saved[0]!.refreshToken).toBe(first.refreshToken);
    const tokenAt = s.requests().findIndex((r) => r.endpoint === 'token');
    expect(h.savedAtRequest[0]).toBe(tokenAt + 1);
    expect(s.requests()[tokenAt + 1]).toMatchObject({ endpoint: 'start', status: 200 });
    expect(s.feed()).toHaveLength(1);
  });
});

describe('YouTube adapter: refusals in plain words', () => {
  it('says the day\'s upload allowance is used up (403 quotaExceeded), to try later', async () => {
    const s = await start({ insertsPerDay: 0 });
    const err = await adapterWith(s).adapter.publish(await request(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.youtube.quota-exceeded', next: 'later', retryable: true });
    expect((err as Error).message).toMatch(/^The organisation's YouTube app has used up its uploads for today/);
    expect(s.feed()).toHaveLength(0);
  });

  it('says the channel reached its upload limit (uploadLimitExceeded)', async () => {
    const s = await start({ faults: [{ kind: 'upload-limit-exceeded', endpoint: 'start' }] });
    const err = await adapterWith(s).adapter.publish(await request(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.youtube.upload-limit', next: 'later', message: 'This YouTube channel has reached the number of videos it may upload today. Try again tomorrow.' });
  });

  it('asks for a title before anything is sent', async () => {
    const s = await start();
    const err = await adapterWith(s).adapter.publish(await request({ privacy: 'private' }), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.youtube.title-missing', next: 'fix', message: 'YouTube needs a title. Add one in the post editor.' });
    expect(s.requests()).toHaveLength(0);
  });

  it('gives up on a server that keeps failing, saying so plainly', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'start', status: 500, times: 3 }] });
    const err = await adapterWith(s, { maxAttempts: 3 }).adapter.publish(await request(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.youtube.unavailable', next: 'retry', message: 'YouTube is having problems right now. Airlock will try again later.' });
    expect(count(s, 'start')).toBe(3);
  });
});

describe('YouTube adapter: crash and resume', () => {
  it('after a crash mid-upload, asks the saved session and sends only the rest', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const req = await request();
    h.onSave = (state) => {
      if (state.confirmed === 3 * CHUNK) h.controller.abort();
    };
    expect(await adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.youtube.aborted' });
    expect(s.feed()).toHaveLength(0);
    h.onSave = undefined;
    const context = { ...h.context, signal: new AbortController().signal };

    expect(await adapter.reconcile(req, context)).toBeNull();
    const result = await adapter.publish(req, context);

    expect(count(s, 'start')).toBe(1);
    expect(s.chunks().map((c) => c.start)).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * CHUNK));
    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
    expect(result.remoteId).toBe(s.feed()[0]!.id);
  });

  it('finds the video whose final answer was lost, without uploading it again', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'chunk', chunkIndex: 5, when: 'after-processing' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s, { maxAttempts: 1 });
    const req = await request();

    expect(await adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.youtube.unreachable' });
    expect(s.feed()).toHaveLength(1);

    // After a restart the publisher asks first: the session answers with the finished video.
    const found = await adapter.reconcile(req, h.context);
    expect(found).toEqual({ remoteId: s.feed()[0]!.id, url: `https://www.youtube.com/watch?v=${s.feed()[0]!.id}`, outcome: 'published' });
    expect(await adapter.publish(req, h.context)).toEqual(found);
    expect(s.feed()).toHaveLength(1);
    expect(count(s, 'start')).toBe(1);
    expect(count(s, 'chunk')).toBe(6);
  });

  it('reports an unknown outcome, not a second upload, when a fully sent session has expired', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const req = await request();
    await h.context.checkpoint.save({ sessionUri: `${s.origin}/upload/youtube/v3/videos?uploadType=resumable&upload_id=gone`, total: SIZE, confirmed: SIZE - 4321, allSent: true });
    const err = await adapter.reconcile(req, h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.youtube.outcome-unknown', next: 'fix' });
    expect(await adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.youtube.outcome-unknown' });
    expect(count(s, 'start')).toBe(0);
  });
});
