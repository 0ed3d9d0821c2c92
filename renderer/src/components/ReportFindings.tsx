// The lines of a sanitisation report: what was removed, or what a person should check, in the
// active language. A line the catalogue cannot say yet shows the service's English sentence, and
// its code is one click away for IT.
import type { SanitizeFinding } from '../../../common/sanitize-report.ts';
import { useTranslation } from '../i18n/index.ts';
import { findingText, findingTranslated } from '../i18n/service-text.ts';

export function FindingLine({ finding }: { finding: SanitizeFinding }) {
  const { t } = useTranslation();
  return (
    <>
      {findingText(finding)}
      {findingTranslated(finding) ? null : (
        <details className="notice__details report__details">
          <summary>{t('errorNotice.detailsForIt')}</summary>
          <code>{finding.code ?? finding.kind}</code>
        </details>
      )}
    </>
  );
}

/** What the sanitiser removed, one line each. */
export function ReportFindings({ findings, testId }: { findings: SanitizeFinding[]; testId?: string }) {
  return (
    <ul className="report" data-testid={testId}>
      {findings.map((f, i) => (
        <li key={i} data-code={f.code ?? f.kind}>
          <FindingLine finding={f} />
        </li>
      ))}
    </ul>
  );
}
