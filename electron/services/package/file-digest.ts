// Streaming SHA-256 over package files. Media can be gigabytes of video, so nothing here ever
// holds a whole file in memory, and reads stop at a byte budget so a file that grows while
// it is read (or a device posing as a file) cannot keep the kiosk busy.

import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

export interface FileDigest {
  readonly size: number;
  readonly sha256: string;
}

const CHUNK_BYTES = 1024 * 1024;

// O_NOFOLLOW refuses a symlink swapped in after the folder walk; O_NONBLOCK keeps a FIFO from
// blocking the open. Both are 0 (absent) on Windows, where the walk's lstat has to suffice.
export const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Hashes from the handle's start, reading at most `maxBytes` (default: no limit). */
export async function digestHandle(handle: FileHandle, maxBytes = Number.MAX_SAFE_INTEGER): Promise<FileDigest> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let size = 0;
  while (size < maxBytes) {
    const want = Math.min(CHUNK_BYTES, maxBytes - size);
    const { bytesRead } = await handle.read(buffer, 0, want, size);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    size += bytesRead;
  }
  return { size, sha256: hash.digest('hex') };
}

export async function hashFile(file: string, maxBytes?: number): Promise<FileDigest> {
  const handle = await open(file, READ_NO_FOLLOW);
  try {
    return await digestHandle(handle, maxBytes);
  } finally {
    await handle.close();
  }
}

/**
 * Copies `source` to a new file `target` (never overwriting), hashing the bytes as they are
 * written so the manifest describes exactly what landed in the package, then fsyncs it.
 */
export async function copyFileHashed(source: string, target: string): Promise<FileDigest> {
  const input = await open(source, 'r');
  try {
    const output = await open(target, 'wx', 0o644);
    try {
      const hash = createHash('sha256');
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let size = 0;
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, CHUNK_BYTES, size);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        hash.update(chunk);
        let written = 0;
        while (written < bytesRead) {
          const result = await output.write(chunk, written, bytesRead - written, size + written);
          written += result.bytesWritten;
        }
        size += bytesRead;
      }
      await output.sync();
      return { size, sha256: hash.digest('hex') };
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}
