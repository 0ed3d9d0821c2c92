// Setting a new PIN or passphrase for someone who forgot theirs (this also lifts a lockout).
// Opens under that person's row in the table; the core's refusals show inside it.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { StaffSummary } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { call } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { CredentialFields, credentialMismatch, TypingProblem, type CredentialDraft } from './CredentialFields.tsx';
import { useTranslation } from '../../i18n/index.ts';
import { asErrorValue } from './use-staff-list.ts';

export function ResetCredentialForm({ person, onDone, onCancel }: { person: StaffSummary; onDone: (person: StaffSummary) => void; onCancel: () => void }) {
  const titleId = useId();
  const { t } = useTranslation();
  const [credential, setCredential] = useState<CredentialDraft>({ kind: person.credentialKind, secret: '', again: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AirlockErrorValue | null>(null);
  const [mismatch, setMismatch] = useState<string | null>(null);
  const title = useRef<HTMLHeadingElement>(null);
  // The form opens below the row; take keyboard and screen-reader users straight to it.
  useEffect(() => title.current?.focus(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const slip = credentialMismatch(credential);
    setMismatch(slip);
    if (slip) return;
    setBusy(true);
    setError(null);
    call('staff.resetCredential', { staffId: person.id, credential: { kind: credential.kind, secret: credential.secret } }).then(
      (changed) => {
        setBusy(false);
        onDone(changed);
      },
      (err: unknown) => {
        setBusy(false);
        setError(asErrorValue(err));
      },
    );
  };

  return (
    <form className="stack staff-reset" aria-labelledby={titleId} onSubmit={submit}>
      <h3 id={titleId} ref={title} tabIndex={-1}>
        {t('staff.resetForm.title', { name: person.name })}
      </h3>
      <p className="muted">{t(`staff.resetForm.give.${credential.kind}`, { name: person.name })}</p>
      <CredentialFields draft={credential} onChange={setCredential} legend={t('staff.signsInWith')} fresh />
      {mismatch ? <TypingProblem message={mismatch} /> : null}
      {error && !mismatch ? <ErrorNotice error={error} /> : null}
      <div className="actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('staff.resetForm.saving') : t(`staff.resetForm.save.${credential.kind}`)}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t('staff.resetForm.cancel')}
        </button>
      </div>
    </form>
  );
}
