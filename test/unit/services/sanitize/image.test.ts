import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { makeThumbnail, sanitizeImage } from '../../../../electron/services/sanitize/image.ts';
import { absurdPng, exiftool, exifTags, jpegWithZip, plainPhoto, revealingJpeg, REVEALING_TAGS } from '../../../support/image-fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-image-'));
});

const out = (name: string) => path.join(dir, `clean-${name}`);
const revealingTagNames = /GPS|Make|Model|Serial|Artist|Copyright|Creator|By-line|City|Description|Software|DateTimeOriginal|Comment|Thumbnail|Orientation/;

async function refusal(src: string, dest: string): Promise<AirlockError> {
  const err = await sanitizeImage(src, dest).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AirlockError);
  expect(existsSync(dest)).toBe(false);
  return err as AirlockError;
}

describe('image sanitiser', () => {
  it('removes GPS, camera, author, XMP, IPTC, comment and thumbnail, and reports each in words', async () => {
    const src = await revealingJpeg(dir);
    const before = exifTags(src);
    expect(Object.keys(before).filter((k) => revealingTagNames.test(k)).length).toBeGreaterThan(10);

    const result = await sanitizeImage(src, out('revealing.jpg'));
    const after = exifTags(out('revealing.jpg'));
    const leaked = Object.keys(after).filter((k) => revealingTagNames.test(k) || /^(XMP|IPTC|EXIF|MakerNotes)/.test(k));
    expect(leaked).toEqual([]);

    const texts = result.report.findings.map((f) => f.text);
    expect(texts).toContain('GPS position 51.50 N, 0.12 W removed');
    expect(texts).toContain('Camera make and model (Canon EOS R6) removed');
    expect(texts).toContain('2 camera and lens serial numbers removed');
    expect(texts.some((t) => t.startsWith('Author name (Jane Fieldofficer)'))).toBe(true);
    expect(texts).toContain('Date taken (2024-05-01) removed');
    expect(texts).toContain('Editing software name (Adobe Photoshop 25.0) removed');
    expect(texts).toContain('XMP metadata block removed');
    expect(texts).toContain('IPTC press metadata removed');
    expect(texts).toContain('1 hidden comment removed');
    expect(texts.some((t) => t.startsWith('Embedded preview thumbnail removed'))).toBe(true);
    expect(texts).toContain('The picture was stored turned; it has been turned upright');
  });

  it('applies the stored orientation so portraits stay upright', async () => {
    const src = await revealingJpeg(dir, 'turned.jpg');
    const result = await sanitizeImage(src, out('turned.jpg'));
    // Orientation 6 means "rotate 90° clockwise to display": 1200×800 stored becomes 800×1200.
    expect([result.width, result.height]).toEqual([800, 1200]);
    // The red marker stored top-left now sits top-right.
    const { data, info } = await sharp(out('turned.jpg')).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    expect(px(info.width - 20, 20)[0]).toBeGreaterThan(200);
    expect(px(20, 20)[0]).toBeLessThan(200);
  });

  it('drops a ZIP appended after the end of a JPEG', async () => {
    const src = await jpegWithZip(dir);
    const result = await sanitizeImage(src, out('zip.jpg'));
    expect(result.report.findings.map((f) => f.text).find((t) => t.includes('hidden data after the end'))).toMatch(/^\d+ bytes of hidden data/);
    const clean = await readFile(out('zip.jpg'));
    expect(clean.subarray(-2).toString('hex')).toBe('ffd9');
    expect(clean.includes(Buffer.from('PK\x03\x04'))).toBe(false);
    expect(clean.includes(Buffer.from('exfiltrated'))).toBe(false);
  });

  it('removes PNG text notes and WebP EXIF/XMP', async () => {
    const png = path.join(dir, 'notes.png');
    await plainPhoto(png, 'png', 200, 100);
    exiftool(['-q', '-overwrite_original', '-PNG:Comment=internal only', '-PNG:Author=Jane', '-XMP-dc:Creator=Jane', png]);
    const pngResult = await sanitizeImage(png, out('notes.png'));
    expect(pngResult.report.findings.map((f) => f.text)).toEqual(expect.arrayContaining(['XMP metadata block removed']));
    expect(pngResult.report.findings.some((f) => /hidden text notes? removed/.test(f.text))).toBe(true);
    expect(Object.keys(exifTags(out('notes.png'))).filter((k) => /Comment|Author|XMP/.test(k))).toEqual([]);

    const webp = path.join(dir, 'tagged.webp');
    await plainPhoto(webp, 'webp', 200, 100);
    exiftool(['-q', '-overwrite_original', ...REVEALING_TAGS.filter((t) => !t.startsWith('-IPTC')), webp]);
    const webpResult = await sanitizeImage(webp, out('tagged.webp'));
    expect(webpResult.format).toBe('webp');
    expect(webpResult.report.findings.map((f) => f.text)).toContain('GPS position 51.50 N, 0.12 W removed');
    expect(Object.keys(exifTags(out('tagged.webp'))).filter((k) => revealingTagNames.test(k))).toEqual([]);
  });

  it('reports nothing for a photo that carried nothing', async () => {
    const src = path.join(dir, 'plain.png');
    await plainPhoto(src, 'png', 300, 200);
    const result = await sanitizeImage(src, out('plain.png'));
    expect(result.report.findings).toEqual([]);
    expect([result.width, result.height]).toEqual([300, 200]);
  });

  it('refuses a PNG claiming absurd dimensions without decoding it', async () => {
    const src = path.join(dir, 'bomb.png');
    await writeFile(src, absurdPng());
    const err = await refusal(src, out('bomb.png'));
    expect(err.code).toBe('media.image-too-many-pixels');
    expect(err.message).toContain('100,000 × 100,000 pixels');
  });

  it('refuses truncated, non-image and garbage files, leaving no output', async () => {
    const good = path.join(dir, 'good.jpg');
    await plainPhoto(good, 'jpeg', 400, 300);
    const bytes = await readFile(good);
    const truncated = path.join(dir, 'truncated.jpg');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await refusal(truncated, out('truncated.jpg'))).code).toBe('media.image-malformed');

    const elf = path.join(dir, 'program.jpg');
    await writeFile(elf, Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(200)]));
    expect((await refusal(elf, out('program.jpg'))).code).toBe('media.image-unsupported');

    const headerOnly = path.join(dir, 'header-only.jpg');
    await writeFile(headerOnly, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
    expect((await refusal(headerOnly, out('header-only.jpg'))).code).toBe('media.image-malformed');
  });

  it('never overwrites an existing output file', async () => {
    const src = path.join(dir, 'again.png');
    await plainPhoto(src, 'png', 50, 50);
    await writeFile(out('again.png'), 'existing');
    await expect(sanitizeImage(src, out('again.png'))).rejects.toThrow();
    expect(await readFile(out('again.png'), 'utf8')).toBe('existing');
  });

  it('makes a small WebP thumbnail from the clean picture', async () => {
    const src = path.join(dir, 'big.jpg');
    await plainPhoto(src, 'jpeg', 1600, 900);
    await sanitizeImage(src, out('big.jpg'));
    await makeThumbnail(out('big.jpg'), path.join(dir, 'thumb.webp'));
    const meta = await sharp(path.join(dir, 'thumb.webp')).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width!, meta.height!)).toBe(320);
  });
});
