// Rebuilds the movie header (moov) without what can identify a person, place, device or time:
// user data, metadata boxes, vendor blocks, non-picture/sound tracks, creation times, handler
// and compressor names. Everything needed to decode is copied byte for byte; the result is
// never larger than the original, so 32-bit chunk offsets always still fit.

import type { Mp4Box } from './mp4-box.ts';
import type { Mp4TrackPlan } from './mp4-analysis.ts';
import type { Mp4FindingList } from './metadata-findings.ts';
import type { Mp4Finding } from './mp4-types.ts';
import { buildBox, payloadOf, wholeBox } from './mp4-box.ts';
import { describeBlankedText, describeCreationTime, describeMetadataBox } from './metadata-findings.ts';

/** A chunk offset table inside the rebuilt moov whose entries still hold input offsets. */
export interface ChunkOffsetField {
  /** Position of the first entry within the rebuilt moov. */
  at: number;
  width: 4 | 8;
  count: number;
}

export interface MovieRewrite {
  bytes: Buffer;
  chunkOffsetFields: ChunkOffsetField[];
  clearedTimestamps: number;
  removedTracks: number;
}

interface Piece {
  bytes: Buffer;
  fields: ChunkOffsetField[];
}

interface RewriteContext {
  findings: Mp4FindingList;
  removed: Record<string, number>;
  keptTrackIds: ReadonlySet<number>;
  tracksByTrak: ReadonlyMap<Mp4Box, Mp4TrackPlan>;
  clearedTimestamps: number;
  removedTracks: number;
  creationTimeSeen: boolean;
}

const METADATA_TYPES = new Set(['udta', 'meta', 'uuid']);

// What each container keeps. Anything else is dropped and counted: an unknown box in the movie
// header is as likely to be a vendor's tag block as anything a player needs.
const KEEP_IN_MOOV = new Set(['mvhd', 'trak', 'mvex', 'iods']);
const KEEP_IN_TRAK = new Set(['tkhd', 'tref', 'edts', 'mdia', 'tapt', 'trgr', 'txas', 'load']);
const KEEP_IN_MDIA = new Set(['mdhd', 'hdlr', 'minf', 'elng']);
const KEEP_IN_MINF = new Set(['vmhd', 'smhd', 'hmhd', 'nmhd', 'sthd', 'gmhd', 'hdlr', 'dinf', 'stbl']);

// Small containers copied with only the children their specifications define, so a tag block
// tucked inside one (a udta in mvex, say) does not ride along with a verbatim copy.
const FILTERED_CONTAINERS = new Map<string, ReadonlySet<string>>([
  ['mvex', new Set(['mehd', 'trex', 'leva', 'trep'])],
  ['edts', new Set(['elst'])],
  ['dinf', new Set(['dref'])],
  ['tapt', new Set(['clef', 'prof', 'enof'])],
]);

// Handler names that say nothing beyond the track kind; others ("GoPro AVC", "DJI.AVC") name the device.
const GENERIC_HANDLER_NAMES = new Set(['', 'VideoHandler', 'SoundHandler', 'DataHandler', 'Video', 'Sound', 'Audio']);

export function rewriteMovie(
  moov: Mp4Box,
  tracks: readonly Mp4TrackPlan[],
  findings: Mp4FindingList,
  removed: Record<string, number>,
): MovieRewrite {
  const ctx: RewriteContext = {
    findings,
    removed,
    keptTrackIds: new Set(tracks.filter((t) => t.keep).map((t) => t.trackId)),
    tracksByTrak: new Map(tracks.map((t) => [t.trak, t])),
    clearedTimestamps: 0,
    removedTracks: 0,
    creationTimeSeen: false,
  };
  const pieces: Piece[] = [];
  for (const child of moov.children ?? []) {
    if (dropIfMetadata(child, ctx)) continue;
    if (child.type === 'mvhd') pieces.push(leaf(clearTimes(child, ctx)));
    else if (child.type === 'trak') {
      const piece = rewriteTrack(child, ctx);
      if (piece) pieces.push(piece);
    } else if (KEEP_IN_MOOV.has(child.type)) pieces.push(keepChild(child, ctx));
    else countRemoved(child, ctx);
  }
  const piece = compose('moov', Buffer.alloc(0), pieces);
  return {
    bytes: piece.bytes,
    chunkOffsetFields: piece.fields,
    clearedTimestamps: ctx.clearedTimestamps,
    removedTracks: ctx.removedTracks,
  };
}

