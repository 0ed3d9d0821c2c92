// Airlock's own Bluesky adapter against the training PDS simulator on 127.0.0.1: connecting with
// an app password (the main password refused), a photo post with alt text read back as the record
// the simulator stored, the server's own refusals (alt text missing, text over 300 graphemes) in
// the XRPC envelope and in Airlock's plain words, reconcile finding an earlier post, and sessions
// that refresh and end.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishContext, PublishMedia, PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { connectBlueskyAccount, createBlueskyAdapter, recordKeyFor } from '../../../../electron/platforms/bluesky/adapter.ts';
import { explainBlueskyFailure } from '../../../../electron/platforms/bluesky/bluesky-errors.ts';
import { startBlueskySimulator, type BlueskySimulator } from '../../../../electron/platforms/bluesky/simulator.ts';
import { EgressLog } from '../../../../electron/services/egress/egress-log.ts';
import { EgressPolicy } from '../../../../electron/services/egress/egress-policy.ts';
import { createEgressClient, type EgressClient } from '../../../../electron/services/egress/http-client.ts';
import type { AccountCredentials } from '../../../../electron/services/vault/vault.ts';

const ACCOUNT = { did: 'did:plc:harbourcitytraining42', handle: 'harbourcity.bsky.training', appPassword: 'abcd-efgh-ijkl-mnop', password: 'the-main-password' };

let sim: BlueskySimulator;
let http: EgressClient;
let dir: string;
let photo: PublishMedia;
let credentials: AccountCredentials;

beforeAll(async () => {
  sim = await startBlueskySimulator({ accounts: [ACCOUNT] });
  http = createEgressClient({ policy: new EgressPolicy({ allowedHosts: ['bsky.social'], allowLoopback: true }), log: new EgressLog() });
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-bsky-sim-'));
  const file = path.join(dir, 'harbour.png');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#1d6fa5' } }).png().toFile(file);
  const bytes = await readFile(file);
  photo = {
    kind: 'image',
    path: file,
    bytes: bytes.length,
    format: 'png',
    contentType: 'image/png',
    cleanSha256: createHash('sha256').update(bytes).digest('hex'),
    altText: 'The harbour at dawn',
    width: 64,
    height: 48,
    durationMs: null,
  };
});

