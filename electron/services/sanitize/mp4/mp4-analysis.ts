// Walks and validates a whole MP4/MOV before anything is written: the top-level layout, the
// movie header tree, every track's chunk table against the media data, and fragment headers.
// The result is everything the rewriter needs; a file that gets past here can be rewritten
// without a single unchecked read.

import type { Mp4Limits, Mp4Format, Mp4Layout } from './mp4-types.ts';
import type { Mp4Source } from './mp4-io.ts';
import type { Mp4Box, Mp4BoxHeader, WalkBudget } from './mp4-box.ts';
import type { Mp4ChunkTable } from './sample-tables.ts';
import {
  MAX_HEADER_BYTES,
  childOf,
  childrenOf,
  countBox,
  parseBoxHeader,
  parseBoxTree,
  payloadOf,
  requiredChild,
} from './mp4-box.ts';
import { readChunkTable } from './sample-tables.ts';
import { at, malformed, noMedia, notVideo, printableType, tooComplex, unsupported } from './mp4-errors.ts';

/**
 * What happens to each top-level box:
 * - `copy`: unchanged (ftyp, sidx);
 * - `movie`: the rebuilt moov;
 * - `media`: mdat, copied with removed tracks' samples blanked;
 * - `padding`: free/skip/wide, kept in place but with zeroed contents (stale data hides there);
 * - `metadata`: uuid/meta/udta, removed (or blanked in place inside a fragmented region);
 * - `fragment`: moof, rewritten in place with the same size;
 * - `index`: mfra, whose absolute offsets are simpler to drop than to trust.
 */
export type Mp4TopLevelRole = 'copy' | 'movie' | 'media' | 'padding' | 'metadata' | 'fragment' | 'index';

export interface Mp4TopLevelBox extends Mp4BoxHeader {
  offset: number;
  role: Mp4TopLevelRole;
  /** Parsed contents for moov, moof, ftyp, and metadata small enough to describe. */
  tree?: Mp4Box;
}

export interface Mp4TrackPlan {
  trak: Mp4Box;
  trackId: number;
  handler: string;
  keep: boolean;
  chunks: Mp4ChunkTable | null;
}

export interface Mp4FragmentTrack {
  /** Where the 64-bit base data offset sits inside the moof buffer, when the tfhd has one. */
  baseOffsetAt: number | null;
  baseOffset: number | null;
}

export interface Mp4Analysis {
  fileSize: number;
  format: Mp4Format;
  majorBrand: string | null;
  layout: Mp4Layout;
  fragmented: boolean;
  boxes: Mp4TopLevelBox[];
  movie: Mp4TopLevelBox & { tree: Mp4Box };
  tracks: Mp4TrackPlan[];
  /**
   * Offset of the first fragment, fragment index or segment index. From here on nothing may
   * change size: offsets inside fragments are relative and would silently break.
   */
  fragmentRegionStart: number | null;
}

// Old QuickTime files have no ftyp and start straight with one of these.
const LEGACY_FIRST_BOXES = new Set(['moov', 'mdat', 'wide', 'free', 'skip']);

const ROLE_BY_TYPE = new Map<string, Mp4TopLevelRole>([
  ['ftyp', 'copy'],
  ['moov', 'movie'],
  ['mdat', 'media'],
  ['free', 'padding'],
  ['skip', 'padding'],
  ['wide', 'padding'],
  ['uuid', 'metadata'],
  ['meta', 'metadata'],
  ['udta', 'metadata'],
  ['moof', 'fragment'],
  ['mfra', 'index'],
  ['sidx', 'copy'],
]);

const MAX_FTYP_BYTES = 4096;

// Picture and sound are what gets published. Every other kind of track (timed metadata such as
// GoPro GPMF or Apple mebx, timecode, subtitles, hint tracks) can carry location or identity.
const KEPT_HANDLERS = new Set(['vide', 'soun']);

