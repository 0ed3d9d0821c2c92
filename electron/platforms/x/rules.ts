// X's post rules (platform-apis.md §2): 280 weighted characters (twitter-text v3), up to 4
// images or one video, and a description (alt text) of up to 1000 characters for each photo or
// GIF. X's media metadata is for images and GIFs only, so a video's description is not sent.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { xWeightedLength } from '../text-measure.ts';
import { X_LIMITS, xAltTextLength } from './protocol.ts';

const MAX_CHARS = 280;
const MAX_ITEMS = 4;

export const X_RULE_CODES = ['x.too-long', 'x.too-many', 'x.one-video', 'x.alt-too-long', 'x.alt-video-not-sent'] as const;

export function checkX(facts: PostFacts) {
  const used = xWeightedLength(facts.caption);
  const errors: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  if (used > MAX_CHARS) errors.push({ field: 'caption', code: 'x.too-long', message: `X allows ${MAX_CHARS} characters; this caption counts as ${used} (some characters and links count double or more).`, params: { limit: MAX_CHARS, used } });
  const videos = facts.media.filter((m) => m.kind === 'video').length;
  if (facts.media.length > MAX_ITEMS) errors.push({ field: 'media', code: 'x.too-many', message: `X allows up to ${MAX_ITEMS} photos in a post.`, params: { limit: MAX_ITEMS } });
  if (videos > 0 && facts.media.length > 1) errors.push({ field: 'media', code: 'x.one-video', message: 'A post on X can have one video, without photos.' });
  facts.media.forEach((m, i) => {
    const alt = m.altText?.trim() ?? '';
    if (alt === '') return;
    const field = `media.${i}.altText`;
    if (m.kind === 'video') {
      warnings.push({ field, code: 'x.alt-video-not-sent', message: 'X shows descriptions for photos and GIFs only, so this video goes to X without its description.' });
      return;
    }
    const length = xAltTextLength(alt);
    const limit = X_LIMITS.altTextMaxChars;
    if (length > limit) errors.push({ field, code: 'x.alt-too-long', message: `The description of photo ${i + 1} is ${length} characters; X allows ${limit}.`, params: { n: i + 1, used: length, limit } });
  });
  return { counters: [{ label: 'characters', used, limit: MAX_CHARS }], errors, warnings };
}
