// A real Secret Service for tests: a private D-Bus session bus and gnome-keyring-daemon, both with
// HOME and the XDG folders in a fresh temp dir, so tests never see or touch the developer's own
// keyring or bus. @napi-rs/keyring connects once per process, so use one session per test file.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface KeyringSession {
  /** Environment for child processes that should use this keyring (PATH, HOME, XDG_*, DBUS_SESSION_BUS_ADDRESS). */
  env: Record<string, string>;
  home: string;
  /** Where gnome-keyring keeps its (encrypted) keyring files. */
  keyringDir: string;
  busAddress: string;
  /** Stops both daemons, removes the temp dir and restores DBUS_SESSION_BUS_ADDRESS. Safe to call twice. */
  stop(): Promise<void>;
}

export interface KeyringSessionOptions {
  /** Password the login keyring is created and unlocked with. */
  password?: string;
  /** Give up waiting for the daemons after this long. Default 10 s. */
  timeoutMs?: number;
  /** Point this process's DBUS_SESSION_BUS_ADDRESS at the new bus (default true). */
  setProcessEnv?: boolean;
  /**
   * `unlocked` (default): a login keyring created and unlocked with the password.
   * `locked`: that keyring exists but the daemon was restarted without the password.
   * `none`: the bus runs but nothing provides Secret Service.
   */
  secretService?: 'unlocked' | 'locked' | 'none';
}

export class KeyringSessionError extends Error {
  override name = 'KeyringSessionError';
}

const REQUIRED: ReadonlyArray<readonly [binary: string, debianPackage: string]> = [
  ['dbus-daemon', 'dbus'],
  ['dbus-send', 'dbus'],
  ['gnome-keyring-daemon', 'gnome-keyring'],
  ['secret-tool', 'libsecret-tools'],
];

// Set in process.env (which survives vitest's module re-imports) once a session has pointed this
// process at a bus: the native keyring keeps that first connection, so a second session here
// would silently talk to a dead bus.
const USED_MARKER = 'AIRLOCK_TEST_KEYRING_SESSION_PID';

export async function startKeyringSession(options: KeyringSessionOptions = {}): Promise<KeyringSession> {
  if (process.platform !== 'linux') throw new KeyringSessionError('The keyring test session needs Linux (D-Bus and gnome-keyring).');
  const setProcessEnv = options.setProcessEnv ?? true;
  if (setProcessEnv && process.env[USED_MARKER] === String(process.pid)) {
    throw new KeyringSessionError('A keyring session already ran in this process; @napi-rs/keyring keeps its first D-Bus connection, so start one session per test file.');
  }
  await requireBinaries();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const home = await mkdtemp(path.join(os.tmpdir(), 'airlock-keyring-'));
  const children: ChildProcess[] = [];
  const previousAddress = process.env.DBUS_SESSION_BUS_ADDRESS;
  let stopped = false;
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killAll);
    // The keyring daemon first, so it does not see its bus vanish and try to restart anything.
    for (const child of [...children].reverse()) await terminate(child);
    if (setProcessEnv) {
      if (previousAddress === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = previousAddress;
    }
    await rm(home, { recursive: true, force: true });
  };

  try {
    const runtimeDir = path.join(home, 'run');
    const dirs = { XDG_DATA_HOME: '.local/share', XDG_CONFIG_HOME: '.config', XDG_CACHE_HOME: '.cache', XDG_RUNTIME_DIR: 'run' };
    for (const dir of Object.values(dirs)) await mkdir(path.join(home, dir), { recursive: true, mode: 0o700 });
    // A clean environment: no DISPLAY (no unlock prompts), no inherited bus, no real HOME.
    const base: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      ...Object.fromEntries(Object.entries(dirs).map(([name, dir]) => [name, path.join(home, dir)])),
    };

    // Our own bus configuration: the stock session.conf would start a second gnome-keyring or an
    // unlock prompter by D-Bus activation, behind the test's back.
    const config = path.join(home, 'bus.conf');
    await writeFile(config, busConfig(path.join(runtimeDir, 'bus')), { mode: 0o600 });
    const bus = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--nopidfile', '--print-address=1'], {
      env: base,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(bus);
    const busAddress = await firstLine(bus, 'dbus-daemon', timeoutMs);
    const env = { ...base, DBUS_SESSION_BUS_ADDRESS: busAddress };

    const mode = options.secretService ?? 'unlocked';
    if (mode !== 'none') {
      const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env, stdio: ['pipe', 'ignore', 'pipe'] });
      children.push(keyring);
      // --unlock reads the password from stdin up to EOF; a new login keyring is created with it.
      keyring.stdin?.end(options.password ?? 'airlock-test');
      await waitForSecretsOwner(env, keyring, collect(keyring), true, timeoutMs);
    }
    if (mode === 'locked') {
      const first = children.pop() as ChildProcess;
      await terminate(first);
      await waitForSecretsOwner(env, null, () => '', false, timeoutMs);
      const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--components=secrets'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(keyring);
      await waitForSecretsOwner(env, keyring, collect(keyring), true, timeoutMs);
    }

    if (setProcessEnv) {
      process.env.DBUS_SESSION_BUS_ADDRESS = busAddress;
      process.env[USED_MARKER] = String(process.pid);
    }
    return { env, home, keyringDir: path.join(home, dirs.XDG_DATA_HOME, 'keyrings'), busAddress, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function requireBinaries(): Promise<void> {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const missing: string[] = [];
  for (const [binary, pkg] of REQUIRED) {
    let found = false;
    for (const dir of dirs) {
      try {
        await access(path.join(dir, binary), constants.X_OK);
        found = true;
        break;
      } catch {
        // Not in this PATH entry; try the next.
      }
    }
    if (!found) missing.push(`${binary} (Debian package ${pkg})`);
  }
  if (missing.length > 0) {
    throw new KeyringSessionError(
      `The keyring tests need a real Secret Service, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. Install them with: apt-get install -y --no-install-recommends dbus gnome-keyring libsecret-tools`,
    );
  }
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (text.length < 8192) text += chunk;
  });
  return () => text.trim();
}

function firstLine(child: ChildProcess, name: string, timeoutMs: number): Promise<string> {
  const stderr = collect(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string): void => {
      cleanup();
      reject(new KeyringSessionError(`${name} ${why}${stderr() ? `: ${stderr()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`printed no bus address within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      cleanup();
      resolve(out.slice(0, newline).trim());
    };
    const onExit = (code: number | null, signal: string | null): void => fail(`exited (${signal ?? code}) before printing its address`);
    const onError = (err: Error): void => fail(`could not start (${err.message})`);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

async function waitForSecretsOwner(env: Record<string, string>, keyring: ChildProcess | null, stderr: () => string, owned: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (keyring && (keyring.exitCode !== null || keyring.signalCode !== null)) {
      throw new KeyringSessionError(`gnome-keyring-daemon exited (${keyring.signalCode ?? keyring.exitCode}) before taking org.freedesktop.secrets: ${stderr()}`);
    }
    const { stdout } = await execFileAsync(
      'dbus-send',
      ['--session', '--dest=org.freedesktop.DBus', '--type=method_call', '--print-reply', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'],
      { env, timeout: 5_000 },
    );
    if (/boolean true/.test(stdout) === owned) return;
    if (Date.now() > deadline) throw new KeyringSessionError(`org.freedesktop.secrets ${owned ? 'had no owner' : 'kept its owner'} after ${timeoutMs} ms: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}
