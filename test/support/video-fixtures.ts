// Builds test videos at test time: small clips made with ffmpeg (with location, author, title
// and encoder tags the sanitizer must remove), byte-level box builders for hostile files, and
// the ffmpeg/ffprobe/exiftool checks that prove a cleaned video still decodes identically.

import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const FFMPEG = '/usr/bin/ffmpeg';
export const FFPROBE = '/usr/bin/ffprobe';
export const EXIFTOOL = '/usr/bin/exiftool';

export interface VideoOptions {
  container?: 'mp4' | 'mov';
  seconds?: number;
  audio?: boolean;
  /** Movie header before the media (`-movflags +faststart`). */
  faststart?: boolean;
  /** Fragmented MP4 (`frag_keyframe+empty_moov`), optionally with `default_base_moof`. */
  fragmented?: boolean | 'default-base-moof';
  /** `-metadata key=value` pairs: location, author, title, creation_time, ... */
  metadata?: Record<string, string>;
  /** Write tags as Apple `mdta` keys (`-movflags use_metadata_tags`). */
  metadataKeys?: boolean;
  /** Adds a QuickTime timecode track (a non-picture/sound track the sanitizer must drop). */
  timecode?: string;
  /** Adds a mov_text subtitle track holding this text. */
  subtitle?: string;
}

/** Makes a 160x120 test clip with ffmpeg and returns its path. */
export async function makeVideo(dir: string, name: string, options: VideoOptions = {}): Promise<string> {
  const seconds = options.seconds ?? 1;
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10:duration=${seconds}`];
  if (options.audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=8000:duration=${seconds}`);
  if (options.subtitle !== undefined) {
    const srt = join(dir, `${name}.srt`);
    await writeFile(srt, `1\n00:00:00,000 --> 00:00:00,900\n${options.subtitle}\n`);
    args.push('-i', srt);
  }
  args.push('-map', '0:v');
  if (options.audio) args.push('-map', '1:a');
  if (options.subtitle !== undefined) args.push('-map', `${options.audio ? 2 : 1}:s`, '-c:s', 'mov_text');
  args.push('-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '5', '-bf', '0');
  if (options.audio) args.push('-c:a', 'aac');
  for (const [key, value] of Object.entries(options.metadata ?? {})) args.push('-metadata', `${key}=${value}`);
  if (options.timecode) args.push('-timecode', options.timecode);
  const movflags: string[] = [];
  if (options.faststart) movflags.push('+faststart');
  if (options.metadataKeys) movflags.push('+use_metadata_tags');
  if (options.fragmented) movflags.push('+frag_keyframe', '+empty_moov');
  if (options.fragmented === 'default-base-moof') movflags.push('+default_base_moof');
  if (movflags.length > 0) args.push('-movflags', movflags.join(''));
  const container = options.container ?? 'mp4';
  const path = join(dir, `${name}.${container}`);
  args.push('-f', container, path);
  await run(FFMPEG, args);
  return path;
}

/** Per-frame hashes of every stream, without the header lines that name the file. */
export async function frameMd5(path: string): Promise<string> {
  const { stdout } = await run(FFMPEG, ['-v', 'error', '-i', path, '-map', '0:v', '-map', '0:a?', '-f', 'framemd5', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .join('\n');
}

/** Decodes the whole file; ffmpeg prints nothing on stderr for a clean file. */
export async function decodeProblems(path: string): Promise<string> {
  try {
    const { stderr } = await run(FFMPEG, ['-v', 'error', '-i', path, '-f', 'null', '-']);
    return stderr.trim();
  } catch (err) {
    const failure = err as { stderr?: string; code?: number };
    return `exit ${failure.code ?? '?'}: ${failure.stderr ?? ''}`.trim();
  }
}

export interface ProbeTags {
  format: Record<string, string>;
  streams: Array<Record<string, string>>;
}

export async function probeTags(path: string): Promise<ProbeTags> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'format_tags:stream_tags', '-of', 'json', path]);
  const parsed = JSON.parse(stdout) as { format?: { tags?: Record<string, string> }; streams?: Array<{ tags?: Record<string, string> }> };
  return { format: parsed.format?.tags ?? {}, streams: (parsed.streams ?? []).map((s) => s.tags ?? {}) };
}

