// Training mode's own state: the virtual sticks and whether each is inserted, the demo account,
// the made-up staff, and the reset. Kept current from the event stream; a reset reloads the
// page so every screen starts again from the fresh core the shell swapped in.
import { create } from 'zustand';
import type { TrainingStatus } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { ApiError, call, subscribe } from '../api/client.ts';

/** If the shell's "reset done" event never arrives, reload anyway after this long. */
const RESET_FALLBACK_MS = 10_000;

interface TrainingState {
  status: TrainingStatus | null;
  error: AirlockErrorValue | null;
  /** Whether the training bar shows its sticks; the tour opens it when a step needs them. */
  expanded: boolean;
  /** The stick being inserted or removed, so its button can say so. */
  busyStick: string | null;
  resetting: boolean;
  load(): Promise<void>;
  setExpanded(expanded: boolean): void;
  toggleStick(stickId: string): Promise<void>;
  reset(): Promise<boolean>;
  listen(): () => void;
}

const asError = (err: unknown): AirlockErrorValue =>
  err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: 'The training tools could not do that.', detail: String(err) };

export const useTrainingStore = create<TrainingState>((set, get) => ({
  status: null,
  error: null,
  expanded: true,
  busyStick: null,
  resetting: false,

  load: async () => {
    try {
      set({ status: await call('training.status', {}), error: null });
    } catch (err) {
      set({ error: asError(err) });
    }
  },

  setExpanded: (expanded) => set({ expanded }),

  toggleStick: async (stickId) => {
    const stick = get().status?.sticks.find((s) => s.stickId === stickId);
    if (!stick) return;
    set({ busyStick: stickId, error: null });
    try {
      if (stick.inserted) await call('training.removeStick', { stickId });
      else await call('training.insertStick', { stickId });
    } catch (err) {
      set({ error: asError(err) });
    } finally {
      set({ busyStick: null });
      await get().load();
    }
  },

  reset: async () => {
    set({ resetting: true, error: null });
    try {
      await call('training.reset', {});
      setTimeout(() => window.location.reload(), RESET_FALLBACK_MS);
      return true;
    } catch (err) {
      set({ resetting: false, error: asError(err) });
      return false;
    }
  },

  listen: () =>
    subscribe((event) => {
      if (event.name === 'training.reset') window.location.reload();
      // Sticks also come and go from the Import screen (Eject), so the bar follows the core.
      else if (event.name === 'media.inserted' || event.name === 'media.removed') void get().load();
    }),
}));
