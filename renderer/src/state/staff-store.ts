// Who is signed in at the kiosk, kept current from the event stream; nothing in Airlock is
// shown or done without a signed-in person.
import { create } from 'zustand';
import type { StaffStatus } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { ApiError, call, subscribe } from '../api/client.ts';
import { t } from '../i18n/index.ts';

interface StaffState {
  status: StaffStatus | null;
  error: AirlockErrorValue | null;
  /** True when the last session ended for inactivity, so the screen says why it is locked. */
  lockedForIdle: boolean;
  load(): Promise<void>;
  signIn(staffId: string, secret: string): Promise<boolean>;
  createFirstAdmin(name: string, kind: 'pin' | 'passphrase', secret: string): Promise<boolean>;
  signOut(): Promise<void>;
  touch(): void;
  listen(): () => void;
}

const asError = (err: unknown): AirlockErrorValue =>
  err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: t('errors.renderer.unexpected'), detail: String(err) };

let lastTouch = 0;

export const useStaffStore = create<StaffState>((set, get) => ({
  status: null,
  error: null,
  lockedForIdle: false,
  load: async () => {
    try {
      set({ status: await call('staff.status', {}) });
    } catch (err) {
      set({ error: asError(err) });
    }
  },
  signIn: async (staffId, secret) => {
    set({ error: null });
    try {
      await call('staff.signIn', { staffId, secret });
      set({ lockedForIdle: false });
      await get().load();
      return true;
    } catch (err) {
      set({ error: asError(err) });
      await get().load();
      return false;
    }
  },
  createFirstAdmin: async (name, kind, secret) => {
    set({ error: null });
    try {
      await call('staff.createFirstAdmin', { name, credential: { kind, secret } });
      await get().load();
      return true;
    } catch (err) {
      set({ error: asError(err) });
      return false;
    }
  },
  signOut: async () => {
    await call('staff.signOut', {}).catch(() => {});
    set({ lockedForIdle: false });
    await get().load();
  },
  touch: () => {
    const now = Date.now();
    if (now - lastTouch < 20_000 || !get().status?.current) return;
    lastTouch = now;
    void call('staff.touch', {}).then((r) => {
      if (!r.active) void get().load();
    });
  },
  listen: () =>
    subscribe((event) => {
      if (event.name !== 'staff.changed') return;
      if (event.payload.kind === 'session.locked') set({ lockedForIdle: true });
      void get().load();
    }),
}));
