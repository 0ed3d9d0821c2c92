// The Mastodon adapter against the simulator on 127.0.0.1, through the real egress client, with
// real photos and a real video: posts with alt text, async video processing, the Idempotency-Key
// keeping duplicates out, faults mid-upload, refusals staff must understand, crash and resume.
// A socket spy fails the file if anything dials beyond loopback.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PublishContext, PublishMedia, PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { createMastodonAdapter, type MastodonAdapterOptions } from '../../../../electron/platforms/mastodon/adapter.ts';
import { startMastodonSimulator, type MastodonSimulator, type MastodonSimulatorOptions } from '../../../../electron/platforms/mastodon/simulator.ts';
import { EgressLog } from '../../../../electron/services/egress/egress-log.ts';
import { EgressPolicy } from '../../../../electron/services/egress/egress-policy.ts';
import { createEgressClient, type EgressClient } from '../../../../electron/services/egress/http-client.ts';
import { installSocketSpy } from '../../egress/socket-spy.ts';
import { plainPhoto } from '../../../support/image-fixtures.ts';
import { sha256Of } from '../../../support/platform-driver.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';

const spy = installSocketSpy();
let dir: string;
let photo: string;
let photo2: string;
/** A camera-like photo of about 1.5 MB (noise does not compress), so an upload takes many packets. */
let noisy: string;
let clip: string;
let sim: MastodonSimulator | undefined;
let client: EgressClient | undefined;
let egressLog = new EgressLog();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-mastodon-adapter-'));
  photo = join(dir, 'photo.jpg');
  photo2 = join(dir, 'photo2.png');
  await plainPhoto(photo, 'jpeg', 1200, 800);
  await plainPhoto(photo2, 'png', 400, 300);
  noisy = join(dir, 'noisy.jpg');
  await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 90 }).toFile(noisy);
  clip = await makeVideo(dir, 'clip', { seconds: 1 });
}, 60_000);

afterAll(async () => {
  spy.restore();
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  client?.close();
  client = undefined;
  // Nothing tried to leave the machine: the policy allows loopback only and logs refusals.
  expect(egressLog.entries()).toEqual([]);
  await sim?.stop();
  sim = undefined;
});

async function start(options: MastodonSimulatorOptions = {}): Promise<MastodonSimulator> {
  sim = await startMastodonSimulator({ rateLimits: false, ...options });
  egressLog = new EgressLog();
  client = createEgressClient({ policy: new EgressPolicy({ allowedHosts: [], allowLoopback: true }), log: egressLog });
  return sim;
}

interface Harness {
  context: PublishContext;
  controller: AbortController;
  token: string;
  state: () => Record<string, unknown>;
  states: Record<string, unknown>[];
  progress: Parameters<PublishContext['onProgress']>[0][];
  onSave?: (state: Record<string, unknown>) => void;
}

function harness(s: MastodonSimulator, options: { token?: string; accountId?: string } = {}): Harness {
  const token = options.token ?? s.issueToken().access_token;
  let state: Record<string, unknown> = {};
  const controller = new AbortController();
  const h: Harness = {
    controller,
    token,
    state: () => state,
    states: [],
    progress: [],
    context: {
      account: { platform: 'mastodon', accountId: options.accountId ?? s.accounts()[0]!.id, apiBase: s.origin },
      http: client!,
      credentials: async () => ({ accessToken: token }),
      saveCredentials: async () => {
        throw new Error('Mastodon tokens are never renewed');
      },
      onProgress: (p) => h.progress.push(p),
      signal: controller.signal,
      checkpoint: {
        load: async () => structuredClone(state),
        save: async (next) => {
          state = structuredClone(next);
          h.states.push(state);
          h.onSave?.(state);
        },
      },
    },
  };
  return h;
}

/** The publisher restarted: the same checkpoint, a fresh signal. */
const restarted = (h: Harness): PublishContext => ({ ...h.context, signal: new AbortController().signal });

async function media(path: string, altText: string | null): Promise<PublishMedia> {
  const video = path.endsWith('.mp4');
  const format = video ? 'mp4' : path.endsWith('.png') ? 'png' : 'jpeg';
  return {
    kind: video ? 'video' : 'image',
    path,
    bytes: (await stat(path)).size,
    format,
    contentType: video ? 'video/mp4' : `image/${format}`,
    cleanSha256: await sha256Of(path),
    altText,
    width: null,
    height: null,
    durationMs: video ? 1000 : null,
  };
}

