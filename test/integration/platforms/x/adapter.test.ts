// The X adapter against the protocol-faithful simulator on 127.0.0.1, through the real egress
// client: segmented media uploads with processing, photos, a connection lost mid-segment,
// rate limits and server errors, a rotated refresh token saved before use, refusals staff can
// understand, each photo's description set before the post, and crash and resume without a
// second post.
import { createHash } from 'node:crypto';
import { open, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishMedia, PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { createXAdapter, type XAdapterOptions } from '../../../../electron/platforms/x/adapter.ts';
import { segmentChainHash, startXSimulator, type XSimulator, type XSimulatorOptions } from '../../../../electron/platforms/x/simulator.ts';
import { plainPhoto } from '../../../support/image-fixtures.ts';
import { MiB, padVideo } from '../../../support/platform-driver.ts';
import { progressIsMonotonic, publishHarness, recordingSleep, simulatorPerTest, type PublishHarness } from '../../../support/publish-harness.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';

let dir: string;
let clip: string;
let video: string;
let photo: string;
let photo2: string;
let gif: string;
const suite = simulatorPerTest<XSimulator>();

const SEGMENT = 1 * MiB;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-x-adapter-'));
  clip = await makeVideo(dir, 'clip', { seconds: 1 });
  video = await padVideo(clip, join(dir, 'video.mp4'), 5 * MiB + 4321);
  photo = join(dir, 'photo.jpg');
  photo2 = join(dir, 'photo2.png');
  await plainPhoto(photo, 'jpeg', 1200, 800);
  await plainPhoto(photo2, 'png', 400, 300);
  gif = join(dir, 'wave.gif');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20, g: 120, b: 200 } } }).gif().toFile(gif);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(options: XSimulatorOptions = {}): Promise<XSimulator> {
  return suite.start(() => startXSimulator(options));
}

function harness(s: XSimulator): PublishHarness {
  const tokens = s.issueTokens();
  return publishHarness({
    platform: 'x',
    accountId: s.accounts()[0]!.id,
    apiBase: s.origin,
    http: suite.client(),
    credentials: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token!, expiresAt: Date.now() + tokens.expires_in * 1000, scopes: tokens.scope.split(' ') },
    requestCount: () => s.requests().length,
  });
}

async function mediaOf(path: string, kind: 'image' | 'video', contentType: string): Promise<PublishMedia> {
  const bytes = (await stat(path)).size;
  return { kind, path, bytes, format: contentType.split('/')[1]!, contentType, cleanSha256: `sha-of-${path}`, altText: null, width: null, height: null, durationMs: kind === 'video' ? 1000 : null };
}

async function request(media: PublishMedia[], caption = 'Library opening hours change on Monday #library'): Promise<PublishRequest> {
  return { postId: 'post-1', idempotencyKey: 'post-1:x:acct', caption, options: {}, media };
}

function adapterWith(s: XSimulator, options: XAdapterOptions = {}) {
  const { sleep, sleeps } = recordingSleep();
  const adapter = createXAdapter({ segmentBytes: SEGMENT, sleep, random: () => 0.5, appCredentials: async () => ({ clientId: s.clientId, clientSecret: '' }), ...options });
  return { adapter, sleeps };
}

/** What the simulator's content hash is for `path` sent in `segment`-byte pieces. */
async function expectedChain(path: string, segment: number): Promise<string> {
  const size = (await stat(path)).size;
  const file = await open(path, 'r');
  try {
    const hashes: string[] = [];
    for (let at = 0; at < size; at += segment) {
      const buf = Buffer.alloc(Math.min(segment, size - at));
      await file.read(buf, 0, buf.length, at);
      hashes.push(createHash('sha256').update(buf).digest('hex'));
    }
    return segmentChainHash(hashes);
  } finally {
    await file.close();
  }
}

const endpoints = (s: XSimulator) => s.requests().map((r) => r.endpoint);
const count = (s: XSimulator, endpoint: string) => endpoints(s).filter((e) => e === endpoint).length;

