// Every read and write of the audit log, as named (db, args) functions run by the store on its
// own thread. The chain is extended and checked here, next to the data, so a verify of a long
// log never ships its rows across threads and two writers can never fork the chain.
import type { Db } from '../store/database.ts';
import {
  AuditChainChecker,
  findOriginalSeq,
  GENESIS_HASH,
  auditEntryHash,
  type AuditChainBreak,
  type AuditHead,
  type AuditRow,
  type AuditVerifyResult,
} from './audit-chain.ts';
import type { AuditRowSource } from './audit-export.ts';
import { checkAuditAppend, type AuditAppend } from './audit-redaction.ts';
import { AUDIT_MIGRATION, AUDIT_TRIGGERS } from './audit-schema.ts';

const AUDIT_SCHEMA_VERSION = AUDIT_MIGRATION.version;

export interface AuditListQuery {
  actor?: string | null;
  subject?: string | null;
  kinds?: string[] | null;
  /** Inclusive ISO instant. */
  from?: string | null;
  /** Exclusive ISO instant. */
  to?: string | null;
  limit: number;
  offset: number;
}

const COLUMNS = 'seq, at, actor, actor_name, kind, subject, details_json, prev_hash, hash';

/** The seq the next entry must take: one past the highest ever used, even if that row is gone. */
function nextSeq(db: Db): number {
  const row = db
    .prepare(
      `SELECT max(coalesce((SELECT max(seq) FROM audit_log), 0),
                  coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)) AS high`,
    )
    .get() as { high: number };
  return row.high + 1;
}

function headRow(db: Db): AuditHead | null {
  return (db.prepare(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).get() as AuditHead | undefined) ?? null;
}

/**
 * Appends one entry. Usable inside a caller's own transaction (a state change and its audit
 * entry committed together); on its own it takes the write lock before reading the head, so
 * a second connection appending at the same time waits instead of chaining to the same head.
 */
export function appendAuditEntry(db: Db, append: AuditAppend): AuditRow {
  const a = checkAuditAppend(append);
  const write = () => {
    // After a tail was cut off, the next seq leaves a visible gap rather than reusing numbers.
    const seq = nextSeq(db);
    const prevHash = headRow(db)?.hash ?? GENESIS_HASH;
    const content = { seq, at: a.at, actor: a.actor, actor_name: a.actorName, kind: a.kind, subject: a.subject, details_json: a.detailsJson, prev_hash: prevHash };
    const row: AuditRow = { ...content, hash: auditEntryHash(content) };
    db.prepare(`INSERT INTO audit_log (${COLUMNS}) VALUES (@seq, @at, @actor, @actor_name, @kind, @subject, @details_json, @prev_hash, @hash)`).run(row);
    return row;
  };
  // Inside a caller's transaction a failure here fails the caller's call, which the store undoes whole.
  return db.inTransaction ? write() : db.transaction(write).immediate();
}

function refineContentBreak(db: Db, fault: AuditChainBreak & { evidence?: AuditRow }, highestSeq: number): AuditChainBreak {
  const row = fault.evidence;
  if (!row) return { firstBroken: fault.firstBroken, reason: fault.reason, detail: fault.detail };
  const original = findOriginalSeq(row, highestSeq);
  if (original === null) return { firstBroken: row.seq, reason: 'altered', detail: fault.detail };
  const predecessorKept = row.prev_hash === GENESIS_HASH || db.prepare(`SELECT 1 FROM audit_log WHERE hash = ? LIMIT 1`).get(row.prev_hash) !== undefined;
  if (original > row.seq && !predecessorKept) {
    return {
      firstBroken: row.seq,
      reason: 'missing',
      detail: `entry ${row.seq} holds what was entry ${original}: entries ${row.seq} to ${original - 1} were removed and the later ones renumbered`,
    };
  }
  return { firstBroken: row.seq, reason: 'reordered', detail: `entry ${row.seq} holds what was entry ${original}` };
}

/**
 * Checks the whole chain in one read snapshot. `anchor` is a head recorded earlier outside
 * this database (a previous signed export, a note IT keeps): with it, a tail cut off or a
 * chain rewritten with recomputed hashes is caught too. See FORMAT.md for what needs one.
 */
