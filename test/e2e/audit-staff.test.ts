// Staff management and the audit log in Chromium through the browser shell: the first
// administrator adds an approver and an author (a weak PIN is refused with the reason), disables
// and re-enables one, resets a PIN, then reads the audit log, filters it, opens an entry and
// checks the chain. An author then finds both screens closed to them. Screenshots go to
// test/artifacts/.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../support/chromium.ts';
import { startTestShell, type TestShell } from '../support/shell.ts';

let t: TestShell;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await startTestShell();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(t.shell.url);
  await page.getByTestId('signed-in-as').getByText('Ada Admin · administrator').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
const staffRow = (name: string) => page.getByRole('table').getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
const cells = async (row: Locator) => (await row.getByRole('cell').allTextContents()).map((s) => s.trim());

async function addPerson(name: string, role: RegExp, pin: string): Promise<Locator> {
  const form = page.getByRole('form', { name: 'Add a person' });
  await form.getByLabel('Name').fill(name);
  await form.getByRole('radio', { name: role }).check();
  await form.getByLabel('PIN', { exact: true }).fill(pin);
  await form.getByLabel('PIN again').fill(pin);
  await form.getByRole('button', { name: 'Add person' }).click();
  return form;
}

describe('managing staff as an administrator', () => {
  it('lists the administrator and explains each role in the add form', async () => {
    await nav('Staff').click();
    await page.getByRole('heading', { name: 'Staff', level: 1 }).waitFor();
    // The list loads after the heading; wait for it rather than read an empty table.
    await expect.poll(() => cells(staffRow('Ada Admin'))).toEqual(['Administrator', 'PIN', 'Active', expect.stringContaining('Reset PIN')]);
    const form = page.getByRole('form', { name: 'Add a person' });
    expect(await form.getByRole('radio', { name: /^Approver/ }).getAttribute('aria-describedby')).toBeTruthy();
    expect(await form.textContent()).toContain('approves, schedules and publishes posts');
  });

  it('refuses a weak PIN with the reason, then adds an approver and an author', async () => {
    const form = await addPerson('Bea Approver', /^Approver/, '111111');
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/PIN cannot be one digit repeated/);
    expect(await staffRow('Bea Approver').count()).toBe(0);

    await form.getByLabel('PIN', { exact: true }).fill('582913');
    await form.getByLabel('PIN again').fill('582913');
    await form.getByRole('button', { name: 'Add person' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Bea Approver was added as an approver');
    await expect.poll(() => cells(staffRow('Bea Approver'))).toEqual(['Approver', 'PIN', 'Active', expect.any(String)]);

    await addPerson('Cal Author', /^Author/, '740265');
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Cal Author was added as an author');
    expect((await cells(staffRow('Cal Author'))).slice(0, 3)).toEqual(['Author', 'PIN', 'Active']);
  });

  it('refuses a name that is already taken, next to the form', async () => {
    const form = await addPerson('Cal Author', /^Author/, '836201');
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/already has that name/);
    expect(await staffRow('Cal Author').count()).toBe(1);
  });

  it('disables and re-enables a person', async () => {
    await page.getByRole('button', { name: 'Disable Cal Author' }).click();
    await expect.poll(async () => (await cells(staffRow('Cal Author')))[2]).toBe('Disabled');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'can no longer sign in' }).textContent()).toContain('Cal Author can no longer sign in.');
    await page.getByRole('button', { name: 'Enable Cal Author' }).click();
    await expect.poll(async () => (await cells(staffRow('Cal Author')))[2]).toBe('Active');
    await page.getByRole('status').filter({ hasText: 'Cal Author can sign in again.' }).waitFor();
  });

  it('resets a PIN after it has been typed the same twice', async () => {
    await page.getByRole('button', { name: 'Reset PIN for Bea Approver' }).click();
    const reset = page.getByRole('form', { name: 'New sign-in for Bea Approver' });
    await reset.getByLabel('New PIN', { exact: true }).fill('605318');
    await reset.getByLabel('New PIN again').fill('605381');
    await reset.getByRole('button', { name: 'Save new PIN' }).click();
    await expect.poll(() => reset.getByRole('alert').textContent()).toContain('The two PINs are different');
    await reset.getByLabel('New PIN again').fill('605318');
    await page.screenshot({ path: await artifactPath('staff.png'), fullPage: true });
    await reset.getByRole('button', { name: 'Save new PIN' }).click();
    await page.getByRole('status').filter({ hasText: 'Bea Approver has a new PIN' }).waitFor();
    expect(await reset.count()).toBe(0);
  });
});

