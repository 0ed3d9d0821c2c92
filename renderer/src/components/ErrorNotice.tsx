// A plain-language error for staff with the technical detail for IT one click away.
import type { AirlockErrorValue } from '../../../common/errors.ts';

export function ErrorNotice({ error }: { error: AirlockErrorValue }) {
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__message">
        <span aria-hidden="true" className="notice__icon">
          ⚠
        </span>{' '}
        {error.message}
      </p>
      <details className="notice__details">
        <summary>Details for IT</summary>
        <p>
          <code>{error.code}</code>
        </p>
        {error.detail ? <pre>{error.detail}</pre> : null}
      </details>
    </div>
  );
}
