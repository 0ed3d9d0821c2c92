// Opening and reading files on a stick the way every ingest step must: never through a link,
// never blocking on a FIFO, never touching access times, and turning "the stick went away"
// into one error staff understand.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { AirlockError } from '../../../common/errors.ts';

// O_NOFOLLOW refuses a symlink swapped in after the walk's lstat; O_NONBLOCK keeps a FIFO from
// hanging the open. Both are absent (0) on Windows, where the walk's lstat has to suffice.
const BASE_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
// Reading must not write to the stick, and an access-time update is a write. Linux allows
// O_NOATIME only to the file's owner (or CAP_FOWNER), hence the fallback.
const NO_ATIME = (constants as Record<string, number | undefined>)['O_NOATIME'] ?? 0;

export async function openOnStick(file: string): Promise<FileHandle> {
  if (NO_ATIME !== 0) {
    try {
      return await open(file, BASE_FLAGS | NO_ATIME);
    } catch (err) {
      if (errorCode(err) !== 'EPERM') throw err;
    }
  }
  return open(file, BASE_FLAGS);
}

export const STICK_REMOVED_MESSAGE =
  'The stick was removed or could not be read. Nothing was imported from it; insert it again and retry.';

// What reads fail with once the medium is gone: a dead FUSE daemon (ENOTCONN), a vanished
// block device (ENODEV, ENXIO, ENOMEDIUM), a stale handle, or plain I/O errors from a pulled stick.
const DEVICE_GONE = new Set(['ENOTCONN', 'ENODEV', 'ENXIO', 'ENOMEDIUM', 'ESTALE', 'EIO', 'ESHUTDOWN']);

export function isStickGone(err: unknown): boolean {
  return DEVICE_GONE.has(errorCode(err) ?? '');
}

export function stickReadFailed(err: unknown, what: string): AirlockError {
  return new AirlockError('ingest.read-failed', STICK_REMOVED_MESSAGE, `${what}: ${describe(err)}`);
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export function describe(err: unknown): string {
  return err instanceof Error ? `${errorCode(err) ?? err.name}: ${err.message}` : String(err);
}
