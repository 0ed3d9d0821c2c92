// Launches Debian's Chromium through playwright-core for end-to-end tests. Playwright cannot
// download its own browsers here, and the background-networking switches keep Chromium from
// calling home, so the only traffic is to the shell on 127.0.0.1.
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.AIRLOCK_CHROMIUM ?? '/usr/bin/chromium';

export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../artifacts');

export async function launchChromium(): Promise<Browser> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'airlock-chromium-home-'));
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-default-apps',
      '--disable-domain-reliability',
      '--no-pings',
    ],
    env: { ...process.env, HOME: home },
  });
}

export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}
