import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { GENESIS_HASH, auditEntryHash } from '../../../../electron/services/audit/audit-chain.ts';
import { AuditLog } from '../../../../electron/services/audit/audit-log.ts';
import { openInlineStore, openWorkerStore, type Store } from '../../../../electron/services/store/store.ts';
import { auditFixture, fill, removeTempDirs, rewriteFrom, STAFF, steppingClock, tamper, tempDir } from './audit-fixtures.ts';

afterEach(removeTempDirs);

describe.each([
  ['inline', (file: string): Promise<Store> => Promise.resolve(openInlineStore(file))],
  ['worker thread', (file: string): Promise<Store> => openWorkerStore(file)],
])('AuditLog on a %s store', (_name, open) => {
  it('appends gapless, chained entries stamped with the kiosk clock', async () => {
    const store = await open(path.join(await tempDir(), 'airlock.db'));
    const log = new AuditLog({ store, now: steppingClock('2026-11-21T09:00:00.000Z') });
    const first = await log.append({ ...STAFF.ana, kind: 'staff.sign-in' });
    const second = await log.append({ ...STAFF.ana, kind: 'post.edited', subject: 'post-7', details: { field: 'caption', length: 42 } });
    expect(first).toMatchObject({ seq: 1, at: '2026-11-21T09:00:00.000Z', actor: 'staff-ana', actorName: 'Ana Costa', subject: null, details: {}, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, at: '2026-11-21T09:01:00.000Z', subject: 'post-7', details: { field: 'caption', length: 42 }, prevHash: first.hash });
    expect(await log.head()).toEqual({ seq: 2, hash: second.hash });
    expect(await log.verify()).toEqual({ ok: true, entries: 2, head: { seq: 2, hash: second.hash }, warnings: [] });
    await store.close();
  });

  it('lists newest first and filters by person, post, kind and time, with a total for paging', async () => {
    const store = await open(path.join(await tempDir(), 'airlock.db'));
    const log = new AuditLog({ store, now: steppingClock('2026-11-21T09:00:00.000Z') });
    await fill(log, 12);
    const all = await log.list({ limit: 5 });
    expect(all.total).toBe(12);
    expect(all.entries.map((e) => e.seq)).toEqual([12, 11, 10, 9, 8]);
    expect((await log.list({ limit: 5, offset: 10 })).entries.map((e) => e.seq)).toEqual([2, 1]);

    const ben = await log.list({ actor: 'staff-ben', limit: 50 });
    expect(ben.entries.every((e) => e.actorName === 'Ben Okafor')).toBe(true);
    expect(ben.total).toBe(4); // 2, 4, 8, 10
    expect((await log.list({ subject: 'post-3', limit: 50 })).entries.map((e) => e.seq)).toEqual([6, 5]);
    expect((await log.list({ kind: 'post.approved', limit: 50 })).entries.map((e) => e.seq)).toEqual([12, 7, 2]);
    expect((await log.list({ kind: ['post.approved', 'post.edited'], limit: 50 })).total).toBe(6);
    // Entry n is at 09:0(n-1); `from` includes, `to` excludes; other spellings of a time work.
    const window = await log.list({ from: '2026-11-21T09:03:00Z', to: '2026-11-21T10:06:00+01:00', limit: 50 });
    expect(window.entries.map((e) => e.seq)).toEqual([6, 5, 4]);
    expect((await log.list({ actor: 'staff-ben', from: '2026-11-21T09:05:00Z', limit: 50 })).entries.map((e) => e.seq)).toEqual([10, 8]);
    expect((await log.list({ actor: 'staff-ben', kind: 'post.edited', limit: 50 })).total).toBe(0);
    await store.close();
  });

  it('keeps one unforked chain when two connections append at the same time', async () => {
    const file = path.join(await tempDir(), 'airlock.db');
    // Opened one after the other: two connections migrating a fresh file at once is a store matter.
    const a = await open(file);
    const b = await open(file);
    const logA = new AuditLog({ store: a });
    const logB = new AuditLog({ store: b });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => [
        logA.append({ ...STAFF.ana, kind: 'post.edited', details: { i } }),
        logB.append({ ...STAFF.ben, kind: 'post.approved', details: { i } }),
      ]).flat(),
    );
    const result = await logA.verify();
    expect(result).toMatchObject({ ok: true, entries: 60 });
    await Promise.all([a.close(), b.close()]);
  });
});

