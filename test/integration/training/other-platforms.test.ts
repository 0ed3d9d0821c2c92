// Training mode's Mastodon, LinkedIn, Facebook Page, Instagram and Bluesky demo accounts:
// connected at start, listed in the training bar, and a post approved for all five landing in
// their simulators' feeds. Nothing leaves the machine.
import { describe, expect, it } from 'vitest';
import type { AccountHealth, PostView, ScanView, TrainingFeedPost, TrainingStatus } from '../../../common/contract.ts';
import { openTestCore } from '../../support/core.ts';

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

describe('training mode: Mastodon, LinkedIn, Facebook, Instagram and Bluesky', () => {
  it('connects demo accounts for them and shows what was published to each in the feed', async () => {
    const core = await openTestCore({ trainingMode: true, publishPollMs: 10 });
    try {
      const status = await ok<TrainingStatus>(core.call('training.status', {}));
      expect(status.accounts.map((a) => a.platform)).toEqual(['tiktok', 'x', 'youtube', 'mastodon', 'linkedin', 'facebook', 'instagram', 'bluesky']);
      const [tara, alex, sam] = status.staff;
      const signIn = async (person: { name: string; pin: string }) => {
        const { choices } = await ok<{ choices: { id: string; name: string }[] }>(core.call('staff.status', {}));
        await ok(core.call('staff.signIn', { staffId: choices.find((c) => c.name === person.name)!.id, secret: person.pin }));
      };

      await signIn(tara!);
      const { accounts } = await ok<{ accounts: AccountHealth[] }>(core.call('accounts.list', {}));
      expect(accounts.filter((a) => ['mastodon', 'linkedin', 'facebook', 'instagram', 'bluesky'].includes(a.platform)).map((a) => a.platform).sort()).toEqual(['bluesky', 'facebook', 'instagram', 'linkedin', 'mastodon']);
      expect(accounts.find((a) => a.platform === 'bluesky')).toMatchObject({ accountId: 'did:plc:harbourcitytraining42', simulated: true, status: 'healthy' });

      await signIn(alex!);
      const { volumeId } = await ok<{ volumeId: string }>(core.call('training.insertStick', { stickId: 'harbour-day' }));
      await ok<ScanView>(core.call('import.scan', { volumeId }));
      const finished = new Promise<{ ok: boolean }>((resolve) => core.events.subscribe((e) => e.name === 'import.finished' && resolve(e.payload)));
      await ok(core.call('import.start', { volumeId }));
      expect(await finished).toMatchObject({ ok: true });

      const drafts = await ok<{ posts: PostView[] }>(core.call('posts.list', { states: ['draft'] }));
      const ferry = drafts.posts.find((p) => p.caption.startsWith('New ferry'))!;
      let post = await ok<PostView>(
        core.call('posts.edit', {
          id: ferry.id,
          version: ferry.version,
          change: { targets: ['mastodon', 'linkedin', 'facebook', 'instagram', 'bluesky'], options: { mastodon: { visibility: 'unlisted' }, facebook: { title: 'New ferry timetable' } } },
        }),
      );
      post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
      await signIn(sam!);
      post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
      await ok(core.call('posts.schedule', { id: post.id, version: post.version, at: 'now' }));

      await core.publisher.tick();
      await core.publisher.tick();

      expect((await ok<PostView>(core.call('posts.get', { id: post.id }))).state).toBe('published');
      const { posts } = await ok<{ posts: TrainingFeedPost[] }>(core.call('training.feed', {}));
      expect(posts.map((p) => p.platform).sort()).toEqual(['bluesky', 'facebook', 'instagram', 'linkedin', 'mastodon']);
      expect(posts.find((p) => p.platform === 'bluesky')).toMatchObject({ account: 'harbourcity.bsky.training', caption: post.caption, audience: 'public' });
      expect(posts.find((p) => p.platform === 'mastodon')).toMatchObject({ account: 'harbourcity', caption: post.caption, audience: 'quiet' });
      expect(posts.find((p) => p.platform === 'linkedin')).toMatchObject({ account: 'Harbour City Council (training)', audience: 'public' });
      expect(posts.find((p) => p.platform === 'facebook')).toMatchObject({ account: 'Harbour City Council (training)', caption: post.caption, audience: 'public' });
      expect(posts.find((p) => p.platform === 'instagram')).toMatchObject({ account: 'harbourcity', caption: post.caption, audience: 'public' });
      expect(posts.find((p) => p.platform === 'linkedin')!.caption.startsWith('New ferry')).toBe(true);
      expect(posts.every((p) => p.bytes > 0)).toBe(true);
    } finally {
      await core.close();
    }
  }, 60_000);
});
