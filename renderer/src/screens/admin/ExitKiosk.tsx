// Leaving the kiosk, for administrators on a kiosk window only: they enter their own PIN or
// passphrase again; the core checks it under the sign-in lockout and records the exit.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { call } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useTranslation } from '../../i18n/index.ts';
import { useAppStore } from '../../state/app-store.ts';
import { useStaffStore } from '../../state/staff-store.ts';
import { asErrorValue } from '../staff/use-staff-list.ts';

export function ExitKiosk() {
  const { t } = useTranslation();
  const canExit = useAppStore((s) => s.info?.canExitKiosk === true);
  const isAdmin = useStaffStore((s) => s.status?.current?.role === 'admin');
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState('');
  const [phase, setPhase] = useState<'idle' | 'checking' | 'leaving'>('idle');
  const [error, setError] = useState<AirlockErrorValue | null>(null);
  const titleId = useId();
  const fieldId = useId();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (open) title.current?.focus();
  }, [open]);

  if (!canExit || !isAdmin) return null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setPhase('checking');
    setError(null);
    call('app.exitKiosk', { secret }).then(
      () => setPhase('leaving'),
      (err: unknown) => {
        setSecret('');
        setPhase('idle');
        setError(asErrorValue(err));
      },
    );
  };

  if (!open) {
    return (
      <div className="actions">
        <button type="button" className="button button--secondary" onClick={() => setOpen(true)}>
          {t('kioskExit.open')}
        </button>
      </div>
    );
  }
  return (
    <form className="stack card" aria-labelledby={titleId} onSubmit={submit}>
      <h2 id={titleId} ref={title} tabIndex={-1}>
        {t('kioskExit.title')}
      </h2>
      <p className="muted">{t('kioskExit.explain')}</p>
      <label htmlFor={fieldId}>{t('kioskExit.secretLabel')}</label>
      <input id={fieldId} type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} required maxLength={256} disabled={phase !== 'idle'} />
      {error ? <ErrorNotice error={error} /> : null}
      {phase === 'leaving' ? <p role="status">{t('kioskExit.leaving')}</p> : null}
      <div className="actions">
        <button type="submit" className="button button--danger" disabled={phase !== 'idle' || secret.length === 0}>
          {phase === 'checking' ? t('kioskExit.checking') : t('kioskExit.confirm')}
        </button>
        <button
          type="button"
          className="button button--secondary"
          disabled={phase === 'leaving'}
          onClick={() => {
            setOpen(false);
            setSecret('');
            setError(null);
          }}
        >
          {t('kioskExit.cancel')}
        </button>
      </div>
    </form>
  );
}
