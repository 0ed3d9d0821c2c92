// Progress of one import for the progress bar: bytes copied off the stick, items cleaned, and
// a time-left estimate from the copy rate so far. Updates are throttled to a few per second.
import type { AcceptedFile } from '../ingest/index.ts';

export type ImportPhase = 'copying' | 'sanitising' | 'committing' | 'done';

export interface ImportProgress {
  sessionId: string;
  phase: ImportPhase;
  bytesDone: number;
  bytesTotal: number;
  itemsDone: number;
  itemsTotal: number;
  /** Seconds left, or null while there is not enough to estimate from. */
  etaSeconds: number | null;
  currentPath: string | null;
}

const MIN_INTERVAL_MS = 200;

export function trackImportProgress(sessionId: string, files: readonly AcceptedFile[], now: () => Date, emit: ((p: ImportProgress) => void) | undefined) {
  const bytesTotal = files.reduce((n, f) => n + f.bytes, 0);
  const itemsTotal = files.filter((f) => f.kind === 'image' || f.kind === 'video').length;
  const started = now().getTime();
  let bytesBefore = 0;
  let state: ImportProgress = { sessionId, phase: 'copying', bytesDone: 0, bytesTotal, itemsDone: 0, itemsTotal, etaSeconds: null, currentPath: null };
  let lastEmit = 0;

  const publish = (force: boolean) => {
    if (!emit) return;
    const t = now().getTime();
    if (!force && t - lastEmit < MIN_INTERVAL_MS) return;
    lastEmit = t;
    emit({ ...state });
  };

  const estimate = (): number | null => {
    const elapsed = (now().getTime() - started) / 1000;
    if (elapsed < 0.5 || state.bytesDone === 0) return null;
    const rate = state.bytesDone / elapsed;
    // Cleaning takes roughly as long again as copying for video, far less for photos.
    return Math.max(0, Math.round((bytesTotal - state.bytesDone) / rate + (itemsTotal - state.itemsDone) * 0.3));
  };

  return {
    copying(file: AcceptedFile, fileBytes: number) {
      state = { ...state, phase: 'copying', currentPath: file.path, bytesDone: bytesBefore + fileBytes };
      state.etaSeconds = estimate();
      publish(false);
    },
    copied(file: AcceptedFile) {
      bytesBefore += file.bytes;
      state = { ...state, bytesDone: bytesBefore, currentPath: file.path };
      publish(false);
    },
    sanitised(file: AcceptedFile) {
      state = { ...state, phase: 'sanitising', itemsDone: state.itemsDone + 1, currentPath: file.path };
      state.etaSeconds = estimate();
      publish(true);
    },
    committing() {
      state = { ...state, phase: 'committing', currentPath: null, etaSeconds: 0 };
      publish(true);
    },
    done() {
      state = { ...state, phase: 'done', currentPath: null, etaSeconds: 0, bytesDone: bytesTotal, itemsDone: itemsTotal };
      publish(true);
    },
  };
}
