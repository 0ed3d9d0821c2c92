// Every read and write of staff accounts and sign-in state, as named (db, args) functions run
// by the store on its own thread. Each rule that guards a write (last admin, lockout, who is
// signed in) is checked inside the same transaction as the write, so no interleaving slips past.
import type { Db } from '../store/database.ts';
import type { CredentialKind } from './credentials.ts';
import type { Role } from './roles.ts';
import { staffErrors } from './staff-errors.ts';

export type SessionEndReason = 'signed-out' | 'idle' | 'replaced' | 'disabled' | 'restart';

export interface StoredCredential {
  kind: CredentialKind;
  hash: Uint8Array;
  salt: Uint8Array;
  n: number;
  r: number;
  p: number;
}

export interface NewStaffAccount {
  id: string;
  name: string;
  role: Role;
  credential: StoredCredential;
  createdAt: string;
}

/** An account as the admin screen sees it: never the credential itself. */
export interface StaffSummary {
  id: string;
  name: string;
  role: Role;
  credentialKind: CredentialKind;
  disabled: boolean;
  createdAt: string;
  createdBy: string | null;
  credentialSetAt: string;
  /** When a lockout ends, if one is in force. */
  lockedUntil: string | null;
}

/** An account as the sign-in screen lists it. */
export interface SignInChoice {
  id: string;
  name: string;
  credentialKind: CredentialKind;
  lockedUntil: string | null;
}

export interface ActiveSession {
  sessionId: string;
  staffId: string;
  name: string;
  role: Role;
  startedAt: string;
  lastActivityAt: string;
}

export interface EndedSession {
  sessionId: string;
  staffId: string;
  reason: SessionEndReason;
  endedAt: string;
}

export type SignInStart =
  | { kind: 'unknown' }
  | { kind: 'locked'; lockedUntil: string }
  | { kind: 'verify'; credential: StoredCredential };

export type SignInFinish =
  | { kind: 'locked'; lockedUntil: string }
  | { kind: 'stale' }
  | { kind: 'started'; session: ActiveSession; replaced: EndedSession | null };

interface StaffDbRow {
  id: string;
  display_name: string;
  role: Role;
  credential_kind: CredentialKind;
  credential_hash: Uint8Array;
  credential_salt: Uint8Array;
  kdf_n: number;
  kdf_r: number;
  kdf_p: number;
  credential_set_at: string;
  created_at: string;
  created_by: string | null;
  disabled: 0 | 1;
  disabled_at: string | null;
}

interface AttemptState {
  failed_attempts: number;
  last_attempt_at: string | null;
  locked_until: string | null;
}

interface LockPolicy {
  maxAttempts: number;
  lockMs: number;
}

const SUMMARY_COLUMNS = `s.id, s.display_name, s.role, s.credential_kind, s.disabled, s.created_at, s.created_by, s.credential_set_at, a.locked_until`;

type SummaryDbRow = Pick<StaffDbRow, 'id' | 'display_name' | 'role' | 'credential_kind' | 'disabled' | 'created_at' | 'created_by' | 'credential_set_at'> & { locked_until: string | null };

const later = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

function toSummary(row: SummaryDbRow, now: string): StaffSummary {
  return {
    id: row.id,
    name: row.display_name,
    role: row.role,
    credentialKind: row.credential_kind,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    createdBy: row.created_by,
    credentialSetAt: row.credential_set_at,
    lockedUntil: row.locked_until !== null && row.locked_until > now ? row.locked_until : null,
  };
}

