// The queue and calendar through the core's API: moving a scheduled post to another time,
// swapping two posts' times (moving one up or down the queue), the light list windows with
// counts per state, and the calendar's period. Every refusal is in plain words and changes
// nothing; every change is in the audit log under the person who made it.
import { describe, expect, it } from 'vitest';
import type { PostSummary, PostView } from '../../../common/contract.ts';
import type { AirlockCore } from '../../../electron/services/core.ts';
import { openTestCore, signInFirstAdmin, TEST_ADMIN, testPolicy } from '../../support/core.ts';

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

const HOUR = 3600_000;
const inHours = (h: number): string => new Date(Date.now() + h * HOUR).toISOString();

async function openCore(): Promise<AirlockCore> {
  // One person may approve their own posts here, so each test can build its queue quickly.
  const core = await openTestCore({ policy: testPolicy({ platforms: ['mastodon'], approval: { twoPerson: false } }), publisherIntervalMs: null });
  await signInFirstAdmin(core);
  return core;
}

async function scheduled(core: AirlockCore, caption: string, at: string): Promise<PostView> {
  let post = await ok<PostView>(core.call('posts.create', { caption, targets: ['mastodon'], media: [] }));
  post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
  post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
  return ok<PostView>(core.call('posts.schedule', { id: post.id, version: post.version, at }));
}

const get = (core: AirlockCore, id: string) => ok<PostView>(core.call('posts.get', { id }));

async function auditOf(core: AirlockCore, kind: string): Promise<{ actor: string; actorName: string; subject: string | null; details: Record<string, unknown> }[]> {
  return (await ok<{ entries: { actor: string; actorName: string; subject: string | null; details: Record<string, unknown> }[] }>(core.call('audit.list', { kind, limit: 100 }))).entries;
}

describe('rescheduling a post', () => {
  it('moves a scheduled post to a later time, keeps its approval and records who did it', async () => {
    const core = await openCore();
    const post = await scheduled(core, 'Library opening hours over the holidays', inHours(24));
    const later = inHours(48);
    const moved = await ok<PostView>(core.call('posts.reschedule', { id: post.id, version: post.version, at: later }));
    expect(moved).toMatchObject({ state: 'scheduled', scheduleAt: later, approvalValid: true, version: post.version + 1 });
    const [entry] = await auditOf(core, 'post.rescheduled');
    expect(entry).toMatchObject({ actorName: TEST_ADMIN.name, subject: post.id, details: { from: post.scheduleAt, to: later } });
  });

  it('refuses bad requests in plain words and changes nothing', async () => {
    const core = await openCore();
    const post = await scheduled(core, 'Road works on the bridge', inHours(24));
    const refusals: [Record<string, unknown>, string][] = [
      [{ id: 'no-such-post', version: 1, at: inHours(30) }, 'post.not-found'],
      [{ id: post.id, version: post.version, at: inHours(-1) }, 'post.time-past'],
      [{ id: post.id, version: post.version, at: 'next Tuesday' }, 'post.bad-time'],
      [{ id: post.id, version: post.version - 1, at: inHours(30) }, 'post.stale'],
    ];
    for (const [args, code] of refusals) {
      const result = await core.call('posts.reschedule', args as never);
      expect(result, code).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(/^[A-Z].+\.$/) } });
    }
    // Arguments the contract does not allow never reach the service.
    expect(await core.call('posts.reschedule', { id: post.id, version: post.version } as never)).toMatchObject({ ok: false, error: { code: 'api.bad-arguments' } });
    expect(await get(core, post.id)).toMatchObject({ version: post.version, scheduleAt: post.scheduleAt, state: 'scheduled' });
    expect(await auditOf(core, 'post.rescheduled')).toEqual([]);
  });

  it('is only for approvers and admins, and only for scheduled posts', async () => {
    const core = await openCore();
    const post = await scheduled(core, 'Swimming pool closed for cleaning', inHours(24));
    const approved = await ok<PostView>(core.call('posts.create', { caption: 'Not scheduled yet', targets: ['mastodon'], media: [] }));
    expect(await core.call('posts.reschedule', { id: approved.id, version: approved.version, at: inHours(30) })).toMatchObject({ ok: false, error: { code: 'post.illegal-transition' } });

    const author = await ok<{ id: string }>(core.call('staff.create', { name: 'Al Author', role: 'author', credential: { kind: 'pin', secret: '716394' } }));
    await ok(core.call('staff.signIn', { staffId: author.id, secret: '716394' }));
    expect(await core.call('posts.reschedule', { id: post.id, version: post.version, at: inHours(30) })).toMatchObject({ ok: false, error: { code: 'staff.forbidden', message: 'Only approvers and admins can schedule posts.' } });
    expect(await get(core, post.id)).toMatchObject({ version: post.version, scheduleAt: post.scheduleAt });
  });

  it('never lets a changed post go out: an edit voids the approval and rescheduling is refused', async () => {
    const core = await openCore();
    const post = await scheduled(core, 'Council meeting at six', inHours(24));
    // A change made underneath the workflow (as a tampered database would be) keeps the state.
    await core.store.call('posts.update', { id: post.id, expectedVersion: post.version, allowedStates: ['scheduled'], set: { caption: 'Council meeting cancelled' }, updatedAt: new Date().toISOString() });
    const tampered = await get(core, post.id);
    expect(tampered).toMatchObject({ state: 'scheduled', approvalValid: false });
    expect(await core.call('posts.reschedule', { id: post.id, version: tampered.version, at: inHours(30) })).toMatchObject({ ok: false, error: { code: 'post.not-approved' } });

    // An edit through the workflow sends it back to draft, which cannot be rescheduled.
    const other = await scheduled(core, 'Market square event', inHours(24));
    const edited = await ok<PostView>(core.call('posts.edit', { id: other.id, version: other.version, change: { caption: 'Market square event moved indoors' } }));
    expect(edited).toMatchObject({ state: 'draft', approvalValid: false });
    expect(await core.call('posts.reschedule', { id: other.id, version: edited.version, at: inHours(30) })).toMatchObject({ ok: false, error: { code: 'post.illegal-transition' } });
    expect((await get(core, other.id)).state).toBe('draft');
  });
});

