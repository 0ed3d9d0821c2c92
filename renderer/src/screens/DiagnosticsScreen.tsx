// Diagnostics for IT: the only hosts this kiosk may reach, and every connection Airlock refused
// since it started, with which part of the app asked and why. Refreshes itself every 10 seconds.
// Approvers and administrators may read it; the core refuses authors and the screen says so.
import { Fragment, useState } from 'react';
import { call } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useAppStore } from '../state/app-store.ts';
import { formatAuditTime, KIOSK_TIME_ZONE } from './audit/audit-format.ts';
import { hostAndPort, requesterLabel } from './admin/network-words.ts';
import { useApiResult } from './admin/use-api-result.ts';
import { formatTime } from '../format.ts';
import { staffMessage, useTranslation } from '../i18n/index.ts';

const DIAGNOSTICS_REFRESH_MS = 10_000;

const loadNetwork = () => call('diagnostics.network', {});

function Header() {
  const { t } = useTranslation();
  return (
    <header className="page-header">
      <h1 id="diagnostics-title">{t('diagnostics.title')}</h1>
      <p className="muted">{t('diagnostics.intro')}</p>
    </header>
  );
}

export function DiagnosticsScreen() {
  const training = useAppStore((s) => s.info?.trainingMode ?? false);
  const { state, refresh } = useApiResult(loadNetwork, DIAGNOSTICS_REFRESH_MS);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const { t } = useTranslation();
  const toggle = (seq: number) =>
    setOpen((was) => {
      const next = new Set(was);
      if (!next.delete(seq)) next.add(seq);
      return next;
    });

  if (state.phase === 'forbidden') {
    return (
      <section aria-labelledby="diagnostics-title" className="stack">
        <Header />
        <div className="empty-state" data-testid="diagnostics-forbidden">
          <p className="empty-state__title">{t('diagnostics.forbidden')}</p>
          <p className="muted">{t('diagnostics.forbiddenHint')}</p>
        </div>
      </section>
    );
  }

  const network = state.phase === 'ready' ? state.value : null;
  const refusals = network ? [...network.refusals].sort((a, b) => b.seq - a.seq) : [];

  return (
    <section aria-labelledby="diagnostics-title" className="stack diagnostics-screen">
      <Header />
      {state.phase === 'loading' ? (
        <p className="muted" role="status">
          {t('diagnostics.loading')}
        </p>
      ) : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} /> : null}

      {network ? (
        <>
          <section aria-labelledby="allowed-hosts-title" className="card">
            <h2 id="allowed-hosts-title">{t('diagnostics.allowedTitle')}</h2>
            <p className="muted">{t('diagnostics.allowedIntro')}</p>
            {network.allowedHosts.length > 0 ? (
              <ul className="host-list" aria-labelledby="allowed-hosts-title">
                {network.allowedHosts.map((host) => (
                  <li key={host}>
                    <code>{host}</code>
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t('diagnostics.noHosts')}</p>
            )}
            {network.loopbackAllowed ? (
              <p className="host-note" data-testid="loopback-note">
                <span aria-hidden="true">ℹ</span>{' '}
                {training ? t('diagnostics.loopbackTraining') : t('diagnostics.loopback')}
              </p>
            ) : null}
          </section>

          <section aria-labelledby="refusals-title" className="stack">
            <div className="diagnostics-toolbar">
              <h2 id="refusals-title">{t('diagnostics.refusedTitle')}</h2>
              <p className="muted" data-testid="diagnostics-checked">
                {t('diagnostics.checkedAt')} {state.phase === 'ready' ? <time dateTime={state.checkedAt.toISOString()}>{formatTime(state.checkedAt)}</time> : null};{' '}
                {t('diagnostics.updates')}
              </p>
              <button type="button" className="button button--secondary" onClick={refresh} disabled={state.phase === 'ready' && state.refreshing}>
                {state.phase === 'ready' && state.refreshing ? t('diagnostics.refreshing') : t('diagnostics.refresh')}
              </button>
            </div>
            {state.phase === 'ready' && state.refreshError ? <ErrorNotice error={state.refreshError} /> : null}

            {refusals.length === 0 ? (
              <div className="empty-state" data-testid="refusals-empty">
                <p className="empty-state__title">{t('diagnostics.noRefusals')}</p>
                <p className="muted">{t('diagnostics.noRefusalsHint')}</p>
              </div>
            ) : (
              <div className="audit-table-wrap">
                <table className="audit-table refusals-table">
                  <caption>
                    {t('diagnostics.caption', { count: refusals.length, zone: KIOSK_TIME_ZONE })}
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('diagnostics.when')}</th>
                      <th scope="col">{t('diagnostics.server')}</th>
                      <th scope="col">{t('diagnostics.address')}</th>
                      <th scope="col">{t('diagnostics.askedBy')}</th>
                      <th scope="col">{t('diagnostics.why')}</th>
                      <th scope="col">
                        <span className="offscreen-label">{t('errorNotice.detailsForIt')}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {refusals.map((r) => {
                      const expanded = open.has(r.seq);
                      const detailsId = `refusal-${r.seq}`;
                      const where = hostAndPort(r.host, r.port);
                      return (
                        <Fragment key={r.seq}>
                          <tr className={expanded ? 'audit-table__row is-open' : 'audit-table__row'} data-code={r.code}>
                            <th scope="row" className="audit-table__time">
                              <time dateTime={r.at}>{formatAuditTime(r.at)}</time>
                            </th>
                            <td className="refusals-table__host">
                              <code>{where}</code>
                            </td>
                            <td>{r.address ? <code>{r.address}</code> : <span className="muted">{t('diagnostics.notLookedUp')}</span>}</td>
                            <td>{requesterLabel(r.requester)}</td>
                            <td className="refusals-table__reason">{staffMessage(r.code, r.reason)}</td>
                            <td className="audit-table__toggle">
                              <button type="button" className="button button--secondary" aria-expanded={expanded} aria-controls={expanded ? detailsId : undefined} onClick={() => toggle(r.seq)}>
                                {expanded ? t('diagnostics.hide') : t('diagnostics.details')}
                                <span className="offscreen-label">{t('diagnostics.forRefusal', { where })}</span>
                              </button>
                            </td>
                          </tr>
                          {expanded ? (
                            <tr id={detailsId} className="audit-table__details">
                              <td colSpan={6}>
                                <dl className="facts refusal-details">
                                  <dt>{t('diagnostics.code')}</dt>
                                  <dd>
                                    <code>{r.code}</code>
                                  </dd>
                                  <dt>{t('diagnostics.detail')}</dt>
                                  <dd>{r.detail ? <code>{r.detail}</code> : t('diagnostics.noneRecorded')}</dd>
                                  <dt>{t('diagnostics.requester')}</dt>
                                  <dd>
                                    <code>{r.requester}</code>
                                  </dd>
                                  <dt>{t('diagnostics.timeUtc')}</dt>
                                  <dd>
                                    <code>{r.at}</code>
                                  </dd>
                                  <dt>{t('diagnostics.seq')}</dt>
                                  <dd>{r.seq}</dd>
                                </dl>
                              </td>
                            </tr>
                          ) : null}
                        </Fragment>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      ) : null}
    </section>
  );
}
