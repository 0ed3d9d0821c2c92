// Airlock in English and Estonian, and accessible on every screen, in Chromium through the
// browser shell in training mode. For each language the whole kiosk is walked through (sign-in,
// Home, Import with a checked stick, Library, Posts list, editor and review, Audit log, Staff,
// Policy, Diagnostics, Feed, the guided tour and the locked screen) and axe must find nothing
// serious or critical on any of them. Estonian screens show Estonian words, dates and numbers,
// and the sanitisation report of an import made in Estonian says what was removed in Estonian.
// The language is remembered per person, and a policy that sets it leaves nobody a choice.
// High contrast and reduced motion keep focus rings and status words; touch targets are at
// least 44 px; the top menu fits one row at 1280 px in training mode. Screenshots go to
// test/artifacts/.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type AirlockCore } from '../../electron/services/core.ts';
import { loadPolicy } from '../../electron/services/policy/policy.ts';
import { startBrowserShell, type BrowserShell } from '../../electron/host/server.ts';
import en from '../../renderer/src/i18n/en.json' with { type: 'json' };
import et from '../../renderer/src/i18n/et.json' with { type: 'json' };
import { artifactPath, launchChromium } from '../support/chromium.ts';
import { startTestShell } from '../support/shell.ts';

type Lang = 'en' | 'et';
type Catalogue = { [key: string]: string | Catalogue };
const CATALOGUES: Record<Lang, Catalogue> = { en: en as Catalogue, et: et as Catalogue };

/** The catalogue's words for `key` in `lang`, with `{{name}}` filled in (plural: pass `count`). */
function word(lang: Lang, key: string, values: Record<string, string | number> = {}): string {
  const find = (k: string) => k.split('.').reduce<string | Catalogue | undefined>((node, part) => (typeof node === 'object' ? node[part] : undefined), CATALOGUES[lang]);
  const plural = typeof values.count === 'number' ? new Intl.PluralRules(lang).select(values.count) : null;
  const found = (plural ? find(`${key}_${plural}`) : undefined) ?? find(key);
  if (typeof found !== 'string') throw new Error(`no catalogue entry ${key} in ${lang}`);
  return found.replace(/\{\{\s*(\w+)\s*(?:,[^}]*)?\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** Any plural form of `key` in `lang`, with numbers for its placeholders. */
function anyCount(lang: Lang, key: string): RegExp {
  const forms = ['one', 'other'].map((form) => word(lang, `${key}_${form}`, { count: '\u0000' }));
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\u0000/g, '[\\d\\s,.]+');
  return new RegExp(`^(${forms.map(escape).join('|')})$`);
}

const PINS = { 'Tara Trainer': '583902', 'Alex Author': '614927', 'Sam Approver': '729481' } as const;
const FERRY = /^New ferry timetable from Monday/;
const MARKET = /^Market day at the old harbour/;


let core: AirlockCore;
let shell: BrowserShell;
let browser: Browser;
let page: Page;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'airlock-e2e-i18n-'));
  const policyPath = path.join(work, 'policy.json');
  await writeFile(policyPath, JSON.stringify({ policyVersion: 1, organisation: 'Harbour City Council', kioskName: 'Training laptop', media: { limits: { maxFiles: 25000 } } }));
  core = await openCore({ shell: 'browser', version: '0.0.0-test', policy: await loadPolicy(policyPath), dataDir: path.join(work, 'data'), trainingMode: true, systemMediaRoots: false, extraMediaRoots: [] });
  shell = await startBrowserShell({ core });
  browser = await launchChromium();
  // A context of its own, which axe needs to run its checks.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(shell.url);
});

