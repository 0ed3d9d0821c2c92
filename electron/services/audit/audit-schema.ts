// The hash-chained audit log: migration 3 of Airlock's database. The triggers are defence in
// depth for honest code and careless hands; the hash chain is what proves the log untouched.
import type { Migration } from '../store/migrations.ts';
import { GENESIS_HASH } from './audit-chain.ts';

/** Upper bound on one entry's details, in UTF-8 bytes of details_json. */
export const MAX_DETAILS_BYTES = 16 * 1024;
export const MAX_ACTOR_CHARS = 128;
export const MAX_ACTOR_NAME_CHARS = 200;
export const MAX_KIND_CHARS = 64;
export const MAX_SUBJECT_CHARS = 200;

/** Names of the triggers that make the table append-only; verify warns when one is gone. */
export const AUDIT_TRIGGERS = ['audit_log_append_at_head', 'audit_log_no_update', 'audit_log_no_delete'] as const;

// AUTOINCREMENT makes SQLite keep the highest seq ever used in sqlite_sequence, which survives
// a DELETE of the newest rows: a cheap tripwire for a cut-off tail (see audit-repositories.ts).
// The insert trigger accepts only the entry that extends the chain at its head, which also
// stops INSERT OR REPLACE from deleting an old entry without firing the delete trigger.
export const AUDIT_MIGRATION: Migration = {
  version: 3,
  description: 'audit log',
  sql: `
    CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY AUTOINCREMENT CHECK (seq >= 1),
      at TEXT NOT NULL,
      actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND ${MAX_ACTOR_CHARS}),
      actor_name TEXT NOT NULL CHECK (length(actor_name) BETWEEN 1 AND ${MAX_ACTOR_NAME_CHARS}),
      kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND ${MAX_KIND_CHARS}),
      subject TEXT CHECK (subject IS NULL OR length(subject) BETWEEN 1 AND ${MAX_SUBJECT_CHARS}),
      details_json TEXT NOT NULL CHECK (length(CAST(details_json AS BLOB)) <= ${MAX_DETAILS_BYTES} AND json_valid(details_json)),
      prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
      hash TEXT NOT NULL CHECK (length(hash) = 64)
    ) STRICT;

    CREATE INDEX audit_log_by_actor ON audit_log(actor, seq);
    CREATE INDEX audit_log_by_subject ON audit_log(subject, seq);
    CREATE INDEX audit_log_by_kind ON audit_log(kind, seq);
    CREATE INDEX audit_log_by_at ON audit_log(at);

    CREATE TRIGGER audit_log_append_at_head BEFORE INSERT ON audit_log
    WHEN NEW.seq IS NOT max(
           coalesce((SELECT max(seq) FROM audit_log), 0),
           coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)
         ) + 1
      OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '${GENESIS_HASH}')
    BEGIN
      SELECT RAISE(ABORT, 'audit log: a new entry must extend the chain at its head');
    END;

    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN
      SELECT RAISE(ABORT, 'audit log: entries cannot be changed');
    END;

    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN
      SELECT RAISE(ABORT, 'audit log: entries cannot be removed');
    END;
  `,
};
