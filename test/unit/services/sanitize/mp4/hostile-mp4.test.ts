// Hostile and broken files built byte by byte. Each must be refused with an AirlockError whose
// code says why, quickly, without a crash, and without leaving a destination file behind.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../../common/errors.ts';
import { inspectMp4, inspectMp4Bytes, stripMp4Metadata, stripMp4MetadataBytes } from '../../../../../electron/services/sanitize/mp4/index.ts';
import {
  MINIMAL_FTYP,
  appleMetaBox,
  ascii,
  box,
  firstBox,
  fullBox,
  makeVideo,
  minimalMp4,
  rawBox,
  u32,
  u64,
} from '../../../../support/video-fixtures.ts';

const run = promisify(execFile);
let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-mp4-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(bytes: Buffer, options = {}): Promise<AirlockError> {
  counter += 1;
  const src = join(dir, `in-${counter}.mp4`);
  const dest = join(dir, `out-${counter}.mp4`);
  await writeFile(src, bytes);
  const started = Date.now();
  const error = await stripMp4Metadata(src, dest, options).then(
    () => null,
    (err: unknown) => err,
  );
  expect(Date.now() - started).toBeLessThan(5000);
  expect(error).toBeInstanceOf(AirlockError);
  expect(existsSync(dest)).toBe(false);
  // inspect and the in-memory variant reach the same verdict.
  const inspected = await inspectMp4(src, options).then(() => null, (err: unknown) => err);
  expect((inspected as AirlockError | null)?.code).toBe((error as AirlockError).code);
  const inMemory = await stripMp4MetadataBytes(bytes, options).then(() => null, (err: unknown) => err);
  expect((inMemory as AirlockError | null)?.code).toBe((error as AirlockError).code);
  return error as AirlockError;
}

async function expectRefused(bytes: Buffer, code: string, detail?: RegExp, options = {}): Promise<void> {
  const error = await refusal(bytes, options);
  expect({ code: error.code, detail: error.detail }).toMatchObject({ code });
  expect(error.message.length).toBeGreaterThan(20);
  if (detail) expect(error.detail).toMatch(detail);
}

/** Replaces the 32-bit size field of the first box of `type` with `size`. */
function withSize(bytes: Buffer, type: string, size: number): Buffer {
  const out = Buffer.from(bytes);
  out.writeUInt32BE(size, firstBox(out, type).offset);
  return out;
}

describe('files that are not MP4/MOV at all', () => {
  it('refuses an empty file and a few stray bytes', async () => {
    await expectRefused(Buffer.alloc(0), 'media.mp4-not-video');
    await expectRefused(Buffer.from('abc'), 'media.mp4-not-video');
  });

  it('refuses a ZIP, a Windows executable, a PNG and a PDF renamed .mp4', async () => {
    const zip = Buffer.concat([ascii('PK\u0003\u0004'), Buffer.from([20, 0, 0, 0, 8, 0]), Buffer.alloc(100)]);
    const exe = Buffer.concat([ascii('MZ\u0090\u0000\u0003\u0000\u0000\u0000\u0004\u0000'), Buffer.alloc(200)]);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]);
    const pdf = ascii('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');
    for (const bytes of [zip, exe, png, pdf]) await expectRefused(bytes, 'media.mp4-not-video', /instead of an ftyp box/);
  });

  it('refuses a file whose first box is a known type other than ftyp or a legacy QuickTime start', async () => {
    await expectRefused(Buffer.concat([box('uuid', Buffer.alloc(16)), minimalMp4()]), 'media.mp4-not-video');
  });
});

