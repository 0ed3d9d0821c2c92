// Real FAT sticks for tests: images built with dosfstools + mtools and mounted read-only through
// FUSE (fusefat), because the kernel's loop mount is not available where tests run. Reading
// through a real FAT driver catches what a plain folder hides: 8.3 names, case folding, no links.

import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type FatEntry = { path: string; content: string | Uint8Array } | { path: string; directory: true };

export interface FatImage {
  /** The image file. */
  path: string;
  /** Deletes the image and its staging folder. */
  cleanup(): Promise<void>;
}

export interface MountedVolume {
  /** Where the image is mounted (read-only). */
  dir: string;
  /** Clean unmount; waits for the FUSE daemon to exit and removes the mount point. Idempotent. */
  unmount(): Promise<void>;
  /**
   * Simulates pulling the stick: kills the FUSE daemon at once (before the returned promise's
   * first await), so every read on the volume, including reads on already open files, fails
   * with ENOTCONN. The promise settles once the dead mount is detached. Safe to call from a
   * synchronous progress callback.
   */
  pull(): Promise<void>;
}

const TOOLS = ['/usr/sbin/mkfs.vfat', '/usr/bin/mcopy', '/usr/bin/mmd', '/usr/bin/fusefat', '/usr/bin/fusermount'];

// mtools converts names with the locale's charset: UTF-8, so bidi and other Unicode names land
// on the stick as a Windows machine would write them. MTOOLS_SKIP_CHECK stops it refusing
// images whose geometry does not look like a floppy.
const MTOOLS_ENV = { ...process.env, LC_ALL: 'C.UTF-8', MTOOLS_SKIP_CHECK: '1' };

/** Throws a clear message when the machine lacks the tools, instead of a cryptic spawn error. */
export function requireFatTools(): void {
  const missing = TOOLS.filter((tool) => !existsSync(tool));
  if (!existsSync('/dev/fuse')) missing.push('/dev/fuse');
  if (missing.length > 0) {
    throw new Error(`FAT image tests need dosfstools, mtools and fusefat (missing: ${missing.join(', ')})`);
  }
}

/**
 * Builds a FAT image holding `entries` (paths with forward slashes, relative to the stick's
 * root). Folders are made with mmd, files copied with mcopy; parent folders are implied.
 */
export async function makeFatImage(
  entries: FatEntry[] | Record<string, string | Uint8Array>,
  options: { sizeKb?: number; label?: string } = {},
): Promise<FatImage> {
  requireFatTools();
  const list: FatEntry[] = Array.isArray(entries)
    ? entries
    : Object.entries(entries).map(([path, content]) => ({ path, content }));
  const work = await mkdtemp(join(tmpdir(), 'airlock-fat-'));
  const staging = join(work, 'staging');
  const image = join(work, 'stick.img');
  try {
    const folders = new Set<string>();
    const filesByFolder = new Map<string, string[]>();
    let payload = 0;
    for (const entry of list) {
      const path = normalise(entry.path);
      for (let parent = posix.dirname(path); parent !== '.'; parent = posix.dirname(parent)) folders.add(parent);
      if ('directory' in entry) {
        folders.add(path);
        continue;
      }
      const local = join(staging, ...path.split('/'));
      await mkdir(dirname(local), { recursive: true });
      const content = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content;
      await writeFile(local, content);
      payload += content.length;
      const folder = posix.dirname(path);
      filesByFolder.set(folder, [...(filesByFolder.get(folder) ?? []), local]);
    }

    // Room for the data, cluster slack per file, and the FAT structures themselves.
    const sizeKb = options.sizeKb ?? Math.max(2048, Math.ceil((payload * 1.1) / 1024) + list.length * 8 + 1024);
    await run('mkfs.vfat', ['-C', ...(options.label ? ['-n', options.label] : []), image, String(sizeKb)], {
      env: MTOOLS_ENV,
    });

    const ordered = [...folders].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
    for (const folder of ordered) {
      await mtools('mmd', ['-i', image, `::/${folder}`]);
    }
    for (const [folder, files] of filesByFolder) {
      const target = folder === '.' ? '::/' : `::/${folder}/`;
      // One mcopy per folder keeps process spawns low; chunks keep argv short.
      for (let i = 0; i < files.length; i += 200) {
        await mtools('mcopy', ['-i', image, '-D', 'o', ...files.slice(i, i + 200), target]);
      }
    }
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
  await rm(staging, { recursive: true, force: true });
  return {
    path: image,
    cleanup: () => rm(work, { recursive: true, force: true }),
  };
}

async function mtools(tool: string, args: string[]): Promise<void> {
  try {
    await run(tool, args, { env: MTOOLS_ENV });
  } catch (err) {
    const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : '';
    throw new Error(`${tool} ${args.join(' ')} failed: ${stderr || String(err)}`, { cause: err });
  }
}

function normalise(path: string): string {
  const clean = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (clean === '' || clean.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`bad FAT entry path: ${JSON.stringify(path)}`);
  }
  return clean;
}

