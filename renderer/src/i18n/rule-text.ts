// Each platform's rule verdicts in the active language. A rule issue carries a stable code and the
// values of its sentence; the catalogue says it by that code (`rules.<code>`), with numbers and
// durations written for the language. An issue whose code or values the catalogue cannot use (a
// newer service, a check stored by an older one) shows the service's English sentence.
import { PLATFORM_LABELS, type PlatformId } from '../../../common/platforms.ts';
import { formatNumber } from '../format.ts';
import { i18n } from './index.ts';

type Params = Record<string, string | number>;

export interface RuleIssueText {
  code: string;
  message: string;
  params?: Params | undefined;
}

/**
 * The catalogue key for an issue: `rules.<code>`, or `rules.<code>_<variant>` for a code whose
 * sentence differs by case (a video rather than a photo, an account's own limit).
 */
export function ruleKey(issue: Pick<RuleIssueText, 'code' | 'params'>): string {
  const variant = issue.params?.variant;
  return typeof variant === 'string' && variant !== '' ? `rules.${issue.code}_${variant}` : `rules.${issue.code}`;
}

/** The English template for a key (plural forms are stored as `…_one`, `…_other`). */
function template(key: string): string | undefined {
  const found = i18n.getResource('en', 'translation', key) ?? i18n.getResource('en', 'translation', `${key}_other`);
  return typeof found === 'string' ? found : undefined;
}

/** Whether the active catalogue can say this issue: it knows the code and every value its sentence needs is there. */
export function ruleTranslated(issue: Pick<RuleIssueText, 'code' | 'params'>): boolean {
  const text = template(ruleKey(issue));
  if (text === undefined) return false;
  const needed = [...text.matchAll(/\{\{\s*(\w+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]!);
  return needed.every((name) => issue.params?.[name] !== undefined);
}

/** Seconds as the rules say them: "45 seconds", "3 minutes", "10 minutes 30 seconds". */
function duration(seconds: number): string {
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  const part = (unit: 'minutes' | 'seconds', count: number) => i18n.t(`rules.duration.${unit}`, { count });
  if (minutes === 0) return part('seconds', rest);
  return rest === 0 ? part('minutes', minutes) : `${part('minutes', minutes)} ${part('seconds', rest)}`;
}

/** A TikTok audience by its privacy level, quoted as the language quotes, e.g. "Everyone" or „Kõik“. */
const audience = (level: string) => i18n.t('rules.quoted', { text: i18n.t(`posts.privacy.${level}`, { defaultValue: level }) });

/** The values a sentence shows, formatted for the active language. */
function formatParams(params: Params): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') out[name] = value;
    // Durations are in seconds; pixel sizes are read as measurements, never with thousands separators.
    else if (/duration$/i.test(name)) out[name] = duration(value);
    else if (/(width|height)$/i.test(name)) out[name] = String(value);
    else out[name] = formatNumber(value);
  }
  // i18next picks the plural form from a number `count` and formats it with `{{count, number}}`.
  if (typeof params.count === 'number') out.count = params.count;
  if (typeof params.level === 'string') out.level = audience(params.level);
  if (typeof params.offered === 'string') out.offered = params.offered.split(',').map(audience).join(', ');
  if (typeof params.interaction === 'string') out.interaction = i18n.t(`rules.interactions.${params.interaction}`, { defaultValue: params.interaction });
  return out;
}

/** A platform rule's error or warning, in the active language. */
export function ruleText(issue: RuleIssueText): string {
  if (!ruleTranslated(issue)) return issue.message;
  return i18n.t(ruleKey(issue), formatParams(issue.params ?? {}));
}

const COUNTER_KEYS: Record<string, string> = {
  characters: 'characters',
  hashtags: 'hashtags',
  title: 'title',
  'description bytes': 'descriptionBytes',
};

/** What a platform's counter counts ("characters", "description bytes"), in the active language. */
export function counterLabel(label: string): string {
  const key = COUNTER_KEYS[label];
  return key ? i18n.t(`rules.counters.${key}`) : label;
}

/**
 * The service's refusal to submit a post that breaks a platform rule, in the active language: the
 * first problem's platform and sentence, said from the values the refusal carries. English, and a
 * refusal without usable values, shows the service's sentence.
 */
export function rulesRefusalText(message: string, params: Params | undefined): string | null {
  if (i18n.language === 'en' || !params || typeof params.rule !== 'string' || typeof params.platform !== 'string') return null;
  const { rule, platform, ...values } = params;
  const issue = { code: rule, message, params: values };
  if (!ruleTranslated(issue)) return null;
  return i18n.t('rules.refused', { platform: PLATFORM_LABELS[platform as PlatformId] ?? platform, issue: ruleText(issue) });
}
