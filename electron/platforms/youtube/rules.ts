// YouTube's upload rules (platform-apis.md §5.3): one video, a title of at most 100 characters
// (required), a description of at most 5000 bytes, neither with < or >, and who may watch it
// (public, unlisted or private), which staff must choose: nothing goes out public by default.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { YOUTUBE_PRIVACY, type YouTubePrivacy } from './protocol.ts';

/** The post's chosen audience on YouTube (`options.youtube.privacy`), or null while none is chosen. */
export function youtubePrivacy(options: Record<string, unknown>): YouTubePrivacy | null {
  const value = options.privacy;
  return (YOUTUBE_PRIVACY as readonly unknown[]).includes(value) ? (value as YouTubePrivacy) : null;
}

export function checkYouTube(facts: PostFacts) {
  const o = facts.options.youtube ?? {};
  const title = typeof o.title === 'string' ? o.title : '';
  const description = typeof o.description === 'string' ? o.description : facts.caption;
  const errors: RuleIssue[] = [];
  if (facts.media.length !== 1 || facts.media[0]!.kind !== 'video') errors.push({ field: 'media', code: 'youtube.one-video', message: 'A YouTube upload needs exactly one video.' });
  if (!title.trim()) errors.push({ field: 'options.youtube.title', code: 'youtube.title-missing', message: 'YouTube needs a title.' });
  if (youtubePrivacy(o) === null) {
    const chosen = o.privacy !== undefined && o.privacy !== null && o.privacy !== '';
    errors.push({
      field: 'options.youtube.privacy',
      code: chosen ? 'youtube.privacy-unknown' : 'youtube.privacy-missing',
      message: chosen ? 'Choose who can watch this video on YouTube: public, unlisted or private.' : 'Choose who can watch this video on YouTube. Airlock never picks this for you.',
    });
  }
  if (Array.from(title).length > 100) errors.push({ field: 'options.youtube.title', code: 'youtube.title-too-long', message: 'YouTube titles are limited to 100 characters.' });
  if (/[<>]/.test(title) || /[<>]/.test(description)) errors.push({ field: 'options.youtube', code: 'youtube.angle-brackets', message: 'YouTube does not accept < or > in titles and descriptions.' });
  const descriptionBytes = Buffer.byteLength(description, 'utf8');
  if (descriptionBytes > 5000) errors.push({ field: 'options.youtube.description', code: 'youtube.description-too-long', message: 'YouTube descriptions are limited to 5000 bytes (accented letters and emoji take more than one).' });
  return {
    counters: [
      { label: 'title', used: Array.from(title).length, limit: 100 },
      { label: 'description bytes', used: Buffer.byteLength(description, 'utf8'), limit: 5000 },
    ],
    errors,
    warnings: [],
  };
}
