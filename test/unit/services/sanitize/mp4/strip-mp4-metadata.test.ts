// End-to-end proof on real videos made by ffmpeg: after stripping, ffprobe and exiftool find no
// location, author, title, encoder or date; the copy decodes without a single error; and every
// decoded frame hashes the same as the original's, so the media data is intact.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../../common/errors.ts';
import { inspectMp4, stripMp4Metadata } from '../../../../../electron/services/sanitize/mp4/index.ts';
import type { Mp4SanitizeReport } from '../../../../../electron/services/sanitize/mp4/index.ts';
import {
  XMP_UUID,
  appendToMoov,
  appleMetaBox,
  chunkOffsets,
  decodeProblems,
  exifTags,
  findBoxes,
  firstBox,
  frameMd5,
  insertTopLevel,
  makeVideo,
  probeStreamCount,
  probeTags,
  uuidBox,
  xmpPacket,
} from '../../../../support/video-fixtures.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-mp4-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TAGGED = {
  location: '+59.4370+024.7536/',
  author: 'Alice Example',
  artist: 'Alice Example',
  title: 'Harbour inspection',
  comment: 'filmed near gate 4',
  creation_time: '2024-05-01T10:00:00Z',
};

let counter = 0;
async function strip(src: string): Promise<{ dest: string; report: Mp4SanitizeReport }> {
  counter += 1;
  const dest = join(dir, `clean-${counter}.${src.endsWith('.mov') ? 'mov' : 'mp4'}`);
  const report = await stripMp4Metadata(src, dest);
  return { dest, report };
}

async function expectIntactMedia(src: string, dest: string): Promise<void> {
  expect(await decodeProblems(dest)).toBe('');
  const [before, after] = await Promise.all([frameMd5(src), frameMd5(dest)]);
  expect(after.length).toBeGreaterThan(0);
  expect(after).toBe(before);
}

const ALLOWED_FORMAT_TAGS = new Set(['major_brand', 'minor_version', 'compatible_brands']);
const ALLOWED_STREAM_TAGS = new Set(['language', 'vendor_id']);

async function expectNoProbeTags(path: string): Promise<void> {
  const tags = await probeTags(path);
  expect(Object.keys(tags.format).filter((key) => !ALLOWED_FORMAT_TAGS.has(key))).toEqual([]);
  for (const stream of tags.streams) {
    expect(Object.keys(stream).filter((key) => !ALLOWED_STREAM_TAGS.has(key))).toEqual([]);
    if (stream['vendor_id'] !== undefined) expect(stream['vendor_id']).toBe('[0][0][0][0]');
  }
}

const FORBIDDEN_EXIF =
  /^(ItemList|UserData|Keys|XMP[-\w]*|Canon|GoPro|Microsoft):|GPS|Location|Author|Artist|Title|Encoder|Software|Make|Model|CompressorName|HandlerDescription|HandlerVendor|VendorID|Comment|TimeCode/i;

async function expectNoExifTags(path: string): Promise<void> {
  const tags = await exifTags(path);
  const leaks = Object.keys(tags).filter((key) => !/^(System|File|ExifTool):|^SourceFile$/.test(key) && FORBIDDEN_EXIF.test(key));
  expect(leaks).toEqual([]);
  for (const [key, value] of Object.entries(tags)) {
    if (/^(System|File):/.test(key) || !/Date$/.test(key)) continue;
    expect([key, value]).toEqual([key, '0000:00:00 00:00:00']);
  }
}

