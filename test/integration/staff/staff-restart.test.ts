// Staff sign-in against the real store worker and a database file, across restarts: a lockout
// and an open session are on disk, not in memory, and parallel attempts queue up in the worker.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRODUCTION_SCRYPT } from '../../../electron/services/staff/credentials.ts';
import { StaffService } from '../../../electron/services/staff/staff-service.ts';
import { openWorkerStore, type Store } from '../../../electron/services/store/store.ts';
import { ADMIN_PIN, APPROVER_PIN, countingKdf, ManualClock, openStaff, rejection, seeded } from '../../unit/services/staff/staff-fixtures.ts';

let file: string;
const stores: Store[] = [];
const open = async () => {
  const store = await openWorkerStore(file);
  stores.push(store);
  return store;
};

beforeEach(async () => {
  file = path.join(await mkdtemp(path.join(os.tmpdir(), 'airlock-staff-')), 'airlock.db');
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe('staff sign-in across restarts (store worker)', () => {
  it('keeps a lockout through a restart, and lifts it when its time is up', async () => {
    const clock = new ManualClock();
    const before = await seeded({ store: await open(), clock });
    for (let i = 0; i < 5; i += 1) await rejection(before.staff.signIn(before.ids.approver, '902718'));
    await before.store.close();

    clock.advanceMinutes(2);
    const after = await openStaff({ store: await open(), clock });
    expect(await rejection(after.staff.signIn(before.ids.approver, APPROVER_PIN))).toMatchObject({
      code: 'staff.locked',
      message: 'Too many wrong attempts. Try again in 3 minutes.',
    });
    expect(after.kdf.calls).toHaveLength(0);
    clock.advanceMinutes(3);
    expect(await after.staff.signIn(before.ids.approver, APPROVER_PIN)).toMatchObject({ staffId: before.ids.approver, role: 'approver' });
  });

  it('ends the session that was open when Airlock stopped, and records why', async () => {
    const clock = new ManualClock();
    const before = await seeded({ store: await open(), clock });
    const session = await before.staff.signIn(before.ids.admin, ADMIN_PIN);
    await before.store.close();

    const after = await openStaff({ store: await open(), clock });
    expect(after.staff.current()).toBeNull();
    expect(after.changes).toEqual([{ kind: 'session.ended', sessionId: session.sessionId, staffId: before.ids.admin, reason: 'restart' }]);
    expect(await after.store.call('staff.activeSession', {})).toBeNull();
  });

  it('serialises a burst of parallel guesses so no more than maxAttempts are checked', async () => {
    const h = await seeded({ store: await open(), kdf: countingKdf(2) });
    const burst = await Promise.allSettled([...Array.from({ length: 20 }, (_, i) => h.staff.signIn(h.ids.approver, String(500_000 + i * 7))), h.staff.signIn(h.ids.approver, APPROVER_PIN)]);
    expect(burst.every((r) => r.status === 'rejected')).toBe(true);
    expect(h.kdf.calls).toHaveLength(5);
    expect((await rejection(h.staff.signIn(h.ids.approver, APPROVER_PIN))).code).toBe('staff.locked');
    expect(h.staff.current()).toBeNull();
  });

  it('uses the memory-hard production cost for real accounts and for unknown ones alike', async () => {
    const store = await open();
    const kdf = countingKdf();
    const staff = new StaffService({ store, clock: new ManualClock(), credentials: { kdf: kdf.kdf } });
    await staff.start();
    const admin = await staff.createFirstAdmin({ name: 'Ada', credential: { kind: 'pin', secret: ADMIN_PIN } });
    await staff.signOut();
    expect(await staff.signIn(admin.staffId, ADMIN_PIN)).toMatchObject({ staffId: admin.staffId });
    await rejection(staff.signIn('nobody-at-all', ADMIN_PIN));
    expect(kdf.calls).toEqual([PRODUCTION_SCRYPT, PRODUCTION_SCRYPT, PRODUCTION_SCRYPT]);
  });
});
