// Bounded-memory byte access for the MP4 sanitizer: random reads from the source (small reads
// served from one window so walking thousands of box headers is cheap) and a sequential sink.
// Large boxes are moved through one fixed copy buffer, never loaded whole.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { readFailed, writeFailed } from './mp4-errors.ts';

export interface Mp4Source {
  readonly size: number;
  /** Exactly `length` bytes at `offset`; the caller keeps the range inside `size`. */
  read(offset: number, length: number): Promise<Buffer>;
  /** Fills `target[0, length)` from `offset`, for streaming copies. */
  readInto(target: Buffer, length: number, offset: number): Promise<void>;
}

export interface Mp4Sink {
  write(chunk: Buffer): Promise<void>;
  readonly bytesWritten: number;
}

const WINDOW_BYTES = 64 * 1024;
const SMALL_READ_BYTES = 4 * 1024;
const COPY_BUFFER_BYTES = 1024 * 1024;

export function bufferSource(bytes: Buffer): Mp4Source {
  return {
    size: bytes.length,
    read: async (offset, length) => {
      assertRange(offset, length, bytes.length);
      return Buffer.from(bytes.subarray(offset, offset + length));
    },
    readInto: async (target, length, offset) => {
      assertRange(offset, length, bytes.length);
      bytes.copy(target, 0, offset, offset + length);
    },
  };
}

export class BufferSink implements Mp4Sink {
  private readonly chunks: Buffer[] = [];
  private written = 0;

  get bytesWritten(): number {
    return this.written;
  }

  async write(chunk: Buffer): Promise<void> {
    this.chunks.push(Buffer.from(chunk));
    this.written += chunk.length;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/**
 * Opens a source file without following a final symlink and without blocking on a FIFO
 * (O_NONBLOCK), then refuses anything that is not a regular file: a device or pipe named
 * .mp4 would otherwise hang the worker or read forever.
 */
export async function openFileSource(path: string): Promise<{ source: Mp4Source; close: () => Promise<void> }> {
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let handle: FileHandle;
  try {
    handle = await open(path, flags);
  } catch (err) {
    throw readFailed(`open ${path}: ${describeIoError(err)}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw readFailed(`${path} is not a regular file`);
    return { source: new FileSource(handle, stat.size), close: () => handle.close() };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

class FileSource implements Mp4Source {
  readonly size: number;
  private readonly handle: FileHandle;
  private readonly window = Buffer.alloc(WINDOW_BYTES);
  private windowStart = 0;
  private windowLength = 0;

  constructor(handle: FileHandle, size: number) {
    this.handle = handle;
    this.size = size;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    assertRange(offset, length, this.size);
    if (length <= SMALL_READ_BYTES) {
      const inWindow = offset >= this.windowStart && offset + length <= this.windowStart + this.windowLength;
      if (!inWindow) {
        const want = Math.min(WINDOW_BYTES, this.size - offset);
        await this.readExact(this.window, want, offset);
        this.windowStart = offset;
        this.windowLength = want;
      }
      const from = offset - this.windowStart;
      return Buffer.from(this.window.subarray(from, from + length));
    }
    const out = Buffer.alloc(length);
    await this.readExact(out, length, offset);
    return out;
  }

  async readInto(target: Buffer, length: number, offset: number): Promise<void> {
    assertRange(offset, length, this.size);
    await this.readExact(target, length, offset);
  }

  private async readExact(target: Buffer, length: number, offset: number): Promise<void> {
    let done = 0;
    while (done < length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(target, done, length - done, offset + done));
      } catch (err) {
        throw readFailed(`read at ${offset + done}: ${describeIoError(err)}`);
      }
      // The size was taken at open; a shorter file now means it changed underneath us.
      if (bytesRead === 0) throw readFailed(`file ended at ${offset + done}, expected ${this.size} bytes`);
      done += bytesRead;
    }
  }
}

/** Creates the destination exclusively (O_EXCL never follows or truncates an existing file). */
export async function createFileSink(path: string): Promise<{ sink: Mp4Sink; finish: () => Promise<void>; abort: () => Promise<void> }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    throw writeFailed(`create ${path}: ${describeIoError(err)}`);
  }
  let written = 0;
  let closed = false;
  const sink: Mp4Sink = {
    get bytesWritten() {
      return written;
    },
    async write(chunk: Buffer): Promise<void> {
      let done = 0;
      while (done < chunk.length) {
        try {
          const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, written + done);
          done += bytesWritten;
        } catch (err) {
          throw writeFailed(`write at ${written + done}: ${describeIoError(err)}`);
        }
      }
      written += chunk.length;
    },
  };
  return {
    sink,
    finish: async () => {
      try {
        await handle.sync();
      } catch (err) {
        throw writeFailed(`sync: ${describeIoError(err)}`);
      } finally {
        closed = true;
        await handle.close();
      }
    },
    abort: async () => {
      if (!closed) {
        closed = true;
        await handle.close().catch(() => undefined);
      }
    },
  };
}

/**
 * Moves `length` bytes from the source to the sink through one fixed buffer. Byte ranges in
 * `zeroRanges` (absolute, sorted, non-overlapping, half-open) are written as zeros: that is how
 * samples of removed metadata tracks disappear from the media data without moving anything.
 */
export async function copyRange(
  source: Mp4Source,
  sink: Mp4Sink,
  offset: number,
  length: number,
  zeroRanges: ReadonlyArray<readonly [number, number]> = [],
): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(COPY_BUFFER_BYTES, Math.max(length, 1)));
  let position = offset;
  const end = offset + length;
  let rangeIndex = firstRangeEndingAfter(zeroRanges, position);
  while (position < end) {
    const take = Math.min(buffer.length, end - position);
    await source.readInto(buffer, take, position);
    while (rangeIndex < zeroRanges.length) {
      const range = zeroRanges[rangeIndex] as readonly [number, number];
      if (range[0] >= position + take) break;
      const from = Math.max(range[0], position) - position;
      const to = Math.min(range[1], position + take) - position;
      if (to > from) buffer.fill(0, from, to);
      if (range[1] > position + take) break;
      rangeIndex++;
    }
    await sink.write(take === buffer.length ? buffer : buffer.subarray(0, take));
    position += take;
  }
}

/** Writes `length` zero bytes, used for padding boxes whose old contents must not survive. */
export async function writeZeros(sink: Mp4Sink, length: number): Promise<void> {
  const zeros = Buffer.alloc(Math.min(COPY_BUFFER_BYTES, Math.max(length, 1)));
  let left = length;
  while (left > 0) {
    const take = Math.min(zeros.length, left);
    await sink.write(take === zeros.length ? zeros : zeros.subarray(0, take));
    left -= take;
  }
}

function firstRangeEndingAfter(ranges: ReadonlyArray<readonly [number, number]>, position: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ranges[mid] as readonly [number, number])[1] <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function assertRange(offset: number, length: number, size: number): void {
  if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= size)) {
    // Only a bug in the walker can get here: every range is checked against the file first.
    throw new RangeError(`read of ${length} bytes at ${offset} is outside a ${size}-byte file`);
  }
}

export function describeIoError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === undefined ? err.message : `${code}: ${err.message}`;
  }
  return String(err);
}
