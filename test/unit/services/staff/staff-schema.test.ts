import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../../../electron/services/store/database.ts';
import { MIGRATIONS } from '../../../../electron/services/store/migrations.ts';
import { STAFF_MIGRATION } from '../../../../electron/services/staff/staff-schema.ts';

const insertStaff = `INSERT INTO staff (id, display_name, role, credential_kind, credential_hash, credential_salt, kdf, kdf_n, kdf_r, kdf_p, credential_set_at, created_at)
  VALUES (?, ?, ?, 'pin', zeroblob(32), zeroblob(16), 'scrypt', 65536, 8, 1, '2026-11-21T09:00:00.000Z', '2026-11-21T09:00:00.000Z')`;

function freshDb() {
  const db = openDatabase(':memory:');
  db.prepare(insertStaff).run('s1', 'Ada', 'admin');
  db.prepare(insertStaff).run('s2', 'Aino', 'author');
  return db;
}

describe('staff schema', () => {
  it('is migration 2, applied by every database Airlock opens', () => {
    expect(STAFF_MIGRATION.version).toBe(2);
    expect(MIGRATIONS[1]).toBe(STAFF_MIGRATION);
    const db = openDatabase(':memory:');
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(2);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'staff%'`).all() as { name: string }[]).map((t) => t.name).sort();
    expect(tables).toEqual(['staff', 'staff_sessions', 'staff_sign_in_state']);
  });

  it('holds at most one open session, whoever it belongs to', () => {
    const db = freshDb();
    const open = db.prepare(`INSERT INTO staff_sessions (id, staff_id, started_at, last_activity_at) VALUES (?, ?, 't', 't')`);
    open.run('a', 's1');
    expect(() => open.run('b', 's2')).toThrow(/UNIQUE/);
    db.prepare(`UPDATE staff_sessions SET ended_at = 't2', end_reason = 'signed-out' WHERE id = 'a'`).run();
    open.run('b', 's2');
  });

  it('refuses rows that break its rules', () => {
    const db = freshDb();
    expect(() => db.prepare(insertStaff).run('s3', 'Root', 'root')).toThrow(/CHECK/);
    expect(() => db.prepare(insertStaff).run('s3', 'ada', 'author')).toThrow(/UNIQUE/);
    expect(() => db.prepare(`INSERT INTO staff_sessions (id, staff_id, started_at, last_activity_at, ended_at) VALUES ('x', 's1', 't', 't', 't')`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO staff_sessions (id, staff_id, started_at, last_activity_at) VALUES ('x', 'nobody', 't', 't')`).run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare(`UPDATE staff SET disabled = 1 WHERE id = 's2'`).run()).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE staff SET credential_salt = zeroblob(8) WHERE id = 's2'`).run()).toThrow(/CHECK/);
  });
});
