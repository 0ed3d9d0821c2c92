// Opens the browser shell's address in Chromium's --app mode (a window without tabs or an
// address bar), when there is a display to open it on.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(env: Record<string, string | undefined> = process.env): string | null {
  const configured = env.AIRLOCK_CHROMIUM;
  if (configured && existsSync(configured)) return configured;
  return CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

export function hasDisplay(env: Record<string, string | undefined> = process.env, platform = process.platform): boolean {
  if (platform === 'win32' || platform === 'darwin') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export type OpenOutcome = { opened: true; browser: string } | { opened: false; reason: string };

export function openAppWindow(url: string, env: Record<string, string | undefined> = process.env): OpenOutcome {
  if (!hasDisplay(env)) return { opened: false, reason: 'there is no display to open a window on' };
  const browser = findChromium(env);
  if (browser === null) return { opened: false, reason: 'Chromium is not installed' };
  const profile = mkdtempSync(path.join(os.tmpdir(), 'airlock-shell-'));
  const child = spawn(
    browser,
    [
      `--app=${url}`,
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--window-size=1280,860',
    ],
    { stdio: 'ignore', detached: true },
  );
  child.unref();
  return { opened: true, browser };
}
