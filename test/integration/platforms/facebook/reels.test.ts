// Facebook Page Reels (platform-apis.md §6.3) through the adapter, against the Graph simulator on
// 127.0.0.1 and the real egress client: start on the Page's video_reels, the bytes to rupload at
// an offset with the file size, finish as PUBLISHED with the caption, and the status read until
// it is out; an interrupted upload resumed from what arrived, faults retried, a lost answer or a
// crash never giving a second Reel, the Page's daily limit, and videos a Reel cannot be refused
// before anything is sent.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishMedia, PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { createFacebookAdapter, type FacebookAdapterOptions } from '../../../../electron/platforms/facebook/adapter.ts';
import { startFacebookSimulator, type FacebookSimulator, type FacebookSimulatorOptions } from '../../../../electron/platforms/facebook/simulator.ts';
import { MiB, padVideo, sha256Of } from '../../../support/platform-driver.ts';
import { progressIsMonotonic, publishHarness, recordingSleep, simulatorPerTest, type PublishHarness } from '../../../support/publish-harness.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';

let dir: string;
let video: string;
let small: string;
const suite = simulatorPerTest<FacebookSimulator>();

const SIZE = 5 * MiB + 321;
const CAPTION = 'The new harbour ferry, in 30 seconds.';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-facebook-reels-'));
  const clip = await makeVideo(dir, 'clip', { seconds: 1 });
  video = await padVideo(clip, join(dir, 'reel.mp4'), SIZE);
  small = clip;
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(options: FacebookSimulatorOptions = {}): Promise<FacebookSimulator> {
  return suite.start(() => startFacebookSimulator(options));
}

function harness(s: FacebookSimulator): PublishHarness {
  const token = s.issueUserToken();
  return publishHarness({
    platform: 'facebook',
    accountId: s.pages()[0]!.id,
    apiBase: s.origin,
    http: suite.client(),
    credentials: { accessToken: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 },
    requestCount: () => s.requests().length,
  });
}

async function reelMedia(path = video, facts: Partial<PublishMedia> = {}): Promise<PublishMedia> {
  const bytes = (await stat(path)).size;
  return { kind: 'video', path, bytes, format: 'mp4', contentType: 'video/mp4', cleanSha256: 'clean', altText: null, width: 1080, height: 1920, durationMs: 30_000, ...facts };
}

async function reelRequest(o: { media?: PublishMedia[]; postId?: string; options?: Record<string, unknown> } = {}): Promise<PublishRequest> {
  const postId = o.postId ?? 'reel-1';
  return { postId, idempotencyKey: `${postId}:facebook:page`, caption: CAPTION, options: o.options ?? { format: 'reel' }, media: o.media ?? [await reelMedia()] };
}

function adapterWith(s: FacebookSimulator, options: FacebookAdapterOptions = {}) {
  const { sleep, sleeps } = recordingSleep();
  const adapter = createFacebookAdapter({ sleep, random: () => 0.5, reelPollIntervalMs: 2_000, appCredentials: async () => ({ clientId: s.appId, clientSecret: 'app-secret' }), ...options });
  return { adapter, sleeps };
}

const endpoints = (s: FacebookSimulator) => s.requests().map((r) => r.endpoint);
const count = (s: FacebookSimulator, endpoint: string) => endpoints(s).filter((e) => e === endpoint).length;
const uploads = (s: FacebookSimulator) => s.requests().filter((r) => r.endpoint === 'reel-upload').map((r) => [r.fileOffset, r.bytes]);

