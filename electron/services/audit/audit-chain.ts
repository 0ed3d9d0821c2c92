// The audit log's hash chain: the one encoding of an entry that gets hashed, and the single pass
// that finds the first entry whose contents, position or link to its predecessor no longer hold.
// Pure code, shared by the store's thread, the CLI and the export verifier. See FORMAT.md.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../package/canonical-json.ts';

/** First element of every hashed encoding, so an audit hash can never be mistaken for another. */
export const AUDIT_HASH_DOMAIN = 'airlock.audit.v1';

/** The prev_hash of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry exactly as stored: these columns, and nothing else, are what the hash covers. */
export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  actor_name: string;
  kind: string;
  subject: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
}

export type AuditRowContent = Omit<AuditRow, 'hash'>;

/** The last entry of a chain. Kept outside the kiosk, it lets verify notice a cut-off tail. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/**
 * What broke: `altered` an entry's stored fields no longer match its hash or its successor's
 * link; `missing` entries were removed from the middle; `reordered` an entry sits at another
 * entry's position; `truncated` the newest entries were removed; `rewritten` the chain no
 * longer reaches a head recorded earlier (entries were replaced and every hash recomputed).
 */
export type AuditBreakReason = 'altered' | 'missing' | 'reordered' | 'truncated' | 'rewritten';

export interface AuditChainBreak {
  firstBroken: number;
  reason: AuditBreakReason;
  /** For IT: what exactly did not hold. */
  detail: string;
}

export type AuditVerifyResult =
  | { ok: true; entries: number; head: AuditHead | null; warnings: string[] }
  | ({ ok: false; entries: number } & AuditChainBreak);

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `["airlock.audit.v1",seq,at,actor,actor_name,kind,subject,details_json,prev_hash]` as canonical JSON. */
export function canonicalAuditEncoding(row: AuditRowContent): string {
  return canonicalJson([AUDIT_HASH_DOMAIN, row.seq, row.at, row.actor, row.actor_name, row.kind, row.subject, row.details_json, row.prev_hash]);
}

/** Lowercase hex SHA-256 over the UTF-8 bytes of the canonical encoding. */
export function auditEntryHash(row: AuditRowContent): string {
  return sha256Hex(canonicalAuditEncoding(row));
}

/**
 * The position whose hash this entry's contents carry, searched outwards from where it sits,
 * within 1..maxSeq. Tells an entry moved elsewhere (or renumbered) from one whose contents
 * were changed. Costs one hash per candidate, and runs only once a break has been found.
 */
export function findOriginalSeq(row: AuditRow, maxSeq: number): number | null {
  const rest = canonicalJson([row.at, row.actor, row.actor_name, row.kind, row.subject, row.details_json, row.prev_hash]).slice(1);
  const prefix = `[${JSON.stringify(AUDIT_HASH_DOMAIN)},`;
  const matches = (seq: number) => sha256Hex(`${prefix}${seq},${rest}`) === row.hash;
  const span = Math.max(maxSeq - row.seq, row.seq - 1);
  for (let distance = 1; distance <= span; distance++) {
    if (row.seq + distance <= maxSeq && matches(row.seq + distance)) return row.seq + distance;
    if (row.seq - distance >= 1 && matches(row.seq - distance)) return row.seq - distance;
  }
  return null;
}

/**
 * Walks entries in seq order and stops at the first one that breaks the chain. A break found
 * by content (`evidence` set) may be refined by the caller, who can look at the other entries.
 */
export class AuditChainChecker {
  #expectedSeq = 1;
  #prevHash = GENESIS_HASH;
  #fault: (AuditChainBreak & { evidence?: AuditRow }) | null = null;

  /** Entries accepted so far. */
  get checked(): number {
    return this.#expectedSeq - 1;
  }

  get head(): AuditHead | null {
    return this.#expectedSeq === 1 ? null : { seq: this.#expectedSeq - 1, hash: this.#prevHash };
  }

  push(row: AuditRow): (AuditChainBreak & { evidence?: AuditRow }) | null {
    if (this.#fault) return this.#fault;
    const expected = this.#expectedSeq;
    if (row.seq > expected) {
      this.#fault = {
        firstBroken: expected,
        reason: 'missing',
        detail: row.seq === expected + 1 ? `entry ${expected} is not in the log; the next entry is ${row.seq}` : `entries ${expected} to ${row.seq - 1} are not in the log`,
      };
    } else if (row.seq < expected) {
      this.#fault = { firstBroken: expected, reason: 'reordered', detail: `entry ${row.seq} appears again after entry ${expected - 1}` };
    } else if (auditEntryHash(row) !== row.hash) {
      this.#fault = { firstBroken: row.seq, reason: 'altered', detail: `the contents of entry ${row.seq} do not match its hash`, evidence: row };
    } else if (row.prev_hash !== this.#prevHash) {
      // The entry itself is intact, so it is the one before it that changed since it was
      // linked: rewritten together with a recomputed hash, or replaced outright.
      const previous = row.seq - 1;
      this.#fault =
        previous === 0
          ? { firstBroken: 1, reason: 'altered', detail: 'entry 1 does not start from the genesis value' }
          : { firstBroken: previous, reason: 'altered', detail: `entry ${row.seq} was chained to a different entry ${previous}: entry ${previous} was rewritten and its hash recomputed` };
    } else {
      this.#expectedSeq = expected + 1;
      this.#prevHash = row.hash;
      return null;
    }
    return this.#fault;
  }
}

/** The sentence staff and IT see, e.g. "entry 42 was altered". */
export function describeAuditBreak(b: Pick<AuditChainBreak, 'firstBroken' | 'reason'>): string {
  switch (b.reason) {
    case 'altered':
      return `entry ${b.firstBroken} was altered`;
    case 'missing':
      return `entry ${b.firstBroken} is missing`;
    case 'reordered':
      return `entry ${b.firstBroken} is out of order`;
    case 'truncated':
      return `entries from ${b.firstBroken} on were removed`;
    case 'rewritten':
      return `the log was rewritten at or before entry ${b.firstBroken}`;
  }
}
