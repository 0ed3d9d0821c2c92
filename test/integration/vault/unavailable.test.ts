// When there is no usable Secret Service (no D-Bus, no provider on the bus, a locked keyring) the
// vault says so and refuses every write with vault.unavailable; nothing lands in a file or in the
// kernel keyring. Each case runs in a child process because the native keyring binds to one bus per process.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { startKeyringSession } from '../../support/keyring-session.ts';
import type { KeyringSession } from '../../support/keyring-session.ts';
import { filesContaining, listFiles } from './plaintext-scan.ts';

const CHILD = fileURLToPath(new URL('./store-child.ts', import.meta.url));
const SECRET = 'act.never-stored-0123456789abcdef';

type Outcome = { ok: true; value: unknown } | { ok: false; error: AirlockErrorValue };
interface ChildReport {
  probe: { available: boolean; backend: string; problem?: AirlockErrorValue };
  set: Outcome;
  get: Outcome;
  saveAccount: Outcome;
  signingKey: Outcome;
  kernelKeyring: Outcome;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-vault-child-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function session(mode: 'unlocked' | 'locked' | 'none'): Promise<KeyringSession> {
  const started = await startKeyringSession({ secretService: mode, setProcessEnv: false });
  cleanups.push(() => started.stop());
  return started;
}

function runChild(env: Record<string, string>, cwd: string, service: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, service, SECRET], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`store child exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out) as ChildReport);
      } catch {
        reject(new Error(`store child printed no report: ${out} ${err}`));
      }
    });
  });
}

function expectRefused(report: ChildReport): void {
  expect(report.probe.available).toBe(false);
  expect(report.probe.backend).toBe('secret-service');
  expect(report.probe.problem?.code).toBe('vault.unavailable');
  expect(report.probe.problem?.message).toMatch(/^This kiosk has no secure password store, so accounts cannot be connected\. Ask IT to /);
  for (const write of [report.set, report.saveAccount, report.signingKey]) {
    expect(write).toMatchObject({ ok: false, error: { code: 'vault.unavailable' } });
  }
  expect(report.get).not.toMatchObject({ ok: true, value: SECRET });
  // Not silently filed in the kernel keyring either, which is where the unpinned default goes.
  expect(report.kernelKeyring).not.toMatchObject({ ok: true, value: SECRET });
  expect(JSON.stringify(report)).not.toContain(SECRET);
}

describe('Vault without a usable Secret Service', () => {
  it('refuses when the D-Bus session bus does not exist, and writes no file', async () => {
    const home = await tempDir();
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_RUNTIME_DIR: home,
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(home, 'no-such-bus')}`,
    };
    const report = await runChild(env, home, 'Airlock-test-nobus');
    expectRefused(report);
    expect(report.probe.problem?.detail).toMatch(/no-such-bus/);
    expect(await listFiles(home)).toEqual([]);
  });

  it('refuses when the bus runs but nothing provides Secret Service', async () => {
    const bus = await session('none');
    const cwd = await tempDir();
    const report = await runChild(bus.env, cwd, 'Airlock-test-nosvc');
    expectRefused(report);
    expect(await listFiles(cwd)).toEqual([]);
    expect(await filesContaining(bus.home, SECRET)).toEqual([]);
  });

  it('refuses when the keyring is locked and no one can unlock it', async () => {
    const locked = await session('locked');
    const cwd = await tempDir();
    const report = await runChild(locked.env, cwd, 'Airlock-test-locked');
    expectRefused(report);
    expect(await listFiles(cwd)).toEqual([]);
    expect(await filesContaining(locked.home, SECRET)).toEqual([]);
  });

  it('works in the same child harness once the keyring is unlocked (the control case)', async () => {
    const unlocked = await session('unlocked');
    const cwd = await tempDir();
    const report = await runChild(unlocked.env, cwd, 'Airlock-test-control');
    expect(report.probe).toEqual({ available: true, backend: 'secret-service' });
    expect(report.set).toEqual({ ok: true });
    expect(report.get).toEqual({ ok: true, value: SECRET });
    expect(report.saveAccount).toEqual({ ok: true });
    expect(report.signingKey).toMatchObject({ ok: true, value: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----/) });
    expect(report.kernelKeyring).toEqual({ ok: true, value: null });
    expect(await listFiles(cwd)).toEqual([]);
    expect(await filesContaining(unlocked.home, SECRET)).toEqual([]);
  });
});
