// Leaving the kiosk: only a signed-in administrator, only with their own secret entered again
// (under the sign-in lockout), recorded in the audit log; the browser shell has no kiosk to leave.
import { describe, expect, it } from 'vitest';
import { openTestCore, signInFirstAdmin, TEST_ADMIN } from '../../support/core.ts';

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('app.exitKiosk', () => {
  it('exits for the signed-in admin with their own PIN, once, and records it', async () => {
    let exits = 0;
    const core = await openTestCore({ onAdminExit: () => exits++ });
    await signInFirstAdmin(core);
    expect(await core.call('app.info', {})).toMatchObject({ ok: true, value: { canExitKiosk: true } });
    expect(await core.call('app.exitKiosk', { secret: TEST_ADMIN.pin })).toEqual({ ok: true, value: { exiting: true } });
    await waitFor(() => exits > 0);
    expect(exits).toBe(1);
    const log = await core.audit.list({ kind: 'kiosk.exit', limit: 5 });
    expect(log.entries).toEqual([expect.objectContaining({ actorName: TEST_ADMIN.name })]);
  });

  it('refuses a wrong PIN, counts it towards the lockout and does not exit', async () => {
    let exits = 0;
    const core = await openTestCore({ onAdminExit: () => exits++ });
    await signInFirstAdmin(core);
    for (let i = 0; i < 5; i++) expect(await core.call('app.exitKiosk', { secret: '000000' })).toMatchObject({ ok: false });
    // The account is now locked: even the right PIN is refused until the lockout ends.
    expect(await core.call('app.exitKiosk', { secret: TEST_ADMIN.pin })).toMatchObject({ ok: false, error: { code: 'staff.locked' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exits).toBe(0);
    expect((await core.audit.list({ kind: 'kiosk.exit', limit: 5 })).entries).toEqual([]);
  });

  it('refuses someone who is not an admin, and nobody at all', async () => {
    let exits = 0;
    const core = await openTestCore({ onAdminExit: () => exits++ });
    await signInFirstAdmin(core);
    const created = await core.call('staff.create', { name: 'Amy Author', role: 'author', credential: { kind: 'pin', secret: '582914' } });
    expect(created).toMatchObject({ ok: true });
    const amy = (created as { ok: true; value: { id: string } }).value.id;
    expect((await core.call('staff.signIn', { staffId: amy, secret: '582914' })).ok).toBe(true);
    expect(await core.call('app.exitKiosk', { secret: '582914' })).toMatchObject({ ok: false, error: { code: 'staff.forbidden' } });
    await core.call('staff.signOut', {});
    expect(await core.call('app.exitKiosk', { secret: '582914' })).toMatchObject({ ok: false, error: { code: 'staff.signed-out' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exits).toBe(0);
  });

  it('says plainly that the browser shell is not a kiosk', async () => {
    const core = await openTestCore();
    await signInFirstAdmin(core);
    expect(await core.call('app.info', {})).toMatchObject({ ok: true, value: { canExitKiosk: false } });
    expect(await core.call('app.exitKiosk', { secret: TEST_ADMIN.pin })).toMatchObject({ ok: false, error: { code: 'app.not-a-kiosk' } });
  });
});
