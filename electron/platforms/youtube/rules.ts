// YouTube's upload rules (platform-apis.md §5.3): one video, a title of at most 100 characters
// (required), a description of at most 5000 bytes, neither with < or >, and who may watch it
// (public, unlisted or private), which staff must choose: nothing goes out public by default.
import type { PostFacts, RuleIssue } from '../post-rules.ts';
import { YOUTUBE_PRIVACY, type YouTubePrivacy } from './protocol.ts';

const TITLE_MAX_CHARS = 100;
const DESCRIPTION_MAX_BYTES = 5000;

export const YOUTUBE_RULE_CODES = [
  'youtube.one-video',
  'youtube.title-missing',
  'youtube.privacy-unknown',
  'youtube.privacy-missing',
  'youtube.title-too-long',
  'youtube.angle-brackets',
  'youtube.description-too-long',
] as const;

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
  if (Array.from(title).length > TITLE_MAX_CHARS) errors.push({ field: 'options.youtube.title', code: 'youtube.title-too-long', message: `YouTube titles are limited to ${TITLE_MAX_CHARS} characters.`, params: { limit: TITLE_MAX_CHARS } });
  if (/[<>]/.test(title) || /[<>]/.test(description)) errors.push({ field: 'options.youtube', code: 'youtube.angle-brackets', message: 'YouTube does not accept < or > in titles and descriptions.' });
  const descriptionBytes = Buffer.byteLength(description, 'utf8');
  if (descriptionBytes > DESCRIPTION_MAX_BYTES) {
    errors.push({ field: 'options.youtube.description', code: 'youtube.description-too-long', message: `YouTube descriptions are limited to ${DESCRIPTION_MAX_BYTES} bytes (accented letters and emoji take more than one).`, params: { limit: DESCRIPTION_MAX_BYTES } });
  }
  return {
    counters: [
      { label: 'title', used: Array.from(title).length, limit: TITLE_MAX_CHARS },
      { label: 'description bytes', used: descriptionBytes, limit: DESCRIPTION_MAX_BYTES },
    ],
    errors,
    warnings: [],
  };
}
