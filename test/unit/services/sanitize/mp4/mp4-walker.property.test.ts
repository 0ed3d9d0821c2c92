// Property tests: thousands of random byte strings, random box trees and mutated real videos
// go through the walker and the rewriter. The only allowed outcomes are a clean copy or an
// AirlockError; any other exception (RangeError, TypeError) or a hang is a bug.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../../common/errors.ts';
import { inspectMp4Bytes, stripMp4MetadataBytes } from '../../../../../electron/services/sanitize/mp4/index.ts';
import { MINIMAL_FTYP, appleMetaBox, ascii, box, makeVideo, minimalMp4, u32, u64 } from '../../../../support/video-fixtures.ts';

// Small limits keep each run fast; the limit code paths are exercised as well.
const OPTIONS = { limits: { maxBoxes: 5_000, maxDepth: 12 } };

type Outcome = { ok: true; bytes: Buffer } | { ok: false; error: AirlockError };

// Outcomes by code, so a test can show it was not vacuous (everything refused, or nothing).
const tally: Record<string, number> = {};
async function outcome(bytes: Buffer): Promise<Outcome> {
  try {
    const { bytes: out } = await stripMp4MetadataBytes(bytes, OPTIONS);
    tally['ok'] = (tally['ok'] ?? 0) + 1;
    return { ok: true, bytes: out };
  } catch (err) {
    if (err instanceof AirlockError) {
      tally[err.code] = (tally[err.code] ?? 0) + 1;
      return { ok: false, error: err };
    }
    throw err;
  }
}

/** Success must yield a file the walker accepts again, and cleaning it again must change nothing. */
async function expectSoundOutcome(bytes: Buffer): Promise<void> {
  const first = await outcome(bytes);
  if (!first.ok) {
    expect(first.error.code).toMatch(/^media\.mp4-/);
    return;
  }
  await inspectMp4Bytes(first.bytes, OPTIONS);
  const second = await outcome(first.bytes);
  if (!second.ok) throw new Error(`cleaned output was refused: ${second.error.detail ?? ''}`);
  expect(second.bytes.equals(first.bytes)).toBe(true);
}

const BOX_TYPES = [
  'ftyp', 'moov', 'trak', 'mdia', 'minf', 'stbl', 'udta', 'meta', 'ilst', 'mdat', 'free', 'skip', 'wide', 'uuid', 'stco',
  'co64', 'stsz', 'stz2', 'stsc', 'stsd', 'tkhd', 'mvhd', 'mdhd', 'hdlr', 'dinf', 'dref', 'url ', 'moof', 'traf', 'tfhd',
  'mfhd', 'mvex', 'trex', 'edts', 'elst', 'keys', 'data', '\u00a9xyz', 'loci', 'sidx', 'mfra', 'tref', 'cmov',
];

type Tree = { type: string; sizeMode: number; body: Tree[] | Uint8Array };

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.record({
    type: fc.constantFrom(...BOX_TYPES),
    sizeMode: fc.nat(20),
    body: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.uint8Array({ maxLength: 40 }),
      fc.array(tie('node'), { maxLength: 4 }),
    ),
  }),
})).node;

/** Mostly correct sizes, sometimes wrong ones: 0, 1 with a largesize, off by a little. */
function encode(tree: Tree): Buffer {
  const body = tree.body instanceof Uint8Array ? Buffer.from(tree.body) : Buffer.concat(tree.body.map(encode));
  const fullBoxPrefix = ['meta', 'dref', 'stsd'].includes(tree.type) ? Buffer.alloc(tree.type === 'meta' ? 4 : 8) : Buffer.alloc(0);
  const payload = Buffer.concat([fullBoxPrefix, body]);
  const size = 8 + payload.length;
  switch (tree.sizeMode) {
    case 0:
      return Buffer.concat([u32(0), ascii(tree.type), payload]);
    case 1:
      return Buffer.concat([u32(1), ascii(tree.type), u64(size + 8), payload]);
    case 2:
      return Buffer.concat([u32(size + 3), ascii(tree.type), payload]);
    case 3:
      return Buffer.concat([u32(Math.max(0, size - 5)), ascii(tree.type), payload]);
    default:
      return Buffer.concat([u32(size), ascii(tree.type), payload]);
  }
}

