// Packages the built app with the real electron-builder and build/electron-builder.json, then
// reads the packaged app.asar to check what the installers would ship. The Electron binary
// cannot be downloaded on these machines, so `electronDist` points at a stand-in folder holding
// an executable named `electron` (for Linux, electron-builder only copies that folder and renames
// the file). Nothing is downloaded: every cache points into a fresh folder that must stay empty,
// and any proxied request would go to a closed loopback port.
//
// The fuses are left out of this one run only: flipping them rewrites a sentinel inside the real
// Electron binary, which the stand-in does not have (build/electron-builder.json keeps them,
// and electron-builder-config.test.ts validates them). Needs `npm run build` first.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { extractFile, listPackage, statFile } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const STAND_IN = '#!/bin/sh\necho "Electron stand-in for the packaging test; not an Electron binary" >&2\nexit 1\n';

let work = '';
let appOut = '';
let archive = '';
let entries: string[] = [];
let builderLog = '';

/** The native add-ons the app loads on Linux; they must sit outside the archive to be loadable. */
const nativeAddons = (arch: string): RegExp[] => [
  new RegExp(`^node_modules/better-sqlite3/prebuilds/linux-${arch}\\.node$`),
  new RegExp(`^node_modules/@img/sharp-linux-${arch}/lib/sharp-linux-${arch}-[0-9.]+\\.node$`),
  new RegExp(`^node_modules/@napi-rs/keyring-linux-${arch}-gnu/keyring\\.linux-${arch}-gnu\\.node$`),
];

beforeAll(async () => {
  for (const built of [pkg.main, 'dist/electron/preload.cjs', 'dist/renderer/index.html']) {
    if (!existsSync(path.join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` before this test.`);
  }
  work = await mkdtemp(path.join(tmpdir(), 'airlock-packaging-'));
  const standIn = path.join(work, 'electron-dist');
  await mkdir(standIn);
  await writeFile(path.join(standIn, 'electron'), STAND_IN);
  await chmod(path.join(standIn, 'electron'), 0o755);

  const config = JSON.parse(await readFile(path.join(root, 'build/electron-builder.json'), 'utf8')) as Record<string, unknown>;
  delete config.electronFuses;
  const configFile = path.join(work, 'electron-builder.json');
  await writeFile(configFile, JSON.stringify(config));

  const cache = path.join(work, 'cache');
  const noProxy = 'http://127.0.0.1:9';
  const cli = path.join(root, 'node_modules/electron-builder/cli.js');
  const args = [cli, '--linux', 'dir', '--dir', '--config', configFile, `-c.electronDist=${standIn}`, `-c.directories.output=${path.join(work, 'out')}`];
  // electron-builder goes quiet when it sees it runs under Vitest; its log is checked below.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const env = {
    ...inherited,
    ELECTRON_BUILDER_CACHE: cache,
    ELECTRON_CACHE: cache,
    HTTP_PROXY: noProxy,
    HTTPS_PROXY: noProxy,
    ALL_PROXY: noProxy,
    GLOBAL_AGENT_HTTP_PROXY: noProxy,
    GLOBAL_AGENT_HTTPS_PROXY: noProxy,
    ELECTRON_GET_USE_PROXY: '1',
    npm_config_offline: 'true',
  };
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: root, env, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 });
    builderLog = stripVTControlCharacters(stdout + stderr);
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`electron-builder failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`, { cause: err });
  }
  expect(existsSync(cache) ? await readdir(cache) : [], 'electron-builder downloaded something').toEqual([]);

  appOut = path.join(work, 'out', process.arch === 'x64' ? 'linux-unpacked' : `linux-${process.arch}-unpacked`);
  archive = path.join(appOut, 'resources', 'app.asar');
  entries = listPackage(archive, { isPack: false }).map((entry) => entry.replace(/^[/\\]/, '').split(path.sep).join('/'));
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const files = (): string[] => entries.filter((entry) => !('files' in statFile(archive, entry)));
const text = (entry: string): string => extractFile(archive, entry).toString('utf8');

