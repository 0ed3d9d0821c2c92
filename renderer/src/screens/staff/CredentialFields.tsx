// Choosing a PIN or a passphrase and typing it twice: used when adding a person and when an
// administrator resets a forgotten one. The strength rules are the core's; this only catches typos.
import { useId } from 'react';
import { kindLabel, type CredentialKind } from './staff-labels.ts';
import { t, useTranslation } from '../../i18n/index.ts';

export interface CredentialDraft {
  kind: CredentialKind;
  secret: string;
  again: string;
}

export const EMPTY_CREDENTIAL: CredentialDraft = { kind: 'pin', secret: '', again: '' };

/** The sentence to show when the two entries differ, or null when they match. */
export function credentialMismatch(draft: CredentialDraft): string | null {
  return draft.secret === draft.again ? null : t('staff.credential.mismatch', { words: t(`staff.credential.words.${draft.kind}`) });
}

/** A typing slip caught on the kiosk: plain words, nothing for IT to look at. */
export function TypingProblem({ message }: { message: string }) {
  return (
    <p className="notice notice--error notice__message" role="alert">
      <span aria-hidden="true">⚠</span> {message}
    </p>
  );
}

/** `fresh` labels the fields "New PIN" rather than "PIN". */
export function CredentialFields({ draft, onChange, legend, fresh }: { draft: CredentialDraft; onChange: (draft: CredentialDraft) => void; legend: string; fresh: boolean }) {
  const name = useId();
  const { t } = useTranslation();
  const inputMode = draft.kind === 'pin' ? 'numeric' : 'text';
  const label = fresh ? t(`staff.credential.newLabel.${draft.kind}`) : kindLabel(draft.kind);
  return (
    <>
      <fieldset className="field">
        <legend>{legend}</legend>
        <label className="choice">
          <input type="radio" name={name} checked={draft.kind === 'pin'} onChange={() => onChange({ ...draft, kind: 'pin' })} /> {t('staff.credential.pinChoice')}
        </label>
        <label className="choice">
          <input type="radio" name={name} checked={draft.kind === 'passphrase'} onChange={() => onChange({ ...draft, kind: 'passphrase' })} /> {t('staff.credential.passphraseChoice')}
        </label>
      </fieldset>
      <div className="staff-form__pair">
        <label className="field">
          <span>{label}</span>
          <input type="password" value={draft.secret} onChange={(e) => onChange({ ...draft, secret: e.target.value })} inputMode={inputMode} autoComplete="new-password" required maxLength={256} />
        </label>
        <label className="field">
          <span>{t('staff.credential.again', { label })}</span>
          <input type="password" value={draft.again} onChange={(e) => onChange({ ...draft, again: e.target.value })} inputMode={inputMode} autoComplete="new-password" required maxLength={256} />
        </label>
      </div>
    </>
  );
}