function rewriteTrack(trak: Mp4Box, ctx: RewriteContext): Piece | null {
  const plan = ctx.tracksByTrak.get(trak);
  if (!plan?.keep) {
    ctx.removedTracks += 1;
    ctx.removed['trak'] = (ctx.removed['trak'] ?? 0) + 1;
    const dropped = droppedTrackSentence(plan?.handler ?? '');
    ctx.findings.add('track', dropped.code, dropped.text, dropped.params);
    describeNestedMetadata(trak, ctx);
    return null;
  }
  const pieces: Piece[] = [];
  for (const child of trak.children ?? []) {
    if (dropIfMetadata(child, ctx)) continue;
    if (child.type === 'tkhd') pieces.push(leaf(clearTimes(child, ctx)));
    else if (child.type === 'tref') {
      const tref = filterTrackReferences(child, ctx);
      if (tref) pieces.push(leaf(tref));
    } else if (child.type === 'mdia') pieces.push(rewriteMedia(child, plan, ctx));
    else if (KEEP_IN_TRAK.has(child.type)) pieces.push(keepChild(child, ctx));
    else countRemoved(child, ctx);
  }
  return compose('trak', Buffer.alloc(0), pieces);
}

function rewriteMedia(mdia: Mp4Box, plan: Mp4TrackPlan, ctx: RewriteContext): Piece {
  const pieces: Piece[] = [];
  for (const child of mdia.children ?? []) {
    if (dropIfMetadata(child, ctx)) continue;
    if (child.type === 'mdhd') pieces.push(leaf(clearTimes(child, ctx)));
    else if (child.type === 'hdlr') pieces.push(leaf(blankHandlerName(child, ctx)));
    else if (child.type === 'minf') pieces.push(rewriteMediaInfo(child, plan, ctx));
    else if (KEEP_IN_MDIA.has(child.type)) pieces.push(keepChild(child, ctx));
    else countRemoved(child, ctx);
  }
  return compose('mdia', Buffer.alloc(0), pieces);
}

function rewriteMediaInfo(minf: Mp4Box, plan: Mp4TrackPlan, ctx: RewriteContext): Piece {
  const pieces: Piece[] = [];
  for (const child of minf.children ?? []) {
    if (dropIfMetadata(child, ctx)) continue;
    if (child.type === 'hdlr') pieces.push(leaf(blankHandlerName(child, ctx)));
    else if (child.type === 'stbl') pieces.push(rewriteSampleTable(child, plan, ctx));
    else if (KEEP_IN_MINF.has(child.type)) pieces.push(keepChild(child, ctx));
    else countRemoved(child, ctx);
  }
  return compose('minf', Buffer.alloc(0), pieces);
}

/** The sample table is what decoders read, so it is kept whole apart from chunk offsets and sample-entry labels. */
function rewriteSampleTable(stbl: Mp4Box, plan: Mp4TrackPlan, ctx: RewriteContext): Piece {
  const pieces: Piece[] = [];
  for (const child of stbl.children ?? []) {
    if (dropIfMetadata(child, ctx)) continue;
    if (child.type === 'free' || child.type === 'skip') {
      countRemoved(child, ctx);
    } else if (child.type === 'stsd') {
      pieces.push(leaf(blankSampleEntries(child, plan.handler, ctx)));
    } else if (child.type === 'stco' || child.type === 'co64') {
      const bytes = copyOf(child);
      const width = child.type === 'co64' ? 8 : 4;
      const count = bytes.readUInt32BE(child.headerSize + 4);
      pieces.push({ bytes, fields: [{ at: child.headerSize + 8, width, count }] });
    } else {
      pieces.push(leaf(copyOf(child)));
    }
  }
  return compose('stbl', Buffer.alloc(0), pieces);
}

