// Sentences the services write, in the active language. A sanitisation finding, a refused file or
// a refused connection carries a stable code and the values of its sentence; the catalogue says it
// by that code, with numbers, sizes and dates formatted for the language. A code the catalogue does
// not know (a newer service, an older stored report) shows the service's English sentence.
import type { AirlockErrorValue } from '../../../common/errors.ts';
import type { SanitizeFinding } from '../../../common/sanitize-report.ts';
import { formatBytes, formatDate, formatDecimal, formatList, formatNumber } from '../format.ts';
import { i18n, staffMessage } from './index.ts';
import { rulesRefusalText } from './rule-text.ts';

type Params = Record<string, string | number | string[]>;

/** The catalogue key for a finding's code, e.g. `sanitize.image.gps-position`. */
export const findingKey = (code: string) => `sanitize.${code}`;

/** Whether the active catalogue can say this finding (otherwise its English text is shown). */
export function findingTranslated(f: { code?: string }): boolean {
  // A sentence with a count is stored in plural forms only (`…_one`, `…_other`).
  return f.code !== undefined && (i18n.exists(findingKey(f.code)) || i18n.exists(`${findingKey(f.code)}_other`));
}

function hemisphere(value: number, positive: 'N' | 'E', negative: 'S' | 'W'): string {
  return i18n.t(`sanitize.hemisphere.${value >= 0 ? positive : negative}`);
}

/** 59.437, 24.7536 → "59.4370° N, 24.7536° E" in English, "59,4370° p.l., 24,7536° i.p." in Estonian. */
function coordinate(value: number, digits: number, positive: 'N' | 'E', negative: 'S' | 'W'): string {
  return i18n.t('sanitize.coordinate', { value: formatDecimal(Math.abs(value), digits), hemisphere: hemisphere(value, positive, negative) });
}

/** "2024-05-03" as a date in the active language; anything else as the file had it. */
function day(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match ? formatDate(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : value;
}

/** The values a sentence shows, formatted for the active language. */
function formatParams(code: string, params: Params): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) out[name] = value.join(', ');
    else if (typeof value === 'number') out[name] = formatNumber(value);
    else out[name] = value;
  }
  // i18next picks the plural form from a number `count` and formats it with `{{count, number}}`.
  if (typeof params.count === 'number') out.count = params.count;
  const digits = code.startsWith('image.') ? 2 : 4;
  if (typeof params.lat === 'number') out.lat = coordinate(params.lat, digits, 'N', 'S');
  if (typeof params.lon === 'number') out.lon = coordinate(params.lon, digits, 'E', 'W');
  if (typeof params.bytes === 'number') out.bytes = formatBytes(params.bytes);
  if (typeof params.date === 'string') out.date = day(params.date);
  if (typeof params.tag === 'string') out.tag = i18n.t(`sanitize.tags.${params.tag}`, { defaultValue: params.tag });
  if (Array.isArray(params.scripts)) out.scripts = formatList(params.scripts.map((s) => i18n.t(`sanitize.scripts.${s}`, { defaultValue: s })));
  return out;
}

/** A finding or warning from a sanitisation report, in the active language. */
export function findingText(f: SanitizeFinding): string {
  if (!findingTranslated(f)) return f.text;
  return i18n.t(findingKey(f.code!), formatParams(f.code!, f.params ?? {}));
}

/** Sizes in bytes (`bytes`, `limit`) and other numbers in a refusal's values, formatted for the active language. */
export function serviceParams(params: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    out[name] = typeof value !== 'number' ? value : name === 'bytes' || name === 'limit' ? formatBytes(value) : name === 'count' ? value : formatNumber(value);
  }
  return out;
}

/** An error from the services in the active language; a refusal over a platform rule names the rule. */
export function errorText(error: AirlockErrorValue): string {
  if (error.code === 'post.rules') {
    const said = rulesRefusalText(error.message, error.params);
    if (said !== null) return said;
  }
  return staffMessage(error.code, error.message);
}