function request(items: PublishMedia[], caption = 'The library reopens on Monday with longer hours. #library', options: Record<string, unknown> = {}, key = 'post-1:mastodon:acct:0123456789abcdef'): PublishRequest {
  return { postId: 'post-1', idempotencyKey: key, caption, options, media: items };
}

function adapterWith(options: MastodonAdapterOptions = {}) {
  const sleeps: number[] = [];
  const adapter = createMastodonAdapter({
    pollIntervalMs: 5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { adapter, sleeps };
}

const endpoints = (s: MastodonSimulator) => s.requests().map((r) => r.endpoint);
const count = (s: MastodonSimulator, endpoint: string) => endpoints(s).filter((e) => e === endpoint).length;

function expectMonotonicProgress(h: Harness, total: number): void {
  const done = h.progress.map((p) => p.bytesDone);
  expect(done).toEqual([...done].sort((a, b) => a - b));
  expect(h.progress.every((p) => p.bytesTotal === total)).toBe(true);
  expect(h.progress.at(-1)).toMatchObject({ bytesDone: total, bytesTotal: total });
}

describe('Mastodon adapter: publishing', () => {
  it('posts a photo with alt text: verify → instance → upload (200) → status; in the feed with its description and exact bytes', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter, sleeps } = adapterWith();
    const item = await media(photo, 'The library entrance with its new ramp');
    const req = request([item], 'The library reopens on Monday with longer hours. #library https://example.org/library', { language: 'en-GB' });

    const result = await adapter.publish(req, h.context);

    const [post] = s.feed();
    expect(s.feed()).toHaveLength(1);
    expect(post).toMatchObject({ text: req.caption, visibility: 'public', language: 'en', idempotencyKey: req.idempotencyKey, application: 'Airlock (simulator)' });
    expect(post!.media).toEqual([expect.objectContaining({ type: 'image', description: 'The library entrance with its new ramp', sha256: item.cleanSha256, sizeBytes: item.bytes, width: 1200, height: 800, filename: 'airlock-1.jpg' })]);
    expect(result).toEqual({ remoteId: post!.id, url: post!.url, outcome: 'published' });
    expect(endpoints(s)).toEqual(['verify_credentials', 'instance', 'media_upload', 'status_create']);
    expect(sleeps).toEqual([]);
    expectMonotonicProgress(h, item.bytes);
    expect(h.progress.map((p) => p.phase)).toContain('uploading');
    expect(h.state()).toMatchObject({ media: [{ id: post!.media[0]!.id, processed: true }], statusSentAt: expect.any(Number), result });

    // Done: asking again answers from the checkpoint and sends nothing.
    const before = s.requests().length;
    expect(await adapter.publish(req, h.context)).toEqual(result);
    expect(await adapter.reconcile(req, h.context)).toEqual(result);
    expect(s.requests()).toHaveLength(before);
  });

  it('posts two photos with their own descriptions, the visibility and language from the options', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith();
    const items = [await media(photo, 'Front of the library'), await media(photo2, 'Opening hours poster')];
    await adapter.publish(request(items, 'New hours', { visibility: 'unlisted', language: 'cy' }), h.context);
    const [post] = s.feed();
    expect(post).toMatchObject({ visibility: 'unlisted', language: 'cy' });
    expect(post!.media.map((m) => [m.description, m.sha256])).toEqual([
      ['Front of the library', items[0]!.cleanSha256],
      ['Opening hours poster', items[1]!.cleanSha256],
    ]);
    expect(count(s, 'media_upload')).toBe(2);
  });

  it('posts a video: 202 while processing, polls 206 until 200, then the status', async () => {
    const s = await start({ processing: { polls: 3 } });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith({ pollIntervalMs: 40 });
    const item = await media(clip, 'A tour of the new reading room');
    await adapter.publish(request([item]), h.context);
    const [post] = s.feed();
    expect(post!.media).toEqual([expect.objectContaining({ type: 'video', sha256: item.cleanSha256, description: 'A tour of the new reading room' })]);
    const polls = s.requests().filter((r) => r.endpoint === 'media_get').map((r) => r.status);
    expect(polls).toEqual([206, 206, 206, 200]);
    expect(s.requests().find((r) => r.endpoint === 'media_upload')!.status).toBe(202);
    expect(sleeps).toEqual([40, 40, 40]);
    expect(h.progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['uploading', 'processing', 'creating']));
    expectMonotonicProgress(h, item.bytes);
  });

  it('posts text alone', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith();
    await adapter.publish(request([], 'Council meeting tonight at 7pm'), h.context);
    expect(s.feed().map((p) => [p.text, p.media.length])).toEqual([['Council meeting tonight at 7pm', 0]]);
  });

  it('delegates check() to the shared post rules', () => {
    const check = createMastodonAdapter().check({ caption: 'x'.repeat(501), media: [], options: {} });
    expect(check.platform).toBe('mastodon');
    expect(check.errors.map((e) => e.code)).toEqual(['mastodon.too-long']);
  });
});

