// Sign-in, first-run set-up and the locked screen: the only screens shown to someone who is
// not signed in. Names are large buttons for a standing, touch-screen kiosk.
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useStaffStore } from '../state/staff-store.ts';
import { TrainingPeople } from '../training/TrainingPeople.tsx';

export function FirstRunScreen() {
  const { createFirstAdmin, error } = useStaffStore();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'pin' | 'passphrase'>('pin');
  const [secret, setSecret] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (secret !== again) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    void createFirstAdmin(name, kind, secret);
  };
  return (
    <section aria-labelledby="first-run-title" className="stack narrow">
      <h1 id="first-run-title">Set up this kiosk</h1>
      <p className="muted">Create the first administrator. They can then add the other staff who use this kiosk.</p>
      <form className="form stack" onSubmit={submit}>
        <label className="field">
          <span>Your name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required maxLength={80} />
        </label>
        <fieldset className="field">
          <legend>Sign in with</legend>
          <label className="choice">
            <input type="radio" name="kind" checked={kind === 'pin'} onChange={() => setKind('pin')} /> A PIN of at least 6 digits
          </label>
          <label className="choice">
            <input type="radio" name="kind" checked={kind === 'passphrase'} onChange={() => setKind('passphrase')} /> A passphrase of at least 10 characters
          </label>
        </fieldset>
        <label className="field">
          <span>{kind === 'pin' ? 'PIN' : 'Passphrase'}</span>
          <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} inputMode={kind === 'pin' ? 'numeric' : 'text'} autoComplete="new-password" required />
        </label>
        <label className="field">
          <span>The same again</span>
          <input type="password" value={again} onChange={(e) => setAgain(e.target.value)} inputMode={kind === 'pin' ? 'numeric' : 'text'} autoComplete="new-password" required />
        </label>
        {mismatch ? <ErrorNotice error={{ code: 'staff.mismatch', message: 'The two entries are different. Type them again.' }} /> : null}
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button">
          Create administrator and sign in
        </button>
      </form>
    </section>
  );
}

export function SignInScreen() {
  const { status, signIn, error, lockedForIdle } = useStaffStore();
  const [chosen, setChosen] = useState<string | null>(null);
  const [secret, setSecret] = useState('');
  const person = status?.choices.find((c) => c.id === chosen) ?? null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    void signIn(chosen, secret).then(() => setSecret(''));
  };
  return (
    <section aria-labelledby="sign-in-title" className="stack narrow">
      <h1 id="sign-in-title">{lockedForIdle ? 'Airlock is locked' : 'Sign in'}</h1>
      <p className="muted">
        {lockedForIdle ? 'You were signed out because the kiosk was not used for a while. ' : ''}Choose your name. Everything you do is recorded under it.
      </p>
      <ul className="people" aria-label="Staff">
        {status?.choices.map((c) => (
          <li key={c.id}>
            <button type="button" className="person" aria-pressed={chosen === c.id} onClick={() => setChosen(c.id)}>
              {c.name}
              {c.lockedUntil ? <span className="muted"> · locked</span> : null}
            </button>
          </li>
        ))}
      </ul>
      <TrainingPeople />
      {person ? (
        <form className="form stack" onSubmit={submit}>
          <label className="field">
            <span>{person.credentialKind === 'pin' ? `PIN for ${person.name}` : `Passphrase for ${person.name}`}</span>
            <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} inputMode={person.credentialKind === 'pin' ? 'numeric' : 'text'} autoComplete="off" autoFocus required />
          </label>
          <button type="submit" className="button">
            Sign in
          </button>
        </form>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
