// Group commit on the store's thread: calls that arrive together share one transaction, each
// call still stands or falls alone, and no caller hears "done" before its change is on disk.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { openDatabase, type Db } from '../../../../electron/services/store/database.ts';
import { runGroup, type Repository, type StoreCall } from '../../../../electron/services/store/group-commit.ts';
import { openWorkerStore } from '../../../../electron/services/store/store.ts';

let file: string;
let db: Db;

// A small table of its own, so each test sees exactly what the calls did.
const repositories: Record<string, Repository> = {
  add: (d, a) => {
    const { id, note } = a as { id: string; note: string };
    d.prepare(`INSERT INTO note (id, body) VALUES (?, ?)`).run(id, note);
    return id;
  },
  /** Writes a row, then fails: the row must not survive. */
  addThenRefuse: (d, a) => {
    d.prepare(`INSERT INTO note (id, body) VALUES (?, 'half')`).run((a as { id: string }).id);
    throw new AirlockError('test.refused', 'Refused on purpose.');
  },
  /** A row whose reference is only checked at COMMIT (a deferred foreign key). */
  addDangling: (d, a) => {
    d.pragma('defer_foreign_keys = ON');
    d.prepare(`INSERT INTO link (id, note_id) VALUES (?, 'nowhere')`).run((a as { id: string }).id);
    return 'dangling';
  },
  /** More than the database may hold (max_page_count below): SQLITE_FULL mid-group. */
  addHuge: (d, a) => {
    d.prepare(`INSERT INTO note (id, body) VALUES (?, ?)`).run((a as { id: string }).id, 'x'.repeat(4 * 1024 * 1024));
    return 'huge';
  },
};

const rows = (d: Db = db) => (d.prepare(`SELECT id FROM note ORDER BY id`).all() as { id: string }[]).map((r) => r.id);
const call = (id: number, name: string, args: unknown): StoreCall => ({ id, name, args });

beforeEach(async () => {
  file = path.join(await mkdtemp(path.join(os.tmpdir(), 'airlock-group-')), 'airlock.db');
  db = openDatabase(file);
  db.exec(`CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT NOT NULL);
           CREATE TABLE link (id TEXT PRIMARY KEY, note_id TEXT NOT NULL REFERENCES note(id));`);
});

describe('runGroup', () => {
  it('answers every call in order and commits all that succeeded', () => {
    const replies = runGroup(db, repositories, [call(1, 'add', { id: 'a', note: 'one' }), call(2, 'add', { id: 'b', note: 'two' }), call(3, 'add', { id: 'c', note: 'three' })]);
    expect(replies).toEqual([
      { id: 1, ok: true, value: 'a' },
      { id: 2, ok: true, value: 'b' },
      { id: 3, ok: true, value: 'c' },
    ]);
    expect(db.inTransaction).toBe(false);
    // Committed: a second connection sees them.
    const other = new Database(file, { readonly: true });
    expect(rows(other)).toEqual(['a', 'b', 'c']);
    other.close();
  });

  it('undoes a call that throws, alone; the calls around it still count', () => {
    const replies = runGroup(db, repositories, [call(1, 'add', { id: 'a', note: 'one' }), call(2, 'addThenRefuse', { id: 'half' }), call(3, 'add', { id: 'c', note: 'three' })]);
    expect(replies[1]).toMatchObject({ id: 2, ok: false, error: { code: 'test.refused', message: 'Refused on purpose.' } });
    expect(replies.filter((r) => r.ok).map((r) => r.id)).toEqual([1, 3]);
    expect(rows()).toEqual(['a', 'c']);
  });

  it('answers an unknown call with an error and runs the others', () => {
    const replies = runGroup(db, repositories, [call(1, 'nope', {}), call(2, 'add', { id: 'b', note: 'two' })]);
    expect(replies[0]).toMatchObject({ id: 1, ok: false, error: { code: 'internal', detail: expect.stringContaining('unknown repository call nope') } });
    expect(replies[1]).toEqual({ id: 2, ok: true, value: 'b' });
    expect(rows()).toEqual(['b']);
    // Not even an inherited name is a repository.
    expect(runGroup(db, repositories, [call(3, 'toString', {})])[0]).toMatchObject({ ok: false });
  });

  it('when COMMIT itself fails, runs each call again alone so each gets its own answer', () => {
    const replies = runGroup(db, repositories, [call(1, 'add', { id: 'a', note: 'one' }), call(2, 'addDangling', { id: 'l1' }), call(3, 'add', { id: 'c', note: 'three' })]);
    expect(replies[0]).toEqual({ id: 1, ok: true, value: 'a' });
    expect(replies[1]).toMatchObject({ id: 2, ok: false, error: { code: 'internal', detail: expect.stringContaining('FOREIGN KEY') } });
    expect(replies[2]).toEqual({ id: 3, ok: true, value: 'c' });
    expect(rows()).toEqual(['a', 'c']);
    expect(db.prepare(`SELECT count(*) AS n FROM link`).get()).toEqual({ n: 0 });
    expect(db.inTransaction).toBe(false);
  });

  it('when the disk is full mid-group, nothing is half-written and the rest still commit', () => {
    // A database that may not grow past its current size plus a little.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 8}`);
    const replies = runGroup(db, repositories, [call(1, 'add', { id: 'a', note: 'one' }), call(2, 'addHuge', { id: 'huge' }), call(3, 'add', { id: 'c', note: 'three' })]);
    expect(replies[1]).toMatchObject({ id: 2, ok: false, error: { detail: expect.stringMatching(/full/i) } });
    expect([replies[0], replies[2]]).toEqual([
      { id: 1, ok: true, value: 'a' },
      { id: 3, ok: true, value: 'c' },
    ]);
    expect(rows()).toEqual(['a', 'c']);
    expect(db.inTransaction).toBe(false);
  });

  it('runs a call on its own in a transaction too: a failure leaves nothing behind', () => {
    expect(runGroup(db, repositories, [call(1, 'addThenRefuse', { id: 'half' })])[0]).toMatchObject({ ok: false, error: { code: 'test.refused' } });
    expect(rows()).toEqual([]);
  });
});

describe('worker store', () => {
  it('a worker store answers concurrent calls only once their changes are committed', async () => {
    db.close();
    const store = await openWorkerStore(file);
    const reader = new Database(file, { readonly: true });
    try {
      // Many calls in flight at once, as busy screens send them; each is checked from another
      // connection the moment it is answered.
      const seen = await Promise.all(
        Array.from({ length: 200 }, async (_, n) => {
          const at = `2026-11-22T10:00:${String(n % 60).padStart(2, '0')}.000Z`;
          const entry = await store.call('audit.append', { at, actor: 'system', actorName: 'Airlock', kind: 'test.group-commit', subject: `n${n}`, detailsJson: JSON.stringify({ n }) });
          return (reader.prepare(`SELECT count(*) AS n FROM audit_log WHERE seq = ? AND hash = ?`).get(entry.seq, entry.hash) as { n: number }).n;
        }),
      );
      expect(seen).toEqual(Array.from({ length: 200 }, () => 1));
      expect(await store.call('audit.verify', { anchor: null })).toMatchObject({ ok: true, entries: 200 });
    } finally {
      reader.close();
      await store.close();
    }
  });
});