describe('Mastodon adapter: never twice', () => {
  it('a second job with the same idempotency key gets the same status back: one post', async () => {
    const s = await start();
    const { adapter } = adapterWith();
    const req = request([await media(photo, 'Entrance')]);
    const first = await adapter.publish(req, harness(s).context);
    // A second job (no checkpoint) for the same (post, account): it uploads again, but Mastodon
    // answers the status create with the status it made for this key.
    const second = await adapter.publish(req, harness(s).context);
    expect(second).toEqual(first);
    expect(s.feed()).toHaveLength(1);
    expect(s.requests().filter((r) => r.endpoint === 'status_create').map((r) => r.idempotencyKey)).toEqual([req.idempotencyKey, req.idempotencyKey]);
  });

  it('when the answer to the status is lost, the resend under the same key returns that status: one post', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'status_create', when: 'after-processing' }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith();
    const result = await adapter.publish(request([await media(photo, 'Entrance')]), h.context);
    expect(s.feed()).toHaveLength(1);
    expect(result.remoteId).toBe(s.feed()[0]!.id);
    expect(s.requests().filter((r) => r.endpoint === 'status_create').map((r) => r.status)).toEqual([0, 200]);
    expect(sleeps).toEqual([750]);
  });

  it('resends an upload whose connection dropped halfway: the photo arrives whole once, one post', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'media_upload' }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith();
    const item = await media(noisy, 'Entrance');
    expect(item.bytes).toBeGreaterThan(500_000);
    await adapter.publish(request([item]), h.context);
    const uploads = s.requests().filter((r) => r.endpoint === 'media_upload');
    expect(uploads.map((r) => r.status)).toEqual([0, 200]);
    expect(uploads[0]!.bytesReceived).toBeLessThan(item.bytes);
    expect(s.media()).toHaveLength(1);
    expect(s.feed()[0]!.media[0]!.sha256).toBe(item.cleanSha256);
    expect(sleeps).toEqual([750]);
    expect(s.feed()).toHaveLength(1);
    expectMonotonicProgress(h, item.bytes);
  });

  it('a job stopped after its upload resumes without uploading again; reconcile says nothing was posted yet', async () => {
    const s = await start({ processing: { polls: 1 } });
    const h = harness(s);
    const { adapter } = adapterWith();
    const req = request([await media(clip, 'Tour')]);
    h.onSave = (state) => {
      if (Array.isArray(state.media) && state.media[0]) h.controller.abort();
    };
    await expect(adapter.publish(req, h.context)).rejects.toMatchObject({ code: 'publish.mastodon.aborted', retryable: true });
    h.onSave = undefined;
    expect(await adapter.reconcile(req, restarted(h))).toBeNull();
    await adapter.publish(req, restarted(h));
    expect(count(s, 'media_upload')).toBe(1);
    expect(s.feed()).toHaveLength(1);
    expect(s.media()).toHaveLength(1);
  });

  it('uses a checkpointed upload again, setting its description with PUT when Mastodon lacks it', async () => {
    const s = await start();
    const h = harness(s);
    const item = await media(photo, 'Entrance with ramp');
    // An earlier attempt's upload, made before the alt text reached it.
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await readFile(photo))], { type: 'image/jpeg' }), 'x.jpg');
    const res = await fetch(`${s.origin}/api/v2/media`, { method: 'POST', headers: { Authorization: `Bearer ${h.token}` }, body: form });
    const id = ((await res.json()) as { id: string }).id;
    await h.context.checkpoint.save({ media: [{ id, sha256: item.cleanSha256, bytes: item.bytes, processed: true }], statusSentAt: null });
    await adapterWith().adapter.publish(request([item]), h.context);
    expect(endpoints(s)).toEqual(['media_upload', 'verify_credentials', 'instance', 'media_get', 'media_update', 'status_create']);
    expect(s.feed()[0]!.media).toEqual([expect.objectContaining({ id, description: 'Entrance with ramp' })]);
  });

  it('a crash after the status was sent: reconcile finds the post by its media, publish answers from it', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'status_create', when: 'after-processing' }] });
    const h = harness(s);
    const { adapter } = adapterWith({ maxAttempts: 1 });
    const req = request([await media(photo, 'Entrance')]);
    await expect(adapter.publish(req, h.context)).rejects.toMatchObject({ code: 'publish.mastodon.network', retryable: true });
    const found = await adapter.reconcile(req, restarted(h));
    expect(found).toEqual({ remoteId: s.feed()[0]!.id, url: s.feed()[0]!.url, outcome: 'published' });
    const before = s.requests().length;
    expect(await adapter.publish(req, restarted(h))).toEqual(found);
    expect(s.requests()).toHaveLength(before);
    expect(s.feed()).toHaveLength(1);
  });

  it('past the key\'s hour, a text-only post is found among recent statuses by its source text', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'status_create', when: 'after-processing' }] });
    const h = harness(s);
    await expect(adapterWith({ maxAttempts: 1 }).adapter.publish(request([], 'Roadworks on Quay Street'), h.context)).rejects.toMatchObject({ code: 'publish.mastodon.network' });
    const later = adapterWith({ now: () => Date.now() + 2 * 60 * 60_000 }).adapter;
    const found = await later.reconcile(request([], 'Roadworks on Quay Street'), restarted(h));
    expect(found?.remoteId).toBe(s.feed()[0]!.id);
    expect(count(s, 'status_source')).toBe(1);
    expect(s.feed()).toHaveLength(1);
  });

  it('past the key\'s hour, a status that never got made is sent again once the account shows no such post', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'status_create', times: 2 }] });
    const h = harness(s);
    const req = request([await media(photo, 'Entrance')]);
    await expect(adapterWith({ maxAttempts: 2 }).adapter.publish(req, h.context)).rejects.toMatchObject({ code: 'publish.mastodon.unavailable', retryable: true });
    expect(h.state()).toMatchObject({ statusSentAt: expect.any(Number), media: [{ processed: true }] });
    const later = adapterWith({ now: () => Date.now() + 2 * 60 * 60_000 }).adapter;
    expect(await later.reconcile(req, restarted(h))).toBeNull();
    await later.publish(req, restarted(h));
    expect(s.feed()).toHaveLength(1);
    expect(count(s, 'media_upload')).toBe(1);
    // The new send starts a key window of its own.
    expect(h.state().statusSentAt).toBeGreaterThan(Date.now() + 60 * 60_000);
  });

  it('a job retried inside the key\'s hour sends the status again at once, under the same key: no new upload, one post', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'status_create', when: 'after-processing' }] });
    const h = harness(s);
    const req = request([await media(photo, 'Entrance')]);
    const { adapter } = adapterWith({ maxAttempts: 1 });
    await expect(adapter.publish(req, h.context)).rejects.toMatchObject({ code: 'publish.mastodon.network', retryable: true });
    const before = endpoints(s).length;
    const result = await adapter.publish(req, restarted(h));
    // The instance's configuration is still cached from the first attempt.
    expect(endpoints(s).slice(before)).toEqual(['verify_credentials', 'status_create']);
    expect(result.remoteId).toBe(s.feed()[0]!.id);
    expect(s.feed()).toHaveLength(1);
  });

  it('past the key\'s hour, a post someone deleted on Mastodon is not published again: staff are asked to check', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'status_create', when: 'after-processing' }] });
    const h = harness(s);
    const req = request([await media(photo, 'Entrance')]);
    await expect(adapterWith({ maxAttempts: 1 }).adapter.publish(req, h.context)).rejects.toMatchObject({ code: 'publish.mastodon.network' });
    s.deleteStatus(s.feed()[0]!.id);
    const later = adapterWith({ now: () => Date.now() + 2 * 60 * 60_000 }).adapter;
    await expect(later.publish(req, restarted(h))).rejects.toMatchObject({ code: 'publish.mastodon.outcome-unknown', retryable: false });
    expect(count(s, 'status_create')).toBe(1);
    expect(count(s, 'media_upload')).toBe(1);
    expect(s.feed()).toEqual([]);
  });

  it('inside the key\'s hour, a post someone deleted on Mastodon is reported as such, not published again', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'status_create', when: 'after-processing' }] });
    const h = harness(s);
    const req = request([], 'Roadworks on Quay Street');
    const { adapter } = adapterWith({ maxAttempts: 1 });
    await expect(adapter.publish(req, h.context)).rejects.toMatchObject({ code: 'publish.mastodon.network' });
    s.deleteStatus(s.feed()[0]!.id);
    await expect(adapter.publish(req, restarted(h))).rejects.toMatchObject({ code: 'publish.mastodon.deleted-after-publishing', retryable: false });
    expect(s.feed()).toEqual([]);
  });

  it('past the key\'s hour, with no way to list the account\'s posts, it stops and asks staff to check', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'status_create' }] });
    const h = harness(s, { token: s.issueToken(undefined, ['profile', 'write:media', 'write:statuses']).access_token });
    const req = request([], 'Roadworks on Quay Street');
    await expect(adapterWith({ maxAttempts: 1 }).adapter.publish(req, h.context)).rejects.toMatchObject({ code: 'publish.mastodon.unavailable' });
    const later = adapterWith({ now: () => Date.now() + 2 * 60 * 60_000 }).adapter;
    const err = await later.publish(req, restarted(h)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.mastodon.outcome-unknown', retryable: false, next: 'fix' });
    expect((err as Error).message).toMatch(/Check the account on Mastodon before sending it again/);
    expect(count(s, 'status_create')).toBe(1);
  });

  it('reconcile without a checkpoint answers null without asking Mastodon', async () => {
    const s = await start();
    expect(await adapterWith().adapter.reconcile(request([]), harness(s).context)).toBeNull();
    expect(s.requests()).toEqual([]);
  });
});