afterAll(async () => {
  await browser?.close();
  await shell?.close();
  await core?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Accessibility problems axe rates serious or critical on the page as it is now. */
async function seriousA11yProblems(): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const nav = (lang: Lang, key: string) => page.locator('.app-bar nav').getByRole('button', { name: word(lang, key), exact: true });
const heading = (text: string) => page.getByRole('heading', { name: text, level: 1 });

async function chooseLanguage(lang: Lang): Promise<void> {
  await page.getByRole('button', { name: lang === 'et' ? 'Eesti' : 'English', exact: true }).first().click();
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(lang);
}

async function signIn(lang: Lang, name: keyof typeof PINS): Promise<void> {
  await heading(word(lang, 'signIn.title')).or(heading(word(lang, 'signIn.lockedTitle'))).waitFor();
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByLabel(word(lang, 'signIn.pinFor', { name })).fill(PINS[name]);
  await page.getByRole('button', { name: word(lang, 'signIn.submit'), exact: true }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: name }).waitFor();
}

async function signOut(lang: Lang): Promise<void> {
  await page.locator('.app-bar').getByRole('button', { name: word(lang, 'app.signOut'), exact: true }).click();
  await page.getByTestId('signed-in-as').waitFor({ state: 'detached' });
}

/** Every screen, checked by axe, in `lang`; returns the screens it passed through. */
async function walkEveryScreen(lang: Lang): Promise<Record<string, string[]>> {
  const problems: Record<string, string[]> = {};
  const check = async (screen: string) => {
    problems[screen] = await seriousA11yProblems();
    if (process.env.AIRLOCK_E2E_TRACE) console.log(lang, screen, problems[screen]);
  };

  await check('sign-in');
  await signIn(lang, 'Tara Trainer');

  await nav(lang, 'nav.home').click();
  await page.getByTestId('version').waitFor();
  await check('home');

  await nav(lang, 'nav.import').click();
  await heading(word(lang, 'import.title')).waitFor();
  const stick = page.getByTestId('training-stick-harbour-day');
  if ((await stick.textContent())?.includes(word(lang, 'training.insert'))) await stick.click();
  await page.getByRole('button', { name: word(lang, 'import.check', { label: 'HARBOUR DAY' }) }).click();
  await page.getByTestId('package-status').waitFor();
  await check('import with results');
  if (lang === 'et') await page.screenshot({ path: await artifactPath('import-scan-et.png'), fullPage: true });
  const importButton = page.getByRole('button', { name: anyCount(lang, 'import.importFiles') });
  if (await importButton.isEnabled()) {
    await importButton.click();
    await page.getByTestId('import-outcome').waitFor({ timeout: 60_000 });
    await check('import finished');
  }

  await nav(lang, 'nav.library').click();
  await page.getByTestId('library-item').first().waitFor();
  await check('library');

  await nav(lang, 'nav.posts').click();
  // Each language opens a draft of its own; the ferry post is submitted and then reviewed.
  const post = lang === 'et' ? FERRY : MARKET;
  await page.getByRole('button', { name: post }).first().waitFor();
  await check('posts list');
  await page.getByRole('button', { name: post }).first().click();
  await page.locator('main textarea').first().waitFor();
  await check('post editor');
  if (lang === 'et') {
    // The platforms' verdicts are in Estonian too: TikTok's counter, and its rule that nobody has chosen who sees the post yet.
    await expect.poll(() => page.getByTestId('counter-tiktok').textContent()).toContain(word(lang, 'rules.counters.characters'));
    await expect.poll(() => page.locator('main').textContent()).toContain(word(lang, 'rules.tiktok.privacy-missing'));
    await page.locator('main select:has(option[value="PUBLIC_TO_EVERYONE"])').selectOption('PUBLIC_TO_EVERYONE');
    const submit = page.getByRole('button', { name: word(lang, 'posts.editor.submit'), exact: true });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await submit.click();
  } else {
    // The ferry post was submitted in the Estonian walk; it opens in the review view.
    await nav(lang, 'nav.home').click();
    await nav(lang, 'nav.posts').click();
    // The first filter shows every post.
    await page.locator('main .post-filter').first().click();
    await page.getByRole('button', { name: FERRY }).first().click();
  }
  const state = page.locator('main .post-header [data-testid="post-state"]');
  await expect.poll(() => state.textContent()).toContain(word(lang, 'posts.state.submitted'));
  await page.getByRole('button', { name: word(lang, 'posts.review.change') }).waitFor();
  await check('post review');

  await nav(lang, 'nav.audit').click();
  await page.locator('main .audit-table').waitFor();
  await check('audit log');

  await nav(lang, 'nav.staff').click();
  await page.locator('main .staff-table').waitFor();
  await check('staff');

  await nav(lang, 'nav.policy').click();
  await page.getByTestId('policy-source').waitFor();
  await check('policy');

  await nav(lang, 'nav.diagnostics').click();
  await heading(word(lang, 'diagnostics.title')).waitFor();
  await page.getByTestId('diagnostics-checked').waitFor();
  await check('diagnostics');

  await nav(lang, 'nav.feed').click();
  await heading(word(lang, 'feed.title')).waitFor();
  await check('feed');

  await page.getByRole('button', { name: word(lang, 'training.startTour') }).click();
  await page.getByTestId('tour').waitFor();
  await check('guided tour');
  await page.getByRole('button', { name: word(lang, 'tourCard.close') }).click();

  // The kiosk locks itself after the policy's idle time; here that time is simply passed.
  await core.staff.checkIdle(new Date(Date.now() + 24 * 3600_000));
  await heading(word(lang, 'signIn.lockedTitle')).waitFor();
  await check('locked screen');
  return problems;
}

describe('every screen in English and Estonian', () => {
  it('in Estonian: chosen on the sign-in screen, every screen in Estonian words with Estonian dates and numbers, and no serious axe finding', async () => {
    await heading(word('en', 'signIn.title')).waitFor();
    await chooseLanguage('et');
    await heading('Sisselogimine').waitFor();
    await page.screenshot({ path: await artifactPath('sign-in-et.png') });
    const problems = await walkEveryScreen('et');
    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((screen) => [screen, []])));

    // Words, dates and numbers on a few screens, read back after signing in again.
    await signIn('et', 'Tara Trainer');
    expect(await page.locator('.app-bar nav').textContent()).toContain('Avaleht');
    await nav('et', 'nav.audit').click();
    await heading('Tegevuslogi').waitFor();
    const when = (await page.locator('main .audit-table tbody time').first().textContent()) ?? '';
    // Estonian medium dates: "22. nov 2026, 14:18:33" (day first, a full stop, 24-hour time).
    expect(when).toMatch(/^\d{1,2}\. [a-zõäöüšž]+\.? \d{4},? \d{2}:\d{2}:\d{2}$/);
    await page.screenshot({ path: await artifactPath('audit-et.png'), fullPage: true });
    await nav('et', 'nav.policy').click();
    await heading('Reeglid').waitFor();
    const files = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: word('et', 'policy.labels.maxFiles'), exact: true }) });
    // Estonian groups thousands with a (no-break) space: "25 000 faili".
    expect((await files.getByRole('cell').first().textContent())?.replace(/\s/g, ' ')).toBe('25 000 faili');
    await nav('et', 'nav.library').click();
    const size = (await page.getByTestId('library-item').first().textContent()) ?? '';
    expect(size).toMatch(/Foto|Video/);
    expect(size).toMatch(/\d+(,\d)? (kB|MB|baiti)/);
    // What the import removed, said in Estonian with Estonian numbers; no line falls back to English.
    await expect.poll(async () => (await page.getByTestId('report').allTextContents()).join('\n')).toContain('Eemaldati GPS-asukoht 59,44° p.l., 24,77° i.p.');
    const reports = (await page.getByTestId('report').allTextContents()).join('\n');
    expect(reports).toContain('Eemaldati kaamera mark ja mudel (Apple iPhone 15 Pro)');
    expect(reports).toContain('Eemaldati autori nimi (Jane Fieldofficer)');
    expect(reports).not.toMatch(/removed|\bGPS position\b/);
    expect(await page.locator('main [data-testid="report"] details').count()).toBe(0);
    await page.screenshot({ path: await artifactPath('library-et.png'), fullPage: true });
    // The training sticks are described in Estonian too.
    expect(await page.locator(`[id$="-harbour-day"].training-stick__description`).textContent()).toBe(word('et', 'training.stick.harbour-day.description'));
    await signOut('et');
  }, 300_000);

  it('in English: every screen in English words and formats, and no serious axe finding', async () => {
    await chooseLanguage('en');
    await heading('Sign in').waitFor();
    const problems = await walkEveryScreen('en');
    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((screen) => [screen, []])));
    await signIn('en', 'Tara Trainer');
    await nav('en', 'nav.audit').click();
    const when = (await page.locator('main .audit-table tbody time').first().textContent()) ?? '';
    // English medium dates: "Nov 22, 2026, 2:18:33 PM".
    expect(when).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4},? \d{1,2}:\d{2}:\d{2}\s?[AP]M$/);
    await nav('en', 'nav.policy').click();
    const files = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: word('en', 'policy.labels.maxFiles'), exact: true }) });
    expect(await files.getByRole('cell').first().textContent()).toBe('25,000 files');
    await nav('en', 'nav.library').click();
    await expect.poll(async () => (await page.getByTestId('report').allTextContents()).join('\n')).toContain('GPS position 59.44 N, 24.77 E removed');
    await signOut('en');
  }, 300_000);

  it('remembers each person’s language: Tara keeps Estonian, Alex who never chose reads the sign-in screen’s', async () => {
    await signIn('en', 'Tara Trainer');
    await page.locator('.app-bar').getByRole('button', { name: 'Eesti', exact: true }).click();
    await nav('et', 'nav.home').waitFor();
    await signOut('et');
    // The sign-in screen keeps its own choice (English here), and so does Alex.
    await heading('Sign in').waitFor();
    await signIn('en', 'Alex Author');
    await nav('en', 'nav.home').waitFor();
    await signOut('en');
    await signIn('en', 'Tara Trainer');
    await nav('et', 'nav.home').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('et');
    await page.locator('.app-bar').getByRole('button', { name: 'English', exact: true }).click();
    await nav('en', 'nav.home').waitFor();
  }, 60_000);

  it('fits the top menu in one row at 1280 px in training mode, in both languages', async () => {
    for (const lang of ['en', 'et'] as const) {
      await page.locator('.app-bar').getByRole('button', { name: lang === 'et' ? 'Eesti' : 'English', exact: true }).click();
      await nav(lang, 'nav.feed').waitFor();
      const tops = await page.locator('.app-bar nav .nav__item').evaluateAll((items) => items.map((i) => Math.round(i.getBoundingClientRect().top)));
      expect(tops.length).toBeGreaterThanOrEqual(9);
      expect(new Set(tops).size).toBe(1);
      const bar = await page.locator('.app-bar').evaluate((b) => b.scrollWidth <= b.clientWidth);
      expect(bar).toBe(true);
    }
    await page.screenshot({ path: await artifactPath('app-bar-et.png'), clip: { x: 0, y: 0, width: 1280, height: 200 } });
    await page.locator('.app-bar').getByRole('button', { name: 'English', exact: true }).click();
    await nav('en', 'nav.home').waitFor();
  });

  it('gives every control a touch target of at least 44 by 44 px', async () => {
    const screens = ['nav.home', 'nav.import', 'nav.posts', 'nav.audit', 'nav.staff', 'nav.policy'];
    const small: string[] = [];
    for (const key of screens) {
      await nav('en', key).click();
      await expect.poll(() => nav('en', key).getAttribute('aria-current')).toBe('page');
      await page.locator('main h1').first().waitFor();
      small.push(
        ...(await page.locator('button:visible, select:visible, summary:visible, a[href]:visible, input:not([type="radio"]):not([type="checkbox"]):not([type="hidden"]):visible').evaluateAll((els) =>
          els
            .filter((el) => !el.closest('[hidden], .visually-hidden, .offscreen-label'))
            // A control stretched over its row with ::after (a post in the list) is as big as the row.
            .map((el) => ({ el, r: (getComputedStyle(el, '::after').position === 'absolute' && el.parentElement?.closest('li, [role="row"], div') ? el.parentElement.closest('li, [role="row"], div')! : el).getBoundingClientRect() }))
            .filter(({ r }) => r.width > 0 && (r.width < 44 || r.height < 44))
            .map(({ el, r }) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}" ${Math.round(r.width)}×${Math.round(r.height)}`),
        )),
      );
    }
    expect([...new Set(small)]).toEqual([]);
  }, 60_000);

  it('keeps focus rings and status words under forced colours, more contrast and reduced motion', async () => {
    await page.emulateMedia({ forcedColors: 'active', contrast: 'more', reducedMotion: 'reduce' });
    try {
      await nav('en', 'nav.posts').click();
      await page.locator('main [data-testid="post-state"]').first().waitFor();
      // Status chips say their state in words, not by colour alone.
      const chips = await page.locator('main [data-testid="post-state"]').allTextContents();
      expect(chips.length).toBeGreaterThan(0);
      for (const chip of chips) expect(chip.trim()).toMatch(/\p{L}{3,}/u);
      // A keyboard user sees where focus is.
      await page.locator('.app-bar nav .nav__item').first().focus();
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
      });
      expect(ring.style).not.toBe('none');
      expect(ring.width).toBeGreaterThanOrEqual(2);
      // Nothing moves: transitions and animations are off.
      const moving = await page.evaluate(() => [...document.querySelectorAll('*')].filter((el) => parseFloat(getComputedStyle(el).transitionDuration) > 0 || getComputedStyle(el).animationName !== 'none').length);
      expect(moving).toBe(0);
      expect(await seriousA11yProblems()).toEqual([]);
    } finally {
      await page.emulateMedia({ forcedColors: null, contrast: null, reducedMotion: null });
    }
  }, 60_000);
});

describe('a policy that sets the language', () => {
  it('shows every screen in that language and offers no switch', async () => {
    const fixed = await startTestShell({ policy: { policyVersion: 1, kioskName: 'Vastuvõtt', language: 'et' } });
    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await other.goto(fixed.shell.url);
      await other.locator('.app-bar nav').getByRole('button', { name: 'Avaleht', exact: true }).waitFor();
      expect(await other.evaluate(() => document.documentElement.lang)).toBe('et');
      expect(await other.getByRole('group', { name: 'Keel' }).count()).toBe(0);
      expect(await other.getByRole('button', { name: 'English', exact: true }).count()).toBe(0);
      const refused = await fixed.core.call('prefs.set', { key: 'language', value: 'en' });
      expect(refused).toMatchObject({ ok: false, error: { code: 'prefs.language-fixed' } });
    } finally {
      await other.close();
      await fixed.stop();
    }
  });
});
