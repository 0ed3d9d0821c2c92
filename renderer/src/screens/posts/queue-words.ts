// The words of the queue, the calendar and their actions, in one place; each goes through the
// catalogues (keys under "queue" in ../../i18n/en.json and et.json), dates in the active language.
import { currentLanguage, t } from '../../i18n/index.ts';
import { parseKey, type DayKey } from './calendar-dates.ts';

export const QUEUE_WORDS = {
  title: () => t('queue.title'),
  intro: (zone: string) => t('queue.intro', { zone }),
  write: () => t('queue.write'),
  filtersLabel: () => t('queue.filtersLabel'),
  loading: () => t('queue.loading'),
  goesOut: (when: string) => t('queue.goesOut', { when }),
  changed: (when: string) => t('queue.changed', { when }),
  submittedBy: (name: string | null) => t('queue.submittedBy', { name }),
  writtenBy: (name: string | null) => t('queue.writtenBy', { name }),
  fromStick: () => t('queue.fromStick'),
  approvedBy: (name: string | null) => t('queue.approvedBy', { name }),
  noPlatform: () => t('queue.noPlatform'),
  media: (count: number) => t('queue.media', { count }),
  withoutDescription: (kind: 'image' | 'video') => (kind === 'video' ? t('queue.videoWithoutDescription') : t('queue.photoWithoutDescription')),
  textGlyph: () => t('queue.textGlyph'),
  views: { label: () => t('queue.views.label'), list: () => t('queue.views.list'), week: () => t('queue.views.week'), month: () => t('queue.views.month') },
  listLabel: (filter: string) => t('queue.listLabel', { filter }),
  loadingRow: () => t('queue.loadingRow'),
  noCaption: () => t('queue.noCaption'),
  textOnly: () => t('queue.textOnly'),
  moveUp: () => t('queue.moveUp'),
  moveDown: () => t('queue.moveDown'),
  moveUpFor: (caption: string) => t('queue.moveUpFor', { caption }),
  moveDownFor: (caption: string) => t('queue.moveDownFor', { caption }),
  reschedule: () => t('queue.reschedule'),
  rescheduleFor: (caption: string) => t('queue.rescheduleFor', { caption }),
  publishNow: () => t('queue.publishNow'),
  publishNowFor: (caption: string) => t('queue.publishNowFor', { caption }),
  cancel: () => t('queue.cancel'),
  cancelFor: (caption: string) => t('queue.cancelFor', { caption }),
  actionsFor: (caption: string) => t('queue.actionsFor', { caption }),
  swapped: (a: string, b: string) => t('queue.swapped', { a, b }),
  moved: (caption: string, when: string) => t('queue.moved', { caption, when }),
  publishing: (caption: string) => t('queue.publishing', { caption }),
  cancelled: (caption: string) => t('queue.cancelled', { caption }),
  confirmPublishTitle: () => t('queue.confirmPublishTitle'),
  confirmPublish: (caption: string, platforms: string) => t('queue.confirmPublish', { caption, platforms }),
  confirmCancelTitle: () => t('queue.confirmCancelTitle'),
  confirmCancel: (caption: string) => t('queue.confirmCancel', { caption }),
  keep: () => t('queue.keep'),
  rescheduleTitle: () => t('queue.rescheduleTitle'),
  rescheduleHint: (zone: string) => t('queue.rescheduleHint', { zone }),
  date: () => t('queue.date'),
  time: () => t('queue.time'),
  rescheduleTo: (when: string) => t('queue.rescheduleTo', { when }),
  chooseTime: () => t('queue.chooseTime'),
  timePast: () => t('queue.timePast'),
  showing: (shown: number, total: number) => t('queue.showing', { count: total, shown }),
  calendar: {
    previousWeek: () => t('queue.calendar.previousWeek'),
    nextWeek: () => t('queue.calendar.nextWeek'),
    previousMonth: () => t('queue.calendar.previousMonth'),
    nextMonth: () => t('queue.calendar.nextMonth'),
    today: () => t('queue.calendar.today'),
    label: (title: string) => t('queue.calendar.label', { title }),
    keys: () => t('queue.calendar.keys'),
    empty: () => t('queue.calendar.empty'),
    truncated: () => t('queue.calendar.truncated'),
    posts: (count: number) => t('queue.calendar.posts', { count }),
    more: (count: number) => t('queue.calendar.more', { count }),
  },
};

const formats = new Map<string, Intl.DateTimeFormat>();
const format = (options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => {
  const key = `${currentLanguage()}:${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(currentLanguage(), { ...options, timeZone: 'UTC' })));
  return f;
};

// A day key names a calendar day, not an instant: it is formatted at noon UTC, in UTC.
const utcNoon = (key: DayKey): Date => {
  const { year, month, day } = parseKey(key);
  return new Date(Date.UTC(year, month - 1, day, 12));
};

/** "Monday, 23 November 2026": a calendar day named in full. */
export const longDay = (key: DayKey): string => format({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(utcNoon(key));
export const monthTitle = (key: DayKey): string => format({ month: 'long', year: 'numeric' }).format(utcNoon(key));
export const weekTitle = (days: DayKey[]): string => format({ day: 'numeric', month: 'short', year: 'numeric' }).formatRange(utcNoon(days[0]!), utcNoon(days[days.length - 1]!));
export const weekdayName = (key: DayKey): string => format({ weekday: 'short' }).format(utcNoon(key));
