// Publishes through Airlock's Bluesky adapter to a real PDS (with its own PLC directory) on
// 127.0.0.1 and reads every post back through a separate plain client: facets by UTF-8 byte,
// blob CIDs, alt text, idempotency across crashes and lost answers, session renewal and the plain
// errors staff see. A socket spy fails the file if anything dials beyond loopback.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import type { PublishContext, PublishMedia, PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { connectBlueskyAccount, createBlueskyAdapter, recordKeyFor } from '../../../../electron/platforms/bluesky/adapter.ts';
import type { BlueskyAdapterOptions } from '../../../../electron/platforms/bluesky/adapter.ts';
import type { BlueskyPublishError } from '../../../../electron/platforms/bluesky/bluesky-errors.ts';
import { EgressLog } from '../../../../electron/services/egress/egress-log.ts';
import { EgressPolicy } from '../../../../electron/services/egress/egress-policy.ts';
import { createEgressClient } from '../../../../electron/services/egress/http-client.ts';
import type { EgressClient } from '../../../../electron/services/egress/http-client.ts';
import type { AccountCredentials } from '../../../../electron/services/vault/vault.ts';
import { startBlueskyServer } from '../../../support/bluesky-pds.ts';
import type { BlueskyAccount, BlueskyServer } from '../../../support/bluesky-pds.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';
import { installSocketSpy } from '../../egress/socket-spy.ts';

// Before any server or client exists, so every connection of the file is seen.
const spy = installSocketSpy();

const POST = 'app.bsky.feed.post';

// --- Network: the egress client, a request log, and a fault-injecting proxy ----------------

interface SentRequest {
  method: string;
  nsid: string;
  requester: string;
  origin: string;
}

const sent: SentRequest[] = [];
let egress: EgressClient;
let client: EgressClient;

