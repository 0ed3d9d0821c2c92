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
import { KIND_LABEL, KIND_WORD, ROLE_LABEL } from './staff/staff-labels.ts';
import { asErrorValue, useStaffList } from './staff/use-staff-list.ts';

const timeOfDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** What is open under a person's row: the reset form, a question, or the result of an action. */
type RowPanel =
  | { kind: 'reset' }
  | { kind: 'confirm-disable-self' }
  | { kind: 'done'; message: string }
  | { kind: 'refused'; error: AirlockErrorValue };

/** The core reports a lockout only while it lasts. */
function statusOf(p: StaffSummary): string {
  const locked = p.lockedUntil !== null ? `Locked until ${timeOfDay.format(new Date(p.lockedUntil))}` : null;
  if (p.disabled) return locked ? `Disabled · ${locked.toLowerCase()}` : 'Disabled';
  return locked ?? 'Active';
}

function Header() {
  return (
    <header className="page-header">
      <h1 id="staff-title">Staff</h1>
      <p className="muted">The people who can sign in at this kiosk. Everything they do is recorded under their name.</p>
    </header>
  );
}

export function StaffScreen() {
  const me = useStaffStore((s) => s.status?.current ?? null);
  const { state, replace } = useStaffList();
  const [panels, setPanels] = useState<ReadonlyMap<string, RowPanel>>(new Map());
  const [busy, setBusy] = useState<string | null>(null);

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
        show(person.id, { kind: 'done', message: disabled ? `${changed.name} can no longer sign in.` : `${changed.name} can sign in again.` });
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
          <p className="empty-state__title">Only administrators can manage staff</p>
          <p className="muted">Ask an administrator to add someone, or to reset a forgotten PIN or passphrase.</p>
        </div>
      </section>
    );
  }

  return (
    <section aria-labelledby="staff-title" className="stack">
      <Header />
      {state.phase === 'loading' ? (
        <p className="muted" role="status">
          Loading staff…
        </p>
      ) : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} /> : null}
      {state.phase === 'ready' ? (
        <div className="staff-table-wrap">
          <table className="staff-table">
            <caption>{state.staff.length === 1 ? '1 staff account' : `${state.staff.length} staff accounts`} on this kiosk. Disabled people cannot sign in.</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Signs in with</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {state.staff.map((person) => {
                const panel = panels.get(person.id);
                const isMe = me?.staffId === person.id;
                const panelId = `staff-row-${person.id}`;
                const word = KIND_WORD[person.credentialKind];
                return (
                  <Fragment key={person.id}>
                    <tr className={person.disabled ? 'staff-table__row is-disabled' : 'staff-table__row'}>
                      <th scope="row">
                        {person.name}
                        {isMe ? <span className="staff-table__you"> (you)</span> : null}
                      </th>
                      <td>{ROLE_LABEL[person.role]}</td>
                      <td>{KIND_LABEL[person.credentialKind]}</td>
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
                            Reset {word}
                            <span className="offscreen-label"> for {person.name}</span>
                          </button>
                          <button
                            type="button"
                            className="button button--secondary"
                            disabled={busy === person.id}
                            onClick={() => (person.disabled ? setDisabled(person, false) : isMe ? show(person.id, { kind: 'confirm-disable-self' }) : setDisabled(person, true))}
                          >
                            {person.disabled ? 'Enable' : 'Disable'}
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
                                show(person.id, { kind: 'done', message: `${changed.name} has a new ${KIND_WORD[changed.credentialKind]} and can sign in with it now.` });
                              }}
                            />
                          ) : null}
                          {panel.kind === 'confirm-disable-self' ? (
                            <div className="notice notice--warning" role="alert">
                              <p className="notice__message">This is your own account. Disabling it signs you out at once.</p>
                              <div className="actions">
                                <button type="button" className="button" onClick={() => setDisabled(person, true)}>
                                  Disable my account
                                </button>
                                <button type="button" className="button button--secondary" onClick={() => show(person.id, null)}>
                                  Keep it
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
