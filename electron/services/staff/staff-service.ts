// Who is at the kiosk: staff accounts, sign-in with lockout, the one active session and its idle
// lock, and the role check every other service makes before acting for someone. Every change is
// committed to the database first; the in-memory copy of the session only mirrors what is stored.
import { randomBytes, randomUUID } from 'node:crypto';
import { AirlockError, toErrorValue, type AirlockErrorValue } from '../../../common/errors.ts';
import type { Store } from '../store/store.ts';
import {
  assertStrongCredential,
  checkScryptParams,
  hashCredential,
  MAX_SECRET_CHARS,
  PRODUCTION_SCRYPT,
  scryptKdf,
  verifySecret,
  weakerThan,
  type Credential,
  type Kdf,
  type ScryptParams,
} from './credentials.ts';
import { can, isRole, type Role, type StaffAction } from './roles.ts';
import { staffErrors } from './staff-errors.ts';
import type { ActiveSession, EndedSession, SessionEndReason, SignInChoice, StaffSummary, StoredCredential } from './staff-repositories.ts';

export type { Credential, CredentialKind, Kdf, ScryptParams } from './credentials.ts';
export type { Role, StaffAction } from './roles.ts';
export type { SessionEndReason, SignInChoice, StaffSummary } from './staff-repositories.ts';

/** The signed-in person, as every other service attributes actions. */
export interface CurrentStaff {
  staffId: string;
  name: string;
  role: Role;
  sessionId: string;
}

export type StaffChange =
  | { kind: 'session.started'; session: CurrentStaff }
  | { kind: 'session.ended'; sessionId: string; staffId: string; reason: Exclude<SessionEndReason, 'idle'> }
  /** Ended for inactivity: the screens show the locked screen. */
  | { kind: 'session.locked'; sessionId: string; staffId: string }
  /** An account was created or changed; lists on screen are stale. */
  | { kind: 'accounts.changed'; staffId: string }
  /** For the audit log only (the screens already have the error): who was tried, and why it failed. */
  | { kind: 'sign-in.refused'; staffId: string; knownAccount: boolean; code: 'staff.wrong-credential' | 'staff.locked'; lockedUntil: string | null };

export interface SignInPolicy {
  /** Wrong attempts in a row before the account locks. */
  maxAttempts: number;
  /** How long a lockout lasts. */
  lockMinutes: number;
  /** Minutes without activity before the session locks (the policy's idleLockMinutes). */
  idleLockMinutes: number;
}

export const DEFAULT_SIGN_IN_POLICY: Readonly<SignInPolicy> = Object.freeze({ maxAttempts: 5, lockMinutes: 5, idleLockMinutes: 5 });

export interface StaffLog {
  warn(problem: AirlockErrorValue): void;
}

export interface StaffServiceDeps {
  store: Store;
  clock: { now(): Date };
  options?: Partial<SignInPolicy>;
  /** Tests pass a counting or cheaper KDF; the kiosk uses scrypt at PRODUCTION_SCRYPT. */
  credentials?: { kdf?: Kdf; params?: ScryptParams };
  log?: StaffLog;
}

const consoleLog: StaffLog = {
  warn: (p) => console.warn(`[staff] ${p.code}: ${p.message}${p.detail ? ` (${p.detail})` : ''}`),
};

const MAX_NAME_CHARS = 80;

/** Trims and tidies a display name; refuses invisible and control characters, which could disguise one person as another. */
export function cleanDisplayName(name: unknown): string {
  if (typeof name !== 'string') throw staffErrors.invalidName('Type the person\'s name.');
  const clean = name.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (clean.length === 0) throw staffErrors.invalidName('Type the person\'s name.');
  if ([...clean].length > MAX_NAME_CHARS) throw staffErrors.invalidName(`A name can have at most ${MAX_NAME_CHARS} characters.`);
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u.test(clean)) throw staffErrors.invalidName('A name cannot contain hidden or control characters. Type it again.');
  return clean;
}

function checkPolicy(options: Partial<SignInPolicy> | undefined): SignInPolicy {
  const merged = { ...DEFAULT_SIGN_IN_POLICY, ...options };
  const { maxAttempts, lockMinutes, idleLockMinutes } = merged;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || !(lockMinutes > 0) || !(idleLockMinutes > 0)) {
    throw new AirlockError('staff.policy', 'Airlock is set up with unusable sign-in settings. Ask IT to check the policy.', JSON.stringify(merged));
  }
  return { maxAttempts, lockMinutes, idleLockMinutes };
}