describe('the packaged app (electron-builder --dir with a stand-in Electron)', () => {
  it('used the stand-in and the project config, and downloaded nothing', async () => {
    expect(builderLog).toContain('using custom unpacked Electron distribution');
    expect(builderLog).toContain('skipped dependencies rebuild');
    expect(builderLog).not.toMatch(/download/i);
    // The stand-in became the app's executable, named after the package.
    expect(await readFile(path.join(appOut, pkg.name), 'utf8')).toBe(STAND_IN);
  });

  it('ships the policy schema and example beside the app for IT, as they are in build/', async () => {
    const resources = (await readdir(path.join(appOut, 'resources'))).sort();
    expect(resources).toEqual(['app.asar', 'app.asar.unpacked', 'policy.example.json', 'policy.schema.json']);
    for (const name of ['policy.schema.json', 'policy.example.json']) {
      expect(await readFile(path.join(appOut, 'resources', name), 'utf8')).toBe(await readFile(path.join(root, 'build', name), 'utf8'));
    }
  });

  it('holds the built main process, preload, workers and renderer, and the package.json that points at them', () => {
    for (const wanted of ['package.json', 'dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/electron/store-worker.js', 'dist/electron/sanitize-worker.js', 'dist/renderer/index.html']) {
      expect(entries, wanted).toContain(wanted);
    }
    const packaged = JSON.parse(text('package.json')) as { main: string; name: string };
    expect(packaged.name).toBe(pkg.name);
    expect(entries).toContain(packaged.main);
    // Every chunk the main process imports is there.
    for (const entry of entries.filter((e) => e.startsWith('dist/electron/') && e.endsWith('.js'))) {
      for (const [, chunk] of text(entry).matchAll(/from\s+["'](\.{1,2}\/[^"']+)["']/g)) {
        expect(entries, `${entry} imports ${chunk}`).toContain(path.posix.join(path.posix.dirname(entry), chunk!));
      }
    }
    // Every script, stylesheet and icon the renderer's page loads is there.
    const html = text('dist/renderer/index.html');
    const refs = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => `dist/renderer/${m[1]}`);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) expect(entries, ref).toContain(ref);
  });

  it('holds training mode and its sample video where the main process looks for them (the app path)', () => {
    expect(entries).toContain('assets/demo/ferry.mp4');
    // Demo mode is packaged deliberately (the policy turns it on), simulators included.
    const main = entries.filter((e) => e.startsWith('dist/electron/') && e.endsWith('.js')).map(text).join('\n');
    expect(main).toMatch(/^\/\/ electron\/services\/training\/training-service\.ts$/m);
  });

  it('holds every production dependency, with the native add-ons unpacked beside the archive', async () => {
    for (const name of Object.keys(pkg.dependencies)) expect(entries, name).toContain(`node_modules/${name}/package.json`);
    for (const pattern of nativeAddons(process.arch)) {
      const addon = entries.find((e) => pattern.test(e));
      expect(addon, String(pattern)).toBeDefined();
      expect((statFile(archive, addon!) as { unpacked?: boolean }).unpacked, `${addon} is unpacked`).toBe(true);
      expect((await stat(path.join(appOut, 'resources', 'app.asar.unpacked', addon!))).size).toBeGreaterThan(0);
    }
    // sharp loads its libvips from files, so the whole of sharp and @img is unpacked.
    expect(existsSync(path.join(appOut, 'resources', 'app.asar.unpacked', 'node_modules', 'sharp', 'package.json'))).toBe(true);
  });

  it('never holds sources, tests, source maps, the browser shell, tooling, secrets or development packages', () => {
    const topLevel = new Set(entries.map((e) => e.split('/')[0]));
    expect([...topLevel].sort()).toEqual(['assets', 'dist', 'node_modules', 'package.json']);
    expect(entries.filter((e) => e.startsWith('dist/') && !/^dist\/(electron|renderer)(\/|$)/.test(e))).toEqual([]);
    expect(entries.filter((e) => e.startsWith('assets/') && !/^assets\/(demo(\/|$)|icon\.(png|svg)$)/.test(e))).toEqual([]);

    const all = files();
    expect(all.filter((e) => /\.(ts|mts|cts|tsx)$/.test(e)), 'TypeScript sources').toEqual([]);
    expect(all.filter((e) => /\.map$/.test(e)), 'source maps').toEqual([]);
    expect(all.filter((e) => /(^|\/)\.env(\.|$)|(^|\/)\.npmrc$|\.(pem|key|p12|pfx)$|(^|\/)id_(rsa|ecdsa|ed25519)$/.test(e)), 'secrets').toEqual([]);
    expect(all.filter((e) => /(^|\/)(package-lock\.json|electron-builder\.json)$/.test(e))).toEqual([]);

    // The browser shell (electron/host) is not bundled into any packaged script.
    for (const entry of all.filter((e) => e.startsWith('dist/') && /\.(c?js)$/.test(e))) {
      const code = text(entry);
      expect(code, entry).not.toMatch(/^\/\/ electron\/host\//m);
      expect(code, entry).not.toMatch(/startBrowserShell/);
    }

    for (const dev of Object.keys(pkg.devDependencies)) {
      if (dev in pkg.dependencies) continue;
      expect(entries, `development package ${dev}`).not.toContain(`node_modules/${dev}`);
    }
  });
});
