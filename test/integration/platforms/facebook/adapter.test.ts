// The Facebook Page adapter against the protocol-faithful Graph simulator on 127.0.0.1, through
// the real egress client: the Page token read with the user token, the Resumable Upload API
// (session, bytes at file_offset, the offset asked after a dropped connection and only the rest
// sent), the video published with the file handle, photo and text posts, Graph rate limits and
// 5xx, an expired token, a missing permission in plain words, and crash and resume without a
// second post.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { createFacebookAdapter, type FacebookAdapterOptions } from '../../../../electron/platforms/facebook/adapter.ts';
import { startFacebookSimulator, type FacebookSimulator, type FacebookSimulatorOptions } from '../../../../electron/platforms/facebook/simulator.ts';
import { plainPhoto } from '../../../support/image-fixtures.ts';
import { MiB, padVideo, sha256Of } from '../../../support/platform-driver.ts';
import { progressIsMonotonic, publishHarness, recordingSleep, simulatorPerTest, type PublishHarness } from '../../../support/publish-harness.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';

let dir: string;
let video: string;
let photo: string;
const suite = simulatorPerTest<FacebookSimulator>();

const SIZE = 6 * MiB + 777;
const CAPTION = 'Ferry times change on Monday. Details at the harbour office.';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-facebook-adapter-'));
  const clip = await makeVideo(dir, 'clip', { seconds: 1 });
  video = await padVideo(clip, join(dir, 'video.mp4'), SIZE);
  photo = join(dir, 'photo.jpg');
  await plainPhoto(photo, 'jpeg', 800, 600);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(options: FacebookSimulatorOptions = {}): Promise<FacebookSimulator> {
  return suite.start(() => startFacebookSimulator(options));
}

function harness(s: FacebookSimulator, expiresAt?: number): PublishHarness {
  const token = s.issueUserToken();
  return publishHarness({
    platform: 'facebook',
    accountId: s.pages()[0]!.id,
    apiBase: s.origin,
    http: suite.client(),
    credentials: { accessToken: token.access_token, expiresAt: expiresAt ?? Date.now() + token.expires_in * 1000 },
    requestCount: () => s.requests().length,
  });
}

async function videoRequest(options: Record<string, unknown> = { title: 'New ferry times' }): Promise<PublishRequest> {
  const bytes = (await stat(video)).size;
  return {
    postId: 'post-1',
    idempotencyKey: 'post-1:facebook:page',
    caption: CAPTION,
    options,
    media: [{ kind: 'video', path: video, bytes, format: 'mp4', contentType: 'video/mp4', cleanSha256: 'clean', altText: null, width: 160, height: 120, durationMs: 1000 }],
  };
}

function adapterWith(s: FacebookSimulator, options: FacebookAdapterOptions = {}) {
  const { sleep, sleeps } = recordingSleep();
  const adapter = createFacebookAdapter({ sleep, random: () => 0.5, appCredentials: async () => ({ clientId: s.appId, clientSecret: 'app-secret' }), ...options });
  return { adapter, sleeps };
}

const endpoints = (s: FacebookSimulator) => s.requests().map((r) => r.endpoint);
const count = (s: FacebookSimulator, endpoint: string) => endpoints(s).filter((e) => e === endpoint).length;

