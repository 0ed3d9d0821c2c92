// Facebook Page post rules as the editor shows them: 63,206 characters, one photo (up to 10 MB)
// or one video (up to 10 GB and 240 minutes), and never an empty post.
import { describe, expect, it } from 'vitest';
import { checkPostForPlatform, type PostMediaFacts } from '../../../../electron/platforms/post-rules.ts';

const video = (o: Partial<PostMediaFacts> = {}): PostMediaFacts => ({ kind: 'video', altText: null, width: 1280, height: 720, durationMs: 10_000, bytes: 5_000_000, format: 'mp4', ...o });
const photo = (o: Partial<PostMediaFacts> = {}): PostMediaFacts => ({ kind: 'image', altText: 'x', width: 800, height: 600, durationMs: null, bytes: 200_000, format: 'jpeg', ...o });
const codes = (caption: string, media: PostMediaFacts[]) => checkPostForPlatform('facebook', { caption, media, options: {} }).errors.map((e) => e.code);

describe('Facebook rules', () => {
  it('counts characters against 63,206', () => {
    expect(checkPostForPlatform('facebook', { caption: 'Hello', media: [], options: {} }).counters).toEqual([{ label: 'characters', used: 5, limit: 63_206 }]);
    expect(codes('a'.repeat(63_207), [])).toEqual(['facebook.too-long']);
  });

  it('takes text alone, one photo or one video, and nothing empty', () => {
    expect(codes('Hello', [])).toEqual([]);
    expect(codes('', [video()])).toEqual([]);
    expect(codes('', [])).toEqual(['facebook.empty']);
    expect(codes('a', [photo(), video()])).toEqual(['facebook.one-media']);
  });

  it('holds photos and videos to the limits', () => {
    expect(codes('a', [photo({ bytes: 10 * 1024 * 1024 + 1 })])).toEqual(['facebook.photo-too-large']);
    expect(codes('a', [photo({ format: 'webp' })])).toEqual(['facebook.photo-format']);
    expect(codes('a', [video({ durationMs: 240 * 60_000 + 1 })])).toEqual(['facebook.video-too-long']);
    expect(codes('a', [video({ bytes: 10 * 1024 ** 3 + 1 })])).toEqual(['facebook.video-too-large']);
  });
});
