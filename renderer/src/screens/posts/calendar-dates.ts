// Calendar arithmetic in a named time zone (the kiosk's): days are 'YYYY-MM-DD' keys counted on
// the calendar, never by adding 24 hours, so weeks and months stay right across daylight saving
// changes; instants are turned into local days and back through Intl alone.

export type DayKey = string;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date and time in `timeZone` at an instant. */
export function zonedParts(at: Date | number, timeZone: string): Parts {
  const out: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(typeof at === 'number' ? at : at.getTime())) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

/** How far `timeZone` is ahead of UTC at an instant, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `timeZone` names. A time that does not exist (skipped when
 * the clocks go forward) moves forward by the gap; a time that happens twice (when they go back)
 * is the later one.
 */
export function zonedToInstant(key: DayKey, hour: number, minute: number, timeZone: string): Date {
  const { year, month, day } = parseKey(key);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(first, timeZone));
}

export function parseKey(key: DayKey): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m) throw new Error(`not a day: ${key}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export const keyOf = (year: number, month: number, day: number): DayKey => {
  // Date.UTC normalises overflow (day 32, month 13) onto the calendar.
  const d = new Date(Date.UTC(year, month - 1, day));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};

/** The local day of an instant in `timeZone`. */
export function dayOf(at: Date | string | number, timeZone: string): DayKey {
  const p = zonedParts(typeof at === 'string' ? Date.parse(at) : at, timeZone);
  return keyOf(p.year, p.month, p.day);
}

export function addDays(key: DayKey, days: number): DayKey {
  const { year, month, day } = parseKey(key);
  return keyOf(year, month, day + days);
}

/** The same day of the month `months` later, or the month's last day when it is shorter. */
export function addMonths(key: DayKey, months: number): DayKey {
  const { year, month, day } = parseKey(key);
  const last = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate();
  return keyOf(year, month + months, Math.min(day, last));
}

/** 0 for Monday … 6 for Sunday: weeks on the kiosk start on Monday. */
export function weekdayIndex(key: DayKey): number {
  const { year, month, day } = parseKey(key);
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

export const startOfWeek = (key: DayKey): DayKey => addDays(key, -weekdayIndex(key));

/** The seven days of the week holding `key`, Monday first. */
export function weekDays(key: DayKey): DayKey[] {
  const start = startOfWeek(key);
  return Array.from({ length: 7 }, (_, i) => addDays(start, i));
}

/** Whole weeks covering the month of `key`, each Monday to Sunday (four to six of them). */
export function monthWeeks(key: DayKey): DayKey[][] {
  const { year, month } = parseKey(key);
  const first = keyOf(year, month, 1);
  const last = keyOf(year, month + 1, 0);
  const weeks: DayKey[][] = [];
  for (let start = startOfWeek(first); start <= last; start = addDays(start, 7)) weeks.push(weekDays(start));
  return weeks;
}

export const sameMonth = (a: DayKey, b: DayKey): boolean => a.slice(0, 7) === b.slice(0, 7);

/** The instants from the first day's midnight to the midnight after the last day, in `timeZone`. */
export function periodOf(days: DayKey[], timeZone: string): { from: string; to: string } {
  return { from: zonedToInstant(days[0]!, 0, 0, timeZone).toISOString(), to: zonedToInstant(addDays(days[days.length - 1]!, 1), 0, 0, timeZone).toISOString() };
}

/** The same wall-clock time as `iso` on another day, e.g. for moving a post in the calendar. */
export function moveToDay(iso: string, key: DayKey, timeZone: string): string {
  const p = zonedParts(Date.parse(iso), timeZone);
  return zonedToInstant(key, p.hour, p.minute, timeZone).toISOString();
}

/** The wall-clock date ('YYYY-MM-DD') and time ('HH:MM') of an instant, for date and time fields. */
export function toFields(iso: string, timeZone: string): { date: DayKey; time: string } {
  const p = zonedParts(Date.parse(iso), timeZone);
  return { date: keyOf(p.year, p.month, p.day), time: `${pad(p.hour)}:${pad(p.minute)}` };
}

/** The instant that a date field and a time field name in `timeZone`; null if either is not valid. */
export function fromFields(date: string, time: string, timeZone: string): string | null {
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !t || Number(t[1]) > 23 || Number(t[2]) > 59) return null;
  const { year, month, day } = parseKey(date);
  if (keyOf(year, month, day) !== date) return null;
  return zonedToInstant(date, Number(t[1]), Number(t[2]), timeZone).toISOString();
}