afterAll(async () => {
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function context(): PublishContext & { saved: AccountCredentials[] } {
  const saved: AccountCredentials[] = [];
  return {
    account: { platform: 'bluesky', accountId: ACCOUNT.did, apiBase: sim.origin },
    http,
    credentials: async () => saved.at(-1) ?? credentials,
    saveCredentials: async (c) => void saved.push(c),
    onProgress: () => undefined,
    signal: new AbortController().signal,
    checkpoint: { load: async () => ({}), save: async () => undefined },
    saved,
  };
}

let keys = 0;
function request(caption: string, media: PublishMedia[]): PublishRequest {
  keys++;
  return { postId: `post-${keys}`, idempotencyKey: `sim-job-${keys}`, caption, options: {}, media };
}

async function xrpc(nsid: string, init: { method?: string; token?: string; json?: unknown; query?: Record<string, string> } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(`/xrpc/${nsid}`, sim.origin);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('Bluesky simulator with Airlock\'s Bluesky adapter', () => {
  it('connects with an app password and refuses the main password', async () => {
    const connected = await connectBlueskyAccount({ http, apiBase: sim.origin, identifier: ACCOUNT.handle, appPassword: ACCOUNT.appPassword });
    expect(connected).toMatchObject({ did: ACCOUNT.did, handle: ACCOUNT.handle });
    credentials = connected.credentials;
    await expect(connectBlueskyAccount({ http, apiBase: sim.origin, identifier: ACCOUNT.handle, appPassword: ACCOUNT.password })).rejects.toMatchObject({ code: 'publish.bluesky.not-app-password' });
    await expect(connectBlueskyAccount({ http, apiBase: sim.origin, identifier: ACCOUNT.handle, appPassword: 'wrong-pass-word-here' })).rejects.toMatchObject({ code: 'publish.bluesky.reconnect' });
  });

  it('publishes a photo with alt text, stored as a post record with the uploaded blob', async () => {
    const adapter = createBlueskyAdapter();
    const req = request('Harbour open day on Saturday 🎉', [photo]);
    const result = await adapter.publish(req, context());
    const rkey = recordKeyFor(req.idempotencyKey);
    expect(result).toEqual({ remoteId: `at://${ACCOUNT.did}/app.bsky.feed.post/${rkey}`, url: `https://bsky.app/profile/${ACCOUNT.handle}/post/${rkey}`, outcome: 'published' });
    const record = sim.records().find((r) => r.uri === result.remoteId)!;
    const images = (record.value.embed as { images: { alt: string; image: { ref: { $link: string }; size: number; mimeType: string } }[] }).images;
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ alt: photo.altText, image: { size: photo.bytes, mimeType: 'image/png' } });
    expect(images[0]!.image.ref.$link).toMatch(/^bafkrei[a-z2-7]+$/);
    expect(sim.feed()[0]).toMatchObject({ uri: result.remoteId, handle: ACCOUNT.handle, text: req.caption, alts: [photo.altText], sizeBytes: photo.bytes });
  });

  it('refuses an image without alt text as the real server does, and the adapter never sends one', async () => {
    const ctx = context();
    const adapter = createBlueskyAdapter();
    const callsBefore = sim.calls().length;
    await expect(adapter.publish(request('No description', [{ ...photo, altText: null }]), ctx)).rejects.toMatchObject({ code: 'publish.bluesky.alt-missing' });
    expect(sim.calls().slice(callsBefore)).toEqual([]);

    const session = sim.issueSession(ACCOUNT.did);
    const upload = await fetch(new URL('/xrpc/com.atproto.repo.uploadBlob', sim.origin), { method: 'POST', headers: { authorization: `Bearer ${session.accessJwt}`, 'content-type': 'image/png' }, body: await readFile(photo.path) });
    const { blob } = (await upload.json()) as { blob: unknown };
    const posts = sim.feed().length;
    const refused = await xrpc('com.atproto.repo.createRecord', {
      token: session.accessJwt,
      json: { repo: ACCOUNT.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text: 'x', createdAt: new Date().toISOString(), embed: { $type: 'app.bsky.embed.images', images: [{ image: blob }] } } },
    });
    expect(refused).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record: Missing required key "alt" at $.record.embed.images[0]' } });
    const tooLong = await xrpc('com.atproto.repo.createRecord', { token: session.accessJwt, json: { repo: ACCOUNT.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text: '👍🏽'.repeat(301), createdAt: new Date().toISOString() } } });
    expect(tooLong).toEqual({ status: 400, body: { error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text' } });
    expect(sim.feed()).toHaveLength(posts);
  });

  it('turns the server\'s refusal of an over-long caption into Airlock\'s plain error, publishing nothing', async () => {
    const posts = sim.feed().length;
    const err = await createBlueskyAdapter().publish(request('a'.repeat(301), []), context()).catch((e: unknown) => explainBlueskyFailure(e));
    expect(err).toMatchObject({ code: 'publish.bluesky.text-too-long' });
    expect(sim.feed()).toHaveLength(posts);
  });

  it('reconcile finds an existing record by its key and nothing for a post never sent', async () => {
    const adapter = createBlueskyAdapter();
    const req = request('Bin collection moves to Tuesday', []);
    const published = await adapter.publish(req, context());
    expect(await adapter.reconcile(req, context())).toEqual(published);
    expect(await adapter.reconcile(request('never sent', []), context())).toBeNull();
    const again = await adapter.publish(req, context());
    expect(again).toEqual(published);
    expect(sim.feed().filter((p) => p.text === req.caption)).toHaveLength(1);
  });

  it('renews a session the server says has expired, through refreshSession, and saves the new tokens', async () => {
    let now = Date.now();
    const timed = await startBlueskySimulator({ accounts: [ACCOUNT], clock: () => now });
    try {
      const connected = await connectBlueskyAccount({ http, apiBase: timed.origin, identifier: ACCOUNT.did, appPassword: ACCOUNT.appPassword });
      // Three hours on at the server: the two-hour access JWT is dead there, the refresh JWT is not.
      now += 3 * 60 * 60 * 1000;
      const saved: AccountCredentials[] = [];
      const ctx: PublishContext = { ...context(), account: { platform: 'bluesky', accountId: ACCOUNT.did, apiBase: timed.origin }, credentials: async () => saved.at(-1) ?? connected.credentials, saveCredentials: async (c) => void saved.push(c) };
      const result = await createBlueskyAdapter().publish(request('After the weekend', []), ctx);
      expect(result.outcome).toBe('published');
      expect(timed.calls().filter((c) => c.startsWith('com.atproto.server.'))).toEqual(['com.atproto.server.createSession', 'com.atproto.server.getSession', 'com.atproto.server.refreshSession', 'com.atproto.server.getSession']);
      expect(saved).toHaveLength(1);
      expect(saved[0]!.accessToken).not.toBe(connected.credentials.accessToken);
      expect(saved[0]!.refreshToken).toBe(ACCOUNT.appPassword);
    } finally {
      await timed.stop();
    }
  });

  it('rotates the refresh token, ends sessions, and answers in the XRPC error envelope', async () => {
    const session = sim.issueSession(ACCOUNT.did);
    const refreshed = await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: session.refreshJwt });
    expect(refreshed.status).toBe(200);
    expect(JSON.parse(Buffer.from((refreshed.body.accessJwt as string).split('.')[1]!, 'base64url').toString('utf8'))).toMatchObject({ scope: 'com.atproto.appPass', sub: ACCOUNT.did });
    expect(await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: session.refreshJwt })).toEqual({ status: 400, body: { error: 'ExpiredToken', message: 'Token has been revoked' } });
    const next = refreshed.body.refreshJwt as string;
    expect((await xrpc('com.atproto.server.deleteSession', { method: 'POST', token: next })).status).toBe(200);
    expect((await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: next })).body.error).toBe('ExpiredToken');
    expect(await xrpc('com.atproto.server.getSession', { token: `${session.accessJwt.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}` })).toEqual({ status: 400, body: { error: 'InvalidToken', message: 'Token could not be verified' } });
    expect(await xrpc('com.atproto.repo.getRecord', { query: { repo: ACCOUNT.did, collection: 'app.bsky.feed.post', rkey: '3zzzzzzzzzzzz' } })).toMatchObject({ status: 400, body: { error: 'RecordNotFound' } });
    expect(await xrpc('com.atproto.repo.createRecord', { token: session.accessJwt, json: { repo: ACCOUNT.did, collection: 'app.bsky.feed.post', rkey: 'not-a-tid', record: { $type: 'app.bsky.feed.post', text: 'x', createdAt: new Date().toISOString() } } })).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } });
    expect(await xrpc('com.atproto.identity.resolveHandle', { query: { handle: ACCOUNT.handle } })).toEqual({ status: 200, body: { did: ACCOUNT.did } });
    const listed = await xrpc('com.atproto.repo.listRecords', { query: { repo: ACCOUNT.handle, collection: 'app.bsky.feed.post' } });
    expect((listed.body.records as unknown[]).length).toBe(sim.feed().length);
  });
});