describe('Mastodon adapter: retries', () => {
  it('retries 5xx pages from the proxy with growing, jittered waits', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'media_upload', status: 502, times: 2 }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith();
    await adapter.publish(request([await media(photo, 'Entrance')]), h.context);
    // random() = 0.5: three quarters of 1 s, then of 2 s.
    expect(sleeps).toEqual([750, 1500]);
    expect(s.media()).toHaveLength(1);
    expect(s.feed()).toHaveLength(1);
  });

  it('honours 429: Retry-After when a proxy sends it, else X-RateLimit-Reset, each with a little jitter', async () => {
    const s = await start({
      faults: [
        { kind: 'rate-limit', endpoint: 'media_upload', retryAfterSeconds: 7 },
        { kind: 'rate-limit', endpoint: 'status_create', resetAfterSeconds: 20 },
      ],
    });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith();
    await adapter.publish(request([await media(photo, 'Entrance')]), h.context);
    expect(sleeps[0]).toBe(7500);
    expect(sleeps[1]).toBeGreaterThan(19_000);
    expect(sleeps[1]).toBeLessThanOrEqual(20_500);
    expect(s.feed()).toHaveLength(1);
  });

  it('hands a long rate-limit wait back to the publisher as "try later"', async () => {
    const s = await start({ faults: [{ kind: 'rate-limit', endpoint: 'verify_credentials', resetAfterSeconds: 3600 }] });
    const err = await adapterWith().adapter.publish(request([]), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.mastodon.rate-limited', retryable: true, next: 'later' });
    expect((err as Error).message).toMatch(/about 60 minutes/);
  });

  it('gives up after its attempts with a plain message, keeping the uploads for the next try', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'status_create', times: 10 }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith({ maxAttempts: 3 });
    const err = await adapter.publish(request([await media(photo, 'Entrance')]), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.mastodon.unavailable', retryable: true });
    expect((err as Error).message).toBe('Mastodon had a problem on its side. Airlock will try again shortly; the post will not be sent twice.');
    expect((err as { detail: string }).detail).toMatch(/POST \/api\/v1\/statuses answered HTTP 503: \(HTML page: 503/);
    expect(sleeps).toHaveLength(2);
    expect(h.state()).toMatchObject({ media: [{ id: expect.any(String) }] });
  });
});

