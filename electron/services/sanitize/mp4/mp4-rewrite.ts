// Writes the cleaned file from a validated analysis: the rebuilt movie header, media data
// copied through a fixed buffer, dropped metadata boxes left out, and every absolute offset
// (stco/co64 chunk offsets, tfhd base data offsets) moved by exactly the bytes removed before it.

import type { Mp4Analysis, Mp4TopLevelBox, Mp4TrackPlan } from './mp4-analysis.ts';
import type { Mp4Box } from './mp4-box.ts';
import type { Mp4Sink, Mp4Source } from './mp4-io.ts';
import type { Mp4SanitizeReport } from './mp4-types.ts';
import { readFragmentTracks, topLevelBoxAt } from './mp4-analysis.ts';
import { XMP_UUID } from './mp4-box.ts';
import { copyRange, writeZeros } from './mp4-io.ts';
import { Mp4FindingList, describeMetadataBox } from './metadata-findings.ts';
import { rewriteMovie } from './movie-rewrite.ts';

type Output =
  | { kind: 'copy'; size: number }
  | { kind: 'media'; size: number }
  | { kind: 'bytes'; bytes: Buffer; size: number }
  | { kind: 'zeroed'; header: Buffer; size: number }
  | { kind: 'drop'; size: 0 };

export async function writeSanitizedMp4(source: Mp4Source, sink: Mp4Sink, analysis: Mp4Analysis): Promise<Mp4SanitizeReport> {
  const findings = new Mp4FindingList();
  const removed: Record<string, number> = {};
  const movie = rewriteMovie(analysis.movie.tree, analysis.tracks, findings, removed);
  const boxes = analysis.boxes;

  const outputs: Output[] = [];
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i] as Mp4TopLevelBox;
    outputs.push(await planOutput(source, box, i === boxes.length - 1, analysis, movie.bytes, findings, removed));
  }

  const shiftBefore: number[] = [];
  let removedSoFar = 0;
  boxes.forEach((box, i) => {
    shiftBefore.push(removedSoFar);
    removedSoFar += box.size - (outputs[i] as Output).size;
  });
  const moved = (offset: number, roles: Parameters<typeof topLevelBoxAt>[2]): number => {
    const hit = topLevelBoxAt(boxes, offset, roles);
    // The analysis proved every offset lands in such a box; failing here is a bug, not bad input.
    if (hit === null) throw new Error(`offset ${offset} lost its box after validation`);
    return offset - (shiftBefore[hit.index] as number);
  };

  for (const field of movie.chunkOffsetFields) {
    for (let i = 0; i < field.count; i++) {
      const at = field.at + i * field.width;
      if (field.width === 4) {
        movie.bytes.writeUInt32BE(moved(movie.bytes.readUInt32BE(at), ['media']), at);
      } else {
        const value = Number(movie.bytes.readBigUInt64BE(at));
        movie.bytes.writeBigUInt64BE(BigInt(moved(value, ['media'])), at);
      }
    }
  }
  boxes.forEach((box, i) => {
    const output = outputs[i] as Output;
    if (box.role !== 'fragment' || output.kind !== 'bytes') return;
    for (const track of readFragmentTracks(box.tree as Mp4Box)) {
      if (track.baseOffsetAt === null || track.baseOffset === null) continue;
      output.bytes.writeBigUInt64BE(BigInt(moved(track.baseOffset, ['fragment', 'media'])), track.baseOffsetAt);
    }
  });

  const zeroRanges = removedTrackRanges(analysis.tracks);
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i] as Mp4TopLevelBox;
    const output = outputs[i] as Output;
    switch (output.kind) {
      case 'copy':
        await copyRange(source, sink, box.offset, box.size);
        break;
      case 'media':
        await copyRange(source, sink, box.offset, box.size, zeroRanges);
        break;
      case 'bytes':
        await sink.write(output.bytes);
        break;
      case 'zeroed':
        await sink.write(output.header);
        await writeZeros(sink, output.size - output.header.length);
        break;
      case 'drop':
        break;
    }
  }

  const expected = analysis.fileSize - removedSoFar;
  if (sink.bytesWritten !== expected) throw new Error(`wrote ${sink.bytesWritten} bytes, planned ${expected}`);

  const firstMedia = boxes.findIndex((box) => box.role === 'media' || box.role === 'fragment');
  const summary = removedSummary(removed);
  const list = findings.list();
  if (summary) list.push({ kind: 'boxes', code: 'video.boxes', text: summary.text, params: { count: summary.count, boxes: summary.parts } });
  return {
    format: analysis.format,
    layout: analysis.layout,
    fragmented: analysis.fragmented,
    inputBytes: analysis.fileSize,
    outputBytes: sink.bytesWritten,
    findings: list,
    removedBoxes: removed,
    removedTracks: movie.removedTracks,
    clearedTimestamps: movie.clearedTimestamps,
    mediaShiftBytes: firstMedia === -1 ? 0 : (shiftBefore[firstMedia] as number),
  };
}

