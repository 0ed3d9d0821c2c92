// The language switch in the header and on the sign-in screen. Hidden when the kiosk's policy
// fixes the language; otherwise the choice is remembered for the signed-in person.
import { LANGUAGES, LANGUAGE_NAMES, useTranslation } from './index.ts';
import { usePrefsStore } from '../state/prefs-store.ts';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const fixed = usePrefsStore((s) => s.languageFixed);
  const choose = usePrefsStore((s) => s.chooseLanguage);
  if (fixed) return null;
  return (
    <div className="language-switch" role="group" aria-label={t('language.label')}>
      {LANGUAGES.map((language) => (
        <button
          key={language}
          type="button"
          className="language-switch__option"
          lang={language}
          aria-pressed={i18n.language === language}
          onClick={() => void choose(language)}
        >
          {LANGUAGE_NAMES[language]}
        </button>
      ))}
    </div>
  );
}