export async function analyseMp4(source: Mp4Source, limits: Mp4Limits): Promise<Mp4Analysis> {
  if (source.size < 8) throw notVideo(`file is only ${source.size} bytes`);
  const budget: WalkBudget = { limits, boxes: 0 };
  const boxes = await walkTopLevel(source, budget);

  const movies = boxes.filter((box) => box.role === 'movie');
  if (movies.length === 0) throw malformed('no moov box (the movie header that says where the pictures are)');
  const movie = movies[0] as Mp4TopLevelBox & { tree: Mp4Box };

  const ftyp = boxes[0]?.type === 'ftyp' ? boxes[0] : undefined;
  const majorBrand = ftyp?.tree ? payloadOf(ftyp.tree).toString('latin1', 0, 4) : null;
  const format: Mp4Format = majorBrand === null || majorBrand === 'qt  ' ? 'quicktime' : 'mp4';
  const firstMedia = boxes.find((box) => box.role === 'media' || box.role === 'fragment');
  const layout: Mp4Layout = firstMedia === undefined || movie.offset < firstMedia.offset ? 'faststart' : 'moov-last';

  const regionBox = boxes.find((box) => box.role === 'fragment' || box.role === 'index' || box.type === 'sidx');
  const fragmentRegionStart = regionBox?.offset ?? null;
  if (fragmentRegionStart !== null && movie.offset > fragmentRegionStart) {
    throw unsupported(`moov at offset ${movie.offset} comes after ${at(regionBox?.type ?? '', fragmentRegionStart)}`);
  }
  const fragments = boxes.filter((box) => box.role === 'fragment');
  const fragmented = fragments.length > 0;

  checkMovie(movie.tree, fragmented);
  const tracks = planTracks(movie.tree);
  const kept = tracks.filter((track) => track.keep);
  if (kept.length === 0) throw noMedia(`none of the ${tracks.length} tracks is picture or sound`);
  if (fragmented) {
    const dropped = tracks.filter((track) => !track.keep);
    if (dropped.length > 0) {
      throw unsupported(
        `fragmented file with ${dropped.length} track(s) that are not picture or sound (${dropped.map((t) => t.handler).join(', ')}); their data inside fragments cannot be removed safely`,
      );
    }
  } else if (kept.every((track) => (track.chunks?.sampleCount ?? 0) === 0)) {
    throw noMedia('no picture or sound samples');
  }

  checkChunksInsideMedia(tracks, boxes);
  const trackIds = new Set(kept.map((track) => track.trackId));
  for (const fragment of fragments) checkFragment(fragment.tree as Mp4Box, trackIds, boxes);

  return { fileSize: source.size, format, majorBrand, layout, fragmented, boxes, movie, tracks, fragmentRegionStart };
}

async function walkTopLevel(source: Mp4Source, budget: WalkBudget): Promise<Mp4TopLevelBox[]> {
  const boxes: Mp4TopLevelBox[] = [];
  let pos = 0;
  let movies = 0;
  while (pos < source.size) {
    const remaining = source.size - pos;
    if (remaining < 8) throw malformed(`${remaining} bytes of trailing data after the last box, at offset ${pos}`);
    const head = await source.read(pos, Math.min(MAX_HEADER_BYTES, remaining));
    const type = head.toString('latin1', 4, 8);
    if (pos === 0 && type !== 'ftyp' && !LEGACY_FIRST_BOXES.has(type)) {
      throw notVideo(`file starts with ${printableType(type)} instead of an ftyp box`);
    }
    if (!/^[\x20-\x7e]{4}$/.test(type)) {
      throw malformed(`bytes at offset ${pos} are not a box (type ${printableType(type)}); trailing data after the last box?`);
    }
    const header = parseBoxHeader(head, 0, pos, remaining, true);
    countBox(budget, type, pos);
    const role = ROLE_BY_TYPE.get(type);
    if (role === undefined) {
      throw unsupported(`top-level ${at(type, pos)} is not a box type Airlock accepts in a video`);
    }
    const box: Mp4TopLevelBox = { ...header, offset: pos, role };
    if (type === 'ftyp') {
      if (pos !== 0) throw malformed(`${at(type, pos)} is not the first box`);
      if (header.size > MAX_FTYP_BYTES) throw malformed(`${at(type, pos)} is ${header.size} bytes, far larger than a file type box is`);
      if (header.size - header.headerSize < 8) throw malformed(`${at(type, pos)} is too small to name a brand`);
      box.tree = await readTree(source, box, budget);
    } else if (type === 'moov') {
      movies += 1;
      if (movies > 1) throw malformed(`second moov at offset ${pos}; a video has exactly one`);
      if (header.size > budget.limits.maxMoovBytes) {
        throw tooComplex(`${at(type, pos)} is ${header.size} bytes, over the ${budget.limits.maxMoovBytes}-byte limit`);
      }
      box.tree = await readTree(source, box, budget);
    } else if (type === 'moof') {
      if (movies === 0) throw unsupported(`${at(type, pos)} comes before the movie header`);
      if (header.size > budget.limits.maxFragmentHeaderBytes) {
        throw tooComplex(`${at(type, pos)} is ${header.size} bytes, over the ${budget.limits.maxFragmentHeaderBytes}-byte limit`);
      }
      box.tree = await readTree(source, box, budget);
    } else if (type === 'sidx' && movies === 0) {
      throw unsupported(`${at(type, pos)} comes before the movie header`);
    } else if (role === 'metadata' && header.size <= budget.limits.maxMetadataScanBytes) {
      box.tree = await readTree(source, box, budget);
    }
    boxes.push(box);
    pos += header.size;
  }
  return boxes;
}

