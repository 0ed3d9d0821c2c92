// LinkedIn's post rules as the editor shows them (platform-apis.md §7): 3000 characters, one
// photo (JPEG, PNG or GIF up to 5 MB) or one MP4 video of 75 KB to 500 MB and 3 s to 30 min.
import { describe, expect, it } from 'vitest';
import { checkPostForPlatform, type PostMediaFacts } from '../../../../electron/platforms/post-rules.ts';

const video = (o: Partial<PostMediaFacts> = {}): PostMediaFacts => ({ kind: 'video', altText: null, width: 1280, height: 720, durationMs: 10_000, bytes: 5_000_000, format: 'mp4', ...o });
const photo = (o: Partial<PostMediaFacts> = {}): PostMediaFacts => ({ kind: 'image', altText: 'x', width: 800, height: 600, durationMs: null, bytes: 200_000, format: 'jpeg', ...o });
const codes = (caption: string, media: PostMediaFacts[]) => checkPostForPlatform('linkedin', { caption, media, options: {} }).errors.map((e) => e.code);

describe('LinkedIn rules', () => {
  it('counts characters against 3000', () => {
    const check = checkPostForPlatform('linkedin', { caption: 'é'.repeat(3000), media: [], options: {} });
    expect(check.counters).toEqual([{ label: 'characters', used: 3000, limit: 3000 }]);
    expect(check.errors).toEqual([]);
    expect(codes('a'.repeat(3001), [])).toEqual(['linkedin.too-long']);
  });

  it('takes text alone, one photo or one video, and nothing empty', () => {
    expect(codes('Hello', [photo()])).toEqual([]);
    expect(codes('', [video()])).toEqual([]);
    expect(codes(' ', [])).toEqual(['linkedin.empty']);
    expect(codes('Hello', [photo(), photo()])).toEqual(['linkedin.one-media']);
  });

  it('holds photos and videos to the documented limits', () => {
    expect(codes('a', [photo({ bytes: 5 * 1024 * 1024 + 1 })])).toEqual(['linkedin.image-too-large']);
    expect(codes('a', [photo({ format: 'webp' })])).toEqual(['linkedin.image-format']);
    expect(codes('a', [video({ format: 'quicktime' })])).toEqual(['linkedin.video-format']);
    expect(codes('a', [video({ bytes: 74_999 })])).toEqual(['linkedin.video-size']);
    expect(codes('a', [video({ durationMs: 2_999 })])).toEqual(['linkedin.video-length']);
    expect(codes('a', [video({ durationMs: 30 * 60_000 + 1 })])).toEqual(['linkedin.video-length']);
    expect(codes('a', [video({ width: 2500, height: 1000 })])).toEqual(['linkedin.video-shape']);
    expect(codes('a', [video({ width: 1000, height: 2400 })])).toEqual([]);
  });
});
