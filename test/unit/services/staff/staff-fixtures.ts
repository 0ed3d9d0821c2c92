// Builds a StaffService for a test: an in-memory (or given) store, a clock the test moves by
// hand, and a KDF that counts its calls and runs scrypt at a cost cheap enough for many cases.
import { scryptKdf, type Kdf, type ScryptParams } from '../../../../electron/services/staff/credentials.ts';
import { StaffService, type SignInPolicy, type StaffChange } from '../../../../electron/services/staff/staff-service.ts';
import { openInlineStore, type Store } from '../../../../electron/services/store/store.ts';

/** Cheap on purpose: the cost rules are proven separately against PRODUCTION_SCRYPT. */
export const TEST_SCRYPT: ScryptParams = { N: 16, r: 8, p: 1, keyLength: 32 };

export class ManualClock {
  #ms: number;
  constructor(iso = '2026-11-21T09:00:00.000Z') {
    this.#ms = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  advanceMinutes(minutes: number): void {
    this.advance(minutes * 60_000);
  }
}

export interface CountingKdf {
  kdf: Kdf;
  calls: ScryptParams[];
}

export function countingKdf(delayMs = 0): CountingKdf {
  const calls: ScryptParams[] = [];
  return {
    calls,
    kdf: async (secret, salt, params) => {
      calls.push({ ...params });
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return scryptKdf(secret, salt, params);
    },
  };
}

/**
 * A KDF whose calls wait until the test releases them, so a test can choose the order in which
 * parallel sign-in attempts finish checking their secrets.
 */
export function gatedKdf(): CountingKdf & { hold: boolean; waiting: { secret: string; release(): void }[]; until(n: number): Promise<void> } {
  const calls: ScryptParams[] = [];
  const waiting: { secret: string; release(): void }[] = [];
  const gate = {
    hold: false,
    calls,
    waiting,
    kdf: async (secret: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> => {
      calls.push({ ...params });
      if (gate.hold) await new Promise<void>((release) => waiting.push({ secret, release }));
      return scryptKdf(secret, salt, params);
    },
    until: async (n: number) => {
      while (waiting.length < n) await new Promise((r) => setTimeout(r, 1));
    },
  };
  return gate;
}

export interface StaffHarness {
  staff: StaffService;
  store: Store;
  clock: ManualClock;
  kdf: CountingKdf;
  changes: StaffChange[];
}

export async function openStaff(
  options: { store?: Store; clock?: ManualClock; policy?: Partial<SignInPolicy>; kdf?: CountingKdf; params?: ScryptParams } = {},
): Promise<StaffHarness> {
  const store = options.store ?? openInlineStore(':memory:');
  const clock = options.clock ?? new ManualClock();
  const kdf = options.kdf ?? countingKdf();
  const staff = new StaffService({ store, clock, options: options.policy, credentials: { kdf: kdf.kdf, params: options.params ?? TEST_SCRYPT } });
  const changes: StaffChange[] = [];
  staff.onDidChange((c) => changes.push(c));
  await staff.start();
  return { staff, store, clock, kdf, changes };
}

export const ADMIN_PIN = '480264';
export const AUTHOR_PASSPHRASE = 'harbour lights at dusk';
export const APPROVER_PIN = '739105';

/** A kiosk past first run: an admin (signed out), an author and an approver. */
export async function seeded(options: Parameters<typeof openStaff>[0] = {}) {
  const h = await openStaff(options);
  const admin = await h.staff.createFirstAdmin({ name: 'Ada Admin', credential: { kind: 'pin', secret: ADMIN_PIN } });
  const author = await h.staff.createStaff({ name: 'Aino Author', role: 'author', credential: { kind: 'passphrase', secret: AUTHOR_PASSPHRASE } });
  const approver = await h.staff.createStaff({ name: 'Peeter Approver', role: 'approver', credential: { kind: 'pin', secret: APPROVER_PIN } });
  await h.staff.signOut();
  h.changes.length = 0;
  h.kdf.calls.length = 0;
  return { ...h, ids: { admin: admin.staffId, author: author.id, approver: approver.id } };
}

/** The error a promise rejects with, so a test can look at its code and message. */
export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string; detail?: string }> {
  return p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: unknown) => err as { code: string; message: string; detail?: string },
  );
}