function nsidOf(url: URL): string {
  return url.pathname.replace(/^\/xrpc\//, '');
}

type Fault =
  | { nsid: string; kind: 'answer'; status: number; body: unknown; headers?: Record<string, string> }
  // The PDS does the work, but the answer never reaches Airlock.
  | { nsid: string; kind: 'drop-answer' };

const faults: Fault[] = [];
const proxied: string[] = [];
let proxy: http.Server;
let proxyUrl: string;

function startProxy(target: URL): Promise<void> {
  proxy = http.createServer((req, res) => {
    const nsid = nsidOf(new URL(req.url ?? '/', 'http://proxy'));
    proxied.push(nsid);
    const at = faults.findIndex((f) => f.nsid === nsid);
    const fault = at >= 0 ? faults.splice(at, 1)[0] : undefined;
    if (fault?.kind === 'answer') {
      req.resume();
      req.on('end', () => {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(JSON.stringify(fault.body));
      });
      return;
    }
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      if (fault?.kind === 'drop-answer') {
        answer.resume();
        answer.on('end', () => res.socket?.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => {
    proxy.listen(0, '127.0.0.1', () => {
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      resolve();
    });
  });
}

// The adapter may only use the egress client; while it runs, fetch is a trap.
const fetchAttempts: string[] = [];
async function asAdapter<T>(work: () => Promise<T>): Promise<T> {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: unknown) => {
    fetchAttempts.push(String(input));
    throw new Error('the Bluesky adapter must not use fetch');
  }) as typeof fetch;
  try {
    return await work();
  } finally {
    globalThis.fetch = realFetch;
  }
}

// --- Fixtures ------------------------------------------------------------------------------

let server: BlueskyServer;
let alice: BlueskyAccount;
let bob: BlueskyAccount;
let dir: string;
let png: PublishMedia;
let jpeg: PublishMedia;
let video: PublishMedia;
/** Alice's vault entry, as connectBlueskyAccount produced it. */
let aliceCredentials: AccountCredentials;

async function mediaFile(file: string, kind: 'image' | 'video', contentType: string, format: string, width: number, height: number, altText: string | null): Promise<PublishMedia> {
  const bytes = await readFile(file);
  return {
    kind,
    path: file,
    bytes: bytes.length,
    format,
    contentType,
    cleanSha256: createHash('sha256').update(bytes).digest('hex'),
    altText,
    width,
    height,
    durationMs: kind === 'video' ? 1000 : null,
  };
}

beforeAll(async () => {
  server = await startBlueskyServer();
  alice = await server.createAccount('alice', undefined, { appPassword: 'airlock-kiosk' });
  bob = await server.createAccount('bob');
  egress = createEgressClient({ policy: new EgressPolicy({ allowedHosts: ['bsky.social'], allowLoopback: true }), log: new EgressLog() });
  client = {
    request(url, init) {
      const u = new URL(String(url));
      sent.push({ method: init.method ?? 'GET', nsid: nsidOf(u), requester: init.requester, origin: u.origin });
      return egress.request(url, init);
    },
    close: () => egress.close(),
  };
  await startProxy(new URL(server.pdsUrl));

  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-bsky-adapter-'));
  const pngPath = path.join(dir, 'card.png');
  await writeFile(pngPath, await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20, g: 60, b: 160 } } }).png().toBuffer());
  png = await mediaFile(pngPath, 'image', 'image/png', 'png', 64, 48, 'Blue test card, 64 by 48 pixels');
  const jpegPath = path.join(dir, 'photo.jpg');
  // Noise keeps the JPEG large enough (tens of KiB) to arrive in many chunks.
  const noisy = sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 200, g: 120, b: 40 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
  await writeFile(jpegPath, await noisy.jpeg({ quality: 90 }).toBuffer());
  jpeg = await mediaFile(jpegPath, 'image', 'image/jpeg', 'jpeg', 600, 400, 'Orange noise: the town hall at dusk');
  const clip = await makeVideo(dir, 'clip');
  video = await mediaFile(clip, 'video', 'video/mp4', 'mp4', 160, 120, 'Test pattern, one second');

  const connected = await connectBlueskyAccount({ http: client, apiBase: server.pdsUrl, identifier: alice.handle, appPassword: alice.appPassword! });
  aliceCredentials = connected.credentials;
});

afterAll(async () => {
  egress?.close();
  if (proxy) {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  }
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  spy.restore();
});

// --- Jobs ----------------------------------------------------------------------------------

interface Job {
  context: PublishContext;
  progress: { phase: string; bytesDone: number; bytesTotal: number }[];
  saved: AccountCredentials[];
  controller: AbortController;
  vault: { credentials: AccountCredentials };
}

function job(options: { apiBase?: string; accountId?: string; credentials?: AccountCredentials; onProgress?: (phase: string, controller: AbortController) => void } = {}): Job {
  const controller = new AbortController();
  const vault = { credentials: options.credentials ?? aliceCredentials };
  const progress: Job['progress'] = [];
  const saved: AccountCredentials[] = [];
  let checkpoint: Record<string, unknown> = {};
  const context: PublishContext = {
    account: { platform: 'bluesky', accountId: options.accountId ?? alice.did, apiBase: options.apiBase ?? server.pdsUrl },
    http: client,
    credentials: async () => vault.credentials,
    saveCredentials: async (c) => {
      saved.push(c);
      vault.credentials = c;
    },
    onProgress: (p) => {
      progress.push(p);
      options.onProgress?.(p.phase, controller);
    },
    signal: controller.signal,
    checkpoint: { load: async () => checkpoint, save: async (s) => void (checkpoint = s) },
  };
  return { context, progress, saved, controller, vault };
}

let keys = 0;
function request(caption: string, media: PublishMedia[] = [], options: Record<string, unknown> = {}): PublishRequest {
  keys++;
  return { postId: `post-${keys}`, idempotencyKey: `job-${keys}-${Date.now()}`, caption, options, media };
}

