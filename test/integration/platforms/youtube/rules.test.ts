// YouTube's post rules as the editor and the publisher apply them: who may watch the video
// must be chosen (public, unlisted or private), so nothing goes out public by default.
import { describe, expect, it } from 'vitest';
import { checkPostForPlatform, type PostFacts } from '../../../../electron/platforms/post-rules.ts';

const video = { kind: 'video' as const, altText: null, width: 1920, height: 1080, durationMs: 30_000, bytes: 5_000_000, format: 'mp4' };
const facts = (youtube: Record<string, unknown>): PostFacts => ({ caption: 'Ferry times change on Monday', media: [video], options: { youtube } });
const codes = (youtube: Record<string, unknown>) => checkPostForPlatform('youtube', facts(youtube)).errors.map((e) => e.code);

describe('YouTube rules: privacy', () => {
  it('blocks a post with no privacy chosen, saying Airlock never picks one', () => {
    const check = checkPostForPlatform('youtube', facts({ title: 'Ferry' }));
    expect(check.errors).toEqual([{ field: 'options.youtube.privacy', code: 'youtube.privacy-missing', message: 'Choose who can watch this video on YouTube. Airlock never picks this for you.' }]);
  });

  it('blocks a privacy YouTube does not know', () => {
    expect(codes({ title: 'Ferry', privacy: 'everyone' })).toEqual(['youtube.privacy-unknown']);
    expect(codes({ title: 'Ferry', privacy: 'PUBLIC' })).toEqual(['youtube.privacy-unknown']);
  });

  it('accepts public, unlisted and private', () => {
    for (const privacy of ['public', 'unlisted', 'private']) expect(codes({ title: 'Ferry', privacy })).toEqual([]);
  });

  it('still asks for a title alongside the privacy', () => {
    expect(codes({}).sort()).toEqual(['youtube.privacy-missing', 'youtube.title-missing']);
  });
});
