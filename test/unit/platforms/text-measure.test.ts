import { describe, expect, it } from 'vitest';
import { graphemeCount, mastodonLength, xWeightedLength } from '../../../electron/platforms/text-measure.ts';

describe('how platforms count caption length', () => {
  it('Bluesky counts graphemes: a family emoji or a flag is one', () => {
    expect(graphemeCount('👨‍👩‍👧')).toBe(1);
    expect(graphemeCount('🇪🇪 Tere')).toBe(6);
    expect(graphemeCount('Pärnu')).toBe(5);
  });

  it('Mastodon counts every link as 23 characters', () => {
    expect(mastodonLength('See https://example.org/a/very/long/path/that/goes/on?and=on')).toBe(4 + 23);
    expect(mastodonLength('Tere 👋')).toBe(6);
  });

  it('X weighs CJK characters double, emoji sequences as two and links as 23', () => {
    expect(xWeightedLength('hello')).toBe(5);
    expect(xWeightedLength('日本')).toBe(4);
    expect(xWeightedLength('👨‍👩‍👧')).toBe(2);
    expect(xWeightedLength('go https://example.org/x')).toBe(3 + 23);
    expect(xWeightedLength('é')).toBe(1);
  });
});