export async function probeStreamCount(path: string): Promise<number> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'stream=index', '-of', 'csv=p=0', path]);
  return stdout.trim().split('\n').filter(Boolean).length;
}

/** Every tag exiftool can find, embedded streams included (-ee), as `Group:Tag` -> value. */
export async function exifTags(path: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(EXIFTOOL, ['-j', '-a', '-G1', '-ee', '-u', path]);
  const [tags] = JSON.parse(stdout) as Array<Record<string, unknown>>;
  return tags ?? {};
}

// ---- byte builders -------------------------------------------------------------------------

export function u8(value: number): Buffer {
  return Buffer.from([value & 0xff]);
}

export function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

export function u64(value: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(value));
  return b;
}

export function ascii(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** A box with a correct 32-bit size. */
export function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(8 + body.length), ascii(type), body]);
}

/** A box with an explicit size field, right or wrong, for hostile files. */
export function rawBox(size: number, type: string, ...parts: Buffer[]): Buffer {
  return Buffer.concat([u32(size), ascii(type), ...parts]);
}

export function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  return box(type, u32(((version & 0xff) << 24) | (flags & 0xffffff)), ...parts);
}

export function uuidBox(uuidHex: string, ...parts: Buffer[]): Buffer {
  return box('uuid', Buffer.from(uuidHex.replace(/-/g, ''), 'hex'), ...parts);
}

export const XMP_UUID = 'BE7ACFCB-97A9-42E8-9C71-999491E3AFAC';

export function xmpPacket(fields: { latitude?: string; longitude?: string; creator?: string }): Buffer {
  return Buffer.from(
    `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"` +
      (fields.latitude ? ` exif:GPSLatitude="${fields.latitude}"` : '') +
      (fields.longitude ? ` exif:GPSLongitude="${fields.longitude}"` : '') +
      `>` +
      (fields.creator ? `<dc:creator><rdf:Seq><rdf:li>${fields.creator}</rdf:li></rdf:Seq></dc:creator>` : '') +
      `</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`,
    'utf8',
  );
}

/**
 * An Apple-style `meta` box with `mdta` keys, as iPhones write at moov level. QuickTime's form
 * has no version/flags before `hdlr`; `isoStyle` adds them as an ISO full box would.
 */
export function appleMetaBox(entries: Record<string, string>, isoStyle = false): Buffer {
  const names = Object.keys(entries);
  const hdlr = fullBox('hdlr', 0, 0, u32(0), ascii('mdta'), Buffer.alloc(12), u8(0));
  // A keys entry is (size, namespace, name), which is exactly a box of type 'mdta'.
  const keys = fullBox('keys', 0, 0, u32(names.length), ...names.map((name) => box('mdta', ascii(name))));
  // ilst items are boxes whose type is the 1-based key index.
  const items = names.map((name, i) => {
    const data = box('data', u32(1), u32(0), Buffer.from(entries[name] as string, 'utf8'));
    return Buffer.concat([u32(8 + data.length), u32(i + 1), data]);
  });
  const ilst = box('ilst', ...items);
  return isoStyle ? fullBox('meta', 0, 0, hdlr, keys, ilst) : box('meta', hdlr, keys, ilst);
}

// ---- a small independent box locator, so tests do not trust the code they test ------------

export interface FoundBox {
  type: string;
  offset: number;
  size: number;
  headerSize: number;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'udta', 'edts', 'dinf', 'mvex', 'moof', 'traf']);