const sleeps: number[] = [];
const adapterOptions: BlueskyAdapterOptions = {
  sleep: async (ms) => void sleeps.push(ms),
  random: () => 0.5,
  chunkBytes: 4096,
};
const adapter = createBlueskyAdapter(adapterOptions);

const publish = (req: PublishRequest, j: Job) => asAdapter(() => adapter.publish(req, j.context));
const reconcile = (req: PublishRequest, j: Job) => asAdapter(() => adapter.reconcile(req, j.context));

async function failure(promise: Promise<unknown>): Promise<BlueskyPublishError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirlockError);
  return err as BlueskyPublishError;
}

// --- Reading back, without Airlock ---------------------------------------------------------

interface StoredPost {
  uri: string;
  cid: string;
  value: {
    text: string;
    langs?: string[];
    createdAt: string;
    facets?: { index: { byteStart: number; byteEnd: number }; features: { $type: string; uri?: string; did?: string; tag?: string }[] }[];
    embed?: {
      $type: string;
      images?: { alt: string; image: { ref: { $link: string }; mimeType: string; size: number }; aspectRatio?: { width: number; height: number } }[];
      video?: { ref: { $link: string }; mimeType: string; size: number };
      alt?: string;
      aspectRatio?: { width: number; height: number };
    };
  };
}

async function xrpcGet(nsid: string, query: Record<string, string>): Promise<Response> {
  return fetch(`${server.pdsUrl}/xrpc/${nsid}?${new URLSearchParams(query)}`);
}

async function readPost(uri: string): Promise<StoredPost> {
  const [, , did, collection, rkey] = uri.split('/');
  const res = await xrpcGet('com.atproto.repo.getRecord', { repo: did!, collection: collection!, rkey: rkey! });
  expect(res.status).toBe(200);
  return (await res.json()) as StoredPost;
}

async function allPosts(did: string): Promise<{ uri: string }[]> {
  const res = await xrpcGet('com.atproto.repo.listRecords', { repo: did, collection: POST, limit: '100' });
  return ((await res.json()) as { records: { uri: string }[] }).records;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** CIDv1, raw codec, sha2-256, base32: how a PDS names a blob made of exactly these bytes. */
function rawCid(bytes: Buffer): string {
  const cid = Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), createHash('sha256').update(bytes).digest()]);
  let bits = 0;
  let value = 0;
  let out = 'b';
  for (const byte of cid) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function slice(text: string, index: { byteStart: number; byteEnd: number }): string {
  return new TextDecoder().decode(new TextEncoder().encode(text).slice(index.byteStart, index.byteEnd));
}

function since(mark: number): SentRequest[] {
  return sent.slice(mark);
}

// --- Tests ---------------------------------------------------------------------------------

