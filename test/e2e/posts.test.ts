// The posts workflow in Chromium through the browser shell: write a Bluesky post with a photo
// from the clean library, see each platform's live counter and a blocking error for a missing
// description, submit, be refused approval of one's own post, approve as a second person,
// schedule after a confirmation that names the platforms, and find it in the queue.
// Screenshots go to test/artifacts/.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AirlockEvent, PostView } from '../../common/contract.ts';
import { artifactPath, launchChromium } from '../support/chromium.ts';
import type { MountedVolume } from '../support/fat-image.ts';
import { revealingJpeg } from '../support/image-fixtures.ts';
import { startTestShell, type TestShell } from '../support/shell.ts';
import { insertStick } from '../support/sticks.ts';
import { makeVideo } from '../support/video-fixtures.ts';

let t: TestShell;
let ferryPost: PostView;
let browser: Browser;
let page: Page;
const mounted: MountedVolume[] = [];
const CAPTION = 'Harbour open day this Saturday';
const ALT = 'Sailing boats moored in the harbour at sunset';
const NEXT_YEAR = new Date().getFullYear() + 1;

async function waitFor<T>(fn: () => T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Imports a loose stick through the core's API, as the Import screen would, to fill the library. */
async function importStick(files: Record<string, Uint8Array>, mediaRoot: string): Promise<void> {
  mounted.push(await insertStick(files, { under: mediaRoot }));
  const volumeId = await waitFor(() => t.core.volumes.current()[0]?.volumeId);
  let finished: AirlockEvent | undefined;
  const stop = t.core.events.subscribe((e) => {
    if (e.name === 'import.finished') finished = e;
  });
  expect((await t.core.call('import.start', { volumeId })).ok).toBe(true);
  const done = await waitFor(() => finished, 30_000);
  stop();
  expect(done.payload).toMatchObject({ ok: true, imported: 2 });
}

beforeAll(async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'airlock-e2e-posts-'));
  const mediaRoot = path.join(work, 'media');
  const photo = await readFile(await revealingJpeg(work, 'harbour.jpg'));
  const clip = await readFile(await makeVideo(work, 'ferry', { seconds: 4, metadata: { author: 'Jane Fieldofficer' } }));
  t = await startTestShell({
    policy: {
      policyVersion: 1,
      organisation: 'Harbour City Council',
      kioskName: 'Press office kiosk',
      platforms: ['tiktok', 'bluesky', 'mastodon'],
      approval: { twoPerson: true },
      packages: { signatures: 'optional', trustedKeys: [] },
    },
    mediaRoots: [mediaRoot],
  });
  await importStick({ 'harbour.jpg': photo, 'ferry.mp4': clip }, mediaRoot);
  browser = await launchChromium();
  // A context of its own, which axe needs to run its checks.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  // Fail with the locator that did not appear, well inside the test's own time limit.
  page.setDefaultTimeout(10_000);
  await page.goto(t.shell.url);
  await page.getByText('Ada Admin · administrator').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await Promise.all(mounted.map((m) => m.unmount()));
});

/** Accessibility problems axe rates serious or critical on the page as it is now. */
async function seriousA11yProblems(): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const stateOfPost = () => page.getByTestId('post-state').first().textContent();

