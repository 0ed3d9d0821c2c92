// Each target platform's verdict on the post: counters measured the way that platform counts,
// blocking problems (red, ✕) and things worth a second look (amber, ⚠).
import type { PlatformCheck } from '../../../../common/contract.ts';
import { formatNumber } from '../../format.ts';
import { platformName } from './post-words.ts';
import { t } from '../../i18n/index.ts';
import { counterLabel, ruleText } from '../../i18n/rule-text.ts';

export function IssueList({ checks, field }: { checks: PlatformCheck[]; field?: (f: string) => boolean }) {
  const pick = (list: PlatformCheck['errors']) => (field ? list.filter((i) => field(i.field)) : list);
  const errors = checks.flatMap((c) => pick(c.errors).map((i) => ({ ...i, platform: c.platform })));
  const warnings = checks.flatMap((c) => pick(c.warnings).map((i) => ({ ...i, platform: c.platform })));
  if (errors.length === 0 && warnings.length === 0) return null;
  return (
    <ul className="check-issues">
      {errors.map((i, n) => (
        <li key={`e${n}`} className="check-issue check-issue--error">
          <span aria-hidden="true">✕</span> <span className="visually-hidden">{t('posts.checks.mustFix')}</span>
          {ruleText(i)}
        </li>
      ))}
      {warnings.map((i, n) => (
        <li key={`w${n}`} className="check-issue check-issue--warning">
          <span aria-hidden="true">⚠</span> <span className="visually-hidden">{t('posts.checks.check')}</span>
          {ruleText(i)}
        </li>
      ))}
    </ul>
  );
}

export function ChecksPanel({ checks, checking }: { checks: PlatformCheck[]; checking: boolean }) {
  if (checks.length === 0) return <p className="muted">{t('posts.checks.chooseTargets')}</p>;
  return (
    <ul className="checks" aria-busy={checking} data-testid="checks">
      {checks.map((c) => {
        const blocked = c.errors.length > 0;
        const [main, ...more] = c.counters;
        return (
          <li key={c.platform} className="checks__platform">
            <p className="checks__head">
              <span className={`counter${main && main.used > main.limit ? ' counter--over' : ''}`} data-testid={`counter-${c.platform}`}>
                <span className="checks__name">{platformName(c.platform)}</span>
                {main ? (
                  <>
                    {' '}
                    {formatNumber(main.used)}/{formatNumber(main.limit)} <span className="counter__label">{counterLabel(main.label)}</span>
                  </>
                ) : null}
              </span>
              <span className={`checks__verdict ${blocked ? 'checks__verdict--error' : 'checks__verdict--ok'}`}>
                <span aria-hidden="true">{blocked ? '✕' : '✓'}</span> {blocked ? t('posts.checks.toFix', { count: c.errors.length }) : t('posts.checks.ready')}
              </span>
            </p>
            {more.map((k) => (
              <p key={k.label} className={`counter counter--more${k.used > k.limit ? ' counter--over' : ''}`}>
                <span className="counter__label">{counterLabel(k.label)}</span> {formatNumber(k.used)}/{formatNumber(k.limit)}
              </p>
            ))}
            <IssueList checks={[c]} />
          </li>
        );
      })}
    </ul>
  );
}
