// Brings the kiosk screen back after the renderer or the GPU process dies, within a budget:
// a few restarts a minute, then a static error page, so a crash loop cannot spin forever or
// leave staff in front of a blank window without a word.
import type { App, WebContents } from 'electron';
import type { KioskEvent } from './kiosk.ts';

/** Allows `limit` restarts in any `windowMs`; the next crash inside that window gives up. */
export class RestartBudget {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #restarts: number[] = [];

  constructor(options: { limit?: number; windowMs?: number; now?: () => number } = {}) {
    this.#limit = options.limit ?? 3;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one restart if the budget allows it. */
  tryRestart(): boolean {
    const now = this.#now();
    this.#restarts = this.#restarts.filter((at) => now - at < this.#windowMs);
    if (this.#restarts.length >= this.#limit) return false;
    this.#restarts.push(now);
    return true;
  }
}

const CRASH_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Airlock needs a restart</title></head>
<body style="font-family: system-ui, sans-serif; background: #f6f7f9; color: #1d2330; margin: 0; display: grid; place-items: center; height: 100vh">
<main style="max-width: 36rem; padding: 2rem">
<h1 style="font-size: 1.6rem">Airlock's screen stopped working several times in a row</h1>
<p>It has stopped restarting itself so it does not keep failing. Work that was saved, and posts already queued, are kept.</p>
<p>Ask IT to restart this kiosk. The details are in the audit log (kiosk.gave-up).</p>
</main></body></html>`;

/**
 * A fixed page with no script and its own CSP. It is a data: URL because it must show even
 * when the app's own pages are what keeps crashing; the session guard admits exactly this URL
 * as a top-level page and refuses every other data: URL.
 */
export const CRASH_PAGE_URL = `data:text/html;charset=utf-8,${encodeURIComponent(CRASH_PAGE_HTML)}`;

export interface CrashRecoveryOptions {
  app: Pick<App, 'on'>;
  contents: Pick<WebContents, 'on' | 'isDestroyed'>;
  /** Loads Airlock's page again. */
  reload: () => Promise<void>;
  /** Loads CRASH_PAGE_URL. */
  showErrorPage: () => Promise<void>;
  log: (event: KioskEvent) => void;
  budget?: RestartBudget;
}

/** Watches one window's renderer and the GPU process; recovers the window when either dies. */
export function recoverFromCrashes(options: CrashRecoveryOptions): void {
  const budget = options.budget ?? new RestartBudget();
  let gaveUp = false;
  const failed = (step: string) => (err: unknown) =>
    options.log({ kind: 'kiosk.recovery-failed', details: { step, why: err instanceof Error ? err.message : String(err) } });

  const recover = (process: 'renderer' | 'gpu', reason: string, exitCode: number): void => {
    if (options.contents.isDestroyed()) return;
    if (gaveUp) {
      // The error page is already up (or could not be shown); loading it again could loop too.
      options.log({ kind: 'kiosk.process-gone', details: { process, reason, exitCode, action: 'none' } });
      return;
    }
    if (budget.tryRestart()) {
      options.log({ kind: 'kiosk.process-gone', details: { process, reason, exitCode, action: 'reload' } });
      void options.reload().catch(failed('reload'));
      return;
    }
    gaveUp = true;
    options.log({ kind: 'kiosk.gave-up', details: { process, reason, exitCode, action: 'error-page' } });
    void options.showErrorPage().catch(failed('error-page'));
  };

  options.contents.on('render-process-gone', (_event, details) => recover('renderer', details.reason, details.exitCode));
  options.app.on('child-process-gone', (_event, details) => {
    // A clean GPU exit is Chromium shutting it down (at quit); there is nothing to recover.
    if (details.type === 'GPU' && details.reason !== 'clean-exit') recover('gpu', details.reason, details.exitCode);
  });
}
