// Box headers and the in-memory box tree of the MP4/MOV sanitizer. Every size is checked
// against its parent before it is used, so nothing downstream ever reads out of bounds;
// depth and count are capped so a crafted file cannot make the walk expensive.

import type { Mp4Limits } from './mp4-types.ts';
import { at, malformed, tooComplex } from './mp4-errors.ts';
import { AirlockError } from '../../../../common/errors.ts';

export interface Mp4BoxHeader {
  type: string;
  size: number;
  /** 8, 16 with a 64-bit largesize, plus 16 for a `uuid` extended type. */
  headerSize: number;
  uuid?: string;
  /** The box declared size 0, "extends to the end of the file". */
  toEnd: boolean;
}

export interface Mp4Box extends Mp4BoxHeader {
  /** Absolute offset in the file. */
  offset: number;
  /** The buffer holding the box and where in it the box starts. */
  bytes: Buffer;
  start: number;
  /** Bytes between the header and the first child (version/flags of a full box, entry counts). */
  childPrefix: number;
  children?: Mp4Box[];
  /** A metadata box whose inside did not parse. It is removed either way, so that is not an error. */
  opaque?: boolean;
}

/** Headers never need more than this: size, type, largesize, extended type. */
export const MAX_HEADER_BYTES = 32;

export const XMP_UUID = 'be7acfcb97a942e89c71999491e3afac';

/**
 * Parses the header at `pos` in `bytes`. `remaining` is how many bytes the parent (or the
 * file) still has from `pos`; `topLevel` enables size 0, which then can only mean "the rest
 * of the file", so such a box is necessarily the last one.
 */
export function parseBoxHeader(
  bytes: Buffer,
  pos: number,
  offset: number,
  remaining: number,
  topLevel: boolean,
): Mp4BoxHeader {
  const where = topLevel ? 'the end of the file' : 'its parent';
  if (remaining < 8 || bytes.length - pos < 8) {
    throw malformed(`${remaining} stray bytes at offset ${offset} where a box header should start`);
  }
  const size32 = bytes.readUInt32BE(pos);
  const type = bytes.toString('latin1', pos + 4, pos + 8);
  let size: number;
  let headerSize = 8;
  let toEnd = false;
  if (size32 === 1) {
    if (remaining < 16 || bytes.length - pos < 16) {
      throw malformed(`${at(type, offset)} is cut off inside its 64-bit size field`);
    }
    const large = bytes.readBigUInt64BE(pos + 8);
    if (large > BigInt(remaining)) {
      throw malformed(`${at(type, offset)} declares ${large} bytes but only ${remaining} remain before ${where}`);
    }
    size = Number(large);
    headerSize = 16;
  } else if (size32 === 0) {
    if (!topLevel) throw malformed(`${at(type, offset)} has size 0 ("to end of file") inside another box`);
    size = remaining;
    toEnd = true;
  } else {
    size = size32;
  }
  if (size < headerSize) {
    throw malformed(`${at(type, offset)} declares ${size} bytes, smaller than its own ${headerSize}-byte header`);
  }
  if (size > remaining) {
    throw malformed(`${at(type, offset)} declares ${size} bytes but only ${remaining} remain before ${where}`);
  }
  const header: Mp4BoxHeader = { type, size, headerSize, toEnd };
  if (type === 'uuid') {
    if (size < headerSize + 16 || bytes.length - pos < headerSize + 16) {
      throw malformed(`${at(type, offset)} is too small for its 16-byte extended type`);
    }
    header.uuid = bytes.toString('hex', pos + headerSize, pos + headerSize + 16);
    header.headerSize += 16;
  }
  return header;
}

export interface WalkBudget {
  readonly limits: Mp4Limits;
  boxes: number;
}

export function countBox(budget: WalkBudget, type: string, offset: number): void {
  budget.boxes += 1;
  if (budget.boxes > budget.limits.maxBoxes) {
    throw tooComplex(`more than ${budget.limits.maxBoxes} boxes (reached at ${at(type, offset)})`);
  }
}

// Boxes whose payload is nothing but child boxes.
const PLAIN_CONTAINERS = new Set([
  'moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf', 'mvex', 'moof', 'traf', 'mfra', 'udta', 'tref', 'ilst', 'tapt',
]);

