// The Bluesky post builder without a network: record keys that are valid TIDs and the same for
// every attempt of a job, facets in UTF-8 bytes, mention resolution, languages, and the checks
// that refuse a post before any upload.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PublishMedia, PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { BlueskyPublishError } from '../../../../electron/platforms/bluesky/bluesky-errors.ts';
import {
  TID_PATTERN,
  detectFacets,
  embedFor,
  languagesOf,
  postRecord,
  postUrl,
  preflight,
  recordKeyFor,
  resolveMentions,
} from '../../../../electron/platforms/bluesky/bluesky-post.ts';

const S32 = '234567abcdefghijklmnopqrstuvwxyz';
function tidMicros(tid: string): number {
  let n = 0n;
  for (const c of tid.slice(0, 11)) n = n * 32n + BigInt(S32.indexOf(c));
  return Number(n / 1000n);
}

function bytesOf(text: string, index: { byteStart: number; byteEnd: number }): string {
  return Buffer.from(text, 'utf8').subarray(index.byteStart, index.byteEnd).toString('utf8');
}

const image = (overrides: Partial<PublishMedia> = {}): PublishMedia => ({
  kind: 'image',
  path: '/library/clean/a.jpg',
  bytes: 120_000,
  format: 'jpeg',
  contentType: 'image/jpeg',
  cleanSha256: 'ab'.repeat(32),
  altText: 'The council chamber',
  width: 1200,
  height: 800,
  durationMs: null,
  ...overrides,
});

const mp4 = (overrides: Partial<PublishMedia> = {}): PublishMedia =>
  image({ kind: 'video', path: '/library/clean/v.mp4', format: 'mp4', contentType: 'video/mp4', bytes: 5_000_000, altText: null, width: 1920, height: 1080, durationMs: 30_000, ...overrides });

const req = (caption: string, media: PublishMedia[] = [], options: Record<string, unknown> = {}): PublishRequest => ({ postId: 'p1', idempotencyKey: 'k1', caption, options, media });

function refusal(run: () => void): BlueskyPublishError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(BlueskyPublishError);
    return err as BlueskyPublishError;
  }
  throw new Error('expected a refusal');
}

describe('recordKeyFor', () => {
  it('gives every idempotency key one valid TID, the same on every call', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (key) => {
        const tid = recordKeyFor(key);
        expect(tid).toMatch(TID_PATTERN);
        expect(recordKeyFor(key)).toBe(tid);
      }),
    );
  });

  it('puts the timestamp in 2024, never in the future, and spreads different jobs apart', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `post-${i}:did:plc:abc`);
    const tids = keys.map(recordKeyFor);
    expect(new Set(tids).size).toBe(keys.length);
    for (const tid of tids) {
      const at = tidMicros(tid);
      expect(at).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 1));
      expect(at).toBeLessThan(Date.UTC(2025, 0, 1));
    }
  });

  it('never produces a key the reference PDS would refuse as a slur', () => {
    for (let i = 0; i < 5000; i++) expect(recordKeyFor(`job-${i}`)).not.toMatch(/n[i1loa4][gq]{2}/);
  });

  it('refuses an empty key rather than sharing one record between jobs', () => {
    expect(() => recordKeyFor('')).toThrow(TypeError);
  });
});

