import { describe, expect, it } from 'vitest';
import { explainTikTokCode } from '../../../../electron/platforms/tiktok/messages.ts';
import { TIKTOK_ERROR_CODES, TIKTOK_FAIL_REASONS, tiktokCodeChallenge, type TikTokCreatorInfo } from '../../../../electron/platforms/tiktok/protocol.ts';
import {
  countCaptionUnits,
  extractHashtags,
  extractMentions,
  tiktokDeclarations,
  toTikTokPostInfo,
  validateTikTokPhotoPost,
  validateTikTokPost,
  type TikTokPostDraft,
} from '../../../../electron/platforms/tiktok/rules.ts';

const video = { sizeBytes: 20_000_000, durationSec: 45, width: 1080, height: 1920, frameRate: 30, container: 'mp4', videoCodec: 'h264' } as const;

const draft = (overrides: Partial<TikTokPostDraft> = {}): TikTokPostDraft => ({
  caption: 'Bins are collected on Tuesday this week #recycling',
  privacyLevel: 'PUBLIC_TO_EVERYONE',
  video,
  ...overrides,
});

const creator = (overrides: Partial<TikTokCreatorInfo> = {}): TikTokCreatorInfo => ({
  creator_avatar_url: 'https://example.invalid/a.jpeg',
  creator_username: 'council',
  creator_nickname: 'City Council',
  privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
  comment_disabled: false,
  duet_disabled: false,
  stitch_disabled: false,
  max_video_post_duration_sec: 180,
  ...overrides,
});

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

describe('TikTok caption length (UTF-16 code units, max 2200)', () => {
  it('counts an emoji outside the BMP as two units and a ZWJ family as eleven', () => {
    expect(countCaptionUnits('👍')).toBe(2);
    expect(countCaptionUnits('👨‍👩‍👧‍👦')).toBe(11);
    expect(countCaptionUnits('🏴󠁧󠁢󠁳󠁣󠁴󠁿')).toBe(14);
  });

  it('counts combining marks separately, so a decomposed é is two units and a precomposed one is one', () => {
    expect(countCaptionUnits('e\u0301')).toBe(2);
    expect(countCaptionUnits('\u00e9')).toBe(1);
  });

  it('accepts exactly 2200 units and refuses 2201, with the overshoot in words', () => {
    const at = `${'a'.repeat(2198)}👍`;
    expect(validateTikTokPost(draft({ caption: at })).errors).toEqual([]);
    const over = validateTikTokPost(draft({ caption: `${'a'.repeat(2199)}👍` }));
    expect(over.errors).toEqual([
      {
        field: 'caption',
        code: 'tiktok.caption-too-long',
        message: 'The caption is 2,201 characters long as TikTok counts them; the limit is 2,200. Shorten it by 1 character. Emoji and some accented letters count as two or more.',
        params: { used: 2201, limit: 2200, count: 1 },
      },
    ]);
  });

  it('puts a caption that looks short over the limit when it is full of combining marks', () => {
    // 1100 letters with one combining accent each: 1100 visible characters, 2200 units.
    const accented = 'a\u0301'.repeat(1100);
    expect(validateTikTokPost(draft({ caption: accented })).errors).toEqual([]);
    expect(codes(validateTikTokPost(draft({ caption: `${accented}!` })).errors)).toEqual(['tiktok.caption-too-long']);
  });

  it('has a 2200-unit caption of emoji only pass and one more emoji fail', () => {
    expect(validateTikTokPost(draft({ caption: '😀'.repeat(1100) })).errors).toEqual([]);
    expect(codes(validateTikTokPost(draft({ caption: '😀'.repeat(1101) })).errors)).toEqual(['tiktok.caption-too-long']);
  });
});

describe('TikTok hashtags and mentions', () => {
  it('finds hashtags and mentions, in order, including non-Latin tags', () => {
    const caption = 'Open day! #library #Büchereien #図書館 with @city.council and @lib_team. email me@example.org, not#atag';
    expect(extractHashtags(caption)).toEqual(['library', 'Büchereien', '図書館']);
    expect(extractMentions(caption)).toEqual(['city.council', 'lib_team']);
  });
});

