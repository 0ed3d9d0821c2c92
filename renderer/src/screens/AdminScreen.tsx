// The kiosk policy, read-only: where it came from and every setting in force, grouped and in
// plain words, each marked as set by IT's policy file, Airlock's default or training mode.
// Everyone signed in may read it; nobody can change it here.
import type { MethodResult } from '../../../common/contract.ts';
import { call } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useAppStore } from '../state/app-store.ts';
import { ExitKiosk } from './admin/ExitKiosk.tsx';
import { OriginBadge } from './admin/OriginBadge.tsx';
import { groupSettings, policyLocationFor, type ShownValue } from './admin/policy-words.ts';
import { useApiResult } from './admin/use-api-result.ts';
import { Trans, useTranslation } from '../i18n/index.ts';

type AdminPolicy = MethodResult<'admin.policy'>;

const loadPolicy = () => call('admin.policy', {});

function Header() {
  const { t } = useTranslation();
  return (
    <header className="page-header">
      <h1 id="policy-title">{t('policy.title')}</h1>
      <p className="muted">
        <Trans i18nKey="policy.intro" components={{ code: <code /> }} />
      </p>
    </header>
  );
}

function Value({ shown }: { shown: ShownValue }) {
  if (shown.kind === 'text') return shown.mono ? <code className="policy-value--mono">{shown.text}</code> : <>{shown.text}</>;
  if (shown.items.length === 0) return <span className="muted">{shown.empty}</span>;
  return (
    <ul className={shown.mono ? 'policy-list policy-value--mono' : 'policy-list'}>
      {shown.items.map((item, i) => (
        <li key={i}>{item}</li>
      ))}
    </ul>
  );
}

function PolicySource({ policy }: { policy: AdminPolicy }) {
  const platform = useAppStore((s) => s.info?.platform);
  const fromFile = policy.settings.filter((s) => s.from === 'policy file').length;
  const { t } = useTranslation();
  if (policy.source === 'file') {
    return (
      <div className="notice notice--ok policy-source" data-testid="policy-source">
        <p className="notice__message">
          <span aria-hidden="true">■</span> {t('policy.fileInForce')}
        </p>
        <p>
          <Trans i18nKey="policy.readFrom" values={{ path: policy.path, set: fromFile, count: policy.settings.length }} components={{ code: <code /> }} />
        </p>
      </div>
    );
  }
  const location = policyLocationFor(platform);
  return (
    <div className="notice notice--warning policy-source" data-testid="policy-source">
      <p className="notice__message">
        <span aria-hidden="true">⚠</span> {t('policy.noFile')}
      </p>
      <p>{location ? <Trans i18nKey="policy.notManagedAt" values={{ location }} components={{ code: <code /> }} /> : t('policy.notManaged')}</p>
    </div>
  );
}

export function AdminScreen() {
  const { state } = useApiResult(loadPolicy);
  const { t } = useTranslation();
  return (
    <section aria-labelledby="policy-title" className="stack policy-screen">
      <Header />
      {state.phase === 'loading' ? (
        <p className="muted" role="status">
          {t('policy.loading')}
        </p>
      ) : null}
      {state.phase === 'forbidden' || state.phase === 'failed' ? <ErrorNotice error={state.error} /> : null}
      {state.phase === 'ready' ? (
        <>
          <PolicySource policy={state.value} />
          <ExitKiosk />
          {groupSettings(state.value.settings).map((group) => (
            <div className="policy-table-wrap" key={group.section}>
              <table className="policy-table">
                <caption>
                  <h2>{t(`policy.sections.${group.section}`)}</h2>
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('policy.setting')}</th>
                    <th scope="col">{t('policy.value')}</th>
                    <th scope="col">{t('policy.origin')}</th>
                  </tr>
                </thead>
                <tbody>
                  {group.settings.map((s) => (
                    <tr key={s.path} data-path={s.path}>
                      <th scope="row">{s.label}</th>
                      <td className="policy-table__value">
                        <Value shown={s.shown} />
                      </td>
                      <td className="policy-table__origin">
                        <OriginBadge from={s.from} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </>
      ) : null}
    </section>
  );
}
