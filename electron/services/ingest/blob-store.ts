// The kiosk's content-addressed store: every imported file lives at DATADIR/blobs/ab/cdef…
// named by its SHA-256. A file is copied off the stick in one streaming pass that hashes as it
// writes, and only a complete, fsynced, verified copy is ever renamed into place.

import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AirlockError } from '../../../common/errors.ts';
import { describe, errorCode, openOnStick, stickReadFailed } from './stick-read.ts';

export interface BlobImportOptions {
  /** From the scan or the signed manifest; the copy must match it or nothing is kept. */
  expectedSha256?: string;
  expectedBytes?: number;
  /** Called as bytes arrive from the stick. */
  onProgress?: (bytesCopied: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

export interface StoredBlob {
  sha256: string;
  bytes: number;
  /** Absolute path of the read-only blob file. */
  path: string;
  /** The store already held this content; the source was read and verified but not copied. */
  deduplicated: boolean;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const COPY_CHUNK_BYTES = 1024 * 1024;
/**
 * While a large file is copied, its written part is handed to the disk every this many bytes
 * (an fdatasync on the thread pool, overlapping the copy), so the final fsync only waits for
 * the tail instead of the whole file. Durability still rests on that final fsync alone.
 */
const WRITEBACK_STEP_BYTES = 32 * 1024 * 1024;
const TEMP_SUFFIX = '.part';

const CHANGED_MESSAGE =
  'This file on the stick is not the one that was checked: it changed or was damaged. Nothing was imported from it; make the stick again and retry.';

export class BlobStore {
  readonly dataDir: string;
  readonly blobsDir: string;
  readonly tmpDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.blobsDir = join(dataDir, 'blobs');
    // Inside the data dir, so the final rename never crosses a filesystem and stays atomic.
    this.tmpDir = join(dataDir, 'tmp');
  }

  /**
   * Opens the store at startup. Any temp file left behind belongs to an import that died with
   * the process (power cut, crash, stick pulled); it can never be completed, so it goes.
   */
  static async open(dataDir: string): Promise<BlobStore> {
    const store = new BlobStore(dataDir);
    await store.ensureFolders();
    await store.removeStaleTemps();
    return store;
  }

  /** Deletes everything in the temp folder. Only call when no import is running. */
  async removeStaleTemps(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return 0;
      throw err;
    }
    for (const name of names) {
      await rm(join(this.tmpDir, name), { recursive: true, force: true });
    }
    return names.length;
  }

  /** Every blob's SHA-256. For the start-up sweep of blobs nothing refers to any more. */
  async list(): Promise<string[]> {
    const out: string[] = [];
    let prefixes: string[];
    try {
      prefixes = await readdir(this.blobsDir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return out;
      throw err;
    }
    for (const prefix of prefixes) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const rest of await readdir(join(this.blobsDir, prefix))) {
        if (SHA256_HEX.test(prefix + rest)) out.push(prefix + rest);
      }
    }
    return out;
  }

