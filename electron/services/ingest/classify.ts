// Decides what a file on the stick really is from its first bytes, never from its name, and
// whether Airlock takes it. The name only has to agree: a PNG called .jpg is refused, because a
// disagreement is either a mistake staff should fix or someone hoping a parser guesses wrong.

import type { IngestCode } from './codes.ts';
import type { MediaKind } from './limits.ts';
import { extensionOf } from './names.ts';

/** How many leading bytes the classifier wants; fewer is fine for small files. */
export const SNIFF_BYTES = 4096;

export type SniffGroup =
  | 'image' // a format Airlock imports
  | 'video' // a format Airlock imports
  | 'program'
  | 'archive'
  | 'document'
  | 'web'
  | 'other-image'
  | 'other-video'
  | 'audio'
  | 'data'
  | 'text'
  | 'unknown';

export interface Sniffed {
  /** Stable id for logs and tests: 'jpeg', 'zip', 'elf', 'unknown'… */
  format: string;
  group: SniffGroup;
  /** Short name for sentences: "PNG", "ZIP". */
  name: string;
  /** With its article, for "This is …": "a ZIP archive". */
  article: string;
  mime?: string;
}

export interface ClassifyOptions {
  /** Package files (manifest.json, manifest.sig) count only in the stick's top folder. */
  atRoot: boolean;
  /** HEIC is accepted only once the sanitiser can decode it safely. */
  heicDecoding?: boolean;
}

export type Classification =
  | { ok: true; kind: MediaKind; mime: string; format: string; checkText: boolean }
  | {
      ok: false;
      code: IngestCode;
      reason: string;
      detail: string;
      format: string;
      kind?: MediaKind;
      mime?: string;
    };

// ---------------------------------------------------------------------------------------------
// Sniffing

const ASCII = new TextDecoder('latin1');

function bytesAt(h: Uint8Array, offset: number, expected: readonly number[]): boolean {
  if (h.length < offset + expected.length) return false;
  for (let i = 0; i < expected.length; i++) {
    if (h[offset + i] !== expected[i]) return false;
  }
  return true;
}

function asciiAt(h: Uint8Array, offset: number, expected: string): boolean {
  if (h.length < offset + expected.length) return false;
  for (let i = 0; i < expected.length; i++) {
    if (h[offset + i] !== expected.charCodeAt(i)) return false;
  }
  return true;
}

function fourcc(h: Uint8Array, offset: number): string {
  return ASCII.decode(h.subarray(offset, offset + 4));
}

function u32be(h: Uint8Array, offset: number): number {
  return ((h[offset]! << 24) >>> 0) + (h[offset + 1]! << 16) + (h[offset + 2]! << 8) + h[offset + 3]!;
}

function u32le(h: Uint8Array, offset: number): number {
  return h[offset]! + (h[offset + 1]! << 8) + (h[offset + 2]! << 16) + ((h[offset + 3]! << 24) >>> 0);
}

function sniffed(format: string, group: SniffGroup, name: string, article: string, mime?: string): Sniffed {
  return mime === undefined ? { format, group, name, article } : { format, group, name, article, mime };
}

const JPEG = sniffed('jpeg', 'image', 'JPEG', 'a JPEG photo', 'image/jpeg');
const PNG = sniffed('png', 'image', 'PNG', 'a PNG image', 'image/png');
const WEBP = sniffed('webp', 'image', 'WebP', 'a WebP image', 'image/webp');
const HEIC = sniffed('heic', 'image', 'HEIC', 'a HEIC photo', 'image/heic');
const MP4 = sniffed('mp4', 'video', 'MP4', 'an MP4 video', 'video/mp4');
const QUICKTIME = sniffed('quicktime', 'video', 'MOV', 'a QuickTime (MOV) video', 'video/quicktime');
const PROGRAM = (format: string, article: string): Sniffed => sniffed(format, 'program', 'program', article);

// Brands in an ISO base media 'ftyp' box. HEIF's generic brands (mif1, msf1) count as HEIC
// unless AVIF is named; AVIF has no decoder on the kiosk either.
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const MP4_BRANDS = new Set([
  'isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'iso7', 'iso8', 'iso9',
  'mp41', 'mp42', 'mp71', 'avc1', 'M4V ', 'M4VH', 'M4VP', 'MSNV', 'XAVC', 'f4v ', 'mmp4', 'dby1',
]);
const QT_BRAND = 'qt  ';
const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);
const THREE_GP = /^3g[p2e g][0-9a-c]$/;