describe('X adapter: publishing', () => {
  it('sends a video in 1 MiB segments, waits out processing at X\'s pace, and posts it with its caption', async () => {
    const s = await start({ processingPolls: 2, checkAfterSecs: 3 });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    const req = await request([await mediaOf(video, 'video', 'video/mp4')]);

    const result = await adapter.publish(req, h.context);

    const [post] = s.feed();
    expect(s.feed()).toHaveLength(1);
    expect(post!.text).toBe(req.caption);
    expect(post!.media).toEqual([{ mediaKey: post!.mediaKeys[0], type: 'video/mp4', contentHash: await expectedChain(video, SEGMENT), sizeBytes: req.media[0]!.bytes, altText: null }]);
    expect(result).toEqual({ remoteId: post!.id, url: `https://x.com/citycouncil/status/${post!.id}`, outcome: 'published' });
    expect(endpoints(s)).toEqual(['me', 'initialize', ...Array(6).fill('append'), 'finalize', 'status', 'status', 'status', 'tweets']);
    // Each segment went as its own request of at most one segment plus the multipart framing.
    expect(s.segments().map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Math.max(...s.segments().map((g) => g.bytes))).toBe(SEGMENT);
    expect(Math.max(...s.requests().filter((r) => r.endpoint === 'append').map((r) => r.bytes))).toBeLessThan(SEGMENT + 1024);
    expect(sleeps.filter((ms) => ms === 3000)).toHaveLength(2);
    expect(progressIsMonotonic(h.progress, req.media[0]!.bytes)).toBe(true);
    expect(h.progress.at(-1)).toEqual({ phase: 'creating', bytesDone: req.media[0]!.bytes, bytesTotal: req.media[0]!.bytes });
    expect(h.progress.filter((p) => p.phase === 'uploading').length).toBeGreaterThan(5);

    // Done: asking again answers from the checkpoint and sends nothing.
    const before = s.requests().length;
    expect(await adapter.publish(req, h.context)).toEqual(result);
    expect(await adapter.reconcile(req, h.context)).toEqual(result);
    expect(s.requests()).toHaveLength(before);
  });

  it('posts two photos, which X needs no processing for', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const req = await request([await mediaOf(photo, 'image', 'image/jpeg'), await mediaOf(photo2, 'image', 'image/png')]);

    await adapter.publish(req, h.context);

    expect(s.feed()[0]!.media.map((m) => m.type)).toEqual(['image/jpeg', 'image/png']);
    expect(s.feed()[0]!.media[0]!.contentHash).toBe(await expectedChain(photo, SEGMENT));
    expect(count(s, 'status')).toBe(0);
    expect(count(s, 'initialize')).toBe(2);
  });

  it('sends a segment again after the connection drops halfway through it, and only that segment', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'append', segmentIndex: 3 }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    const req = await request([await mediaOf(video, 'video', 'video/mp4')]);

    await adapter.publish(req, h.context);

    expect(count(s, 'append')).toBe(7);
    expect(s.requests().filter((r) => r.endpoint === 'append' && r.status === 0)).toHaveLength(1);
    expect(s.segments().map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.feed()[0]!.media[0]!.contentHash).toBe(await expectedChain(video, SEGMENT));
    expect(sleeps[0]).toBeGreaterThan(0);
    expect(progressIsMonotonic(h.progress, req.media[0]!.bytes)).toBe(true);
  });

  it('waits until x-rate-limit-reset after a 429, and retries a 503, posting once', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', endpoint: 'tweets', resetSeconds: 40 }, { kind: 'server-error', endpoint: 'finalize', status: 503 }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    const req = await request([await mediaOf(photo, 'image', 'image/jpeg')]);

    await adapter.publish(req, h.context);

    expect(s.feed()).toHaveLength(1);
    expect(count(s, 'finalize')).toBe(2);
    expect(s.requests().filter((r) => r.endpoint === 'tweets').map((r) => r.status)).toEqual([429, 201]);
    // The reset is whole seconds away (epoch seconds rounded up), plus up to a second of jitter.
    expect(sleeps.some((ms) => ms >= 39_000 && ms <= 42_000)).toBe(true);
  });

  it('ends with "try later" when X asks for a longer wait than the queue should be held', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', endpoint: 'me', resetSeconds: 3600 }] });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const err = await adapter.publish(await request([]), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.x.rate-limited', next: 'later', message: expect.stringMatching(/^X asked Airlock to wait about 6\d minutes/) });
    expect(s.feed()).toHaveLength(0);
  });

  it('renews an expired token once, storing the rotated refresh token before using it', async () => {
    const s = await start({ faults: [{ kind: 'expired-token', endpoint: 'initialize' }] });
    const h = harness(s);
    const first = h.creds();
    const { adapter } = adapterWith(s);

    await adapter.publish(await request([await mediaOf(photo, 'image', 'image/jpeg')]), h.context);

    expect(h.saved).toHaveLength(1);
    expect(h.saved[0]!.refreshToken).not.toBe(first.refreshToken);
    expect(h.saved[0]!.accessToken).not.toBe(first.accessToken);
    const requests = s.requests();
    const tokenAt = requests.findIndex((r) => r.endpoint === 'token');
    // Saved right after the token answer, before the next call went out.
    expect(h.savedAtRequest[0]).toBe(tokenAt + 1);
    expect(requests[tokenAt - 1]).toMatchObject({ endpoint: 'initialize', status: 401 });
    expect(requests[tokenAt + 1]).toMatchObject({ endpoint: 'initialize', status: 200 });
    // The old refresh token was retired by the rotation.
    const stale = await fetch(`${s.origin}/2/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refreshToken!, client_id: s.clientId }) });
    expect(stale.status).toBe(400);
    expect(s.feed()).toHaveLength(1);
  });
});

describe('X adapter: refusals in plain words', () => {
  it('says X could not process the video, and forgets the upload so a retry starts afresh', async () => {
    const s = await start({ faults: [{ kind: 'processing-failure' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const err = await adapter.publish(await request([await mediaOf(video, 'video', 'video/mp4')]), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.x.processing-failed', next: 'fix', message: 'X could not process the video (its format, length or size is not one X accepts). Nothing was published.' });
    expect(s.feed()).toHaveLength(0);
    expect(h.state().media).toEqual([null]);
  });

  it('explains that X will not post the same text twice', async () => {
    const s = await start();
    const { adapter } = adapterWith(s);
    await adapter.publish(await request([]), harness(s).context);
    const err = await adapter.publish(await request([]), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.x.duplicate', next: 'fix', message: 'X will not publish the same text twice from one account. Change the caption and send the post again.' });
    expect(s.feed()).toHaveLength(1);
  });

  it('asks IT to reconnect when the refresh token is no longer accepted', async () => {
    const s = await start({ faults: [{ kind: 'expired-token', endpoint: 'me' }] });
    const h = harness(s);
    h.context.credentials = async () => ({ ...h.creds(), refreshToken: 'not-a-token' });
    const { adapter } = adapterWith(s);
    const err = await adapter.publish(await request([]), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.x.refresh-rejected', next: 'reconnect', message: 'The connection to X has expired or was withdrawn. Ask IT to reconnect the X account.' });
  });
});

describe('X adapter: crash and resume', () => {
  it('finds the post an unanswered attempt created, instead of posting it twice', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'tweets', when: 'after-processing' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s, { maxAttempts: 1 });
    const req = await request([await mediaOf(photo, 'image', 'image/jpeg')]);

    const err = await adapter.publish(req, h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.x.unreachable' });
    expect(s.feed()).toHaveLength(1);

    // After a restart the publisher asks first: the post is found among the account's posts.
    const found = await adapter.reconcile(req, h.context);
    expect(found).toEqual({ remoteId: s.feed()[0]!.id, url: `https://x.com/citycouncil/status/${s.feed()[0]!.id}`, outcome: 'published' });
    expect(await adapter.publish(req, h.context)).toEqual(found);
    expect(s.feed()).toHaveLength(1);
    expect(count(s, 'tweets')).toBe(1);
  });

  it('a job run again after an unanswered post looks it up before sending anything', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'tweets', when: 'after-processing' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s, { maxAttempts: 1 });
    const req = await request([await mediaOf(photo, 'image', 'image/jpeg')]);
    await adapter.publish(req, h.context).catch(() => undefined);
    const before = s.requests().length;

    const result = await adapter.publish(req, h.context);

    expect(result.remoteId).toBe(s.feed()[0]!.id);
    expect(s.feed()).toHaveLength(1);
    expect(s.requests().slice(before).map((r) => r.endpoint)).toEqual(['user_tweets']);
  });

  it('looks before it resends a post whose answer was lost, within one job', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'tweets', when: 'after-processing' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const result = await adapter.publish(await request([]), h.context);
    expect(s.feed()).toHaveLength(1);
    expect(result.remoteId).toBe(s.feed()[0]!.id);
    expect(count(s, 'tweets')).toBe(1);
    expect(count(s, 'user_tweets')).toBe(1);
  });

  it('recognises a lost text-only post whose link X rewrote to t.co', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'tweets', when: 'after-processing' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s, { maxAttempts: 1 });
    const req = await request([], 'Opening hours: https://example.org/library/hours');
    await adapter.publish(req, h.context).catch(() => undefined);
    expect(s.feed()[0]!.text).toBe(req.caption);
    const found = await adapter.reconcile(req, h.context);
    expect(found?.remoteId).toBe(s.feed()[0]!.id);
    expect(count(s, 'tweets')).toBe(1);
  });

  it('reconcile says nothing was posted when the job stopped before the post was sent', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    expect(await adapter.reconcile(await request([]), h.context)).toBeNull();
    expect(s.requests()).toHaveLength(0);
  });

  it('carries an upload on from the last checkpointed segment after the job was stopped', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const req = await request([await mediaOf(video, 'video', 'video/mp4')]);
    h.onSave = (state) => {
      const m = (state.media as { segmentsDone: number }[] | undefined)?.[0];
      if (m?.segmentsDone === 3) h.controller.abort();
    };
    const err = await adapter.publish(req, h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.x.aborted' });
    expect(s.feed()).toHaveLength(0);

    h.onSave = undefined;
    const result = await adapter.publish(req, { ...h.context, signal: new AbortController().signal });

    expect(count(s, 'initialize')).toBe(1);
    expect(s.segments().map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.feed()[0]!.media[0]!.contentHash).toBe(await expectedChain(video, SEGMENT));
    expect(result.remoteId).toBe(s.feed()[0]!.id);
  });
});