export function verifyAuditChain(db: Db, options: { anchor?: AuditHead | null } = {}): AuditVerifyResult {
  const check = (): AuditVerifyResult => {
    const checker = new AuditChainChecker();
    let fault: ReturnType<AuditChainChecker['push']> = null;
    for (const row of db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq`).iterate() as IterableIterator<AuditRow>) {
      fault = checker.push(row);
      if (fault) break;
    }
    const { entries, maxSeq } = db.prepare(`SELECT count(*) AS entries, coalesce(max(seq), 0) AS maxSeq FROM audit_log`).get() as { entries: number; maxSeq: number };
    const sequence = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'`).get() as { seq: number } | undefined;
    const highWater = sequence?.seq ?? 0;
    if (fault) return { ok: false, entries, ...refineContentBreak(db, fault, Math.max(maxSeq, highWater)) };

    const anchor = options.anchor ?? null;
    if (highWater > maxSeq || (anchor !== null && anchor.seq > maxSeq)) {
      const reached = Math.max(highWater, anchor?.seq ?? 0);
      return {
        ok: false,
        entries,
        firstBroken: maxSeq + 1,
        reason: 'truncated',
        detail: `the log ends at entry ${maxSeq} but had reached entry ${reached}${highWater >= reached ? '' : ' (by the recorded head)'}`,
      };
    }
    if (anchor !== null && anchor.seq > 0) {
      const kept = db.prepare(`SELECT hash FROM audit_log WHERE seq = ?`).get(anchor.seq) as { hash: string } | undefined;
      if (kept?.hash !== anchor.hash) {
        return {
          ok: false,
          entries,
          firstBroken: anchor.seq,
          reason: 'rewritten',
          detail: `entry ${anchor.seq} has hash ${kept?.hash ?? 'none'}, but the recorded head says ${anchor.hash}; every hash up to it was recomputed`,
        };
      }
    }

    const triggers = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'`).all() as { name: string }[]).map((t) => t.name));
    const warnings = AUDIT_TRIGGERS.filter((name) => !triggers.has(name)).map((name) => `the safeguard ${name} was removed from the database`);
    return { ok: true, entries, head: checker.head, warnings };
  };
  // One snapshot for all the statements above, even while another connection appends.
  return db.inTransaction ? check() : db.transaction(check).deferred();
}

export function auditHead(db: Db): AuditHead | null {
  return headRow(db);
}

/** Entries after `afterSeq` in seq order: how an export walks the log in bounded pieces. */
export function auditPage(db: Db, a: { afterSeq: number; limit: number }): AuditRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`).all(a.afterSeq, a.limit) as AuditRow[];
}

export const auditRepositories = {
  'audit.append': (db: Db, a: AuditAppend): AuditRow => appendAuditEntry(db, a),

  /** Newest first, for the audit screen; `total` counts every match for paging. */
  'audit.list': (db: Db, q: AuditListQuery): { rows: AuditRow[]; total: number } => {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.actor != null) {
      where.push('actor = ?');
      params.push(q.actor);
    }
    if (q.subject != null) {
      where.push('subject = ?');
      params.push(q.subject);
    }
    if (q.kinds != null && q.kinds.length > 0) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(', ')})`);
      params.push(...q.kinds);
    }
    if (q.from != null) {
      where.push('at >= ?');
      params.push(q.from);
    }
    if (q.to != null) {
      where.push('at < ?');
      params.push(q.to);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    return db.transaction(() => ({
      rows: db.prepare(`SELECT ${COLUMNS} FROM audit_log ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...params, q.limit, q.offset) as AuditRow[],
      total: (db.prepare(`SELECT count(*) AS n FROM audit_log ${clause}`).get(...params) as { n: number }).n,
    }))();
  },

  'audit.page': (db: Db, a: { afterSeq: number; limit: number }): AuditRow[] => auditPage(db, a),

  'audit.head': (db: Db, _a: Record<string, never>): AuditHead | null => auditHead(db),

  'audit.verify': (db: Db, a: { anchor: AuditHead | null }): AuditVerifyResult => verifyAuditChain(db, a),
} satisfies Record<string, (db: Db, args: never) => unknown>;

/** An export's view of a database opened directly (the CLI), without a store around it. */
export function databaseRowSource(db: Db): AuditRowSource {
  return {
    head: async () => auditHead(db),
    page: async (afterSeq, limit) => auditPage(db, { afterSeq, limit }),
  };
}

/** Whether this database has an audit log at all, and if not, whether it ought to. */
export function auditTableState(db: Db): 'present' | 'not-yet' | 'removed' {
  if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'`).get() !== undefined) return 'present';
  return (db.pragma('user_version', { simple: true }) as number) >= AUDIT_SCHEMA_VERSION ? 'removed' : 'not-yet';
}