function dropIfMetadata(box: Mp4Box, ctx: RewriteContext): boolean {
  if (!METADATA_TYPES.has(box.type)) return false;
  describeMetadataBox(box, ctx.findings);
  ctx.removed[box.type] = (ctx.removed[box.type] ?? 0) + 1;
  return true;
}

function countRemoved(box: Mp4Box, ctx: RewriteContext): void {
  const key = box.type.replace(/[^\x20-\x7e]/g, '?');
  ctx.removed[key] = (ctx.removed[key] ?? 0) + 1;
}

/** A removed track's own user data is reported like any other, so staff see what was in it. */
function describeNestedMetadata(box: Mp4Box, ctx: RewriteContext): void {
  for (const child of box.children ?? []) {
    if (METADATA_TYPES.has(child.type)) describeMetadataBox(child, ctx.findings);
    else describeNestedMetadata(child, ctx);
  }
}

function droppedTrackSentence(handler: string): Pick<Mp4Finding, 'code' | 'text' | 'params'> {
  switch (handler) {
    case 'meta':
      return { code: 'video.timed-metadata-track', text: 'Timed metadata track removed (such tracks can hold GPS or sensor readings)' };
    case 'tmcd':
      return { code: 'video.timecode-track', text: 'Timecode track removed' };
    case 'text':
    case 'sbtl':
    case 'subt':
    case 'clcp':
      return { code: 'video.subtitle-track', text: 'Subtitle track removed' };
    case 'hint':
      return { code: 'video.hint-track', text: 'Streaming hint track removed' };
    default: {
      const type = handler.replace(/[^\x20-\x7e]/g, '?');
      return { code: 'video.other-track', text: `Extra track of type "${type}" removed`, params: { type } };
    }
  }
}

/** mvhd/tkhd/mdhd: creation and modification times become 0 ("unknown"). */
function clearTimes(box: Mp4Box, ctx: RewriteContext): Buffer {
  const bytes = copyOf(box);
  const p = box.headerSize;
  const version = bytes.readUInt8(p);
  const width = version === 1 ? 8 : 4;
  for (const field of [p + 4, p + 4 + width]) {
    const value = width === 8 ? Number(bytes.readBigUInt64BE(field)) : bytes.readUInt32BE(field);
    if (value === 0) continue;
    if (field === p + 4 && !ctx.creationTimeSeen) {
      ctx.creationTimeSeen = true;
      describeCreationTime(value, ctx.findings);
    }
    ctx.clearedTimestamps += 1;
    bytes.fill(0, field, field + width);
  }
  return bytes;
}

/**
 * hdlr: bytes 12..24 of the payload are reserved in ISO files and a manufacturer code in
 * QuickTime; the name after them is free text ("GoPro AVC"). Zeroing in place keeps the box
 * size and reads as an empty name in both the C-string and Pascal-string conventions.
 */
function blankHandlerName(box: Mp4Box, ctx: RewriteContext): Buffer {
  const bytes = copyOf(box);
  const p = box.headerSize;
  const payload = payloadOf(box);
  if (payload.length > 24) {
    const name = handlerName(payload.subarray(24));
    if (!GENERIC_HANDLER_NAMES.has(name)) describeBlankedText('device', 'video.track-name', 'Track name', name, ctx.findings);
  }
  if (payload.length > 12) bytes.fill(0, p + 12, bytes.length);
  return bytes;
}

function handlerName(field: Buffer): string {
  const first = field[0] ?? 0;
  if (first > 0 && first === field.length - 1) return field.toString('utf8', 1);
  const nul = field.indexOf(0);
  return field.toString('utf8', 0, nul === -1 ? field.length : nul);
}

