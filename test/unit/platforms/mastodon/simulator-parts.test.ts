// The simulator's pieces on their own: Mastodon's way of counting a status, its HTML, what an
// upload's first bytes say, and the fixed rate-limit windows with their headers.
import { describe, expect, it } from 'vitest';
import { FixedWindows, rateLimitHeaders } from '../../../../electron/platforms/mastodon/simulator-limits.ts';
import { contentMatches, imageSize, mediaTypeFor, sniffContentType } from '../../../../electron/platforms/mastodon/simulator-media.ts';
import { statusHtml, statusLength } from '../../../../electron/platforms/mastodon/simulator-text.ts';

describe('simulated status length (StatusLengthValidator)', () => {
  it('counts grapheme clusters, a link as 23 without its trailing punctuation, and the content warning', () => {
    expect(statusLength('abc', '', 23)).toBe(3);
    expect(statusLength('👩‍👩‍👧 🇬🇧', '', 23)).toBe(3);
    expect(statusLength('see https://example.org/a/very/long/path/indeed?x=1', '', 23)).toBe(4 + 23);
    expect(statusLength('(https://example.org/x).', '', 23)).toBe(1 + 23 + 2);
    expect(statusLength('hi', 'CW', 23)).toBe(4);
  });

  it('does not take a scheme without a real host name for a link', () => {
    expect(statusLength('https://localhost', '', 23)).toBe('https://localhost'.length);
  });

  it('counts a remote mention as its local part', () => {
    expect(statusLength('@alice@social.example.org hi', '', 23)).toBe('@alice hi'.length);
  });
});

describe('simulated status HTML', () => {
  it('makes paragraphs and line breaks, escapes markup, links URLs and hashtags', () => {
    const html = statusHtml('One <b>&\nTwo #Library\n\nhttps://example.org/x', 'http://127.0.0.1:1');
    expect(html).toMatch(/^<p>One &lt;b&gt;&amp;<br \/>Two <a href="http:\/\/127\.0\.0\.1:1\/tags\/library" class="mention hashtag" rel="tag">#<span>Library<\/span><\/a><\/p><p><a href="https:\/\/example\.org\/x"/);
  });
});

describe('simulated media sniffing', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), Buffer.from([0, 0, 4, 0xb0, 0, 0, 3, 0x20])]);
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x03, 0x20, 0x04, 0xb0, 0x03, 0x01, 0x22, 0x00]);
  const mp4 = Buffer.from([0, 0, 0, 24, ...Buffer.from('ftypisom'), 0, 0, 2, 0]);

  it('recognises images and videos by their magic bytes', () => {
    expect(sniffContentType(png)).toBe('image/png');
    expect(sniffContentType(jpeg)).toBe('image/jpeg');
    expect(sniffContentType(Buffer.from('GIF89a\x10\x00\x20\x00'))).toBe('image/gif');
    expect(sniffContentType(mp4)).toBe('video/mp4');
    expect(sniffContentType(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))).toBe('video/webm');
    expect(sniffContentType(Buffer.from('%PDF-1.7'))).toBeNull();
  });

  it('accepts containers for the types they carry, and nothing else', () => {
    expect(contentMatches('video/mp4', mp4)).toBe(true);
    expect(contentMatches('video/quicktime', mp4)).toBe(true);
    expect(contentMatches('image/jpeg', png)).toBe(false);
    expect(contentMatches('video/mp4', png)).toBe(false);
  });

  it('reads an image\'s size from its header', () => {
    expect(imageSize(png)).toEqual({ width: 1200, height: 800 });
    expect(imageSize(jpeg)).toEqual({ width: 1200, height: 800 });
    expect(imageSize(Buffer.from('GIF89a\x10\x00\x20\x00', 'latin1'))).toEqual({ width: 16, height: 32 });
    expect(imageSize(mp4)).toBeNull();
  });

  it('maps content types to MediaAttachment types, GIFs becoming gifv', () => {
    expect(['image/png', 'image/gif', 'video/mp4', 'audio/mpeg', 'text/plain'].map(mediaTypeFor)).toEqual(['image', 'gifv', 'video', 'audio', 'unknown']);
  });
});

describe('simulated rate-limit windows', () => {
  it('counts in windows aligned to the period, does not count refusals, and resets at the boundary', () => {
    const w = new FixedWindows();
    const t0 = Date.UTC(2026, 0, 1, 10, 2, 30);
    expect([1, 2, 3].map(() => w.hit('k', 2, 300_000, t0).allowed)).toEqual([true, true, false]);
    const refused = w.hit('k', 2, 300_000, t0 + 1000);
    expect(refused).toEqual({ limit: 2, remaining: 0, resetAt: Date.UTC(2026, 0, 1, 10, 5, 0), allowed: false });
    expect(w.hit('k', 2, 300_000, Date.UTC(2026, 0, 1, 10, 5, 0)).remaining).toBe(1);
    expect(w.peek('other', 2, 300_000, t0).remaining).toBe(2);
  });

  it('sends Mastodon\'s X-RateLimit-* headers with the reset as ISO 8601', () => {
    expect(rateLimitHeaders({ limit: 300, remaining: 12, resetAt: Date.UTC(2026, 0, 1, 10, 5, 0), allowed: true })).toEqual({
      'X-RateLimit-Limit': '300',
      'X-RateLimit-Remaining': '12',
      'X-RateLimit-Reset': '2026-01-01T10:05:00.000Z',
    });
  });
});
