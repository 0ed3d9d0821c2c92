// How the simulated server reads a status's text: its length as Mastodon's StatusLengthValidator
// counts it (grapheme clusters, a fixed weight per link, remote mentions as their local part),
// and the HTML `content` it answers with. Kept apart from Airlock's own counting on purpose, so
// tests can catch the two disagreeing.

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * A link Mastodon recognises: a scheme, a host with a dot and a top-level label of two or more
 * letters, then a path. Trailing punctuation is not part of the link. [U] An approximation of
 * twitter-text's `valid_url`, which Mastodon's Extractor uses.
 */
const URL_RE = /https?:\/\/(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}(?::\d{1,5})?(?:[/?#][^\s<>"]*)?/giu;
const TRAILING = /[.,;:!?)\]}'"]+$/u;
/** `@user@example.org` counts as `@user` (StatusLengthValidator#countable_text). */
const REMOTE_MENTION = /(^|[^\p{L}\p{N}_/])@([a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)@[\p{L}\p{N}.-]*[\p{L}\p{N}]/giu;
const HASHTAG = /(^|[^\p{L}\p{N}_/&#])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu;

function graphemes(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

interface LinkSpan {
  start: number;
  end: number;
}

function links(text: string): LinkSpan[] {
  const spans: LinkSpan[] = [];
  for (const m of text.matchAll(URL_RE)) {
    const trimmed = m[0].replace(TRAILING, '');
    spans.push({ start: m.index, end: m.index + trimmed.length });
  }
  return spans;
}

/** The length Mastodon checks against `max_characters`: text and content warning together. */
export function statusLength(text: string, spoilerText: string, charactersPerUrl: number): number {
  const countable = (s: string) => {
    let out = '';
    let at = 0;
    for (const span of links(s)) {
      out += s.slice(at, span.start) + 'x'.repeat(charactersPerUrl);
      at = span.end;
    }
    out += s.slice(at);
    return out.replace(REMOTE_MENTION, (_all, before: string, user: string) => `${before}@${user}`);
  };
  return graphemes(countable(text)) + graphemes(countable(spoilerText));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function linkHtml(url: string): string {
  const href = escapeHtml(url);
  const bare = url.replace(/^https?:\/\//, '');
  const shown = bare.length > 30 ? `<span class="ellipsis">${escapeHtml(bare.slice(0, 30))}</span><span class="invisible">${escapeHtml(bare.slice(30))}</span>` : `<span class="">${escapeHtml(bare)}</span>`;
  return `<a href="${href}" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">${escapeHtml(url.slice(0, url.length - bare.length))}</span>${shown}</a>`;
}

function inlineHtml(text: string, origin: string): string {
  let out = '';
  let at = 0;
  const withTags = (s: string) =>
    escapeHtml(s).replace(HASHTAG, (_all, before: string, tag: string) => `${before}<a href="${origin}/tags/${encodeURIComponent(tag.toLowerCase())}" class="mention hashtag" rel="tag">#<span>${tag}</span></a>`);
  for (const span of links(text)) {
    out += withTags(text.slice(at, span.start)) + linkHtml(text.slice(span.start, span.end));
    at = span.end;
  }
  return out + withTags(text.slice(at));
}

/** Plain text as Mastodon's TextFormatter renders it: paragraphs, line breaks, links, hashtags. */
export function statusHtml(text: string, origin: string): string {
  const paragraphs = text.replace(/\r\n?/g, '\n').trim().split(/\n{2,}/).filter((p) => p !== '');
  return paragraphs.map((p) => `<p>${p.split('\n').map((line) => inlineHtml(line, origin)).join('<br />')}</p>`).join('');
}
