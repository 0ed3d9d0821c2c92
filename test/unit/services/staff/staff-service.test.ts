import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { PRODUCTION_SCRYPT } from '../../../../electron/services/staff/credentials.ts';
import { cleanDisplayName, DEFAULT_SIGN_IN_POLICY, StaffService } from '../../../../electron/services/staff/staff-service.ts';
import { openInlineStore } from '../../../../electron/services/store/store.ts';
import { ADMIN_PIN, APPROVER_PIN, AUTHOR_PASSPHRASE, countingKdf, gatedKdf, ManualClock, openStaff, rejection, seeded, TEST_SCRYPT } from './staff-fixtures.ts';

const WRONG = '902718';

describe('first run', () => {
  it('offers only the creation of the first admin, who is then signed in', async () => {
    const { staff, changes } = await openStaff();
    expect(await staff.needsFirstAdmin()).toBe(true);
    expect(staff.current()).toBeNull();
    expect((await rejection(staff.listStaff())).code).toBe('staff.signed-out');
    expect((await rejection(staff.createStaff({ name: 'X', role: 'author', credential: { kind: 'pin', secret: '480264' } }))).code).toBe('staff.signed-out');

    const admin = await staff.createFirstAdmin({ name: '  Ada   Admin ', credential: { kind: 'pin', secret: ADMIN_PIN } });
    expect(admin).toMatchObject({ name: 'Ada Admin', role: 'admin' });
    expect(staff.current()).toEqual(admin);
    expect(await staff.needsFirstAdmin()).toBe(false);
    expect(changes.map((c) => c.kind)).toEqual(['accounts.changed', 'session.started']);
  });

  it('refuses a second first admin, even when two arrive at once', async () => {
    const { staff, store } = await openStaff();
    const results = await Promise.allSettled([
      staff.createFirstAdmin({ name: 'Ada', credential: { kind: 'pin', secret: ADMIN_PIN } }),
      staff.createFirstAdmin({ name: 'Eve', credential: { kind: 'pin', secret: APPROVER_PIN } }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'staff.first-admin-exists' });
    expect((await rejection(staff.createFirstAdmin({ name: 'Mallory', credential: { kind: 'pin', secret: '583920' } }))).code).toBe('staff.first-admin-exists');
    expect(await store.call('staff.signInList', { now: new Date().toISOString() })).toHaveLength(1);
  });

  it('refuses a weak first credential without creating anything', async () => {
    const { staff } = await openStaff();
    const err = await rejection(staff.createFirstAdmin({ name: 'Ada', credential: { kind: 'pin', secret: '123456' } }));
    expect(err.code).toBe('staff.weak-credential');
    expect(err.message).not.toContain('123456');
    expect(await staff.needsFirstAdmin()).toBe(true);
  });
});

describe('sign-in', () => {
  it('signs in with a PIN or a passphrase and says who is at the kiosk', async () => {
    const { staff, ids } = await seeded();
    const author = await staff.signIn(ids.author, AUTHOR_PASSPHRASE);
    expect(author).toEqual({ staffId: ids.author, name: 'Aino Author', role: 'author', sessionId: expect.any(String) });
    expect(staff.current()).toEqual(author);
    const approver = await staff.signIn(ids.approver, APPROVER_PIN);
    expect(staff.current()).toEqual(approver);
  });

  it('accepts a passphrase typed in another Unicode form', async () => {
    const { staff, clock } = await openStaff();
    const composed = 'crème brûlée for everyone';
    const admin = await staff.createFirstAdmin({ name: 'Ada', credential: { kind: 'passphrase', secret: composed } });
    await staff.signOut();
    clock.advance(1000);
    expect(await staff.signIn(admin.staffId, composed.normalize('NFD'))).toMatchObject({ staffId: admin.staffId });
  });

  it('refuses a wrong secret with a plain message that never repeats it', async () => {
    const { staff, ids } = await seeded();
    const err = await rejection(staff.signIn(ids.approver, WRONG));
    expect(err).toBeInstanceOf(AirlockError);
    expect(err.code).toBe('staff.wrong-credential');
    expect(JSON.stringify(err)).not.toContain(WRONG);
    expect(staff.current()).toBeNull();
  });

  it('answers an unknown or disabled account exactly like a wrong secret, after the same KDF work', async () => {
    const { staff, kdf, ids } = await seeded();
    await rejection(staff.signIn(ids.approver, WRONG));
    const known = kdf.calls.splice(0);
    const unknown = await rejection(staff.signIn('no-such-person', WRONG));
    const unknownCalls = kdf.calls.splice(0);

    await staff.signIn(ids.admin, ADMIN_PIN);
    await staff.disableStaff(ids.author);
    await staff.signOut();
    kdf.calls.length = 0;
    const disabled = await rejection(staff.signIn(ids.author, AUTHOR_PASSPHRASE));

    expect(known).toEqual([TEST_SCRYPT]);
    expect(unknownCalls).toEqual(known);
    expect(kdf.calls).toEqual(known);
    for (const err of [unknown, disabled]) expect({ code: err.code, message: err.message }).toEqual({ code: 'staff.wrong-credential', message: 'That PIN or passphrase is not right. Check it and try again.' });
  });

  it('reports each refused sign-in for the audit log, never with the secret', async () => {
    const { staff, ids, changes, clock } = await seeded({ policy: { maxAttempts: 2 } });
    await rejection(staff.signIn('no-such-person', WRONG));
    await rejection(staff.signIn(ids.approver, WRONG));
    await rejection(staff.signIn(ids.approver, WRONG));
    await rejection(staff.signIn(ids.approver, APPROVER_PIN));
    const lockedUntil = new Date(clock.now().getTime() + 5 * 60_000).toISOString();
    expect(changes).toEqual([
      { kind: 'sign-in.refused', staffId: 'no-such-person', knownAccount: false, code: 'staff.wrong-credential', lockedUntil: null },
      { kind: 'sign-in.refused', staffId: ids.approver, knownAccount: true, code: 'staff.wrong-credential', lockedUntil: null },
      { kind: 'sign-in.refused', staffId: ids.approver, knownAccount: true, code: 'staff.locked', lockedUntil },
      { kind: 'sign-in.refused', staffId: ids.approver, knownAccount: true, code: 'staff.locked', lockedUntil },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(new RegExp(`${WRONG}|${APPROVER_PIN}`));
  });

  it('ends the previous session when someone else signs in', async () => {
    const { staff, ids, changes, store } = await seeded();
    const first = await staff.signIn(ids.author, AUTHOR_PASSPHRASE);
    const second = await staff.signIn(ids.approver, APPROVER_PIN);
    expect(changes).toEqual([
      { kind: 'session.started', session: first },
      { kind: 'session.ended', sessionId: first.sessionId, staffId: ids.author, reason: 'replaced' },
      { kind: 'session.started', session: second },
    ]);
    expect(await store.call('staff.activeSession', {})).toMatchObject({ sessionId: second.sessionId });
  });

  it('signs out, and a second sign-out is harmless', async () => {
    const { staff, ids, changes } = await seeded();
    const s = await staff.signIn(ids.author, AUTHOR_PASSPHRASE);
    await staff.signOut();
    await staff.signOut();
    expect(staff.current()).toBeNull();
    expect(changes.at(-1)).toEqual({ kind: 'session.ended', sessionId: s.sessionId, staffId: ids.author, reason: 'signed-out' });
    expect(changes.filter((c) => c.kind === 'session.ended')).toHaveLength(1);
  });

  it('lists active accounts for the sign-in screen without any credential material', async () => {
    const { staff, ids } = await seeded();
    const choices = await staff.signInChoices();
    expect(choices.map((c) => c.name)).toEqual(['Aino Author', 'Ada Admin', 'Peeter Approver'].sort((a, b) => a.localeCompare(b)));
    expect(choices.find((c) => c.id === ids.author)).toEqual({ id: ids.author, name: 'Aino Author', credentialKind: 'passphrase', lockedUntil: null });
    await staff.signIn(ids.admin, ADMIN_PIN);
    const listed = await staff.listStaff();
    expect(Object.keys(listed[0]!).sort()).toEqual(['createdAt', 'createdBy', 'credentialKind', 'credentialSetAt', 'disabled', 'id', 'lockedUntil', 'name', 'role']);
    expect(listed.find((s) => s.id === ids.author)).toMatchObject({ createdBy: ids.admin, role: 'author', disabled: false });
  });

  it('raises an old, cheaper hash to the current cost at the next successful sign-in', async () => {
    const file = ':memory:';
    const store = openInlineStore(file);
    const cheap = await openStaff({ store, params: TEST_SCRYPT });
    const admin = await cheap.staff.createFirstAdmin({ name: 'Ada', credential: { kind: 'pin', secret: ADMIN_PIN } });
    await cheap.staff.signOut();

    const stronger = { ...TEST_SCRYPT, N: 64 };
    const kdf = countingKdf();
    const raised = new StaffService({ store, clock: cheap.clock, credentials: { kdf: kdf.kdf, params: stronger } });
    await raised.start();
    await raised.signIn(admin.staffId, ADMIN_PIN);
    expect(kdf.calls.map((c) => c.N)).toEqual([16, 64]);
    await raised.signOut();
    kdf.calls.length = 0;
    await raised.signIn(admin.staffId, ADMIN_PIN);
    expect(kdf.calls.map((c) => c.N)).toEqual([64]);
  });
});

describe('lockout', () => {
  it('locks after maxAttempts wrong secrets, says for how long, and refuses the right one meanwhile', async () => {
    const { staff, ids, clock, kdf } = await seeded();
    for (let i = 1; i < DEFAULT_SIGN_IN_POLICY.maxAttempts; i += 1) {
      expect((await rejection(staff.signIn(ids.approver, WRONG))).code).toBe('staff.wrong-credential');
      clock.advance(1000);
    }
    const fifth = await rejection(staff.signIn(ids.approver, WRONG));
    expect(fifth).toMatchObject({ code: 'staff.locked', message: 'Too many wrong attempts. Try again in 5 minutes.' });

    clock.advanceMinutes(1);
    const locked = await rejection(staff.signIn(ids.approver, APPROVER_PIN));
    expect(locked).toMatchObject({ code: 'staff.locked', message: 'Too many wrong attempts. Try again in 4 minutes.' });
    clock.advance(3 * 60_000 + 30_000);
    expect((await rejection(staff.signIn(ids.approver, APPROVER_PIN))).message).toBe('Too many wrong attempts. Try again in 1 minute.');
    // No secret is even checked while the lockout lasts.
    expect(kdf.calls).toHaveLength(5);
    expect((await staff.signInChoices()).find((c) => c.id === ids.approver)!.lockedUntil).not.toBeNull();

    clock.advance(30_000);
    expect(await staff.signIn(ids.approver, APPROVER_PIN)).toMatchObject({ staffId: ids.approver });
  });

  it('gives a fresh set of attempts after a lockout and after a success', async () => {
    const { staff, ids, clock } = await seeded({ policy: { maxAttempts: 2, lockMinutes: 1 } });
    await rejection(staff.signIn(ids.approver, WRONG));
    await staff.signIn(ids.approver, APPROVER_PIN);
    expect((await rejection(staff.signIn(ids.approver, WRONG))).code).toBe('staff.wrong-credential');
    expect((await rejection(staff.signIn(ids.approver, WRONG))).code).toBe('staff.locked');
    clock.advanceMinutes(1);
    expect((await rejection(staff.signIn(ids.approver, WRONG))).code).toBe('staff.wrong-credential');
    expect((await rejection(staff.signIn(ids.approver, WRONG))).message).toBe('Too many wrong attempts. Try again in 1 minute.');
  });

  it('locks one account without touching the others', async () => {
    const { staff, ids } = await seeded({ policy: { maxAttempts: 1 } });
    expect((await rejection(staff.signIn(ids.approver, WRONG))).code).toBe('staff.locked');
    expect(await staff.signIn(ids.author, AUTHOR_PASSPHRASE)).toMatchObject({ staffId: ids.author });
  });

  it('does not let a burst of parallel guesses check more than maxAttempts secrets', async () => {
    const { staff, ids, kdf } = await seeded({ kdf: countingKdf(5) });
    const guesses = Array.from({ length: 12 }, (_, i) => staff.signIn(ids.approver, String(902718 + i)));
    const results = await Promise.allSettled([...guesses, staff.signIn(ids.approver, APPROVER_PIN)]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(kdf.calls).toHaveLength(5);
    expect((await rejection(staff.signIn(ids.approver, APPROVER_PIN))).code).toBe('staff.locked');
    expect(staff.current()).toBeNull();
  });

  it('still lets the last allowed attempt succeed when a double tap sends it twice', async () => {
    const { staff, ids, kdf } = await seeded({ kdf: countingKdf(5) });
    for (let i = 0; i < 4; i += 1) await rejection(staff.signIn(ids.approver, WRONG));
    const [a, b] = await Promise.allSettled([staff.signIn(ids.approver, APPROVER_PIN), staff.signIn(ids.approver, APPROVER_PIN)]);
    expect(a.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'staff.locked' } });
    expect(kdf.calls).toHaveLength(5);
    expect(staff.current()).toMatchObject({ staffId: ids.approver });
  });

  it('refuses a right secret that was being checked while later wrong ones locked the account', async () => {
    const kdf = gatedKdf();
    const { staff, ids } = await seeded({ kdf, policy: { maxAttempts: 3 } });
    kdf.hold = true;
    const attempts = Promise.allSettled([staff.signIn(ids.approver, APPROVER_PIN), staff.signIn(ids.approver, WRONG), staff.signIn(ids.approver, WRONG)]);
    await kdf.until(3);
    // The wrong guesses finish first; the right one is still being checked when the lockout starts.
    for (const call of [...kdf.waiting].sort((a, b) => Number(a.secret === APPROVER_PIN) - Number(b.secret === APPROVER_PIN))) {
      call.release();
      await new Promise((r) => setTimeout(r, 20));
    }
    const results = await attempts;
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as AirlockError).code : 'signed-in'))).toEqual(['staff.locked', 'staff.locked', 'staff.locked']);
    expect(staff.current()).toBeNull();
  });

  it('recovers an account whose last attempt was cut short, once a lockout\'s length has passed', async () => {
    const { staff, ids, clock, store } = await seeded({ policy: { maxAttempts: 2 } });
    await rejection(staff.signIn(ids.approver, WRONG));
    // The second attempt is reserved but never finishes, as if Airlock died while checking it.
    await store.call('staff.beginSignIn', { staffId: ids.approver, now: clock.now().toISOString(), maxAttempts: 2, lockMs: 5 * 60_000 });
    expect((await rejection(staff.signIn(ids.approver, APPROVER_PIN))).code).toBe('staff.locked');
    clock.advanceMinutes(5);
    expect(await staff.signIn(ids.approver, APPROVER_PIN)).toMatchObject({ staffId: ids.approver });
  });

  it('lets an admin lift a lockout, by unlocking or by resetting the credential', async () => {
    const { staff, ids } = await seeded({ policy: { maxAttempts: 1 } });
    await rejection(staff.signIn(ids.approver, WRONG));
    await rejection(staff.signIn(ids.author, 'not the passphrase'));
    await staff.signIn(ids.admin, ADMIN_PIN);
    expect((await staff.listStaff()).filter((s) => s.lockedUntil !== null).map((s) => s.id).sort()).toEqual([ids.approver, ids.author].sort());
    await staff.unlockStaff(ids.approver);
    await staff.resetCredential(ids.author, { kind: 'pin', secret: '316497' });
    expect(await staff.signIn(ids.approver, APPROVER_PIN)).toMatchObject({ staffId: ids.approver });
    expect(await staff.signIn(ids.author, '316497')).toMatchObject({ staffId: ids.author });
    expect((await rejection(staff.signIn(ids.admin, AUTHOR_PASSPHRASE))).code).toBe('staff.locked');
  });
});