describe('stripMp4Metadata on ffmpeg-made videos', () => {
  it('removes location, author, title, encoder and dates from an MP4 with the movie header last, leaving chunk offsets unchanged', async () => {
    const src = await makeVideo(dir, 'tagged-last', { audio: true, metadata: TAGGED });
    // The fixture really carries what must go, as the tools see it.
    const before = await probeTags(src);
    expect(before.format['location']).toBe('+59.4370+024.7536/');
    expect(before.format['title']).toBe('Harbour inspection');
    expect(before.format['encoder']).toMatch(/^Lavf/);

    const { dest, report } = await strip(src);
    await expectIntactMedia(src, dest);
    await expectNoProbeTags(dest);
    await expectNoExifTags(dest);

    expect(report.layout).toBe('moov-last');
    expect(report.mediaShiftBytes).toBe(0);
    const [srcBytes, destBytes] = await Promise.all([readFile(src), readFile(dest)]);
    expect(chunkOffsets(destBytes)).toEqual(chunkOffsets(srcBytes));

    const texts = report.findings.map((f) => f.text);
    expect(texts).toContain('Location 59.4370 N, 24.7536 E removed');
    expect(texts).toContain('Title tag removed');
    expect(texts).toContain('Creation date 2024-05-01 removed');
    expect(texts).toContainEqual(expect.stringMatching(/^Encoder tag "Lavf[\d.]+" removed$/));
    expect(texts).toContainEqual(expect.stringMatching(/^Encoder tag "Lavc[\d.]+ libx264" removed$/));
    expect(report.findings.find((f) => f.text.startsWith('Location'))?.kind).toBe('location');
    expect(report.removedBoxes['udta']).toBe(1);
    expect(report.clearedTimestamps).toBeGreaterThan(0);
    expect(report.outputBytes).toBe(destBytes.length);
    expect(report.inputBytes).toBe(srcBytes.length);
  });

  it('shifts every stco chunk offset by exactly the bytes removed when the movie header comes first', async () => {
    const src = await makeVideo(dir, 'tagged-fast', { audio: true, faststart: true, metadata: TAGGED });
    const { dest, report } = await strip(src);
    await expectIntactMedia(src, dest);
    await expectNoProbeTags(dest);
    await expectNoExifTags(dest);

    const [srcBytes, destBytes] = await Promise.all([readFile(src), readFile(dest)]);
    const shrink = firstBox(srcBytes, 'moov').size - firstBox(destBytes, 'moov').size;
    expect(report.layout).toBe('faststart');
    expect(shrink).toBeGreaterThan(0);
    expect(report.mediaShiftBytes).toBe(shrink);
    expect(chunkOffsets(destBytes)).toEqual(chunkOffsets(srcBytes).map((offset) => offset - shrink));
    // The media data itself is byte-identical, just earlier in the file.
    const srcMdat = firstBox(srcBytes, 'mdat');
    const destMdat = firstBox(destBytes, 'mdat');
    expect(destMdat.offset).toBe(srcMdat.offset - shrink);
    expect(destBytes.subarray(destMdat.offset, destMdat.offset + destMdat.size).equals(srcBytes.subarray(srcMdat.offset, srcMdat.offset + srcMdat.size))).toBe(true);

    const tree = await inspectMp4(dest);
    const srcTree = await inspectMp4(src);
    expect(tree.tracks.map((t) => t.firstChunkOffset)).toEqual(srcTree.tracks.map((t) => (t.firstChunkOffset as number) - shrink));
  });

  it('rewrites co64 (64-bit) chunk offsets in a faststart file', async () => {
    const src = await makeVideo(dir, 'co64', { faststart: true, metadata: TAGGED });
    // Turn the stco into a co64 by hand; ffmpeg only writes co64 past 4 GiB.
    const bytes = await readFile(src);
    const stco = firstBox(bytes, 'stco');
    const count = bytes.readUInt32BE(stco.offset + 12);
    const grow = count * 4;
    const entries = Buffer.alloc(count * 8);
    for (let i = 0; i < count; i++) entries.writeBigUInt64BE(BigInt(bytes.readUInt32BE(stco.offset + 16 + i * 4) + grow), i * 8);
    const co64 = Buffer.concat([bytes.subarray(stco.offset, stco.offset + 16), entries]);
    co64.writeUInt32BE(co64.length, 0);
    co64.write('co64', 4, 'latin1');
    const out = Buffer.concat([bytes.subarray(0, stco.offset), co64, bytes.subarray(stco.offset + stco.size)]);
    for (const parent of ['moov', 'trak', 'mdia', 'minf', 'stbl']) {
      const found = firstBox(bytes, parent);
      out.writeUInt32BE(found.size + grow, found.offset);
    }
    const hacked = join(dir, 'co64-hacked.mp4');
    await writeFile(hacked, out);
    expect(await decodeProblems(hacked)).toBe('');

    const { dest, report } = await strip(hacked);
    await expectIntactMedia(hacked, dest);
    const destBytes = await readFile(dest);
    expect(findBoxes(destBytes, 'co64')).toHaveLength(1);
    expect(chunkOffsets(destBytes)).toEqual(chunkOffsets(out).map((o) => o - report.mediaShiftBytes));
    expect(report.mediaShiftBytes).toBeGreaterThan(0);
  });

  it('cleans a QuickTime .mov with ©xyz, ©aut and ©nam user data', async () => {
    const src = await makeVideo(dir, 'tagged', { container: 'mov', metadata: TAGGED });
    expect((await exifTags(src))['UserData:GPSCoordinates']).toBeDefined();
    const { dest, report } = await strip(src);
    await expectIntactMedia(src, dest);
    await expectNoProbeTags(dest);
    await expectNoExifTags(dest);
    expect(report.format).toBe('quicktime');
    const texts = report.findings.map((f) => f.text);
    expect(texts).toContain('Location 59.4370 N, 24.7536 E removed');
    expect(texts).toContain('Author tag removed');
    expect(texts).toContain('Title tag removed');
  });

  it('cleans Apple-style mdta keys written with use_metadata_tags, in both layouts', async () => {
    for (const faststart of [false, true]) {
      const src = await makeVideo(dir, `keys-${faststart}`, { metadata: TAGGED, metadataKeys: true, faststart });
      expect((await exifTags(src))['Keys:Author']).toBe('Alice Example');
      const { dest, report } = await strip(src);
      await expectIntactMedia(src, dest);
      await expectNoProbeTags(dest);
      await expectNoExifTags(dest);
      const texts = report.findings.map((f) => f.text);
      expect(texts).toContain('Location 59.4370 N, 24.7536 E removed');
      expect(texts).toContain('Author tag removed');
    }
  });

  it('removes iPhone-style moov/meta (QuickTime and ISO forms) and a top-level XMP uuid before the media', async () => {
    const base = await readFile(await makeVideo(dir, 'apple-base', { faststart: true }));
    const apple = {
      'com.apple.quicktime.location.ISO6709': '-33.8568+151.2153+012.000/',
      'com.apple.quicktime.make': 'Apple',
      'com.apple.quicktime.model': 'iPhone 15 Pro',
      'com.apple.quicktime.software': '17.4.1',
      'com.apple.quicktime.creationdate': '2024-05-01T10:00:00+0300',
    };
    for (const isoStyle of [false, true]) {
      let bytes = appendToMoov(base, appleMetaBox(apple, isoStyle));
      const ftyp = firstBox(bytes, 'ftyp');
      bytes = insertTopLevel(bytes, ftyp.offset + ftyp.size, uuidBox(XMP_UUID, xmpPacket({ latitude: '33,51.408S', longitude: '151,12.918E', creator: 'Alice' })));
      const src = join(dir, `apple-${isoStyle}.mp4`);
      await writeFile(src, bytes);
      expect(await decodeProblems(src)).toBe('');
      if (!isoStyle) {
        // exiftool reads only the QuickTime form at moov level; the ISO form is proved by the report below.
        const exif = await exifTags(src);
        expect(exif['Keys:Make']).toBe('Apple');
        expect(exif['Keys:Model']).toBe('iPhone 15 Pro');
      }

      const { dest, report } = await strip(src);
      await expectIntactMedia(src, dest);
      await expectNoProbeTags(dest);
      await expectNoExifTags(dest);
      const texts = report.findings.map((f) => f.text);
      expect(texts).toContain('Location 33.8568 S, 151.2153 E removed');
      expect(texts).toContain('Camera make tag "Apple" removed');
      expect(texts).toContain('Camera model tag "iPhone 15 Pro" removed');
      expect(texts).toContain('Software tag "17.4.1" removed');
      expect(texts).toContain('Creation date 2024-05-01 removed');
      expect(texts).toContain('XMP metadata removed');
      expect(texts).toContain('Location in XMP metadata removed');
      expect(report.removedBoxes).toMatchObject({ meta: 1, uuid: 1 });
      const destBytes = await readFile(dest);
      expect(destBytes.includes(Buffer.from('iPhone'))).toBe(false);
      expect(destBytes.includes(Buffer.from('xmpmeta'))).toBe(false);
      expect(chunkOffsets(destBytes)).toEqual(chunkOffsets(bytes).map((o) => o - report.mediaShiftBytes));
    }
  });

  it('blanks device names in handler names, keeping the hdlr box', async () => {
    const src = await makeVideo(dir, 'gopro-name', { metadata: TAGGED });
    const bytes = await readFile(src);
    const at = bytes.indexOf('VideoHandler');
    bytes.write('GoPro AVC\0\0\0', at, 'latin1');
    await writeFile(src, bytes);
    const { dest, report } = await strip(src);
    await expectIntactMedia(src, dest);
    expect(report.findings.map((f) => f.text)).toContain('Track name "GoPro AVC" removed');
    const destBytes = await readFile(dest);
    expect(destBytes.includes(Buffer.from('GoPro'))).toBe(false);
    expect(findBoxes(destBytes, 'hdlr')).toHaveLength(1);
  });

  it('drops a timecode track and zeroes its samples inside mdat without moving anything', async () => {
    const src = await makeVideo(dir, 'timecode', { container: 'mov', timecode: '01:02:03:04' });
    expect(await probeStreamCount(src)).toBe(2);
    const srcTree = await inspectMp4(src);
    const tmcd = srcTree.tracks.find((t) => t.handler === 'tmcd');
    expect(tmcd?.firstChunkOffset).not.toBeNull();
    const at = tmcd?.firstChunkOffset as number;
    const srcBytes = await readFile(src);
    expect(srcBytes.readUInt32BE(at)).not.toBe(0);

    const { dest, report } = await strip(src);
    await expectIntactMedia(src, dest);
    expect(await probeStreamCount(dest)).toBe(1);
    expect(report.removedTracks).toBe(1);
    expect(report.findings.map((f) => f.text)).toContain('Timecode track removed');
    const destBytes = await readFile(dest);
    expect(destBytes.readUInt32BE(at - report.mediaShiftBytes)).toBe(0);
    expect((await probeTags(dest)).streams.some((s) => 'timecode' in s)).toBe(false);
  });

  it('drops a subtitle track so its text does not survive anywhere in the file', async () => {
    const secret = 'Meet at the north gate';
    for (const faststart of [false, true]) {
      const src = await makeVideo(dir, `subs-${faststart}`, { subtitle: secret, faststart, audio: true });
      expect((await readFile(src)).includes(Buffer.from(secret))).toBe(true);
      const { dest, report } = await strip(src);
      await expectIntactMedia(src, dest);
      expect(report.findings.map((f) => f.text)).toContain('Subtitle track removed');
      expect((await readFile(dest)).includes(Buffer.from(secret))).toBe(false);
      expect(await probeStreamCount(dest)).toBe(2);
    }
  });

  it('cleans fragmented MP4s, rewriting absolute tfhd base data offsets', async () => {
    for (const fragmented of [true, 'default-base-moof'] as const) {
      const src = await makeVideo(dir, `frag-${String(fragmented)}`, { fragmented, audio: true, seconds: 2, metadata: TAGGED });
      const { dest, report } = await strip(src);
      await expectIntactMedia(src, dest);
      await expectNoProbeTags(dest);
      await expectNoExifTags(dest);
      expect(report.fragmented).toBe(true);
      expect(report.mediaShiftBytes).toBeGreaterThan(0);
      const [srcBytes, destBytes] = await Promise.all([readFile(src), readFile(dest)]);
      const baseOffsets = (bytes: Buffer): number[] =>
        findBoxes(bytes, 'tfhd')
          .filter((t) => (bytes.readUInt32BE(t.offset + 8) & 1) === 1)
          .map((t) => Number(bytes.readBigUInt64BE(t.offset + 16)));
      expect(baseOffsets(destBytes)).toEqual(baseOffsets(srcBytes).map((o) => o - report.mediaShiftBytes));
      if (fragmented === true) expect(baseOffsets(srcBytes).length).toBeGreaterThan(0);
      expect(findBoxes(destBytes, 'moof')).toHaveLength(findBoxes(srcBytes, 'moof').length);
    }
  });

  it('stripping twice changes nothing more', async () => {
    const src = await makeVideo(dir, 'twice', { audio: true, faststart: true, metadata: TAGGED });
    const once = await strip(src);
    const twice = await strip(once.dest);
    expect((await readFile(twice.dest)).equals(await readFile(once.dest))).toBe(true);
    expect(twice.report.findings).toEqual([]);
    expect(twice.report.mediaShiftBytes).toBe(0);
  });

  it('refuses to overwrite an existing destination and leaves it untouched', async () => {
    const src = await makeVideo(dir, 'exists', {});
    const dest = join(dir, 'already-there.mp4');
    await writeFile(dest, 'keep me');
    const error = await stripMp4Metadata(src, dest).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AirlockError);
    expect((error as AirlockError).code).toBe('media.mp4-write-failed');
    expect(await readFile(dest, 'utf8')).toBe('keep me');
  });
});
