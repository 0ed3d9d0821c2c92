// Checks what `npm run build` produces for the Electron shell: a sandbox-compatible preload
// that can only require 'electron', and a main bundle with no trace of the browser shell.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = path.resolve(import.meta.dirname, '../../../dist/electron');

describe('Electron build output', () => {
  it('builds a single-file CommonJS preload that requires nothing but electron', () => {
    const preload = readFileSync(path.join(dist, 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("airlock"');
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
  });

  it('builds the database and sanitiser workers as files of their own', () => {
    for (const worker of ['store-worker.js', 'sanitize-worker.js']) {
      const code = readFileSync(path.join(dist, worker), 'utf8');
      expect(code).toMatch(/parentPort/);
      expect(code).not.toMatch(/from ["']electron["']/);
    }
  });

  it('builds a main process that never includes the browser shell', () => {
    const main = readFileSync(path.join(dist, 'main.js'), 'utf8');
    expect(main).toContain('sandbox: true');
    expect(main).toContain('contextIsolation: true');
    expect(main).toContain('nodeIntegration: false');
    expect(main).not.toMatch(/startBrowserShell|_airlock\/api|electron\/host/);
  });
});
