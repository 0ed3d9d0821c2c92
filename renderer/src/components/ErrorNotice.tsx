// A plain-language error for staff with the technical detail for IT one click away.
// The services write their sentences in English, often with specifics (a time, a file name):
// English shows them as they are; another language shows its translation of a known code, and
// keeps the service's sentence in the details for IT.
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { useTranslation } from '../i18n/index.ts';

export function ErrorNotice({ error }: { error: AirlockErrorValue }) {
  const { t, i18n } = useTranslation();
  const key = `errors.${error.code}`;
  const translated = i18n.language !== 'en' && i18n.exists(key);
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__message">
        <span aria-hidden="true" className="notice__icon">
          ⚠
        </span>{' '}
        {translated ? t(key) : error.message}
      </p>
      <details className="notice__details">
        <summary>{t('errorNotice.detailsForIt')}</summary>
        <p>
          <code>{error.code}</code>
        </p>
        {translated ? <p>{error.message}</p> : null}
        {error.detail ? <pre>{error.detail}</pre> : null}
      </details>
    </div>
  );
}
