// Walks the container structure of JPEG, PNG and WebP files to say what they carry besides
// the picture: metadata blocks, comments, text chunks and data hidden after the end marker.
// Only reports; the re-encode is what removes everything.

export interface ContainerSurvey {
  format: 'jpeg' | 'png' | 'webp';
  exif: Buffer | null;
  xmp: boolean;
  iptc: boolean;
  icc: boolean;
  comments: number;
  textChunks: number;
  /** Bytes after the format's end marker (a ZIP or script glued onto a photo). */
  trailingBytes: number;
  /** The structure ended before its end marker. */
  truncated: boolean;
}

const XMP_JPEG = Buffer.from('http://ns.adobe.com/xap/1.0/\0');
const EXIF_JPEG = Buffer.from('Exif\0\0');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function empty(format: ContainerSurvey['format']): ContainerSurvey {
  return { format, exif: null, xmp: false, iptc: false, icc: false, comments: 0, textChunks: 0, trailingBytes: 0, truncated: false };
}

export function surveyJpeg(buf: Buffer): ContainerSurvey {
  const s = empty('jpeg');
  let i = 2; // after SOI
  while (i + 2 <= buf.length) {
    if (buf[i] !== 0xff) {
      s.truncated = true;
      return s;
    }
    const marker = buf[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd9) {
      s.trailingBytes = buf.length - (i + 2);
      return s;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (i + 4 > buf.length) break;
    const length = buf.readUInt16BE(i + 2);
    const start = i + 4;
    const end = i + 2 + length;
    if (length < 2 || end > buf.length) {
      s.truncated = true;
      return s;
    }
    const payload = buf.subarray(start, end);
    if (marker === 0xe1 && payload.subarray(0, EXIF_JPEG.length).equals(EXIF_JPEG)) s.exif = payload.subarray(EXIF_JPEG.length);
    else if (marker === 0xe1 && payload.subarray(0, XMP_JPEG.length).equals(XMP_JPEG)) s.xmp = true;
    else if (marker === 0xe1 && payload.toString('latin1', 0, 28).startsWith('http://ns.adobe.com/xmp/extension/')) s.xmp = true;
    else if (marker === 0xed) s.iptc = true;
    else if (marker === 0xe2 && payload.toString('latin1', 0, 11) === 'ICC_PROFILE') s.icc = true;
    else if (marker === 0xfe) s.comments++;
    i = end;
    if (marker === 0xda) {
      // Entropy-coded data follows the scan header: skip to the next real marker.
      while (i + 1 < buf.length && !(buf[i] === 0xff && buf[i + 1] !== 0x00 && !(buf[i + 1]! >= 0xd0 && buf[i + 1]! <= 0xd7))) i++;
    }
  }
  s.truncated = true;
  return s;
}

export function surveyPng(buf: Buffer): ContainerSurvey {
  const s = empty('png');
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) {
    s.truncated = true;
    return s;
  }
  let i = 8;
  while (i + 12 <= buf.length) {
    const length = buf.readUInt32BE(i);
    const type = buf.toString('latin1', i + 4, i + 8);
    const end = i + 12 + length;
    if (end > buf.length) {
      s.truncated = true;
      return s;
    }
    if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') {
      const keyword = buf.toString('latin1', i + 8, Math.min(i + 8 + 80, end)).split('\0')[0];
      if (keyword === 'XML:com.adobe.xmp') s.xmp = true;
      else s.textChunks++;
    } else if (type === 'eXIf') s.exif = buf.subarray(i + 8, i + 8 + length);
    else if (type === 'iCCP') s.icc = true;
    if (type === 'IEND') {
      s.trailingBytes = buf.length - end;
      return s;
    }
    i = end;
  }
  s.truncated = true;
  return s;
}

export function surveyWebp(buf: Buffer): ContainerSurvey {
  const s = empty('webp');
  const riffEnd = 8 + buf.readUInt32LE(4);
  if (riffEnd > buf.length) s.truncated = true;
  s.trailingBytes = Math.max(0, buf.length - riffEnd);
  let i = 12;
  while (i + 8 <= Math.min(riffEnd, buf.length)) {
    const type = buf.toString('latin1', i, i + 4);
    const length = buf.readUInt32LE(i + 4);
    const end = i + 8 + length + (length % 2);
    if (i + 8 + length > buf.length) {
      s.truncated = true;
      return s;
    }
    if (type === 'EXIF') {
      const payload = buf.subarray(i + 8, i + 8 + length);
      s.exif = payload.subarray(0, 6).equals(EXIF_JPEG) ? payload.subarray(6) : payload;
    } else if (type === 'XMP ') s.xmp = true;
    else if (type === 'ICCP') s.icc = true;
    i = end;
  }
  return s;
}

export function surveyImage(buf: Buffer): ContainerSurvey | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return surveyJpeg(buf);
  if (buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE)) return surveyPng(buf);
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return surveyWebp(buf);
  return null;
}
