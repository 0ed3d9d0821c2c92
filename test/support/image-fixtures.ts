// Builds photos that betray their origin, the way real phone and camera pictures do: GPS,
// camera serials, author names, XMP/IPTC blocks, embedded thumbnails, appended data. Made at
// test time with sharp and exiftool, never committed.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

export async function plainPhoto(file: string, format: 'jpeg' | 'png' | 'webp' = 'jpeg', width = 1200, height = 800): Promise<void> {
  // A gradient with a marker in one corner, so orientation can be checked after re-encoding.
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const marker = x < width / 8 && y < height / 8;
      raw[o] = marker ? 255 : Math.round((x / width) * 200);
      raw[o + 1] = marker ? 0 : Math.round((y / height) * 200);
      raw[o + 2] = marker ? 0 : 120;
    }
  }
  await sharp(raw, { raw: { width, height, channels: 3 } }).toFormat(format).toFile(file);
}

export function exiftool(args: string[]): string {
  return execFileSync('exiftool', args, { encoding: 'utf8' });
}

/** Tags as exiftool sees them, with group names, e.g. { 'GPS:GPSLatitude': ... }. */
export function exifTags(file: string): Record<string, unknown> {
  const [tags] = JSON.parse(exiftool(['-j', '-G', '-a', '-n', file])) as Record<string, unknown>[];
  return tags ?? {};
}

export const REVEALING_TAGS = [
  '-GPSLatitude=51.5007',
  '-GPSLatitudeRef=N',
  '-GPSLongitude=0.1246',
  '-GPSLongitudeRef=W',
  '-Make=Canon',
  '-Model=Canon EOS R6',
  '-SerialNumber=082024001234',
  '-LensSerialNumber=LS998877',
  '-Artist=Jane Fieldofficer',
  '-Copyright=Harbour City Council',
  '-DateTimeOriginal=2024:05:01 09:30:00',
  '-Software=Adobe Photoshop 25.0',
  '-XMP-dc:Creator=Jane Fieldofficer',
  '-XMP-dc:Description=Staff entrance, north gate code 4711',
  '-IPTC:By-line=Jane Fieldofficer',
  '-IPTC:City=London',
];

/** A JPEG carrying GPS, camera, author, XMP, IPTC, a comment, an embedded thumbnail and orientation 6. */
export async function revealingJpeg(dir: string, name = 'revealing.jpg'): Promise<string> {
  const file = path.join(dir, name);
  const thumb = path.join(dir, `${name}.thumb.jpg`);
  await plainPhoto(file, 'jpeg', 1200, 800);
  await sharp({ create: { width: 160, height: 120, channels: 3, background: '#ff0000' } }).jpeg().toFile(thumb);
  exiftool(['-q', '-overwrite_original', ...REVEALING_TAGS, '-Orientation#=6', '-Comment=taken at the north gate', `-ThumbnailImage<=${thumb}`, file]);
  return file;
}

/** Appends a small ZIP archive after the JPEG's end marker, as a polyglot file would. */
export async function jpegWithZip(dir: string): Promise<string> {
  const file = path.join(dir, 'with-zip.jpg');
  await plainPhoto(file, 'jpeg', 320, 240);
  const zip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(26), Buffer.from('secret.txt'), Buffer.from('exfiltrated data'), Buffer.from('PK\x05\x06'), Buffer.alloc(18)]);
  await writeFile(file, Buffer.concat([await readFile(file), zip]));
  return file;
}

/** A PNG whose header claims absurd dimensions (a decompression bomb's calling card). */
export function absurdPng(width = 100_000, height = 100_000): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const byte of b) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
