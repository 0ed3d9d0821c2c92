import { describe, expect, it } from 'vitest';
import { Int64, makeLogId, stringifyWithInt64 } from '../../../../electron/platforms/tiktok/simulator-http.ts';
import { looksLikeVideo } from '../../../../electron/platforms/tiktok/simulator-upload.ts';

const box = (size: number, type: string, rest: number[] = []) => {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(size, 0);
  b.write(type, 4, 'latin1');
  Buffer.from(rest).copy(b, 8);
  return b;
};

describe('simulator video sniffing', () => {
  it('wants an ISO BMFF ftyp box at the start of an MP4', () => {
    expect(looksLikeVideo(box(24, 'ftyp'), 'video/mp4')).toBe(true);
    expect(looksLikeVideo(box(8, 'ftyp'), 'video/mp4')).toBe(false);
    expect(looksLikeVideo(box(1000, 'moov'), 'video/mp4')).toBe(false);
    expect(looksLikeVideo(Buffer.from('GIF89a'), 'video/mp4')).toBe(false);
  });

  it('also takes a classic QuickTime atom for MOV, and the EBML header for WebM', () => {
    expect(looksLikeVideo(box(1000, 'moov'), 'video/quicktime')).toBe(true);
    expect(looksLikeVideo(box(8, 'wide'), 'video/quicktime')).toBe(true);
    expect(looksLikeVideo(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f]), 'video/webm')).toBe(true);
    expect(looksLikeVideo(box(24, 'ftyp'), 'video/webm')).toBe(false);
  });
});

describe('simulator JSON', () => {
  it('writes int64 ids as bare numbers without rounding, and leaves look-alike text alone', () => {
    const text = stringifyWithInt64({ ids: [new Int64('7300000000000000001')], caption: '\u0000int64:5\u0000' });
    expect(text).toBe('{"ids":[7300000000000000001],"caption":"\\u0000int64:5\\u0000"}');
  });

  it('makes log ids shaped like TikTok\'s: a UTC timestamp then 20 hex digits', () => {
    expect(makeLogId(Date.UTC(2022, 9, 11, 22, 48, 44))).toMatch(/^20221011224844[0-9A-F]{20}$/);
  });
});
