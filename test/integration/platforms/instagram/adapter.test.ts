// The Instagram Reels adapter against the protocol-faithful simulator on 127.0.0.1, through the
// real egress client: the REELS container, the video streamed to its rupload uri, status_code
// read until FINISHED, the publishing limit checked, media_publish; the upload sent again from
// offset 0 after a dropped connection, 5xx and rate limits, an expired token, the 24 h limit and
// a failed processing in plain words, and a publish whose answer was lost settled without a
// second Reel.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { createInstagramAdapter, type InstagramAdapterOptions } from '../../../../electron/platforms/instagram/adapter.ts';
import { startInstagramSimulator, type InstagramSimulator, type InstagramSimulatorOptions } from '../../../../electron/platforms/instagram/simulator.ts';
import { manualClock, MiB, padVideo, sha256Of } from '../../../support/platform-driver.ts';
import { progressIsMonotonic, publishHarness, recordingSleep, simulatorPerTest, type PublishHarness } from '../../../support/publish-harness.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';

let dir: string;
let video: string;
const suite = simulatorPerTest<InstagramSimulator>();

const SIZE = 3 * MiB + 99;
const CAPTION = 'Ferry times change on Monday #harbour @citycouncil';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-instagram-adapter-'));
  const clip = await makeVideo(dir, 'clip', { seconds: 1 });
  video = await padVideo(clip, join(dir, 'video.mp4'), SIZE);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(options: InstagramSimulatorOptions = {}): Promise<InstagramSimulator> {
  return suite.start(() => startInstagramSimulator(options));
}

function harness(s: InstagramSimulator): PublishHarness {
  const token = s.issueUserToken();
  return publishHarness({
    platform: 'instagram',
    accountId: s.accounts()[0]!.id,
    apiBase: s.origin,
    http: suite.client(),
    credentials: { accessToken: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 },
    requestCount: () => s.requests().length,
  });
}

async function request(): Promise<PublishRequest> {
  const bytes = (await stat(video)).size;
  return {
    postId: 'post-1',
    idempotencyKey: 'post-1:instagram:account',
    caption: CAPTION,
    options: {},
    media: [{ kind: 'video', path: video, bytes, format: 'mp4', contentType: 'video/mp4', cleanSha256: 'clean', altText: null, width: 720, height: 1280, durationMs: 5000 }],
  };
}

function adapterWith(options: InstagramAdapterOptions = {}) {
  const { sleep, sleeps } = recordingSleep();
  const adapter = createInstagramAdapter({ sleep, random: () => 0.5, ...options });
  return { adapter, sleeps };
}

const endpoints = (s: InstagramSimulator) => s.requests().map((r) => r.endpoint);
const count = (s: InstagramSimulator, endpoint: string) => endpoints(s).filter((e) => e === endpoint).length;

