// The words and times the Posts screens show: each state with an icon and a name (never colour
// alone), the list's filters, platform names, and dates in the kiosk's own time zone.
import type { PostState, PostView } from '../../../../common/contract.ts';
import { PLATFORM_LABELS, type PlatformId } from '../../../../common/platforms.ts';
import type { PostFilter } from '../../state/posts-store.ts';
import { formatWhen as formatWhenLocal } from '../../format.ts';
import { t } from '../../i18n/index.ts';

// Labels are read when shown (getters), so they follow the active language.
const state = (icon: string, key: PostState) => ({ icon, get label() { return t(`posts.state.${key}`); } });
const filter = (id: PostFilter): FilterWords => ({
  id,
  get label() {
    return t(`posts.filters.${id}.label`);
  },
  get empty() {
    return { title: t(`posts.filters.${id}.title`), hint: t(`posts.filters.${id}.hint`) };
  },
});

export const STATE_WORDS: Record<PostState, { icon: string; label: string }> = {
  draft: state('✎', 'draft'),
  submitted: state('◔', 'submitted'),
  approved: state('✓', 'approved'),
  scheduled: state('◷', 'scheduled'),
  publishing: state('↑', 'publishing'),
  published: state('✓', 'published'),
  failed: state('✕', 'failed'),
  rejected: state('↩', 'rejected'),
  cancelled: state('⊘', 'cancelled'),
};

export interface FilterWords {
  id: PostFilter;
  label: string;
  empty: { title: string; hint: string };
}

export const FILTERS: FilterWords[] = (['all', 'drafts', 'waiting', 'approved', 'scheduled', 'done', 'rejected', 'cancelled'] as const).map(filter);

export const platformName = (id: string): string => PLATFORM_LABELS[id as PlatformId] ?? id;

export const platformList = (ids: readonly string[]): string => {
  const names = ids.map(platformName);
  if (names.length <= 1) return names.join('');
  return t('posts.and', { list: names.slice(0, -1).join(', '), last: names[names.length - 1] });
};

/** The kiosk's time zone, e.g. "Europe/Tallinn": every time on these screens is in it. */
export const kioskTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A time with weekday and zone, in the active language. */
export const formatWhen = (iso: string): string => formatWhenLocal(iso);

/** The first line of a caption, for lists and headings. */
export const firstLine = (caption: string): string => caption.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';

/** States in which the author changes the content directly; other states are reviewed. */
export const isDraftLike = (post: PostView): boolean => post.state === 'draft' || post.state === 'rejected';

export const CANCELLABLE: PostState[] = ['draft', 'submitted', 'approved', 'scheduled', 'rejected', 'failed'];
export const EDITABLE: PostState[] = ['draft', 'rejected', 'submitted', 'approved', 'scheduled'];

export const mediaUrl = (sha256: string): string => `_airlock/media/${sha256}`;

const option = (group: string) => (value: string) => ({
  value,
  get label() {
    return t(`posts.${group}.${value}`);
  },
});

export const TIKTOK_PRIVACY: { value: string; label: string }[] = ['PUBLIC_TO_EVERYONE', 'FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'].map(option('privacy'));

export const BLUESKY_LANGUAGES: { value: string; label: string }[] = ['en', 'et', 'ru', 'fi', 'sv', 'de', 'fr', 'es', 'cy', 'ga'].map(option('languages'));