describe('validateTikTokPost: privacy and interactions', () => {
  it('has no default privacy: a missing one is an error', () => {
    const result = validateTikTokPost(draft({ privacyLevel: null }));
    expect(codes(result.errors)).toEqual(['tiktok.privacy-missing']);
    expect(result.errors[0]!.message).toMatch(/Choose who can see this post/);
  });

  it('refuses a privacy level the account does not offer, naming the ones it does', () => {
    const result = validateTikTokPost(draft({ privacyLevel: 'FOLLOWER_OF_CREATOR' }), creator());
    expect(result.errors[0]!.message).toBe('This TikTok account does not offer "Followers". Choose one of: "Everyone", "Friends (followers you follow back)", "Only the account owner".');
  });

  it('explains the unaudited-app restriction in plain words', () => {
    const result = validateTikTokPost(draft(), creator(), { clientAudited: false });
    expect(codes(result.errors)).toEqual(['tiktok.unaudited-private-only']);
    expect(result.errors[0]!.message).toMatch(/only be seen by the account owner/);
    expect(codes(result.warnings)).toEqual(['tiktok.unaudited-account-private']);
    expect(validateTikTokPost(draft({ privacyLevel: 'SELF_ONLY' }), creator(), { clientAudited: false }).errors).toEqual([]);
  });

  it('refuses comments, duets or stitches the account has turned off', () => {
    const result = validateTikTokPost(draft({ allowComments: true, allowDuet: true, allowStitch: false }), creator({ comment_disabled: true, duet_disabled: true, stitch_disabled: true }));
    expect(result.errors.map((e) => e.field)).toEqual(['allowComments', 'allowDuet']);
  });
});

describe('validateTikTokPost: commercial content and AI label', () => {
  it('asks which kind of promotion once the disclosure is on', () => {
    const result = validateTikTokPost(draft({ commercialContent: { disclosed: true, yourBrand: false, brandedContent: false } }));
    expect(codes(result.errors)).toEqual(['tiktok.commercial-kind-missing']);
  });

  it('refuses branded content that only the account owner could see', () => {
    const result = validateTikTokPost(draft({ privacyLevel: 'SELF_ONLY', commercialContent: { disclosed: true, yourBrand: false, brandedContent: true } }));
    expect(codes(result.errors)).toEqual(['tiktok.branded-content-private']);
  });

  it('lists the declarations staff must see before consenting', () => {
    expect(tiktokDeclarations(draft())).toEqual([
      "By posting, you agree to TikTok's Music Usage Confirmation.",
      'After you publish, it may take a few minutes for the video to process and appear on the profile.',
    ]);
    const branded = tiktokDeclarations(draft({ aiGenerated: true, commercialContent: { disclosed: true, yourBrand: true, brandedContent: true } }));
    expect(branded).toContain('Your video will be labeled as "Paid partnership".');
    expect(branded).toContain('Your video will be labeled "Creator labeled as AI-generated".');
    expect(branded).toContain("By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation.");
    expect(tiktokDeclarations(draft({ commercialContent: { disclosed: true, yourBrand: true, brandedContent: false } }))).toContain(
      'Your video will be labeled as "Promotional content".',
    );
    expect(tiktokDeclarations(draft({ mode: 'inbox' }))[0]).toMatch(/open the notification in the TikTok app/);
  });
});

describe('validateTikTokPost: the video', () => {
  it('accepts a typical vertical H.264 MP4', () => {
    expect(validateTikTokPost(draft(), creator())).toEqual({ errors: [], warnings: [] });
  });

  it('checks duration against the account limit, and against 10 minutes without one', () => {
    expect(codes(validateTikTokPost(draft({ video: { ...video, durationSec: 181 } }), creator()).errors)).toEqual(['tiktok.video-too-long']);
    expect(validateTikTokPost(draft({ video: { ...video, durationSec: 181 } }), creator()).errors[0]!.message).toBe(
      'The video is 3 minutes 1 second long; this TikTok account accepts at most 3 minutes.',
    );
    const noCreator = validateTikTokPost(draft({ video: { ...video, durationSec: 400 } }));
    expect(noCreator.errors).toEqual([]);
    expect(codes(noCreator.warnings)).toEqual(['tiktok.video-long-for-some']);
    expect(codes(validateTikTokPost(draft({ video: { ...video, durationSec: 601 } })).errors)).toEqual(['tiktok.video-too-long']);
    expect(codes(validateTikTokPost(draft({ video: { ...video, durationSec: 700 } }), creator({ max_video_post_duration_sec: 900 })).errors)).toEqual(['tiktok.video-too-long']);
  });

  it('checks format, codec, frame rate, resolution, size and cover frame', () => {
    const bad = validateTikTokPost(
      draft({ video: { sizeBytes: 4_000_000_001, durationSec: 10, width: 320, height: 5000, frameRate: 15, container: 'avi', videoCodec: 'mpeg2' }, coverTimestampMs: 20_000 }),
    );
    expect(codes(bad.errors)).toEqual(['tiktok.video-format', 'tiktok.video-codec', 'tiktok.video-too-large', 'tiktok.video-frame-rate', 'tiktok.video-resolution', 'tiktok.cover-outside-video']);
    const ok = validateTikTokPost(draft({ video: { ...video, container: 'webm', videoCodec: 'vp9', frameRate: 23.976, width: 360, height: 4096 } }));
    expect(ok.errors).toEqual([]);
    expect(codes(ok.warnings)).toEqual(['tiktok.video-format-not-recommended', 'tiktok.video-codec-not-recommended']);
  });

  it('skips caption and privacy for an inbox draft but says someone must finish it in the app', () => {
    const result = validateTikTokPost(draft({ mode: 'inbox', privacyLevel: null, caption: 'x'.repeat(3000) }));
    expect(result.errors).toEqual([]);
    expect(codes(result.warnings)).toEqual(['tiktok.inbox-finish-in-app']);
  });
});

