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

const DIAGNOSTICS_REFRESH_MS = 10_000;

const loadNetwork = () => call('diagnostics.network', {});

function Header() {
  return (
    <header className="page-header">
      <h1 id="diagnostics-title">Diagnostics</h1>
      <p className="muted">What this kiosk may connect to, and what Airlock stopped. For IT when something will not publish.</p>
    </header>
  );
}

export function DiagnosticsScreen() {
  const training = useAppStore((s) => s.info?.trainingMode ?? false);
  const { state, refresh } = useApiResult(loadNetwork, DIAGNOSTICS_REFRESH_MS);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
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
          <p className="empty-state__title">Only approvers and administrators can see diagnostics</p>
          <p className="muted">If something will not publish, ask one of them or IT to look here for you.</p>
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
          Loading diagnostics…
        </p>
      ) : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} /> : null}

      {network ? (
        <>
          <section aria-labelledby="allowed-hosts-title" className="card">
            <h2 id="allowed-hosts-title">Network: this kiosk may reach only these hosts</h2>
            <p className="muted">Derived from the platforms the policy enables, on the secure web port (443). Every other connection is refused and listed below.</p>
            {network.allowedHosts.length > 0 ? (
              <ul className="host-list" aria-labelledby="allowed-hosts-title">
                {network.allowedHosts.map((host) => (
                  <li key={host}>
                    <code>{host}</code>
                  </li>
                ))}
              </ul>
            ) : (
              <p>None: no platform is enabled, so this kiosk connects to nothing.</p>
            )}
            {network.loopbackAllowed ? (
              <p className="host-note" data-testid="loopback-note">
                <span aria-hidden="true">ℹ</span>{' '}
                {training
                  ? 'Training mode: this computer itself (loopback, 127.0.0.1) is also allowed, so the built-in platform simulators work. Nothing leaves this machine.'
                  : 'This computer itself (loopback, 127.0.0.1) is also allowed, for test simulators.'}
              </p>
            ) : null}
          </section>

          <section aria-labelledby="refusals-title" className="stack">
            <div className="diagnostics-toolbar">
              <h2 id="refusals-title">Refused connections</h2>
              <p className="muted" data-testid="diagnostics-checked">
                Checked at {state.phase === 'ready' ? <time dateTime={state.checkedAt.toISOString()}>{state.checkedAt.toLocaleTimeString()}</time> : null}; updates every 10
                seconds.
              </p>
              <button type="button" className="button button--secondary" onClick={refresh} disabled={state.phase === 'ready' && state.refreshing}>
                {state.phase === 'ready' && state.refreshing ? 'Refreshing…' : 'Refresh'}
              </button>
            </div>
            {state.phase === 'ready' && state.refreshError ? <ErrorNotice error={state.refreshError} /> : null}

            {refusals.length === 0 ? (
              <div className="empty-state" data-testid="refusals-empty">
                <p className="empty-state__title">No connection has been refused since Airlock started.</p>
                <p className="muted">If a part of Airlock tries to reach a host that is not on the list above, it is stopped and shown here.</p>
              </div>
            ) : (
              <div className="audit-table-wrap">
                <table className="audit-table refusals-table">
                  <caption>
                    {refusals.length === 1 ? '1 refused connection' : `${refusals.length.toLocaleString()} refused connections`} since Airlock started, newest first. Times
                    are in the kiosk’s time zone ({KIOSK_TIME_ZONE}).
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Server</th>
                      <th scope="col">Address</th>
                      <th scope="col">Asked by</th>
                      <th scope="col">Why it was refused</th>
                      <th scope="col">
                        <span className="offscreen-label">Details for IT</span>
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
                            <td>{r.address ? <code>{r.address}</code> : <span className="muted">Not looked up</span>}</td>
                            <td>{requesterLabel(r.requester)}</td>
                            <td className="refusals-table__reason">{r.reason}</td>
                            <td className="audit-table__toggle">
                              <button type="button" className="button button--secondary" aria-expanded={expanded} aria-controls={expanded ? detailsId : undefined} onClick={() => toggle(r.seq)}>
                                {expanded ? 'Hide' : 'Details'}
                                <span className="offscreen-label"> for the refusal of {where}</span>
                              </button>
                            </td>
                          </tr>
                          {expanded ? (
                            <tr id={detailsId} className="audit-table__details">
                              <td colSpan={6}>
                                <dl className="facts refusal-details">
                                  <dt>Code</dt>
                                  <dd>
                                    <code>{r.code}</code>
                                  </dd>
                                  <dt>Detail</dt>
                                  <dd>{r.detail ? <code>{r.detail}</code> : 'None recorded'}</dd>
                                  <dt>Requester</dt>
                                  <dd>
                                    <code>{r.requester}</code>
                                  </dd>
                                  <dt>Time (UTC)</dt>
                                  <dd>
                                    <code>{r.at}</code>
                                  </dd>
                                  <dt>Refusal number</dt>
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
