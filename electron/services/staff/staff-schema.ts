// Staff accounts, sign-in attempts and sessions: migration 2 of Airlock's database. Lockout
// state and sessions live here rather than in memory, so a restart neither forgets a lockout
// nor resumes someone else's session.
import type { Migration } from '../store/migrations.ts';

export const STAFF_MIGRATION: Migration = {
  version: 2,
  description: 'staff accounts and sign-in',
  sql: `
    CREATE TABLE staff (
      id TEXT PRIMARY KEY,
      display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 80),
      role TEXT NOT NULL CHECK (role IN ('author', 'approver', 'admin')),
      credential_kind TEXT NOT NULL CHECK (credential_kind IN ('pin', 'passphrase')),
      -- The key length is the hash's length; N, r and p are kept so the cost can be raised later.
      credential_hash BLOB NOT NULL CHECK (length(credential_hash) >= 16),
      credential_salt BLOB NOT NULL CHECK (length(credential_salt) >= 16),
      kdf TEXT NOT NULL CHECK (kdf = 'scrypt'),
      kdf_n INTEGER NOT NULL CHECK (kdf_n > 1),
      kdf_r INTEGER NOT NULL CHECK (kdf_r >= 1),
      kdf_p INTEGER NOT NULL CHECK (kdf_p >= 1),
      credential_set_at TEXT NOT NULL,
      created_at TEXT NOT NULL,
      created_by TEXT REFERENCES staff(id),
      disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
      disabled_at TEXT,
      CHECK ((disabled = 1) = (disabled_at IS NOT NULL))
    );
    -- Two active people with the same name could not be told apart on the sign-in screen or in the audit log.
    CREATE UNIQUE INDEX staff_active_name ON staff(display_name COLLATE NOCASE) WHERE disabled = 0;

    CREATE TABLE staff_sign_in_state (
      staff_id TEXT PRIMARY KEY REFERENCES staff(id),
      -- Counted when an attempt starts, not when it fails, so concurrent or interrupted attempts cannot add guesses.
      failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
      last_attempt_at TEXT,
      locked_until TEXT
    );

    CREATE TABLE staff_sessions (
      id TEXT PRIMARY KEY,
      staff_id TEXT NOT NULL REFERENCES staff(id),
      started_at TEXT NOT NULL,
      last_activity_at TEXT NOT NULL,
      ended_at TEXT,
      end_reason TEXT CHECK (end_reason IN ('signed-out', 'idle', 'replaced', 'disabled', 'restart')),
      CHECK ((ended_at IS NULL) = (end_reason IS NULL))
    );
    -- One kiosk, one person at a time: at most one session without an end.
    CREATE UNIQUE INDEX staff_sessions_one_active ON staff_sessions((ended_at IS NULL)) WHERE ended_at IS NULL;
    CREATE INDEX staff_sessions_by_staff ON staff_sessions(staff_id, started_at);
  `,
};
