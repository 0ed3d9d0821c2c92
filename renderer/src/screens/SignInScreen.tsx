// Sign-in, first-run set-up and the locked screen: the only screens shown to someone who is
// not signed in. Names are large buttons for a standing, touch-screen kiosk.
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useStaffStore } from '../state/staff-store.ts';
import { TrainingPeople } from '../training/TrainingPeople.tsx';
import { useTranslation } from '../i18n/index.ts';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';

export function FirstRunScreen() {
  const { createFirstAdmin, error } = useStaffStore();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'pin' | 'passphrase'>('pin');
  const [secret, setSecret] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const { t } = useTranslation();
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
      <LanguageSwitch />
      <h1 id="first-run-title">{t('firstRun.title')}</h1>
      <p className="muted">{t('firstRun.intro')}</p>
      <form className="form stack" onSubmit={submit}>
        <label className="field">
          <span>{t('firstRun.name')}</span>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required maxLength={80} />
        </label>
        <fieldset className="field">
          <legend>{t('firstRun.signInWith')}</legend>
          <label className="choice">
            <input type="radio" name="kind" checked={kind === 'pin'} onChange={() => setKind('pin')} /> {t('firstRun.pinChoice')}
          </label>
          <label className="choice">
            <input type="radio" name="kind" checked={kind === 'passphrase'} onChange={() => setKind('passphrase')} /> {t('firstRun.passphraseChoice')}
          </label>
        </fieldset>
        <label className="field">
          <span>{kind === 'pin' ? t('firstRun.pin') : t('firstRun.passphrase')}</span>
          <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} inputMode={kind === 'pin' ? 'numeric' : 'text'} autoComplete="new-password" required />
        </label>
        <label className="field">
          <span>{t('firstRun.again')}</span>
          <input type="password" value={again} onChange={(e) => setAgain(e.target.value)} inputMode={kind === 'pin' ? 'numeric' : 'text'} autoComplete="new-password" required />
        </label>
        {mismatch ? <ErrorNotice error={{ code: 'staff.mismatch', message: t('errors.staff.mismatch') }} /> : null}
        {error ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="button">
          {t('firstRun.submit')}
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
  const { t } = useTranslation();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    void signIn(chosen, secret).then(() => setSecret(''));
  };
  return (
    <section aria-labelledby="sign-in-title" className="stack narrow">
      <LanguageSwitch />
      <h1 id="sign-in-title">{lockedForIdle ? t('signIn.lockedTitle') : t('signIn.title')}</h1>
      <p className="muted">
        {lockedForIdle ? `${t('signIn.lockedWhy')} ` : ''}
        {t('signIn.choose')}
      </p>
      <ul className="people" aria-label={t('signIn.staff')}>
        {status?.choices.map((c) => (
          <li key={c.id}>
            <button type="button" className="person" aria-pressed={chosen === c.id} onClick={() => setChosen(c.id)}>
              {c.name}
              {c.lockedUntil ? <span className="muted"> · {t('signIn.locked')}</span> : null}
            </button>
          </li>
        ))}
      </ul>
      <TrainingPeople />
      {person ? (
        <form className="form stack" onSubmit={submit}>
          <label className="field">
            <span>{person.credentialKind === 'pin' ? t('signIn.pinFor', { name: person.name }) : t('signIn.passphraseFor', { name: person.name })}</span>
            <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} inputMode={person.credentialKind === 'pin' ? 'numeric' : 'text'} autoComplete="off" autoFocus required />
          </label>
          <button type="submit" className="button">
            {t('signIn.submit')}
          </button>
        </form>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
