// Platform accounts (administrators): which accounts this kiosk publishes to and the health of
// each sign-in, connecting new ones on the platform's own page (or with an app password),
// reconnecting, and disconnecting with a confirmation that names the account. Tokens never reach
// this screen; it sees only names, permissions and dates.
import { useCallback, useState } from 'react';
import type { AccountHealth, MethodResult } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { call } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { formatDateTime } from '../format.ts';
import { staffMessage, useTranslation } from '../i18n/index.ts';
import { ConnectAppPassword, ConnectOAuth, useConnect, WaitingPanel } from './accounts/ConnectPanel.tsx';
import { useApiResult } from './admin/use-api-result.ts';
import { asErrorValue } from './audit/use-audit-log.ts';
import { Dialog } from './posts/Dialog.tsx';

type Listing = MethodResult<'accounts.list'>;
type Disconnected = MethodResult<'accounts.disconnect'>;

const loadAccounts = () => call('accounts.list', {});

const STATUS_MARK = { healthy: '✓', expiring: '!', expired: '✕', 'needs-reconnect': '✕' } as const;
/** The core explains each status in English; other languages show the catalogue's sentence for it. */
const STATUS_CODE = { healthy: 'accounts.status-healthy', expiring: 'accounts.status-expiring', expired: 'accounts.status-expired', 'needs-reconnect': 'accounts.status-needs-reconnect' } as const;

