// The words and times the Posts screens show: each state with an icon and a name (never colour
// alone), the list's filters, platform names, and dates in the kiosk's own time zone.
import type { PostState, PostView } from '../../../../common/contract.ts';
import { PLATFORM_LABELS, type PlatformId } from '../../../../common/platforms.ts';
import type { PostFilter } from '../../state/posts-store.ts';

export const STATE_WORDS: Record<PostState, { icon: string; label: string }> = {
  draft: { icon: '✎', label: 'Draft' },
  submitted: { icon: '◔', label: 'Waiting for approval' },
  approved: { icon: '✓', label: 'Approved' },
  scheduled: { icon: '◷', label: 'Scheduled' },
  publishing: { icon: '↑', label: 'Publishing' },
  published: { icon: '✓', label: 'Published' },
  failed: { icon: '✕', label: 'Failed' },
  rejected: { icon: '↩', label: 'Rejected' },
  cancelled: { icon: '⊘', label: 'Cancelled' },
};

export interface FilterWords {
  id: PostFilter;
  label: string;
  empty: { title: string; hint: string };
}

export const FILTERS: FilterWords[] = [
  { id: 'all', label: 'All', empty: { title: 'No posts yet', hint: 'Import a stick or write a new post.' } },
  { id: 'drafts', label: 'Drafts', empty: { title: 'No drafts', hint: 'Import a stick or write a new post.' } },
  { id: 'waiting', label: 'Waiting for approval', empty: { title: 'Nothing is waiting for approval', hint: 'Posts appear here when someone submits a draft.' } },
  { id: 'approved', label: 'Approved', empty: { title: 'No approved posts to schedule', hint: 'Approved posts appear here until someone schedules or publishes them.' } },
  { id: 'scheduled', label: 'Scheduled', empty: { title: 'Nothing is scheduled', hint: 'Open an approved post and choose “Schedule…” or “Publish now”.' } },
  { id: 'done', label: 'Published or failed', empty: { title: 'Nothing has been published yet', hint: 'Scheduled posts move here once they are sent.' } },
  { id: 'rejected', label: 'Rejected', empty: { title: 'No rejected posts', hint: 'A rejected post comes back here with the reviewer’s comment.' } },
  { id: 'cancelled', label: 'Cancelled', empty: { title: 'No cancelled posts', hint: 'Cancelled posts are kept here for the record.' } },
];

export const platformName = (id: string): string => PLATFORM_LABELS[id as PlatformId] ?? id;

export const platformList = (ids: readonly string[]): string => {
  const names = ids.map(platformName);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
};

/** The kiosk's time zone, e.g. "Europe/Tallinn": every time on these screens is in it. */
export const kioskTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

const whenFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });

export const formatWhen = (iso: string): string => whenFormat.format(new Date(iso));

/** The first line of a caption, for lists and headings. */
export const firstLine = (caption: string): string => caption.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';

/** States in which the author changes the content directly; other states are reviewed. */
export const isDraftLike = (post: PostView): boolean => post.state === 'draft' || post.state === 'rejected';

export const CANCELLABLE: PostState[] = ['draft', 'submitted', 'approved', 'scheduled', 'rejected', 'failed'];
export const EDITABLE: PostState[] = ['draft', 'rejected', 'submitted', 'approved', 'scheduled'];

export const mediaUrl = (sha256: string): string => `_airlock/media/${sha256}`;

export const TIKTOK_PRIVACY: { value: string; label: string }[] = [
  { value: 'PUBLIC_TO_EVERYONE', label: 'Everyone' },
  { value: 'FOLLOWER_OF_CREATOR', label: 'Followers' },
  { value: 'MUTUAL_FOLLOW_FRIENDS', label: 'Friends (followers you follow back)' },
  { value: 'SELF_ONLY', label: 'Only the account owner' },
];

export const BLUESKY_LANGUAGES: { value: string; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'et', label: 'Estonian' },
  { value: 'ru', label: 'Russian' },
  { value: 'fi', label: 'Finnish' },
  { value: 'sv', label: 'Swedish' },
  { value: 'de', label: 'German' },
  { value: 'fr', label: 'French' },
  { value: 'es', label: 'Spanish' },
  { value: 'cy', label: 'Welsh' },
  { value: 'ga', label: 'Irish' },
];
