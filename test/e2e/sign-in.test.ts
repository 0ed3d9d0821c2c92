// First run, sign-in, wrong PINs and sign-out in Chromium through the browser shell.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../support/chromium.ts';
import { startTestShell, type TestShell } from '../support/shell.ts';

let t: TestShell;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await startTestShell({ signedIn: false });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(t.shell.url);
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('staff sign-in', () => {
  it('asks for the first administrator on a new kiosk, and refuses a weak PIN', async () => {
    await page.getByRole('heading', { name: 'Set up this kiosk' }).waitFor();
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('PIN', { exact: true }).fill('123456');
    await page.getByLabel('The same again').fill('123456');
    await page.getByRole('button', { name: 'Create administrator and sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/PIN/);
    await page.screenshot({ path: await artifactPath('first-run.png') });
    await page.getByLabel('PIN', { exact: true }).fill('493817');
    await page.getByLabel('The same again').fill('493817');
    await page.getByRole('button', { name: 'Create administrator and sign in' }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('Ada Admin · administrator');
  });

  it('signs out, refuses a wrong PIN, and signs in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Ada Admin' }).click();
    await page.getByLabel('PIN for Ada Admin').fill('000111');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/wrong|not right|incorrect/i);
    await page.screenshot({ path: await artifactPath('sign-in.png') });
    await page.getByLabel('PIN for Ada Admin').fill('493817');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('Ada Admin · administrator');
  });

  it('refuses the API to nobody: after signing out, work is refused until someone signs in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The sign-in screen shows once the sign-out has been done by the core.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const result = await page.evaluate(() => window.airlock!.invoke('posts.list', {}));
    expect(result).toMatchObject({ ok: false, error: { code: 'staff.signed-out' } });
  });
});
