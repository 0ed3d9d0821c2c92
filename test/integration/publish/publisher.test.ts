// Publishing end to end on loopback: an approved, scheduled post goes to the TikTok simulator
// through the real adapter, egress client, keychain and store, exactly once, including when
// the publisher is stopped mid-upload and started again from the same data folder.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostView } from '../../../common/contract.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../../electron/platforms/tiktok/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { seedMedia } from '../../support/publish-kiosk.ts';
import { makeVideo } from '../../support/video-fixtures.ts';

let keyring: KeyringSession;
let sim: TikTokSimulator;
let video: Buffer;

beforeAll(async () => {
  keyring = await startKeyringSession();
  sim = await startTikTokSimulator({ rateLimits: false, processing: { polls: 1, ms: 0, moderationPolls: 0, moderationMs: 0 } });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-'));
  const clip = await readFile(await makeVideo(dir, 'ferry'));
  // Padded to several upload chunks with a free box after the movie.
  const pad = Buffer.alloc(12 * 1024 * 1024);
  pad.writeUInt32BE(pad.length, 0);
  pad.write('free', 4, 'latin1');
  video = Buffer.concat([clip, pad]);
});
afterAll(async () => {
  await sim?.stop();
  await keyring?.stop();
});

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

/** A kiosk allowed to reach loopback simulators with a connected simulator account and an approved video post. */
async function kioskWithApprovedPost(dataDir?: string): Promise<{ core: AirlockCore; post: PostView; dataDir: string }> {
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-data-')));
  const core = await openTestCore({ dataDir: dir, allowLoopbackEgress: true, policy: testPolicy({ platforms: ['tiktok'] }), publisherIntervalMs: null, publishPollMs: 10, secretStore: new KeychainSecretStore({ service: 'Airlock-publish-test' }) });
  await signInFirstAdmin(core);
  const tokens = sim.issueTokens();
  await core.connectAccount(
    { platform: 'tiktok', account_id: tokens.open_id, display_name: 'Harbour City (simulator)', api_base: sim.origin, connected_by: 'test', simulated: true },
    { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: Date.now() + tokens.expires_in * 1000, refreshExpiresAt: Date.now() + tokens.refresh_expires_in * 1000 },
  );
  // A clean video in the library, as an import would leave it.
  const temp = path.join(core.blobs.tmpDir, 'clip.mp4');
  await writeFile(temp, video);
  const blob = await core.blobs.adoptFile(temp);
  const approver = await ok<{ id: string }>(core.call('staff.create', { name: 'Bo Approver', role: 'approver', credential: { kind: 'pin', secret: '582914' } }));
  const media = await seedMedia(core, blob.sha256, blob.bytes, { width: 720, height: 1280 });
  let post = await ok<PostView>(core.call('posts.create', { caption: 'Ferry times change #harbour', targets: ['tiktok'], options: { tiktok: { privacyLevel: 'SELF_ONLY' } }, media: [{ mediaId: media, altText: 'A ferry leaving' }] }));
  post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
  await ok(core.call('staff.signIn', { staffId: approver.id, secret: '582914' }));
  post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
  post = await ok<PostView>(core.call('posts.schedule', { id: post.id, version: post.version, at: 'now' }));
  return { core, post, dataDir: dir };
}

describe('publisher', () => {
  it('publishes a due post once, to the simulator, and marks it published', async () => {
    const { core, post } = await kioskWithApprovedPost();
    const before = sim.feed().length;
    await Promise.all([core.publisher.tick(), core.publisher.tick()]);
    await core.publisher.tick();
    const after = await ok<PostView>(core.call('posts.get', { id: post.id }));
    const jobs = await core.store.call('publish.jobsForPost', { postId: post.id });
    expect({ state: after.state, errors: jobs.map((j) => j.last_error_json) }).toEqual({ state: 'published', errors: [null] });
    expect(sim.feed().length).toBe(before + 1);
    expect(sim.feed().at(-1)).toMatchObject({ caption: 'Ferry times change #harbour' });
    const log = await core.audit.list({ kind: 'publish.result', limit: 5 });
    expect(log.entries[0]?.details).toMatchObject({ platform: 'tiktok', ok: true });
  });

  it('does not publish content changed after approval', async () => {
    const { core, post } = await kioskWithApprovedPost();
    const before = sim.feed().length;
    // Tamper with the stored caption behind the workflow's back, as a compromised process might.
    await core.store.call('posts.update', { id: post.id, expectedVersion: post.version, allowedStates: ['scheduled'], set: { caption: 'Something else' }, updatedAt: new Date().toISOString() });
    await core.publisher.tick();
    expect((await ok<PostView>(core.call('posts.get', { id: post.id }))).state).toBe('failed');
    expect(sim.feed().length).toBe(before);
  });

  it('finishes an upload interrupted by a shutdown after a restart, without posting twice', async () => {
    const { core, post, dataDir } = await kioskWithApprovedPost();
    const before = sim.feed().length;
    let stopped = false;
    core.events.subscribe((e) => {
      if (!stopped && e.name === 'publish.progress' && e.payload.bytesDone > 0 && e.payload.bytesDone < e.payload.bytesTotal) {
        stopped = true;
        void core.publisher.stop();
      }
    });
    await core.publisher.tick();
    expect(stopped).toBe(true);
    await core.close();
    expect(sim.feed().length).toBe(before);

    const again = await openTestCore({ dataDir, allowLoopbackEgress: true, policy: testPolicy({ platforms: ['tiktok'] }), publisherIntervalMs: null, publishPollMs: 10, secretStore: new KeychainSecretStore({ service: 'Airlock-publish-test' }) });
    await again.publisher.tick();
    await again.publisher.tick();
    expect((await again.store.call('posts.get', { id: post.id }))?.post.state).toBe('published');
    expect(sim.feed().length).toBe(before + 1);
  });
});