function sniffFtyp(h: Uint8Array): Sniffed {
  const size = u32be(h, 0);
  // An ftyp box holds major brand, minor version and whole compatible brands.
  if (size < 16 || (size - 16) % 4 !== 0) {
    return sniffed('iso-bmff', 'other-video', 'MP4-style', 'an MP4-style file with a damaged type header');
  }
  const major = fourcc(h, 8);
  const compatible: string[] = [];
  const end = Math.min(size, h.length);
  for (let offset = 16; offset + 4 <= end; offset += 4) compatible.push(fourcc(h, offset));
  const brands = [major, ...compatible];
  const any = (set: Set<string>): boolean => brands.some((brand) => set.has(brand));

  if (AVIF_BRANDS.has(major) || ((major === 'mif1' || major === 'msf1') && any(AVIF_BRANDS) && !compatible.includes('heic'))) {
    return sniffed('avif', 'other-image', 'AVIF', 'an AVIF image', 'image/avif');
  }
  if (HEIC_BRANDS.has(major)) return HEIC;
  if (major === 'crx ') return sniffed('cr3', 'other-image', 'Camera RAW', 'a camera RAW file (Canon CR3)');
  if (major === QT_BRAND) return QUICKTIME;
  if (MP4_BRANDS.has(major)) return MP4;
  if (AUDIO_BRANDS.has(major)) return sniffed('m4a', 'audio', 'audio', 'an audio file', 'audio/mp4');
  // Major brand unknown (vendor brands such as Sony's, 3GPP): fall back to what it claims to
  // be compatible with, preferring the formats Airlock can handle.
  if (compatible.includes(QT_BRAND)) return QUICKTIME;
  if (any(MP4_BRANDS)) return MP4;
  if (any(HEIC_BRANDS)) return HEIC;
  if (THREE_GP.test(major)) return sniffed('3gp', 'other-video', '3GP', 'a 3GP phone video', 'video/3gpp');
  return sniffed('iso-bmff', 'other-video', 'MP4-style', `an MP4-style file of an unknown kind ("${printable(major)}")`);
}

const MAX_FTYP_BYTES = 4096;

// Pre-2005 QuickTime files start straight with a movie or data atom instead of 'ftyp'.
// Decision: recognise them (so staff get a specific reason) but refuse them. Every camera, phone
// and editor of the last twenty years writes 'ftyp'; accepting a layout that is identified only
// by a four-letter atom name at offset 4 would hand the video sanitiser files chosen because
// they are hard to tell from junk, to save a rare re-export.
// Only recognised when the bytes are not text, so a caption cannot be mistaken for one.
const LEGACY_QT_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

function looksLikeLegacyQuickTime(h: Uint8Array): boolean {
  if (h.length < 8) return false;
  const type = fourcc(h, 4);
  if (!LEGACY_QT_ATOMS.has(type)) return false;
  const size = u32be(h, 0);
  if (size === 0 || size === 1) return type === 'mdat';
  if (size < 8) return false;
  // If the next atom header is within reach it has to look like one too.
  if (size + 8 <= h.length) return /^[a-zA-Z0-9 ]{4}$/.test(fourcc(h, size + 4));
  return true;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7E]/g, '?');
}

function skipBomAndSpace(h: Uint8Array): number {
  let i = bytesAt(h, 0, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < h.length && (h[i] === 0x20 || h[i] === 0x09 || h[i] === 0x0a || h[i] === 0x0d || h[i] === 0x0c)) i++;
  return i;
}

function sniffMarkup(h: Uint8Array): Sniffed | undefined {
  const start = skipBomAndSpace(h);
  if (h[start] !== 0x3c /* < */) return undefined;
  const head = ASCII.decode(h.subarray(start, Math.min(h.length, start + 1024))).toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) {
    return sniffed('svg', 'web', 'SVG', 'an SVG drawing', 'image/svg+xml');
  }
  const html = ['<!doctype html', '<html', '<head', '<body', '<script', '<iframe', '<meta', '<!--', '<style', '<a ', '<div', '<p>', '<img'];
  if (html.some((tag) => head.startsWith(tag))) return sniffed('html', 'web', 'HTML', 'a web page (HTML)', 'text/html');
  if (head.startsWith('<?xml')) return sniffed('xml', 'web', 'XML', 'an XML file', 'application/xml');
  return undefined;
}

