// Leaving the kiosk from the Policy screen, in Chromium through the browser shell. The Electron
// window cannot exist here, so the shell is given the one hook the Electron shell passes (close
// the kiosk window); everything before it — the button only admins on a kiosk see, the secret
// checked by the core under the sign-in lockout, the audit entry — is the real thing.
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { TEST_ADMIN } from '../support/core.ts';
import { startTestShell, type TestShell } from '../support/shell.ts';

let t: TestShell;
let browser: Browser;
let page: Page;
let exits = 0;

beforeAll(async () => {
  t = await startTestShell({ policy: { policyVersion: 1 }, onAdminExit: () => exits++ });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(t.shell.url);
  await page.getByTestId('signed-in-as').getByText('Ada Admin · administrator').waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Policy', exact: true }).click();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('exit kiosk', () => {
  it('asks the admin for their own secret, refuses a wrong one, and leaves with the right one', async () => {
    await page.getByRole('button', { name: 'Exit kiosk…' }).click();
    const form = page.getByRole('form', { name: 'Exit the kiosk' });
    await form.waitFor();
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

    await form.getByLabel('Your PIN or passphrase').fill('000000');
    await form.getByRole('button', { name: 'Exit kiosk' }).click();
    await form.getByRole('alert').waitFor();
    expect(await form.getByRole('alert').textContent()).toMatch(/not right/);
    expect(exits).toBe(0);

    await form.getByLabel('Your PIN or passphrase').fill(TEST_ADMIN.pin);
    await form.getByRole('button', { name: 'Exit kiosk' }).click();
    await form.getByRole('status').filter({ hasText: 'Leaving the kiosk' }).waitFor();
    await expect.poll(() => exits, { timeout: 10_000 }).toBe(1);
    expect((await t.core.audit.list({ kind: 'kiosk.exit', limit: 5 })).entries).toHaveLength(1);
  });
});