describe('reading the audit log as an administrator', () => {
  const body = () => page.getByRole('table').locator('tbody');

  it('shows the sign-in and the staff changes, newest first, with names', async () => {
    await nav('Audit log').click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await body().getByRole('row').first().waitFor();
    const rows = (await body().getByRole('row').allTextContents()).join('\n');
    expect(rows).toContain('Signed in');
    expect(rows).toContain('Kiosk started with policy');
    const changes = body().getByRole('row').filter({ hasText: 'Changed a staff account' });
    // Bea: added and PIN reset; Cal: added, disabled, enabled; Ada: created on first run.
    expect(await changes.count()).toBe(6);
    expect(await changes.first().textContent()).toContain('Bea Approver');
    expect(await changes.first().textContent()).toContain('Ada Admin');
    expect(await page.getByTestId('audit-count').textContent()).toMatch(/^Showing (\d+) of \1 entries$/);
  });

  it('checks the chain and finds it intact', async () => {
    await page.getByRole('button', { name: /Check the log.s integrity/ }).click();
    await expect.poll(() => page.getByTestId('audit-integrity').textContent()).toMatch(/^✓ \d+ entries, chain intact$/);
  });

  it('expands an entry to show what was recorded with it', async () => {
    const policyRow = body().getByRole('row').filter({ hasText: 'Kiosk started with policy' });
    const toggle = policyRow.getByRole('button', { name: /^(Details|Hide) of entry \d+/ });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const details = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    const text = await details.textContent();
    expect(text).toContain('Two-person approval');
    expect(text).toContain('Entry number');
    await page.screenshot({ path: await artifactPath('audit.png'), fullPage: true });
    await toggle.click();
    expect(await details.count()).toBe(0);
  });

  it('filters by kind and by day', async () => {
    await page.getByLabel('What happened').selectOption({ label: 'Signed in' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByTestId('audit-count').textContent()).toBe('Showing 1 of 1 entry');
    const [row] = await body().getByRole('row').all();
    expect(await row!.textContent()).toContain('Ada Admin');
    await row!.getByRole('button', { name: /^Details of entry/ }).click();
    expect(await body().textContent()).toMatch(/Role\s*admin/);

    await page.getByLabel('To (day, included)').fill('2001-01-01');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByTestId('audit-empty').getByText('No entries match these filters').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => body().getByRole('row').count()).toBeGreaterThan(6);
  });
});

async function signInAs(name: string, pin: string, badge: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('button', { name }).click();
  await page.getByLabel(`PIN for ${name}`).fill(pin);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe(badge);
}

describe('what an approver sees', () => {
  it('signs in with the PIN the administrator reset, reads the log with names, and cannot manage staff', async () => {
    await signInAs('Bea Approver', '605318', 'Bea Approver · approver');
    await nav('Audit log').click();
    const body = page.getByRole('table').locator('tbody');
    const signOut = body.getByRole('row').filter({ hasText: 'Signed out' }).first();
    await signOut.waitFor();
    expect(await signOut.textContent()).toContain('Ada Admin');
    expect(await page.getByLabel('Person', { exact: true }).locator('option').allTextContents()).toEqual(expect.arrayContaining(['Ada Admin', 'Bea Approver', 'Cal Author']));
    await page.getByLabel('Person', { exact: true }).selectOption({ label: 'Bea Approver' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByTestId('audit-count').textContent()).toBe('Showing 1 of 1 entry');
    expect(await body.textContent()).toContain('Signed in');

    await nav('Staff').click();
    await expect.poll(() => page.getByTestId('staff-forbidden').textContent().catch(() => '')).toContain('Only administrators can manage staff');
  });
});

describe('what an author sees', () => {
  it('signs in as the author', async () => {
    await signInAs('Cal Author', '740265', 'Cal Author · author');
  });

  it('is told that only administrators can manage staff, and sees no accounts', async () => {
    await nav('Staff').click();
    await expect.poll(() => page.getByTestId('staff-forbidden').textContent().catch(() => '')).toContain('Only administrators can manage staff');
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Add a person' }).count()).toBe(0);
  });

  it('is told that reading the audit log is not allowed, and sees no entries', async () => {
    await nav('Audit log').click();
    const refusal = page.getByTestId('audit-forbidden');
    await expect.poll(() => refusal.textContent().catch(() => '')).toContain('You are not allowed to read the audit log');
    expect(await refusal.textContent()).toContain('Only approvers and admins can read the audit log.');
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Check the log.s integrity/ }).count()).toBe(0);
  });
});