  pathFor(sha256: string): string {
    const digest = normaliseDigest(sha256);
    return join(this.blobsDir, digest.slice(0, 2), digest.slice(2));
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await lstat(this.pathFor(sha256))).isFile();
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  /** Re-hashes a stored blob; false if it is missing or no longer matches its name. */
  async verify(sha256: string): Promise<boolean> {
    const file = this.pathFor(sha256);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return false;
      throw err;
    }
    try {
      const hash = createHash('sha256');
      const { size } = await handle.stat();
      for await (const chunk of readChunks(handle, size)) hash.update(chunk);
      return hash.digest('hex') === normaliseDigest(sha256);
    } finally {
      await handle.close();
    }
  }

  /**
   * Copies one file from the stick into the store. On any failure nothing is left behind: no
   * temp file, no partial blob. Throws AirlockError `ingest.read-failed` (stick removed),
   * `ingest.hash-mismatch` (content differs from what was expected), `ingest.write-failed`,
   * `ingest.disk-full`, `ingest.special-file` or `ingest.cancelled`.
   */
  async importFile(srcPath: string, options: BlobImportOptions = {}): Promise<StoredBlob> {
    const expectedSha256 = options.expectedSha256 === undefined ? undefined : normaliseDigest(options.expectedSha256);
    await this.ensureFolders();

    let source: FileHandle;
    try {
      source = await openOnStick(srcPath);
    } catch (err) {
      if (errorCode(err) === 'ELOOP') {
        throw new AirlockError('ingest.symlink', 'Links are not allowed on an import stick.', `${srcPath} is a symbolic link`);
      }
      throw stickReadFailed(err, `open ${srcPath}`);
    }

    let temp: string | undefined;
    try {
      const stat = await source.stat();
      if (!stat.isFile()) {
        throw new AirlockError(
          'ingest.special-file',
          'This is not an ordinary file, so it cannot be imported.',
          `${srcPath} is not a regular file`,
        );
      }
      const size = stat.size;
      if (options.expectedBytes !== undefined && size !== options.expectedBytes) {
        throw new AirlockError('ingest.hash-mismatch', CHANGED_MESSAGE, `size ${size}, expected ${options.expectedBytes}`);
      }

      // Known content: read the stick anyway, so a stick that lies about a file still fails.
      const alreadyStored = expectedSha256 !== undefined && (await this.has(expectedSha256));
      let digest: { sha256: string; bytes: number };
      if (alreadyStored) {
        digest = await this.copy(source, size, undefined, options);
      } else {
        temp = join(this.tmpDir, `${randomUUID()}${TEMP_SUFFIX}`);
        const out = await open(temp, 'wx', 0o600).catch((err: unknown) => {
          throw mapWriteError(err);
        });
        try {
          digest = await this.copy(source, size, out, options);
          // Read-only before it has a real name, so the blob is never writable once visible.
          await out.chmod(0o444);
          await out.sync();
        } catch (err) {
          throw mapWriteError(err);
        } finally {
          await out.close().catch(() => undefined);
        }
      }

      if (digest.bytes !== size || (options.expectedBytes !== undefined && digest.bytes !== options.expectedBytes)) {
        throw new AirlockError('ingest.hash-mismatch', CHANGED_MESSAGE, `read ${digest.bytes} bytes, expected ${size}`);
      }
      if (expectedSha256 !== undefined && digest.sha256 !== expectedSha256) {
        throw new AirlockError('ingest.hash-mismatch', CHANGED_MESSAGE, `sha256 ${digest.sha256}, expected ${expectedSha256}`);
      }

      const finalPath = this.pathFor(digest.sha256);
      if (temp === undefined) {
        return { sha256: digest.sha256, bytes: digest.bytes, path: finalPath, deduplicated: true };
      }
      if (await this.has(digest.sha256)) {
        await unlink(temp);
        temp = undefined;
        return { sha256: digest.sha256, bytes: digest.bytes, path: finalPath, deduplicated: true };
      }
      await this.install(temp, finalPath);
      temp = undefined;
      return { sha256: digest.sha256, bytes: digest.bytes, path: finalPath, deduplicated: false };
    } catch (err) {
      if (temp !== undefined) await rm(temp, { force: true }).catch(() => undefined);
      throw err;
    } finally {
      await source.close().catch(() => undefined);
    }
  }

  /**
   * Takes a file that another step (the sanitiser) wrote into `tmpDir` and moves it into the
   * store under its hash: read-only, fsynced, renamed, directory fsynced. The temp file is
   * gone afterwards whether this succeeds or not.
   */
  async adoptFile(tempPath: string): Promise<StoredBlob> {
    // Only files in our own temp folder: the rename must stay on one filesystem, and the store
    // must never be talked into swallowing (and deleting) a file from elsewhere.
    if (dirname(resolve(tempPath)) !== resolve(this.tmpDir)) {
      throw new RangeError(`adoptFile only takes files in ${this.tmpDir}, got ${tempPath}`);
    }
    await this.ensureFolders();
    let pending = true;
    try {
      const handle = await open(tempPath, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      let digest: { sha256: string; bytes: number };
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) throw new RangeError(`${tempPath} is not a regular file`);
        const hash = createHash('sha256');
        let bytes = 0;
        for await (const chunk of readChunks(handle, stat.size + 1)) {
          hash.update(chunk);
          bytes += chunk.length;
        }
        digest = { sha256: hash.digest('hex'), bytes };
        await handle.chmod(0o444);
        await handle.sync();
      } finally {
        await handle.close();
      }
      const finalPath = this.pathFor(digest.sha256);
      if (await this.has(digest.sha256)) {
        return { ...digest, path: finalPath, deduplicated: true };
      }
      await this.install(tempPath, finalPath);
      pending = false;
      return { ...digest, path: finalPath, deduplicated: false };
    } catch (err) {
      throw mapWriteError(err);
    } finally {
      if (pending) await rm(tempPath, { force: true }).catch(() => undefined);
    }
  }

  /** Deletes a blob (rolling back an import that failed later on). Missing blobs are fine. */
  async remove(sha256: string): Promise<void> {
    const file = this.pathFor(sha256);
    try {
      await unlink(file);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT') return;
      // Windows refuses to delete a read-only file.
      if (code !== 'EPERM' && code !== 'EACCES') throw err;
      await chmod(file, 0o600);
      await unlink(file);
    }
    await fsyncDirectory(dirname(file));
  }

  private async ensureFolders(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true, mode: 0o700 });
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  /** Renames a finished temp file into place and makes both the name and its folder durable. */
  private async install(temp: string, finalPath: string): Promise<void> {
    const shard = dirname(finalPath);
    try {
      const created = await mkdir(shard, { recursive: true, mode: 0o700 });
      if (created !== undefined) await fsyncDirectory(this.blobsDir);
      await rename(temp, finalPath);
      await fsyncDirectory(shard);
    } catch (err) {
      throw mapWriteError(err);
    }
  }

  /**
   * One streaming pass: stick → hash → temp file (or nowhere, when only verifying). Reads at
   * most one byte past the size seen at open, which is enough to notice a file that grows.
   */
  /**
   * Reads, hashes and writes in one pass with the three overlapped: while chunk N is hashed on
   * this thread and written by the thread pool, chunk N+1 is already being read. At most three
   * chunks are in memory, whatever the file size.
   */
  private async copy(
    source: FileHandle,
    size: number,
    out: FileHandle | undefined,
    options: BlobImportOptions,
  ): Promise<{ sha256: string; bytes: number }> {
    const hash = createHash('sha256');
    // One byte past the expected size, so a file that grew since the scan is noticed.
    const maxBytes = size + 1;
    let readError: unknown;
    // Three buffers, reused in turn: when chunk N+1's read starts, chunk N is being hashed and
    // written, and chunk N-1's write is the latest that may still run; N-2's buffer is free.
    // Reuse keeps memory flat and spares the garbage collector a gigabyte of 1 MiB buffers.
    const ring = [0, 1, 2].map(() => Buffer.allocUnsafeSlow(COPY_CHUNK_BYTES));
    let reads = 0;
    const readAt = (position: number): Promise<Buffer> => {
      const buffer = ring[reads++ % ring.length]!.subarray(0, Math.min(COPY_CHUNK_BYTES, maxBytes - position));
      const pending = source.read(buffer, 0, buffer.length, position).then(
        ({ bytesRead }) => buffer.subarray(0, bytesRead),
        (err: unknown) => {
          readError = err;
          throw err;
        },
      );
      pending.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
      return pending;
    };
    let bytes = 0;
    let writing: Promise<void> = Promise.resolve();
    // At most one early writeback in flight; see WRITEBACK_STEP_BYTES.
    let flushing: Promise<void> | null = null;
    let flushError: unknown;
    let flushedUpTo = 0;
    try {
      let next: Promise<Buffer> | null = readAt(0);
      while (next !== null) {
        const chunk: Buffer = await next;
        if (chunk.length === 0) break;
        const offset = bytes;
        bytes += chunk.length;
        next = bytes < maxBytes ? readAt(bytes) : null;
        await writing;
        writing = out === undefined ? Promise.resolve() : writeFully(out, chunk, offset);
        writing.catch(() => {});
        if (out !== undefined && flushing === null && offset - flushedUpTo >= WRITEBACK_STEP_BYTES) {
          flushedUpTo = offset;
          const started: Promise<void> = out.datasync().then(
            () => {
              if (flushing === started) flushing = null;
            },
            (err: unknown) => {
              flushError ??= err;
              throw err;
            },
          );
          started.catch(() => {}); // awaited below
          flushing = started;
        }
        // A failed writeback (EIO, ENOSPC) ends the copy now rather than at the final fsync.
        if (flushError !== undefined) throw flushError;
        hash.update(chunk);
        options.onProgress?.(bytes, size);
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      }
      await writing;
      await flushing;
    } catch (err) {
      await writing.catch(() => {});
      await flushing?.catch(() => {});
      if (options.signal?.aborted) {
        throw new AirlockError('ingest.cancelled', 'The import was stopped. Nothing was imported from this file.', describe(err));
      }
      if (readError !== undefined) throw stickReadFailed(readError, 'read');
      throw err;
    }
    return { sha256: hash.digest('hex'), bytes };
  }
}

