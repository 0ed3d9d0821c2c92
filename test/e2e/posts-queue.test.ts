// The queue and calendar in Chromium through the browser shell, with the browser in the kiosk's
// time zone (Europe/Tallinn): week and month views with each scheduled post on its local day,
// moving between days with the keyboard, moving a post to the next day with Alt+→ or by dragging
// it, the list's
// move-earlier button swapping two posts' times, rescheduling through the dialog, cancelling
// after a confirmation, and a queue of 10,000 posts that keeps only a bounded number of rows in
// the page while staff scroll and jump to its end. Screenshots go to test/artifacts/.
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostView } from '../../common/contract.ts';
import { addDays, dayOf, moveToDay, weekDays, zonedToInstant } from '../../renderer/src/screens/posts/calendar-dates.ts';
import { artifactPath, launchChromium } from '../support/chromium.ts';
import { seedDrafts } from '../support/seed-posts.ts';
import { startTestShell, type TestShell } from '../support/shell.ts';

const ZONE = 'Europe/Tallinn';
const SEEDED = 10_000;
let t: TestShell;
let browser: Browser;
let page: Page;
const posts: Record<'open' | 'ferry' | 'library', PostView> = {} as never;

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: { message: string } };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

async function scheduled(caption: string, day: string, hour: number, minute: number): Promise<PostView> {
  let post = await ok<PostView>(t.core.call('posts.create', { caption, targets: ['mastodon'], media: [] }));
  post = await ok<PostView>(t.core.call('posts.submit', { id: post.id, version: post.version }));
  post = await ok<PostView>(t.core.call('posts.approve', { id: post.id, version: post.version }));
  return ok<PostView>(t.core.call('posts.schedule', { id: post.id, version: post.version, at: zonedToInstant(day, hour, minute, ZONE).toISOString() }));
}

const fresh = (post: PostView) => ok<PostView>(t.core.call('posts.get', { id: post.id }));

async function seriousA11yProblems(): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const today = dayOf(Date.now(), ZONE);
const tomorrow = addDays(today, 1);
const dayAfter = addDays(today, 2);

