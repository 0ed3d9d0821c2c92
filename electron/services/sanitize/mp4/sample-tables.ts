// Reads a track's sample tables (stco/co64, stsc, stsz/stz2) into chunk positions and sizes.
// The sanitizer needs them to prove every chunk lies inside the media data, to shift chunk
// offsets when the movie header shrinks, and to blank the samples of tracks it removes.

import type { Mp4Box } from './mp4-box.ts';
import { childrenOf, payloadOf } from './mp4-box.ts';
import { at, malformed } from './mp4-errors.ts';

export interface Mp4ChunkTable {
  /** Absolute file offsets of each chunk, in table order. */
  offsets: Float64Array;
  /** Bytes each chunk holds according to stsc + stsz (a lower bound for legacy QuickTime sound). */
  sizes: Float64Array;
  sampleCount: number;
  /** The stco or co64 box the offsets came from. */
  offsetBox: Mp4Box;
}

export function readChunkTable(stbl: Mp4Box): Mp4ChunkTable {
  const offsetBoxes = [...childrenOf(stbl, 'stco'), ...childrenOf(stbl, 'co64')];
  if (offsetBoxes.length !== 1) {
    throw malformed(`${at(stbl.type, stbl.offset)} has ${offsetBoxes.length} chunk offset tables, expected one`);
  }
  const offsetBox = offsetBoxes[0] as Mp4Box;
  const offsets = readChunkOffsets(offsetBox);

  const sizeBoxes = [...childrenOf(stbl, 'stsz'), ...childrenOf(stbl, 'stz2')];
  if (sizeBoxes.length !== 1) {
    throw malformed(`${at(stbl.type, stbl.offset)} has ${sizeBoxes.length} sample size tables, expected one`);
  }
  const sampleSizes = readSampleSizes(sizeBoxes[0] as Mp4Box);

  const stscBoxes = childrenOf(stbl, 'stsc');
  if (stscBoxes.length !== 1) {
    throw malformed(`${at(stbl.type, stbl.offset)} has ${stscBoxes.length} sample-to-chunk tables, expected one`);
  }
  const runs = readSampleToChunk(stscBoxes[0] as Mp4Box, offsets.length);

  const sizes = new Float64Array(offsets.length);
  let sample = 0;
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r] as SampleRun;
    const nextFirst = r + 1 < runs.length ? (runs[r + 1] as SampleRun).firstChunk : offsets.length + 1;
    const lastChunk = Math.min(nextFirst - 1, offsets.length);
    for (let chunk = run.firstChunk; chunk <= lastChunk; chunk++) {
      // Tables that promise more samples than stsz lists are common enough in the wild that
      // the extra samples count as empty rather than as a reason to refuse.
      const take = Math.min(run.samplesPerChunk, sampleSizes.count - sample);
      let bytes = 0;
      if (take > 0) {
        if (sampleSizes.constant !== null) bytes = take * sampleSizes.constant;
        else for (let s = sample; s < sample + take; s++) bytes += sampleSizes.sizeAt(s);
        sample += take;
      }
      sizes[chunk - 1] = bytes;
    }
  }
  return { offsets, sizes, sampleCount: sampleSizes.count, offsetBox };
}

function readChunkOffsets(box: Mp4Box): Float64Array {
  const payload = payloadOf(box);
  const width = box.type === 'co64' ? 8 : 4;
  const count = tableCount(box, payload, 8, width);
  const offsets = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const pos = 8 + i * width;
    if (width === 4) {
      offsets[i] = payload.readUInt32BE(pos);
    } else {
      const value = payload.readBigUInt64BE(pos);
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw malformed(`${at(box.type, box.offset)} entry ${i} points beyond any possible file (${value})`);
      }
      offsets[i] = Number(value);
    }
  }
  return offsets;
}

interface SampleSizes {
  count: number;
  constant: number | null;
  sizeAt: (index: number) => number;
}

function readSampleSizes(box: Mp4Box): SampleSizes {
  const payload = payloadOf(box);
  if (box.type === 'stsz') {
    if (payload.length < 12) throw malformed(`${at(box.type, box.offset)} is too small for its fields`);
    const constant = payload.readUInt32BE(4);
    const count = payload.readUInt32BE(8);
    if (constant !== 0) return { count, constant, sizeAt: () => constant };
    if (count > (payload.length - 12) / 4) {
      throw malformed(`${at(box.type, box.offset)} lists ${count} samples but only has room for ${Math.floor((payload.length - 12) / 4)}`);
    }
    return { count, constant: null, sizeAt: (i) => payload.readUInt32BE(12 + i * 4) };
  }
  if (payload.length < 12) throw malformed(`${at(box.type, box.offset)} is too small for its fields`);
  const fieldBits = payload.readUInt8(7);
  const count = payload.readUInt32BE(8);
  if (fieldBits !== 4 && fieldBits !== 8 && fieldBits !== 16) {
    throw malformed(`${at(box.type, box.offset)} uses a ${fieldBits}-bit size field; only 4, 8 and 16 exist`);
  }
  if (count > ((payload.length - 12) * 8) / fieldBits) {
    throw malformed(`${at(box.type, box.offset)} lists ${count} samples but is too small to hold them`);
  }
  const sizeAt =
    fieldBits === 16
      ? (i: number) => payload.readUInt16BE(12 + i * 2)
      : fieldBits === 8
        ? (i: number) => payload.readUInt8(12 + i)
        : (i: number) => {
            const byte = payload.readUInt8(12 + (i >> 1));
            return i % 2 === 0 ? byte >> 4 : byte & 0x0f;
          };
  return { count, constant: null, sizeAt };
}

interface SampleRun {
  firstChunk: number;
  samplesPerChunk: number;
}

function readSampleToChunk(box: Mp4Box, chunkCount: number): SampleRun[] {
  const payload = payloadOf(box);
  const count = tableCount(box, payload, 8, 12);
  const runs: SampleRun[] = [];
  let previous = 0;
  for (let i = 0; i < count; i++) {
    const firstChunk = payload.readUInt32BE(8 + i * 12);
    const samplesPerChunk = payload.readUInt32BE(12 + i * 12);
    if (firstChunk <= previous || (i === 0 && firstChunk !== 1)) {
      throw malformed(`${at(box.type, box.offset)} entry ${i} starts at chunk ${firstChunk}, out of order`);
    }
    previous = firstChunk;
    // Runs that start after the last chunk describe nothing; some muxers leave one behind.
    if (firstChunk <= chunkCount) runs.push({ firstChunk, samplesPerChunk });
  }
  if (chunkCount > 0 && runs.length === 0) {
    throw malformed(`${at(box.type, box.offset)} does not say how many samples the ${chunkCount} chunks hold`);
  }
  return runs;
}

/** Entry count of a full-box table, checked against the room the box actually has. */
function tableCount(box: Mp4Box, payload: Buffer, headerBytes: number, entryBytes: number): number {
  if (payload.length < headerBytes) throw malformed(`${at(box.type, box.offset)} is too small for its fields`);
  const count = payload.readUInt32BE(headerBytes - 4);
  if (count > (payload.length - headerBytes) / entryBytes) {
    throw malformed(
      `${at(box.type, box.offset)} lists ${count} entries but only has room for ${Math.floor((payload.length - headerBytes) / entryBytes)}`,
    );
  }
  return count;
}