/** True when every byte seen is valid UTF-8 (a sequence cut off by the header's end is fine) and none is NUL. */
function headerLooksLikeText(h: Uint8Array): boolean {
  if (h.includes(0)) return false;
  let end = h.length;
  // Drop an incomplete trailing sequence: the header may end mid-character.
  for (let back = 1; back <= 3 && back <= h.length; back++) {
    const byte = h[h.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte >= 0xc0) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      if (need > back) end = h.length - back;
    }
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(h.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/**
 * What the leading bytes say the file is. Never throws: any input, however short or odd,
 * gets an answer (at worst 'unknown').
 */
export function sniffFormat(header: Uint8Array): Sniffed {
  const h = header;
  if (h.length === 0) return sniffed('empty', 'unknown', 'empty', 'an empty file');
  // Short or printable signatures ("MZ", "RIFF", a size that spells letters) also begin
  // ordinary captions; they count only when the bytes are not plain text.
  let textCache: boolean | undefined;
  const isText = (): boolean => (textCache ??= headerLooksLikeText(h));

  // Formats Airlock imports.
  if (bytesAt(h, 0, [0xff, 0xd8, 0xff])) return JPEG;
  if (bytesAt(h, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG;
  if (asciiAt(h, 0, 'RIFF') && h.length >= 12) {
    const form = fourcc(h, 8);
    if (form === 'WEBP') return WEBP;
    if (form === 'AVI ') return sniffed('avi', 'other-video', 'AVI', 'an AVI video', 'video/x-msvideo');
    if (form === 'WAVE') return sniffed('wav', 'audio', 'audio', 'an audio file (WAV)', 'audio/wav');
    if (!isText()) return sniffed('riff', 'data', 'RIFF', `a RIFF file ("${printable(form)}")`);
  }
  // Real ftyp boxes are a few dozen bytes; a huge size field means text that happens to
  // contain "ftyp", or a header built to make a parser over-read.
  if (asciiAt(h, 4, 'ftyp') && u32be(h, 0) <= MAX_FTYP_BYTES) return sniffFtyp(h);

  // Programs: refused whatever they are called.
  if (bytesAt(h, 0, [0x7f, 0x45, 0x4c, 0x46])) return PROGRAM('elf', 'a Linux program (ELF)');
  if (asciiAt(h, 0, 'MZ') && !isText()) return PROGRAM('pe', 'a Windows program (EXE/DLL)');
  if (
    bytesAt(h, 0, [0xfe, 0xed, 0xfa, 0xce]) ||
    bytesAt(h, 0, [0xfe, 0xed, 0xfa, 0xcf]) ||
    bytesAt(h, 0, [0xce, 0xfa, 0xed, 0xfe]) ||
    bytesAt(h, 0, [0xcf, 0xfa, 0xed, 0xfe])
  ) {
    return PROGRAM('mach-o', 'a macOS program (Mach-O)');
  }
  if (bytesAt(h, 0, [0xca, 0xfe, 0xba, 0xbe])) return PROGRAM('mach-o-fat', 'a macOS or Java program');
  if (asciiAt(h, 0, '#!/') || asciiAt(h, 0, '#! /')) return PROGRAM('script', 'a script (starts with #!)');
  if (bytesAt(h, 0, [0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00])) return PROGRAM('lnk', 'a Windows shortcut (.lnk)');
  if (asciiAt(h, 0, 'dex\n') && /^\d{3}$/.test(fourcc(h, 4).slice(0, 3))) return PROGRAM('dex', 'an Android program');
  if (bytesAt(h, 0, [0x00, 0x61, 0x73, 0x6d])) return PROGRAM('wasm', 'a WebAssembly program');

  // Containers and documents.
  if (bytesAt(h, 0, [0x50, 0x4b, 0x03, 0x04]) || bytesAt(h, 0, [0x50, 0x4b, 0x05, 0x06]) || bytesAt(h, 0, [0x50, 0x4b, 0x07, 0x08])) {
    return sniffed('zip', 'archive', 'ZIP', 'a ZIP archive', 'application/zip');
  }
  if (asciiAt(h, 0, 'Rar!\x1a\x07')) return sniffed('rar', 'archive', 'RAR', 'a RAR archive');
  if (bytesAt(h, 0, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return sniffed('7z', 'archive', '7-Zip', 'a 7-Zip archive');
  if (bytesAt(h, 0, [0x1f, 0x8b])) return sniffed('gzip', 'archive', 'gzip', 'a compressed (gzip) file');
  if (asciiAt(h, 0, 'BZh') && bytesAt(h, 4, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59])) return sniffed('bzip2', 'archive', 'bzip2', 'a compressed (bzip2) file');
  if (bytesAt(h, 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return sniffed('xz', 'archive', 'xz', 'a compressed (xz) file');
  if (bytesAt(h, 0, [0x28, 0xb5, 0x2f, 0xfd])) return sniffed('zstd', 'archive', 'zstd', 'a compressed (zstd) file');
  if (asciiAt(h, 257, 'ustar') && !isText()) return sniffed('tar', 'archive', 'tar', 'a tar archive');
  if (asciiAt(h, 0, 'MSCF')) return sniffed('cab', 'archive', 'CAB', 'a Windows cabinet archive');
  if (asciiAt(h, 0, '%PDF-')) return sniffed('pdf', 'document', 'PDF', 'a PDF document', 'application/pdf');
  if (bytesAt(h, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return sniffed('ole', 'document', 'Office', 'an old-format Office document or installer');
  }
  if (asciiAt(h, 0, '{\\rtf')) return sniffed('rtf', 'document', 'RTF', 'a Rich Text document');
  if (asciiAt(h, 0, '%!PS')) return sniffed('postscript', 'document', 'PostScript', 'a PostScript document');
  if (asciiAt(h, 0, 'SQLite format 3\0')) return sniffed('sqlite', 'data', 'SQLite', 'a database file');

  // Pictures Airlock does not take.
  if (asciiAt(h, 0, 'GIF87a') || asciiAt(h, 0, 'GIF89a')) return sniffed('gif', 'other-image', 'GIF', 'a GIF image', 'image/gif');
  if (asciiAt(h, 0, 'II*\0') || asciiAt(h, 0, 'MM\0*')) {
    return sniffed('tiff', 'other-image', 'TIFF or camera RAW', 'a TIFF image or camera RAW file', 'image/tiff');
  }
  if (asciiAt(h, 0, 'BM') && h.length >= 18 && u32le(h, 6) === 0 && [12, 40, 52, 56, 64, 108, 124].includes(u32le(h, 14))) {
    return sniffed('bmp', 'other-image', 'BMP', 'a BMP image', 'image/bmp');
  }
  if (asciiAt(h, 0, '8BPS')) return sniffed('psd', 'other-image', 'Photoshop', 'a Photoshop file');
  if (bytesAt(h, 0, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || bytesAt(h, 0, [0xff, 0x4f, 0xff, 0x51])) {
    return sniffed('jpeg2000', 'other-image', 'JPEG 2000', 'a JPEG 2000 image');
  }
  if (bytesAt(h, 0, [0xff, 0x0a]) || bytesAt(h, 0, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return sniffed('jxl', 'other-image', 'JPEG XL', 'a JPEG XL image');
  }

  // Video and audio Airlock does not take.
  if (bytesAt(h, 0, [0x1a, 0x45, 0xdf, 0xa3])) return sniffed('matroska', 'other-video', 'MKV/WebM', 'an MKV or WebM video');
  if (asciiAt(h, 0, 'FLV\x01')) return sniffed('flv', 'other-video', 'Flash', 'a Flash video');
  if (bytesAt(h, 0, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return sniffed('asf', 'other-video', 'WMV', 'a Windows Media file');
  if (bytesAt(h, 0, [0x00, 0x00, 0x01, 0xba])) return sniffed('mpeg-ps', 'other-video', 'MPEG', 'an MPEG video');
  if (looksLikeLegacyQuickTime(h) && !isText()) {
    return sniffed('quicktime-legacy', 'other-video', 'old QuickTime', 'an old-style QuickTime file', 'video/quicktime');
  }
  if (asciiAt(h, 0, 'ID3') && h.length > 4 && h[3]! >= 2 && h[3]! <= 4 && h[4] === 0) return sniffed('mp3', 'audio', 'audio', 'an audio file (MP3)', 'audio/mpeg');
  if (asciiAt(h, 0, 'fLaC')) return sniffed('flac', 'audio', 'audio', 'an audio file (FLAC)', 'audio/flac');
  if (asciiAt(h, 0, 'OggS')) return sniffed('ogg', 'audio', 'Ogg', 'an Ogg audio or video file', 'application/ogg');

  const markup = sniffMarkup(h);
  if (markup) return markup;
  if (isText()) return sniffed('text', 'text', 'text', 'a text file', 'text/plain');
  return sniffed('unknown', 'unknown', 'unknown', 'a file of an unknown kind');
}

// ---------------------------------------------------------------------------------------------
// Names and policy

interface ExpectedType {
  kind: 'image' | 'video' | 'text';
  /** Content formats that satisfy this extension. */
  formats: readonly string[];
  /** How staff know the type: "The file name says JPEG…" */
  label: string;
  /** "…, not a photo" */
  noun: string;
  mime?: string;
}

const IMAGE_NOUN = 'photo';
const VIDEO = ['mp4', 'quicktime'];

// MP4 and MOV are one container family; cameras and phones mix up brand and extension, and the
// sanitiser rewrites both the same way, so a .mov holding an 'isom' movie is no disguise.
const ALLOWED_EXTENSIONS: Readonly<Record<string, ExpectedType>> = {
  jpg: { kind: 'image', formats: ['jpeg'], label: 'JPEG', noun: IMAGE_NOUN },
  jpeg: { kind: 'image', formats: ['jpeg'], label: 'JPEG', noun: IMAGE_NOUN },
  png: { kind: 'image', formats: ['png'], label: 'PNG', noun: IMAGE_NOUN },
  webp: { kind: 'image', formats: ['webp'], label: 'WebP', noun: IMAGE_NOUN },
  heic: { kind: 'image', formats: ['heic'], label: 'HEIC', noun: IMAGE_NOUN },
  heif: { kind: 'image', formats: ['heic'], label: 'HEIF', noun: IMAGE_NOUN },
  mp4: { kind: 'video', formats: VIDEO, label: 'MP4', noun: 'video' },
  m4v: { kind: 'video', formats: VIDEO, label: 'MP4', noun: 'video' },
  mov: { kind: 'video', formats: VIDEO, label: 'MOV', noun: 'video' },
  txt: { kind: 'text', formats: ['text'], label: 'text', noun: 'caption', mime: 'text/plain' },
  md: { kind: 'text', formats: ['text'], label: 'text', noun: 'caption', mime: 'text/markdown' },
};

export const ALLOWED_EXTENSION_LIST: readonly string[] = Object.keys(ALLOWED_EXTENSIONS);

// Names Windows, macOS or Linux would run, open as code, or install. Refused even when the
// content is harmless: a double extension like photo.jpg.exe is a lure on its own.
const PROGRAM_EXTENSIONS = new Set([
  'exe', 'com', 'scr', 'pif', 'bat', 'cmd', 'ps1', 'psm1', 'psd1', 'vbs', 'vbe', 'js', 'jse', 'mjs', 'wsf', 'wsh',
  'hta', 'msi', 'msp', 'mst', 'dll', 'sys', 'cpl', 'ocx', 'lnk', 'url', 'reg', 'inf', 'scf', 'jar', 'app', 'sh',
  'bash', 'zsh', 'command', 'apk', 'deb', 'rpm', 'dmg', 'pkg', 'appimage', 'run', 'elf', 'so', 'dylib', 'py',
  'pyw', 'pl', 'rb', 'php', 'scpt', 'applescript', 'action', 'workflow', 'gadget', 'msc', 'appx', 'msix',
  'xbap', 'application', 'desktop',
]);

const WHAT_WE_TAKE = 'Airlock takes photos (.jpg, .png, .webp), videos (.mp4, .mov) and caption text (.txt, .md).';

const TEXT_COMPATIBLE: ReadonlySet<SniffGroup> = new Set(['text', 'web', 'unknown']);

/**
 * Classifies one file from its name and leading bytes. The verdict for text is provisional
 * (`checkText`): the whole file must still prove to be UTF-8 without NUL bytes while it is hashed.
 */
export function classifyFile(name: string, header: Uint8Array, options: ClassifyOptions): Classification {
  const lower = name.toLowerCase();
  const ext = extensionOf(name);

  if (lower === 'manifest.json' || lower === 'manifest.sig') {
    return classifyPackageFile(lower, header, options.atRoot);
  }

  const found = sniffFormat(header);
  const detail = `content: ${found.format}; extension: ${ext === '' ? '(none)' : `.${ext}`}`;
  const refuse = (code: IngestCode, reason: string, extra: { kind?: MediaKind; mime?: string } = {}): Classification => ({
    ok: false,
    code,
    reason,
    detail,
    format: found.format,
    ...extra,
  });

  if (found.group === 'program' || PROGRAM_EXTENSIONS.has(ext)) {
    return refuse('ingest.program', 'Program files are not allowed.');
  }

  const expected = ALLOWED_EXTENSIONS[ext];
  if (expected === undefined) {
    if (found.group === 'image' || found.group === 'video') {
      const says = ext === '' ? 'The file name has no extension' : `The file name says .${ext}`;
      return refuse('ingest.extension-mismatch', `${says} but the content is ${found.name}. Rename it and try again.`);
    }
    if (isKnownOther(found.group)) {
      return refuse('ingest.type-not-allowed', `${typeSentence(found, undefined)} ${WHAT_WE_TAKE}`);
    }
    const what = ext === '' ? 'Files without an extension' : `Files ending in .${ext}`;
    return refuse('ingest.extension-not-allowed', `${what} can't be imported. ${WHAT_WE_TAKE}`);
  }

  if (expected.kind === 'text') {
    if (found.group === 'image' || found.group === 'video') {
      return refuse('ingest.extension-mismatch', `The file name says ${expected.label} but the content is ${found.name}.`);
    }
    if (!TEXT_COMPATIBLE.has(found.group)) {
      return refuse('ingest.type-not-allowed', typeSentence(found, expected.noun));
    }
    return { ok: true, kind: 'text', mime: expected.mime ?? 'text/plain', format: 'text', checkText: true };
  }

  if (found.group === 'image' || found.group === 'video') {
    if (!expected.formats.includes(found.format)) {
      return refuse('ingest.extension-mismatch', `The file name says ${expected.label} but the content is ${found.name}.`);
    }
    const kind = found.group;
    const mime = found.mime ?? 'application/octet-stream';
    if (found.format === 'heic' && options.heicDecoding !== true) {
      return refuse('ingest.heic-unsupported', "HEIC photos can't be decoded safely on this kiosk yet; export as JPEG.", {
        kind,
        mime,
      });
    }
    return { ok: true, kind, mime, format: found.format, checkText: false };
  }
  if (found.group === 'text') {
    return refuse('ingest.type-not-allowed', `This is a text file, not a ${expected.noun}.`);
  }
  if (isKnownOther(found.group)) {
    return refuse('ingest.type-not-allowed', typeSentence(found, expected.noun));
  }
  return refuse(
    'ingest.unrecognised',
    `This doesn't look like ${expected.label === 'MP4' || expected.label === 'MOV' ? `an ${expected.label} video` : `a ${expected.label} ${expected.noun}`}; the file may be damaged or be a different kind of file.`,
  );
}

function isKnownOther(group: SniffGroup): boolean {
  return group !== 'image' && group !== 'video' && group !== 'text' && group !== 'unknown';
}

function typeSentence(found: Sniffed, noun: string | undefined): string {
  if (found.format === 'quicktime-legacy') {
    return 'This is an old-style QuickTime file without a type header; export it again as MP4.';
  }
  if (found.group === 'other-image') return `${found.name} images can't be imported; save it as JPEG or PNG.`;
  if (found.group === 'other-video') return `${capitalise(found.article)} can't be imported; export it as MP4.`;
  return noun === undefined ? `This is ${found.article}.` : `This is ${found.article}, not a ${noun}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function classifyPackageFile(lower: string, header: Uint8Array, atRoot: boolean): Classification {
  const format = lower === 'manifest.json' ? 'manifest' : 'signature';
  if (!atRoot) {
    return {
      ok: false,
      code: 'ingest.misplaced-package-file',
      reason: 'Package files (manifest.json, manifest.sig) are only read from the top folder of the stick.',
      detail: `${lower} found below the root`,
      format,
    };
  }
  if (format === 'signature') {
    // The verifier parses it and it is tiny (bounded by the signature limit). Its bytes are
    // random-looking, so sniffing would only produce false alarms.
    return { ok: true, kind: 'signature', mime: 'application/octet-stream', format, checkText: false };
  }
  const found = sniffFormat(header);
  if (!TEXT_COMPATIBLE.has(found.group)) {
    return {
      ok: false,
      code: 'ingest.bad-manifest',
      reason: `The package manifest is not text: it is ${found.article}. Make the stick again with "airlock pack".`,
      detail: `manifest.json content: ${found.format}`,
      format: found.format,
    };
  }
  return { ok: true, kind: 'manifest', mime: 'application/json', format, checkText: true };
}