// ---------------------------------------------------------------------------------------------
// Mounting

const live = new Set<{ dir: string; child: ChildProcess }>();
let exitHookInstalled = false;

// A test run that crashes must not leave FUSE mounts behind on a shared machine.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const mount of live) {
      try {
        mount.child.kill('SIGKILL');
      } catch {
        // already gone
      }
      try {
        execFileSync('fusermount', ['-u', '-z', mount.dir], { stdio: 'ignore' });
      } catch {
        // not mounted any more
      }
    }
  });
}

/** Mounts a FAT image read-only in a fresh temp folder and waits until it is really mounted. */
export async function mountReadOnly(
  image: string | FatImage,
  options: { timeoutMs?: number } = {},
): Promise<MountedVolume> {
  requireFatTools();
  installExitHook();
  const imagePath = typeof image === 'string' ? image : image.path;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'airlock-mnt-')));

  // -f keeps fusefat in the foreground, so this child *is* the daemon and pull() can kill it.
  const child = spawn('fusefat', ['-f', '-o', 'ro', imagePath, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      stderr += String(err);
      exited = true;
      resolve();
    });
  });
  const record = { dir, child };
  live.add(record);

  try {
    await pollUntil(async () => {
      if (exited) throw new Error(`fusefat exited before mounting ${imagePath}: ${stderr.trim()}`);
      return (await isMounted(dir)) && (await stat(dir)).isDirectory();
    }, timeoutMs, `mounting ${imagePath} on ${dir}`);
  } catch (err) {
    child.kill('SIGKILL');
    await exitedPromise;
    await fusermount(['-u', '-z', dir]).catch(() => undefined);
    live.delete(record);
    await rmdir(dir).catch(() => undefined);
    throw err;
  }

  let finished: Promise<void> | undefined;

  const waitForExit = async (ms: number): Promise<void> => {
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
    if ((await Promise.race([exitedPromise.then(() => 'exited' as const), timer])) === 'timeout') {
      child.kill('SIGKILL');
      await exitedPromise;
    }
  };

  const detach = async (): Promise<void> => {
    await pollUntil(async () => !(await isMounted(dir)), timeoutMs, `unmounting ${dir}`);
    live.delete(record);
    await rmdir(dir).catch(() => undefined);
  };

  const unmount = (): Promise<void> => {
    finished ??= (async () => {
      // A file still open in the test makes a plain unmount fail with EBUSY for a moment.
      let done = false;
      for (let attempt = 0; attempt < 20 && !done; attempt++) {
        try {
          await fusermount(['-u', dir]);
          done = true;
        } catch {
          if (!(await isMounted(dir))) done = true;
          else await delay(100);
        }
      }
      if (!done) await fusermount(['-u', '-z', dir]);
      await waitForExit(5_000);
      await detach();
    })();
    return finished;
  };

  const pull = (): Promise<void> => {
    if (finished) return finished;
    // Synchronously, so reads already queued behind this call fail like a yanked stick.
    child.kill('SIGKILL');
    finished = (async () => {
      await exitedPromise;
      // The kernel keeps a dead FUSE mount in the table ("Transport endpoint is not
      // connected") until it is detached.
      await fusermount(['-u', '-z', dir]).catch(() => undefined);
      await detach();
    })();
    return finished;
  };

  return { dir, unmount, pull };
}

async function fusermount(args: string[]): Promise<void> {
  await run('fusermount', args);
}

/** True if `dir` appears as a mount point in this process's mount table. */
export async function isMounted(dir: string): Promise<boolean> {
  const table = await readFile('/proc/self/mounts', 'utf8');
  return table.split('\n').some((line) => decodeMountField(line.split(' ')[1] ?? '') === dir);
}

// /proc/mounts escapes space, tab, newline and backslash as octal.
function decodeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms ${what}`);
    await delay(wait);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