describe('Facebook Reels: publishing', () => {
  it('starts, uploads to rupload, finishes as PUBLISHED with the caption, and waits until it is out', async () => {
    const s = await start({ reelProcessingPolls: 3 });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    const req = await reelRequest();

    const result = await adapter.publish(req, h.context);

    const [reel] = s.feed();
    expect(s.feed()).toHaveLength(1);
    expect(reel).toMatchObject({ pageId: s.pages()[0]!.id, kind: 'reel', message: CAPTION, sizeBytes: SIZE, sha256: await sha256Of(video) });
    expect(result).toEqual({ remoteId: reel!.id, url: `https://www.facebook.com/reel/${reel!.id}`, outcome: 'published' });
    expect(endpoints(s)).toEqual(['page', 'reel-start', 'reel-upload', 'reel-finish', 'reel-status', 'reel-status', 'reel-status']);
    expect(uploads(s)).toEqual([[0, SIZE]]);
    expect(s.reelUploads()).toEqual([{ videoId: reel!.id, pageId: s.pages()[0]!.id, received: SIZE, total: SIZE, finished: true }]);
    // Processing was waited out at the adapter's pace, with progress that never went back.
    expect(sleeps).toEqual([2_000, 2_000]);
    expect(progressIsMonotonic(h.progress, SIZE)).toBe(true);
    expect(h.progress.map((p) => p.phase)).toContain('processing');
    // The checkpoint holds the video id, never a token.
    expect(h.state()).toMatchObject({ reel: { videoId: reel!.id, total: SIZE, uploaded: true } });
    expect(JSON.stringify(h.states)).not.toMatch(/EAA[GP]/);

    const before = s.requests().length;
    expect(await adapter.publish(req, h.context)).toEqual(result);
    expect(await adapter.reconcile(req, h.context)).toEqual(result);
    expect(s.requests()).toHaveLength(before);
  });

  it('refuses a video that cannot be a Reel before anything is sent', async () => {
    const s = await start();
    const { adapter } = adapterWith(s);
    const refused = async (req: PublishRequest) => adapter.publish(req, harness(s).context).catch((e: unknown) => e);
    expect(await refused(await reelRequest({ media: [await reelMedia(video, { width: 1920, height: 1080 })] }))).toMatchObject({ code: 'publish.facebook.reel-aspect', next: 'fix' });
    expect(await refused(await reelRequest({ media: [await reelMedia(video, { durationMs: 120_000 })] }))).toMatchObject({ code: 'publish.facebook.reel-too-long', next: 'fix' });
    expect(await refused(await reelRequest({ media: [] }))).toMatchObject({ code: 'publish.facebook.reel-one-video', next: 'fix' });
    expect(await refused(await reelRequest({ options: { format: 'story' } }))).toMatchObject({ code: 'publish.facebook.format-unknown', next: 'fix' });
    expect(s.requests()).toEqual([]);
    expect(s.feed()).toEqual([]);
  });
});