describe('Mastodon adapter: refusals staff understand', () => {
  it('a caption over 500 characters is refused before any upload, in plain words, without retrying', async () => {
    const s = await start();
    const { adapter, sleeps } = adapterWith();
    const err = await adapter.publish(request([await media(photo, 'Entrance')], 'x'.repeat(501)), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.mastodon.text-too-long', retryable: false, next: 'fix' });
    expect((err as Error).message).toBe('Mastodon allows 500 characters in a post, and counts every link as 23. This caption has 501: shorten it and publish again. Nothing was published.');
    expect(endpoints(s)).toEqual(['verify_credentials', 'instance']);
    expect(sleeps).toEqual([]);
  });

  it('reads the limit from the instance: 1000 characters on this one', async () => {
    const s = await start({ instance: { maxCharacters: 1000 } });
    await adapterWith().adapter.publish(request([], 'x'.repeat(900)), harness(s).context);
    expect(s.feed()).toHaveLength(1);
  });

  it('Mastodon\'s own 422 "Text character limit of 500 exceeded" becomes the same plain error, with no retry', async () => {
    // Airlock counts anything after https:// as a link (23); Mastodon only a real host name.
    const s = await start();
    const { adapter, sleeps } = adapterWith();
    const err = await adapter.publish(request([], `See https://${'a'.repeat(600)}`), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.mastodon.text-too-long', retryable: false });
    expect((err as Error).message).toMatch(/^Mastodon allows 500 characters in a post/);
    expect((err as { detail: string }).detail).toBe('POST /api/v1/statuses answered HTTP 422: Validation failed: Text character limit of 500 exceeded');
    expect(count(s, 'status_create')).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('a revoked token asks for reconnection in plain words, before anything is uploaded', async () => {
    const s = await start();
    const h = harness(s);
    s.revokeToken(h.token);
    const { adapter, sleeps } = adapterWith();
    const err = await adapter.publish(request([await media(photo, 'Entrance')]), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.mastodon.reconnect', retryable: false, next: 'reconnect' });
    expect((err as Error).message).toMatch(/Ask IT to reconnect the Mastodon account/);
    expect((err as { detail: string }).detail).toMatch(/401: The access token was revoked/);
    expect(endpoints(s)).toEqual(['verify_credentials']);
    expect(sleeps).toEqual([]);
  });

  it('a token revoked mid-job ends it with the same reconnect message, not a retry', async () => {
    const s = await start({ faults: [{ kind: 'token-rejected', endpoint: 'status_create', reason: 'revoked' }] });
    const err = await adapterWith().adapter.publish(request([await media(photo, 'Entrance')]), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.mastodon.reconnect', retryable: false });
    expect(s.feed()).toEqual([]);
  });

  it('a token for another account is refused before posting', async () => {
    const s = await start({ accounts: [{}, {}] });
    const h = harness(s, { token: s.issueToken(s.accounts()[1]!.id).access_token });
    await expect(adapterWith().adapter.publish(request([]), h.context)).rejects.toMatchObject({ code: 'publish.mastodon.wrong-account', next: 'reconnect' });
    expect(endpoints(s)).toEqual(['verify_credentials']);
  });

  it('a video Mastodon cannot process ends the job in plain words', async () => {
    const s = await start({ faults: [{ kind: 'processing-failure' }], processing: { polls: 1 } });
    const err = await adapterWith().adapter.publish(request([await media(clip, 'Tour')]), harness(s).context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.mastodon.media-processing-failed', retryable: false });
    expect((err as Error).message).toMatch(/could not process the video/);
    expect(count(s, 'status_create')).toBe(0);
  });

  it('refuses options it cannot send, and a library file that changed since approval', async () => {
    const s = await start();
    const { adapter } = adapterWith();
    await expect(adapter.publish(request([], 'x', { visibility: 'friends' }), harness(s).context)).rejects.toMatchObject({ code: 'publish.mastodon.invalid-visibility' });
    await expect(adapter.publish(request([], 'x', { language: 'English!' }), harness(s).context)).rejects.toMatchObject({ code: 'publish.mastodon.invalid-language' });
    const changed = await media(photo, 'Entrance');
    changed.bytes += 1;
    await expect(adapter.publish(request([changed]), harness(s).context)).rejects.toMatchObject({ code: 'publish.mastodon.file-changed' });
    expect(count(s, 'media_upload')).toBe(0);
  });
});

describe('Mastodon adapter: network', () => {
  it('never used a socket beyond loopback', () => {
    expect(spy.attempts.length).toBeGreaterThan(0);
    expect(spy.violations).toEqual([]);
  });
});
