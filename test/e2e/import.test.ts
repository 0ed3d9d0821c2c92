// The import workflow in Chromium through the browser shell: a real FAT stick with a signed
// package appears under a watched media root, staff check it, import it, and see the clean
// library with what was removed. Screenshots go to test/artifacts/.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../electron/services/package/keys.ts';
import { artifactPath, launchChromium } from '../support/chromium.ts';
import type { MountedVolume } from '../support/fat-image.ts';
import { revealingJpeg } from '../support/image-fixtures.ts';
import { startTestShell, type TestShell } from '../support/shell.ts';
import { filesOf, insertStick, packageFolder } from '../support/sticks.ts';
import { makeVideo } from '../support/video-fixtures.ts';

const keys = generateSigningKeyPair();
let t: TestShell;
let browser: Browser;
let page: Page;
let mediaRoot: string;
let stickFiles: Record<string, Uint8Array | string>;
const mounted: MountedVolume[] = [];

beforeAll(async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'airlock-e2e-import-'));
  mediaRoot = path.join(work, 'media');
  const photo = await revealingJpeg(work, 'harbour.jpg');
  const clip = await makeVideo(work, 'ferry', { metadata: { location: '+59.4370+024.7536/', author: 'Jane Fieldofficer' } });
  const pkg = await packageFolder(keys, {
    author: 'Comms team',
    posts: [
      { caption: 'Harbour day \u202E#Tallinn', targets: ['tiktok'], media: [{ source: photo, path: 'harbour.jpg', alt: 'Boats in the harbour' }] },
      { caption: 'The ferry leaves at nine', targets: ['tiktok', 'bluesky'], media: [{ source: clip, path: 'ferry.mp4', alt: 'A ferry' }] },
    ],
  });
  stickFiles = await filesOf(pkg);
  t = await startTestShell({
    policy: { policyVersion: 1, kioskName: 'Press office kiosk', packages: { signatures: 'required', trustedKeys: [keys.publicKey.text] } },
    mediaRoots: [mediaRoot],
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(t.shell.url);
  await page.getByTestId('version').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await Promise.all(mounted.map((m) => m.unmount()));
});

describe('importing a stick in the browser shell', () => {
  it('shows an empty state, then the stick within two seconds of it being mounted', async () => {
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByTestId('no-sticks').waitFor();
    await page.screenshot({ path: await artifactPath('import-empty.png') });
    mounted.push(await insertStick(stickFiles, { under: mediaRoot }));
    await page.getByRole('button', { name: /^Check / }).waitFor({ timeout: 4000 });
  });

  it('checks the stick and shows the trusted package and what can be imported', async () => {
    await page.getByRole('button', { name: /^Check / }).click();
    await expect.poll(() => page.getByTestId('package-status').textContent(), { timeout: 10_000 }).toContain('Signed package from a trusted key');
    expect(await page.getByTestId('package-status').textContent()).toContain('2 posts by Comms team');
    const accepted = (await page.getByTestId('accepted').textContent())!.toLowerCase();
    expect(accepted).toContain('harbour.jpg');
    expect(accepted).toContain('ferry.mp4');
    await page.screenshot({ path: await artifactPath('import-scan.png'), fullPage: true });
  });

  it('imports with progress and reports the outcome', async () => {
    await page.getByRole('button', { name: /^Import \d+ files$/ }).click();
    await expect.poll(() => page.getByTestId('import-outcome').textContent().catch(() => ''), { timeout: 30_000 }).toContain('Imported 2 items and 2 draft posts');
    await page.screenshot({ path: await artifactPath('import-done.png'), fullPage: true });
  });

  it('shows the clean library with what was removed, and loads the thumbnails', async () => {
    await page.getByRole('button', { name: 'See what was removed in the library' }).click();
    await expect.poll(() => page.getByTestId('library-item').count()).toBe(2);
    const reports = (await page.getByTestId('report').allTextContents()).join('\n');
    expect(reports).toContain('GPS position 51.50 N, 0.12 W removed');
    expect(reports).toContain('Location 59.4370 N, 24.7536 E removed');
    const img = page.getByRole('img', { name: /Cleaned photo/ });
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await page.screenshot({ path: await artifactPath('library.png'), fullPage: true });
  });

  it('ejects the stick, which then leaves the list', async () => {
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('button', { name: 'Eject' }).click();
    await page.getByTestId('no-sticks').waitFor({ timeout: 5000 });
  });

  it('serves library files only with the session cookie, only clean ones, and with byte ranges', async () => {
    const items = await page.evaluate(() => window.airlock!.invoke('library.list', { offset: 0, limit: 10 }));
    const video = (items as { ok: true; value: { items: { kind: string; cleanSha256: string }[] } }).value.items.find((i) => i.kind === 'video')!;
    const ranged = await page.evaluate(async (sha) => {
      const r = await fetch(`_airlock/media/${sha}`, { headers: { range: 'bytes=0-7' } });
      return { status: r.status, range: r.headers.get('content-range'), bytes: (await r.arrayBuffer()).byteLength };
    }, video.cleanSha256);
    expect(ranged).toMatchObject({ status: 206, bytes: 8 });
    expect(ranged.range).toMatch(/^bytes 0-7\/\d+$/);
    // Without the cookie (a fresh browser context) the same file is refused.
    const context = await browser.newContext();
    const stranger = await context.newPage();
    const status = await stranger.goto(`${t.shell.origin}/_airlock/media/${video.cleanSha256}`).then((r) => r?.status());
    expect(status).toBe(401);
    await context.close();
    // The original photo's hash is not servable even with the cookie.
    const originalSha = createHash('sha256').update(stickFiles['harbour.jpg']!).digest('hex');
    expect(await page.evaluate(async (sha) => (await fetch(`_airlock/media/${sha}`)).status, originalSha)).toBe(404);
  });
});
