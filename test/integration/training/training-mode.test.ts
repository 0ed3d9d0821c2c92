// Training mode end to end through the core: made-up staff, a virtual stick with a signed
// sample package, import with a sanitisation report, two-person approval, and the post landing
// in the TikTok simulator's feed. Nothing leaves the machine.
import { describe, expect, it } from 'vitest';
import type { PostView, ScanView, TrainingStatus } from '../../../common/contract.ts';
import { openTestCore } from '../../support/core.ts';

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('training mode', () => {
  it('runs the whole workflow offline, from a virtual stick to the simulator feed', async () => {
    const core = await openTestCore({ trainingMode: true, publishPollMs: 10 });
    const status = await ok<TrainingStatus>(core.call('training.status', {}));
    expect(status.sticks.map((s) => s.stickId)).toEqual(['harbour-day', 'tampered', 'loose']);
    const [, alex, sam] = status.staff;

    await ok(core.call('staff.signIn', { staffId: (await ok<{ choices: { id: string; name: string }[] }>(core.call('staff.status', {}))).choices.find((c) => c.name === alex!.name)!.id, secret: alex!.pin }));
    const { volumeId } = await ok<{ volumeId: string }>(core.call('training.insertStick', { stickId: 'tampered' }));
    const tampered = await ok<ScanView>(core.call('import.scan', { volumeId }));
    expect(tampered.package).toMatchObject({ kind: 'refused', error: { code: 'package.tampered' } });
    await ok(core.call('training.removeStick', { stickId: 'tampered' }));

    const good = await ok<{ volumeId: string }>(core.call('training.insertStick', { stickId: 'harbour-day' }));
    const scan = await ok<ScanView>(core.call('import.scan', { volumeId: good.volumeId }));
    expect(scan.package).toMatchObject({ kind: 'package', status: 'trusted', posts: 2 });
    const finished = new Promise<{ ok: boolean }>((resolve) => core.events.subscribe((e) => e.name === 'import.finished' && resolve(e.payload)));
    await ok(core.call('import.start', { volumeId: good.volumeId }));
    expect(await finished).toMatchObject({ ok: true, imported: 2, posts: 2 });

    const drafts = await ok<{ posts: PostView[] }>(core.call('posts.list', { states: ['draft'] }));
    const ferry = drafts.posts.find((p) => p.caption.startsWith('New ferry'))!;
    expect(ferry.caption).not.toMatch(/\u202E/);
    let post = await ok<PostView>(core.call('posts.edit', { id: ferry.id, version: ferry.version, change: { options: { tiktok: { privacyLevel: 'PUBLIC_TO_EVERYONE' } } } }));
    post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));

    const choices = (await ok<{ choices: { id: string; name: string }[] }>(core.call('staff.status', {}))).choices;
    await ok(core.call('staff.signIn', { staffId: choices.find((c) => c.name === sam!.name)!.id, secret: sam!.pin }));
    post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
    await ok(core.call('posts.schedule', { id: post.id, version: post.version, at: 'now' }));

    await core.publisher.tick();
    const feed = await until(async () => {
      const f = await ok<{ posts: { caption: string }[] }>(core.call('training.feed', {}));
      return f.posts.length > 0 ? f.posts : undefined;
    });
    expect(feed[0]!.caption).toBe(post.caption);
    expect((await ok<PostView>(core.call('posts.get', { id: post.id }))).state).toBe('published');
  });

  it('refuses training-only calls on a live kiosk', async () => {
    const core = await openTestCore();
    expect(await core.call('training.insertStick', { stickId: 'harbour-day' })).toMatchObject({ ok: false, error: { code: 'training.off' } });
    expect(await core.call('training.status', {})).toMatchObject({ ok: true, value: { enabled: false } });
  });
});
