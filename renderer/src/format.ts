// Numbers, sizes, durations, dates and times as staff read them, in the active language
// (English "1,234.5 MB" and "Nov 22, 2026, 2:18 PM"; Estonian "1 234,5 MB" and "22. nov 2026, 14:18").
import { currentLanguage } from './i18n/index.ts';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n:${currentLanguage()}:${JSON.stringify(options)}`;
  let found = cache.get(key) as Intl.NumberFormat | undefined;
  if (!found) cache.set(key, (found = new Intl.NumberFormat(currentLanguage(), options)));
  return found;
}

function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d:${currentLanguage()}:${JSON.stringify(options)}`;
  let found = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!found) cache.set(key, (found = new Intl.DateTimeFormat(currentLanguage(), options)));
  return found;
}

export function formatNumber(value: number): string {
  return numberFormat({}).format(value);
}

const BYTE_UNITS = ['kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return numberFormat({ style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(bytes);
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 10 ? 0 : 1;
  return numberFormat({ style: 'unit', unit: BYTE_UNITS[unit], minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export function formatDuration(seconds: number): string {
  const secondsOf = (n: number) => numberFormat({ style: 'unit', unit: 'second', unitDisplay: 'short' }).format(n);
  if (seconds < 60) return secondsOf(Math.max(1, Math.round(seconds)));
  const minutes = Math.floor(seconds / 60);
  return `${numberFormat({ style: 'unit', unit: 'minute', unitDisplay: 'short' }).format(minutes)} ${secondsOf(Math.round(seconds % 60))}`;
}

const asDate = (value: string | Date): Date => (typeof value === 'string' ? new Date(value) : value);

/** Date and time, e.g. for when something happened. */
export function formatDateTime(value: string | Date, precise = false): string {
  return dateFormat({ dateStyle: 'medium', timeStyle: precise ? 'medium' : 'short' }).format(asDate(value));
}

export function formatDate(value: string | Date): string {
  return dateFormat({ dateStyle: 'medium' }).format(asDate(value));
}

export function formatTime(value: string | Date): string {
  return dateFormat({ timeStyle: 'medium' }).format(asDate(value));
}

/** A scheduled time with weekday and time zone, so nobody misreads when a post goes out. */
export function formatWhen(value: string | Date): string {
  return dateFormat({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(asDate(value));
}

/** A number with a fixed count of decimals, e.g. a coordinate: English "59.4370", Estonian "59,4370". */
export function formatDecimal(value: number, digits: number): string {
  return numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** A list read as a sentence: English "Latin and Cyrillic", Estonian "ladina ja kirillitsa". */
export function formatList(items: string[]): string {
  return new Intl.ListFormat(currentLanguage(), { type: 'conjunction' }).format(items);
}