describe('broken box structure', () => {
  it('refuses a truncated video made by ffmpeg, in both layouts', async () => {
    for (const faststart of [false, true]) {
      const bytes = await readFile(await makeVideo(dir, `trunc-${faststart}`, { faststart }));
      await expectRefused(bytes.subarray(0, Math.floor(bytes.length / 2)), 'media.mp4-malformed', /remain before the end of the file|no moov/);
      await expectRefused(bytes.subarray(0, bytes.length - 1), 'media.mp4-malformed');
    }
  });

  it('refuses a box smaller than its own header, at top level and nested', async () => {
    await expectRefused(withSize(minimalMp4(), 'mdat', 4), 'media.mp4-malformed', /smaller than its own 8-byte header/);
    await expectRefused(withSize(minimalMp4(), 'tkhd', 7), 'media.mp4-malformed', /smaller than its own/);
    const large = Buffer.concat([MINIMAL_FTYP, rawBox(1, 'free', u64(12)), minimalMp4().subarray(MINIMAL_FTYP.length)]);
    await expectRefused(large, 'media.mp4-malformed', /smaller than its own 16-byte header/);
  });

  it('refuses a box that overruns its parent', async () => {
    const bytes = minimalMp4();
    const trak = firstBox(bytes, 'trak');
    await expectRefused(withSize(bytes, 'trak', trak.size + 4), 'media.mp4-malformed', /'trak' at offset \d+ declares \d+ bytes but only \d+ remain before its parent/);
    await expectRefused(withSize(bytes, 'stco', firstBox(bytes, 'stco').size + 100), 'media.mp4-malformed', /'stco'/);
  });

  it('refuses size 0 ("to end of file") inside another box, and a size-0 box that swallows the movie header', async () => {
    await expectRefused(withSize(minimalMp4(), 'mdia', 0), 'media.mp4-malformed', /size 0/);
    const last = minimalMp4('moov-last');
    await expectRefused(withSize(last, 'mdat', 0), 'media.mp4-malformed', /no moov/);
  });

  it('refuses absurd 64-bit sizes', async () => {
    const rest = minimalMp4().subarray(MINIMAL_FTYP.length);
    await expectRefused(Buffer.concat([MINIMAL_FTYP, rawBox(1, 'free', u64(2n ** 62n)), rest]), 'media.mp4-malformed', /declares 4611686018427387904 bytes/);
    await expectRefused(Buffer.concat([MINIMAL_FTYP, rawBox(1, 'free', u64(2n ** 64n - 1n)), rest]), 'media.mp4-malformed');
    await expectRefused(Buffer.concat([MINIMAL_FTYP, rawBox(1, 'free')]), 'media.mp4-malformed', /cut off inside its 64-bit size/);
  });

  it('refuses a 32-bit size beyond the end of the file', async () => {
    await expectRefused(withSize(minimalMp4(), 'mdat', 0x7fffffff), 'media.mp4-malformed', /remain before the end of the file/);
  });

  it('refuses trailing garbage after the last box', async () => {
    await expectRefused(Buffer.concat([minimalMp4(), ascii('\u00de\u00ad\u00be\u00ef garbage')]), 'media.mp4-malformed', /remain before the end of the file/);
    await expectRefused(Buffer.concat([minimalMp4(), Buffer.from([0, 0, 0, 12, 0xff, 0xfe, 0, 1]), Buffer.alloc(4)]), 'media.mp4-malformed', /not a box/);
    await expectRefused(Buffer.concat([minimalMp4(), Buffer.from([0, 0, 0])]), 'media.mp4-malformed', /3 bytes of trailing data/);
    await expectRefused(Buffer.concat([minimalMp4(), Buffer.alloc(64)]), 'media.mp4-malformed');
  });

  it('refuses a file without a movie header, and one with two', async () => {
    const bytes = minimalMp4();
    const moov = firstBox(bytes, 'moov');
    const noMoov = Buffer.concat([bytes.subarray(0, moov.offset), bytes.subarray(moov.offset + moov.size)]);
    await expectRefused(noMoov, 'media.mp4-malformed', /no moov/);
    const two = Buffer.concat([bytes, bytes.subarray(moov.offset, moov.offset + moov.size)]);
    await expectRefused(two, 'media.mp4-malformed', /second moov/);
  });

  it('refuses ftyp anywhere but first, and unknown top-level boxes', async () => {
    const bytes = minimalMp4('moov-last');
    await expectRefused(Buffer.concat([bytes.subarray(MINIMAL_FTYP.length), MINIMAL_FTYP]), 'media.mp4-malformed', /not the first box/);
    await expectRefused(Buffer.concat([bytes, box('abcd', Buffer.alloc(4))]), 'media.mp4-unsupported', /'abcd'/);
    await expectRefused(Buffer.concat([bytes, box('pnot', Buffer.alloc(12))]), 'media.mp4-unsupported');
  });

  it('refuses required boxes that are missing or doubled', async () => {
    const bytes = minimalMp4('moov-last');
    const noTkhd = Buffer.from(bytes);
    noTkhd.write('xxxx', firstBox(bytes, 'tkhd').offset + 4, 'latin1');
    await expectRefused(noTkhd, 'media.mp4-malformed', /0 'tkhd' boxes/);
    const noStco = Buffer.from(bytes);
    noStco.write('xxxx', firstBox(bytes, 'stco').offset + 4, 'latin1');
    await expectRefused(noStco, 'media.mp4-malformed', /0 chunk offset tables/);
  });
});

