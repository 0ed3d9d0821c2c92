// Training mode in Chromium through the browser shell, wired as `npm run demo` wires it (a reset
// swaps in a fresh core): the sign-in screen lists the training PINs; Alex inserts the virtual
// HARBOUR DAY stick from the training bar, imports it and submits the ferry post; Sam approves
// it and publishes it now; the Feed shows what the TikTok simulator received; the guided tour
// is stepped through with the keyboard; and a reset returns to a clean session.
// Screenshots go to test/artifacts/.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type AirlockCore } from '../../electron/services/core.ts';
import { loadPolicy } from '../../electron/services/policy/policy.ts';
import { startBrowserShell, type BrowserShell } from '../../electron/host/server.ts';
import { artifactPath, launchChromium } from '../support/chromium.ts';

const PINS = { 'Tara Trainer': '583902', 'Alex Author': '614927', 'Sam Approver': '729481' } as const;
const FERRY = /^New ferry timetable from Monday/;

let core: AirlockCore;
let shell: BrowserShell;
let browser: Browser;
let page: Page;
const dataDirs: string[] = [];

/**
 * The browser shell in training mode with the same reset wiring as `airlock serve --demo`
 * (electron/cli/serve.ts): a reset opens a fresh core on an empty folder, swaps it in, and
 * announces `training.reset` on the new core's event stream.
 */
async function startTrainingShell(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'airlock-e2e-training-'));
  dataDirs.push(work);
  const policyPath = path.join(work, 'policy.json');
  await writeFile(policyPath, JSON.stringify({ policyVersion: 1, organisation: 'Harbour City Council', kioskName: 'Training laptop' }));
  const policy = await loadPolicy(policyPath);
  const freshDataDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-e2e-training-data-'));
    dataDirs.push(dir);
    return dir;
  };
  const open = async (dataDir: string): Promise<AirlockCore> =>
    openCore({
      shell: 'browser',
      version: '0.0.0-test',
      policy,
      dataDir,
      trainingMode: true,
      systemMediaRoots: false,
      extraMediaRoots: [],
      onTrainingReset: async () => {
        const previous = core;
        core = await open(await freshDataDir());
        shell.replaceCore(core);
        core.events.emit('training.reset', { at: new Date().toISOString() });
        await previous.close();
      },
    });
  core = await open(await freshDataDir());
  shell = await startBrowserShell({ core });
}

beforeAll(async () => {
  await startTrainingShell();
  browser = await launchChromium();
  // A context of its own, which axe needs to run its checks.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(shell.url);
});

afterAll(async () => {
  await browser?.close();
  await shell?.close();
  await core?.close();
  await Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Accessibility problems axe rates serious or critical, in the given part of the page. */
async function seriousA11yProblems(include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  if (include) builder.include(include);
  const result = await builder.analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
const stateOfPost = () => page.getByTestId('post-state').first().textContent();
const panel = () => page.getByTestId('training-panel');
const tour = () => page.getByTestId('tour');
const tourStep = () => page.getByText(/^Guided tour · Step \d+ of \d+$/).textContent();
const focusedText = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

async function signIn(name: keyof typeof PINS): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByLabel(`PIN for ${name}`).fill(PINS[name]);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: name }).waitFor();
}

