// X's post rules (platform-apis.md §2): 280 weighted characters (twitter-text v3), up to 4
// images or one video.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { xWeightedLength } from '../text-measure.ts';

const MAX_CHARS = 280;
const MAX_ITEMS = 4;

export const X_RULE_CODES = ['x.too-long', 'x.too-many', 'x.one-video'] as const;

export function checkX(facts: PostFacts) {
  const used = xWeightedLength(facts.caption);
  const errors: RuleIssue[] = [];
  if (used > MAX_CHARS) errors.push({ field: 'caption', code: 'x.too-long', message: `X allows ${MAX_CHARS} characters; this caption counts as ${used} (some characters and links count double or more).`, params: { limit: MAX_CHARS, used } });
  const videos = facts.media.filter((m) => m.kind === 'video').length;
  if (facts.media.length > MAX_ITEMS) errors.push({ field: 'media', code: 'x.too-many', message: `X allows up to ${MAX_ITEMS} photos in a post.`, params: { limit: MAX_ITEMS } });
  if (videos > 0 && facts.media.length > 1) errors.push({ field: 'media', code: 'x.one-video', message: 'A post on X can have one video, without photos.' });
  return { counters: [{ label: 'characters', used, limit: MAX_CHARS }], errors, warnings: [] };
}
