// "Add a person": a name, a role (each explained in one line) and a PIN or passphrase typed
// twice. The core decides what is allowed; its refusals (a weak PIN, a name already taken) are
// shown right here, next to the form.
import { useId, useState, type FormEvent } from 'react';
import type { StaffSummary } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { call } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { CredentialFields, credentialMismatch, EMPTY_CREDENTIAL, TypingProblem, type CredentialDraft } from './CredentialFields.tsx';
import { ROLE_OPTIONS, ROLE_PHRASE, type Role } from './staff-labels.ts';
import { asErrorValue } from './use-staff-list.ts';

type Outcome = { kind: 'added'; person: StaffSummary } | { kind: 'mismatch'; message: string } | { kind: 'refused'; error: AirlockErrorValue } | null;

export function AddPersonForm({ onAdded }: { onAdded: (person: StaffSummary) => void }) {
  const ids = useId();
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
      <h2 id={`${ids}-title`}>Add a person</h2>
      <label className="field">
        <span>Name</span>
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required maxLength={80} />
      </label>
      <fieldset className="field">
        <legend>Role</legend>
        {ROLE_OPTIONS.map((option) => (
          <label key={option.role} className="choice role-choice">
            <input type="radio" name={`${ids}-role`} value={option.role} checked={role === option.role} onChange={() => setRole(option.role)} aria-describedby={`${ids}-${option.role}`} />
            <span>
              <span className="role-choice__name">{option.label}</span>
              <span className="role-choice__explains muted" id={`${ids}-${option.role}`}>
                {option.explains}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <CredentialFields draft={credential} onChange={setCredential} legend="Signs in with" prefix="" />
      {outcome?.kind === 'mismatch' ? <TypingProblem message={outcome.message} /> : null}
      {outcome?.kind === 'refused' ? <ErrorNotice error={outcome.error} /> : null}
      {outcome?.kind === 'added' ? (
        <p className="notice notice--ok notice__message" role="status">
          <span aria-hidden="true">✓</span> {outcome.person.name} was added as {ROLE_PHRASE[outcome.person.role]} and can sign in now.
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Adding…' : 'Add person'}
        </button>
      </div>
    </form>
  );
}
