// X's post rules (platform-apis.md §2): 280 weighted characters (twitter-text v3), up to 4
// images or one video.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { xWeightedLength } from '../text-measure.ts';

export function checkX(facts: PostFacts) {
  const used = xWeightedLength(facts.caption);
  const errors: RuleIssue[] = [];
  if (used > 280) errors.push({ field: 'caption', code: 'x.too-long', message: `X allows 280 characters; this caption counts as ${used} (some characters and links count double or more).` });
  const videos = facts.media.filter((m) => m.kind === 'video').length;
  if (facts.media.length > 4) errors.push({ field: 'media', code: 'x.too-many', message: 'X allows up to 4 photos in a post.' });
  if (videos > 0 && facts.media.length > 1) errors.push({ field: 'media', code: 'x.one-video', message: 'A post on X can have one video, without photos.' });
  return { counters: [{ label: 'characters', used, limit: 280 }], errors, warnings: [] };
}
