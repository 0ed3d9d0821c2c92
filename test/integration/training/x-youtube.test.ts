// Training mode's X and YouTube demo accounts: connected at start, listed in the training bar,
// and a post approved for both landing in their simulators' feeds. Nothing leaves the machine.
import { describe, expect, it } from 'vitest';
import type { PostView, ScanView, TrainingFeedPost, TrainingStatus } from '../../../common/contract.ts';
import { openTestCore } from '../../support/core.ts';

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

describe('training mode: X and YouTube', () => {
  it('connects demo accounts for X and YouTube and shows what was published to them in the feed', async () => {
    const core = await openTestCore({ trainingMode: true, publishPollMs: 10 });
    try {
      const status = await ok<TrainingStatus>(core.call('training.status', {}));
      expect(status.accounts.map((a) => a.platform)).toEqual(expect.arrayContaining(['tiktok', 'x', 'youtube']));
      const [, alex, sam] = status.staff;
      const signIn = async (person: { name: string; pin: string }) => {
        const { choices } = await ok<{ choices: { id: string; name: string }[] }>(core.call('staff.status', {}));
        await ok(core.call('staff.signIn', { staffId: choices.find((c) => c.name === person.name)!.id, secret: person.pin }));
      };

      await signIn(alex!);
      const { volumeId } = await ok<{ volumeId: string }>(core.call('training.insertStick', { stickId: 'harbour-day' }));
      await ok<ScanView>(core.call('import.scan', { volumeId }));
      const finished = new Promise<{ ok: boolean }>((resolve) => core.events.subscribe((e) => e.name === 'import.finished' && resolve(e.payload)));
      await ok(core.call('import.start', { volumeId }));
      expect(await finished).toMatchObject({ ok: true });

      const drafts = await ok<{ posts: PostView[] }>(core.call('posts.list', { states: ['draft'] }));
      const ferry = drafts.posts.find((p) => p.caption.startsWith('New ferry'))!;
      let post = await ok<PostView>(core.call('posts.edit', { id: ferry.id, version: ferry.version, change: { targets: ['x', 'youtube'], options: { youtube: { title: 'New ferry timetable', privacy: 'unlisted' } } } }));
      post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
      await signIn(sam!);
      post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
      await ok(core.call('posts.schedule', { id: post.id, version: post.version, at: 'now' }));

      await core.publisher.tick();
      await core.publisher.tick();

      expect((await ok<PostView>(core.call('posts.get', { id: post.id }))).state).toBe('published');
      const { posts } = await ok<{ posts: TrainingFeedPost[] }>(core.call('training.feed', {}));
      expect(posts.map((p) => p.platform).sort()).toEqual(['x', 'youtube']);
      expect(posts.find((p) => p.platform === 'x')).toMatchObject({ account: 'harbourcity', caption: post.caption, audience: 'public' });
      expect(posts.find((p) => p.platform === 'youtube')).toMatchObject({ account: 'Harbour City Council (training)', caption: 'New ferry timetable', audience: 'unlisted' });
      expect(posts.every((p) => p.bytes > 0)).toBe(true);
    } finally {
      await core.close();
    }
  }, 60_000);
});