describe('facets', () => {
  it('measures links, tags and mentions in UTF-8 bytes after emoji and diacritics', () => {
    const text = 'Grüße 👩🏽‍⚖️ @bob.test: #Haushalt2026! Mehr auf https://example.org/a?b=1.';
    const { facets, mentions } = detectFacets(text);
    expect(facets.map((f) => [bytesOf(text, f.index), f.features[0]])).toEqual([
      ['#Haushalt2026', { $type: 'app.bsky.richtext.facet#tag', tag: 'Haushalt2026' }],
      ['https://example.org/a?b=1', { $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/a?b=1' }],
    ]);
    expect(mentions.map((f) => [bytesOf(text, f.index), f.features[0]])).toEqual([['@bob.test', { $type: 'app.bsky.richtext.facet#mention', did: 'bob.test' }]]);
    const tag = facets[0]!.index;
    expect(tag.byteStart).toBe(Buffer.byteLength(text.slice(0, text.indexOf('#'))));
  });

  it('resolves each handle once, keeps resolved mentions, and leaves unknown ones as plain text', async () => {
    const text = '@Bob.test and @ghost.test and @bob.test again';
    const asked: string[] = [];
    const facets = await resolveMentions(detectFacets(text), async (handle) => {
      asked.push(handle);
      return handle === 'bob.test' ? 'did:plc:bob' : null;
    });
    expect(asked).toEqual(['bob.test', 'ghost.test']);
    expect(facets.map((f) => [bytesOf(text, f.index), f.features])).toEqual([
      ['@Bob.test', [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:bob' }]],
      ['@bob.test', [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:bob' }]],
    ]);
  });

  it('finds nothing in plain text', () => {
    expect(detectFacets('Heute keine Links, nur Text.')).toEqual({ facets: [], mentions: [] });
  });
});

describe('languages', () => {
  it('takes one tag or up to three', () => {
    expect(languagesOf({})).toEqual([]);
    expect(languagesOf({ language: 'de' })).toEqual(['de']);
    expect(languagesOf({ language: ['de-AT', 'en', 'de-AT'] })).toEqual(['de-AT', 'en']);
  });

  it('refuses what the lexicon would refuse', () => {
    expect(refusal(() => languagesOf({ language: 'xx-!!' })).code).toBe('publish.bluesky.language');
    expect(refusal(() => languagesOf({ language: ['de', 'en', 'fr', 'it'] })).code).toBe('publish.bluesky.language');
    expect(refusal(() => languagesOf({ language: 42 })).code).toBe('publish.bluesky.language');
  });
});

describe('preflight', () => {
  it('passes a normal post', () => {
    expect(() => preflight(req('Hallo', [image(), image()], { language: 'de' }))).not.toThrow();
    expect(() => preflight(req('', [mp4()]))).not.toThrow();
  });

  it('leaves the text length to the server, whose grapheme count is the authority', () => {
    expect(() => preflight(req('a'.repeat(301)))).not.toThrow();
  });

  it.each([
    ['a photo without alt text', req('x', [image({ altText: ' ' })]), 'publish.bluesky.alt-missing'],
    ['five photos', req('x', Array.from({ length: 5 }, () => image())), 'publish.bluesky.too-many-images'],
    ['a video with a photo', req('x', [mp4(), image()]), 'publish.bluesky.one-video'],
    ['a QuickTime video', req('x', [mp4({ contentType: 'video/quicktime', format: 'quicktime' })]), 'publish.bluesky.media-type'],
    ['a photo that is not an image type', req('x', [image({ contentType: 'application/pdf' })]), 'publish.bluesky.media-type'],
    ['a photo over 2 MB', req('x', [image({ bytes: 2_000_001 })]), 'publish.bluesky.media-too-large'],
    ['a video over 300 MB', req('x', [mp4({ bytes: 300_000_001 })]), 'publish.bluesky.media-too-large'],
    ['nothing at all', req('  '), 'publish.bluesky.empty'],
    ['a bad language', req('x', [], { language: 'nope nope' }), 'publish.bluesky.language'],
  ])('refuses %s', (_name, request, code) => {
    const err = refusal(() => preflight(request));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(/Nothing was published\.$|Nothing was published\. /);
    expect(err.retryable).toBe(false);
  });
});

describe('the record', () => {
  const blob = (n: number) => ({ $type: 'blob' as const, ref: { $link: `bafkrei${n}` }, mimeType: 'image/jpeg', size: 100 });

  it('embeds photos in order with alt text and aspect ratio', () => {
    expect(embedFor([image(), image({ width: null })], [blob(1), blob(2)])).toEqual({
      $type: 'app.bsky.embed.images',
      images: [
        { image: blob(1), alt: 'The council chamber', aspectRatio: { width: 1200, height: 800 } },
        { image: blob(2), alt: 'The council chamber' },
      ],
    });
  });

  it('embeds a video, with alt text only when there is some', () => {
    expect(embedFor([mp4()], [blob(3)])).toEqual({ $type: 'app.bsky.embed.video', video: blob(3), aspectRatio: { width: 1920, height: 1080 } });
    expect(embedFor([mp4({ altText: 'Rede' })], [blob(3)])).toMatchObject({ alt: 'Rede' });
    expect(embedFor([], [])).toBeUndefined();
  });

  it('leaves out empty optional fields', () => {
    expect(postRecord({ text: 'hi', createdAt: '2026-11-20T09:00:00.000Z', facets: [], langs: [], embed: undefined })).toEqual({
      $type: 'app.bsky.feed.post',
      text: 'hi',
      createdAt: '2026-11-20T09:00:00.000Z',
    });
  });

  it('links to the post by handle, or by DID when the handle is invalid', () => {
    expect(postUrl('rathaus.example.org', 'did:plc:abc', '3kabc')).toBe('https://bsky.app/profile/rathaus.example.org/post/3kabc');
    expect(postUrl('handle.invalid', 'did:plc:abc', '3kabc')).toBe('https://bsky.app/profile/did:plc:abc/post/3kabc');
  });
});