const toStored = (h: { kind: Credential['kind']; hash: Buffer; salt: Buffer; params: ScryptParams }): StoredCredential => ({
  kind: h.kind,
  hash: h.hash,
  salt: h.salt,
  n: h.params.N,
  r: h.params.r,
  p: h.params.p,
});

const toCurrent = (s: ActiveSession): CurrentStaff => ({ staffId: s.staffId, name: s.name, role: s.role, sessionId: s.sessionId });

export class StaffService {
  readonly #store: Store;
  readonly #clock: { now(): Date };
  readonly #policy: SignInPolicy;
  readonly #kdf: Kdf;
  readonly #params: ScryptParams;
  readonly #log: StaffLog;
  readonly #listeners = new Set<(change: StaffChange) => void>();
  /** Stands in for a real hash when the account does not exist, so that path costs the same. */
  readonly #decoy = { hash: randomBytes(32), salt: randomBytes(16) };
  #session: ActiveSession | null = null;

  constructor(deps: StaffServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#policy = checkPolicy(deps.options);
    this.#kdf = deps.credentials?.kdf ?? scryptKdf;
    this.#params = checkScryptParams(deps.credentials?.params ?? PRODUCTION_SCRYPT);
    this.#log = deps.log ?? consoleLog;
  }

  get policy(): Readonly<SignInPolicy> {
    return this.#policy;
  }

  /**
   * Call once before use. A session the previous run left open is ended ('restart'), never
   * resumed: after a crash or a forced quit the next person signs in again.
   */
  async start(): Promise<void> {
    const ended = await this.#store.call('staff.endInterrupted', { now: this.#nowIso() });
    this.#session = null;
    if (ended) this.#emit({ kind: 'session.ended', sessionId: ended.sessionId, staffId: ended.staffId, reason: 'restart' });
  }