describe('X adapter: descriptions (alt text) through media metadata', () => {
  const described = async (path: string, contentType: string, altText: string | null, kind: 'image' | 'video' = 'image'): Promise<PublishMedia> => ({ ...(await mediaOf(path, kind, contentType)), altText });

  it('sets each photo\'s description once its upload has finished and before the post, and a photo without one has none', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const req = await request([
      await described(photo, 'image/jpeg', 'The new library entrance, with a ramp on the left'),
      await described(photo2, 'image/png', '  Opening hours: Monday to Friday, 9 to 18  '),
      await described(photo, 'image/jpeg', '   '),
    ]);

    await adapter.publish(req, h.context);

    expect(s.feed()).toHaveLength(1);
    expect(s.feed()[0]!.media.map((m) => m.altText)).toEqual(['The new library entrance, with a ramp on the left', 'Opening hours: Monday to Friday, 9 to 18', null]);
    expect(endpoints(s)).toEqual(['me', 'initialize', 'append', 'finalize', 'metadata', 'initialize', 'append', 'finalize', 'metadata', 'initialize', 'append', 'finalize', 'tweets']);
    expect(h.state().media).toMatchObject([{ altText: 'The new library entrance, with a ramp on the left' }, { altText: 'Opening hours: Monday to Friday, 9 to 18' }, { altText: null }]);
  });

  it('describes a GIF after X has processed it', async () => {
    const s = await start({ processingPolls: 1 });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    await adapter.publish(await request([await described(gif, 'image/gif', 'A wave of blue')]), h.context);
    expect(s.feed()[0]!.media).toMatchObject([{ type: 'image/gif', altText: 'A wave of blue' }]);
    expect(endpoints(s)).toEqual(['me', 'initialize', 'append', 'finalize', 'status', 'status', 'metadata', 'tweets']);
  });

  it('sends no description for a video, as X takes metadata for images and GIFs only', async () => {
    const s = await start({ processingPolls: 0 });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    await adapter.publish(await request([await described(clip, 'video/mp4', 'Ferry leaving the harbour', 'video')]), h.context);
    expect(count(s, 'metadata')).toBe(0);
    expect(s.feed()[0]!.media[0]!.altText).toBeNull();
  });

  it('tries the description again after a server error, posting once with it', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'metadata', status: 503 }, { kind: 'drop-connection', endpoint: 'metadata' }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    await adapter.publish(await request([await described(photo, 'image/jpeg', 'The harbour at dawn')]), h.context);
    expect(s.requests().filter((r) => r.endpoint === 'metadata').map((r) => r.status)).toEqual([503, 0, 200]);
    expect(sleeps.length).toBeGreaterThanOrEqual(2);
    expect(s.feed()).toHaveLength(1);
    expect(s.feed()[0]!.media[0]!.altText).toBe('The harbour at dawn');
  });

  it('ends in plain words, with no post, when X refuses a description', async () => {
    const s = await start({ faults: [{ kind: 'invalid-request', endpoint: 'metadata', message: 'alt_text.text is invalid.' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const err = await adapter.publish(await request([await described(photo, 'image/jpeg', 'A bench'), await described(photo2, 'image/png', 'A tree')]), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'publish.x.alt-text-refused',
      next: 'fix',
      message: 'X did not accept the description (alt text) of photo 1. Nothing was published. Ask IT to look at the details.',
      detail: expect.stringContaining('alt_text.text is invalid.'),
    });
    expect(count(s, 'tweets')).toBe(0);
    expect(s.feed()).toHaveLength(0);
  });

  it('refuses a description longer than 1000 characters before sending anything', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const err = await adapter.publish(await request([await described(photo, 'image/jpeg', 'd'.repeat(1001))]), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.x.alt-too-long', next: 'fix', message: 'The description of photo 1 is longer than X allows (1000 characters). Nothing was sent; shorten it and send the post again.' });
    expect(s.requests()).toHaveLength(0);
  });

  it('after a stop between the descriptions and the post, posts once with both descriptions and does not set them again', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const req = await request([await described(photo, 'image/jpeg', 'Council chamber'), await described(photo2, 'image/png', 'Mayor at the lectern')]);
    h.onSave = (state) => {
      if ((state.media as { altText?: string | null }[] | undefined)?.[1]?.altText) h.controller.abort();
    };
    expect(await adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.x.aborted' });
    expect(s.feed()).toHaveLength(0);
    h.onSave = undefined;
    const restarted = { ...h.context, signal: new AbortController().signal };
    expect(await adapter.reconcile(req, restarted)).toBeNull();
    const before = s.requests().length;
    const result = await adapter.publish(req, restarted);

    // Nothing uploaded or described again; the post, looked for first, then sent once.
    expect(s.requests().slice(before).map((r) => r.endpoint).filter((e) => e !== 'user_tweets')).toEqual(['tweets']);
    expect(s.feed()).toHaveLength(1);
    expect(result.remoteId).toBe(s.feed()[0]!.id);
    expect(s.feed()[0]!.media.map((m) => m.altText)).toEqual(['Council chamber', 'Mayor at the lectern']);
  });

  it('after a description whose answer was lost, sets it again on the same upload and posts once with it', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'metadata', when: 'after-processing' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s, { maxAttempts: 1 });
    const req = await request([await described(photo, 'image/jpeg', 'Snow on the town hall roof')]);
    expect(await adapter.publish(req, h.context).catch((e: unknown) => e)).toMatchObject({ code: 'publish.x.unreachable' });
    expect(count(s, 'tweets')).toBe(0);
    expect(await adapter.reconcile(req, h.context)).toBeNull();

    await adapter.publish(req, h.context);

    expect(count(s, 'initialize')).toBe(1);
    expect(count(s, 'metadata')).toBe(2);
    expect(count(s, 'tweets')).toBe(1);
    expect(s.feed()[0]!.media[0]!.altText).toBe('Snow on the town hall roof');
  });
});
