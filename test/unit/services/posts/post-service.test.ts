import { beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { PolicySchema } from '../../../../electron/services/policy/policy.ts';
import { can } from '../../../../electron/services/staff/roles.ts';
import { PostService, type Actor, type PostAction } from '../../../../electron/services/posts/post-service.ts';
import { openInlineStore, type Store } from '../../../../electron/services/store/store.ts';

const ann: Actor = { staffId: 'ann', name: 'Ann Author', role: 'author' };
const bob: Actor = { staffId: 'bob', name: 'Bob Approver', role: 'approver' };
const cy: Actor = { staffId: 'cy', name: 'Cy Author', role: 'author' };

const authorize = (actor: Actor, action: PostAction) => {
  if (!can(actor.role, action)) throw new AirlockError('staff.forbidden', 'Not allowed.');
};

let store: Store;
let service: PostService;
let clock = new Date('2026-11-21T10:00:00Z');

async function seedMedia(): Promise<{ photo: string; video: string }> {
  await store.call('imports.begin', { id: 's', startedAt: clock.toISOString(), sourcePath: '/x', volume: null });
  const base = { format: 'jpeg', originalName: 'a', cleanBytes: 1000, thumbnailSha256: null, width: 1080, height: 1920, durationMs: null, reportJson: '{"mediaKind":"image","findings":[],"warnings":[]}', importSessionId: 's', createdAt: clock.toISOString() };
  const { mediaIds } = await store.call('imports.commit', {
    sessionId: 's',
    finishedAt: clock.toISOString(),
    package: null,
    media: [
      { ...base, id: 'photo', kind: 'image', originalSha256: '1'.repeat(64), cleanSha256: 'a'.repeat(64) },
      { ...base, id: 'video', kind: 'video', format: 'mp4', originalSha256: '2'.repeat(64), cleanSha256: 'b'.repeat(64), durationMs: 12_000 },
    ],
    posts: [],
    acceptedCount: 2,
    rejectedCount: 0,
    resultJson: '{}',
  });
  return { photo: mediaIds['1'.repeat(64)]!, video: mediaIds['2'.repeat(64)]! };
}

async function refusal(p: Promise<unknown>): Promise<AirlockError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirlockError);
  return err as AirlockError;
}

beforeEach(() => {
  store = openInlineStore(':memory:');
  clock = new Date('2026-11-21T10:00:00Z');
  service = new PostService({ store, policy: PolicySchema.parse({ policyVersion: 1, platforms: ['tiktok', 'bluesky', 'mastodon'] }), now: () => clock, authorize });
});