  onDidChange(listener: (change: StaffChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ── first run ────────────────────────────────────────────────────────────

  /** True until the first admin exists; until then the only thing the kiosk offers is creating one. */
  needsFirstAdmin(): Promise<boolean> {
    return this.#store.call('staff.needsFirstAdmin', {});
  }

  /** Creates the first admin and signs them in. Refused once an admin exists. */
  async createFirstAdmin(args: { name: string; credential: Credential }): Promise<CurrentStaff> {
    const name = cleanDisplayName(args.name);
    assertStrongCredential(args.credential);
    if (!(await this.needsFirstAdmin())) throw staffErrors.firstAdminExists();
    const hashed = await hashCredential(args.credential, this.#kdf, this.#params);
    const now = this.#nowIso();
    const { session, replaced } = await this.#store.call('staff.createFirstAdmin', {
      account: { id: randomUUID(), name, role: 'admin', credential: toStored(hashed), createdAt: now },
      sessionId: randomUUID(),
    });
    this.#emit({ kind: 'accounts.changed', staffId: session.staffId });
    return this.#started(session, replaced);
  }

  // ── sign-in and the session ──────────────────────────────────────────────

  /** The accounts the sign-in screen offers (active only), with any lockout in force. */
  signInChoices(): Promise<SignInChoice[]> {
    return this.#store.call('staff.signInList', { now: this.#nowIso() });
  }

  /**
   * Checks a PIN or passphrase and starts a session, ending whoever had the kiosk. An unknown
   * or disabled account runs the same KDF against a decoy and gets the same refusal as a wrong
   * secret, so neither the answer nor its timing tells the two apart.
   */
  async signIn(staffId: string, secret: string): Promise<CurrentStaff> {
    if (typeof staffId !== 'string' || typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_CHARS) throw staffErrors.wrongCredential();
    const lock = { maxAttempts: this.#policy.maxAttempts, lockMs: this.#policy.lockMinutes * 60_000 };
    const begun = await this.#store.call('staff.beginSignIn', { staffId, now: this.#nowIso(), ...lock });
    if (begun.kind === 'locked') throw this.#refused(staffId, true, begun.lockedUntil);
    if (begun.kind === 'unknown') {
      await verifySecret(secret, { ...this.#decoy, params: this.#params }, this.#kdf);
      throw this.#refused(staffId, false, null);
    }
    const c = begun.credential;
    const stored = { hash: c.hash, salt: c.salt, params: { N: c.n, r: c.r, p: c.p, keyLength: c.hash.length } };
    if (!(await verifySecret(secret, stored, this.#kdf))) {
      const { lockedUntil } = await this.#store.call('staff.failSignIn', { staffId, now: this.#nowIso(), ...lock });
      throw this.#refused(staffId, true, lockedUntil);
    }
    // The kiosk asks for more work than this hash was made with: store a stronger one now,
    // while the secret is at hand, rather than forcing a reset.
    const rehash = weakerThan(stored.params, this.#params) ? toStored(await hashCredential({ kind: c.kind, secret }, this.#kdf, this.#params)) : null;
    const now = this.#nowIso();
    const finished = await this.#store.call('staff.completeSignIn', { staffId, checkedSalt: c.salt, sessionId: randomUUID(), now, rehash });
    if (finished.kind === 'locked') throw this.#refused(staffId, true, finished.lockedUntil);
    if (finished.kind === 'stale') throw this.#refused(staffId, true, null);
    return this.#started(finished.session, finished.replaced);
  }

  #refused(staffId: string, knownAccount: boolean, lockedUntil: string | null): AirlockError {
    const err = lockedUntil ? staffErrors.locked(lockedUntil, this.#nowIso()) : staffErrors.wrongCredential();
    this.#emit({ kind: 'sign-in.refused', staffId, knownAccount, code: err.code as 'staff.wrong-credential' | 'staff.locked', lockedUntil });
    return err;
  }

  /** The signed-in person, or null when nobody is, or when the session has idled out but not yet been locked. */
  current(): CurrentStaff | null {
    const session = this.#session;
    if (!session || this.#idleFor(session, this.#clock.now()) >= this.#idleMs) return null;
    return toCurrent(session);
  }

  /** When the current session will lock if nothing happens, for the shell's timer. */
  idleLockAt(): Date | null {
    return this.#session ? new Date(Date.parse(this.#session.lastActivityAt) + this.#idleMs) : null;
  }

  /**
   * Records activity. Each call is a database write, so the screens should send it at most
   * every few seconds. An idle session is locked, not revived; returns whether a session is live.
   */
  async touch(): Promise<boolean> {
    const session = this.#session;
    if (!session) return false;
    const now = this.#clock.now();
    if (await this.checkIdle(now)) return false;
    const nowIso = now.toISOString();
    if (!(await this.#store.call('staff.touch', { sessionId: session.sessionId, now: nowIso }))) {
      await this.#reload();
      return false;
    }
    if (this.#session?.sessionId === session.sessionId && nowIso > this.#session.lastActivityAt) this.#session = { ...this.#session, lastActivityAt: nowIso };
    return true;
  }

  /** Locks (ends with reason 'idle') a session inactive for the policy's idleLockMinutes. True if it did. */
  async checkIdle(now: Date = this.#clock.now()): Promise<boolean> {
    if (!this.#session || this.#idleFor(this.#session, now) < this.#idleMs) return false;
    const ended = await this.#store.call('staff.lockIfIdle', { now: now.toISOString(), idleMs: this.#idleMs });
    if (!ended) return false;
    this.#ended(ended);
    return true;
  }

  async signOut(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const ended = await this.#store.call('staff.endSession', { sessionId: session.sessionId, now: this.#nowIso(), reason: 'signed-out' });
    if (ended) this.#ended(ended);
    else await this.#reload();
  }

  /**
   * The signed-in person, if their role allows the action; otherwise a refusal naming who may.
   * Locks an idled-out session first, so nothing is done in the name of someone who walked away.
   */
  async authorize(action: StaffAction): Promise<CurrentStaff> {
    await this.checkIdle();
    const current = this.current();
    if (!current) throw staffErrors.signedOut();
    if (!can(current.role, action)) throw staffErrors.forbidden(action);
    return current;
  }

  // ── account management (admins) ──────────────────────────────────────────

  async listStaff(): Promise<StaffSummary[]> {
    const actor = await this.authorize('staff.manage');
    return this.#store.call('staff.list', { actorSessionId: actor.sessionId, now: this.#nowIso() });
  }

  async createStaff(args: { name: string; role: Role; credential: Credential }): Promise<StaffSummary> {
    const actor = await this.authorize('staff.manage');
    const name = cleanDisplayName(args.name);
    if (!isRole(args.role)) throw staffErrors.invalidRole();
    assertStrongCredential(args.credential);
    const hashed = await hashCredential(args.credential, this.#kdf, this.#params);
    const created = await this.#store.call('staff.create', {
      actorSessionId: actor.sessionId,
      account: { id: randomUUID(), name, role: args.role, credential: toStored(hashed), createdAt: this.#nowIso() },
    });
    this.#emit({ kind: 'accounts.changed', staffId: created.id });
    return created;
  }

  /** Disables an account (and ends its session if it has the kiosk). The last active admin cannot be disabled. */
  async disableStaff(staffId: string): Promise<StaffSummary> {
    const actor = await this.authorize('staff.manage');
    const { staff, ended } = await this.#store.call('staff.disable', { actorSessionId: actor.sessionId, staffId, now: this.#nowIso() });
    if (ended) this.#ended(ended);
    this.#emit({ kind: 'accounts.changed', staffId });
    return staff;
  }

  async enableStaff(staffId: string): Promise<StaffSummary> {
    const actor = await this.authorize('staff.manage');
    const staff = await this.#store.call('staff.enable', { actorSessionId: actor.sessionId, staffId, now: this.#nowIso() });
    this.#emit({ kind: 'accounts.changed', staffId });
    return staff;
  }

  /** Changes someone's role. The last active admin cannot be demoted, not even by themselves. */
  async setRole(staffId: string, role: Role): Promise<StaffSummary> {
    const actor = await this.authorize('staff.manage');
    if (!isRole(role)) throw staffErrors.invalidRole();
    const staff = await this.#store.call('staff.setRole', { actorSessionId: actor.sessionId, staffId, role, now: this.#nowIso() });
    if (staffId === actor.staffId) await this.#reload();
    this.#emit({ kind: 'accounts.changed', staffId });
    return staff;
  }

  /** Sets a new PIN or passphrase for someone who forgot theirs; this also lifts a lockout. */
  async resetCredential(staffId: string, credential: Credential): Promise<StaffSummary> {
    const actor = await this.authorize('staff.manage');
    assertStrongCredential(credential);
    const hashed = await hashCredential(credential, this.#kdf, this.#params);
    const staff = await this.#store.call('staff.setCredential', { actorSessionId: actor.sessionId, staffId, credential: toStored(hashed), now: this.#nowIso() });
    this.#emit({ kind: 'accounts.changed', staffId });
    return staff;
  }

  /** Lifts a lockout without changing the credential (the person remembered it). */
  async unlockStaff(staffId: string): Promise<StaffSummary> {
    const actor = await this.authorize('staff.manage');
    const staff = await this.#store.call('staff.unlock', { actorSessionId: actor.sessionId, staffId, now: this.#nowIso() });
    this.#emit({ kind: 'accounts.changed', staffId });
    return staff;
  }

  // ── internals ────────────────────────────────────────────────────────────

  get #idleMs(): number {
    return this.#policy.idleLockMinutes * 60_000;
  }

  #idleFor(session: ActiveSession, now: Date): number {
    return now.getTime() - Date.parse(session.lastActivityAt);
  }

  #nowIso(): string {
    return this.#clock.now().toISOString();
  }

  #started(session: ActiveSession, replaced: EndedSession | null): CurrentStaff {
    if (replaced) this.#emit({ kind: 'session.ended', sessionId: replaced.sessionId, staffId: replaced.staffId, reason: 'replaced' });
    this.#session = session;
    const current = toCurrent(session);
    this.#emit({ kind: 'session.started', session: current });
    return current;
  }

  #ended(ended: EndedSession): void {
    if (this.#session?.sessionId === ended.sessionId) this.#session = null;
    if (ended.reason === 'idle') this.#emit({ kind: 'session.locked', sessionId: ended.sessionId, staffId: ended.staffId });
    else this.#emit({ kind: 'session.ended', sessionId: ended.sessionId, staffId: ended.staffId, reason: ended.reason });
  }

  /** Re-reads the session from the database after a change this copy may not reflect. */
  async #reload(): Promise<void> {
    this.#session = await this.#store.call('staff.activeSession', {});
  }

  #emit(change: StaffChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (err) {
        // The change is already committed; a failing listener must not turn it into an error.
        this.#log.warn(new AirlockError('staff.listener-failed', 'A part of Airlock did not take note of a sign-in change.', toErrorValue(err).detail).toValue());
      }
    }
  }
}