// Metadata subtrees are removed whole, so their inside only needs to be walkable, not valid.
const METADATA_ROOTS = new Set(['udta', 'meta']);

/**
 * Bytes before the children, or null when the box is a leaf for the walker.
 * `meta` is a full box in ISO files (4 bytes of version/flags) but not in QuickTime, where the
 * first child (`hdlr`) starts immediately; the child type at bytes 4..8 tells them apart.
 */
export function childPrefixOf(type: string, payload: Buffer, parentType: string | null): number | null {
  if (PLAIN_CONTAINERS.has(type)) return 0;
  if (type === 'meta') {
    if (payload.length >= 8 && payload.toString('latin1', 4, 8) === 'hdlr') return 0;
    return 4;
  }
  if (type === 'dref' || type === 'stsd') return 8;
  // Items of an iTunes-style list hold `data`/`mean`/`name` boxes.
  if (parentType === 'ilst') return 0;
  return null;
}

/**
 * Parses a whole box (already known to lie inside `bytes`) and its descendants.
 * `depth` is the box's own depth; the top level is 0.
 */
export function parseBoxTree(
  bytes: Buffer,
  start: number,
  offset: number,
  header: Mp4BoxHeader,
  depth: number,
  budget: WalkBudget,
  parentType: string | null,
): Mp4Box {
  const box: Mp4Box = { ...header, offset, bytes, start, childPrefix: 0 };
  const payload = bytes.subarray(start + header.headerSize, start + header.size);
  const prefix = childPrefixOf(header.type, payload, parentType);
  if (prefix === null) return box;
  box.childPrefix = prefix;
  if (METADATA_ROOTS.has(header.type)) {
    try {
      box.children = parseChildren(box, depth, budget);
    } catch (err) {
      if (!(err instanceof AirlockError) || err.code !== 'media.mp4-malformed') throw err;
      box.opaque = true;
    }
    return box;
  }
  box.children = parseChildren(box, depth, budget);
  return box;
}

function parseChildren(box: Mp4Box, depth: number, budget: WalkBudget): Mp4Box[] {
  if (depth + 1 > budget.limits.maxDepth) {
    throw tooComplex(`boxes nested deeper than ${budget.limits.maxDepth} levels (${at(box.type, box.offset)})`);
  }
  const end = box.start + box.size;
  let pos = box.start + box.headerSize + box.childPrefix;
  if (pos > end) throw malformed(`${at(box.type, box.offset)} is too small for its fields`);
  const children: Mp4Box[] = [];
  while (pos < end) {
    const remaining = end - pos;
    // QuickTime lets a user-data list end with a 32-bit zero instead of another atom.
    if (box.type === 'udta' && remaining === 4 && box.bytes.readUInt32BE(pos) === 0) break;
    const childOffset = box.offset + (pos - box.start);
    const header = parseBoxHeader(box.bytes, pos, childOffset, remaining, false);
    countBox(budget, header.type, childOffset);
    children.push(parseBoxTree(box.bytes, pos, childOffset, header, depth + 1, budget, box.type));
    pos += header.size;
  }
  return children;
}

export function payloadOf(box: Mp4Box): Buffer {
  return box.bytes.subarray(box.start + box.headerSize, box.start + box.size);
}

export function wholeBox(box: Mp4Box): Buffer {
  return box.bytes.subarray(box.start, box.start + box.size);
}

export function childrenOf(box: Mp4Box, type: string): Mp4Box[] {
  return (box.children ?? []).filter((child) => child.type === type);
}

export function childOf(box: Mp4Box, type: string): Mp4Box | undefined {
  return box.children?.find((child) => child.type === type);
}

/** Exactly one child of a type, or a malformed-file error naming what is missing. */
export function requiredChild(box: Mp4Box, type: string): Mp4Box {
  const found = childrenOf(box, type);
  if (found.length !== 1) {
    throw malformed(`${at(box.type, box.offset)} has ${found.length} '${type}' boxes, expected exactly one`);
  }
  return found[0] as Mp4Box;
}

/** Serialises a box from its type and payload parts; sizes here are always well under 4 GiB. */
export function buildBox(type: string, parts: readonly Buffer[]): Buffer {
  const size = 8 + parts.reduce((sum, part) => sum + part.length, 0);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 4, 'latin1');
  return Buffer.concat([header, ...parts], size);
}