describe('AuditLog.list', () => {
  it('refuses filters it cannot honour with a plain error', async () => {
    const { store, log } = await auditFixture(1);
    for (const query of [{ limit: 0 }, { limit: 501 }, { limit: 10, offset: -1 }, { limit: 10, from: 'yesterday-ish' }, { limit: 10, actor: '' }]) {
      await expect(log.list(query)).rejects.toMatchObject({ code: 'audit.bad-query' });
    }
    await store.close();
  });
});

describe('the audit table refuses changes (defence in depth)', () => {
  it('aborts UPDATE, DELETE, INSERT OR REPLACE and an insert that does not extend the chain', async () => {
    const { file, store } = await auditFixture(3);
    await store.close();
    const db = new Database(file);
    try {
      expect(() => db.prepare(`UPDATE audit_log SET actor_name = 'Mallory' WHERE seq = 2`).run()).toThrow(/cannot be changed/);
      expect(() => db.prepare(`DELETE FROM audit_log WHERE seq = 3`).run()).toThrow(/cannot be removed/);
      expect(() => db.prepare(`DELETE FROM audit_log`).run()).toThrow(/cannot be removed/);
      const row = db.prepare(`SELECT * FROM audit_log WHERE seq = 2`).get() as Record<string, unknown>;
      // REPLACE would delete the old row without the delete trigger firing; the insert trigger stops it.
      expect(() => db.prepare(`INSERT OR REPLACE INTO audit_log VALUES (@seq, @at, @actor, 'Mallory', @kind, @subject, @details_json, @prev_hash, @hash)`).run(row)).toThrow(/extend the chain/);
      const forged = { seq: 4, at: '2026-11-21T10:00:00.000Z', actor: 'staff-ana', actor_name: 'Ana', kind: 'post.approved', subject: null, details_json: '{}', prev_hash: GENESIS_HASH };
      expect(() => db.prepare(`INSERT INTO audit_log VALUES (@seq, @at, @actor, @actor_name, @kind, @subject, @details_json, @prev_hash, @hash)`).run({ ...forged, hash: auditEntryHash(forged) })).toThrow(
        /extend the chain/,
      );
      expect(db.prepare(`SELECT count(*) FROM audit_log`).pluck().get()).toBe(3);
    } finally {
      db.close();
    }
  });
});

/** Closes the store, tampers with the file, reopens it and verifies through the service. */
async function tamperAndVerify(entries: number, run: Parameters<typeof tamper>[1], anchor?: { seq: number; hash: string }) {
  const { file, store } = await auditFixture(entries);
  await store.close();
  tamper(file, run);
  const reopened = openInlineStore(file);
  try {
    return await new AuditLog({ store: reopened }).verify({ anchor: anchor ?? null });
  } finally {
    await reopened.close();
  }
}