beforeAll(async () => {
  t = await startTestShell({
    policy: { policyVersion: 1, organisation: 'Harbour City Council', kioskName: 'Press office kiosk', platforms: ['mastodon'], approval: { twoPerson: false } },
  });
  posts.open = await scheduled('Harbour open day this Saturday', tomorrow, 9, 30);
  posts.ferry = await scheduled('Ferry timetable changes from Monday', tomorrow, 14, 0);
  posts.library = await scheduled('Library opening hours over the holidays', dayAfter, 10, 0);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(t.shell.url);
  await page.getByText('Ada Admin · administrator').waitFor();
  await page.getByRole('button', { name: 'Posts', exact: true }).click();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const dayCell = (day: string) => page.locator(`[role="gridcell"][data-day="${day}"]`);
const focusedDay = () => page.evaluate(() => document.activeElement?.getAttribute('data-day') ?? null);

/** Shows the week or month holding `day` (at most one step forward: the posts are days away). */
async function showPeriodOf(day: string): Promise<void> {
  await page.locator('[role="grid"]').waitFor();
  if ((await dayCell(day).count()) === 0) await page.getByRole('button', { name: /^Next (week|month)$/ }).click();
  await dayCell(day).waitFor();
}

describe('the queue as a calendar', () => {
  it('shows each scheduled post on its local day in the week view, with today marked in words', async () => {
    await page.getByRole('group', { name: 'Show the queue as' }).getByRole('button', { name: 'Week' }).click();
    const todayCell = dayCell(today);
    await todayCell.waitFor();
    expect(await todayCell.getAttribute('aria-current')).toBe('date');
    expect(await todayCell.textContent()).toContain('Today');
    await showPeriodOf(tomorrow);
    const cell = dayCell(tomorrow);
    await cell.getByRole('button', { name: /Harbour open day this Saturday/ }).waitFor();
    const item = await cell.getByRole('button', { name: /Harbour open day/ }).textContent();
    // The state is in words beside its icon, not colour alone, and the time is the local one.
    expect(item).toContain('Scheduled');
    expect(item).toContain('09:30');
    expect(await cell.getByRole('button', { name: /Ferry timetable/ }).count()).toBe(1);
    expect(await dayCell(dayAfter).getByRole('button', { name: /Library opening hours/ }).count()).toBe(1);
    await page.screenshot({ path: await artifactPath('calendar-week.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
  });

  it('moves between days with the arrow keys and opens a post with Enter', async () => {
    await dayCell(tomorrow).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(focusedDay).toBe(dayAfter);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(focusedDay).toBe(tomorrow);
    // Enter goes to the day's first post; Enter on it opens the post.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Harbour open day');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Harbour open day this Saturday' }).waitFor();
    await page.getByRole('button', { name: '← Back to posts' }).click();
    // The queue comes back in the view staff left it in.
    await dayCell(tomorrow).waitFor();
  });

  it('moves a scheduled post to the next day at the same time with Alt+→, keeping its approval', async () => {
    const before = await fresh(posts.open);
    await dayCell(tomorrow).getByRole('button', { name: /Harbour open day/ }).focus();
    await page.keyboard.press('Alt+ArrowRight');
    await page.getByTestId('queue-message').filter({ hasText: 'Harbour open day this Saturday” now goes out' }).waitFor();
    await dayCell(dayAfter).getByRole('button', { name: /Harbour open day/ }).waitFor();
    expect(await dayCell(tomorrow).getByRole('button', { name: /Harbour open day/ }).count()).toBe(0);
    const after = await fresh(posts.open);
    expect(after).toMatchObject({ state: 'scheduled', approvalValid: true, scheduleAt: moveToDay(before.scheduleAt!, dayAfter, ZONE) });
    // Focus stays on the post that moved, so it can be moved again.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-post-id'))).toBe(posts.open.id);
    const log = await ok<{ entries: { kind: string; actorName: string }[] }>(t.core.call('audit.list', { kind: 'post.rescheduled' }));
    expect(log.entries[0]).toMatchObject({ actorName: 'Ada Admin' });
  });

  it('moves a scheduled post to another day by dragging it with the mouse', async () => {
    const before = await fresh(posts.library);
    const target = weekDays(dayAfter).includes(addDays(dayAfter, 1)) ? addDays(dayAfter, 1) : tomorrow;
    await dayCell(dayAfter).getByRole('button', { name: /Library opening hours/ }).dragTo(dayCell(target));
    await dayCell(target).getByRole('button', { name: /Library opening hours/ }).waitFor();
    expect(await fresh(posts.library)).toMatchObject({ state: 'scheduled', approvalValid: true, scheduleAt: moveToDay(before.scheduleAt!, target, ZONE) });
    // Back where it was, for the list below.
    const moved = await fresh(posts.library);
    await ok(t.core.call('posts.reschedule', { id: moved.id, version: moved.version, at: before.scheduleAt! }));
    await dayCell(dayAfter).getByRole('button', { name: /Library opening hours/ }).waitFor();
  });

  it('refuses to move a post into the past and says why, changing nothing', async () => {
    const before = await fresh(posts.ferry);
    // Alt+↑ moves a post a week earlier: a week before tomorrow has passed.
    await dayCell(tomorrow).getByRole('button', { name: /Ferry timetable/ }).focus();
    await page.keyboard.press('Alt+ArrowUp');
    await page.getByTestId('queue-message').getByRole('alert').filter({ hasText: 'already passed' }).waitFor();
    expect(await fresh(posts.ferry)).toMatchObject({ version: before.version, scheduleAt: before.scheduleAt });
    await dayCell(tomorrow).getByRole('button', { name: /Ferry timetable/ }).waitFor();
  });

  it('shows the month with the posts on their days', async () => {
    await page.getByRole('group', { name: 'Show the queue as' }).getByRole('button', { name: 'Month' }).click();
    await showPeriodOf(dayAfter);
    await dayCell(dayAfter).getByRole('button', { name: /Library opening hours/ }).waitFor();
    expect(await page.getByRole('grid').getAttribute('aria-label')).toMatch(/^Calendar: /);
    // A focused scheduled post offers its actions below the calendar.
    await dayCell(dayAfter).getByRole('button', { name: /Library opening hours/ }).focus();
    const actions = page.getByTestId('calendar-actions');
    await actions.getByRole('button', { name: 'Reschedule “Library opening hours over the holidays”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reschedule this post' });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await actions.getByRole('button', { name: /^Cancel “Library opening hours/ }).count()).toBe(1);
    await page.screenshot({ path: await artifactPath('calendar-month.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
  });
});

describe('the queue as a list', () => {
  const rowCaptions = () => page.getByTestId('post-row').locator('.post-row__open').allTextContents();

  it('moves a post earlier by swapping times with the one before it', async () => {
    await page.getByRole('group', { name: 'Show the queue as' }).getByRole('button', { name: 'List' }).click();
    await page.getByRole('button', { name: /^Scheduled/ }).click();
    // Tomorrow 14:00 ferry, then the open day (now the day after, 09:30), then the library (10:00).
    await expect.poll(rowCaptions).toEqual(['Ferry timetable changes from Monday', 'Harbour open day this Saturday', 'Library opening hours over the holidays']);
    const [open, library] = [await fresh(posts.open), await fresh(posts.library)];
    await page.getByRole('button', { name: 'Move “Library opening hours over the holidays” earlier: swap its time with the post before it' }).click();
    await page.getByTestId('queue-message').filter({ hasText: 'have swapped times' }).waitFor();
    await expect.poll(rowCaptions).toEqual(['Ferry timetable changes from Monday', 'Library opening hours over the holidays', 'Harbour open day this Saturday']);
    expect((await fresh(posts.library)).scheduleAt).toBe(open.scheduleAt);
    expect((await fresh(posts.open)).scheduleAt).toBe(library.scheduleAt);
    // The first post has nobody before it.
    expect(await page.getByRole('button', { name: /^Move “Ferry timetable changes from Monday” earlier/ }).isDisabled()).toBe(true);
    await page.screenshot({ path: await artifactPath('queue-scheduled.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
  });

  it('reschedules a post through the date and time dialog', async () => {
    await page.getByRole('button', { name: 'Reschedule “Ferry timetable changes from Monday”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reschedule this post' });
    const target = addDays(today, 5);
    await dialog.getByLabel('Date').fill(target);
    await dialog.getByLabel('Time').fill('08:15');
    await dialog.getByRole('button', { name: /^Move to / }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('queue-message').filter({ hasText: 'now goes out' }).waitFor();
    expect((await fresh(posts.ferry)).scheduleAt).toBe(zonedToInstant(target, 8, 15, ZONE).toISOString());
  });

  it('cancels a post only after a confirmation', async () => {
    await page.getByRole('button', { name: 'Cancel “Harbour open day this Saturday”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this post?' });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await fresh(posts.open)).state).toBe('scheduled');
    await page.getByRole('button', { name: 'Cancel “Harbour open day this Saturday”' }).click();
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByTestId('queue-message').filter({ hasText: 'is cancelled' }).waitFor();
    expect((await fresh(posts.open)).state).toBe('cancelled');
    await expect.poll(rowCaptions).toEqual(['Library opening hours over the holidays', 'Ferry timetable changes from Monday']);
  });

  it('keeps a bounded number of rows in the page for 10,000 posts, while scrolling and jumping to the end', async () => {
    await seedDrafts(t.core, SEEDED);
    await page.getByRole('button', { name: /^All/ }).click();
    const table = page.getByRole('table', { name: 'Posts: All' });
    const total = SEEDED + 3;
    await expect.poll(() => table.getAttribute('aria-rowcount'), { timeout: 30_000 }).toBe(String(total));
    const rows = page.getByTestId('post-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBeLessThan(40);
    expect(await page.getByRole('button', { name: /^Drafts/ }).textContent()).toContain('10,000');

    // Scrolling to the middle reads that part of the queue and draws only those rows.
    const scroller = page.getByTestId('queue-scroller');
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await expect.poll(() => rows.first().getAttribute('aria-rowindex').then(Number)).toBeGreaterThan(4000);
    await expect.poll(() => page.locator('[data-testid="post-row"][aria-busy="true"]').count()).toBe(0);
    expect(await rows.count()).toBeLessThan(40);

    // End on a row jumps to the last post, drawn and focused.
    await rows.first().locator('.post-row__open').focus();
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[role="row"]')?.getAttribute('aria-rowindex'))).toBe(String(total));
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).not.toBe('Loading…');
    // Arrow keys go on from there.
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[role="row"]')?.getAttribute('aria-rowindex'))).toBe(String(total - 1));
    expect(await rows.count()).toBeLessThan(40);
    await page.screenshot({ path: await artifactPath('queue-10k.png') });
    expect(await seriousA11yProblems()).toEqual([]);
  }, 120_000);

  it('keeps the audit log of those 10,000 posts to a bounded number of rows as older entries are loaded', async () => {
    await page.getByRole('button', { name: 'Audit log', exact: true }).click();
    const count = page.getByTestId('audit-count');
    await count.waitFor();
    for (let shown = 100; shown < 600; shown += 100) {
      await page.getByRole('button', { name: 'Show older' }).click();
      await expect.poll(() => count.textContent()).toContain(`Showing ${shown + 100} of`);
    }
    const rows = page.locator('.audit-table tr[data-kind]');
    expect(await rows.count()).toBeLessThan(80);
    const total = Number((await page.locator('.audit-table').getAttribute('aria-rowcount')) ?? 0);
    expect(total).toBeGreaterThan(SEEDED);
    // Scrolling to the end of what is loaded draws the oldest loaded entries, still bounded.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect.poll(() => rows.last().getAttribute('aria-rowindex').then(Number)).toBe(601);
    expect(await rows.count()).toBeLessThan(80);
    expect(await seriousA11yProblems()).toEqual([]);
  }, 60_000);
});
