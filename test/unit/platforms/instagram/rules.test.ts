// Instagram Reels rules as the editor shows them (platform-apis.md §6.4): one video, MP4 or MOV,
// 3 s to 15 min, up to 300 MB and 1920 px wide; 2200 characters, 30 hashtags, 20 @mentions.
import { describe, expect, it } from 'vitest';
import { checkPostForPlatform, type PostMediaFacts } from '../../../../electron/platforms/post-rules.ts';

const reel = (o: Partial<PostMediaFacts> = {}): PostMediaFacts => ({ kind: 'video', altText: null, width: 1080, height: 1920, durationMs: 10_000, bytes: 5_000_000, format: 'mp4', ...o });
const codes = (caption: string, media: PostMediaFacts[]) => checkPostForPlatform('instagram', { caption, media, options: {} }).errors.map((e) => e.code);

describe('Instagram rules', () => {
  it('counts characters and hashtags', () => {
    expect(checkPostForPlatform('instagram', { caption: 'Ferry #harbour #tallinn', media: [reel()], options: {} }).counters).toEqual([
      { label: 'characters', used: 23, limit: 2200 },
      { label: 'hashtags', used: 2, limit: 30 },
    ]);
    expect(codes('a'.repeat(2201), [reel()])).toEqual(['instagram.too-long']);
    expect(codes(Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' '), [reel()])).toEqual(['instagram.hashtags']);
    expect(codes(Array.from({ length: 21 }, (_, i) => `@u${i}`).join(' '), [reel()])).toEqual(['instagram.mentions']);
    // An e-mail address is not a mention.
    expect(codes('write to desk@council.example', [reel()])).toEqual([]);
  });

  it('needs exactly one video within the Reels limits', () => {
    expect(codes('a', [])).toEqual(['instagram.one-video']);
    expect(codes('a', [{ ...reel(), kind: 'image', format: 'jpeg', durationMs: null }])).toEqual(['instagram.one-video']);
    expect(codes('a', [reel(), reel()])).toEqual(['instagram.one-video']);
    expect(codes('a', [reel({ format: 'webm' })])).toEqual(['instagram.video-format']);
    expect(codes('a', [reel({ bytes: 300 * 1024 * 1024 + 1 })])).toEqual(['instagram.video-too-large']);
    expect(codes('a', [reel({ durationMs: 2_000 })])).toEqual(['instagram.video-length']);
    expect(codes('a', [reel({ durationMs: 15 * 60_000 + 1 })])).toEqual(['instagram.video-length']);
    expect(codes('a', [reel({ width: 3840, height: 2160 })])).toEqual(['instagram.video-width']);
  });
});
