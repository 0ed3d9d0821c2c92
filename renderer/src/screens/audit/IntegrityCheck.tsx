// "Check the log's integrity": recomputes the hash chain on the kiosk and says, with an icon and
// words, whether every entry is as it was written or which entry broke the chain first.
import { useState } from 'react';
import type { MethodResult } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { call } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { asErrorValue } from './use-audit-log.ts';
import { t, useTranslation } from '../../i18n/index.ts';

type Verdict = MethodResult<'audit.verify'>;
type CheckState = { state: 'idle' } | { state: 'checking' } | { state: 'done'; verdict: Verdict } | { state: 'failed'; error: AirlockErrorValue };

function breakSentence(v: Verdict): string {
  const n = v.firstBroken ?? '?';
  switch (v.reason) {
    case 'missing':
      return t('audit.integrity.missing', { n });
    case 'reordered':
      return t('audit.integrity.reordered', { n });
    case 'truncated':
      return t('audit.integrity.truncated', { n });
    case 'rewritten':
      return t('audit.integrity.rewritten', { n });
    default:
      return t('audit.integrity.altered', { n });
  }
}

export function IntegrityCheck() {
  const [check, setCheck] = useState<CheckState>({ state: 'idle' });
  const { t } = useTranslation();
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
        {check.state === 'checking' ? t('audit.integrity.checking') : t('audit.integrity.check')}
      </button>
      <div role="status" data-testid="audit-integrity">
        {check.state === 'done' && check.verdict.ok ? (
          <p className="notice notice--ok notice__message">
            <span aria-hidden="true">✓</span> {t('audit.integrity.intact', { count: check.verdict.entries })}
          </p>
        ) : null}
        {check.state === 'done' && !check.verdict.ok ? (
          <div className="notice notice--error">
            <p className="notice__message">
              <span aria-hidden="true">✕</span> {breakSentence(check.verdict)}
            </p>
            <p>{t('audit.integrity.tellIt')}</p>
          </div>
        ) : null}
      </div>
      {check.state === 'failed' ? <ErrorNotice error={check.error} /> : null}
    </div>
  );
}
