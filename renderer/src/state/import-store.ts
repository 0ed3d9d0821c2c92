// The Import screen's state: sticks Airlock sees, the last scan of one, and the running
// import's progress and outcome, kept current from the event stream.
import { create } from 'zustand';
import type { ImportProgress, ScanView, VolumeSummary } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { ApiError, call, subscribe } from '../api/client.ts';
import { t } from '../i18n/index.ts';

export type ImportOutcome =
  | { ok: true; imported: number; posts: number; rejected: number; stickCleared: boolean | null; warnings: string[]; warningErrors?: AirlockErrorValue[] }
  | { ok: false; error: AirlockErrorValue };

interface ImportState {
  volumes: VolumeSummary[];
  volumesProblem: AirlockErrorValue | null;
  scanning: string | null;
  scan: ScanView | null;
  error: AirlockErrorValue | null;
  sessionId: string | null;
  progress: ImportProgress | null;
  outcome: ImportOutcome | null;
  refreshVolumes(): Promise<void>;
  scanVolume(volumeId: string): Promise<void>;
  startImport(volumeId: string, allowReplay?: boolean): Promise<void>;
  eject(volumeId: string): Promise<void>;
  reset(): void;
  listen(): () => void;
}

const asError = (err: unknown): AirlockErrorValue =>
  err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: t('errors.renderer.unexpected'), detail: String(err) };

export const useImportStore = create<ImportState>((set, get) => ({
  volumes: [],
  volumesProblem: null,
  scanning: null,
  scan: null,
  error: null,
  sessionId: null,
  progress: null,
  outcome: null,

  refreshVolumes: async () => {
    try {
      const { volumes, problem } = await call('media.volumes', {});
      const scan = get().scan;
      // A scan of a stick that has gone is no longer true.
      set({ volumes, volumesProblem: problem, scan: scan && volumes.some((v) => v.volumeId === scan.volumeId) ? scan : null });
    } catch (err) {
      set({ error: asError(err) });
    }
  },

  scanVolume: async (volumeId) => {
    set({ scanning: volumeId, scan: null, error: null, outcome: null, progress: null });
    try {
      const scan = await call('import.scan', { volumeId });
      set({ scan, scanning: null });
    } catch (err) {
      set({ error: asError(err), scanning: null });
    }
  },

  startImport: async (volumeId, allowReplay = false) => {
    set({ error: null, outcome: null, progress: null });
    try {
      const { sessionId } = await call('import.start', { volumeId, allowReplay });
      set({ sessionId });
    } catch (err) {
      set({ error: asError(err) });
    }
  },

  eject: async (volumeId) => {
    set({ error: null });
    try {
      await call('media.eject', { volumeId });
      set({ scan: get().scan?.volumeId === volumeId ? null : get().scan, outcome: null });
      await get().refreshVolumes();
    } catch (err) {
      set({ error: asError(err) });
    }
  },

  reset: () => set({ scan: null, error: null, outcome: null, progress: null, sessionId: null }),

  listen: () =>
    subscribe((event) => {
      if (event.name === 'media.inserted' || event.name === 'media.removed') void get().refreshVolumes();
      else if (event.name === 'import.progress' && event.payload.sessionId === get().sessionId) set({ progress: event.payload });
      else if (event.name === 'import.finished' && event.payload.sessionId === get().sessionId) {
        const p = event.payload;
        set({
          sessionId: null,
          outcome: p.ok
            ? { ok: true, imported: p.imported, posts: p.posts, rejected: p.rejected, stickCleared: p.stickCleared, warnings: p.warnings, warningErrors: p.warningErrors }
            : { ok: false, error: p.error ?? { code: 'ingest.failed', message: t('errors.ingest.failed') } },
        });
      }
    }),
}));
