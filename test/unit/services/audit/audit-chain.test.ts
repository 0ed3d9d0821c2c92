import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AuditChainChecker,
  auditEntryHash,
  canonicalAuditEncoding,
  describeAuditBreak,
  findOriginalSeq,
  GENESIS_HASH,
  type AuditRow,
} from '../../../../electron/services/audit/audit-chain.ts';

function chain(count: number): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const content = { seq, at: `2026-11-21T09:0${seq % 10}:00.000Z`, actor: 'staff-ana', actor_name: 'Ana', kind: 'post.edited', subject: `post-${seq}`, details_json: `{"n":${seq}}`, prev_hash: prev };
    const row = { ...content, hash: auditEntryHash(content) };
    rows.push(row);
    prev = row.hash;
  }
  return rows;
}

function firstBreak(rows: AuditRow[]) {
  const checker = new AuditChainChecker();
  for (const row of rows) {
    const fault = checker.push(row);
    if (fault) return fault;
  }
  return null;
}

describe('audit chain encoding', () => {
  it('hashes the documented canonical JSON array, so an independent tool can recompute it', () => {
    const content = { seq: 1, at: '2026-11-21T09:00:00.000Z', actor: 'system', actor_name: 'Airlock', kind: 'policy.loaded', subject: null, details_json: '{"a":"é\\n"}', prev_hash: GENESIS_HASH };
    const text = `["airlock.audit.v1",1,"2026-11-21T09:00:00.000Z","system","Airlock","policy.loaded",null,"{\\"a\\":\\"é\\\\n\\"}","${'0'.repeat(64)}"]`;
    expect(canonicalAuditEncoding(content)).toBe(text);
    expect(auditEntryHash(content)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('gives a different hash when any single field changes, including the position', () => {
    const [row] = chain(1);
    const base = auditEntryHash(row!);
    const variants = [{ seq: 2 }, { at: 'x' }, { actor: 'x' }, { actor_name: 'x' }, { kind: 'x' }, { subject: null }, { details_json: '{}' }, { prev_hash: '1'.repeat(64) }];
    for (const change of variants) expect(auditEntryHash({ ...row!, ...change })).not.toBe(base);
    // Field boundaries are unambiguous: moving text between fields changes the hash.
    expect(auditEntryHash({ ...row!, actor: 'ab', actor_name: 'c' })).not.toBe(auditEntryHash({ ...row!, actor: 'a', actor_name: 'bc' }));
  });
});

describe('AuditChainChecker', () => {
  it('accepts an intact chain and reports its head', () => {
    const rows = chain(5);
    const checker = new AuditChainChecker();
    for (const row of rows) expect(checker.push(row)).toBeNull();
    expect(checker.checked).toBe(5);
    expect(checker.head).toEqual({ seq: 5, hash: rows[4]!.hash });
  });

  it('names the altered entry when a field changes', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, actor_name: 'Mallory' };
    expect(firstBreak(rows)).toMatchObject({ firstBroken: 3, reason: 'altered' });
  });

  it('names the earlier entry when it was rewritten with a recomputed hash', () => {
    const rows = chain(5);
    const forged = { ...rows[1]!, details_json: '{"n":99}' };
    rows[1] = { ...forged, hash: auditEntryHash(forged) };
    expect(firstBreak(rows)).toMatchObject({ firstBroken: 2, reason: 'altered' });
  });

  it('names the first missing entry when entries are removed', () => {
    const rows = chain(6);
    expect(firstBreak([...rows.slice(0, 2), ...rows.slice(4)])).toMatchObject({ firstBroken: 3, reason: 'missing', detail: 'entries 3 to 4 are not in the log' });
  });

  it('finds where a moved entry came from', () => {
    const rows = chain(40);
    expect(findOriginalSeq({ ...rows[30]!, seq: 7 }, 40)).toBe(31);
    expect(findOriginalSeq({ ...rows[30]!, seq: 7, actor: 'x' }, 40)).toBeNull();
  });

  it('describes each kind of break in one plain sentence', () => {
    expect(describeAuditBreak({ firstBroken: 42, reason: 'altered' })).toBe('entry 42 was altered');
    expect(describeAuditBreak({ firstBroken: 42, reason: 'missing' })).toBe('entry 42 is missing');
    expect(describeAuditBreak({ firstBroken: 42, reason: 'reordered' })).toBe('entry 42 is out of order');
    expect(describeAuditBreak({ firstBroken: 42, reason: 'truncated' })).toBe('entries from 42 on were removed');
  });
});