export function listBoxes(bytes: Buffer, start = 0, end = bytes.length): FoundBox[] {
  const out: FoundBox[] = [];
  let pos = start;
  while (pos + 8 <= end) {
    let size = bytes.readUInt32BE(pos);
    let headerSize = 8;
    if (size === 1) {
      size = Number(bytes.readBigUInt64BE(pos + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < headerSize || pos + size > end) break;
    out.push({ type: bytes.toString('latin1', pos + 4, pos + 8), offset: pos, size, headerSize });
    pos += size;
  }
  return out;
}

/** Depth-first list of every box inside the usual containers. */
export function allBoxes(bytes: Buffer, start = 0, end = bytes.length): FoundBox[] {
  const out: FoundBox[] = [];
  for (const found of listBoxes(bytes, start, end)) {
    out.push(found);
    if (CONTAINERS.has(found.type)) out.push(...allBoxes(bytes, found.offset + found.headerSize, found.offset + found.size));
  }
  return out;
}

export function findBoxes(bytes: Buffer, type: string): FoundBox[] {
  return allBoxes(bytes).filter((found) => found.type === type);
}

export function firstBox(bytes: Buffer, type: string): FoundBox {
  const found = findBoxes(bytes, type)[0];
  if (!found) throw new Error(`fixture has no ${type} box`);
  return found;
}

/** All entries of every stco/co64 in the file, in order. */
export function chunkOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  for (const table of [...findBoxes(bytes, 'stco'), ...findBoxes(bytes, 'co64')].sort((a, b) => a.offset - b.offset)) {
    const wide = table.type === 'co64';
    const count = bytes.readUInt32BE(table.offset + 12);
    for (let i = 0; i < count; i++) {
      const at = table.offset + 16 + i * (wide ? 8 : 4);
      out.push(wide ? Number(bytes.readBigUInt64BE(at)) : bytes.readUInt32BE(at));
    }
  }
  return out;
}

/** Adds `delta` to every chunk offset (to keep a fixture valid after inserting bytes before mdat). */
export function shiftChunkOffsets(bytes: Buffer, delta: number): void {
  for (const table of findBoxes(bytes, 'stco')) {
    const count = bytes.readUInt32BE(table.offset + 12);
    for (let i = 0; i < count; i++) {
      const at = table.offset + 16 + i * 4;
      bytes.writeUInt32BE(bytes.readUInt32BE(at) + delta, at);
    }
  }
}

/**
 * Inserts boxes as the last children of moov, fixing moov's size. If moov sits before mdat the
 * chunk offsets move by the inserted length, so they are shifted to match.
 */
export function appendToMoov(bytes: Buffer, ...children: Buffer[]): Buffer {
  const moov = firstBox(bytes, 'moov');
  const extra = Buffer.concat(children);
  const out = Buffer.concat([bytes.subarray(0, moov.offset + moov.size), extra, bytes.subarray(moov.offset + moov.size)]);
  out.writeUInt32BE(moov.size + extra.length, moov.offset);
  const mdat = firstBox(bytes, 'mdat');
  if (moov.offset < mdat.offset) shiftChunkOffsets(out, extra.length);
  return out;
}

/** Inserts a top-level box at `offset` (a box boundary), shifting chunk offsets if media follows. */
export function insertTopLevel(bytes: Buffer, offset: number, inserted: Buffer): Buffer {
  const out = Buffer.concat([bytes.subarray(0, offset), inserted, bytes.subarray(offset)]);
  const mdat = firstBox(bytes, 'mdat');
  if (offset <= mdat.offset) shiftChunkOffsets(out, inserted.length);
  return out;
}

export async function readBytes(path: string): Promise<Buffer> {
  return readFile(path);
}

// ---- hand-built movies: structurally valid, tiny, and easy to break on purpose --------------

export interface MinimalMovieOptions {
  /** Chunk offsets as written in stco (absolute file offsets). */
  chunkOffsets: number[];
  /** Bytes per sample; one sample per chunk. */
  sampleSize: number;
  handler?: string;
  dataReferenceFlags?: number;
  /** Bytes after the flags of the `url ` entry (a location string, which self-contained entries should not have). */
  dataReferenceBody?: Buffer;
  trakExtras?: Buffer[];
  moovExtras?: Buffer[];
  stblExtras?: Buffer[];
}

export function minimalMoov(options: MinimalMovieOptions): Buffer {
  const count = options.chunkOffsets.length;
  const mvhd = fullBox('mvhd', 0, 0, u32(3_797_539_200), u32(3_797_539_200), u32(1000), u32(1000), Buffer.alloc(80));
  const tkhd = fullBox('tkhd', 0, 3, u32(3_797_539_200), u32(0), u32(1), u32(0), u32(1000), Buffer.alloc(60));
  const mdhd = fullBox('mdhd', 0, 0, u32(3_797_539_200), u32(0), u32(1000), u32(1000), u16(0x55c4), u16(0));
  const hdlr = fullBox('hdlr', 0, 0, u32(0), ascii(options.handler ?? 'vide'), Buffer.alloc(12), ascii('CameraMaker X1\0'));
  const dref = fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, options.dataReferenceFlags ?? 1, options.dataReferenceBody ?? Buffer.alloc(0)));
  const entry = box('avc1', Buffer.alloc(6), u16(1), Buffer.alloc(16), u16(16), u16(16), u32(0x480000), u32(0x480000), u32(0), u16(1),
    Buffer.concat([u8(5), ascii('Cam-X'), Buffer.alloc(26)]), u16(24), u16(0xffff));
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), entry),
    fullBox('stts', 0, 0, u32(1), u32(count), u32(100)),
    fullBox('stsc', 0, 0, u32(1), u32(1), u32(1), u32(1)),
    fullBox('stsz', 0, 0, u32(options.sampleSize), u32(count)),
    fullBox('stco', 0, 0, u32(count), ...options.chunkOffsets.map(u32)),
    ...(options.stblExtras ?? []),
  );
  const minf = box('minf', fullBox('vmhd', 0, 1, Buffer.alloc(8)), box('dinf', dref), stbl);
  const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, minf), ...(options.trakExtras ?? []));
  return box('moov', mvhd, trak, ...(options.moovExtras ?? []));
}

