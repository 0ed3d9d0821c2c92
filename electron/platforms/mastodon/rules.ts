// Mastodon's status rules (platform-apis.md §4.4): 500 characters with every URL counted as
// 23, up to 4 images or one video, descriptions up to 1500 characters.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { mastodonLength } from '../text-measure.ts';

export function checkMastodon(facts: PostFacts) {
  const used = mastodonLength(facts.caption);
  const errors: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  if (used > 500) errors.push({ field: 'caption', code: 'mastodon.too-long', message: `Mastodon allows 500 characters; this caption has ${used} (links count as 23).` });
  const videos = facts.media.filter((m) => m.kind === 'video').length;
  if (facts.media.length > 4) errors.push({ field: 'media', code: 'mastodon.too-many', message: 'Mastodon allows up to 4 photos in a post.' });
  if (videos > 0 && facts.media.length > 1) errors.push({ field: 'media', code: 'mastodon.one-video', message: 'A Mastodon post can have one video, without photos.' });
  facts.media.forEach((m, i) => {
    if ((m.altText ?? '').length > 1500) errors.push({ field: `media.${i}.altText`, code: 'mastodon.alt-too-long', message: 'Mastodon descriptions are limited to 1500 characters.' });
    if (!m.altText?.trim()) warnings.push({ field: `media.${i}.altText`, code: 'mastodon.alt-missing', message: `Item ${i + 1} has no description (alt text).` });
  });
  return { counters: [{ label: 'characters', used, limit: 500 }], errors, warnings };
}