describe('limits against resource exhaustion', () => {
  it('refuses containers nested deeper than the cap (depth bomb), strict or inside user data', async () => {
    let nested = box('free');
    for (let i = 0; i < 40; i++) nested = box('trak', nested);
    await expectRefused(minimalMp4('moov-last', { moovExtras: [nested] }), 'media.mp4-too-complex', /nested deeper than 12/);
    let userData = box('free');
    for (let i = 0; i < 40; i++) userData = box('udta', userData);
    await expectRefused(minimalMp4('moov-last', { moovExtras: [userData] }), 'media.mp4-too-complex', /nested deeper/);
  });

  it('refuses a huge number of boxes, at top level and inside the movie header', async () => {
    const tiny = box('free');
    const many = Buffer.concat(Array.from({ length: 200_001 }, () => tiny));
    await expectRefused(Buffer.concat([minimalMp4('moov-last'), many]), 'media.mp4-too-complex', /more than 200000 boxes/);
    await expectRefused(minimalMp4('moov-last', { moovExtras: [box('udta', many)] }), 'media.mp4-too-complex', /more than 200000 boxes/);
    await expectRefused(minimalMp4('moov-last', { moovExtras: [many] }), 'media.mp4-too-complex', /more than 20 boxes/, { limits: { maxBoxes: 20 } });
  });

  it('refuses a movie header over the size cap', async () => {
    await expectRefused(minimalMp4(), 'media.mp4-too-complex', /over the 256-byte limit/, { limits: { maxMoovBytes: 256 } });
  });
});

describe('tables that point where they must not', () => {
  function withChunkOffset(bytes: Buffer, value: number): Buffer {
    const out = Buffer.from(bytes);
    out.writeUInt32BE(value, firstBox(out, 'stco').offset + 16);
    return out;
  }

  it('refuses stco offsets outside mdat: past the end, into the movie header, into ftyp, or running off the end of mdat', async () => {
    const bytes = minimalMp4();
    const moov = firstBox(bytes, 'moov');
    const mdat = firstBox(bytes, 'mdat');
    for (const offset of [bytes.length + 1000, 0xffffffff, moov.offset + 20, 4, mdat.offset, mdat.offset + mdat.size - 8]) {
      await expectRefused(withChunkOffset(bytes, offset), 'media.mp4-malformed', /lies outside the media data/);
    }
  });

  it('refuses sample tables whose entry counts exceed their box', async () => {
    const bytes = minimalMp4();
    const stco = Buffer.from(bytes);
    stco.writeUInt32BE(1_000_000, firstBox(bytes, 'stco').offset + 12);
    await expectRefused(stco, 'media.mp4-malformed', /lists 1000000 entries/);
    const stsc = Buffer.from(bytes);
    stsc.writeUInt32BE(0xffffffff, firstBox(bytes, 'stsc').offset + 12);
    await expectRefused(stsc, 'media.mp4-malformed', /'stsc'/);
    const badRun = Buffer.from(bytes);
    badRun.writeUInt32BE(2, firstBox(bytes, 'stsc').offset + 16);
    await expectRefused(badRun, 'media.mp4-malformed', /out of order/);
  });

  it('refuses media stored in another file, compressed and reference movie headers', async () => {
    await expectRefused(minimalMp4('faststart', { dataReferenceFlags: 0 }), 'media.mp4-unsupported', /outside this file/);
    await expectRefused(minimalMp4('moov-last', { moovExtras: [box('cmov', Buffer.alloc(16))] }), 'media.mp4-unsupported', /compressed movie header/);
    await expectRefused(minimalMp4('moov-last', { moovExtras: [box('rmra', Buffer.alloc(16))] }), 'media.mp4-unsupported', /reference movie/);
  });

  it('refuses absolute auxiliary-information offsets in a sample table (encrypted video)', async () => {
    const saio = fullBox('saio', 0, 0, u32(1), u32(100));
    await expectRefused(minimalMp4('faststart', { stblExtras: [saio] }), 'media.mp4-unsupported', /auxiliary sample information/);
  });

  it('refuses a video with no picture or sound track', async () => {
    await expectRefused(minimalMp4('faststart', { handler: 'tmcd' }), 'media.mp4-no-media');
  });

  it('refuses fragments before the movie header or for a track it does not describe', async () => {
    const bytes = minimalMp4('moov-last');
    const moof = box('moof', fullBox('mfhd', 0, 0, u32(1)), box('traf', fullBox('tfhd', 0, 0x020000, u32(9))));
    const mvex = box('mvex', fullBox('trex', 0, 0, u32(1), u32(1), u32(0), u32(0), u32(0)));
    const withMvex = minimalMp4('moov-last', { moovExtras: [mvex] });
    await expectRefused(Buffer.concat([withMvex, moof]), 'media.mp4-malformed', /track 9/);
    await expectRefused(Buffer.concat([MINIMAL_FTYP, moof, bytes.subarray(MINIMAL_FTYP.length)]), 'media.mp4-unsupported', /before the movie header/);
    await expectRefused(Buffer.concat([bytes, moof]), 'media.mp4-malformed', /no mvex/);
  });
});

