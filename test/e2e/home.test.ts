import { existsSync, statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../support/chromium.ts';
import { startTestShell, type TestShell } from '../support/shell.ts';

let t: TestShell;
let browser: Browser;

beforeAll(async () => {
  t = await startTestShell({
    policy: { policyVersion: 1, organisation: 'Harbour City Council', kioskName: 'Press office kiosk', platforms: ['tiktok', 'bluesky', 'mastodon'] },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  await page.goto(url);
  (page as Page & { problems: string[] }).problems = problems;
  return page;
}

describe('home screen in Chromium through the browser shell', () => {
  it('shows the shell, the version and the policy, and saves a screenshot', async () => {
    const page = await openPage(t.shell.url);
    await expect.poll(() => page.getByTestId('shell').textContent()).toBe('Browser shell (development, tests and training)');
    expect(await page.getByTestId('version').textContent()).toBe('0.0.0-test');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Press office kiosk');
    const policy = await page.getByTestId('policy').textContent();
    expect(policy).toContain('TikTok, Bluesky, Mastodon');
    expect(policy).toContain('A second person must approve every post');
    // The key is taken out of the address bar once read.
    expect(page.url()).not.toContain('key=');
    const file = await artifactPath('home.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file) && statSync(file).size).toBeGreaterThan(10_000);
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('round-trips a call and its event through window.airlock', async () => {
    const page = await openPage(t.shell.url);
    await page.getByRole('button', { name: 'Check connection to Airlock' }).click();
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 6000 }).toMatch(/^✓ Connected/);
    const direct = await page.evaluate(() => window.airlock!.invoke('app.ping', { nonce: 'from-page' }));
    expect(direct).toMatchObject({ ok: true, value: { nonce: 'from-page' } });
    const unknown = await page.evaluate(() => window.airlock!.invoke('fs.readFile', { path: '/etc/passwd' }));
    expect(unknown).toMatchObject({ ok: false, error: { code: 'api.unknown-method' } });
    await page.close();
  });

  it('keeps window.airlock frozen so page script cannot replace it', async () => {
    const page = await openPage(t.shell.url);
    await page.getByTestId('version').waitFor();
    const outcome = await page.evaluate(() => {
      const original = window.airlock;
      try {
        (window as unknown as { airlock: unknown }).airlock = { invoke: () => 'hijacked' };
      } catch {
        /* strict-mode assignment to a read-only property throws */
      }
      return { same: window.airlock === original, frozen: Object.isFrozen(window.airlock) };
    });
    expect(outcome).toEqual({ same: true, frozen: true });
    await page.close();
  });

  it('refuses the API to a page opened without the key, and says what to do', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(t.shell.origin + '/');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not connected to Airlock');
    const status = await page.evaluate(async () => (await fetch('/_airlock/api/app.info', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
    expect(status).toBe(401);
    await context.close();
  });
});