export function AccountsScreen() {
  const { t } = useTranslation();
  const { state, refresh } = useApiResult<Listing>(loadAccounts);
  const connect = useConnect(refresh);
  const [confirm, setConfirm] = useState<AccountHealth | null>(null);
  const [result, setResult] = useState<{ name: string; value: Disconnected } | { name: string; error: AirlockErrorValue } | null>(null);
  const [busy, setBusy] = useState(false);

  const endsSignIn = useCallback((platform: string) => (state.phase === 'ready' ? (state.value.platforms.find((p) => p.platform === platform)?.endsSignIn ?? true) : true), [state]);
  const labelOf = useCallback((platform: string) => (state.phase === 'ready' ? (state.value.platforms.find((p) => p.platform === platform)?.label ?? platform) : platform), [state]);

  const disconnect = (account: AccountHealth) => {
    setBusy(true);
    call('accounts.disconnect', { platform: account.platform as never, accountId: account.accountId }).then(
      (value) => {
        setBusy(false);
        setConfirm(null);
        setResult({ name: account.displayName, value });
        refresh();
      },
      (err: unknown) => {
        setBusy(false);
        setConfirm(null);
        setResult({ name: account.displayName, error: asErrorValue(err) });
      },
    );
  };

  const header = (
    <header className="page-header">
      <h1 id="accounts-title">{t('accounts.title')}</h1>
      <p className="muted">{t('accounts.intro')}</p>
    </header>
  );

  if (state.phase === 'forbidden') {
    return (
      <section aria-labelledby="accounts-title" className="stack">
        {header}
        <div className="empty-state" data-testid="accounts-forbidden">
          <p className="empty-state__title">{t('accounts.forbidden')}</p>
          <p className="muted">{t('accounts.forbiddenHint')}</p>
        </div>
      </section>
    );
  }

  const waiting = connect.state.phase === 'waiting' || connect.state.phase === 'starting';
  return (
    <section aria-labelledby="accounts-title" className="stack">
      {header}
      {state.phase === 'loading' ? (
        <p className="muted" role="status">
          {t('accounts.loading')}
        </p>
      ) : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} /> : null}
      {state.phase === 'ready' && !state.value.keychain.available ? (
        <div className="notice notice--error" role="alert" data-testid="keychain-unavailable">
          <p className="notice__message">{state.value.keychain.message}</p>
        </div>
      ) : null}
      {result && 'value' in result ? (
        result.value.problem ? (
          <div className="notice notice--warning" role="alert" data-testid="disconnect-result">
            <p className="notice__message">{t('accounts.disconnect.doneWithProblem', { name: result.name })}</p>
            <p>{result.value.problem.message}</p>
            <details className="notice__details">
              <summary>{t('errorNotice.detailsForIt')}</summary>
              <pre>{result.value.problem.detail}</pre>
            </details>
          </div>
        ) : (
          <p className="notice notice--ok notice__message" role="status" data-testid="disconnect-result">
            <span aria-hidden="true">✓</span> {t('accounts.disconnect.done', { name: result.name })}
          </p>
        )
      ) : null}
      {result && 'error' in result ? <ErrorNotice error={result.error} /> : null}
      {state.phase === 'ready' ? (
        state.value.accounts.length === 0 ? (
          <div className="empty-state" data-testid="accounts-empty">
            <p className="empty-state__title">{t('accounts.empty')}</p>
            <p className="muted">{t('accounts.emptyHint')}</p>
          </div>
        ) : (
          <div className="staff-table-wrap">
            <table className="staff-table accounts-table">
              <caption>{t('accounts.caption', { count: state.value.accounts.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('accounts.col.account')}</th>
                  <th scope="col">{t('accounts.col.platform')}</th>
                  <th scope="col">{t('accounts.col.status')}</th>
                  <th scope="col">{t('accounts.col.validUntil')}</th>
                  <th scope="col">{t('accounts.col.lastPost')}</th>
                  <th scope="col">{t('accounts.col.permissions')}</th>
                  <th scope="col">{t('accounts.col.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {state.value.accounts.map((a) => (
                  <tr key={`${a.platform}:${a.accountId}`} data-testid={`account-${a.platform}`}>
                    <th scope="row">{a.displayName}</th>
                    <td>{labelOf(a.platform)}</td>
                    <td className={a.status === 'healthy' ? 'staff-table__status' : 'staff-table__status staff-table__status--off'}>
                      <span aria-hidden="true">{STATUS_MARK[a.status]}</span> <strong>{t(`accounts.status.${a.status}`)}</strong>
                      <br />
                      <small>{staffMessage(STATUS_CODE[a.status], a.statusReason)}</small>
                    </td>
                    <td>
                      {a.accessExpiresAt ? (
                        <>
                          {t('accounts.access')}: {formatDateTime(a.accessExpiresAt)}
                        </>
                      ) : (
                        t('accounts.noExpiry')
                      )}
                      {a.refreshExpiresAt ? (
                        <>
                          <br />
                          {t('accounts.renewable')}: {formatDateTime(a.refreshExpiresAt)}
                        </>
                      ) : null}
                    </td>
                    <td>{a.lastSuccessAt ? formatDateTime(a.lastSuccessAt) : t('accounts.never')}</td>
                    <td>{a.scopes.length > 0 ? a.scopes.join(', ') : '—'}</td>
                    <td>
                      <div className="actions staff-table__actions">
                        <button
                          type="button"
                          className="button button--secondary"
                          disabled={waiting}
                          onClick={() => {
                            setResult(null);
                            if (a.platform === 'bluesky') document.getElementById('connect-bluesky')?.querySelector('input')?.focus();
                            else connect.reconnect(a, labelOf(a.platform));
                          }}
                        >
                          {t('accounts.reconnect')}
                          <span className="offscreen-label"> {a.displayName}</span>
                        </button>
                        <button
                          type="button"
                          className="button button--secondary"
                          disabled={waiting}
                          onClick={() => {
                            setResult(null);
                            setConfirm(a);
                          }}
                        >
                          {t('accounts.disconnect.button')}
                          <span className="offscreen-label"> {a.displayName}</span>
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
      {connect.state.phase === 'waiting' ? <WaitingPanel state={connect.state} onCancel={connect.cancel} /> : null}
      {connect.state.phase === 'connected' ? (
        <p className="notice notice--ok notice__message" role="status" data-testid="connect-result">
          <span aria-hidden="true">✓</span> {t('accounts.connected', { name: connect.state.account.displayName })}
        </p>
      ) : null}
      {connect.state.phase === 'failed' ? <ErrorNotice error={connect.state.error} /> : null}
      {state.phase === 'ready' && state.value.platforms.length > 0 ? (
        <section className="stack" aria-labelledby="connect-title">
          <h2 id="connect-title">{t('accounts.connect.title')}</h2>
          <div className="accounts-connect-grid">
            {state.value.platforms.map((p) =>
              p.method === 'oauth' ? (
                <ConnectOAuth key={p.platform} platform={p} busy={waiting || !state.value.keychain.available} onConnect={(instance) => connect.connect(p, instance)} />
              ) : p.method === 'app-password' ? (
                <div key={p.platform} id={`connect-${p.platform}`}>
                  <ConnectAppPassword platform={p} onConnected={connect.connectedWithPassword} />
                </div>
              ) : (
                <div key={p.platform} className="form stack accounts-connect">
                  <h3>{p.label}</h3>
                  <p className="muted">{t('accounts.connect.notYet', { platform: p.label })}</p>
                </div>
              ),
            )}
          </div>
        </section>
      ) : null}
      {confirm ? (
        <Dialog
          title={t('accounts.disconnect.title', { name: confirm.displayName })}
          onClose={() => setConfirm(null)}
          actions={
            <>
              <button type="button" className="button" disabled={busy} onClick={() => disconnect(confirm)} data-autofocus>
                {t('accounts.disconnect.confirm', { name: confirm.displayName })}
              </button>
              <button type="button" className="button button--secondary" onClick={() => setConfirm(null)}>
                {t('accounts.disconnect.keep')}
              </button>
            </>
          }
        >
          <p>{t(endsSignIn(confirm.platform) ? 'accounts.disconnect.explain' : 'accounts.disconnect.explainLocal', { platform: labelOf(confirm.platform) })}</p>
        </Dialog>
      ) : null}
    </section>
  );
}