describe('Bluesky adapter against a real PDS', () => {
  it('publishes two photos with alt text, a mention, a hashtag and links, byte-exact after emoji and diacritics', async () => {
    const caption = 'Grüße aus dem Rathaus 🏛️👩🏽‍⚖️ mit @bob.test und @ghost.test — #Stadtrat2026 https://example.org/sitzung?id=7 oder example.com';
    const req = request(caption, [png, jpeg], { language: ['de', 'en'] });
    const j = job();
    const mark = sent.length;
    const result = await publish(req, j);

    const rkey = recordKeyFor(req.idempotencyKey);
    expect(result).toEqual({ remoteId: `at://${alice.did}/${POST}/${rkey}`, url: `https://bsky.app/profile/alice.test/post/${rkey}`, outcome: 'published' });

    const stored = await readPost(result.remoteId);
    const { value } = stored;
    expect(value.text).toBe(caption);
    expect(value.langs).toEqual(['de', 'en']);

    // Every facet covers exactly the characters it names, counted in UTF-8 bytes.
    const facets = value.facets ?? [];
    expect(facets.map((f) => [slice(value.text, f.index), f.features])).toEqual([
      ['@bob.test', [{ $type: 'app.bsky.richtext.facet#mention', did: bob.did }]],
      ['#Stadtrat2026', [{ $type: 'app.bsky.richtext.facet#tag', tag: 'Stadtrat2026' }]],
      ['https://example.org/sitzung?id=7', [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/sitzung?id=7' }]],
      ['example.com', [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.com' }]],
    ]);
    const tag = facets[1]!.index;
    expect(tag.byteStart).toBe(Buffer.byteLength(caption.slice(0, caption.indexOf('#Stadtrat2026'))));
    expect(tag.byteStart).toBeGreaterThan(caption.indexOf('#Stadtrat2026'));
    // The unknown handle stays plain text.
    expect(facets.some((f) => slice(value.text, f.index) === '@ghost.test')).toBe(false);

    expect(value.embed?.$type).toBe('app.bsky.embed.images');
    const images = value.embed?.images ?? [];
    expect(images.map((i) => i.alt)).toEqual([png.altText, jpeg.altText]);
    expect(images.map((i) => i.aspectRatio)).toEqual([{ width: 64, height: 48 }, { width: 600, height: 400 }]);
    expect(images.map((i) => i.image.mimeType)).toEqual(['image/png', 'image/jpeg']);
    expect(images[0]!.image.ref.$link).toBe(rawCid(await readFile(png.path)));
    expect(images[1]!.image.ref.$link).toBe(rawCid(await readFile(jpeg.path)));
    // And the PDS serves those blobs back byte for byte.
    const blob = await xrpcGet('com.atproto.sync.getBlob', { did: alice.did, cid: images[1]!.image.ref.$link });
    expect(Buffer.from(await blob.arrayBuffer()).equals(await readFile(jpeg.path))).toBe(true);

    // Progress: bytes of both blobs, only ever growing, then the record.
    const total = png.bytes + jpeg.bytes;
    const uploading = j.progress.filter((p) => p.phase === 'uploading');
    expect(jpeg.bytes).toBeGreaterThan(20 * 4096);
    expect(uploading.length).toBeGreaterThan(20);
    expect(uploading.every((p, i) => p.bytesTotal === total && (i === 0 || p.bytesDone >= uploading[i - 1]!.bytesDone))).toBe(true);
    expect(uploading.at(-1)!.bytesDone).toBe(total);
    expect(j.progress.at(-1)).toEqual({ phase: 'creating', bytesDone: total, bytesTotal: total });

    // Every request went through the egress client, named itself, and went to the PDS only.
    const mine = since(mark);
    expect(mine.map((r) => r.nsid)).toEqual([
      'com.atproto.server.getSession',
      'com.atproto.repo.getRecord',
      'com.atproto.identity.resolveHandle',
      'com.atproto.identity.resolveHandle',
      'com.atproto.repo.uploadBlob',
      'com.atproto.repo.uploadBlob',
      'com.atproto.repo.createRecord',
    ]);
    expect(new Set(mine.map((r) => r.requester))).toEqual(new Set(['publish:bluesky']));
    expect(new Set(mine.map((r) => r.origin))).toEqual(new Set([server.pdsUrl]));
    expect(fetchAttempts).toEqual([]);
  });

  it('publishes an MP4 as app.bsky.embed.video; the PDS stores it without any video service', async () => {
    const result = await publish(request('Kurzes Video aus der Sitzung', [video], { language: 'de' }), job());
    const { value } = await readPost(result.remoteId);
    expect(value.embed).toEqual({
      $type: 'app.bsky.embed.video',
      video: { $type: 'blob', ref: { $link: rawCid(await readFile(video.path)) }, mimeType: 'video/mp4', size: video.bytes },
      alt: video.altText,
      aspectRatio: { width: 160, height: 120 },
    });
    expect(value.langs).toEqual(['de']);
  });

  it('counts 301 graphemes as too long in check(), and turns the PDS\'s 400 into a plain error when forced', async () => {
    const caption = 'é'.repeat(301);
    const verdict = adapter.check({ caption, media: [], options: {} });
    expect(verdict.platform).toBe('bluesky');
    expect(verdict.counters).toEqual([{ label: 'characters', used: 301, limit: 300 }]);
    expect(verdict.errors.map((e) => e.code)).toEqual(['bluesky.too-long']);

    const before = (await allPosts(alice.did)).length;
    const err = await failure(publish(request(caption), job()));
    expect(err.code).toBe('publish.bluesky.text-too-long');
    expect(err.message).toBe('Bluesky refused the post because the text is too long: Bluesky allows 300 characters. Shorten the caption and publish again. Nothing was published.');
    expect(err.detail).toMatch(/createRecord: HTTP 400 InvalidRequest: .*grapheme too big \(maximum 300, got 301\)/);
    expect(err.retryable).toBe(false);
    expect((await allPosts(alice.did)).length).toBe(before);
  });

  it('refuses a photo without alt text before anything is sent', async () => {
    const mark = sent.length;
    for (const altText of [null, '   ']) {
      const err = await failure(publish(request('Ein Foto', [png, { ...jpeg, altText }]), job()));
      expect(err.code).toBe('publish.bluesky.alt-missing');
      expect(err.message).toBe('Photo 2 needs a description (alt text) for Bluesky. Nothing was published.');
    }
    expect(since(mark)).toEqual([]);
    expect(adapter.check({ caption: 'x', media: [{ ...jpeg, altText: null }], options: {} }).errors.map((e) => e.code)).toEqual(['bluesky.alt-missing']);
  });

  it('refuses to upload a library file whose size no longer matches the approved post', async () => {
    const mark = sent.length;
    const err = await failure(publish(request('Verändert', [{ ...png, bytes: png.bytes + 1 }]), job()));
    expect(err.code).toBe('publish.bluesky.file-unreadable');
    expect(err.detail).toBe(`media.0: ${png.bytes} bytes on disk, ${png.bytes + 1} expected`);
    expect(since(mark).map((r) => r.nsid)).not.toContain('com.atproto.repo.uploadBlob');
  });

  it('publishes once for two publish calls with the same idempotency key, without uploading again', async () => {
    const req = request('Einmal und nur einmal', [png]);
    const first = await publish(req, job());
    const mark = sent.length;
    const second = await publish(req, job());
    expect(second).toEqual(first);
    expect(since(mark).map((r) => r.nsid)).toEqual(['com.atproto.server.getSession', 'com.atproto.repo.getRecord']);
    expect((await allPosts(alice.did)).filter((r) => r.uri === first.remoteId)).toHaveLength(1);
    expect(await reconcile(req, job())).toEqual(first);
  });

  it('after a crash between upload and post, reconcile finds nothing and the next attempt publishes once', async () => {
    const req = request('Nach dem Absturz', [jpeg]);
    const before = (await allPosts(alice.did)).length;
    const crashing = job({ onProgress: (phase, controller) => phase === 'creating' && controller.abort() });
    const err = await failure(publish(req, crashing));
    expect(err.code).toBe('publish.bluesky.cancelled');
    expect(crashing.progress.some((p) => p.phase === 'uploading' && p.bytesDone === jpeg.bytes)).toBe(true);

    expect(await reconcile(req, job())).toBeNull();
    const published = await publish(req, job());
    expect(await reconcile(req, job())).toEqual(published);
    const after = await allPosts(alice.did);
    expect(after.length).toBe(before + 1);
    expect(after.filter((r) => r.uri === published.remoteId)).toHaveLength(1);
  });

  it('when the answer to createRecord is lost, the resend finds the post instead of failing or posting twice', async () => {
    const req = request('Die Antwort ging verloren');
    const before = (await allPosts(alice.did)).length;
    faults.push({ nsid: 'com.atproto.repo.createRecord', kind: 'drop-answer' });
    sleeps.length = 0;
    const mark = proxied.length;
    const result = await publish(req, job({ apiBase: proxyUrl }));
    expect(result.remoteId).toBe(`at://${alice.did}/${POST}/${recordKeyFor(req.idempotencyKey)}`);
    expect(proxied.slice(mark)).toEqual(['com.atproto.server.getSession', 'com.atproto.repo.getRecord', 'com.atproto.repo.createRecord', 'com.atproto.repo.getRecord']);
    // One backoff step with jitter: half of 500 ms fixed, plus random() (0.5 here) of the other half.
    expect(sleeps).toEqual([375]);
    expect((await allPosts(alice.did)).length).toBe(before + 1);
    expect((await readPost(result.remoteId)).value.text).toBe('Die Antwort ging verloren');
  });

  it('retries server errors with growing, jittered waits and resends the whole file', async () => {
    faults.push(
      { nsid: 'com.atproto.repo.uploadBlob', kind: 'answer', status: 503, body: { error: 'InternalServerError', message: 'busy' } },
      { nsid: 'com.atproto.repo.uploadBlob', kind: 'answer', status: 502, body: { error: 'UpstreamFailure', message: 'gateway' } },
    );
    sleeps.length = 0;
    const result = await publish(request('Nach zwei Fehlern', [png]), job({ apiBase: proxyUrl }));
    expect(sleeps).toEqual([375, 750]);
    const { value } = await readPost(result.remoteId);
    expect(value.embed?.images?.[0]?.image.ref.$link).toBe(rawCid(await readFile(png.path)));
  });

  it('gives up after the last attempt with a retryable "Bluesky had a problem" error', async () => {
    for (let i = 0; i < 4; i++) faults.push({ nsid: 'com.atproto.server.getSession', kind: 'answer', status: 500, body: { error: 'InternalServerError', message: 'down' } });
    const err = await failure(publish(request('Nie'), job({ apiBase: proxyUrl })));
    expect(err.code).toBe('publish.bluesky.unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe('Bluesky had a problem on its side. Airlock will check whether the post went out and try again later.');
  });

  it('waits out a short rate limit, and hands a long one to the publisher with the time to wait', async () => {
    const resetIn = (s: number) => String(Math.floor(Date.now() / 1000) + s);
    faults.push({ nsid: 'com.atproto.repo.createRecord', kind: 'answer', status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, headers: { 'ratelimit-reset': resetIn(3) } });
    sleeps.length = 0;
    await publish(request('Kurz gewartet'), job({ apiBase: proxyUrl }));
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(1_000);
    expect(sleeps[0]).toBeLessThanOrEqual(3_000 + 1_000);

    faults.push({ nsid: 'com.atproto.repo.createRecord', kind: 'answer', status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, headers: { 'ratelimit-reset': resetIn(3600) } });
    const req = request('Lange warten');
    const err = await failure(publish(req, job({ apiBase: proxyUrl })));
    expect(err.code).toBe('publish.bluesky.rate-limited');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(3_600_000);
    expect(err.message).toBe('Bluesky asked Airlock to slow down. Airlock will try again in about 60 minutes.');
    expect(await reconcile(req, job())).toBeNull();
  });

  describe('sessions', () => {
    afterAll(() => {
      vi.useRealTimers();
    });

    it('stores the session and the app password in the documented form, and refuses the main password', async () => {
      expect(aliceCredentials.refreshToken).toBe(alice.appPassword);
      const [accessJwt, refreshJwt, extra] = aliceCredentials.accessToken.split('~');
      expect(extra).toBeUndefined();
      const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { scope: string; exp: number; sub: string };
      expect(claims(accessJwt!)).toMatchObject({ scope: 'com.atproto.appPass', sub: alice.did });
      expect(claims(refreshJwt!).scope).toBe('com.atproto.refresh');
      expect(aliceCredentials.expiresAt).toBe(claims(accessJwt!).exp * 1000);

      const err = await failure(asAdapter(() => connectBlueskyAccount({ http: client, apiBase: server.pdsUrl, identifier: alice.handle, appPassword: alice.password })));
      expect(err.code).toBe('publish.bluesky.not-app-password');
      expect(JSON.stringify(err.toValue())).not.toContain(alice.password);
    });

    it('refreshes an expired access token when the PDS says ExpiredToken, and saves the new one first', async () => {
      // No expiresAt: only the server can tell that the token has expired.
      const { expiresAt: _unused, ...noExpiry } = aliceCredentials;
      const j = job({ credentials: noExpiry });
      vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
      vi.setSystemTime(Date.now() + 3 * 3600_000);
      const mark = sent.length;
      const result = await publish(request('Mit frischem Token'), j);
      vi.useRealTimers();

      expect(since(mark).slice(0, 3).map((r) => r.nsid)).toEqual(['com.atproto.server.getSession', 'com.atproto.server.refreshSession', 'com.atproto.server.getSession']);
      expect(j.saved).toHaveLength(1);
      expect(j.saved[0]!.accessToken).not.toBe(aliceCredentials.accessToken);
      expect(j.saved[0]!.refreshToken).toBe(alice.appPassword);
      expect(j.vault.credentials).toBe(j.saved[0]);
      expect((await readPost(result.remoteId)).value.text).toBe('Mit frischem Token');
    });

    it('refreshes ahead of time when the stored expiry has passed', async () => {
      const j = job({ credentials: { ...aliceCredentials, expiresAt: Date.now() - 1000 } });
      const mark = sent.length;
      await publish(request('Vorher erneuert'), j);
      expect(since(mark)[0]!.nsid).toBe('com.atproto.server.refreshSession');
      expect(j.saved).toHaveLength(1);
    });

    it('opens a new session with the app password when the refresh token is dead too', async () => {
      const j = job();
      vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
      vi.setSystemTime(Date.now() + 91 * 86_400_000);
      const mark = sent.length;
      const result = await publish(request('Nach 91 Tagen'), j);
      vi.useRealTimers();
      expect(since(mark).slice(0, 4).map((r) => r.nsid)).toEqual([
        'com.atproto.server.getSession',
        'com.atproto.server.refreshSession',
        'com.atproto.server.createSession',
        'com.atproto.server.getSession',
      ]);
      expect(j.saved).toHaveLength(1);
      expect(j.saved[0]!.refreshToken).toBe(alice.appPassword);
      expect(result.outcome).toBe('published');
    });

    it('asks for the account to be reconnected when the app password is wrong', async () => {
      const wrong = 'abcd-efgh-ijkl-mnop';
      const req = request('Falsches Passwort');
      const j = job({ credentials: { accessToken: 'none', refreshToken: wrong } });
      const err = await failure(publish(req, j));
      expect(err.code).toBe('publish.bluesky.reconnect');
      expect(err.message).toBe('Bluesky no longer accepts the saved sign-in for this account. Ask IT to reconnect the account with a new app password.');
      expect(err.detail).toMatch(/createSession: HTTP 401 AuthenticationRequired/);
      expect(JSON.stringify(err.toValue())).not.toContain(wrong);
      expect(j.saved).toEqual([]);

      // A session the server cannot read, and no app password to start over with: same answer.
      const broken = job({ credentials: { accessToken: `${aliceCredentials.accessToken.split('~')[0]}x~${aliceCredentials.accessToken.split('~')[1]}x` } });
      expect((await failure(publish(req, broken))).code).toBe('publish.bluesky.reconnect');
    });

    it('refuses a sign-in that belongs to another account than the job\'s', async () => {
      const err = await failure(publish(request('Falsches Konto'), job({ accountId: bob.did })));
      expect(err.code).toBe('publish.bluesky.wrong-account');
    });
  });

  it('never used fetch or a socket beyond loopback', () => {
    expect(fetchAttempts).toEqual([]);
    expect(spy.attempts.length).toBeGreaterThan(0);
    expect(spy.violations).toEqual([]);
  });
});