describe('things that are not regular files', () => {
  it('refuses a missing file, a folder and a FIFO without hanging', async () => {
    const dest = join(dir, 'never.mp4');
    const missing = await stripMp4Metadata(join(dir, 'nope.mp4'), dest).catch((err: unknown) => err);
    expect((missing as AirlockError).code).toBe('media.mp4-read-failed');
    const folder = join(dir, 'folder.mp4');
    await mkdir(folder);
    expect(((await stripMp4Metadata(folder, dest).catch((err: unknown) => err)) as AirlockError).code).toBe('media.mp4-read-failed');
    if (process.platform !== 'win32') {
      const fifo = join(dir, 'pipe.mp4');
      await run('mkfifo', [fifo]);
      expect(((await stripMp4Metadata(fifo, dest).catch((err: unknown) => err)) as AirlockError).code).toBe('media.mp4-read-failed');
    }
    expect(existsSync(dest)).toBe(false);
  });

  it('deletes the partial copy when the source shrinks while it is being copied', async () => {
    const seed = minimalMp4('moov-last');
    const mdat = firstBox(seed, 'mdat');
    const extra = 256 * 1024 * 1024;
    const src = join(dir, 'shrinking.mp4');
    const dest = join(dir, 'shrinking.clean.mp4');
    // A moov-last file whose mdat is a 256 MiB sparse hole: the copy takes long enough to interrupt.
    const moov = firstBox(seed, 'moov');
    const head = Buffer.from(seed.subarray(0, mdat.offset + mdat.size));
    head.writeUInt32BE(mdat.size + extra, mdat.offset);
    const handle = await open(src, 'w');
    await handle.write(head, 0, head.length, 0);
    await handle.write(seed, moov.offset, moov.size, mdat.offset + mdat.size + extra);
    await handle.close();
    const pending = stripMp4Metadata(src, dest).then(() => null, (err: unknown) => err);
    while (!existsSync(dest)) await new Promise((resolve) => setImmediate(resolve));
    await truncate(src, 1000);
    const error = await pending;
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('media.mp4-read-failed');
    expect(existsSync(dest)).toBe(false);
  });
});

