// The sentences the sanitisation report shows: coordinates parsed from ISO 6709 in every form
// cameras use, dates, and values from the file stripped of characters that could mislead.

import { describe, expect, it } from 'vitest';
import { displayValue, formatPoint, parseIso6709 } from '../../../../../electron/services/sanitize/mp4/metadata-findings.ts';
import { stripMp4MetadataBytes } from '../../../../../electron/services/sanitize/mp4/index.ts';
import { appleMetaBox, ascii, box, fullBox, minimalMp4, u16, u32, u8 } from '../../../../support/video-fixtures.ts';

describe('parseIso6709', () => {
  it('reads decimal degrees with and without altitude and CRS', () => {
    expect(parseIso6709('+59.4370+024.7536/')).toEqual({ latitude: 59.437, longitude: 24.7536 });
    expect(parseIso6709('-33.8568+151.2153+012.000/')).toEqual({ latitude: -33.8568, longitude: 151.2153 });
    expect(parseIso6709('+27.5916+086.5640+8850CRSWGS_84/')).toEqual({ latitude: 27.5916, longitude: 86.564 });
    expect(parseIso6709('+40-074/')).toEqual({ latitude: 40, longitude: -74 });
  });

  it('reads degree-minute and degree-minute-second forms', () => {
    const dm = parseIso6709('+5926.22+02445.216/');
    expect(dm?.latitude).toBeCloseTo(59.437, 4);
    expect(dm?.longitude).toBeCloseTo(24.7536, 4);
    const dms = parseIso6709('-335124.48+1511255.08/');
    expect(dms?.latitude).toBeCloseTo(-33.8568, 4);
    expect(dms?.longitude).toBeCloseTo(151.2153, 4);
  });

  it('returns null for what is not a coordinate', () => {
    for (const text of ['', 'Tallinn', '59.4370 24.7536', '+95.0000+024.0000/', '+59.0000+190.0000/', '+5970.00+02400.00/', '+59.4370']) {
      expect(parseIso6709(text)).toBeNull();
    }
  });

  it('formats hemispheres in words staff can read', () => {
    expect(formatPoint({ latitude: -33.8568, longitude: -70.5 })).toBe('33.8568 S, 70.5000 W');
  });
});

describe('displayValue', () => {
  it('removes bidi overrides, zero-width and control characters and shortens long values', () => {
    expect(displayValue('Lavf\u202e60.16\u200b.100\n')).toBe('Lavf 60.16 .100');
    expect([...displayValue('x'.repeat(500))]).toHaveLength(60);
  });
});

describe('findings for tags written by different producers', () => {
  it('reads 3GPP loci coordinates, QuickTime text atoms and iTunes-style items', async () => {
    const loci = fullBox('loci', 0, 0, u16(0x15c7), ascii('Harbour\0'), u8(0), u32(Math.round(24.7536 * 65536)), u32(Math.round(59.437 * 65536)), u32(0), ascii('earth\0\0'));
    const qtText = (type: string, text: string): Buffer => box(type, u16(Buffer.byteLength(text)), u16(0x55c4), Buffer.from(text));
    const ilst = box('ilst', box('\u00a9ART', box('data', u32(1), u32(0), ascii('Alice'))), box('\u00a9day', box('data', u32(1), u32(0), ascii('2023-12-24T08:00:00Z'))));
    const itunes = fullBox('meta', 0, 0, fullBox('hdlr', 0, 0, u32(0), ascii('mdir'), ascii('appl'), Buffer.alloc(9)), ilst);
    const udta = box('udta', loci, qtText('\u00a9mod', 'HERO12 Black'), qtText('\u00a9swr', 'HD9.01.01.60.00'), qtText('\u00a9zzz', 'unknown'), itunes, u32(0));
    const { report } = await stripMp4MetadataBytes(minimalMp4('faststart', { moovExtras: [udta] }));
    expect(report.findings).toEqual(
      expect.arrayContaining([
        { kind: 'location', code: 'video.location', text: 'Location 59.4370 N, 24.7536 E removed', params: { lat: expect.closeTo(59.437, 3), lon: expect.closeTo(24.7536, 3) } },
        { kind: 'device', code: 'video.tag-value', text: 'Camera model tag "HERO12 Black" removed', params: { tag: 'camera-model', value: 'HERO12 Black' } },
        { kind: 'software', code: 'video.tag-value', text: 'Software tag "HD9.01.01.60.00" removed', params: { tag: 'software', value: 'HD9.01.01.60.00' } },
        { kind: 'author', code: 'video.tag', text: 'Author tag removed', params: { tag: 'author' } },
        { kind: 'date', code: 'video.creation-date', text: 'Creation date 2023-12-24 removed', params: { date: '2023-12-24' } },
        { kind: 'tag', code: 'video.other-tags', text: '1 other metadata tag removed', params: { count: 1 } },
      ]),
    );
  });

  it('reports each distinct finding once', async () => {
    const meta = appleMetaBox({ 'com.apple.quicktime.location.ISO6709': '+59.4370+024.7536/' });
    const udta = box('udta', box('\u00a9xyz', u16(18), u16(0x55c4), ascii('+59.4370+024.7536/')));
    const { report } = await stripMp4MetadataBytes(minimalMp4('moov-last', { moovExtras: [meta, udta] }));
    expect(report.findings.filter((f) => f.kind === 'location')).toEqual([{ kind: 'location', code: 'video.location', text: 'Location 59.4370 N, 24.7536 E removed', params: { lat: expect.closeTo(59.437, 3), lon: expect.closeTo(24.7536, 3) } }]);
    expect(report.removedBoxes).toEqual({ meta: 1, udta: 1 });
  });

  it('reports creation times from the movie header once and counts every cleared time', async () => {
    const { report } = await stripMp4MetadataBytes(minimalMp4());
    expect(report.findings.filter((f) => f.kind === 'date')).toEqual([{ kind: 'date', code: 'video.creation-date', text: 'Creation date 2024-05-03 removed', params: { date: '2024-05-03' } }]);
    // mvhd creation + modification, tkhd creation, mdhd creation (the hand-built file leaves the others 0).
    expect(report.clearedTimestamps).toBe(4);
  });
});