let dir: string;
const seeds: Buffer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-mp4-prop-'));
  const tags = { location: '+59.4370+024.7536/', title: 'T', author: 'A', creation_time: '2024-05-01T10:00:00Z' };
  seeds.push(
    minimalMp4('faststart'),
    minimalMp4('moov-last', { moovExtras: [appleMetaBox({ 'com.apple.quicktime.location.ISO6709': '+59.4370+024.7536/' })] }),
    await readFile(await makeVideo(dir, 'seed-fast', { faststart: true, audio: true, metadata: tags, seconds: 0.5 })),
    await readFile(await makeVideo(dir, 'seed-mov', { container: 'mov', timecode: '01:00:00:00', metadata: tags, seconds: 0.5 })),
    await readFile(await makeVideo(dir, 'seed-frag', { fragmented: true, metadata: tags, seconds: 1 })),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('MP4 walker under random input', () => {
  it('seeds are accepted as they are', async () => {
    for (const seed of seeds) await expectSoundOutcome(seed);
    for (const seed of seeds) expect((await outcome(seed)).ok).toBe(true);
  });

  it('random bytes, with or without an ftyp in front, give a copy or an AirlockError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.boolean(), async (random, withFtyp) => {
        const bytes = withFtyp ? Buffer.concat([MINIMAL_FTYP, Buffer.from(random)]) : Buffer.from(random);
        await expectSoundOutcome(bytes);
      }),
      { numRuns: 2000 },
    );
  }, 120_000);

  it('random box trees with right and wrong sizes give a copy or an AirlockError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(treeArb, { maxLength: 6 }), fc.boolean(), async (trees, withFtyp) => {
        const bytes = Buffer.concat([withFtyp ? MINIMAL_FTYP : Buffer.alloc(0), ...trees.map(encode)]);
        await expectSoundOutcome(bytes);
      }),
      { numRuns: 2000 },
    );
  }, 120_000);

  it('mutated real videos give a copy or an AirlockError, and accepted copies are stable', async () => {
    const interesting = [0, 1, 7, 8, 9, 16, 0x7fffffff, 0xffffffff];
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.nat(255) }),
      fc.record({ kind: fc.constant('word' as const), at: fc.nat(), value: fc.constantFrom(...interesting), delta: fc.integer({ min: -16, max: 16 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
      fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), length: fc.nat(64) }),
    );
    const before = { ok: tally['ok'] ?? 0, malformed: tally['media.mp4-malformed'] ?? 0 };
    await fc.assert(
      fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (seedIndex, mutations) => {
        let bytes = Buffer.from(seeds[seedIndex] as Buffer);
        for (const m of mutations) {
          if (bytes.length === 0) break;
          const at = m.at % bytes.length;
          if (m.kind === 'flip') bytes[at] = m.value;
          else if (m.kind === 'word' && at + 4 <= bytes.length) {
            // Either an interesting constant or the current value nudged, which hits size fields.
            const current = bytes.readUInt32BE(at);
            bytes.writeUInt32BE(m.delta === 0 ? m.value : Math.max(0, Math.min(0xffffffff, current + m.delta)), at);
          } else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
          else if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
          else if (m.kind === 'splice') {
            const from = m.from % bytes.length;
            bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(from, from + m.length), bytes.subarray(at)]);
          }
        }
        await expectSoundOutcome(bytes);
      }),
      { numRuns: 2000 },
    );
    expect((tally['ok'] ?? 0) - before.ok).toBeGreaterThan(100);
    expect((tally['media.mp4-malformed'] ?? 0) - before.malformed).toBeGreaterThan(100);
  }, 180_000);

  it('a box with every header form parses the same: 32-bit size, 64-bit largesize', async () => {
    const seed = minimalMp4('moov-last');
    const udta = box('udta', box('\u00a9nam', Buffer.from([0, 1, 0x55, 0xc4]), ascii('x')));
    const large = Buffer.concat([u32(1), ascii('udta'), u64(udta.length + 8), udta.subarray(8)]);
    for (const extra of [udta, large]) {
      const { report } = await stripMp4MetadataBytes(Buffer.concat([seed, extra]));
      expect(report.removedBoxes).toEqual({ udta: 1 });
      expect(report.findings).toContainEqual({ kind: 'title', code: 'video.tag', text: 'Title tag removed', params: { tag: 'title' } });
    }
  });
});