/**
 * Sample entries carry a vendor code (bytes 12..16 of the payload, reserved zero in ISO files)
 * and, for pictures, a 32-byte compressor name that typically names the encoder or camera.
 */
function blankSampleEntries(stsd: Mp4Box, handler: string, ctx: RewriteContext): Buffer {
  const bytes = copyOf(stsd);
  for (const entry of stsd.children ?? []) {
    const p = entry.start - stsd.start + entry.headerSize;
    const payloadLength = entry.size - entry.headerSize;
    if ((handler === 'vide' || handler === 'soun') && payloadLength >= 16) bytes.fill(0, p + 12, p + 16);
    if (handler === 'vide' && payloadLength >= 74) {
      const field = bytes.subarray(p + 42, p + 74);
      const length = field[0] ?? 0;
      const name = length > 0 && length < 32 ? field.toString('utf8', 1, 1 + length) : '';
      describeBlankedText('encoder', 'video.encoder-name', 'Encoder tag', name, ctx.findings);
      field.fill(0);
    }
  }
  return bytes;
}

/** Keeps references only to tracks that stay; a reference to a removed track would dangle. */
function filterTrackReferences(tref: Mp4Box, ctx: RewriteContext): Buffer | null {
  const parts: Buffer[] = [];
  for (const reference of tref.children ?? []) {
    const payload = payloadOf(reference);
    if (payload.length % 4 !== 0) continue;
    const ids: number[] = [];
    for (let i = 0; i < payload.length; i += 4) {
      const id = payload.readUInt32BE(i);
      if (ctx.keptTrackIds.has(id)) ids.push(id);
    }
    if (ids.length === 0) continue;
    const body = Buffer.alloc(ids.length * 4);
    ids.forEach((id, i) => body.writeUInt32BE(id, i * 4));
    parts.push(buildBox(reference.type, [body]));
  }
  return parts.length === 0 ? null : buildBox('tref', parts);
}

/**
 * Every kept data reference is self-contained (the analysis refused the rest), so its entries
 * need no body; a hostile file could still leave a path such as C:\Users\name\... there.
 * Entry order and count stay, so sample entries' data reference indexes stay valid.
 */
function selfContainedReferences(dref: Mp4Box): Buffer {
  const entries = (dref.children ?? []).map((entry) => buildBox(entry.type, [Buffer.from([0, 0, 0, 1])]));
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(entries.length, 4);
  return buildBox('dref', [prefix, ...entries]);
}

function copyOf(box: Mp4Box): Buffer {
  return Buffer.from(wholeBox(box));
}

function keepChild(box: Mp4Box, ctx: RewriteContext): Piece {
  const allowed = FILTERED_CONTAINERS.get(box.type);
  if (!allowed || !box.children) return leaf(copyOf(box));
  const pieces: Piece[] = [];
  for (const child of box.children) {
    if (dropIfMetadata(child, ctx)) continue;
    if (child.type === 'dref') pieces.push(leaf(selfContainedReferences(child)));
    else if (allowed.has(child.type)) pieces.push(leaf(copyOf(child)));
    else countRemoved(child, ctx);
  }
  const prefix = box.bytes.subarray(box.start + box.headerSize, box.start + box.headerSize + box.childPrefix);
  return compose(box.type, Buffer.from(prefix), pieces);
}

function leaf(bytes: Buffer): Piece {
  return { bytes, fields: [] };
}

function compose(type: string, prefix: Buffer, pieces: readonly Piece[]): Piece {
  const fields: ChunkOffsetField[] = [];
  let at = 8 + prefix.length;
  for (const piece of pieces) {
    for (const field of piece.fields) fields.push({ ...field, at: field.at + at });
    at += piece.bytes.length;
  }
  return { bytes: buildBox(type, [prefix, ...pieces.map((piece) => piece.bytes)]), fields };
}