describe('account management', () => {
  it('lets only admins manage staff, with a refusal that names who can', async () => {
    const { staff, ids } = await seeded();
    await staff.signIn(ids.approver, APPROVER_PIN);
    const err = await rejection(staff.createStaff({ name: 'New', role: 'author', credential: { kind: 'pin', secret: '583920' } }));
    expect(err).toMatchObject({ code: 'staff.forbidden', message: 'Only admins can manage staff accounts.' });
    for (const attempt of [() => staff.listStaff(), () => staff.disableStaff(ids.author), () => staff.setRole(ids.approver, 'admin'), () => staff.resetCredential(ids.author, { kind: 'pin', secret: '583920' }), () => staff.unlockStaff(ids.author)]) {
      expect((await rejection(attempt())).code).toBe('staff.forbidden');
    }
  });

  it('never disables the last active admin', async () => {
    const { staff, ids } = await seeded();
    await staff.signIn(ids.admin, ADMIN_PIN);
    expect(await rejection(staff.disableStaff(ids.admin))).toMatchObject({ code: 'staff.last-admin', message: 'This is the last active admin. Make someone else an admin first.' });
    expect(staff.current()).toMatchObject({ staffId: ids.admin, role: 'admin' });
  });

  it('never lets the last admin demote themselves, but allows it once there is another', async () => {
    const { staff, ids, changes } = await seeded();
    await staff.signIn(ids.admin, ADMIN_PIN);
    expect((await rejection(staff.setRole(ids.admin, 'approver'))).code).toBe('staff.last-admin');
    expect(staff.current()?.role).toBe('admin');

    await staff.setRole(ids.approver, 'admin');
    await staff.setRole(ids.admin, 'approver');
    expect(staff.current()).toMatchObject({ staffId: ids.admin, role: 'approver' });
    expect(changes.filter((c) => c.kind === 'accounts.changed')).toHaveLength(2);
    // Now a plain approver, Ada can no longer manage anyone.
    expect((await rejection(staff.setRole(ids.admin, 'admin'))).code).toBe('staff.forbidden');
  });

  it('counts only active admins: a disabled admin does not keep the last one disposable', async () => {
    const { staff, ids } = await seeded();
    await staff.signIn(ids.admin, ADMIN_PIN);
    await staff.setRole(ids.approver, 'admin');
    await staff.disableStaff(ids.approver);
    expect((await rejection(staff.disableStaff(ids.admin))).code).toBe('staff.last-admin');
    expect((await rejection(staff.setRole(ids.admin, 'author'))).code).toBe('staff.last-admin');
    // Demoting the disabled admin is fine: it changes nobody's ability to manage the kiosk.
    expect(await staff.setRole(ids.approver, 'author')).toMatchObject({ role: 'author', disabled: true });
  });

  it('disabling someone ends their session, including an admin disabling themselves', async () => {
    const { staff, ids, changes } = await seeded();
    await staff.signIn(ids.admin, ADMIN_PIN);
    await staff.setRole(ids.approver, 'admin');
    const self = staff.current()!;
    await staff.disableStaff(ids.admin);
    expect(staff.current()).toBeNull();
    expect(changes).toContainEqual({ kind: 'session.ended', sessionId: self.sessionId, staffId: ids.admin, reason: 'disabled' });
    expect((await rejection(staff.signIn(ids.admin, ADMIN_PIN))).code).toBe('staff.wrong-credential');
    await staff.signIn(ids.approver, APPROVER_PIN);
    await staff.enableStaff(ids.admin);
    expect(await staff.signIn(ids.admin, ADMIN_PIN)).toMatchObject({ staffId: ids.admin });
  });

  it('refuses clashing, empty or disguised names, and unknown accounts and roles', async () => {
    const { staff, ids } = await seeded();
    await staff.signIn(ids.admin, ADMIN_PIN);
    const pin = { kind: 'pin' as const, secret: '583920' };
    expect((await rejection(staff.createStaff({ name: 'aino author', role: 'author', credential: pin }))).code).toBe('staff.name-taken');
    expect((await rejection(staff.createStaff({ name: '   ', role: 'author', credential: pin }))).code).toBe('staff.invalid-name');
    expect((await rejection(staff.createStaff({ name: 'Ada\u200BAdmin', role: 'author', credential: pin }))).code).toBe('staff.invalid-name');
    expect((await rejection(staff.createStaff({ name: 'Root', role: 'root' as never, credential: pin }))).code).toBe('staff.invalid-role');
    for (const attempt of [() => staff.disableStaff('nobody'), () => staff.enableStaff('nobody'), () => staff.setRole('nobody', 'author'), () => staff.resetCredential('nobody', pin), () => staff.unlockStaff('nobody')]) {
      expect((await rejection(attempt())).code).toBe('staff.not-found');
    }
    // A disabled person's name is free again, and re-enabling them then clashes.
    await staff.disableStaff(ids.author);
    await staff.createStaff({ name: 'Aino Author', role: 'author', credential: pin });
    expect((await rejection(staff.enableStaff(ids.author))).code).toBe('staff.name-taken');
  });

  it('tidies display names', () => {
    expect(cleanDisplayName('  Mari\t  Maasikas ')).toBe('Mari Maasikas');
    expect(cleanDisplayName('Jo\u0308rg')).toBe('Jörg');
    expect(() => cleanDisplayName('x'.repeat(81))).toThrow(/at most 80/);
    expect(() => cleanDisplayName('Eve\u202E')).toThrow(AirlockError);
  });

  it('changes nothing when a request is refused', async () => {
    const { staff, ids, clock } = await seeded();
    await staff.signIn(ids.admin, ADMIN_PIN);
    const before = await staff.listStaff();
    const refusals = [
      () => staff.createStaff({ name: 'Weak', role: 'author', credential: { kind: 'pin', secret: '111111' } }),
      () => staff.createStaff({ name: 'Aino Author', role: 'author', credential: { kind: 'pin', secret: '583920' } }),
      () => staff.disableStaff(ids.admin),
      () => staff.setRole(ids.admin, 'author'),
      () => staff.resetCredential(ids.author, { kind: 'passphrase', secret: 'short' }),
      () => staff.createFirstAdmin({ name: 'Another', credential: { kind: 'pin', secret: '583920' } }),
    ];
    for (const refuse of refusals) await rejection(refuse());
    clock.advance(1000);
    expect(await staff.listStaff()).toEqual(before);
    expect(await staff.signIn(ids.author, AUTHOR_PASSPHRASE)).toMatchObject({ staffId: ids.author });
  });
});

