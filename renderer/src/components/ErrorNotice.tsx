// A plain-language error for staff with the technical detail for IT one click away.
// In another language than English a known code is translated (see staffMessage), and the
// service's own sentence stays in the details for IT.
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { useTranslation } from '../i18n/index.ts';
import { errorText } from '../i18n/service-text.ts';

export function ErrorNotice({ error }: { error: AirlockErrorValue }) {
  const { t } = useTranslation();
  const shown = errorText(error);
  const translated = shown !== error.message;
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__message">
        <span aria-hidden="true" className="notice__icon">
          ⚠
        </span>{' '}
        {shown}
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