async function writeFully(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, written, chunk.length - written, position + written);
    written += bytesWritten;
  }
}

// Positional reads on a handle we own, rather than FileHandle.createReadStream, which closes
// the handle when destroyed.
async function* readChunks(handle: FileHandle, maxBytes: number): AsyncGenerator<Buffer> {
  let position = 0;
  while (position < maxBytes) {
    const buffer = Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, maxBytes - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

function normaliseDigest(sha256: string): string {
  const digest = sha256.toLowerCase();
  if (!SHA256_HEX.test(digest)) throw new RangeError(`not a SHA-256 hex digest: ${JSON.stringify(sha256)}`);
  return digest;
}

function mapWriteError(err: unknown): unknown {
  if (err instanceof AirlockError) return err;
  const code = errorCode(err);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AirlockError(
      'ingest.disk-full',
      'The kiosk has run out of storage space. Nothing was imported from this file; ask IT to free up space.',
      describe(err),
    );
  }
  if (code === undefined) return err;
  return new AirlockError(
    'ingest.write-failed',
    'Airlock could not save the file on the kiosk. Nothing was imported from it; ask IT to check the kiosk.',
    describe(err),
  );
}

// A rename is durable only once the directory holding the new name is flushed. Windows cannot
// open a directory for fsync; NTFS journals the rename itself.
async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
