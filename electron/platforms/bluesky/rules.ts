// Bluesky's post rules (platform-apis.md §3.3): 300 graphemes of text, up to 4 images each
// with alt text, or one video; images and video are not mixed.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { graphemeCount } from '../text-measure.ts';

export const BLUESKY_MAX_GRAPHEMES = 300;
const MAX_IMAGES = 4;

export const BLUESKY_RULE_CODES = ['bluesky.too-long', 'bluesky.too-many-images', 'bluesky.one-video', 'bluesky.alt-missing'] as const;

export function checkBluesky(facts: PostFacts) {
  const used = graphemeCount(facts.caption);
  const errors: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  if (used > BLUESKY_MAX_GRAPHEMES) errors.push({ field: 'caption', code: 'bluesky.too-long', message: `Bluesky allows ${BLUESKY_MAX_GRAPHEMES} characters; this caption has ${used}.`, params: { limit: BLUESKY_MAX_GRAPHEMES, used } });
  const images = facts.media.filter((m) => m.kind === 'image');
  const videos = facts.media.filter((m) => m.kind === 'video');
  if (images.length > MAX_IMAGES) errors.push({ field: 'media', code: 'bluesky.too-many-images', message: `Bluesky allows up to ${MAX_IMAGES} photos in a post.`, params: { limit: MAX_IMAGES } });
  if (videos.length > 1 || (videos.length === 1 && images.length > 0)) errors.push({ field: 'media', code: 'bluesky.one-video', message: 'A Bluesky post can have one video, without photos.' });
  facts.media.forEach((m, i) => {
    if (!m.altText?.trim()) {
      const entry = { field: `media.${i}.altText`, code: 'bluesky.alt-missing' };
      // One code, two sentences: a photo without one blocks the post, a video only warns.
      if (m.kind === 'image') errors.push({ ...entry, message: `Photo ${i + 1} needs a description (alt text) for Bluesky.`, params: { n: i + 1 } });
      else warnings.push({ ...entry, message: 'The video has no description (alt text); add one so everyone can follow it.', params: { n: i + 1, variant: 'video' } });
    }
  });
  return { counters: [{ label: 'characters', used, limit: BLUESKY_MAX_GRAPHEMES }], errors, warnings };
}
