// "Check the log's integrity": recomputes the hash chain on the kiosk and says, with an icon and
// words, whether every entry is as it was written or which entry broke the chain first.
import { useState } from 'react';
import type { MethodResult } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { call } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { asErrorValue } from './use-audit-log.ts';

type Verdict = MethodResult<'audit.verify'>;
type CheckState = { state: 'idle' } | { state: 'checking' } | { state: 'done'; verdict: Verdict } | { state: 'failed'; error: AirlockErrorValue };

function breakSentence(v: Verdict): string {
  const n = v.firstBroken ?? '?';
  switch (v.reason) {
    case 'missing':
      return `Entry ${n} is missing`;
    case 'reordered':
      return `Entry ${n} is out of order`;
    case 'truncated':
      return `Entries from ${n} on were removed`;
    case 'rewritten':
      return `The log was rewritten at or before entry ${n}`;
    default:
      return `Entry ${n} was altered`;
  }
}

export function IntegrityCheck() {
  const [check, setCheck] = useState<CheckState>({ state: 'idle' });
  const run = () => {
    setCheck({ state: 'checking' });
    call('audit.verify', {}).then(
      (verdict) => setCheck({ state: 'done', verdict }),
      (err: unknown) => setCheck({ state: 'failed', error: asErrorValue(err) }),
    );
  };
  return (
    <div className="audit-integrity">
      <button type="button" className="button button--secondary" onClick={run} disabled={check.state === 'checking'}>
        {check.state === 'checking' ? 'Checking the log…' : 'Check the log’s integrity'}
      </button>
      <div role="status" data-testid="audit-integrity">
        {check.state === 'done' && check.verdict.ok ? (
          <p className="notice notice--ok notice__message">
            <span aria-hidden="true">✓</span> {check.verdict.entries.toLocaleString()} {check.verdict.entries === 1 ? 'entry' : 'entries'}, chain intact
          </p>
        ) : null}
        {check.state === 'done' && !check.verdict.ok ? (
          <div className="notice notice--error">
            <p className="notice__message">
              <span aria-hidden="true">✕</span> {breakSentence(check.verdict)}
            </p>
            <p>The log was changed after it was written. Tell IT now, so they can keep a copy of it as it is.</p>
          </div>
        ) : null}
      </div>
      {check.state === 'failed' ? <ErrorNotice error={check.error} /> : null}
    </div>
  );
}
