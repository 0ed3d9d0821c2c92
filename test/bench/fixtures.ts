// Bench inputs, built at run time in a temp folder: large MP4s that stripMp4Metadata accepts
// (a real ffmpeg clip whose mdat is padded with high-entropy bytes, written in seconds) and a
// 12-megapixel photo with camera metadata and sensor-like noise, so it does not compress or
// decode trivially.

import { randomBytes } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import sharp from 'sharp';
import { REVEALING_TAGS, exiftool } from '../support/image-fixtures.ts';
import { listBoxes, makeVideo } from '../support/video-fixtures.ts';

const PADDING_BLOCK_BYTES = 4 * 1024 * 1024;

/** A short clip with picture, sound and the tags a phone would write, laid out moov-last. */
export async function makeSeedVideo(dir: string): Promise<Buffer> {
  const path = await makeVideo(dir, 'seed', {
    seconds: 2,
    audio: true,
    metadata: { title: 'Harbour walk', location: '+51.5007-000.1246/', creation_time: '2024-05-01T09:30:00Z' },
  });
  const bytes = await readFile(path);
  await rm(path);
  return bytes;
}

/**
 * Writes `seed` grown to exactly `totalBytes` by extending its mdat. The padding goes after the
 * real samples, so no chunk offset moves; the sanitizer copies mdat bytes no track references
 * as they are (mp4/README.md), so the file is as valid to it as the seed. Random bytes stand in
 * for compressed video; zeros could end up sparse and read unfairly fast.
 */
export async function writePaddedMp4(seed: Buffer, path: string, totalBytes: number): Promise<void> {
  const boxes = listBoxes(seed);
  const mdat = boxes.find((found) => found.type === 'mdat');
  if (mdat === undefined || mdat.headerSize !== 8) throw new Error('seed video has no mdat with a 32-bit size');
  const padding = totalBytes - seed.length;
  if (padding < 0) throw new RangeError(`${totalBytes} bytes is smaller than the ${seed.length}-byte seed video`);
  const grownSize = mdat.size + padding;
  if (grownSize > 0xffff_ffff) throw new RangeError('padded mdat needs a 64-bit size; keep BENCH_SIZE_MIB under 4000');

  const mdatEnd = mdat.offset + mdat.size;
  const head = Buffer.from(seed.subarray(0, mdatEnd));
  head.writeUInt32BE(grownSize, mdat.offset);
  const block = randomBytes(PADDING_BLOCK_BYTES);
  const out = await open(path, 'wx', 0o600);
  try {
    let position = 0;
    const write = async (chunk: Buffer): Promise<void> => {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await out.write(chunk, done, chunk.length - done, position + done);
        done += bytesWritten;
      }
      position += chunk.length;
    };
    await write(head);
    for (let left = padding; left > 0; left -= block.length) {
      await write(left >= block.length ? block : block.subarray(0, left));
    }
    await write(seed.subarray(mdatEnd));
  } finally {
    await out.close();
  }
}

/**
 * A camera-like JPEG: smooth gradients and soft shapes under per-channel noise (what keeps real
 * photos from compressing to nothing), at camera quality, carrying GPS, serials and authors.
 */
export async function writeBusyPhoto(path: string, width = 4000, height = 3000): Promise<void> {
  const raw = Buffer.allocUnsafe(width * height * 3);
  let state = 0x9e37_79b9;
  for (let y = 0; y < height; y++) {
    const shade = Math.sin(y / 97) * 30;
    for (let x = 0; x < width; x++) {
      const base = (x / width) * 150 + (y / height) * 60 + shade + Math.cos((x + y) / 211) * 25;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        // xorshift32: cheap, deterministic noise of about ±12 levels.
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        const noise = ((state >>> 0) % 25) - 12;
        raw[o + c] = Math.max(0, Math.min(255, Math.round(base + c * 20 + noise)));
      }
    }
  }
  await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toFile(path);
  exiftool(['-q', '-overwrite_original', ...REVEALING_TAGS, path]);
}
