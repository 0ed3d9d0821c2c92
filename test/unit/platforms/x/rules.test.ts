// X's rules for a photo's or GIF's description (alt text): at most 1000 characters, counted as
// Unicode code points as X's metadata limit is, and a video's description named as not sent.
import { describe, expect, it } from 'vitest';
import type { PostFacts, PostMediaFacts } from '../../../../electron/platforms/post-rules.ts';
import { checkX } from '../../../../electron/platforms/x/rules.ts';

const image = (altText: string | null): PostMediaFacts => ({ kind: 'image', altText, width: 800, height: 600, durationMs: null, bytes: 1000, format: 'jpeg' });
const video = (altText: string | null): PostMediaFacts => ({ kind: 'video', altText, width: 1280, height: 720, durationMs: 10_000, bytes: 1_000_000, format: 'mp4' });
const post = (media: PostMediaFacts[]): PostFacts => ({ caption: 'Harbour day', media, options: {} });

describe('X rules: descriptions (alt text)', () => {
  it('accepts 1000 characters and refuses 1001, naming the photo, with its values', () => {
    expect(checkX(post([image('d'.repeat(1000))])).errors).toEqual([]);
    expect(checkX(post([image(null), image('d'.repeat(1001))])).errors).toEqual([
      { field: 'media.1.altText', code: 'x.alt-too-long', message: 'The description of photo 2 is 1001 characters; X allows 1000.', params: { n: 2, used: 1001, limit: 1000 } },
    ]);
  });

  it('counts an emoji as one character and ignores surrounding spaces, as the adapter sends it', () => {
    expect(checkX(post([image(`  ${'🌊'.repeat(1000)}  `)])).errors).toEqual([]);
    expect(checkX(post([image('🌊'.repeat(1001))])).errors.map((e) => e.params)).toEqual([{ n: 1, used: 1001, limit: 1000 }]);
  });

  it('says a video goes to X without its description, and says nothing for a video without one', () => {
    const check = checkX(post([video('Ferry leaving the harbour')]));
    expect(check.errors).toEqual([]);
    expect(check.warnings).toEqual([{ field: 'media.0.altText', code: 'x.alt-video-not-sent', message: 'X shows descriptions for photos and GIFs only, so this video goes to X without its description.' }]);
    expect(checkX(post([video('  ')])).warnings).toEqual([]);
    expect(checkX(post([video('d'.repeat(2000))])).errors).toEqual([]);
  });
});
