// The queue screen with 10,000 posts, for `npm run bench`: the posts are created through the
// real services in a fresh data folder, the browser shell serves them, and Debian's Chromium
// opens the app. Each run loads the app afresh (nothing cached in the page), then times, inside
// the page, from the click on "Posts" to the first frame painted after the first list row with
// its post is in the page. The same is timed for the Home screen as a reference from the same
// run. There is no outside program doing the same work, so the figure is the median time ÷ the
// 300 ms goal, with the reference and every sample in the details.
//
// `npm run bench -- --only queue-render`; BENCH_POSTS (default 10000) sets how many posts.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openCore } from '../../electron/services/core.ts';
import { startBrowserShell } from '../../electron/host/server.ts';
import { PolicySchema, type LoadedPolicy } from '../../electron/services/policy/policy.ts';
import { launchChromium } from '../support/chromium.ts';
import { seedDrafts } from '../support/seed-posts.ts';
import type { Figure } from './measure.ts';
import { median, seconds, timed } from './measure.ts';

const POSTS = Number(process.env.BENCH_POSTS ?? '10000');
const RUNS = 7;
const GOAL_MS = 300;
const ADMIN = { name: 'Bench Admin', pin: '493817' };

const policy: LoadedPolicy = {
  policy: PolicySchema.parse({ policyVersion: 1, platforms: ['mastodon'], approval: { twoPerson: false } }),
  source: 'built-in defaults',
  path: null,
};

/**
 * Clicks the navigation button named `screen` and resolves, in the page, with the milliseconds
 * until the frame after `ready` matches something: requestAnimationFrame runs just before a
 * paint, and a task queued from it runs just after.
 */
function timeScreen(page: Page, screen: string, ready: string): Promise<number> {
  return page.evaluate(
    ({ screen, ready }) =>
      new Promise<number>((resolve, reject) => {
        const button = [...document.querySelectorAll<HTMLButtonElement>('nav button')].find((b) => b.textContent?.trim() === screen);
        if (!button) return reject(new Error(`no ${screen} button`));
        const start = performance.now();
        const painted = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
        if (document.querySelector(ready)) return reject(new Error(`${ready} is already in the page`));
        const observer = new MutationObserver(() => {
          if (!document.querySelector(ready)) return;
          observer.disconnect();
          painted();
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        button.click();
      }),
    { screen, ready },
  );
}

export async function measureQueueRender(parent = tmpdir()): Promise<Figure[]> {
  const dir = await mkdtemp(join(parent, 'airlock-bench-queue-'));
  const core = await openCore({ shell: 'browser', version: '0.0.0-bench', policy, dataDir: join(dir, 'data'), systemMediaRoots: false, publisherIntervalMs: null });
  try {
    const created = await core.call('staff.createFirstAdmin', { name: ADMIN.name, credential: { kind: 'pin', secret: ADMIN.pin } });
    if (!created.ok) throw new Error(created.error.message);
    const seeding = await timed(() => seedDrafts(core, POSTS));
    const shell = await startBrowserShell({ core });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.setDefaultTimeout(30_000);
      const queue: number[] = [];
      const home: number[] = [];
      // The first run warms Chromium's caches and the services' statements; it is not counted.
      for (let run = 0; run <= RUNS; run++) {
        await page.goto(shell.url);
        await page.getByText(`${ADMIN.name} · administrator`).waitFor();
        const queueMs = await timeScreen(page, 'Posts', '[data-testid="post-row"]:not([aria-busy]) .post-row__open');
        const rows = await page.locator('[data-testid="post-row"]').count();
        if (rows === 0 || rows > 60) throw new Error(`the queue drew ${rows} rows for ${POSTS} posts`);
        const homeMs = await timeScreen(page, 'Home', '#home-title');
        if (run === 0) continue;
        queue.push(queueMs);
        home.push(homeMs);
      }
      const samples = queue.map((ms) => ms.toFixed(0)).join(',');
      return [
        {
          name: 'queue-render-10k',
          details: `posts=${POSTS} first-rows=${median(queue).toFixed(0)}ms (samples ${samples}ms; home screen ref=${median(home).toFixed(0)}ms; seeded in ${seconds(seeding.ms)}) goal=${GOAL_MS}ms`,
          ratio: median(queue) / GOAL_MS,
          goal: 1,
        },
      ];
    } finally {
      await browser.close();
      await shell.close();
    }
  } finally {
    await core.close();
    await rm(dir, { recursive: true, force: true });
  }
}