describe('Instagram adapter: Reels', () => {
  it('creates a container, uploads to its uri, waits for FINISHED, checks the limit and publishes', async () => {
    const s = await start({ processingPolls: 1 });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith();
    const req = await request();

    const result = await adapter.publish(req, h.context);

    const [reel] = s.feed();
    expect(s.feed()).toHaveLength(1);
    expect(reel).toMatchObject({ accountId: s.accounts()[0]!.id, caption: CAPTION, shareToFeed: true, sizeBytes: SIZE, sha256: await sha256Of(video) });
    expect(result).toEqual({ remoteId: reel!.id, url: reel!.permalink, outcome: 'published' });
    expect(endpoints(s)).toEqual(['container', 'upload', 'status', 'status', 'limit', 'publish', 'status']);
    // "Once per minute": one read said IN_PROGRESS.
    expect(sleeps).toEqual([60_000]);
    // One upload request of the file's size, streamed from the library.
    expect(s.requests().filter((r) => r.endpoint === 'upload').map((r) => r.bytes)).toEqual([SIZE]);
    expect(progressIsMonotonic(h.progress, SIZE)).toBe(true);
    expect(JSON.stringify(h.states)).not.toMatch(/EAAG/);

    const before = s.requests().length;
    expect(await adapter.publish(req, h.context)).toEqual(result);
    expect(await adapter.reconcile(req, h.context)).toEqual(result);
    expect(s.requests()).toHaveLength(before);
  });

  it('after a connection dropped mid-upload, sends the whole file again to the same container', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'upload' }] });
    const { adapter } = adapterWith();

    await adapter.publish(await request(), harness(s).context);

    expect(count(s, 'container')).toBe(1);
    expect(s.requests().filter((r) => r.endpoint === 'upload').map((r) => [r.bytes, r.status])).toEqual([[SIZE, 0], [SIZE, 200]]);
    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
  });

  it('retries a 500 on the container and a rate limit on publishing', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'container' }, { kind: 'rate-limit', endpoint: 'publish' }] });
    const { adapter, sleeps } = adapterWith();

    await adapter.publish(await request(), harness(s).context);

    expect(s.requests().filter((r) => r.endpoint === 'container').map((r) => r.status)).toEqual([500, 200]);
    expect(s.requests().filter((r) => r.endpoint === 'publish').map((r) => r.status)).toEqual([400, 200]);
    expect(sleeps.length).toBeGreaterThanOrEqual(2);
    expect(s.feed()).toHaveLength(1);
  });

  it('asks IT to reconnect when the token has expired (190/463)', async () => {
    const s = await start({ faults: [{ kind: 'expired-token', endpoint: 'container' }] });
    const err = await adapterWith().adapter.publish(await request(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.instagram.token-expired', next: 'reconnect', message: 'The connection to Instagram has expired or was withdrawn. Ask IT to reconnect the Instagram account.' });
    expect(count(s, 'upload')).toBe(0);
  });

  it('leaves the job for later when the 24 h publishing limit is used up, before publishing', async () => {
    const s = await start({ publishesPerDay: 0 });
    const err = await adapterWith().adapter.publish(await request(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.instagram.publish-limit', next: 'later', retryable: true, message: 'This Instagram account has published as many posts as Instagram allows in 24 hours. Airlock will try again later.' });
    expect(count(s, 'publish')).toBe(0);
  });

  it('says plainly that Instagram could not process the video', async () => {
    const s = await start({ faults: [{ kind: 'processing-error', endpoint: 'container' }] });
    const err = await adapterWith().adapter.publish(await request(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.instagram.processing-failed', next: 'fix' });
    expect(s.feed()).toHaveLength(0);
  });

  it('stops polling after five reads and leaves the container for a later run', async () => {
    const s = await start({ processingPolls: 10 });
    const h = harness(s);
    const err = await adapterWith().adapter.publish(await request(), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.instagram.still-processing', next: 'retry' });
    expect(count(s, 'status')).toBe(5);
    // The next run carries on with the same container, without uploading again.
    await adapterWith({ maxPolls: 10 }).adapter.publish(await request(), h.context);
    expect(count(s, 'container')).toBe(1);
    expect(count(s, 'upload')).toBe(1);
    expect(s.feed()).toHaveLength(1);
  });

  it('starts a new container once when the saved one expired (24 h)', async () => {
    const clock = manualClock(Date.now());
    const s = await start({ clock, processingPolls: 10 });
    const h = harness(s);
    await adapterWith().adapter.publish(await request(), h.context).catch(() => undefined);
    clock.advance(25 * 60 * 60_000);

    await adapterWith({ maxPolls: 20 }).adapter.publish(await request(), h.context);

    expect(count(s, 'container')).toBe(2);
    expect(s.feed()).toHaveLength(1);
    expect(s.containers().map((c) => c.statusCode)).toEqual(['EXPIRED', 'PUBLISHED']);
  });

  it('settles a publish whose answer was lost by the container status, never publishing twice', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'publish', when: 'after-processing' }] });
    const h = harness(s);
    const req = await request();

    expect(await adapterWith({ maxAttempts: 1 }).adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.instagram.unreachable' });
    expect(s.feed()).toHaveLength(1);

    const { adapter } = adapterWith();
    const found = await adapter.reconcile(req, h.context);
    expect(found).toEqual({ remoteId: s.feed()[0]!.id, url: s.feed()[0]!.permalink, outcome: 'published' });
    expect(await adapter.publish(req, h.context)).toEqual(found);
    expect(count(s, 'publish')).toBe(1);
    expect(s.feed()).toHaveLength(1);
  });

  it('within one run, checks the container before sending media_publish again', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'publish', when: 'after-processing' }] });
    const result = await adapterWith().adapter.publish(await request(), harness(s).context);
    expect(result.remoteId).toBe(s.feed()[0]!.id);
    expect(count(s, 'publish')).toBe(1);
    expect(s.feed()).toHaveLength(1);
  });
});
