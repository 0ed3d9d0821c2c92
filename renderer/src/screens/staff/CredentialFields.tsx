// Choosing a PIN or a passphrase and typing it twice: used when adding a person and when an
// administrator resets a forgotten one. The strength rules are the core's; this only catches typos.
import { useId } from 'react';
import { KIND_LABEL, KIND_WORD, type CredentialKind } from './staff-labels.ts';

export interface CredentialDraft {
  kind: CredentialKind;
  secret: string;
  again: string;
}

export const EMPTY_CREDENTIAL: CredentialDraft = { kind: 'pin', secret: '', again: '' };

/** The sentence to show when the two entries differ, or null when they match. */
export function credentialMismatch(draft: CredentialDraft): string | null {
  return draft.secret === draft.again ? null : `The two ${KIND_WORD[draft.kind]}s are different. Type them again.`;
}

/** A typing slip caught on the kiosk: plain words, nothing for IT to look at. */
export function TypingProblem({ message }: { message: string }) {
  return (
    <p className="notice notice--error notice__message" role="alert">
      <span aria-hidden="true">⚠</span> {message}
    </p>
  );
}

export function CredentialFields({ draft, onChange, legend, prefix }: { draft: CredentialDraft; onChange: (draft: CredentialDraft) => void; legend: string; prefix: string }) {
  const name = useId();
  const word = KIND_LABEL[draft.kind];
  const inputMode = draft.kind === 'pin' ? 'numeric' : 'text';
  const label = prefix ? `${prefix} ${KIND_WORD[draft.kind]}` : word;
  return (
    <>
      <fieldset className="field">
        <legend>{legend}</legend>
        <label className="choice">
          <input type="radio" name={name} checked={draft.kind === 'pin'} onChange={() => onChange({ ...draft, kind: 'pin' })} /> A PIN of at least 6 digits
        </label>
        <label className="choice">
          <input type="radio" name={name} checked={draft.kind === 'passphrase'} onChange={() => onChange({ ...draft, kind: 'passphrase' })} /> A passphrase of at least 10 characters
        </label>
      </fieldset>
      <div className="staff-form__pair">
        <label className="field">
          <span>{label}</span>
          <input type="password" value={draft.secret} onChange={(e) => onChange({ ...draft, secret: e.target.value })} inputMode={inputMode} autoComplete="new-password" required maxLength={256} />
        </label>
        <label className="field">
          <span>{label} again</span>
          <input type="password" value={draft.again} onChange={(e) => onChange({ ...draft, again: e.target.value })} inputMode={inputMode} autoComplete="new-password" required maxLength={256} />
        </label>
      </div>
    </>
  );
}
