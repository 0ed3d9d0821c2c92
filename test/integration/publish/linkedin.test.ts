// A LinkedIn video post through the whole kiosk: approved and scheduled through the API,
// published by the publisher with the adapter openCore wires, the token from the real keychain,
// and the LinkedIn simulator on 127.0.0.1 holding the organisation's post and video afterwards;
// then a job whose answer was lost, found after a restart rather than posted twice.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostView } from '../../../common/contract.ts';
import { startLinkedInSimulator, type LinkedInSimulator } from '../../../electron/platforms/linkedin/simulator.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { approvedVideoPost, ok, paddedClip } from '../../support/publish-kiosk.ts';

let keyring: KeyringSession;
let li: LinkedInSimulator;
let video: Buffer;

beforeAll(async () => {
  keyring = await startKeyringSession();
  li = await startLinkedInSimulator();
  // Padded past 4 MiB, so it takes more than one upload part.
  video = await paddedClip(await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-linkedin-')), 'ferry', 5 * 1024 * 1024);
});

afterAll(async () => {
  await li?.stop();
  await keyring?.stop();
});

const secretStore = () => new KeychainSecretStore({ service: 'Airlock-publish-linkedin-test' });
const openKiosk = (dataDir: string) => openTestCore({ dataDir, allowLoopbackEgress: true, policy: testPolicy({ platforms: ['linkedin'] }), publisherIntervalMs: null, publishPollMs: 10, secretStore: secretStore() });

/** A kiosk with the simulator's organisation connected and an approved video post for LinkedIn, due now. */
async function kioskWithApprovedPost(caption: string): Promise<{ core: AirlockCore; post: PostView; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-publish-data-'));
  const core = await openKiosk(dataDir);
  await signInFirstAdmin(core);
  const tokens = li.issueTokens();
  const org = li.organizations()[0]!;
  await core.connectAccount(
    { platform: 'linkedin', account_id: org.urn, display_name: `${org.name} (simulator)`, api_base: li.origin, connected_by: 'test', simulated: true },
    { accessToken: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 },
  );
  const post = await approvedVideoPost(core, video, { caption, targets: ['linkedin'] });
  return { core, post, dataDir };
}

describe('publishing to LinkedIn through the kiosk', () => {
  it('an approved post goes to the organisation once, with its video, and the post is marked published', async () => {
    const { core, post } = await kioskWithApprovedPost('Ferry times change on Monday #harbour');
    try {
      const before = li.feed().length;
      await Promise.all([core.publisher.tick(), core.publisher.tick()]);
      await core.publisher.tick();

      const after = await ok<PostView>(core.call('posts.get', { id: post.id }));
      const jobs = await core.store.call('publish.jobsForPost', { postId: post.id });
      expect({ state: after.state, errors: jobs.map((j) => j.last_error_json) }).toEqual({ state: 'published', errors: [null] });
      expect(li.feed()).toHaveLength(before + 1);
      const [made] = li.feed();
      expect(made).toMatchObject({ author: li.organizations()[0]!.urn, text: 'Ferry times change on Monday #harbour' });
      const v = li.videos().find((x) => x.urn === made!.mediaId);
      expect(v).toMatchObject({ status: 'AVAILABLE', sizeBytes: video.length, sha256: createHash('sha256').update(video).digest('hex') });
      const log = await core.audit.list({ kind: 'publish.result', limit: 5 });
      expect(log.entries.map((e) => e.details)).toEqual([expect.objectContaining({ platform: 'linkedin', ok: true, remoteId: made!.id })]);
    } finally {
      await core.close();
    }
  }, 60_000);

  it('after a restart, finds the post whose answer was lost instead of posting it again', async () => {
    const { core, post, dataDir } = await kioskWithApprovedPost('Library closed on Friday');
    const before = li.feed().length;
    // The post takes effect, but its answer never comes; the kiosk shuts down while it waits.
    li.injectFault({ kind: 'no-answer', endpoint: 'post' });
    const run = core.publisher.tick();
    for (let i = 0; li.feed().length === before && i < 1000; i++) await new Promise((r) => setTimeout(r, 10));
    expect(li.feed().length).toBe(before + 1);
    await core.publisher.stop();
    await run;
    expect((await core.store.call('posts.get', { id: post.id }))?.post.state).not.toBe('published');
    await core.close();
    const posts = li.requests().filter((r) => r.endpoint === 'post').length;

    const again = await openKiosk(dataDir);
    try {
      await again.publisher.tick();
      await again.publisher.tick();
      expect((await again.store.call('posts.get', { id: post.id }))?.post.state).toBe('published');
      expect(li.feed().length).toBe(before + 1);
      expect(li.feed().filter((p) => p.text === 'Library closed on Friday')).toHaveLength(1);
      // Found among the organisation's posts; never sent a second time.
      expect(li.requests().filter((r) => r.endpoint === 'post')).toHaveLength(posts);
      expect(li.requests().filter((r) => r.endpoint === 'find').length).toBeGreaterThan(0);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('does not use a connected account the policy no longer allows: nothing is sent, and the post says why', async () => {
    const { core: first, post, dataDir } = await kioskWithApprovedPost('Harbour open day');
    await first.close();
    // IT narrows the policy to another organisation; the kiosk restarts with it.
    const narrowed = await openTestCore({ dataDir, allowLoopbackEgress: true, policy: testPolicy({ platforms: ['linkedin'], accounts: { linkedin: ['urn:li:organization:1'] } }), publisherIntervalMs: null, publishPollMs: 10, secretStore: secretStore() });
    try {
      const posts = li.requests().filter((r) => r.endpoint === 'post').length;
      await narrowed.publisher.tick();
      const jobs = await narrowed.store.call('publish.jobsForPost', { postId: post.id });
      expect(jobs.map((j) => JSON.parse(j.last_error_json ?? '{}').code)).toEqual(['publish.account-not-allowed']);
      expect((await narrowed.store.call('posts.get', { id: post.id }))?.post.state).not.toBe('published');
      expect(li.requests().filter((r) => r.endpoint === 'post').length).toBe(posts);
    } finally {
      await narrowed.close();
    }
  }, 60_000);
});