describe('moving a post up or down the queue', () => {
  it('swaps the times of two scheduled posts in one step, recorded for each under the person who did it', async () => {
    const core = await openCore();
    const first = await scheduled(core, 'First in the queue', inHours(10));
    const second = await scheduled(core, 'Second in the queue', inHours(20));
    const swapped = await ok<{ first: PostView; second: PostView }>(core.call('posts.swapSlots', { first: { id: first.id, version: first.version }, second: { id: second.id, version: second.version } }));
    expect(swapped.first).toMatchObject({ id: first.id, scheduleAt: second.scheduleAt, state: 'scheduled', approvalValid: true, version: first.version + 1 });
    expect(swapped.second).toMatchObject({ id: second.id, scheduleAt: first.scheduleAt, state: 'scheduled', approvalValid: true, version: second.version + 1 });
    const entries = await auditOf(core, 'post.reordered');
    expect(entries.map((e) => e.subject).sort()).toEqual([first.id, second.id].sort());
    for (const e of entries) expect(e.actorName).toBe(TEST_ADMIN.name);
    expect(entries.find((e) => e.subject === first.id)!.details).toMatchObject({ from: first.scheduleAt, to: second.scheduleAt, swappedWith: second.id });

    const queue = await ok<{ items: PostSummary[] }>(core.call('posts.summaries', { states: ['scheduled'] }));
    expect(queue.items.map((p) => p.caption)).toEqual(['Second in the queue', 'First in the queue']);
  });

  it('refuses when either post changed meanwhile, is not scheduled, is due or does not exist, and changes neither', async () => {
    const core = await openCore();
    const a = await scheduled(core, 'Post A', inHours(10));
    const b = await scheduled(core, 'Post B', inHours(20));
    const draft = await ok<PostView>(core.call('posts.create', { caption: 'A draft', targets: ['mastodon'], media: [] }));
    // Someone moves B to another time after this screen read it.
    const movedB = await ok<PostView>(core.call('posts.reschedule', { id: b.id, version: b.version, at: inHours(30) }));
    const due = await scheduled(core, 'Due already', inHours(-0.01));

    const refusals: [Record<string, unknown>, string][] = [
      [{ first: { id: a.id, version: a.version }, second: { id: b.id, version: b.version } }, 'post.stale'],
      [{ first: { id: a.id, version: a.version }, second: { id: draft.id, version: draft.version } }, 'post.illegal-transition'],
      [{ first: { id: a.id, version: a.version }, second: { id: 'no-such-post', version: 1 } }, 'post.not-found'],
      [{ first: { id: a.id, version: a.version }, second: { id: a.id, version: a.version } }, 'post.same-post'],
      [{ first: { id: a.id, version: a.version }, second: { id: due.id, version: due.version } }, 'post.time-past'],
    ];
    for (const [args, code] of refusals) {
      expect(await core.call('posts.swapSlots', args as never), code).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(/^[A-Z“].+\.$/) } });
    }
    expect(await get(core, a.id)).toMatchObject({ version: a.version, scheduleAt: a.scheduleAt });
    expect(await get(core, b.id)).toMatchObject({ version: movedB.version, scheduleAt: movedB.scheduleAt });
    expect(await auditOf(core, 'post.reordered')).toEqual([]);
  });

  it('changes neither post when the second one changes between the check and the swap', async () => {
    const core = await openCore();
    const a = await scheduled(core, 'Post A', inHours(10));
    const b = await scheduled(core, 'Post B', inHours(20));
    // The store's own guard: versions that no longer match leave both rows as they were.
    const result = await core.store.call('posts.swapSlots', { first: { id: a.id, version: a.version }, second: { id: b.id, version: b.version + 1 }, updatedAt: new Date().toISOString() });
    expect(result.swapped).toBe(false);
    expect(await get(core, a.id)).toMatchObject({ version: a.version, scheduleAt: a.scheduleAt });
    expect(await get(core, b.id)).toMatchObject({ version: b.version, scheduleAt: b.scheduleAt });
  });
});

