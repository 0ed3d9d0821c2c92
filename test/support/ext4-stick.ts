// A writable stick for "use once" tests: an ext4 image made with mke2fs (populated from a
// folder) and mounted read-write with FUSE (fuse2fs), since fusefat is safe only read-only.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WritableStick {
  dir: string;
  image: string;
  /** Unmounts; the image stays until remove(), so a test can inspect what reached the "stick". */
  unmount(): Promise<void>;
  remove(): Promise<void>;
}

async function mounted(dir: string): Promise<boolean> {
  const { stdout } = await run('cat', ['/proc/self/mounts']);
  return stdout.split('\n').some((line) => line.split(' ')[1] === dir);
}

export async function insertWritableStick(files: Record<string, Uint8Array | string>, under: string): Promise<WritableStick> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'airlock-ext4-'));
  const content = path.join(work, 'content');
  for (const [rel, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(content, rel)), { recursive: true });
    await writeFile(path.join(content, rel), data);
  }
  await mkdir(content, { recursive: true });
  const image = path.join(work, 'stick.img');
  await run('mkfs.ext4', ['-q', '-F', '-d', content, image, '32M']);
  await mkdir(under, { recursive: true });
  const dir = await mkdtemp(path.join(under, 'stick-'));
  await run('fuse2fs', ['-o', 'fakeroot', image, dir]);
  for (let i = 0; i < 100 && !(await mounted(dir)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    dir,
    image,
    unmount: async () => {
      if (await mounted(dir)) await run('fusermount', ['-u', dir]).catch(() => run('fusermount', ['-u', '-z', dir]));
    },
    remove: async () => {
      if (await mounted(dir)) await run('fusermount', ['-u', '-z', dir]);
      await rm(work, { recursive: true, force: true });
    },
  };
}