describe('post workflow', () => {
  it('writes each change\'s audit entry with the change itself', async () => {
    const { photo } = await seedMedia();
    let post = await service.create(ann, { caption: 'Harbour day', targets: ['bluesky'], media: [{ mediaId: photo, altText: 'Boats' }] });
    post = await service.submit(ann, post.id, post.version);
    post = await service.approve(bob, post.id, post.version);
    post = await service.schedule(bob, post.id, post.version, '2026-11-22T09:00:00+02:00');
    // Already in the log when each call answered: nothing to wait for.
    const { rows } = await store.call('audit.list', { actor: null, subject: post.id, kinds: null, from: null, to: null, limit: 10, offset: 0 });
    expect(rows.reverse().map((r) => [r.kind, r.actor, r.actor_name, JSON.parse(r.details_json)])).toEqual([
      ['post.created', 'ann', 'Ann Author', { state: 'draft' }],
      ['post.submitted', 'ann', 'Ann Author', { state: 'submitted' }],
      ['post.approved', 'bob', 'Bob Approver', { state: 'approved', contentHash: service.contentHashOf(post) }],
      ['post.scheduled', 'bob', 'Bob Approver', { state: 'scheduled', at: '2026-11-22T07:00:00.000Z' }],
    ]);
  });

  it('does not make a change whose audit entry cannot be written', async () => {
    const post = await service.create(ann, { caption: 'Harbour day', targets: ['bluesky'], media: [] });
    const before = await store.call('audit.head', {});
    const bad = { at: 'not a time', actor: 'ann', actorName: 'Ann Author', kind: 'post.submitted', subject: post.id, detailsJson: '{}' };
    await expect(store.call('posts.update', { id: post.id, expectedVersion: post.version, allowedStates: ['draft'], set: { state: 'submitted' }, updatedAt: clock.toISOString(), audit: bad })).rejects.toMatchObject({ code: 'audit.bad-event' });
    expect(await service.get(post.id)).toMatchObject({ state: 'draft', version: post.version });
    expect(await store.call('audit.head', {})).toEqual(before);
  });

  it('goes draft → submitted → approved → scheduled with a second person approving', async () => {
    const { photo } = await seedMedia();
    let post = await service.create(ann, { caption: 'Harbour day', targets: ['bluesky'], media: [{ mediaId: photo, altText: 'Boats' }] });
    expect(post).toMatchObject({ state: 'draft', version: 1, createdBy: 'ann' });
    post = await service.submit(ann, post.id, post.version);
    expect(post).toMatchObject({ state: 'submitted', submittedBy: 'ann' });
    post = await service.approve(bob, post.id, post.version);
    expect(post).toMatchObject({ state: 'approved', approvedBy: 'bob', approvalValid: true });
    post = await service.schedule(bob, post.id, post.version, '2026-11-22T09:00:00+02:00');
    expect(post).toMatchObject({ state: 'scheduled', scheduleAt: '2026-11-22T07:00:00.000Z', approvalValid: true });
  });

  it('refuses approval by the author or anyone who edited the post, and changes nothing', async () => {
    const { photo } = await seedMedia();
    let post = await service.create(ann, { caption: 'Hi', targets: ['bluesky'], media: [{ mediaId: photo, altText: 'x' }] });
    post = await service.edit(bob, post.id, post.version, { caption: 'Hi there' });
    post = await service.submit(ann, post.id, post.version);
    expect((await refusal(service.approve(bob, post.id, post.version))).code).toBe('post.same-person');
    expect((await refusal(service.approve({ ...ann, role: 'approver' }, post.id, post.version))).code).toBe('post.same-person');
    expect(await service.get(post.id)).toMatchObject({ state: 'submitted', version: post.version, approvedBy: null });
    expect((await refusal(service.approve(cy, post.id, post.version))).code).toBe('staff.forbidden');
  });

  it('lets the author approve when the policy does not require two people', async () => {
    const { photo } = await seedMedia();
    const solo = new PostService({ store, policy: PolicySchema.parse({ policyVersion: 1, platforms: ['bluesky'], approval: { twoPerson: false } }), now: () => clock, authorize });
    let post = await solo.create({ ...ann, role: 'approver' }, { caption: 'Hi', targets: ['bluesky'], media: [{ mediaId: photo, altText: 'x' }] });
    post = await solo.submit({ ...ann, role: 'approver' }, post.id, post.version);
    expect((await solo.approve({ ...ann, role: 'approver' }, post.id, post.version)).state).toBe('approved');
  });

  it('voids the approval when anything is edited afterwards', async () => {
    const { photo } = await seedMedia();
    let post = await service.create(ann, { caption: 'Hi', targets: ['bluesky'], media: [{ mediaId: photo, altText: 'x' }] });
    post = await service.submit(ann, post.id, post.version);
    post = await service.approve(bob, post.id, post.version);
    post = await service.edit(ann, post.id, post.version, { media: [{ mediaId: photo, altText: 'different alt' }] });
    expect(post).toMatchObject({ state: 'draft', approvedBy: null, approvalValid: false });
    expect((await refusal(service.schedule(bob, post.id, post.version, 'now'))).code).toBe('post.not-approved');
  });

  it('blocks submission while a platform rule fails, naming the rule', async () => {
    const { photo } = await seedMedia();
    const post = await service.create(ann, { caption: 'x'.repeat(301), targets: ['bluesky', 'tiktok'], media: [{ mediaId: photo, altText: null }] });
    const bluesky = post.checks.find((c) => c.platform === 'bluesky')!;
    expect(bluesky.counters[0]).toEqual({ label: 'characters', used: 301, limit: 300 });
    expect(bluesky.errors.map((e) => e.code)).toEqual(['bluesky.too-long', 'bluesky.alt-missing']);
    expect(post.checks.find((c) => c.platform === 'tiktok')!.errors.map((e) => e.code)).toContain('tiktok.one-video');
    const err = await refusal(service.submit(ann, post.id, post.version));
    expect(err.code).toBe('post.rules');
    expect(err.message).toBe('This post cannot be submitted yet: bluesky: Bluesky allows 300 characters; this caption has 301.');
    // The first problem's platform, code and values, for the renderer to say it in the staff's language.
    expect(err.toValue().params).toEqual({ platform: 'bluesky', rule: 'bluesky.too-long', limit: 300, used: 301 });
    expect((await service.get(post.id)).state).toBe('draft');
  });

  it('refuses a stale version, an illegal transition, a disabled platform, unknown media and an oversized caption', async () => {
    const { photo } = await seedMedia();
    const post = await service.create(ann, { caption: 'Hi', targets: ['bluesky'], media: [{ mediaId: photo, altText: 'x' }] });
    await service.edit(ann, post.id, post.version, { caption: 'Hello' });
    expect((await refusal(service.edit(ann, post.id, post.version, { caption: 'Lost update' }))).code).toBe('post.stale');
    const fresh = await service.get(post.id);
    expect((await refusal(service.approve(bob, post.id, fresh.version))).code).toBe('post.illegal-transition');
    expect((await refusal(service.edit(ann, post.id, fresh.version, { targets: ['x'] }))).code).toBe('post.platform-disabled');
    expect((await refusal(service.edit(ann, post.id, fresh.version, { media: [{ mediaId: 'nope', altText: null }] }))).code).toBe('post.media-missing');
    expect((await refusal(service.edit(ann, post.id, fresh.version, { caption: 'y'.repeat(10_001) }))).code).toBe('post.caption-too-long');
    expect((await refusal(service.get('missing'))).code).toBe('post.not-found');
    expect(await service.get(post.id)).toMatchObject({ caption: 'Hello', version: fresh.version });
  });

  it('rejects with a comment, which the author sees, and a cancelled post cannot be edited', async () => {
    const { photo } = await seedMedia();
    let post = await service.create(ann, { caption: 'Hi', targets: ['bluesky'], media: [{ mediaId: photo, altText: 'x' }] });
    post = await service.submit(ann, post.id, post.version);
    expect((await refusal(service.reject(bob, post.id, post.version, '   '))).code).toBe('post.comment-required');
    post = await service.reject(bob, post.id, post.version, 'Wrong harbour\u202E');
    expect(post).toMatchObject({ state: 'rejected', reviewComment: 'Wrong harbour' });
    post = await service.cancel(ann, post.id, post.version);
    expect((await refusal(service.edit(ann, post.id, post.version, { caption: 'again' }))).code).toBe('post.illegal-transition');
  });

  it('cleans captions and alt text written at the kiosk too', async () => {
    const { photo } = await seedMedia();
    const post = await service.create(ann, { caption: 'Tere\u200B \u202Etulemast', targets: ['bluesky'], media: [{ mediaId: photo, altText: 'Paat\u200D' }] });
    expect(post.caption).toBe('Tere tulemast');
    expect(post.media[0]!.altText).toBe('Paat');
  });
});