export const MINIMAL_FTYP = box('ftyp', ascii('isom'), u32(512), ascii('isomiso2mp41'));

/**
 * ftyp + moov + mdat (faststart) or ftyp + mdat + moov, with `chunks` chunks of `sampleSize`
 * bytes of non-zero data. Valid for the walker; not meant to be decoded.
 */
export function minimalMp4(
  layout: 'faststart' | 'moov-last' = 'faststart',
  extras: Pick<MinimalMovieOptions, 'trakExtras' | 'moovExtras' | 'stblExtras' | 'handler' | 'dataReferenceFlags' | 'dataReferenceBody'> = {},
  chunks = 3,
  sampleSize = 16,
): Buffer {
  const payload = Buffer.alloc(chunks * sampleSize, 0xab);
  const mdat = box('mdat', payload);
  const offsetsFrom = (mediaStart: number): number[] => Array.from({ length: chunks }, (_, i) => mediaStart + i * sampleSize);
  if (layout === 'moov-last') {
    const moov = minimalMoov({ ...extras, chunkOffsets: offsetsFrom(MINIMAL_FTYP.length + 8), sampleSize });
    return Buffer.concat([MINIMAL_FTYP, mdat, moov]);
  }
  const probe = minimalMoov({ ...extras, chunkOffsets: offsetsFrom(0), sampleSize });
  const moov = minimalMoov({ ...extras, chunkOffsets: offsetsFrom(MINIMAL_FTYP.length + probe.length + 8), sampleSize });
  return Buffer.concat([MINIMAL_FTYP, moov, mdat]);
}