async function readTree(source: Mp4Source, box: Mp4TopLevelBox, budget: WalkBudget): Promise<Mp4Box> {
  const bytes = await source.read(box.offset, box.size);
  return parseBoxTree(bytes, 0, box.offset, box, 0, budget, null);
}

function checkMovie(moov: Mp4Box, fragmented: boolean): void {
  const compressed = childOf(moov, 'cmov');
  if (compressed) throw unsupported(`${at('cmov', compressed.offset)}: compressed movie header cannot be inspected`);
  const reference = childOf(moov, 'rmra');
  if (reference) throw unsupported(`${at('rmra', reference.offset)}: reference movie that points to other files or addresses`);
  const mvhd = requiredChild(moov, 'mvhd');
  checkTimedHeader(mvhd, 12, 20);
  if (fragmented && !childOf(moov, 'mvex')) throw malformed('file has movie fragments but the moov has no mvex box');
}

/** mvhd/tkhd/mdhd: version 0 has 32-bit times, version 1 has 64-bit ones. */
export function checkTimedHeader(box: Mp4Box, minV0: number, minV1: number): number {
  const payload = payloadOf(box);
  if (payload.length < 4) throw malformed(`${at(box.type, box.offset)} is too small for its fields`);
  const version = payload.readUInt8(0);
  if (version > 1) throw malformed(`${at(box.type, box.offset)} has unknown version ${version}`);
  if (payload.length < (version === 0 ? minV0 : minV1)) throw malformed(`${at(box.type, box.offset)} is too small for its fields`);
  return version;
}

function planTracks(moov: Mp4Box): Mp4TrackPlan[] {
  const tracks: Mp4TrackPlan[] = [];
  const seen = new Set<number>();
  for (const trak of childrenOf(moov, 'trak')) {
    const tkhd = requiredChild(trak, 'tkhd');
    const version = checkTimedHeader(tkhd, 16, 24);
    const trackId = payloadOf(tkhd).readUInt32BE(version === 0 ? 12 : 20);
    if (seen.has(trackId)) throw malformed(`two tracks share track ID ${trackId}`);
    seen.add(trackId);

    const mdia = requiredChild(trak, 'mdia');
    checkTimedHeader(requiredChild(mdia, 'mdhd'), 12, 20);
    const hdlr = requiredChild(mdia, 'hdlr');
    const hdlrPayload = payloadOf(hdlr);
    if (hdlrPayload.length < 12) throw malformed(`${at(hdlr.type, hdlr.offset)} is too small for its fields`);
    const handler = hdlrPayload.toString('latin1', 8, 12);
    const keep = KEPT_HANDLERS.has(handler);

    const minf = keep ? requiredChild(mdia, 'minf') : childOf(mdia, 'minf');
    const stbl = minf ? (keep ? requiredChild(minf, 'stbl') : childOf(minf, 'stbl')) : undefined;
    // Without a data reference a track's media is in this file, which is what every player assumes.
    const dinf = minf ? childOf(minf, 'dinf') : undefined;
    const dref = dinf ? childOf(dinf, 'dref') : undefined;
    if (keep && dref) checkSelfContained(dref, trackId);
    const auxiliary = stbl ? childOf(stbl, 'saio') : undefined;
    if (auxiliary) {
      // saio in a sample table holds absolute offsets of per-sample data (in practice encryption
      // keys); rewriting it is not worth the risk for content that could not be published anyway.
      throw unsupported(`track ${trackId} has auxiliary sample information (${at(auxiliary.type, auxiliary.offset)}), used by encrypted video`);
    }
    const chunks = stbl ? readChunkTable(stbl) : null;
    tracks.push({ trak, trackId, handler, keep, chunks });
  }
  return tracks;
}

/**
 * A data reference that is not flagged self-contained points at media in another file (or on a
 * server): the chunk offsets then mean nothing in this file and the video cannot be checked.
 */
