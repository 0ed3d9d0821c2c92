// Every word staff read goes through here: English and Estonian catalogues, one active language.
// Screens call `t('key')` (or `useTranslation()` to re-render when the language changes); dates,
// numbers and sizes are formatted for the active language in ../format.ts.
import i18next from 'i18next';
import { initReactI18next, Trans, useTranslation } from 'react-i18next';
import en from './en.json';
import et from './et.json';

export const LANGUAGES = ['en', 'et'] as const;
export type Language = (typeof LANGUAGES)[number];

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** Each language's own name, as a switch shows it. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', et: 'Eesti' };

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, et: { translation: et } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  // React escapes what it renders; escaping here too would show "&amp;" to staff.
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

export const t = i18n.t.bind(i18n);

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en';
}

/** Switches every screen to `language` and tells assistive technology which language it reads. */
export async function setLanguage(language: Language): Promise<void> {
  if (i18n.language !== language) await i18n.changeLanguage(language);
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

/**
 * A sentence from the services for a known code, in the active language. The services write in
 * English, often with specifics (a time, a file name), so English shows their sentence as it is
 * and other languages show the translation of the code when the catalogue has one.
 */
export function staffMessage(code: string, message: string, params?: Record<string, string | number>): string {
  const key = `errors.${code}`;
  return i18n.language !== 'en' && i18n.exists(key) ? i18n.t(key, params ?? {}) : message;
}

export { Trans, useTranslation };
