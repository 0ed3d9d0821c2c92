// What the simulated server learns from an upload's first bytes (§4.2): whether the content is
// what its Content-Type claims, which MediaAttachment `type` it becomes, and an image's size.
// Nothing is decoded; a real server's ImageMagick and ffmpeg checks are beyond this.
import type { MastodonMediaType } from './mastodon-protocol.ts';

/** §4.2 MediaAttachment type from the declared content type; GIFs become looping video (gifv). */
export function mediaTypeFor(contentType: string): MastodonMediaType {
  if (contentType === 'image/gif') return 'gifv';
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('video/')) return 'video';
  if (contentType.startsWith('audio/')) return 'audio';
  return 'unknown';
}

/** §4.2: images are processed while the upload is answered (200); the rest later (202). */
export function processedSynchronously(type: MastodonMediaType): boolean {
  return type === 'image';
}

function isoBrand(head: Buffer): string | null {
  return head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp' ? head.toString('latin1', 8, 12) : null;
}

/** The family the bytes belong to, by magic number; null when unrecognised. */
export function sniffContentType(head: Buffer): string | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.readUInt32BE(0) === 0x89504e47 && head.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.toString('latin1', 0, 6))) return 'image/gif';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF') {
    const kind = head.toString('latin1', 8, 12);
    if (kind === 'WEBP') return 'image/webp';
    if (kind === 'WAVE') return 'audio/wav';
  }
  const brand = isoBrand(head);
  if (brand !== null) {
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (['heic', 'heix', 'mif1', 'msf1', 'heim', 'heis'].includes(brand)) return 'image/heic';
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand === 'M4A ') return 'audio/mp4';
    return 'video/mp4';
  }
  if (head.length >= 8 && ['moov', 'wide', 'mdat', 'free', 'skip'].includes(head.toString('latin1', 4, 8))) return 'video/quicktime';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'OggS') return 'video/ogg';
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'fLaC') return 'audio/flac';
  if (head.length >= 3 && (head.toString('latin1', 0, 3) === 'ID3' || (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0))) return 'audio/mpeg';
  return null;
}

/**
 * Whether the bytes fit the declared type closely enough: same family, where containers that
 * carry several kinds (MP4 holding audio, Ogg, WebM) count for either.
 */
export function contentMatches(declared: string, head: Buffer): boolean {
  const sniffed = sniffContentType(head);
  if (sniffed === null) return false;
  if (sniffed === declared) return true;
  const containers: Record<string, string[]> = {
    'video/mp4': ['video/mp4', 'video/quicktime', 'audio/mp4', 'audio/m4a', 'audio/x-m4a', 'audio/aac', 'audio/3gpp'],
    'video/quicktime': ['video/quicktime', 'video/mp4'],
    'video/webm': ['video/webm', 'audio/webm'],
    'video/ogg': ['video/ogg', 'audio/ogg', 'audio/vorbis'],
    'audio/wav': ['audio/wav', 'audio/wave', 'audio/x-wav', 'audio/x-pn-wave', 'audio/vnd.wave'],
    'audio/mpeg': ['audio/mpeg', 'audio/mp3'],
    'image/heic': ['image/heic', 'image/heif'],
  };
  return containers[sniffed]?.includes(declared) ?? false;
}

/** Pixel size of a PNG, GIF, WebP or baseline/progressive JPEG from its first bytes. */
export function imageSize(head: Buffer): { width: number; height: number } | null {
  const type = sniffContentType(head);
  if (type === 'image/png' && head.length >= 24) return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
  if (type === 'image/gif' && head.length >= 10) return { width: head.readUInt16LE(6), height: head.readUInt16LE(8) };
  if (type === 'image/webp' && head.length >= 30) {
    const chunk = head.toString('latin1', 12, 16);
    if (chunk === 'VP8X') return { width: 1 + head.readUIntLE(24, 3), height: 1 + head.readUIntLE(27, 3) };
    if (chunk === 'VP8 ') return { width: head.readUInt16LE(26) & 0x3fff, height: head.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L' && head.length >= 25) {
      const bits = head.readUInt32LE(21);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    return null;
  }
  if (type === 'image/jpeg') {
    // Walk the marker segments to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC).
    let at = 2;
    while (at + 9 < head.length) {
      if (head[at] !== 0xff) return null;
      const marker = head[at + 1]!;
      if (marker === 0xff) {
        at += 1;
        continue;
      }
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
        at += 2;
        continue;
      }
      const length = head.readUInt16BE(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: head.readUInt16BE(at + 7), height: head.readUInt16BE(at + 5) };
      }
      if (marker === 0xda || length < 2) return null;
      at += 2 + length;
    }
  }
  return null;
}