describe('shapes that are accepted', () => {
  it('accepts a legacy QuickTime file with no ftyp that starts with wide + mdat', async () => {
    const bytes = minimalMp4('moov-last');
    const body = bytes.subarray(MINIMAL_FTYP.length);
    // Dropping the 20-byte ftyp and adding an 8-byte wide moves media 12 bytes earlier.
    const legacy = Buffer.concat([box('wide'), body]);
    const stco = firstBox(legacy, 'stco');
    for (let i = 0; i < 3; i++) {
      const at = stco.offset + 16 + i * 4;
      legacy.writeUInt32BE(legacy.readUInt32BE(at) - (MINIMAL_FTYP.length - 8), at);
    }
    const tree = await inspectMp4Bytes(legacy);
    expect(tree.format).toBe('quicktime');
    expect(tree.majorBrand).toBeNull();
    expect(tree.boxes.map((b) => b.type)).toEqual(['wide', 'mdat', 'moov']);
    const { bytes: out } = await stripMp4MetadataBytes(legacy);
    expect(out.subarray(0, 8).toString('latin1', 4)).toBe('wide');
  });

  it('walks both meta forms: ISO full box with version/flags and QuickTime without', async () => {
    for (const isoStyle of [false, true]) {
      const meta = appleMetaBox({ 'com.apple.quicktime.location.ISO6709': '+59.4370+024.7536/' }, isoStyle);
      const bytes = minimalMp4('moov-last', { moovExtras: [meta] });
      const tree = await inspectMp4Bytes(bytes);
      const moov = tree.boxes.find((b) => b.type === 'moov');
      const metaSummary = moov?.children?.find((b) => b.type === 'meta');
      expect(metaSummary?.children?.map((b) => b.type)).toEqual(['hdlr', 'keys', 'ilst']);
      const { report } = await stripMp4MetadataBytes(bytes);
      expect(report.findings).toContainEqual({ kind: 'location', code: 'video.location', text: 'Location 59.4370 N, 24.7536 E removed', params: { lat: expect.closeTo(59.437, 3), lon: expect.closeTo(24.7536, 3) } });
    }
  });

  it('keeps damaged user data from blocking the import: it is removed whole', async () => {
    const damaged = box('udta', rawBox(400, '\u00a9xyz', ascii('+59')));
    const { report, bytes } = await stripMp4MetadataBytes(minimalMp4('faststart', { moovExtras: [damaged] }));
    expect(report.findings).toContainEqual({ kind: 'tag', code: 'video.damaged-metadata', text: 'Damaged metadata block removed' });
    expect(bytes.includes(ascii('\u00a9xyz'))).toBe(false);
    await inspectMp4Bytes(bytes);
  });

  it('keeps self-contained data references but not a path hidden in them', async () => {
    const bytes = minimalMp4('faststart', { dataReferenceBody: ascii('file:///C:/Users/alice.smith/Desktop/raw.mov\0') });
    const { bytes: out } = await stripMp4MetadataBytes(bytes);
    expect(bytes.includes(ascii('alice.smith'))).toBe(true);
    expect(out.includes(ascii('alice.smith'))).toBe(false);
    const tree = await inspectMp4Bytes(out);
    expect(tree.tracks[0]?.firstChunkOffset).toBe(firstBox(out, 'mdat').offset + 8);
  });

  it('reports removed boxes by type and drops vendor blocks and unknown boxes from the movie header', async () => {
    const canon = box('uuid', Buffer.from('85c0b687820f11e08111f4ce462b6a48', 'hex'), ascii('CNCV serial 12345'));
    const bytes = minimalMp4('faststart', { moovExtras: [canon, box('zzzz', ascii('vendor'))], trakExtras: [box('udta', box('\u00a9mak', Buffer.from([0, 5, 0x55, 0xc4]), ascii('Canon')))] });
    const { report, bytes: out } = await stripMp4MetadataBytes(bytes);
    expect(report.removedBoxes).toEqual({ uuid: 1, zzzz: 1, udta: 1 });
    expect(report.findings.map((f) => f.text)).toEqual(
      expect.arrayContaining(['Camera maker data (Canon) removed', 'Camera make tag "Canon" removed', '3 boxes removed: udta ×1, uuid ×1, zzzz ×1']),
    );
    expect(out.includes(ascii('12345'))).toBe(false);
    expect(report.mediaShiftBytes).toBe(bytes.length - out.length);
  });
});
