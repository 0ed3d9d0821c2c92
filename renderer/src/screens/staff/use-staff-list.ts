// The staff accounts for the administrator's table, kept current from the core's
// `staff.changed` events so a change made anywhere (or a lockout) shows without a refresh.
import { useCallback, useEffect, useState } from 'react';
import type { StaffSummary } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { ApiError, call, subscribe } from '../../api/client.ts';
import { t } from '../../i18n/index.ts';

export type StaffListState =
  | { phase: 'loading' }
  | { phase: 'forbidden'; error: AirlockErrorValue }
  | { phase: 'failed'; error: AirlockErrorValue }
  | { phase: 'ready'; staff: StaffSummary[] };

export const asErrorValue = (err: unknown): AirlockErrorValue =>
  err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: t('errors.renderer.unexpected'), detail: String(err) };

export function useStaffList(): { state: StaffListState; reload: () => void; replace: (changed: StaffSummary) => void } {
  const [state, setState] = useState<StaffListState>({ phase: 'loading' });

  const reload = useCallback(() => {
    call('staff.list', {}).then(
      (staff) => setState({ phase: 'ready', staff }),
      (err: unknown) => {
        const error = asErrorValue(err);
        setState(error.code === 'staff.forbidden' ? { phase: 'forbidden', error } : { phase: 'failed', error });
      },
    );
  }, []);

  useEffect(() => {
    reload();
    return subscribe((event) => {
      if (event.name === 'staff.changed' && event.payload.kind === 'accounts.changed') reload();
    });
  }, [reload]);

  /** Shows an account as the core returned it, before the event's reload arrives. */
  const replace = useCallback((changed: StaffSummary) => {
    setState((s) => {
      if (s.phase !== 'ready') return s;
      const known = s.staff.some((p) => p.id === changed.id);
      return { phase: 'ready', staff: known ? s.staff.map((p) => (p.id === changed.id ? changed : p)) : [...s.staff, changed] };
    });
  }, []);

  return { state, reload, replace };
}
