// Facebook Page post rules as the editor shows them: 63,206 characters, one photo (up to 10 MB)
// or one video (up to 10 GB and 240 minutes), and never an empty post; a Reel (§6.3) is one
// vertical 9:16 video of 3 to 90 seconds, at least 540 × 960.
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

  it('takes a Reel only as one vertical video of 3 to 90 seconds, at least 540 × 960', () => {
    const reel = (media: PostMediaFacts[], format: unknown = 'reel') => checkPostForPlatform('facebook', { caption: 'Ferry', media, options: { facebook: { format } } }).errors.map((e) => e.code);
    const vertical = (o: Partial<PostMediaFacts> = {}) => video({ width: 1080, height: 1920, durationMs: 30_000, ...o });
    expect(reel([vertical()])).toEqual([]);
    // Encoders round odd sizes; 3 and 90 seconds are both allowed.
    expect(reel([vertical({ height: 1918, durationMs: 3_000 })])).toEqual([]);
    expect(reel([vertical({ durationMs: 90_000 })])).toEqual([]);
    expect(reel([vertical({ width: 1920, height: 1080 })])).toEqual(['facebook.reel-aspect']);
    expect(reel([vertical({ width: 1080, height: 1350 })])).toEqual(['facebook.reel-aspect']);
    expect(reel([vertical({ width: 360, height: 640 })])).toEqual(['facebook.reel-too-small']);
    expect(reel([vertical({ durationMs: 2_999 })])).toEqual(['facebook.reel-too-short']);
    expect(reel([vertical({ durationMs: 90_001 })])).toEqual(['facebook.reel-too-long']);
    expect(reel([photo({ width: 1080, height: 1920 })])).toEqual(['facebook.reel-one-video']);
    expect(reel([vertical(), vertical()])).toEqual(['facebook.reel-one-video']);
    expect(reel([])).toEqual(['facebook.reel-one-video']);
    // Facts not known yet are checked again before the upload.
    expect(reel([vertical({ width: null, height: null, durationMs: null })])).toEqual([]);
    expect(reel([vertical()], 'story')).toEqual(['facebook.format-unknown']);
    // A post (the default) takes the landscape video as it always did.
    expect(reel([vertical({ width: 1920, height: 1080 })], 'post')).toEqual([]);
    expect(reel([vertical({ width: 1920, height: 1080 })], '')).toEqual([]);
  });
});
