// The same home-screen check as home.test.ts, through Playwright's Electron launcher against
// the real Electron shell. It needs the Electron binary, which is downloaded at install time;
// where that download was impossible the test is skipped and says so.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with `npm start`
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { artifactPath } from '../support/chromium.ts';

const binary = (electronBinary as () => string | null)();
const projectRoot = path.resolve(import.meta.dirname, '../..');

if (!binary) {
  console.log('SKIPPED electron-home: the Electron binary is not installed on this machine (its download host is unreachable); the browser-shell e2e covers the same screen.');
}

describe('home screen in the Electron shell', () => {
  it.skipIf(!binary)('shows the Electron shell, the version and the policy', async () => {
    expect(existsSync(path.join(projectRoot, 'dist/electron/main.js'))).toBe(true);
    const app = await electron.launch({ executablePath: binary!, args: [projectRoot], env: { ...process.env, AIRLOCK_POLICY: '/nonexistent/policy.json' } });
    try {
      const page = await app.firstWindow();
      await expect.poll(() => page.getByTestId('shell').textContent()).toBe('Airlock desktop app');
      expect(page.url()).toBe('app://airlock/index.html');
      expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      await page.screenshot({ path: await artifactPath('home-electron.png') });
    } finally {
      await app.close();
    }
  });
});
