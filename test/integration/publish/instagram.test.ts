// An Instagram Reel through the whole kiosk: approved and scheduled through the API, published by
// the publisher with the adapter openCore wires, the token from the real keychain, and the
// Instagram simulator on 127.0.0.1 holding the Reel afterwards; then a publish whose answer was
// lost, settled after a restart rather than published twice.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostView } from '../../../common/contract.ts';
import { startInstagramSimulator, type InstagramSimulator } from '../../../electron/platforms/instagram/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { approvedVideoPost, ok, paddedClip } from '../../support/publish-kiosk.ts';

let keyring: KeyringSession;
let ig: InstagramSimulator;
let video: Buffer;

beforeAll(async () => {
  keyring = await startKeyringSession();
  ig = await startInstagramSimulator({ processingPolls: 1 });
  video = await paddedClip(await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-instagram-')), 'ferry', 2 * 1024 * 1024);
});

afterAll(async () => {
  await ig?.stop();
  await keyring?.stop();
});

const openKiosk = (dataDir: string) =>
  openTestCore({ dataDir, allowLoopbackEgress: true, policy: testPolicy({ platforms: ['instagram'] }), publisherIntervalMs: null, publishPollMs: 10, secretStore: new KeychainSecretStore({ service: 'Airlock-publish-instagram-test' }) });

async function kioskWithApprovedPost(caption: string): Promise<{ core: AirlockCore; post: PostView; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-data-'));
  const core = await openKiosk(dataDir);
  await signInFirstAdmin(core);
  const token = ig.issueUserToken();
  const account = ig.accounts()[0]!;
  await core.connectAccount(
    { platform: 'instagram', account_id: account.id, display_name: `@${account.username} (simulator)`, api_base: ig.origin, connected_by: 'test', simulated: true },
    { accessToken: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 },
  );
  const post = await approvedVideoPost(core, video, { caption, targets: ['instagram'] });
  return { core, post, dataDir };
}

describe('publishing a Reel to Instagram through the kiosk', () => {
  it('an approved post becomes one Reel, and the post is marked published', async () => {
    const { core, post } = await kioskWithApprovedPost('Ferry times change on Monday #harbour');
    try {
      const before = ig.feed().length;
      await Promise.all([core.publisher.tick(), core.publisher.tick()]);
      await core.publisher.tick();

      const after = await ok<PostView>(core.call('posts.get', { id: post.id }));
      const jobs = await core.store.call('publish.jobsForPost', { postId: post.id });
      expect({ state: after.state, errors: jobs.map((j) => j.last_error_json) }).toEqual({ state: 'published', errors: [null] });
      expect(ig.feed()).toHaveLength(before + 1);
      expect(ig.feed()[0]).toMatchObject({ accountId: ig.accounts()[0]!.id, caption: 'Ferry times change on Monday #harbour', sizeBytes: video.length, sha256: createHash('sha256').update(video).digest('hex') });
      const log = await core.audit.list({ kind: 'publish.result', limit: 5 });
      expect(log.entries.map((e) => e.details)).toEqual([expect.objectContaining({ platform: 'instagram', ok: true, remoteId: ig.feed()[0]!.id, url: ig.feed()[0]!.permalink })]);
    } finally {
      await core.close();
    }
  }, 60_000);

  it('after a restart, settles a publish whose answer was lost instead of publishing again', async () => {
    const { core, post, dataDir } = await kioskWithApprovedPost('Library closed on Friday');
    const before = ig.feed().length;
    // The post takes effect, but its answer never comes; the kiosk shuts down while it waits.
    ig.injectFault({ kind: 'no-answer', endpoint: 'publish' });
    const run = core.publisher.tick();
    for (let i = 0; ig.feed().length === before && i < 1000; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ig.feed().length).toBe(before + 1);
    await core.publisher.stop();
    await run;
    expect((await core.store.call('posts.get', { id: post.id }))?.post.state).not.toBe('published');
    await core.close();
    const published = ig.requests().filter((r) => r.endpoint === 'publish').length;

    const again = await openKiosk(dataDir);
    try {
      await again.publisher.tick();
      await again.publisher.tick();
      expect((await again.store.call('posts.get', { id: post.id }))?.post.state).toBe('published');
      expect(ig.feed().filter((m) => m.caption === 'Library closed on Friday')).toHaveLength(1);
      expect(ig.requests().filter((r) => r.endpoint === 'publish')).toHaveLength(published);
    } finally {
      await again.close();
    }
  }, 60_000);
});
