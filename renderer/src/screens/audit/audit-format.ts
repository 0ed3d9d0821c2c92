// How audit entries read on screen: times in the kiosk's own time zone and locale, subjects by
// name where the screen knows one, and date filters turned into the instants the log compares.
import type { AuditEntryView } from '../../../../common/contract.ts';
import { formatDateTime } from '../../format.ts';
import { t } from '../../i18n/index.ts';

/** The kiosk's time zone, e.g. "Europe/Tallinn", named in the table caption. */
export const KIOSK_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatAuditTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : formatDateTime(time, true);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
export const looksLikeInstant = (value: string) => ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));

/** Midnight at the start of a `<input type="date">` day in the kiosk's time zone; `daysLater` moves it on. */
export function localDayStart(value: string, daysLater = 0): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  // The Date constructor with parts works in local time and rolls over months and DST by itself.
  const day = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + daysLater);
  return Number.isNaN(day.getTime()) ? null : day;
}

/** Names people by their id; the log stores ids, staff know names. */
export type PeopleById = ReadonlyMap<string, string>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const shortId = (id: string) => (UUID.test(id) ? `${id.slice(0, 8)}…` : id);

/** The person who acted. Some entries carry only an id as the name, so look it up. */
export function actorLabel(entry: AuditEntryView, people: PeopleById): string {
  if (entry.actor === 'system') return entry.actorName || 'Airlock';
  if (entry.actorName && entry.actorName !== entry.actor) return entry.actorName;
  return people.get(entry.actor) ?? shortId(entry.actor);
}

/** What the entry is about, in the words that identify it best: a person, a file, a stick or a post. */
export function subjectLabel(entry: AuditEntryView, people: PeopleById): string {
  const { subject, details, kind } = entry;
  if (kind === 'sanitize.report' && typeof details.path === 'string') return details.path;
  if (kind.startsWith('import.') && typeof details.volume === 'string' && details.volume) return t('audit.stick', { volume: details.volume });
  if (subject === null) return '';
  const person = people.get(subject);
  if (person) return person;
  if (kind.startsWith('post.') || kind.startsWith('publish.')) return t('audit.post', { id: shortId(subject) });
  return shortId(subject);
}
