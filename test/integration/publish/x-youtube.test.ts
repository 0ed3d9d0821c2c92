// A post for X and YouTube through the whole kiosk: approved and scheduled through the API,
// published by the publisher with the adapters openCore wires, tokens from the real keychain,
// and the X and YouTube simulators on 127.0.0.1 holding the post and the video afterwards; photos
// go to X with the descriptions staff wrote.
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostView } from '../../../common/contract.ts';
import { startXSimulator, type XSimulator } from '../../../electron/platforms/x/simulator.ts';
import { startYouTubeSimulator, type YouTubeSimulator } from '../../../electron/platforms/youtube/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { ok, paddedClip, seedMedia } from '../../support/publish-kiosk.ts';

let keyring: KeyringSession;
let x: XSimulator;
let yt: YouTubeSimulator;
let video: Buffer;

beforeAll(async () => {
  keyring = await startKeyringSession();
  x = await startXSimulator({ processingPolls: 0 });
  yt = await startYouTubeSimulator();
  // Padded with a free box after the movie, so it takes several segments and chunks.
  video = await paddedClip(await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-x-youtube-')), 'ferry', 9 * 1024 * 1024);
});

afterAll(async () => {
  await x?.stop();
  await yt?.stop();
  await keyring?.stop();
});

const secretStore = () => new KeychainSecretStore({ service: 'Airlock-publish-x-youtube-test' });
const openKiosk = (dataDir: string) => openTestCore({ dataDir, allowLoopbackEgress: true, policy: testPolicy({ platforms: ['x', 'youtube'] }), publisherIntervalMs: null, publishPollMs: 10, secretStore: secretStore() });

/** A kiosk with the X and YouTube simulator accounts connected and an approved video post for `targets`, due now. */
async function kioskWithApprovedPost(targets: ('x' | 'youtube')[]): Promise<{ core: AirlockCore; post: PostView; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-data-'));
  const core = await openKiosk(dataDir);
  await signInFirstAdmin(core);
  const xTokens = x.issueTokens();
  const xUser = x.accounts()[0]!;
  await core.connectAccount(
    { platform: 'x', account_id: xUser.id, display_name: `@${xUser.username} (simulator)`, api_base: x.origin, connected_by: 'test', simulated: true },
    { accessToken: xTokens.access_token, refreshToken: xTokens.refresh_token!, expiresAt: Date.now() + xTokens.expires_in * 1000 },
  );
  const ytTokens = yt.issueTokens();
  const channel = yt.channels()[0]!;
  await core.connectAccount(
    { platform: 'youtube', account_id: channel.id, display_name: `${channel.title} (simulator)`, api_base: yt.origin, connected_by: 'test', simulated: true },
    { accessToken: ytTokens.access_token, refreshToken: ytTokens.refresh_token!, expiresAt: Date.now() + ytTokens.expires_in * 1000 },
  );
  const temp = path.join(core.blobs.tmpDir, 'clip.mp4');
  await writeFile(temp, video);
  const blob = await core.blobs.adoptFile(temp);
  const approver = await ok<{ id: string }>(core.call('staff.create', { name: 'Bo Approver', role: 'approver', credential: { kind: 'pin', secret: '582914' } }));
  const media = await seedMedia(core, blob.sha256, blob.bytes);
  let post = await ok<PostView>(core.call('posts.create', { caption: 'Ferry times change on Monday #harbour', targets, options: { youtube: { title: 'New ferry times', privacy: 'public' } }, media: [{ mediaId: media, altText: 'A ferry leaving' }] }));
  post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
  await ok(core.call('staff.signIn', { staffId: approver.id, secret: '582914' }));
  post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
  post = await ok<PostView>(core.call('posts.schedule', { id: post.id, version: post.version, at: 'now' }));
  return { core, post, dataDir };
}

describe('publishing to X and YouTube through the kiosk', () => {
  it('an approved post goes to both simulators once, and the post is marked published', async () => {
    const { core, post } = await kioskWithApprovedPost(['x', 'youtube']);
    try {
      const xBefore = x.feed().length;
      const ytBefore = yt.feed().length;
      await Promise.all([core.publisher.tick(), core.publisher.tick()]);
      await core.publisher.tick();

      const after = await ok<PostView>(core.call('posts.get', { id: post.id }));
      const jobs = await core.store.call('publish.jobsForPost', { postId: post.id });
      expect({ state: after.state, errors: jobs.map((j) => j.last_error_json) }).toEqual({ state: 'published', errors: [null, null] });
      expect(x.feed()).toHaveLength(xBefore + 1);
      expect(x.feed()[0]).toMatchObject({ text: 'Ferry times change on Monday #harbour', authorId: x.accounts()[0]!.id });
      expect(x.feed()[0]!.media[0]).toMatchObject({ type: 'video/mp4', sizeBytes: video.length });
      // The video's description is not sent to X, whose media metadata is for images and GIFs.
      expect(x.feed()[0]!.media[0]!.altText).toBeNull();
      expect(yt.feed()).toHaveLength(ytBefore + 1);
      expect(yt.feed()[0]).toMatchObject({ title: 'New ferry times', description: 'Ferry times change on Monday #harbour', channelId: yt.channels()[0]!.id, sizeBytes: video.length });
      expect(yt.feed()[0]!.sha256).toBe(createHash('sha256').update(video).digest('hex'));
      const log = await core.audit.list({ kind: 'publish.result', limit: 5 });
      expect(log.entries.map((e) => e.details).sort((a, b) => String(a.platform).localeCompare(String(b.platform)))).toEqual([
        expect.objectContaining({ platform: 'x', ok: true }),
        expect.objectContaining({ platform: 'youtube', ok: true }),
      ]);
    } finally {
      await core.close();
    }
  }, 60_000);

  it('finishes a YouTube upload interrupted by a shutdown after a restart, from where it stopped, without a second video', async () => {
    const { core, post, dataDir } = await kioskWithApprovedPost(['youtube']);
    const before = yt.feed().length;
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
    expect(yt.feed().length).toBe(before);
    const sessions = yt.sessions().length;

    const again = await openKiosk(dataDir);
    try {
      await again.publisher.tick();
      await again.publisher.tick();
      expect((await again.store.call('posts.get', { id: post.id }))?.post.state).toBe('published');
      expect(yt.feed().length).toBe(before + 1);
      // The saved session was carried on: no new one was started.
      expect(yt.sessions()).toHaveLength(sessions);
      expect(yt.feed()[0]!.sha256).toBe(createHash('sha256').update(video).digest('hex'));
    } finally {
      await again.close();
    }
  }, 60_000);
});

describe('photos with descriptions to X through the kiosk', () => {
  /** A JPEG adopted into the library as an imported photo; its library id. */
  async function seedPhoto(core: AirlockCore, name: string, colour: number): Promise<string> {
    const temp = path.join(core.blobs.tmpDir, `${name}.jpg`);
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: colour, g: 90, b: 160 } } }).jpeg().toFile(temp);
    const blob = await core.blobs.adoptFile(temp);
    return seedMedia(core, blob.sha256, blob.bytes, { kind: 'image', format: 'jpeg', originalName: `${name}.jpg`, width: 320, height: 240, durationMs: null });
  }

  it('an approved post with two described photos and one without reaches X with each description, set before the post', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-data-'));
    const core = await openKiosk(dataDir);
    try {
      await signInFirstAdmin(core);
      const tokens = x.issueTokens();
      const user = x.accounts()[0]!;
      await core.connectAccount(
        { platform: 'x', account_id: user.id, display_name: `@${user.username} (simulator)`, api_base: x.origin, connected_by: 'test', simulated: true },
        { accessToken: tokens.access_token, refreshToken: tokens.refresh_token!, expiresAt: Date.now() + tokens.expires_in * 1000 },
      );
      const photos = [await seedPhoto(core, 'pier', 40), await seedPhoto(core, 'market', 120), await seedPhoto(core, 'square', 200)];
      const approver = await ok<{ id: string }>(core.call('staff.create', { name: 'Bo Approver', role: 'approver', credential: { kind: 'pin', secret: '582914' } }));
      const media = [
        { mediaId: photos[0]!, altText: 'The new pier, seen from the water' },
        { mediaId: photos[1]!, altText: 'Stalls in the market hall' },
        { mediaId: photos[2]!, altText: null },
      ];
      let post = await ok<PostView>(core.call('posts.create', { caption: 'Harbour photos from the weekend #harbour', targets: ['x'], options: {}, media }));
      post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
      await ok(core.call('staff.signIn', { staffId: approver.id, secret: '582914' }));
      post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
      post = await ok<PostView>(core.call('posts.schedule', { id: post.id, version: post.version, at: 'now' }));
      const before = x.requests().length;

      await core.publisher.tick();

      const after = await ok<PostView>(core.call('posts.get', { id: post.id }));
      expect(after.state).toBe('published');
      expect(x.feed()[0]).toMatchObject({ text: 'Harbour photos from the weekend #harbour' });
      expect(x.feed()[0]!.media.map((m) => [m.type, m.altText])).toEqual([
        ['image/jpeg', 'The new pier, seen from the water'],
        ['image/jpeg', 'Stalls in the market hall'],
        ['image/jpeg', null],
      ]);
      const sent = x.requests().slice(before).map((r) => r.endpoint);
      expect(sent.filter((e) => e === 'metadata')).toHaveLength(2);
      expect(sent.lastIndexOf('metadata')).toBeLessThan(sent.indexOf('tweets'));
    } finally {
      await core.close();
    }
  }, 60_000);
});
