// Real audit logs for tests: a fresh database in a temp folder, filled through the service, and
// tampered with the way an intruder with file access would: opening the SQLite file directly and
// dropping the triggers first. Folders are removed after each test.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { auditEntryHash, GENESIS_HASH, type AuditRow } from '../../../../electron/services/audit/audit-chain.ts';
import { AuditLog } from '../../../../electron/services/audit/audit-log.ts';
import { AUDIT_TRIGGERS } from '../../../../electron/services/audit/audit-schema.ts';
import { openInlineStore, openWorkerStore, type Store } from '../../../../electron/services/store/store.ts';

const made: string[] = [];

export async function tempDir(label = 'audit'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `airlock-${label}-`));
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A clock that moves one minute per reading, from a fixed start. */
export function steppingClock(start = '2026-11-21T09:00:00.000Z', stepMs = 60_000): () => Date {
  let next = Date.parse(start);
  return () => {
    const now = new Date(next);
    next += stepMs;
    return now;
  };
}

export const STAFF = {
  ana: { actor: 'staff-ana', actorName: 'Ana Costa' },
  ben: { actor: 'staff-ben', actorName: 'Ben Okafor' },
  system: { actor: 'system', actorName: 'Airlock' },
};

/** Appends `count` varied, realistic entries. */
export async function fill(log: AuditLog, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    const who = i % 3 === 0 ? STAFF.system : i % 2 === 0 ? STAFF.ben : STAFF.ana;
    const kind = ['staff.sign-in', 'post.edited', 'post.approved', 'publish.attempt', 'publish.result'][i % 5]!;
    await log.append({ ...who, kind, subject: `post-${Math.ceil(i / 2)}`, details: { n: i, caption: `Caption number ${i}` } });
  }
}

export interface AuditFixture {
  dir: string;
  file: string;
  store: Store;
  log: AuditLog;
}

/** A database in DIR/airlock.db with `count` entries, its store (inline, or on its worker thread as in the app) still open. */
export async function auditFixture(count: number, host: 'inline' | 'worker' = 'inline'): Promise<AuditFixture> {
  const dir = await tempDir();
  const file = path.join(dir, 'airlock.db');
  const store = host === 'worker' ? await openWorkerStore(file) : openInlineStore(file);
  const log = new AuditLog({ store, now: steppingClock() });
  await fill(log, count);
  return { dir, file, store, log };
}

/** Runs SQL against the file as an intruder would: a direct connection, safeguards dropped. */
export function tamper(file: string, run: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    for (const trigger of AUDIT_TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
    run(db);
  } finally {
    db.close();
  }
}

/** Changes one entry's content and recomputes every hash from it on: a full, careful forgery. */
export function rewriteFrom(db: Database.Database, seq: number, change: Partial<AuditRow>): void {
  const rows = db.prepare(`SELECT * FROM audit_log ORDER BY seq`).all() as AuditRow[];
  let prev = seq === 1 ? GENESIS_HASH : rows[seq - 2]!.hash;
  for (const row of rows.slice(seq - 1)) {
    const content = { ...row, ...(row.seq === seq ? change : {}), prev_hash: prev };
    const hash = auditEntryHash(content);
    db.prepare(`UPDATE audit_log SET at = ?, actor = ?, actor_name = ?, kind = ?, subject = ?, details_json = ?, prev_hash = ?, hash = ? WHERE seq = ?`).run(
      content.at,
      content.actor,
      content.actor_name,
      content.kind,
      content.subject,
      content.details_json,
      prev,
      hash,
      row.seq,
    );
    prev = hash;
  }
}
