// The approval workflow through the core's API with real staff accounts: who may do what,
// two-person approval, and the audit trail it leaves, which never holds a PIN.
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PostView } from '../../../common/contract.ts';
import { openTestCore, signInFirstAdmin, TEST_ADMIN, testPolicy } from '../../support/core.ts';

type Ok<T> = { ok: true; value: T };

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return (r as Ok<T>).value;
}

describe('posts through the API', () => {
  it('needs a second person to approve, records every step, and keeps PINs out of the log', async () => {
    const core = await openTestCore({
      policy: testPolicy({ platforms: ['mastodon'], approval: { twoPerson: true } }),
    });
    await signInFirstAdmin(core);
    const approver = await ok<{ id: string }>(core.call('staff.create', { name: 'Bo Approver', role: 'approver', credential: { kind: 'pin', secret: '582914' } }));
    const author = await ok<{ id: string }>(core.call('staff.create', { name: 'Al Author', role: 'author', credential: { kind: 'pin', secret: '716394' } }));

    await ok(core.call('staff.signIn', { staffId: author.id, secret: '716394' }));
    let post = await ok<PostView>(core.call('posts.create', { caption: 'Ferry timetable changes from Monday', targets: ['mastodon'], media: [] }));
    expect(await core.call('staff.list', {})).toMatchObject({ ok: false, error: { code: 'staff.forbidden' } });
    post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
    expect(await core.call('posts.approve', { id: post.id, version: post.version })).toMatchObject({ ok: false, error: { code: 'staff.forbidden' } });

    await ok(core.call('staff.signIn', { staffId: approver.id, secret: '000000' }).catch(() => null)).catch(() => null);
    await ok(core.call('staff.signIn', { staffId: approver.id, secret: '582914' }));
    post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
    expect(post).toMatchObject({ state: 'approved', approvedBy: approver.id, approvalValid: true });
    post = await ok<PostView>(core.call('posts.schedule', { id: post.id, version: post.version, at: '2026-12-01T08:00:00Z' }));
    expect(post.state).toBe('scheduled');

    const log = await ok<{ entries: { kind: string; actor: string }[] }>(core.call('audit.list', { limit: 100 }));
    const kinds = log.entries.map((e) => e.kind).reverse();
    for (const kind of ['policy.loaded', 'staff.sign-in', 'post.created', 'post.submitted', 'staff.sign-in-failed', 'post.approved', 'post.scheduled']) expect(kinds).toContain(kind);
    expect(log.entries.find((e) => e.kind === 'post.approved')!.actor).toBe(approver.id);
    expect(await core.call('audit.verify', {})).toEqual({ ok: true, value: { ok: true, entries: expect.any(Number), firstBroken: null, reason: null } });

    const dataDir = path.dirname(core.blobs.dataDir);
    await core.close();
    // Every text value in every table, except hex digests (where any digit run may occur by chance).
    const db = new Database(path.join(dataDir, 'airlock.db'), { readonly: true });
    const texts: string[] = [];
    for (const { name } of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]) {
      for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
        for (const [column, value] of Object.entries(row)) if (typeof value === 'string' && !/hash/.test(column)) texts.push(value);
      }
    }
    db.close();
    expect(texts.length).toBeGreaterThan(20);
    for (const pin of [TEST_ADMIN.pin, '582914', '716394', '000000']) expect(texts.filter((t) => t.includes(pin))).toEqual([]);
  });

  it('keeps what an edit does not mention, such as the TikTok audience when only the caption changes', async () => {
    const core = await openTestCore();
    await signInFirstAdmin(core);
    let post = await ok<PostView>(core.call('posts.create', { caption: 'hi', targets: ['tiktok'], options: { tiktok: { privacyLevel: 'SELF_ONLY' } }, media: [] }));
    post = await ok<PostView>(core.call('posts.edit', { id: post.id, version: post.version, change: { caption: 'hello' } }));
    expect(post).toMatchObject({ caption: 'hello', targets: ['tiktok'], options: { tiktok: { privacyLevel: 'SELF_ONLY' } } });
  });

  it('refuses bad input at every step and changes nothing', async () => {
    const core = await openTestCore();
    await signInFirstAdmin(core);
    expect(await core.call('posts.get', { id: 'nope' })).toMatchObject({ ok: false, error: { code: 'post.not-found' } });
    expect(await core.call('posts.create', { caption: 'x'.repeat(10_001), targets: [], media: [] })).toMatchObject({ ok: false, error: { code: 'api.bad-arguments' } });
    expect(await core.call('posts.create', { caption: 'hi', targets: ['myspace'], media: [] })).toMatchObject({ ok: false, error: { code: 'api.bad-arguments' } });
    expect(await core.call('posts.create', { caption: 'hi', targets: ['bluesky'], media: [] })).toMatchObject({ ok: false, error: { code: 'post.platform-disabled' } });
    const post = await ok<PostView>(core.call('posts.create', { caption: 'hi', targets: ['tiktok'], media: [] }));
    expect(await core.call('posts.approve', { id: post.id, version: post.version })).toMatchObject({ ok: false, error: { code: 'post.illegal-transition' } });
    expect(await core.call('posts.schedule', { id: post.id, version: post.version, at: 'now' })).toMatchObject({ ok: false, error: { code: 'post.not-approved' } });
    expect(await core.call('posts.edit', { id: post.id, version: 99, change: { caption: 'x' } })).toMatchObject({ ok: false, error: { code: 'post.stale' } });
    expect(await core.call('posts.submit', { id: post.id, version: post.version })).toMatchObject({ ok: false, error: { code: 'post.rules' } });
    expect(await ok<PostView>(core.call('posts.get', { id: post.id }))).toMatchObject({ state: 'draft', version: 1, caption: 'hi' });
  });
});