describe('posts: write, check, approve by a second person, schedule', () => {
  it('starts with an empty queue that says what to do next', async () => {
    await page.getByRole('button', { name: 'Posts', exact: true }).click();
    await expect.poll(() => page.getByTestId('posts-empty').textContent()).toContain('Import a stick or write a new post');
  });

  it('counts the caption as Bluesky does and blocks a photo without a description', async () => {
    await page.getByRole('button', { name: /Write a new post/ }).click();
    await page.getByRole('heading', { name: 'New post' }).waitFor();
    await page.getByRole('textbox', { name: 'Caption', exact: true }).fill(CAPTION);
    await page.getByRole('checkbox', { name: 'Bluesky' }).check();
    await page.getByRole('checkbox', { name: 'Mastodon' }).check();
    // Only the platforms the policy enables are offered.
    expect(await page.getByRole('checkbox', { name: 'X', exact: true }).count()).toBe(0);
    await expect.poll(() => page.getByTestId('counter-bluesky').textContent()).toContain(`Bluesky ${CAPTION.length}/300`);
    await expect.poll(() => page.getByTestId('counter-mastodon').textContent()).toContain(`Mastodon ${CAPTION.length}/500`);

    await page.getByRole('button', { name: /^Photo harbour\.jpg$/i }).click();
    const alt = page.getByLabel('Description (alt text) for photo 1');
    const submit = page.getByRole('button', { name: 'Submit for approval' });
    const missing = page.getByText('Photo 1 needs a description (alt text) for Bluesky.').first();
    await missing.waitFor();
    await expect.poll(() => submit.isDisabled()).toBe(true);
    expect(await page.getByTestId('submit-reason').textContent()).toContain('Photo 1 needs a description');

    await alt.fill(ALT);
    await missing.waitFor({ state: 'detached' });
    await expect.poll(() => submit.isEnabled()).toBe(true);

    // Removing the description blocks submission again, with the reason beside the button.
    await alt.fill('');
    await missing.waitFor();
    await expect.poll(() => submit.isDisabled()).toBe(true);
    await alt.fill(ALT);
    await expect.poll(() => submit.isEnabled()).toBe(true);

    // The preview uses the cleaned photo, with the description as its text alternative.
    const previewPhoto = page.getByTestId('preview-bluesky').getByRole('img', { name: ALT });
    await expect.poll(() => previewPhoto.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await page.getByTestId('media-reports').textContent()).toContain('GPS position 51.50 N, 0.12 W removed');
  });

  it('cleans hidden characters out of the caption on saving and says what it removed', async () => {
    await page.getByRole('textbox', { name: 'Caption', exact: true }).fill(`${CAPTION} \u202E#HarbourDay`);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => page.getByTestId('caption-report').textContent().catch(() => '')).toContain('1 text-direction control character removed');
    expect(await page.getByRole('textbox', { name: 'Caption', exact: true }).inputValue()).toBe(`${CAPTION} #HarbourDay`);
    expect(await stateOfPost()).toContain('Draft');
    await page.screenshot({ path: await artifactPath('editor.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
  });

  it('submits the post for approval', async () => {
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await expect.poll(stateOfPost).toContain('Waiting for approval');
  });

  it('refuses approval by the person who wrote it, in plain words', async () => {
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('alert').filter({ hasText: 'second person' }).waitFor();
    expect(await stateOfPost()).toContain('Waiting for approval');
  });

  it('lets a second person approve it', async () => {
    const created = await t.core.call('staff.create', { name: 'Bo Approver', role: 'approver', credential: { kind: 'pin', secret: '582914' } });
    expect(created.ok).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Bo Approver' }).click();
    await page.getByLabel('PIN for Bo Approver').fill('582914');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('Bo Approver · approver');

    await page.getByRole('button', { name: /^Waiting for approval/ }).click();
    await page.getByRole('button', { name: new RegExp(`^${CAPTION}`) }).click();
    await page.getByRole('heading', { name: `${CAPTION} #HarbourDay` }).waitFor();
    expect(await page.locator('.post-facts').textContent()).toContain('Submitted byAda Admin');
    await page.screenshot({ path: await artifactPath('approval.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);

    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(stateOfPost).toContain('Approved');
    expect(await page.locator('.post-facts').textContent()).toContain('Approved byBo Approver');
  });

  it('schedules it only after a confirmation that names the platforms and shows the final preview', async () => {
    await page.getByRole('button', { name: 'Schedule…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Schedule this post' });
    await dialog.waitFor();
    // Focus moves into the dialog, and Escape closes it without doing anything.
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await stateOfPost()).toContain('Approved');

    await page.getByRole('button', { name: 'Schedule…' }).click();
    await dialog.getByLabel('Date').fill(`${NEXT_YEAR}-05-01`);
    await dialog.getByLabel('Time').fill('09:30');
    await page.screenshot({ path: await artifactPath('schedule-dialog.png') });
    expect(await seriousA11yProblems()).toEqual([]);
    const targets = await dialog.getByTestId('confirm-targets').textContent();
    expect(targets).toContain('Bluesky — the Harbour City Council account');
    expect(targets).toContain('Mastodon — the Harbour City Council account');
    await dialog.getByTestId('preview-bluesky').getByRole('img', { name: ALT }).waitFor();
    await dialog.getByRole('button', { name: /^Schedule for / }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(stateOfPost).toContain('Scheduled');
    expect(await page.getByTestId('scheduled-for').textContent()).toMatch(new RegExp(`May 1, ${NEXT_YEAR}|1 May ${NEXT_YEAR}`));
  });

  it('shows it in the Scheduled queue, and keeps the queue live', async () => {
    await page.getByRole('button', { name: '← Back to posts' }).click();
    await page.getByRole('button', { name: /^Scheduled/ }).click();
    const row = page.getByTestId('post-row').filter({ hasText: CAPTION });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('Scheduled');
    expect(text).toContain('Bluesky');
    expect(text).toContain('approved by Bo Approver');
    expect(await row.getByRole('img', { name: ALT }).count()).toBe(1);

    // A post made elsewhere (here: through the API) appears without reloading.
    await page.getByRole('button', { name: /^All/ }).click();
    const ferry = await t.core.call('posts.create', { caption: 'Ferry timetable changes from Monday', targets: ['mastodon'], media: [] });
    expect(ferry.ok).toBe(true);
    if (ferry.ok) ferryPost = ferry.value as PostView;
    await page.getByTestId('post-row').filter({ hasText: 'Ferry timetable changes from Monday' }).waitFor();
    await page.getByRole('button', { name: /^Scheduled/ }).click();
    await row.waitFor();
    await page.screenshot({ path: await artifactPath('queue.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
  });

  it('previews a TikTok video in a 9:16 frame and never chooses the audience for staff', async () => {
    await page.getByRole('button', { name: /Write a new post/ }).click();
    await page.getByRole('textbox', { name: 'Caption', exact: true }).fill('The ferry leaves at nine');
    await page.getByRole('checkbox', { name: 'TikTok' }).check();
    await page.getByRole('button', { name: /^Video ferry\.mp4$/i }).click();
    const audience = page.getByLabel('Who can see this on TikTok');
    expect(await audience.inputValue()).toBe('');
    for (const name of ['Allow comments', 'Allow duets', 'Allow stitches']) expect(await page.getByRole('checkbox', { name }).isChecked()).toBe(false);
    const noAudience = page.getByText('Choose who can see this post on TikTok').first();
    await noAudience.waitFor();
    await audience.selectOption('FOLLOWER_OF_CREATOR');
    await noAudience.waitFor({ state: 'detached' });
    const video = page.getByTestId('preview-tiktok').locator('video');
    // The cleaned video loads through the media route, far enough to show a frame.
    await expect.poll(() => video.evaluate((el) => (el as HTMLVideoElement).readyState)).toBeGreaterThanOrEqual(2);
    const box = (await page.getByTestId('preview-tiktok').locator('.tiktok-frame').boundingBox())!;
    expect(box.height / box.width).toBeCloseTo(16 / 9, 1);
    // Chromium paints a video's frame only once it has been on screen.
    await page.getByTestId('preview-tiktok').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: await artifactPath('editor-tiktok.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);

    // Leaving with unsaved changes asks first.
    await page.getByRole('button', { name: '← Back to posts' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave without saving?' });
    await leave.getByRole('button', { name: 'Leave without saving' }).click();
    await page.getByRole('heading', { name: 'Posts' }).waitFor();
  });

  it('rejects a post only with a comment, which the author then sees on it', async () => {
    const submitted = await t.core.call('posts.submit', { id: ferryPost.id, version: ferryPost.version });
    expect(submitted.ok).toBe(true);
    await page.getByRole('button', { name: /^Waiting for approval/ }).click();
    await page.getByRole('button', { name: /^Ferry timetable changes from Monday/ }).click();
    await page.getByRole('button', { name: 'Reject…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reject this post' });
    const reject = dialog.getByRole('button', { name: 'Reject post' });
    expect(await reject.isDisabled()).toBe(true);
    await dialog.getByLabel(/Why is it rejected/).fill('Please add the new departure times.');
    await reject.click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(stateOfPost).toContain('Rejected');
    expect(await page.getByTestId('review-comment').textContent()).toContain('Please add the new departure times.');
  });

  it('reloads and says so when someone else changed the post while it was being edited', async () => {
    const current = await t.core.call('posts.get', { id: ferryPost.id });
    if (!current.ok) throw new Error(current.error.message);
    const theirs = await t.core.call('posts.edit', { id: ferryPost.id, version: (current.value as PostView).version, change: { caption: 'Ferry timetable changes from Tuesday' } });
    expect(theirs.ok).toBe(true);
    await page.getByRole('textbox', { name: 'Caption', exact: true }).fill('Ferry timetable changes from Monday: new times');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('status').filter({ hasText: 'Someone else changed this post' }).waitFor();
    await expect.poll(() => page.getByRole('textbox', { name: 'Caption', exact: true }).inputValue()).toBe('Ferry timetable changes from Tuesday');
  });
});
