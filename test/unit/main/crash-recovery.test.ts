import { describe, expect, it } from 'vitest';
import { CRASH_PAGE_URL, recoverFromCrashes, RestartBudget } from '../../../electron/main/crash-recovery.ts';
import type { KioskEvent } from '../../../electron/main/kiosk.ts';
import { AppStandIn, WebContentsStandIn } from '../../support/electron-stand-in.ts';

describe('RestartBudget', () => {
  it('allows three restarts within a minute and refuses the fourth', () => {
    let now = 0;
    const budget = new RestartBudget({ limit: 3, windowMs: 60_000, now: () => now });
    expect([budget.tryRestart(), budget.tryRestart(), budget.tryRestart()]).toEqual([true, true, true]);
    now = 59_999;
    expect(budget.tryRestart()).toBe(false);
  });

  it('forgets restarts older than the window', () => {
    let now = 0;
    const budget = new RestartBudget({ now: () => now });
    for (const at of [0, 30_000, 59_000]) {
      now = at;
      expect(budget.tryRestart()).toBe(true);
    }
    now = 60_000;
    expect(budget.tryRestart()).toBe(true);
    now = 60_500;
    expect(budget.tryRestart()).toBe(false);
  });
});

function setUp() {
  const app = new AppStandIn();
  const contents = new WebContentsStandIn();
  const events: KioskEvent[] = [];
  const loads: string[] = [];
  let now = 0;
  recoverFromCrashes({
    app: app.asApp(),
    contents: contents.asWebContents(),
    reload: async () => {
      loads.push('app');
    },
    showErrorPage: async () => {
      loads.push('error-page');
    },
    log: (e) => events.push(e),
    budget: new RestartBudget({ now: () => now }),
  });
  const rendererGone = (reason = 'crashed') => contents.emit('render-process-gone', {}, { reason, exitCode: 139 });
  const gpuGone = (reason = 'crashed') => app.emit('child-process-gone', {}, { type: 'GPU', reason, exitCode: 1 });
  return { app, contents, events, loads, rendererGone, gpuGone, at: (ms: number) => (now = ms) };
}

describe('recoverFromCrashes', () => {
  it('reloads the window after a renderer crash and logs it', () => {
    const { loads, events, rendererGone } = setUp();
    rendererGone('oom');
    expect(loads).toEqual(['app']);
    expect(events).toEqual([{ kind: 'kiosk.process-gone', details: { process: 'renderer', reason: 'oom', exitCode: 139, action: 'reload' } }]);
  });

  it('reloads after a GPU crash, but not when the GPU process exits cleanly at quit', () => {
    const { loads, gpuGone, app } = setUp();
    gpuGone('clean-exit');
    expect(loads).toEqual([]);
    app.emit('child-process-gone', {}, { type: 'Utility', reason: 'crashed', exitCode: 1, name: 'Audio Service' });
    expect(loads).toEqual([]);
    gpuGone('crashed');
    expect(loads).toEqual(['app']);
  });

  it('shows the error page on the fourth crash within a minute, then stops trying', () => {
    const { loads, events, rendererGone, gpuGone, at } = setUp();
    rendererGone();
    at(10_000);
    gpuGone();
    at(20_000);
    rendererGone();
    at(30_000);
    rendererGone();
    expect(loads).toEqual(['app', 'app', 'app', 'error-page']);
    expect(events.map((e) => e.kind)).toEqual(['kiosk.process-gone', 'kiosk.process-gone', 'kiosk.process-gone', 'kiosk.gave-up']);
    at(500_000);
    rendererGone();
    expect(loads).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({ kind: 'kiosk.process-gone', details: { action: 'none' } });
  });

  it('gives up on a steady crash loop, but keeps restarting when crashes are far enough apart', () => {
    const { loads, rendererGone, at } = setUp();
    for (let i = 0; i < 10; i++) {
      at(i * 15_000);
      rendererGone();
    }
    expect(loads).toEqual(['app', 'app', 'app', 'error-page']);
    const spaced = setUp();
    for (let i = 0; i < 10; i++) {
      spaced.at(i * 61_000);
      spaced.rendererGone();
    }
    expect(spaced.loads).toEqual(Array(10).fill('app'));
  });

  it('does nothing for a window that is already gone', () => {
    const { contents, loads, rendererGone } = setUp();
    contents.destroyed = true;
    rendererGone();
    expect(loads).toEqual([]);
  });

  it('logs a reload that fails instead of leaving it unhandled', async () => {
    const app = new AppStandIn();
    const contents = new WebContentsStandIn();
    const events: KioskEvent[] = [];
    recoverFromCrashes({ app: app.asApp(), contents: contents.asWebContents(), reload: () => Promise.reject(new Error('ERR_FAILED')), showErrorPage: async () => {}, log: (e) => events.push(e) });
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.at(-1)).toEqual({ kind: 'kiosk.recovery-failed', details: { step: 'reload', why: 'ERR_FAILED' } });
  });
});

describe('the crash page', () => {
  it('is a static page with no script, under a CSP that allows none', () => {
    expect(CRASH_PAGE_URL.startsWith('data:text/html;charset=utf-8,')).toBe(true);
    const html = decodeURIComponent(CRASH_PAGE_URL.slice(CRASH_PAGE_URL.indexOf(',') + 1));
    expect(html).not.toMatch(/<script|javascript:|\son[a-z]+\s*=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toContain('Ask IT to restart this kiosk');
  });
});
