// Ways platforms count caption length: graphemes (Bluesky), code points with URLs at a fixed
// weight (Mastodon), twitter-text's weighted characters (X), UTF-16 units (TikTok).

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const URL_PATTERN = /\bhttps?:\/\/[^\s]+/giu;

export function graphemeCount(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

/** Mastodon: code points, with every URL counted as `urlWeight` (23) characters. */
export function mastodonLength(text: string, urlWeight = 23): number {
  let n = 0;
  const withoutUrls = text.replace(URL_PATTERN, () => {
    n += urlWeight;
    return '';
  });
  return n + Array.from(withoutUrls).length;
}

// twitter-text v3: these code point ranges weigh 1, everything else 2; URLs weigh 23; an emoji
// sequence weighs 2 however many code points it has.
const LIGHT_RANGES: ReadonlyArray<[number, number]> = [
  [0, 4351],
  [8192, 8205],
  [8208, 8223],
  [8242, 8247],
];
const EMOJI = /\p{Extended_Pictographic}/u;

export function xWeightedLength(text: string): number {
  let weight = 0;
  const withoutUrls = text.replace(URL_PATTERN, () => {
    weight += 23;
    return '';
  });
  for (const { segment } of segmenter.segment(withoutUrls)) {
    if (EMOJI.test(segment)) {
      weight += 2;
      continue;
    }
    for (const ch of segment) {
      const cp = ch.codePointAt(0)!;
      weight += LIGHT_RANGES.some(([a, b]) => cp >= a && cp <= b) ? 1 : 2;
    }
  }
  return weight;
}
