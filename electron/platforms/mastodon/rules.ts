// Mastodon's status rules (platform-apis.md §4.4): 500 characters with every URL counted as
// 23, up to 4 images or one video, descriptions up to 1500 characters.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { mastodonLength } from '../text-measure.ts';

const MAX_CHARS = 500;
const URL_CHARS = 23;
const MAX_ITEMS = 4;
const MAX_DESCRIPTION = 1500;

export const MASTODON_RULE_CODES = ['mastodon.too-long', 'mastodon.too-many', 'mastodon.one-video', 'mastodon.alt-too-long', 'mastodon.alt-missing'] as const;

export function checkMastodon(facts: PostFacts) {
  const used = mastodonLength(facts.caption);
  const errors: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  if (used > MAX_CHARS) errors.push({ field: 'caption', code: 'mastodon.too-long', message: `Mastodon allows ${MAX_CHARS} characters; this caption has ${used} (links count as ${URL_CHARS}).`, params: { limit: MAX_CHARS, used, linkChars: URL_CHARS } });
  const videos = facts.media.filter((m) => m.kind === 'video').length;
  if (facts.media.length > MAX_ITEMS) errors.push({ field: 'media', code: 'mastodon.too-many', message: `Mastodon allows up to ${MAX_ITEMS} photos in a post.`, params: { limit: MAX_ITEMS } });
  if (videos > 0 && facts.media.length > 1) errors.push({ field: 'media', code: 'mastodon.one-video', message: 'A Mastodon post can have one video, without photos.' });
  facts.media.forEach((m, i) => {
    if ((m.altText ?? '').length > MAX_DESCRIPTION) errors.push({ field: `media.${i}.altText`, code: 'mastodon.alt-too-long', message: `Mastodon descriptions are limited to ${MAX_DESCRIPTION} characters.`, params: { limit: MAX_DESCRIPTION } });
    if (!m.altText?.trim()) warnings.push({ field: `media.${i}.altText`, code: 'mastodon.alt-missing', message: `Item ${i + 1} has no description (alt text).`, params: { n: i + 1 } });
  });
  return { counters: [{ label: 'characters', used, limit: MAX_CHARS }], errors, warnings };
}