describe('AuditLog.verify names the first broken entry in a tampered SQLite file', () => {
  it('a changed field: entry 4 was altered', async () => {
    expect(await tamperAndVerify(8, (db) => db.prepare(`UPDATE audit_log SET actor_name = 'Somebody Else' WHERE seq = 4`).run())).toMatchObject({
      ok: false,
      entries: 8,
      firstBroken: 4,
      reason: 'altered',
    });
    expect(await tamperAndVerify(8, (db) => db.prepare(`UPDATE audit_log SET details_json = '{"n":999}' WHERE seq = 6`).run())).toMatchObject({ firstBroken: 6, reason: 'altered' });
  });

  it('a changed hash: entry 5 was altered', async () => {
    expect(await tamperAndVerify(8, (db) => db.prepare(`UPDATE audit_log SET hash = ? WHERE seq = 5`).run('f'.repeat(64)))).toMatchObject({ ok: false, firstBroken: 5, reason: 'altered' });
  });

  it('a field changed and its own hash recomputed: the next entry\'s link exposes it', async () => {
    const result = await tamperAndVerify(8, (db) => {
      const row = db.prepare(`SELECT * FROM audit_log WHERE seq = 3`).get() as Parameters<typeof auditEntryHash>[0];
      const forged = { ...row, actor_name: 'Somebody Else' };
      db.prepare(`UPDATE audit_log SET actor_name = ?, hash = ? WHERE seq = 3`).run(forged.actor_name, auditEntryHash(forged));
    });
    expect(result).toMatchObject({ ok: false, firstBroken: 3, reason: 'altered' });
  });

  it('a deleted row: entry 5 is missing', async () => {
    expect(await tamperAndVerify(8, (db) => db.prepare(`DELETE FROM audit_log WHERE seq = 5`).run())).toMatchObject({ ok: false, entries: 7, firstBroken: 5, reason: 'missing' });
  });

  it('deleted rows with the later ones renumbered to close the gap: entry 3 is missing', async () => {
    const result = await tamperAndVerify(8, (db) => {
      db.prepare(`DELETE FROM audit_log WHERE seq IN (3, 4)`).run();
      db.prepare(`UPDATE audit_log SET seq = seq - 2 WHERE seq > 4`).run();
    });
    expect(result).toMatchObject({ ok: false, firstBroken: 3, reason: 'missing' });
  });

  it('two rows swapped: entry 4 is out of order', async () => {
    const result = await tamperAndVerify(8, (db) => {
      db.prepare(`UPDATE audit_log SET seq = 1000 WHERE seq = 4`).run();
      db.prepare(`UPDATE audit_log SET seq = 4 WHERE seq = 5`).run();
      db.prepare(`UPDATE audit_log SET seq = 5 WHERE seq = 1000`).run();
    });
    expect(result).toMatchObject({ ok: false, firstBroken: 4, reason: 'reordered', detail: 'entry 4 holds what was entry 5' });
  });

  it('the newest rows deleted: caught by SQLite\'s record of the highest seq', async () => {
    expect(await tamperAndVerify(8, (db) => db.prepare(`DELETE FROM audit_log WHERE seq > 5`).run())).toMatchObject({ ok: false, entries: 5, firstBroken: 6, reason: 'truncated' });
  });

  it('the newest rows deleted and that record reset: only an anchor kept elsewhere catches it', async () => {
    const cut = (db: Database.Database) => {
      db.prepare(`DELETE FROM audit_log WHERE seq > 5`).run();
      db.prepare(`UPDATE sqlite_sequence SET seq = 5 WHERE name = 'audit_log'`).run();
    };
    expect(await tamperAndVerify(8, cut)).toMatchObject({ ok: true, entries: 5 });
    const { store, log } = await auditFixture(8);
    const head = (await log.head())!;
    await store.close();
    expect(await tamperAndVerify(8, cut, head)).toMatchObject({ ok: false, firstBroken: 6, reason: 'truncated' });
  });

  it('a chain rewritten with every hash recomputed: passes alone, caught against a recorded head', async () => {
    const forge = (db: Database.Database) => rewriteFrom(db, 3, { actor_name: 'Somebody Else' });
    const { store, log } = await auditFixture(8);
    const head = (await log.head())!;
    await store.close();
    const alone = await tamperAndVerify(8, forge);
    expect(alone).toMatchObject({ ok: true, entries: 8 });
    // The fixture is deterministic (fixed clock), so a fresh copy has the same head.
    expect(await tamperAndVerify(8, forge, head)).toMatchObject({ ok: false, firstBroken: 8, reason: 'rewritten' });
  });

  it('warns when the safeguard triggers are gone even though the chain is intact', async () => {
    const result = await tamperAndVerify(3, () => undefined);
    expect(result).toMatchObject({ ok: true, entries: 3 });
    expect(result.ok && result.warnings).toHaveLength(3);
  });

  it('an append after a cut-off tail leaves the gap visible instead of hiding it', async () => {
    const { file, store } = await auditFixture(6);
    await store.close();
    tamper(file, (db) => db.prepare(`DELETE FROM audit_log WHERE seq > 4`).run());
    const reopened = openInlineStore(file);
    const log = new AuditLog({ store: reopened });
    expect((await log.append({ ...STAFF.system, kind: 'policy.loaded' })).seq).toBe(7);
    expect(await log.verify()).toMatchObject({ ok: false, firstBroken: 5, reason: 'missing' });
    await reopened.close();
  });

  it('an empty log is intact', async () => {
    const { store, log } = await auditFixture(0);
    expect(await log.verify()).toEqual({ ok: true, entries: 0, head: null, warnings: [] });
    await store.close();
  });
});

describe('AuditLog errors', () => {
  it('are AirlockErrors with codes, also across the worker thread', async () => {
    const store = await openWorkerStore(path.join(await tempDir(), 'airlock.db'));
    const log = new AuditLog({ store });
    const err = await log.append({ ...STAFF.ana, kind: 'post.edited', subject: 'Bearer abcdef0123456789abcdef' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AirlockError);
    expect(err).toMatchObject({ code: 'audit.secret-refused' });
    await store.close();
  });
});