describe('Facebook Reels: interruptions and faults', () => {
  it('after a connection dropped mid-upload, reads how much arrived and sends only the rest', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'reel-upload' }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);

    await adapter.publish(await reelRequest(), h.context);

    const kept = Math.floor(SIZE / 2);
    expect(endpoints(s)).toEqual(['page', 'reel-start', 'reel-upload', 'reel-status', 'reel-upload', 'reel-finish', 'reel-status']);
    expect(uploads(s)).toEqual([
      [0, SIZE],
      [kept, SIZE - kept],
    ]);
    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
    expect(sleeps).toHaveLength(1);
    expect(progressIsMonotonic(h.progress, SIZE)).toBe(true);
  });

  it('retries a 500 at start and at rupload, and waits out a Page rate limit at finish', async () => {
    const s = await start({
      faults: [
        { kind: 'server-error', endpoint: 'reel-start', status: 503 },
        { kind: 'server-error', endpoint: 'reel-upload', status: 500 },
        { kind: 'rate-limit', endpoint: 'reel-finish', regainMinutes: 2 },
      ],
    });
    const { adapter, sleeps } = adapterWith(s);

    await adapter.publish(await reelRequest(), harness(s).context);

    expect(s.requests().filter((r) => r.endpoint === 'reel-start').map((r) => r.status)).toEqual([503, 200]);
    expect(s.requests().filter((r) => r.endpoint === 'reel-upload').map((r) => r.status)).toEqual([500, 200]);
    expect(s.requests().filter((r) => r.endpoint === 'reel-finish').map((r) => r.status)).toEqual([400, 200]);
    expect(sleeps.some((ms) => ms >= 120_000)).toBe(true);
    // The second finish looked first whether the first had made it.
    expect(endpoints(s).slice(-4)).toEqual(['reel-finish', 'reel-status', 'reel-finish', 'reel-status']);
    expect(s.feed()).toHaveLength(1);
    expect(s.reelUploads()).toHaveLength(1);
  });

  it('after a crash mid-upload, goes on from the saved video id and the bytes that arrived', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'reel-upload' }] });
    const h = harness(s);
    const req = await reelRequest();
    expect(await adapterWith(s, { maxAttempts: 1 }).adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.facebook.unreachable' });
    expect(await adapterWith(s).adapter.reconcile(req, h.context)).toBeNull();

    const result = await adapterWith(s).adapter.publish(req, h.context);

    expect(count(s, 'reel-start')).toBe(1);
    expect(uploads(s).map(([offset]) => offset)).toEqual([0, Math.floor(SIZE / 2)]);
    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
    expect(result.remoteId).toBe(s.feed()[0]!.id);
  });

  it('starts a new Reel once when Facebook let the unfinished upload expire', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'reel-upload' }] });
    const h = harness(s);
    const req = await reelRequest();
    await adapterWith(s, { maxAttempts: 1 }).adapter.publish(req, h.context).catch(() => undefined);
    s.injectFault({ kind: 'session-expired', endpoint: 'reel-status' });

    await adapterWith(s).adapter.publish(req, h.context);

    expect(count(s, 'reel-start')).toBe(2);
    expect(uploads(s).map(([offset]) => offset)).toEqual([0, 0]);
    expect(s.feed()).toHaveLength(1);
    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
  });

  it('finds the Reel whose finish answer was lost, and never finishes it twice', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'reel-finish', when: 'after-processing' }] });
    const h = harness(s);
    const req = await reelRequest();

    expect(await adapterWith(s, { maxAttempts: 1 }).adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.facebook.unreachable' });
    expect(s.feed()).toHaveLength(1);

    const { adapter } = adapterWith(s);
    const found = await adapter.reconcile(req, h.context);
    expect(found).toEqual({ remoteId: s.feed()[0]!.id, url: `https://www.facebook.com/reel/${s.feed()[0]!.id}`, outcome: 'published' });
    expect(await adapter.publish(req, h.context)).toEqual(found);
    expect(count(s, 'reel-finish')).toBe(1);
    expect(count(s, 'reel-start')).toBe(1);
  });

  it('a job run again while the finished Reel is still processing waits for it instead of finishing again', async () => {
    const s = await start({ reelProcessingPolls: 3, faults: [{ kind: 'no-answer', endpoint: 'reel-finish' }] });
    const h = harness(s);
    const req = await reelRequest();
    const first = adapterWith(s, { maxAttempts: 1, timeoutMs: 1_000 }).adapter.publish(req, h.context).catch((e: unknown) => e);
    expect(await first).toMatchObject({ code: 'publish.facebook.unreachable' });

    const { adapter } = adapterWith(s);
    // Finished but not yet out: nothing to report, and publish looks before it finishes.
    expect(await adapter.reconcile(req, h.context)).toBeNull();
    const result = await adapter.publish(req, h.context);

    expect(result.remoteId).toBe(s.feed()[0]!.id);
    expect(count(s, 'reel-finish')).toBe(1);
    expect(s.feed()).toHaveLength(1);
  });

  it('holds the Page to 30 Reels in 24 hours, and asks to try later', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const media = [await reelMedia(small)];
    for (let i = 0; i < 30; i++) await adapter.publish(await reelRequest({ postId: `r${i}`, media }), harnessFor(h));
    const err = await adapter.publish(await reelRequest({ postId: 'r30', media }), harnessFor(h)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.facebook.rate-limited', next: 'later' });
    expect(s.feed()).toHaveLength(30);
  });
});

/** A fresh checkpoint for another post, with the same account and token. */
function harnessFor(h: PublishHarness): PublishHarness['context'] {
  let state: Record<string, unknown> = {};
  return { ...h.context, checkpoint: { load: async () => structuredClone(state), save: async (next) => void (state = structuredClone(next)) } };
}