function checkSelfContained(dref: Mp4Box, trackId: number): void {
  const entries = dref.children ?? [];
  if (entries.length === 0) throw malformed(`track ${trackId} has an empty data reference table (${at(dref.type, dref.offset)})`);
  for (const entry of entries) {
    const payload = payloadOf(entry);
    const flags = payload.length >= 4 ? payload.readUInt32BE(0) & 0xffffff : 0;
    if ((flags & 1) === 0) {
      throw unsupported(`track ${trackId} takes its media from outside this file (${at(entry.type, entry.offset)})`);
    }
  }
}

interface MediaSpan {
  start: number;
  end: number;
}

/** Every chunk of every track must lie wholly inside the payload of one mdat. */
function checkChunksInsideMedia(tracks: readonly Mp4TrackPlan[], boxes: readonly Mp4TopLevelBox[]): void {
  const spans: MediaSpan[] = boxes
    .filter((box) => box.role === 'media')
    .map((box) => ({ start: box.offset + box.headerSize, end: box.offset + box.size }));
  for (const track of tracks) {
    const chunks = track.chunks;
    if (!chunks) continue;
    for (let i = 0; i < chunks.offsets.length; i++) {
      const offset = chunks.offsets[i] as number;
      const size = chunks.sizes[i] as number;
      const span = spanContaining(spans, offset);
      if (span === null || offset + size > span.end) {
        throw malformed(
          `track ${track.trackId} chunk ${i + 1} at offset ${offset} (${size} bytes) lies outside the media data (${at(chunks.offsetBox.type, chunks.offsetBox.offset)})`,
        );
      }
    }
  }
}

function spanContaining(spans: readonly MediaSpan[], offset: number): MediaSpan | null {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const span = spans[mid] as MediaSpan;
    if (offset < span.start) hi = mid - 1;
    else if (offset > span.end) lo = mid + 1;
    else return span;
  }
  return null;
}

/** Reads the tfhd of each track fragment: the track must exist and be kept, offsets must land in the file's fragments. */
export function readFragmentTracks(moof: Mp4Box): Mp4FragmentTrack[] {
  const out: Mp4FragmentTrack[] = [];
  for (const traf of childrenOf(moof, 'traf')) {
    const tfhd = requiredChild(traf, 'tfhd');
    const payload = payloadOf(tfhd);
    if (payload.length < 8) throw malformed(`${at(tfhd.type, tfhd.offset)} is too small for its fields`);
    const flags = payload.readUInt32BE(0) & 0xffffff;
    if ((flags & 1) === 0) {
      out.push({ baseOffsetAt: null, baseOffset: null });
      continue;
    }
    if (payload.length < 16) throw malformed(`${at(tfhd.type, tfhd.offset)} is too small for its base data offset`);
    const value = payload.readBigUInt64BE(8);
    const baseOffsetAt = tfhd.start + tfhd.headerSize + 8;
    out.push({ baseOffsetAt, baseOffset: value > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(value) });
  }
  return out;
}

function checkFragment(moof: Mp4Box, trackIds: ReadonlySet<number>, boxes: readonly Mp4TopLevelBox[]): void {
  requiredChild(moof, 'mfhd');
  const trafs = childrenOf(moof, 'traf');
  const fragmentTracks = readFragmentTracks(moof);
  trafs.forEach((traf, i) => {
    const tfhd = requiredChild(traf, 'tfhd');
    const trackId = payloadOf(tfhd).readUInt32BE(4);
    if (!trackIds.has(trackId)) {
      throw malformed(`${at(traf.type, traf.offset)} belongs to track ${trackId}, which the movie header does not describe`);
    }
    const base = (fragmentTracks[i] as Mp4FragmentTrack).baseOffset;
    if (base !== null && topLevelBoxAt(boxes, base, ['fragment', 'media']) === null) {
      throw malformed(`${at(tfhd.type, tfhd.offset)} base data offset ${base} is not inside a fragment or its media`);
    }
  });
}

/** The top-level box holding `offset`, if it has one of the given roles. */
export function topLevelBoxAt(
  boxes: readonly Mp4TopLevelBox[],
  offset: number,
  roles: readonly Mp4TopLevelRole[],
): { box: Mp4TopLevelBox; index: number } | null {
  let lo = 0;
  let hi = boxes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const box = boxes[mid] as Mp4TopLevelBox;
    if (offset < box.offset) hi = mid - 1;
    else if (offset >= box.offset + box.size) lo = mid + 1;
    else return roles.includes(box.role) ? { box, index: mid } : null;
  }
  return null;
}
