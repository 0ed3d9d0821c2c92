// The installed app as IT's `airlock` command: which arguments make a command rather than a
// kiosk start, that policy and audit commands run in-process with the same results as the
// development command, and that the corporate-side tools and the browser shell are not in it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../electron/cli/command.ts';
import { appCliArgs, runAppCli } from '../../../electron/main/app-cli.ts';

function captureIO(cwd: string): CliIO & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), cwd, env: {}, stdout: () => out, stderr: () => err };
}

describe('appCliArgs', () => {
  it.each([
    [['/opt/Airlock/airlock'], false, null],
    [['/opt/Airlock/airlock', '--no-sandbox'], false, null],
    [['/opt/Airlock/airlock', '--enable-logging', 'policy'], false, null],
    [['/opt/Airlock/airlock', 'policy', 'check', '/etc/airlock/policy.json'], false, ['policy', 'check', '/etc/airlock/policy.json']],
    [['/opt/Airlock/airlock', '--version'], false, ['--version']],
    [['/usr/bin/electron', '/src/airlock'], true, null],
    [['/usr/bin/electron', '/src/airlock', 'audit', 'verify'], true, ['audit', 'verify']],
  ] as const)('%j (default app: %s) → %j', (argv, defaultApp, expected) => {
    expect(appCliArgs(argv, defaultApp)).toEqual(expected);
  });
});

describe('runAppCli', () => {
  it('checks a policy file like the development command, with JSON paths', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-app-cli-'));
    await writeFile(path.join(dir, 'good.json'), JSON.stringify({ policyVersion: 1, kioskName: 'Front desk' }));
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ policyVersion: 1, network: { allowedPrivateRanges: ['169.254.0.0/16'] } }));
    const good = captureIO(dir);
    expect(await runAppCli(['policy', 'check', 'good.json'], good)).toBe(0);
    expect(good.stdout()).toContain('Front desk');
    const bad = captureIO(dir);
    expect(await runAppCli(['policy', 'check', 'bad.json'], bad)).toBe(1);
    expect(bad.stdout() + bad.stderr()).toContain('$.network.allowedPrivateRanges[0]');
  });

  it('lists only the kiosk commands, and refuses the corporate-side tools and the browser shell', async () => {
    const help = captureIO(os.tmpdir());
    expect(await runAppCli(['--help'], help)).toBe(0);
    expect(help.stdout()).toMatch(/Usage: Airlock <command>/);
    expect(help.stdout()).toMatch(/^ {2}policy /m);
    expect(help.stdout()).toMatch(/^ {2}audit /m);
    expect(help.stdout()).toMatch(/^ {2}credentials /m);
    for (const absent of ['serve', 'pack', 'keygen', 'verify', 'import', 'scan']) {
      expect(help.stdout()).not.toMatch(new RegExp(`^ {2}${absent} `, 'm'));
      const io = captureIO(os.tmpdir());
      expect(await runAppCli([absent], io)).toBe(2);
      expect(io.stderr()).toContain(`unknown command "${absent}"`);
    }
  });

  it('is built into the Electron main bundle, without the packer or the browser shell', () => {
    const main = readFileSync(path.resolve(import.meta.dirname, '../../../dist/electron/main.js'), 'utf8');
    expect(main).toContain('Check a kiosk policy file and explain every problem');
    expect(main).not.toContain('Build a signed content package for the kiosk');
    expect(main).not.toContain('Create a key pair for signing content packages');
  });
});