describe('sessions and the idle lock', () => {
  it('locks after idleLockMinutes without activity, and activity pushes the lock back', async () => {
    const { staff, ids, clock, changes, store } = await seeded({ policy: { idleLockMinutes: 3 } });
    const s = await staff.signIn(ids.author, AUTHOR_PASSPHRASE);
    expect(staff.idleLockAt()).toEqual(new Date(clock.now().getTime() + 3 * 60_000));
    clock.advanceMinutes(2);
    expect(await staff.touch()).toBe(true);
    clock.advanceMinutes(2);
    expect(await staff.checkIdle(clock.now())).toBe(false);
    expect(staff.current()).toEqual(s);
    clock.advanceMinutes(1);
    expect(await staff.checkIdle(clock.now())).toBe(true);
    expect(staff.current()).toBeNull();
    expect(changes.at(-1)).toEqual({ kind: 'session.locked', sessionId: s.sessionId, staffId: ids.author });
    expect(await store.call('staff.activeSession', {})).toBeNull();
    expect(await staff.checkIdle(clock.now())).toBe(false);
  });

  it('never attributes anything to a session that idled out before the lock was recorded', async () => {
    const { staff, ids, clock, changes } = await seeded({ policy: { idleLockMinutes: 1 } });
    await staff.signIn(ids.approver, APPROVER_PIN);
    clock.advanceMinutes(1);
    expect(staff.current()).toBeNull();
    expect((await rejection(staff.authorize('post.approve'))).code).toBe('staff.signed-out');
    expect(changes.at(-1)?.kind).toBe('session.locked');
    expect(await staff.touch()).toBe(false);
  });

  it('checks the role for each action', async () => {
    const { staff, ids } = await seeded();
    await staff.signIn(ids.author, AUTHOR_PASSPHRASE);
    expect(await staff.authorize('post.create')).toMatchObject({ staffId: ids.author });
    expect(await rejection(staff.authorize('post.approve'))).toMatchObject({ code: 'staff.forbidden', message: 'Only approvers and admins can approve posts.' });
    await staff.signIn(ids.approver, APPROVER_PIN);
    expect(await staff.authorize('post.approve')).toMatchObject({ staffId: ids.approver });
  });

  it('ends a session left open by a previous run instead of resuming it', async () => {
    const store = openInlineStore(':memory:');
    const first = await openStaff({ store });
    const admin = await first.staff.createFirstAdmin({ name: 'Ada', credential: { kind: 'pin', secret: ADMIN_PIN } });
    const second = await openStaff({ store, clock: first.clock });
    expect(second.staff.current()).toBeNull();
    expect(second.changes).toEqual([{ kind: 'session.ended', sessionId: admin.sessionId, staffId: admin.staffId, reason: 'restart' }]);
    expect(await store.call('staff.activeSession', {})).toBeNull();
  });

  it('keeps working when a listener throws', async () => {
    const warnings: unknown[] = [];
    const store = openInlineStore(':memory:');
    const staff = new StaffService({ store, clock: new ManualClock(), credentials: { kdf: countingKdf().kdf, params: TEST_SCRYPT }, log: { warn: (p) => warnings.push(p) } });
    staff.onDidChange(() => {
      throw new Error('window closed');
    });
    await staff.start();
    expect(await staff.createFirstAdmin({ name: 'Ada', credential: { kind: 'pin', secret: ADMIN_PIN } })).toMatchObject({ role: 'admin' });
    expect(warnings[0]).toMatchObject({ code: 'staff.listener-failed' });
  });
});

describe('configuration', () => {
  it('uses scrypt at N >= 2^15 unless told otherwise', () => {
    expect(PRODUCTION_SCRYPT.N).toBeGreaterThanOrEqual(2 ** 15);
    expect(PRODUCTION_SCRYPT).toMatchObject({ r: 8, p: 1, keyLength: 32 });
    expect(DEFAULT_SIGN_IN_POLICY).toEqual({ maxAttempts: 5, lockMinutes: 5, idleLockMinutes: 5 });
  });

  it('refuses unusable sign-in settings', () => {
    const store = openInlineStore(':memory:');
    const clock = new ManualClock();
    expect(() => new StaffService({ store, clock, options: { maxAttempts: 0 } })).toThrow(AirlockError);
    expect(() => new StaffService({ store, clock, options: { idleLockMinutes: -1 } })).toThrow(AirlockError);
    expect(() => new StaffService({ store, clock, credentials: { params: { N: 1000, r: 8, p: 1, keyLength: 32 } } })).toThrow(AirlockError);
  });
});