function summary(db: Db, staffId: string, now: string): StaffSummary {
  const row = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM staff s LEFT JOIN staff_sign_in_state a ON a.staff_id = s.id WHERE s.id = ?`).get(staffId) as SummaryDbRow | undefined;
  if (!row) throw staffErrors.notFound(staffId);
  return toSummary(row, now);
}

function staffRow(db: Db, staffId: string): StaffDbRow | undefined {
  return db.prepare(`SELECT * FROM staff WHERE id = ?`).get(staffId) as StaffDbRow | undefined;
}

function activeAdminCount(db: Db): number {
  return (db.prepare(`SELECT count(*) AS n FROM staff WHERE role = 'admin' AND disabled = 0`).get() as { n: number }).n;
}

function activeSession(db: Db): ActiveSession | null {
  const row = db
    .prepare(
      `SELECT ss.id AS sessionId, ss.staff_id AS staffId, s.display_name AS name, s.role AS role, ss.started_at AS startedAt, ss.last_activity_at AS lastActivityAt
       FROM staff_sessions ss JOIN staff s ON s.id = ss.staff_id WHERE ss.ended_at IS NULL`,
    )
    .get() as ActiveSession | undefined;
  return row ?? null;
}

function endActive(db: Db, now: string, reason: SessionEndReason, onlyStaffId?: string): EndedSession | null {
  const active = activeSession(db);
  if (!active || (onlyStaffId !== undefined && active.staffId !== onlyStaffId)) return null;
  db.prepare(`UPDATE staff_sessions SET ended_at = ?, end_reason = ? WHERE id = ?`).run(now, reason, active.sessionId);
  return { sessionId: active.sessionId, staffId: active.staffId, reason, endedAt: now };
}

/** The admin acting through this session, re-checked at commit time. */
function requireAdmin(db: Db, sessionId: string): string {
  const row = db
    .prepare(`SELECT s.id, s.role, s.disabled FROM staff_sessions ss JOIN staff s ON s.id = ss.staff_id WHERE ss.id = ? AND ss.ended_at IS NULL`)
    .get(sessionId) as { id: string; role: Role; disabled: 0 | 1 } | undefined;
  if (!row || row.disabled === 1) throw staffErrors.signedOut();
  if (row.role !== 'admin') throw staffErrors.forbidden('staff.manage');
  return row.id;
}

function requireNameFree(db: Db, name: string, exceptId?: string): void {
  const clash = db.prepare(`SELECT id FROM staff WHERE disabled = 0 AND display_name = ? COLLATE NOCASE`).get(name) as { id: string } | undefined;
  if (clash && clash.id !== exceptId) throw staffErrors.nameTaken();
}

function insertAccount(db: Db, account: NewStaffAccount, createdBy: string | null): void {
  const c = account.credential;
  db.prepare(
    `INSERT INTO staff (id, display_name, role, credential_kind, credential_hash, credential_salt, kdf, kdf_n, kdf_r, kdf_p, credential_set_at, created_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?, 'scrypt', ?, ?, ?, ?, ?, ?)`,
  ).run(account.id, account.name, account.role, c.kind, c.hash, c.salt, c.n, c.r, c.p, account.createdAt, account.createdAt, createdBy);
  db.prepare(`INSERT INTO staff_sign_in_state (staff_id) VALUES (?)`).run(account.id);
}

function startSession(db: Db, staffId: string, sessionId: string, now: string): { session: ActiveSession; replaced: EndedSession | null } {
  const replaced = endActive(db, now, 'replaced');
  db.prepare(`INSERT INTO staff_sessions (id, staff_id, started_at, last_activity_at) VALUES (?, ?, ?, ?)`).run(sessionId, staffId, now, now);
  return { session: activeSession(db)!, replaced };
}

function attemptState(db: Db, staffId: string): AttemptState {
  db.prepare(`INSERT OR IGNORE INTO staff_sign_in_state (staff_id) VALUES (?)`).run(staffId);
  return db.prepare(`SELECT failed_attempts, last_attempt_at, locked_until FROM staff_sign_in_state WHERE staff_id = ?`).get(staffId) as AttemptState;
}

export const staffRepositories = {
  /** First run: true until an active admin exists. */
  'staff.needsFirstAdmin': (db: Db, _a: Record<string, never>): boolean => activeAdminCount(db) === 0,

  /** Creates the first admin and signs them in; refused once any active admin exists. */
  'staff.createFirstAdmin': (db: Db, a: { account: NewStaffAccount; sessionId: string }): { session: ActiveSession; replaced: EndedSession | null } =>
    db.transaction(() => {
      if (activeAdminCount(db) > 0) throw staffErrors.firstAdminExists();
      requireNameFree(db, a.account.name);
      insertAccount(db, { ...a.account, role: 'admin' }, null);
      return startSession(db, a.account.id, a.sessionId, a.account.createdAt);
    })(),

  'staff.create': (db: Db, a: { actorSessionId: string; account: NewStaffAccount }): StaffSummary =>
    db.transaction(() => {
      const actor = requireAdmin(db, a.actorSessionId);
      requireNameFree(db, a.account.name);
      insertAccount(db, a.account, actor);
      return summary(db, a.account.id, a.account.createdAt);
    })(),

  /** Disables an account and ends its session if it has the kiosk; never the last active admin. */
  'staff.disable': (db: Db, a: { actorSessionId: string; staffId: string; now: string }): { staff: StaffSummary; ended: EndedSession | null } =>
    db.transaction(() => {
      requireAdmin(db, a.actorSessionId);
      const target = staffRow(db, a.staffId);
      if (!target) throw staffErrors.notFound(a.staffId);
      if (target.disabled === 0) {
        if (target.role === 'admin' && activeAdminCount(db) <= 1) throw staffErrors.lastAdmin();
        db.prepare(`UPDATE staff SET disabled = 1, disabled_at = ? WHERE id = ?`).run(a.now, a.staffId);
      }
      const ended = endActive(db, a.now, 'disabled', a.staffId);
      return { staff: summary(db, a.staffId, a.now), ended };
    })(),

  'staff.enable': (db: Db, a: { actorSessionId: string; staffId: string; now: string }): StaffSummary =>
    db.transaction(() => {
      requireAdmin(db, a.actorSessionId);
      const target = staffRow(db, a.staffId);
      if (!target) throw staffErrors.notFound(a.staffId);
      if (target.disabled === 1) {
        requireNameFree(db, target.display_name, target.id);
        db.prepare(`UPDATE staff SET disabled = 0, disabled_at = NULL WHERE id = ?`).run(a.staffId);
      }
      return summary(db, a.staffId, a.now);
    })(),

  /** Changes a role; the last active admin cannot be demoted, by themselves or anyone. */
  'staff.setRole': (db: Db, a: { actorSessionId: string; staffId: string; role: Role; now: string }): StaffSummary =>
    db.transaction(() => {
      requireAdmin(db, a.actorSessionId);
      const target = staffRow(db, a.staffId);
      if (!target) throw staffErrors.notFound(a.staffId);
      if (target.role === 'admin' && a.role !== 'admin' && target.disabled === 0 && activeAdminCount(db) <= 1) throw staffErrors.lastAdmin();
      db.prepare(`UPDATE staff SET role = ? WHERE id = ?`).run(a.role, a.staffId);
      return summary(db, a.staffId, a.now);
    })(),

  /** An admin's reset: a new credential and a clean attempt count (it also lifts a lockout). */
  'staff.setCredential': (db: Db, a: { actorSessionId: string; staffId: string; credential: StoredCredential; now: string }): StaffSummary =>
    db.transaction(() => {
      requireAdmin(db, a.actorSessionId);
      if (!staffRow(db, a.staffId)) throw staffErrors.notFound(a.staffId);
      const c = a.credential;
      db.prepare(
        `UPDATE staff SET credential_kind = ?, credential_hash = ?, credential_salt = ?, kdf = 'scrypt', kdf_n = ?, kdf_r = ?, kdf_p = ?, credential_set_at = ? WHERE id = ?`,
      ).run(c.kind, c.hash, c.salt, c.n, c.r, c.p, a.now, a.staffId);
      attemptState(db, a.staffId);
      db.prepare(`UPDATE staff_sign_in_state SET failed_attempts = 0, locked_until = NULL WHERE staff_id = ?`).run(a.staffId);
      return summary(db, a.staffId, a.now);
    })(),

  'staff.unlock': (db: Db, a: { actorSessionId: string; staffId: string; now: string }): StaffSummary =>
    db.transaction(() => {
      requireAdmin(db, a.actorSessionId);
      if (!staffRow(db, a.staffId)) throw staffErrors.notFound(a.staffId);
      attemptState(db, a.staffId);
      db.prepare(`UPDATE staff_sign_in_state SET failed_attempts = 0, locked_until = NULL WHERE staff_id = ?`).run(a.staffId);
      return summary(db, a.staffId, a.now);
    })(),

  'staff.list': (db: Db, a: { actorSessionId: string; now: string }): StaffSummary[] => {
    requireAdmin(db, a.actorSessionId);
    const rows = db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM staff s LEFT JOIN staff_sign_in_state a ON a.staff_id = s.id ORDER BY s.disabled, s.display_name COLLATE NOCASE, s.id`)
      .all() as SummaryDbRow[];
    return rows.map((row) => toSummary(row, a.now));
  },

  /** Who can sign in: active accounts only, with any lockout so the screen can say so up front. */
  'staff.signInList': (db: Db, a: { now: string }): SignInChoice[] =>
    (
      db
        .prepare(
          `SELECT s.id, s.display_name, s.credential_kind, a.locked_until FROM staff s LEFT JOIN staff_sign_in_state a ON a.staff_id = s.id
           WHERE s.disabled = 0 ORDER BY s.display_name COLLATE NOCASE, s.id`,
        )
        .all() as { id: string; display_name: string; credential_kind: CredentialKind; locked_until: string | null }[]
    ).map((r) => ({ id: r.id, name: r.display_name, credentialKind: r.credential_kind, lockedUntil: r.locked_until !== null && r.locked_until > a.now ? r.locked_until : null })),

  /**
   * Reserves one sign-in attempt before the secret is checked. The attempt counts as failed
   * until completeSignIn says otherwise, so a burst of parallel guesses, or a crash halfway
   * through one, cannot get past maxAttempts.
   */
  'staff.beginSignIn': (db: Db, a: { staffId: string; now: string } & LockPolicy): SignInStart =>
    db.transaction((): SignInStart => {
      const row = staffRow(db, a.staffId);
      if (!row || row.disabled === 1) return { kind: 'unknown' };
      let state = attemptState(db, a.staffId);
      if (state.locked_until !== null && state.locked_until <= a.now) {
        // The lockout has been served: a fresh set of attempts.
        db.prepare(`UPDATE staff_sign_in_state SET failed_attempts = 0, locked_until = NULL WHERE staff_id = ?`).run(a.staffId);
        state = { ...state, failed_attempts: 0, locked_until: null };
      }
      if (state.locked_until !== null) return { kind: 'locked', lockedUntil: state.locked_until };
      if (state.failed_attempts >= a.maxAttempts) {
        // Every attempt is spent but none has failed yet: the last is still being checked, or
        // was cut short by a crash. Refuse for a lockout's length from that last attempt,
        // without storing a lockout that would void it if it turns out to be right.
        const lockedUntil = state.last_attempt_at === null ? a.now : later(state.last_attempt_at, a.lockMs);
        if (lockedUntil > a.now) return { kind: 'locked', lockedUntil };
        db.prepare(`UPDATE staff_sign_in_state SET failed_attempts = 0 WHERE staff_id = ?`).run(a.staffId);
      }
      db.prepare(`UPDATE staff_sign_in_state SET failed_attempts = failed_attempts + 1, last_attempt_at = ? WHERE staff_id = ?`).run(a.now, a.staffId);
      return {
        kind: 'verify',
        credential: { kind: row.credential_kind, hash: row.credential_hash, salt: row.credential_salt, n: row.kdf_n, r: row.kdf_r, p: row.kdf_p },
      };
    })(),

  /** A wrong secret: the attempt already counted; lock once the count reaches the limit. */
  'staff.failSignIn': (db: Db, a: { staffId: string; now: string } & LockPolicy): { lockedUntil: string | null } =>
    db.transaction(() => {
      const state = db.prepare(`SELECT failed_attempts, last_attempt_at, locked_until FROM staff_sign_in_state WHERE staff_id = ?`).get(a.staffId) as AttemptState | undefined;
      if (!state) return { lockedUntil: null };
      if (state.locked_until !== null && state.locked_until > a.now) return { lockedUntil: state.locked_until };
      if (state.failed_attempts < a.maxAttempts) return { lockedUntil: null };
      const lockedUntil = later(a.now, a.lockMs);
      db.prepare(`UPDATE staff_sign_in_state SET locked_until = ? WHERE staff_id = ?`).run(lockedUntil, a.staffId);
      return { lockedUntil };
    })(),

  /**
   * A right secret: clears the count and starts the session, replacing whoever had the kiosk.
   * Refused if a lockout began meanwhile, or if the account was disabled or its credential reset
   * while the secret was being checked. A stronger re-hash, if given, is stored in the same step.
   */
  'staff.completeSignIn': (
    db: Db,
    a: { staffId: string; checkedSalt: Uint8Array; sessionId: string; now: string; rehash: StoredCredential | null },
  ): SignInFinish =>
    db.transaction((): SignInFinish => {
      const row = staffRow(db, a.staffId);
      if (!row || row.disabled === 1 || !Buffer.from(row.credential_salt).equals(Buffer.from(a.checkedSalt))) return { kind: 'stale' };
      const state = attemptState(db, a.staffId);
      if (state.locked_until !== null && state.locked_until > a.now) return { kind: 'locked', lockedUntil: state.locked_until };
      db.prepare(`UPDATE staff_sign_in_state SET failed_attempts = 0, locked_until = NULL WHERE staff_id = ?`).run(a.staffId);
      if (a.rehash) {
        const c = a.rehash;
        db.prepare(`UPDATE staff SET credential_hash = ?, credential_salt = ?, kdf_n = ?, kdf_r = ?, kdf_p = ? WHERE id = ?`).run(c.hash, c.salt, c.n, c.r, c.p, a.staffId);
      }
      return { kind: 'started', ...startSession(db, a.staffId, a.sessionId, a.now) };
    })(),

  'staff.activeSession': (db: Db, _a: Record<string, never>): ActiveSession | null => activeSession(db),

  /** Records activity on the session if it is still the active one. */
  'staff.touch': (db: Db, a: { sessionId: string; now: string }): boolean =>
    db.prepare(`UPDATE staff_sessions SET last_activity_at = max(last_activity_at, ?) WHERE id = ? AND ended_at IS NULL`).run(a.now, a.sessionId).changes === 1,

  'staff.endSession': (db: Db, a: { sessionId: string; now: string; reason: SessionEndReason }): EndedSession | null =>
    db.transaction(() => {
      const active = activeSession(db);
      if (!active || active.sessionId !== a.sessionId) return null;
      return endActive(db, a.now, a.reason);
    })(),

  /** Ends the active session with reason 'idle' if its last recorded activity is idleMs old. */
  'staff.lockIfIdle': (db: Db, a: { now: string; idleMs: number }): EndedSession | null =>
    db.transaction(() => {
      const active = activeSession(db);
      if (!active || Date.parse(a.now) - Date.parse(active.lastActivityAt) < a.idleMs) return null;
      return endActive(db, a.now, 'idle');
    })(),

  /** At start-up: a session left open by the previous run is closed, never resumed. */
  'staff.endInterrupted': (db: Db, a: { now: string }): EndedSession | null => db.transaction(() => endActive(db, a.now, 'restart'))(),
} satisfies Record<string, (db: Db, args: never) => unknown>;
