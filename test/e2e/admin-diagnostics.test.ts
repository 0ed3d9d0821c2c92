// The Policy and Diagnostics screens in Chromium through the browser shell: an administrator
// reads where each policy setting came from, then sees a connection Airlock refused (triggered
// from the test, refused before any DNS lookup, so nothing is sent) on Diagnostics. Both screens
// pass axe. An author may read the policy but is told plainly that Diagnostics is not for them.
// Screenshots go to test/artifacts/.
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../support/chromium.ts';
import { startTestShell, type TestShell } from '../support/shell.ts';

let t: TestShell;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await startTestShell({ policy: { policyVersion: 1, kioskName: 'Front desk', approval: { twoPerson: false } } });
  browser = await launchChromium();
  // A context of its own, which axe needs to run its checks.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(t.shell.url);
  await page.getByTestId('signed-in-as').getByText('Ada Admin · administrator').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** Accessibility problems axe rates serious or critical on the page as it is now. */
async function seriousA11yProblems(): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
const settingRow = (label: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });
const cells = async (label: string) => (await settingRow(label).getByRole('cell').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());

describe('the Policy screen', () => {
  it('says the settings come from IT and how to check a policy file', async () => {
    await nav('Policy').click();
    await page.getByRole('heading', { name: 'Policy', level: 1 }).waitFor();
    const intro = await page.locator('.page-header').textContent();
    expect(intro).toContain('IT sets these in the policy file; they cannot be changed here.');
    expect(intro).toContain('airlock policy check FILE');
    expect(await page.getByTestId('policy-source').textContent()).toMatch(/Policy file in force.*policy\.json/s);
  });

  it('marks what the policy file set and what is Airlock’s default, in plain words', async () => {
    await settingRow('Kiosk name').waitFor();
    expect(await cells('Kiosk name')).toEqual(['Front desk', '■ Set by the policy file']);
    expect(await cells('A second person must approve each post')).toEqual(['No', '■ Set by the policy file']);
    expect(await cells('Lock the screen after this long without use')).toEqual(['5 minutes', '○ Airlock default']);
    expect(await cells('Platforms staff can publish to')).toEqual(['TikTok', '○ Airlock default']);
    expect(await cells('Trusted signing keys')).toEqual(['None', '○ Airlock default']);
    const sections = await page.getByRole('table').locator('caption').allTextContents();
    expect(sections).toEqual(['Platforms', 'Approval', 'Packages and keys', 'USB sticks', 'Screen lock', 'Kiosk', 'Network and proxy', 'Language', 'Training']);
  });

  it('has no serious accessibility problems', async () => {
    await page.screenshot({ path: await artifactPath('policy.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
  });
});

describe('the Diagnostics screen', () => {
  it('lists the hosts the kiosk may reach and, at first, no refusals', async () => {
    await nav('Diagnostics').click();
    await page.getByRole('heading', { name: 'Diagnostics', level: 1 }).waitFor();
    const hosts = page.getByRole('list', { name: 'Network: this kiosk may reach only these hosts' });
    await hosts.getByRole('listitem').first().waitFor();
    expect((await hosts.textContent())?.toLowerCase()).toContain('tiktok');
    await page.getByTestId('refusals-empty').getByText('No connection has been refused since Airlock started.').waitFor();
  });

  it('shows a refused connection after Refresh, in words, with the details for IT on request', async () => {
    // Refused before any DNS lookup: the host is not on the list, so nothing is ever sent.
    await t.core.egress.client.request('https://intranet.corp.example/x', { requester: 'publish:tiktok' }).catch(() => {});
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    const table = page.getByRole('table');
    const row = table.locator('tbody').getByRole('row').first();
    await row.waitFor();
    const [server, address, askedBy, why] = (await row.getByRole('cell').allTextContents()).map((s) => s.trim());
    expect(server).toBe('intranet.corp.example:443');
    expect(address).toBe('Not looked up');
    expect(askedBy).toBe('Publishing to TikTok');
    expect(why).toContain('intranet.corp.example because it is not a server of a platform');
    expect(await table.locator('caption').textContent()).toContain('1 refused connection');

    const toggle = row.getByRole('button', { name: /^(Details|Hide) for the refusal of intranet.corp.example:443$/ });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const details = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    expect(await details.textContent()).toContain('egress.host-not-allowed');
    expect(await details.textContent()).toContain('publish:tiktok');
  });

  it('has no serious accessibility problems', async () => {
    await page.screenshot({ path: await artifactPath('diagnostics.png'), fullPage: true });
    expect(await seriousA11yProblems()).toEqual([]);
  });
});

describe('what an author sees', () => {
  it('reads the policy but is told Diagnostics is for approvers and administrators', async () => {
    const created = await t.core.call('staff.create', { name: 'Cal Author', role: 'author', credential: { kind: 'pin', secret: '740265' } });
    expect(created.ok).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Cal Author' }).click();
    await page.getByLabel('PIN for Cal Author').fill('740265');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('Cal Author · author');

    await nav('Policy').click();
    await settingRow('Kiosk name').waitFor();
    expect(await cells('Kiosk name')).toEqual(['Front desk', '■ Set by the policy file']);

    await nav('Diagnostics').click();
    const refusal = page.getByTestId('diagnostics-forbidden');
    await expect.poll(() => refusal.textContent().catch(() => '')).toContain('Only approvers and administrators can see diagnostics');
    expect(await page.getByRole('table').count()).toBe(0);
  });
});
