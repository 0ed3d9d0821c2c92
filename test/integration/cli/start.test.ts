// `npm start` on a machine without the Electron binary: one line says why, then the browser
// shell serves Airlock and prints its address (no display here, so no window opens).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with `npm start`
import { electronBinary } from '../../../scripts/electron-binary.mjs';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
const hasElectron = (electronBinary as () => string | null)() !== null;
if (hasElectron) console.log('SKIPPED start fallback: this machine has the Electron binary, so npm start opens the real app instead.');

describe('npm start', () => {
  it.skipIf(hasElectron)('falls back to the browser shell with one clear line, and serves the app', async () => {
    const child = spawn(process.execPath, ['scripts/start.mjs', '--no-open', '--port', '0'], { cwd: projectRoot, env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '', AIRLOCK_SKIP_BUILD: '1' } });
    let output = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /browser shell: (http:\/\/127\.0\.0\.1:\d+\/#key=\S+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`npm start exited early (${code}): ${output}`)));
      });
      expect(output).toMatch(/^Airlock: the Electron binary is not installed .*browser shell opens instead\.$/m);
      const page = await fetch(new URL(url).origin + '/');
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