async function planOutput(
  source: Mp4Source,
  box: Mp4TopLevelBox,
  isLast: boolean,
  analysis: Mp4Analysis,
  movieBytes: Buffer,
  findings: Mp4FindingList,
  removed: Record<string, number>,
): Promise<Output> {
  const inFragmentRegion = analysis.fragmentRegionStart !== null && box.offset >= analysis.fragmentRegionStart;
  switch (box.role) {
    case 'copy':
      return { kind: 'copy', size: box.size };
    case 'movie':
      return { kind: 'bytes', bytes: movieBytes, size: movieBytes.length };
    case 'media':
      return { kind: 'media', size: box.size };
    case 'padding':
      // Editors leave old headers and tags in free space; keep the space, not the bytes.
      return { kind: 'zeroed', header: await source.read(box.offset, box.headerSize), size: box.size };
    case 'metadata':
      removed[box.type] = (removed[box.type] ?? 0) + 1;
      if (box.tree) describeMetadataBox(box.tree, findings);
      else findings.add('tag', 'video.large-metadata-block', 'Large metadata block removed');
      return inFragmentRegion && !isLast ? blankedAsFree(box) : { kind: 'drop', size: 0 };
    case 'index':
      // mfra only speeds up seeking and holds absolute offsets; players rebuild it from the fragments.
      removed[box.type] = (removed[box.type] ?? 0) + 1;
      return inFragmentRegion && !isLast ? blankedAsFree(box) : { kind: 'drop', size: 0 };
    case 'fragment': {
      const tree = box.tree as Mp4Box;
      const bytes = Buffer.from(tree.bytes);
      blankFragmentMetadata(tree, bytes, findings, removed);
      return { kind: 'bytes', bytes, size: bytes.length };
    }
  }
}

/** Inside a fragmented region nothing may change size, so metadata becomes zero-filled padding. */
function blankedAsFree(box: Mp4TopLevelBox): Output {
  let header: Buffer;
  if (box.toEnd) {
    header = Buffer.from([0, 0, 0, 0, 0x66, 0x72, 0x65, 0x65]);
  } else if (box.size <= 0xffffffff) {
    header = Buffer.alloc(8);
    header.writeUInt32BE(box.size, 0);
    header.write('free', 4, 'latin1');
  } else {
    header = Buffer.alloc(16);
    header.writeUInt32BE(1, 0);
    header.write('free', 4, 'latin1');
    header.writeBigUInt64BE(BigInt(box.size), 8);
  }
  return { kind: 'zeroed', header, size: box.size };
}

function blankFragmentMetadata(box: Mp4Box, bytes: Buffer, findings: Mp4FindingList, removed: Record<string, number>): void {
  for (const child of box.children ?? []) {
    const isMetadata = child.type === 'udta' || child.type === 'meta' || (child.type === 'uuid' && child.uuid === XMP_UUID);
    if (!isMetadata) {
      blankFragmentMetadata(child, bytes, findings, removed);
      continue;
    }
    describeMetadataBox(child, findings);
    removed[child.type] = (removed[child.type] ?? 0) + 1;
    const sizeFieldEnd = child.start + (bytes.readUInt32BE(child.start) === 1 ? 16 : 8);
    bytes.write('free', child.start + 4, 'latin1');
    bytes.fill(0, sizeFieldEnd, child.start + child.size);
  }
}

/**
 * Byte ranges holding samples of removed tracks, minus anything a kept track also uses, sorted
 * and merged. Those bytes stay in place (nothing moves) but are overwritten with zeros.
 */
export function removedTrackRanges(tracks: readonly Mp4TrackPlan[]): Array<[number, number]> {
  const dropped = mergedRanges(tracks.filter((t) => !t.keep));
  if (dropped.length === 0) return [];
  const kept = mergedRanges(tracks.filter((t) => t.keep));
  const out: Array<[number, number]> = [];
  let k = 0;
  for (const [start, end] of dropped) {
    let from = start;
    while (k < kept.length && (kept[k] as [number, number])[1] <= from) k++;
    let j = k;
    while (from < end && j < kept.length && (kept[j] as [number, number])[0] < end) {
      const [keptStart, keptEnd] = kept[j] as [number, number];
      if (keptStart > from) out.push([from, keptStart]);
      from = Math.max(from, keptEnd);
      j++;
    }
    if (from < end) out.push([from, end]);
  }
  return out;
}

function mergedRanges(tracks: readonly Mp4TrackPlan[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const track of tracks) {
    const chunks = track.chunks;
    if (!chunks) continue;
    for (let i = 0; i < chunks.offsets.length; i++) {
      const size = chunks.sizes[i] as number;
      if (size > 0) ranges.push([chunks.offsets[i] as number, (chunks.offsets[i] as number) + size]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

function removedSummary(removed: Record<string, number>): { text: string; count: number; parts: string[] } | null {
  const entries = Object.entries(removed).filter(([, n]) => n > 0);
  if (entries.length === 0) return null;
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const parts = entries.map(([type, n]) => `${type.trim() || '?'} ×${n}`);
  return { text: `${total} ${total === 1 ? 'box' : 'boxes'} removed: ${parts.join(', ')}`, count: total, parts };
}
