// A Facebook Page video post through the whole kiosk: approved and scheduled through the API,
// published by the publisher with the adapter openCore wires, the user token and the app id from
// the real keychain, and the Graph simulator on 127.0.0.1 holding the Page's video afterwards;
// then a job whose answer was lost, found after a restart rather than published twice.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostView } from '../../../common/contract.ts';
import { startFacebookSimulator, type FacebookSimulator } from '../../../electron/platforms/facebook/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { approvedVideoPost, ok, paddedClip } from '../../support/publish-kiosk.ts';

let keyring: KeyringSession;
let fb: FacebookSimulator;
let video: Buffer;

beforeAll(async () => {
  keyring = await startKeyringSession();
  fb = await startFacebookSimulator();
  video = await paddedClip(await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-facebook-')), 'ferry', 3 * 1024 * 1024);
});

afterAll(async () => {
  await fb?.stop();
  await keyring?.stop();
});

const openKiosk = (dataDir: string) =>
  openTestCore({ dataDir, allowLoopbackEgress: true, policy: testPolicy({ platforms: ['facebook'] }), publisherIntervalMs: null, publishPollMs: 10, secretStore: new KeychainSecretStore({ service: 'Airlock-publish-facebook-test' }) });

async function kioskWithApprovedPost(caption: string): Promise<{ core: AirlockCore; post: PostView; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-data-'));
  const core = await openKiosk(dataDir);
  await signInFirstAdmin(core);
  await core.vault.saveAppCredentials('facebook', { clientId: fb.appId, clientSecret: 'facebook-test-app-secret' });
  const token = fb.issueUserToken();
  const page = fb.pages()[0]!;
  await core.connectAccount(
    { platform: 'facebook', account_id: page.id, display_name: `${page.name} (simulator)`, api_base: fb.origin, connected_by: 'test', simulated: true },
    { accessToken: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 },
  );
  const post = await approvedVideoPost(core, video, { caption, targets: ['facebook'], options: { facebook: { title: 'New ferry times' } } });
  return { core, post, dataDir };
}

describe('publishing to a Facebook Page through the kiosk', () => {
  it('an approved post goes to the Page once, with its video, and the post is marked published', async () => {
    const { core, post } = await kioskWithApprovedPost('Ferry times change on Monday');
    try {
      const before = fb.feed().length;
      await Promise.all([core.publisher.tick(), core.publisher.tick()]);
      await core.publisher.tick();

      const after = await ok<PostView>(core.call('posts.get', { id: post.id }));
      const jobs = await core.store.call('publish.jobsForPost', { postId: post.id });
      expect({ state: after.state, errors: jobs.map((j) => j.last_error_json) }).toEqual({ state: 'published', errors: [null] });
      expect(fb.feed()).toHaveLength(before + 1);
      expect(fb.feed()[0]).toMatchObject({ pageId: fb.pages()[0]!.id, kind: 'video', title: 'New ferry times', message: 'Ferry times change on Monday', sizeBytes: video.length, sha256: createHash('sha256').update(video).digest('hex') });
      const log = await core.audit.list({ kind: 'publish.result', limit: 5 });
      expect(log.entries.map((e) => e.details)).toEqual([expect.objectContaining({ platform: 'facebook', ok: true, remoteId: fb.feed()[0]!.id })]);
    } finally {
      await core.close();
    }
  }, 60_000);

  it('after a restart, finds the video whose answer was lost instead of publishing it again', async () => {
    const { core, post, dataDir } = await kioskWithApprovedPost('Library closed on Friday');
    const before = fb.feed().length;
    // The post takes effect, but its answer never comes; the kiosk shuts down while it waits.
    fb.injectFault({ kind: 'no-answer', endpoint: 'publish' });
    const run = core.publisher.tick();
    for (let i = 0; fb.feed().length === before && i < 1000; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fb.feed().length).toBe(before + 1);
    await core.publisher.stop();
    await run;
    expect((await core.store.call('posts.get', { id: post.id }))?.post.state).not.toBe('published');
    await core.close();
    const published = fb.requests().filter((r) => r.endpoint === 'publish').length;

    const again = await openKiosk(dataDir);
    try {
      await again.publisher.tick();
      await again.publisher.tick();
      expect((await again.store.call('posts.get', { id: post.id }))?.post.state).toBe('published');
      expect(fb.feed().filter((p) => p.message === 'Library closed on Friday')).toHaveLength(1);
      expect(fb.requests().filter((r) => r.endpoint === 'publish')).toHaveLength(published);
      expect(fb.requests().filter((r) => r.endpoint === 'videos').length).toBeGreaterThan(0);
    } finally {
      await again.close();
    }
  }, 60_000);
});