describe('list windows and the calendar', () => {
  it('reads any window of the queue with counts per state, and the calendar for a period', async () => {
    const core = await openCore();
    const times = [5, 30, 60, 24 * 40].map(inHours);
    const posts: PostView[] = [];
    for (const [i, at] of times.entries()) posts.push(await scheduled(core, `Scheduled ${i}\nsecond line`, at));
    await ok(core.call('posts.create', { caption: 'Just a draft', targets: ['mastodon'], media: [] }));
    await ok(core.call('posts.cancel', { id: posts[3]!.id, version: posts[3]!.version }));

    const all = await ok<{ total: number; counts: Record<string, number>; items: PostSummary[] }>(core.call('posts.summaries', { offset: 1, limit: 2 }));
    expect(all.total).toBe(5);
    expect(all.counts).toEqual({ scheduled: 3, cancelled: 1, draft: 1 });
    expect(all.items.map((p) => p.caption)).toEqual(['Scheduled 1\nsecond line', 'Scheduled 2\nsecond line']);
    expect(all.items[0]).toMatchObject({ state: 'scheduled', targets: ['mastodon'], mediaCount: 0, lead: null, approvedBy: expect.any(String) });

    const period = await ok<{ items: PostSummary[]; truncated: boolean }>(core.call('posts.calendar', { from: inHours(0), to: inHours(48) }));
    expect(period).toMatchObject({ truncated: false });
    expect(period.items.map((p) => p.id)).toEqual([posts[0]!.id, posts[1]!.id]);
    expect(await core.call('posts.calendar', { from: inHours(0), to: inHours(24 * 90) })).toMatchObject({ ok: false, error: { code: 'post.bad-period' } });
    expect(await core.call('posts.calendar', { from: 'yesterday', to: inHours(1) })).toMatchObject({ ok: false, error: { code: 'post.bad-period' } });
  });
});
