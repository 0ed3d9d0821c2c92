// Entry points of the MP4/MOV sanitizer. Plain async functions so the caller can run them in a
// worker thread; nothing here touches Electron. A file is validated completely before the first
// byte of the cleaned copy is written, and a failed copy never leaves a partial file behind.

import { rm } from 'node:fs/promises';
import type { Mp4BoxSummary, Mp4BoxTree, Mp4Limits, Mp4SanitizeReport, Mp4TrackSummary } from './mp4-types.ts';
import type { Mp4Box } from './mp4-box.ts';
import type { Mp4Analysis } from './mp4-analysis.ts';
import type { Mp4Source } from './mp4-io.ts';
import { DEFAULT_MP4_LIMITS } from './mp4-types.ts';
import { analyseMp4 } from './mp4-analysis.ts';
import { BufferSink, bufferSource, createFileSink, openFileSource } from './mp4-io.ts';
import { writeSanitizedMp4 } from './mp4-rewrite.ts';

export interface Mp4SanitizeOptions {
  limits?: Partial<Mp4Limits>;
}

/**
 * Writes a copy of `srcPath` without metadata to `destPath`, which must not exist yet (it is
 * created exclusively). Throws an AirlockError and leaves no `destPath` if the file is refused.
 */
export async function stripMp4Metadata(
  srcPath: string,
  destPath: string,
  options: Mp4SanitizeOptions = {},
): Promise<Mp4SanitizeReport> {
  const limits = resolveLimits(options);
  const { source, close } = await openFileSource(srcPath);
  try {
    const analysis = await analyseMp4(source, limits);
    const out = await createFileSink(destPath);
    try {
      const report = await writeSanitizedMp4(source, out.sink, analysis);
      await out.finish();
      return report;
    } catch (err) {
      await out.abort();
      await rm(destPath, { force: true });
      throw err;
    }
  } finally {
    await close();
  }
}

/** Validates `path` and describes its box tree; throws the same AirlockErrors as stripMp4Metadata. */
export async function inspectMp4(path: string, options: Mp4SanitizeOptions = {}): Promise<Mp4BoxTree> {
  const { source, close } = await openFileSource(path);
  try {
    return summarise(await analyseMp4(source, resolveLimits(options)));
  } finally {
    await close();
  }
}

/** In-memory variant for small inputs (tests, previews of hand-built files). */
export async function stripMp4MetadataBytes(
  bytes: Buffer,
  options: Mp4SanitizeOptions = {},
): Promise<{ bytes: Buffer; report: Mp4SanitizeReport }> {
  const source: Mp4Source = bufferSource(bytes);
  const analysis = await analyseMp4(source, resolveLimits(options));
  const sink = new BufferSink();
  const report = await writeSanitizedMp4(source, sink, analysis);
  return { bytes: sink.toBuffer(), report };
}

export async function inspectMp4Bytes(bytes: Buffer, options: Mp4SanitizeOptions = {}): Promise<Mp4BoxTree> {
  return summarise(await analyseMp4(bufferSource(bytes), resolveLimits(options)));
}

function resolveLimits(options: Mp4SanitizeOptions): Mp4Limits {
  const limits = { ...DEFAULT_MP4_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    // A typo in a policy must not quietly switch a limit off.
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`mp4 limit ${name} must be a positive integer`);
  }
  return limits;
}

function summarise(analysis: Mp4Analysis): Mp4BoxTree {
  const tracks: Mp4TrackSummary[] = analysis.tracks.map((track) => ({
    trackId: track.trackId,
    handler: track.handler,
    sampleCount: track.chunks?.sampleCount ?? 0,
    chunkCount: track.chunks?.offsets.length ?? 0,
    firstChunkOffset: track.chunks && track.chunks.offsets.length > 0 ? (track.chunks.offsets[0] as number) : null,
  }));
  return {
    fileSize: analysis.fileSize,
    format: analysis.format,
    majorBrand: analysis.majorBrand,
    layout: analysis.layout,
    fragmented: analysis.fragmented,
    boxes: analysis.boxes.map((box) => {
      const summary: Mp4BoxSummary = { type: box.type, offset: box.offset, size: box.size, headerSize: box.headerSize };
      if (box.uuid !== undefined) summary.uuid = box.uuid;
      if (box.tree?.children) summary.children = box.tree.children.map(summariseBox);
      return summary;
    }),
    tracks,
  };
}

function summariseBox(box: Mp4Box): Mp4BoxSummary {
  const summary: Mp4BoxSummary = { type: box.type, offset: box.offset, size: box.size, headerSize: box.headerSize };
  if (box.uuid !== undefined) summary.uuid = box.uuid;
  if (box.children) summary.children = box.children.map(summariseBox);
  return summary;
}