describe('training mode: the whole workflow offline, a guided tour, and a reset', () => {
  it('shows the training staff with their roles and PINs on the sign-in screen', async () => {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const people = page.getByTestId('training-people');
    await people.waitFor();
    const text = (await people.textContent()) ?? '';
    expect(text).toContain('Training only: PINs are shown so the audience can follow.');
    for (const [name, pin] of Object.entries(PINS)) {
      const row = people.getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
      expect(await row.textContent()).toContain(pin);
    }
    expect(await people.getByRole('row').filter({ hasText: 'Sam Approver' }).textContent()).toContain('Approver');
    // The training bar is there before anyone signs in, with the demo account.
    expect(await panel().textContent()).toContain('Demo account: TikTok · Harbour City Council (training)');
    expect(await seriousA11yProblems()).toEqual([]);
  });

  it('signs in as Alex and inserts the HARBOUR DAY stick from the training bar', async () => {
    await signIn('Alex Author');
    // Only in training mode: the Feed is in the navigation.
    expect(await nav('Feed').count()).toBe(1);
    await nav('Import').click();
    await page.getByTestId('no-sticks').waitFor();

    await panel().getByRole('button', { name: 'Insert HARBOUR DAY' }).click();
    await panel().getByRole('button', { name: 'Remove HARBOUR DAY' }).waitFor();
    // The virtual stick appears on the Import screen like a real one.
    await page.getByRole('button', { name: 'Check HARBOUR DAY' }).waitFor();
    expect(await panel().getByText('A signed package from the comms team').count()).toBe(1);
    await page.screenshot({ path: await artifactPath('training-panel.png') });
    expect(await seriousA11yProblems('[data-testid="training-panel"]')).toEqual([]);

    // The bar folds away and opens again.
    const toggle = panel().getByRole('button', { name: 'Training tools' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await panel().getByRole('button', { name: 'Remove HARBOUR DAY' }).isVisible()).toBe(false);
    await toggle.click();
    await panel().getByRole('button', { name: 'Remove HARBOUR DAY' }).waitFor();
  });

  it('checks and imports the stick on the Import screen', async () => {
    await page.getByRole('button', { name: 'Check HARBOUR DAY' }).click();
    await expect.poll(() => page.getByTestId('package-status').textContent()).toContain('Signed package from a trusted key');
    await page.getByRole('button', { name: /^Import \d+ files?$/ }).click();
    await expect.poll(() => page.getByTestId('import-outcome').textContent().catch(() => ''), { timeout: 25_000 }).toContain('draft posts');
  });

  it('opens the ferry draft as Alex, chooses the TikTok audience and submits it', async () => {
    await nav('Posts').click();
    await page.getByRole('button', { name: FERRY }).click();
    await page.getByRole('heading', { name: 'Edit draft' }).waitFor();
    // The training account, like many real ones, offers Everyone, Friends or Only me.
    await page.getByLabel('Who can see this on TikTok').selectOption('PUBLIC_TO_EVERYONE');
    const submit = page.getByRole('button', { name: 'Submit for approval' });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await submit.click();
    await expect.poll(stateOfPost).toContain('Waiting for approval');
  });

  it('lets Sam approve it and publish it now after a confirmation', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn('Sam Approver');
    await nav('Posts').click();
    await page.getByRole('button', { name: /^Waiting for approval/ }).click();
    await page.getByRole('button', { name: FERRY }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(stateOfPost).toContain('Approved');

    await page.getByRole('button', { name: 'Publish now…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish this post now?' });
    await dialog.getByRole('button', { name: 'Publish now to TikTok' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(stateOfPost).toMatch(/Scheduled|Publishing|Published/);
  });

  it('watches the post go out: Publishing, then Published', async () => {
    // The publisher runs every second; the simulator makes TikTok's processing checks. The
    // upload's progress shows beside the post while it goes out (and a few seconds after).
    await page.getByRole('progressbar').first().waitFor({ timeout: 27_000 });
    await page.screenshot({ path: await artifactPath('publish-progress.png') });
    await expect.poll(stateOfPost, { timeout: 27_000, interval: 250 }).toContain('Published');
  });

  it('shows the published post in the Feed', async () => {
    await nav('Feed').click();
    await page.getByRole('heading', { name: 'Feed', exact: true }).waitFor();
    const post = page.getByTestId('feed-list').getByRole('article').filter({ hasText: 'New ferry timetable from Monday' });
    await post.waitFor({ timeout: 5_000 });
    const text = (await post.textContent()) ?? '';
    expect(text).toContain('@harbourcity');
    expect(text).toContain('Who can see it: Everyone');
    expect(text).toContain('TikTok simulator');
    expect(await post.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await page.screenshot({ path: await artifactPath('feed.png') });
    expect(await seriousA11yProblems()).toEqual([]);
  });

  it('steps through the guided tour with the keyboard, ringing each step’s control', async () => {
    await panel().getByRole('button', { name: 'Start the guided tour' }).click();
    await tour().waitFor();
    expect(await tourStep()).toBe('Guided tour · Step 1 of 11');
    // Focus moves into the card, which is not modal: the app underneath stays usable.
    expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="tour"]') !== null)).toBe(true);
    expect(await tour().getAttribute('aria-modal')).toBe('false');

    // From the step's title, Tab passes the disabled Back button and reaches Next.
    await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('Next →');
    await page.keyboard.press('Enter');
    expect(await tourStep()).toBe('Guided tour · Step 2 of 11');
    // Step 2 rings the Insert/Remove button in the training bar.
    await expect.poll(() => page.getByTestId('tour-where').textContent()).toContain('HARBOUR DAY in the training bar');
    await page.locator('.tour-ring').waitFor();

    // Back to the first step keeps focus on a button that still works.
    await page.keyboard.press('Shift+Tab');
    expect(await focusedText()).toBe('← Back');
    await page.keyboard.press('Enter');
    expect(await tourStep()).toBe('Guided tour · Step 1 of 11');
    expect(await focusedText()).toBe('Next →');

    for (let step = 2; step <= 10; step++) {
      await page.keyboard.press('Enter');
      expect(await tourStep()).toBe(`Guided tour · Step ${step} of 11`);
    }
    // On the Feed screen, the Feed step rings the feed itself.
    expect(await tour().getByRole('heading').textContent()).toBe('See the post in the feed');
    await expect.poll(() => page.getByTestId('tour-where').textContent()).toContain('The newest post is at the top.');
    // The ring glides to the feed and then sits just outside it.
    const ringAroundFeed = async () => {
      const ring = await page.locator('.tour-ring').boundingBox();
      const feed = await page.getByTestId('feed-list').boundingBox();
      return ring !== null && feed !== null && ring.x < feed.x && ring.y < feed.y && ring.x + ring.width > feed.x + feed.width;
    };
    await expect.poll(ringAroundFeed).toBe(true);
    await page.waitForTimeout(300);
    await page.screenshot({ path: await artifactPath('tour.png') });
    expect(await seriousA11yProblems('[data-testid="tour"]')).toEqual([]);

    // The last step points at the audit log; the tour does not stop the app being used.
    await page.keyboard.press('Enter');
    expect(await tourStep()).toBe('Guided tour · Step 11 of 11');
    await expect.poll(() => page.getByTestId('tour-where').textContent()).toContain('Open Audit log in the top bar');
    await nav('Audit log').click();
    await expect.poll(() => page.getByTestId('tour-where').textContent()).toContain('Newest first');

    // Escape closes the tour and gives focus back to the button that started it.
    await tour().getByRole('button', { name: 'Finish the tour' }).focus();
    await page.keyboard.press('Escape');
    await tour().waitFor({ state: 'detached' });
    expect(await page.locator('.tour-ring').count()).toBe(0);
    expect(await focusedText()).toBe('Start the guided tour');
  });

  it('resets to a clean session after a confirmation: no posts, no sticks, an empty feed', async () => {
    await panel().getByRole('button', { name: 'Reset training…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset training?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Everything done in this session is deleted');
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    expect(await seriousA11yProblems()).toEqual([]);
    // Escape leaves everything as it was.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('signed-in-as').filter({ hasText: 'Sam Approver' }).waitFor();

    const before = core;
    await page.evaluate(() => Object.assign(window, { trainingTestBeforeReset: true }));
    await panel().getByRole('button', { name: 'Reset training…' }).click();
    await dialog.getByRole('button', { name: 'Reset training' }).click();
    // The shell swaps in a fresh core and the page reloads from it.
    await page.waitForFunction(() => !('trainingTestBeforeReset' in window), undefined, { timeout: 20_000 });
    expect(core).not.toBe(before);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByTestId('training-people').waitFor();

    await signIn('Alex Author');
    for (const label of ['HARBOUR DAY', 'TAMPERED', 'LOOSE FILES']) await panel().getByRole('button', { name: `Insert ${label}` }).waitFor();
    await nav('Import').click();
    await page.getByTestId('no-sticks').waitFor();
    await nav('Posts').click();
    await expect.poll(() => page.getByTestId('posts-empty').textContent()).toContain('No posts yet');
    await nav('Feed').click();
    await page.getByTestId('feed-empty').waitFor();
    const feed = await core.call('training.feed', {});
    expect(feed).toMatchObject({ ok: true, value: { posts: [] } });
  });

  it('lets Tara show connecting: disconnect the demo YouTube channel, then connect it through the consent page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn('Tara Trainer');
    await nav('Accounts').click();
    const row = page.getByTestId('account-youtube');
    await row.getByRole('button', { name: 'Disconnect Harbour City Council (training)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect Harbour City Council (training)?' });
    await dialog.getByRole('button', { name: 'Disconnect Harbour City Council (training)' }).click();
    await page.getByTestId('disconnect-result').getByText('Harbour City Council (training) is disconnected and its sign-in was ended.').waitFor();
    await row.waitFor({ state: 'detached' });

    const popupOpened = page.context().waitForEvent('page');
    await page.getByRole('button', { name: 'Connect a YouTube account' }).click();
    const popup = await popupOpened;
    // Google's consent page is the simulator's, on this machine; it hands the sign-in back to Airlock.
    await popup.getByRole('heading', { name: 'Signed in' }).waitFor();
    expect(new URL(popup.url()).hostname).toBe('127.0.0.1');
    await popup.close();
    await page.getByTestId('connect-result').getByText('Connected Harbour City Council (training).').waitFor();
    expect(await row.getByRole('cell').nth(1).textContent()).toContain('Working');
  });
});
