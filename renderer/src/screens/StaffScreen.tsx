// Staff: who may sign in at this kiosk and in which role. Administrators add people, disable
// and enable them, and reset a forgotten PIN or passphrase; the core refuses everyone else, and
// the screen says so in plain words.
import { Fragment, useState } from 'react';
import type { StaffSummary } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { call } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useStaffStore } from '../state/staff-store.ts';
import { AddPersonForm } from './staff/AddPersonForm.tsx';
import { ResetCredentialForm } from './staff/ResetCredentialForm.tsx';
import { kindLabel, kindWord, roleLabel } from './staff/staff-labels.ts';
import { asErrorValue, useStaffList } from './staff/use-staff-list.ts';
import { formatDateTime } from '../format.ts';
import { t, useTranslation } from '../i18n/index.ts';

/** What is open under a person's row: the reset form, a question, or the result of an action. */
type RowPanel =
  | { kind: 'reset' }
  | { kind: 'confirm-disable-self' }
  | { kind: 'done'; message: string }
  | { kind: 'refused'; error: AirlockErrorValue };

/** The core reports a lockout only while it lasts. */
function statusOf(p: StaffSummary): string {
  const time = p.lockedUntil !== null ? formatDateTime(p.lockedUntil) : null;
  if (p.disabled) return time ? t('staff.disabledLocked', { time }) : t('staff.disabled');
  return time ? t('staff.lockedUntil', { time }) : t('staff.active');
}

function Header() {
  const { t } = useTranslation();
  return (
    <header className="page-header">
      <h1 id="staff-title">{t('staff.title')}</h1>
      <p className="muted">{t('staff.intro')}</p>
    </header>
  );
}

export function StaffScreen() {
  const me = useStaffStore((s) => s.status?.current ?? null);
  const { state, replace } = useStaffList();
  const [panels, setPanels] = useState<ReadonlyMap<string, RowPanel>>(new Map());
  const [busy, setBusy] = useState<string | null>(null);
  const { t } = useTranslation();

  const show = (id: string, panel: RowPanel | null) =>
    setPanels((was) => {
      const next = new Map(was);
      if (panel) next.set(id, panel);
      else next.delete(id);
      return next;
    });

  const setDisabled = (person: StaffSummary, disabled: boolean) => {
    setBusy(person.id);
    show(person.id, null);
    call('staff.setDisabled', { staffId: person.id, disabled }).then(
      (changed) => {
        setBusy(null);
        replace(changed);
        show(person.id, { kind: 'done', message: disabled ? t('staff.cannotSignIn', { name: changed.name }) : t('staff.canSignIn', { name: changed.name }) });
      },
      (err: unknown) => {
        setBusy(null);
        show(person.id, { kind: 'refused', error: asErrorValue(err) });
      },
    );
  };

  if (state.phase === 'forbidden') {
    return (
      <section aria-labelledby="staff-title" className="stack">
        <Header />
        <div className="empty-state" data-testid="staff-forbidden">
          <p className="empty-state__title">{t('staff.forbidden')}</p>
          <p className="muted">{t('staff.forbiddenHint')}</p>
        </div>
      </section>
    );
  }

  return (
    <section aria-labelledby="staff-title" className="stack">
      <Header />
      {state.phase === 'loading' ? (
        <p className="muted" role="status">
          {t('staff.loading')}
        </p>
      ) : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} /> : null}
      {state.phase === 'ready' ? (
        <div className="staff-table-wrap">
          <table className="staff-table">
            <caption>{t('staff.caption', { count: state.staff.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('staff.name')}</th>
                <th scope="col">{t('staff.role')}</th>
                <th scope="col">{t('staff.signsInWith')}</th>
                <th scope="col">{t('staff.status')}</th>
                <th scope="col">{t('staff.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {state.staff.map((person) => {
                const panel = panels.get(person.id);
                const isMe = me?.staffId === person.id;
                const panelId = `staff-row-${person.id}`;
                const word = kindWord(person.credentialKind);
                return (
                  <Fragment key={person.id}>
                    <tr className={person.disabled ? 'staff-table__row is-disabled' : 'staff-table__row'}>
                      <th scope="row">
                        {person.name}
                        {isMe ? <span className="staff-table__you">{t('staff.you')}</span> : null}
                      </th>
                      <td>{roleLabel(person.role)}</td>
                      <td>{kindLabel(person.credentialKind)}</td>
                      <td className={person.disabled || person.lockedUntil !== null ? 'staff-table__status staff-table__status--off' : 'staff-table__status'}>{statusOf(person)}</td>
                      <td>
                        <div className="actions staff-table__actions">
                          <button
                            type="button"
                            className="button button--secondary"
                            aria-expanded={panel?.kind === 'reset'}
                            aria-controls={panel?.kind === 'reset' ? panelId : undefined}
                            onClick={() => show(person.id, panel?.kind === 'reset' ? null : { kind: 'reset' })}
                          >
                            {t('staff.reset', { word })}
                            <span className="offscreen-label">{t('staff.forPerson', { name: person.name })}</span>
                          </button>
                          <button
                            type="button"
                            className="button button--secondary"
                            disabled={busy === person.id}
                            onClick={() => (person.disabled ? setDisabled(person, false) : isMe ? show(person.id, { kind: 'confirm-disable-self' }) : setDisabled(person, true))}
                          >
                            {person.disabled ? t('staff.enable') : t('staff.disable')}
                            <span className="offscreen-label"> {person.name}</span>
                          </button>
                        </div>
                      </td>
                    </tr>
                    {panel ? (
                      <tr id={panelId} className="staff-table__panel">
                        <td colSpan={5}>
                          {panel.kind === 'reset' ? (
                            <ResetCredentialForm
                              person={person}
                              onCancel={() => show(person.id, null)}
                              onDone={(changed) => {
                                replace(changed);
                                show(person.id, { kind: 'done', message: t('staff.newCredential', { name: changed.name, word: kindWord(changed.credentialKind) }) });
                              }}
                            />
                          ) : null}
                          {panel.kind === 'confirm-disable-self' ? (
                            <div className="notice notice--warning" role="alert">
                              <p className="notice__message">{t('staff.ownAccount')}</p>
                              <div className="actions">
                                <button type="button" className="button" onClick={() => setDisabled(person, true)}>
                                  {t('staff.disableMine')}
                                </button>
                                <button type="button" className="button button--secondary" onClick={() => show(person.id, null)}>
                                  {t('staff.keep')}
                                </button>
                              </div>
                            </div>
                          ) : null}
                          {panel.kind === 'done' ? (
                            <p className="notice notice--ok notice__message" role="status">
                              <span aria-hidden="true">✓</span> {panel.message}
                            </p>
                          ) : null}
                          {panel.kind === 'refused' ? <ErrorNotice error={panel.error} /> : null}
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {state.phase === 'ready' ? <AddPersonForm onAdded={replace} /> : null}
    </section>
  );
}
