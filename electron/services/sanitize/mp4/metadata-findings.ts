// Turns the metadata boxes the sanitizer removes into sentences for the sanitisation report:
// "Location 59.4370 N, 24.7536 E removed", "Author tag removed". Reading is best effort; the
// boxes are dropped whether or not they parse, so a damaged tag only makes its sentence vaguer.

import type { Mp4Box } from './mp4-box.ts';
import { XMP_UUID, childOf, payloadOf } from './mp4-box.ts';
import type { Mp4Finding, Mp4FindingKind } from './mp4-types.ts';
import { MP4_TAG_LABELS, type FindingParams, type Mp4TagId, type SanitizeFindingCode } from '../../../../common/sanitize-report.ts';

export class Mp4FindingList {
  private readonly findings: Mp4Finding[] = [];
  private readonly seen = new Set<string>();
  private otherTags = 0;

  add(kind: Mp4FindingKind, code: SanitizeFindingCode, text: string, params?: FindingParams): void {
    const key = `${kind}\u0000${text}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.findings.push(params ? { kind, code, text, params } : { kind, code, text });
  }

  addOtherTag(): void {
    this.otherTags += 1;
  }

  list(): Mp4Finding[] {
    const out = [...this.findings];
    if (this.otherTags > 0) {
      out.push({
        kind: 'tag',
        code: 'video.other-tags',
        params: { count: this.otherTags },
        text: this.otherTags === 1 ? '1 other metadata tag removed' : `${this.otherTags} other metadata tags removed`,
      });
    }
    return out;
  }
}

/** Describes a `udta`, `meta` or `uuid` box (or an `XMP_` atom) that is being removed. */
export function describeMetadataBox(box: Mp4Box, findings: Mp4FindingList): void {
  if (box.type === 'uuid') {
    describeUuid(box, findings);
    return;
  }
  if (box.opaque) {
    findings.add('tag', 'video.damaged-metadata', 'Damaged metadata block removed');
    return;
  }
  if (box.type === 'meta') {
    describeMeta(box, findings);
    return;
  }
  if (box.type === 'udta') {
    for (const item of box.children ?? []) describeUdtaItem(item, findings);
  }
}

/** The creation time from mvhd/tkhd/mdhd, counted in seconds since 1904-01-01 UTC. */
export function describeCreationTime(secondsSince1904: number, findings: Mp4FindingList): void {
  const unixSeconds = secondsSince1904 - 2_082_844_800;
  const date = new Date(unixSeconds * 1000);
  if (Number.isNaN(date.getTime())) return;
  const day = date.toISOString().slice(0, 10);
  findings.add('date', 'video.creation-date', `Creation date ${day} removed`, { date: day });
}

function describeUdtaItem(item: Mp4Box, findings: Mp4FindingList): void {
  switch (item.type) {
    case 'meta':
      if (item.opaque) findings.add('tag', 'video.damaged-metadata', 'Damaged metadata block removed');
      else describeMeta(item, findings);
      return;
    case 'loci':
      describeLoci(item, findings);
      return;
    case 'XMP_':
      describeXmp(payloadOf(item), findings);
      return;
    case 'GPMF':
    case 'FIRM':
    case 'CAME':
    case 'LENS':
      findings.add('device', 'video.maker-data', 'Camera maker data (GoPro) removed', { maker: 'GoPro' });
      return;
    default:
      describeTag(item.type, readUdtaText(item), findings);
  }
}

/**
 * QuickTime user-data text: one or more (16-bit length, 16-bit language, text) records. Some
 * writers put an iTunes-style `data` box there instead; both are accepted.
 */
function readUdtaText(item: Mp4Box): string | null {
  const payload = payloadOf(item);
  if (payload.length >= 16 && payload.toString('latin1', 4, 8) === 'data') {
    const size = payload.readUInt32BE(0);
    if (size >= 16 && size <= payload.length) return readDataValue(payload.subarray(8, size));
  }
  if (item.type.charCodeAt(0) === 0xa9 && payload.length >= 4) {
    const length = payload.readUInt16BE(0);
    if (length <= payload.length - 4) return payload.toString('utf8', 4, 4 + length);
  }
  // 3GPP tags (titl, auth, dscp, ...): full box, packed language, then a string.
  if (payload.length >= 6) return decodeString(payload.subarray(6));
  return null;
}

function describeMeta(meta: Mp4Box, findings: Mp4FindingList): void {
  const hdlr = childOf(meta, 'hdlr');
  const hdlrPayload = hdlr ? payloadOf(hdlr) : null;
  const handler = hdlrPayload && hdlrPayload.length >= 12 ? hdlrPayload.toString('latin1', 8, 12) : '';
  const ilst = childOf(meta, 'ilst');
  if (handler === 'mdta') {
    const keys = readKeys(childOf(meta, 'keys'));
    for (const item of ilst?.children ?? []) {
      const index = item.bytes.readUInt32BE(item.start + 4);
      const key = keys[index - 1] ?? null;
      if (key === null) findings.addOtherTag();
      else describeTag(key, readItemValue(item), findings);
    }
    return;
  }
  if (ilst) {
    for (const item of ilst.children ?? []) {
      if (item.type === '----') {
        const name = childOf(item, 'name');
        const key = name ? decodeString(payloadOf(name).subarray(4)) : null;
        if (key) describeTag(key, readItemValue(item), findings);
        else findings.addOtherTag();
      } else {
        describeTag(item.type, readItemValue(item), findings);
      }
    }
    return;
  }
  const xml = childOf(meta, 'xml ');
  if (xml) {
    describeXmp(payloadOf(xml).subarray(4), findings);
    return;
  }
  findings.add('tag', 'video.metadata-block', 'Metadata block removed');
}

function readKeys(keys: Mp4Box | undefined): string[] {
  if (!keys) return [];
  const payload = payloadOf(keys);
  const names: string[] = [];
  let pos = 8;
  while (pos + 8 <= payload.length) {
    const size = payload.readUInt32BE(pos);
    if (size < 8 || pos + size > payload.length) break;
    names.push(payload.toString('utf8', pos + 8, pos + size));
    pos += size;
  }
  return names;
}

function readItemValue(item: Mp4Box): string | null {
  const data = childOf(item, 'data');
  return data ? readDataValue(payloadOf(data)) : null;
}

/** Payload of an iTunes `data` box: type indicator, locale, then the value. */
function readDataValue(payload: Buffer): string | null {
  if (payload.length < 8) return null;
  const wellKnownType = payload.readUInt32BE(0) & 0x00ffffff;
  const value = payload.subarray(8);
  if (wellKnownType === 1) return value.toString('utf8');
  if (wellKnownType === 2) return decodeUtf16be(value);
  return null;
}

interface TagMeaning {
  kind: Mp4FindingKind;
  id: Mp4TagId;
  label: string;
}

// A Map, not an object: keys come from the file, and "constructor" must not find a function.
const TAGS = new Map<string, TagMeaning>();
function tag(kind: Mp4FindingKind, id: Mp4TagId, ...keys: string[]): void {
  for (const key of keys) TAGS.set(key, { kind, id, label: MP4_TAG_LABELS[id] });
}
tag('location', 'location', '©xyz', 'location', 'com.apple.quicktime.location.iso6709', 'com.android.capture.location');
tag('location', 'place-name', 'com.apple.quicktime.location.name', 'com.apple.quicktime.location.body', 'com.apple.quicktime.location.note');
tag('author', 'author', '©art', '©aut', 'auth', 'perf', '©wrt', '©prf', 'aart', 'artist', 'author', 'com.apple.quicktime.author', 'com.apple.quicktime.artist');
tag('title', 'title', '©nam', 'titl', 'title', 'com.apple.quicktime.title', 'com.apple.quicktime.displayname');
tag('date', 'creation-date', '©day', 'date', 'yrrc', 'creation_time', 'com.apple.quicktime.creationdate');
tag('device', 'camera-make', '©mak', 'make', 'com.apple.quicktime.make', 'com.android.manufacturer');
tag('device', 'camera-model', '©mod', 'model', 'com.apple.quicktime.model', 'com.android.model');
tag('software', 'software', '©swr', 'software', 'com.apple.quicktime.software', 'com.android.version');
tag('encoder', 'encoder', '©too', '©enc', 'encoder', 'com.apple.quicktime.encoder');
tag('tag', 'comment', '©cmt', 'comment', 'com.apple.quicktime.comment');
tag('tag', 'description', '©des', 'dscp', 'desc', 'ldes', 'description', 'com.apple.quicktime.description');
tag('tag', 'copyright', 'cprt', '©cpy', 'copyright', 'com.apple.quicktime.copyright');
tag('tag', 'keywords', 'kywd', 'keyw', 'keywords', 'com.apple.quicktime.keywords');
tag('tag', 'album', '©alb', 'albm', 'album');
tag('tag', 'genre', '©gen', 'gnre', 'genre');
tag('tag', 'information', '©inf');

function describeTag(rawKey: string, value: string | null, findings: Mp4FindingList): void {
  const key = rawKey.toLowerCase();
  const meaning = TAGS.get(key) ?? (/location|gps|geo/.test(key) ? { kind: 'location' as const, id: 'location' as const, label: MP4_TAG_LABELS.location } : undefined);
  if (!meaning) {
    findings.addOtherTag();
    return;
  }
  const shown = value === null ? '' : displayValue(value);
  switch (meaning.kind) {
    case 'location': {
      const point = meaning.id === 'location' && value !== null ? parseIso6709(value) : null;
      if (point) findings.add('location', 'video.location', `Location ${formatPoint(point)} removed`, { lat: point.latitude, lon: point.longitude });
      else findings.add('location', 'video.tag', `${meaning.label} tag removed`, { tag: meaning.id });
      return;
    }
    case 'date': {
      const day = value === null ? null : /^\s*(\d{4}-\d{2}-\d{2})/.exec(value)?.[1];
      if (day) findings.add('date', 'video.creation-date', `Creation date ${day} removed`, { date: day });
      else findings.add('date', 'video.tag', 'Creation date tag removed', { tag: meaning.id });
      return;
    }
    case 'device':
    case 'software':
    case 'encoder':
      if (shown) findings.add(meaning.kind, 'video.tag-value', `${meaning.label} tag "${shown}" removed`, { tag: meaning.id, value: shown });
      else findings.add(meaning.kind, 'video.tag', `${meaning.label} tag removed`, { tag: meaning.id });
      return;
    default:
      findings.add(meaning.kind, 'video.tag', `${meaning.label} tag removed`, { tag: meaning.id });
  }
}

/** Track-level text the sanitizer blanks (handler names, compressor names) is reported the same way. */
export function describeBlankedText(kind: Mp4FindingKind, code: 'video.track-name' | 'video.encoder-name', label: string, value: string, findings: Mp4FindingList): void {
  const shown = displayValue(value);
  if (shown) findings.add(kind, code, `${label} "${shown}" removed`, { value: shown });
}

/** 3GPP location: full box, language, place name, role, then 16.16 fixed-point longitude, latitude. */
function describeLoci(item: Mp4Box, findings: Mp4FindingList): void {
  const payload = payloadOf(item);
  let pos = 6;
  const utf16 = payload.length >= pos + 2 && payload.readUInt16BE(pos) === 0xfeff;
  if (utf16) {
    while (pos + 1 < payload.length && payload.readUInt16BE(pos) !== 0) pos += 2;
    pos += 2;
  } else {
    while (pos < payload.length && payload[pos] !== 0) pos += 1;
    pos += 1;
  }
  pos += 1; // role
  if (pos + 8 > payload.length) {
    findings.add('location', 'video.tag', 'Location tag removed', { tag: 'location' });
    return;
  }
  const longitude = payload.readInt32BE(pos) / 65536;
  const latitude = payload.readInt32BE(pos + 4) / 65536;
  const valid = Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
  if (valid) findings.add('location', 'video.location', `Location ${formatPoint({ latitude, longitude })} removed`, { lat: latitude, lon: longitude });
  else findings.add('location', 'video.tag', 'Location tag removed', { tag: 'location' });
}

function describeUuid(box: Mp4Box, findings: Mp4FindingList): void {
  if (box.uuid === XMP_UUID) {
    describeXmp(payloadOf(box).subarray(16), findings);
    return;
  }
  if (box.uuid === '85c0b687820f11e08111f4ce462b6a48') {
    findings.add('device', 'video.maker-data', 'Camera maker data (Canon) removed', { maker: 'Canon' });
    return;
  }
  findings.add('tag', 'video.vendor-data', 'Vendor data block removed');
}

function describeXmp(xml: Buffer, findings: Mp4FindingList): void {
  const text = xml.toString('utf8');
  findings.add('tag', 'video.xmp', 'XMP metadata removed');
  if (/GPS(Latitude|Longitude)|photoshop:City|Iptc4xmpCore:Location/.test(text)) findings.add('location', 'video.xmp-location', 'Location in XMP metadata removed');
  if (/dc:creator|xmpDM:artist|photoshop:Author/.test(text)) findings.add('author', 'video.tag', 'Author tag removed', { tag: 'author' });
  if (/tiff:Make|tiff:Model|exifEX:BodySerialNumber|aux:SerialNumber/.test(text)) findings.add('device', 'video.xmp-camera', 'Camera details in XMP metadata removed');
}

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

/**
 * ISO 6709 as used by QuickTime and Android: `+DD.DDDD+DDD.DDDD/`, optionally with altitude,
 * and the minute (`+DDMM.MM`) and second (`+DDMMSS.S`) forms. Returns null for anything else.
 */
export function parseIso6709(value: string): GeoPoint | null {
  const match = /^\s*([+-])(\d{6}|\d{4}|\d{2})(\.\d+)?([+-])(\d{7}|\d{5}|\d{3})(\.\d+)?(?![\d.])/.exec(value);
  if (!match) return null;
  const latitude = sexagesimal(match[1] as string, match[2] as string, match[3] ?? '', 2);
  const longitude = sexagesimal(match[4] as string, match[5] as string, match[6] ?? '', 3);
  if (latitude === null || longitude === null || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude, longitude };
}

function sexagesimal(sign: string, digits: string, fraction: string, degreeDigits: number): number | null {
  const degrees = Number(digits.slice(0, degreeDigits));
  const rest = digits.slice(degreeDigits);
  let value: number;
  if (rest.length === 0) {
    value = Number(digits + fraction);
  } else if (rest.length === 2) {
    const minutes = Number(rest + fraction);
    if (minutes >= 60) return null;
    value = degrees + minutes / 60;
  } else {
    const minutes = Number(rest.slice(0, 2));
    const seconds = Number(rest.slice(2) + fraction);
    if (minutes >= 60 || seconds >= 60) return null;
    value = degrees + minutes / 60 + seconds / 3600;
  }
  return sign === '-' ? -value : value;
}

export function formatPoint(point: GeoPoint): string {
  const lat = `${Math.abs(point.latitude).toFixed(4)} ${point.latitude < 0 ? 'S' : 'N'}`;
  const lon = `${Math.abs(point.longitude).toFixed(4)} ${point.longitude < 0 ? 'W' : 'E'}`;
  return `${lat}, ${lon}`;
}

// Values come from the file: no control, bidi or invisible characters reach the report, and
// they are kept short enough to read at a glance.
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/gu;
const MAX_SHOWN = 60;

export function displayValue(value: string): string {
  const clean = value.replace(INVISIBLE_OR_CONTROL, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...clean];
  return chars.length > MAX_SHOWN ? `${chars.slice(0, MAX_SHOWN - 1).join('')}…` : clean;
}

function decodeString(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes.readUInt16BE(0) === 0xfeff) return decodeUtf16be(bytes.subarray(2));
  const nul = bytes.indexOf(0);
  return bytes.toString('utf8', 0, nul === -1 ? bytes.length : nul);
}

function decodeUtf16be(bytes: Buffer): string {
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  const swapped = Buffer.from(even).swap16();
  const text = swapped.toString('utf16le');
  const nul = text.indexOf('\u0000');
  return nul === -1 ? text : text.slice(0, nul);
}
