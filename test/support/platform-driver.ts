// What every platform simulator's test driver needs: a clock moved by hand, a check that an
// address stays on this machine, and real MP4 files of any size, read and hashed in pieces.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { expect } from 'vitest';

export const MiB = 1024 * 1024;

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 10, 20, 9, 0, 0)) {
  let t = start;
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

export function assertLoopback(url: string): void {
  // Everything in these tests stays on this machine.
  expect(new URL(url).hostname).toBe('127.0.0.1');
}

/** A real MP4 followed by one `free` box, so the file stays a valid MP4 at any size. */
export async function padVideo(source: string, target: string, size: number): Promise<string> {
  const head = await readFile(source);
  const file = await open(target, 'w');
  try {
    await file.write(head);
    const free = Buffer.alloc(8);
    free.writeUInt32BE(size - head.length, 0);
    free.write('free', 4, 'latin1');
    await file.write(free);
    const block = Buffer.alloc(MiB, 0x5a);
    for (let left = size - head.length - 8; left > 0; left -= block.length) await file.write(block, 0, Math.min(block.length, left));
  } finally {
    await file.close();
  }
  return target;
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}