describe('Facebook adapter: Page video', () => {
  it('reads the Page token, uploads through a session, and publishes the video with the file handle', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const req = await videoRequest();

    const result = await adapter.publish(req, h.context);

    const [post] = s.feed();
    expect(s.feed()).toHaveLength(1);
    expect(post).toMatchObject({ pageId: s.pages()[0]!.id, kind: 'video', title: 'New ferry times', message: CAPTION, sizeBytes: SIZE, sha256: await sha256Of(video) });
    expect(result).toEqual({ remoteId: post!.id, url: `https://www.facebook.com/${s.pages()[0]!.id}/videos/${post!.id}/`, outcome: 'published' });
    expect(endpoints(s)).toEqual(['start', 'transfer', 'page', 'publish']);
    const transfer = s.requests().find((r) => r.endpoint === 'transfer')!;
    expect([transfer.fileOffset, transfer.bytes]).toEqual([0, SIZE]);
    expect(progressIsMonotonic(h.progress, SIZE)).toBe(true);
    // The checkpoint holds the session and handle, never a token.
    expect(JSON.stringify(h.states)).not.toMatch(/EAA[GP]/);

    const before = s.requests().length;
    expect(await adapter.publish(req, h.context)).toEqual(result);
    expect(await adapter.reconcile(req, h.context)).toEqual(result);
    expect(s.requests()).toHaveLength(before);
  });

  it('after a connection dropped mid-upload, asks the offset and sends only the rest', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'transfer' }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);

    await adapter.publish(await videoRequest(), h.context);

    expect(endpoints(s)).toEqual(['start', 'transfer', 'offset', 'transfer', 'page', 'publish']);
    const [first, second] = s.requests().filter((r) => r.endpoint === 'transfer');
    // Half the file arrived; the second request carried only the rest, from where it stopped.
    const kept = Math.floor(SIZE / 2);
    expect([first!.fileOffset, first!.bytes]).toEqual([0, SIZE]);
    expect([second!.fileOffset, second!.bytes]).toEqual([kept, SIZE - kept]);
    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
    expect(sleeps).toHaveLength(1);
    expect(progressIsMonotonic(h.progress, SIZE)).toBe(true);
  });

  it('waits out a Page rate limit for the time Graph names, and retries a 500', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', endpoint: 'start', regainMinutes: 2 }, { kind: 'server-error', endpoint: 'publish', status: 500 }] });
    const { adapter, sleeps } = adapterWith(s);

    await adapter.publish(await videoRequest(), harness(s).context);

    expect(s.requests().filter((r) => r.endpoint === 'start').map((r) => r.status)).toEqual([400, 200]);
    expect(sleeps[0]).toBeGreaterThanOrEqual(120_000);
    expect(s.requests().filter((r) => r.endpoint === 'publish').map((r) => r.status)).toEqual([500, 200]);
    // The second try looked for the video first, in case the first had made it.
    expect(endpoints(s).slice(-3)).toEqual(['publish', 'videos', 'publish']);
    expect(s.feed()).toHaveLength(1);
  });

  it('ends a job with a rate limit too long to wait, to try later', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', endpoint: 'start', regainMinutes: 60 }] });
    const err = await adapterWith(s).adapter.publish(await videoRequest(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.facebook.rate-limited', next: 'later', message: 'Facebook asked Airlock to wait about 60 minutes before sending more. Try again later.' });
    expect((err as { detail: string }).detail).toContain('code=32');
  });

  it('asks IT to reconnect when the user token has expired (190/463), having sent nothing', async () => {
    const s = await start({ faults: [{ kind: 'expired-token', endpoint: 'start' }] });
    const err = await adapterWith(s).adapter.publish(await videoRequest(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.facebook.token-expired', next: 'reconnect', message: 'The connection to Facebook has expired or was withdrawn. Ask IT to reconnect the Facebook account.' });
    expect((err as { detail: string }).detail).toMatch(/code=190 subcode=463 fbtrace_id=\S+/);
    expect(count(s, 'transfer')).toBe(0);
  });

  it('refuses a stored token past its expiry before anything is sent', async () => {
    const s = await start();
    const err = await adapterWith(s).adapter.publish(await videoRequest(), harness(s, Date.now() - 1000).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.facebook.token-expired', next: 'reconnect' });
    expect(s.requests()).toHaveLength(0);
  });

  it('says plainly when the account may not create content on the Page', async () => {
    const s = await start({ pages: [{ tasks: ['ANALYZE'] }] });
    const err = await adapterWith(s).adapter.publish({ postId: 'p', idempotencyKey: 'p:facebook', caption: 'Hello', options: {}, media: [] }, harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.facebook.not-allowed', next: 'reconnect', retryable: false });
    expect((err as Error).message).toBe('Facebook did not allow posting to this Page. The person who connected it must be allowed to create content on it. Ask IT to reconnect it.');
    expect(s.feed()).toHaveLength(0);
  });

  it('says the app details are missing when no app id is provisioned for the upload session', async () => {
    const s = await start();
    const err = await adapterWith(s, { appCredentials: async () => null }).adapter.publish(await videoRequest(), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.facebook.app-credentials-missing', next: 'fix' });
    expect(s.requests()).toHaveLength(0);
  });
});

describe('Facebook adapter: photos and text', () => {
  it('posts a photo as multipart with its message', async () => {
    const s = await start();
    const bytes = (await stat(photo)).size;
    const req: PublishRequest = { postId: 'p2', idempotencyKey: 'p2:facebook', caption: 'Library open late', options: {}, media: [{ kind: 'image', path: photo, bytes, format: 'jpeg', contentType: 'image/jpeg', cleanSha256: 'c', altText: null, width: 800, height: 600, durationMs: null }] };
    const result = await adapterWith(s).adapter.publish(req, harness(s).context);
    expect(endpoints(s)).toEqual(['page', 'photo']);
    expect(s.feed()[0]).toMatchObject({ kind: 'photo', message: 'Library open late', sizeBytes: bytes, sha256: createHash('sha256').update(await readFile(photo)).digest('hex') });
    expect(result.remoteId).toBe(`${s.pages()[0]!.id}_${s.feed()[0]!.id}`);
  });

  it('posts text alone to the feed', async () => {
    const s = await start();
    const result = await adapterWith(s).adapter.publish({ postId: 'p', idempotencyKey: 'p:facebook', caption: 'Council meeting at 7.', options: {}, media: [] }, harness(s).context);
    expect(s.feed()[0]).toMatchObject({ kind: 'text', message: 'Council meeting at 7.' });
    expect(result.remoteId).toBe(`${s.pages()[0]!.id}_${s.feed()[0]!.id}`);
  });
});

describe('Facebook adapter: crash and resume', () => {
  it('after a crash mid-upload, asks the saved session and sends only the rest', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'transfer' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s, { maxAttempts: 1 });
    const req = await videoRequest();
    expect(await adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.facebook.unreachable' });
    expect(await adapter.reconcile(req, h.context)).toBeNull();

    const result = await adapterWith(s).adapter.publish(req, h.context);

    expect(count(s, 'start')).toBe(1);
    expect(s.requests().filter((r) => r.endpoint === 'transfer').map((r) => r.fileOffset)).toEqual([0, Math.floor(SIZE / 2)]);
    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
    expect(result.remoteId).toBe(s.feed()[0]!.id);
  });

  it('finds the video whose answer was lost, and never publishes it twice', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'publish', when: 'after-processing' }] });
    const h = harness(s);
    const req = await videoRequest();

    expect(await adapterWith(s, { maxAttempts: 1 }).adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.facebook.unreachable' });
    expect(s.feed()).toHaveLength(1);

    const { adapter } = adapterWith(s);
    const found = await adapter.reconcile(req, h.context);
    expect(found).toEqual({ remoteId: s.feed()[0]!.id, url: `https://www.facebook.com/${s.pages()[0]!.id}/videos/${s.feed()[0]!.id}/`, outcome: 'published' });
    expect(await adapter.publish(req, h.context)).toEqual(found);
    expect(s.feed()).toHaveLength(1);
    expect(count(s, 'publish')).toBe(1);
    expect(count(s, 'start')).toBe(1);
  });

  it('starts a new session once when the saved one has expired before the handle came', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'transfer' }] });
    const h = harness(s);
    const req = await videoRequest();
    await adapterWith(s, { maxAttempts: 1 }).adapter.publish(req, h.context).catch(() => undefined);
    s.injectFault({ kind: 'session-expired', endpoint: 'offset' });

    await adapterWith(s).adapter.publish(req, h.context);

    expect(count(s, 'start')).toBe(2);
    expect(s.feed()).toHaveLength(1);
    expect(s.feed()[0]!.sha256).toBe(await sha256Of(video));
  });
});
