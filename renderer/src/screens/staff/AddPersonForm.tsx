// "Add a person": a name, a role (each explained in one line) and a PIN or passphrase typed
// twice. The core decides what is allowed; its refusals (a weak PIN, a name already taken) are
// shown right here, next to the form.
import { useId, useState, type FormEvent } from 'react';
import type { StaffSummary } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { call } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { CredentialFields, credentialMismatch, EMPTY_CREDENTIAL, TypingProblem, type CredentialDraft } from './CredentialFields.tsx';
import { roleExplains, roleLabel, rolePhrase, ROLES, type Role } from './staff-labels.ts';
import { useTranslation } from '../../i18n/index.ts';
import { asErrorValue } from './use-staff-list.ts';

type Outcome = { kind: 'added'; person: StaffSummary } | { kind: 'mismatch'; message: string } | { kind: 'refused'; error: AirlockErrorValue } | null;

export function AddPersonForm({ onAdded }: { onAdded: (person: StaffSummary) => void }) {
  const ids = useId();
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('author');
  const [credential, setCredential] = useState<CredentialDraft>(EMPTY_CREDENTIAL);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const mismatch = credentialMismatch(credential);
    if (mismatch) {
      setOutcome({ kind: 'mismatch', message: mismatch });
      return;
    }
    setBusy(true);
    setOutcome(null);
    call('staff.create', { name: name.trim(), role, credential: { kind: credential.kind, secret: credential.secret } }).then(
      (person) => {
        setBusy(false);
        setOutcome({ kind: 'added', person });
        setName('');
        setRole('author');
        setCredential(EMPTY_CREDENTIAL);
        onAdded(person);
      },
      (err: unknown) => {
        setBusy(false);
        setOutcome({ kind: 'refused', error: asErrorValue(err) });
      },
    );
  };

  return (
    <form className="form stack staff-form" aria-labelledby={`${ids}-title`} onSubmit={submit}>
      <h2 id={`${ids}-title`}>{t('staff.add.title')}</h2>
      <label className="field">
        <span>{t('staff.add.name')}</span>
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required maxLength={80} />
      </label>
      <fieldset className="field">
        <legend>{t('staff.add.role')}</legend>
        {ROLES.map((option) => (
          <label key={option} className="choice role-choice">
            <input type="radio" name={`${ids}-role`} value={option} checked={role === option} onChange={() => setRole(option)} aria-describedby={`${ids}-${option}`} />
            <span>
              <span className="role-choice__name">{roleLabel(option)}</span>
              <span className="role-choice__explains muted" id={`${ids}-${option}`}>
                {roleExplains(option)}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <CredentialFields draft={credential} onChange={setCredential} legend={t('staff.signsInWith')} fresh={false} />
      {outcome?.kind === 'mismatch' ? <TypingProblem message={outcome.message} /> : null}
      {outcome?.kind === 'refused' ? <ErrorNotice error={outcome.error} /> : null}
      {outcome?.kind === 'added' ? (
        <p className="notice notice--ok notice__message" role="status">
          <span aria-hidden="true">✓</span> {t('staff.add.added', { name: outcome.person.name, role: rolePhrase(outcome.person.role) })}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? t('staff.add.adding') : t('staff.add.submit')}
        </button>
      </div>
    </form>
  );
}