describe('toTikTokPostInfo', () => {
  it('starts interactions unchecked and lets the account settings win', () => {
    expect(toTikTokPostInfo(draft())).toEqual({
      title: draft().caption,
      privacy_level: 'PUBLIC_TO_EVERYONE',
      disable_comment: true,
      disable_duet: true,
      disable_stitch: true,
      brand_content_toggle: false,
      brand_organic_toggle: false,
      is_aigc: false,
    });
    const info = toTikTokPostInfo(draft({ allowComments: true, allowDuet: true, aiGenerated: true, coverTimestampMs: 1500.4 }), creator({ duet_disabled: true }));
    expect(info).toMatchObject({ disable_comment: false, disable_duet: true, is_aigc: true, video_cover_timestamp_ms: 1500 });
  });

  it('maps "Your brand" and "Branded content" to the two toggles', () => {
    expect(toTikTokPostInfo(draft({ commercialContent: { disclosed: true, yourBrand: true, brandedContent: true } }))).toMatchObject({ brand_organic_toggle: true, brand_content_toggle: true });
    expect(toTikTokPostInfo(draft({ commercialContent: { disclosed: false, yourBrand: true, brandedContent: true } }))).toMatchObject({ brand_organic_toggle: false, brand_content_toggle: false });
  });

  it('refuses to build a Direct Post without a privacy level chosen', () => {
    expect(() => toTikTokPostInfo(draft({ privacyLevel: null }))).toThrow(/privacy/);
  });
});

describe('validateTikTokPhotoPost', () => {
  it('checks title (90), description (4000), count (35), format, 1080p and 20 MB', () => {
    const image = { format: 'jpeg', width: 1080, height: 1350, sizeBytes: 2_000_000 };
    expect(validateTikTokPhotoPost({ title: 't'.repeat(90), description: 'd'.repeat(4000), images: [image] }).errors).toEqual([]);
    const bad = validateTikTokPhotoPost({
      title: 't'.repeat(91),
      description: 'd'.repeat(4001),
      images: [{ format: 'png', width: 1080, height: 1080, sizeBytes: 1 }, { format: 'webp', width: 2000, height: 1000, sizeBytes: 21_000_000 }],
    });
    expect(codes(bad.errors)).toEqual(['tiktok.photo-title-too-long', 'tiktok.photo-description-too-long', 'tiktok.photo-format', 'tiktok.photo-resolution', 'tiktok.photo-too-large']);
    expect(codes(validateTikTokPhotoPost({ title: '', description: '', images: Array(36).fill(image) }).errors)).toEqual(['tiktok.photo-count']);
  });
});

describe('TikTok codes in plain language', () => {
  it('explains every documented error code and fail reason, and has a safe fallback', () => {
    for (const code of [...TIKTOK_ERROR_CODES.filter((c) => c !== 'ok'), ...TIKTOK_FAIL_REASONS]) {
      const explained = explainTikTokCode(code);
      expect(explained.message, code).not.toMatch(/does not recognise/);
    }
    expect(explainTikTokCode('rate_limit_exceeded').next).toBe('retry');
    expect(explainTikTokCode('spam_risk_too_many_posts').next).toBe('later');
    expect(explainTikTokCode('access_token_invalid').next).toBe('reconnect');
    expect(explainTikTokCode('toString')).toMatchObject({ next: 'fix', message: expect.stringMatching(/does not recognise/) });
  });

  it('computes TikTok\'s hex PKCE challenge, not base64url', () => {
    expect(tiktokCodeChallenge('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
