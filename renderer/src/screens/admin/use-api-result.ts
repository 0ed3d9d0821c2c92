// One read-only answer from the core for a screen, with the states every such screen shows:
// loading, refused for this role, failed, and ready. It can refresh in place (by hand or on a
// timer) without blanking what is already shown, and a late answer never replaces a newer one.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { asErrorValue } from '../audit/use-audit-log.ts';

export type ApiResultState<T> =
  | { phase: 'loading' }
  | { phase: 'forbidden'; error: AirlockErrorValue }
  | { phase: 'failed'; error: AirlockErrorValue }
  | { phase: 'ready'; value: T; checkedAt: Date; refreshing: boolean; refreshError: AirlockErrorValue | null };

/** `load` must be stable (a module-level function); `everyMs` refreshes on a timer while allowed. */
export function useApiResult<T>(load: () => Promise<T>, everyMs?: number): { state: ApiResultState<T>; refresh: () => void } {
  const [state, setState] = useState<ApiResultState<T>>({ phase: 'loading' });
  const latest = useRef(0);

  const fetchLatest = useCallback(() => {
    const ticket = ++latest.current;
    load().then(
      (value) => {
        if (ticket === latest.current) setState({ phase: 'ready', value, checkedAt: new Date(), refreshing: false, refreshError: null });
      },
      (err: unknown) => {
        if (ticket !== latest.current) return;
        const error = asErrorValue(err);
        setState((s) => {
          if (error.code === 'staff.forbidden') return { phase: 'forbidden', error };
          // Keep what was shown and say the refresh failed, rather than blanking the screen.
          return s.phase === 'ready' ? { ...s, refreshing: false, refreshError: error } : { phase: 'failed', error };
        });
      },
    );
  }, [load]);

  const refresh = useCallback(() => {
    setState((s) => (s.phase === 'ready' ? { ...s, refreshing: true } : s));
    fetchLatest();
  }, [fetchLatest]);

  useEffect(() => {
    fetchLatest();
    // Nothing answered after the screen closed may touch it: a newer ticket outranks it.
    const tickets = latest;
    return () => {
      tickets.current++;
    };
  }, [fetchLatest]);

  const forbidden = state.phase === 'forbidden';
  useEffect(() => {
    if (!everyMs || forbidden) return;
    const timer = window.setInterval(refresh, everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs, forbidden, refresh]);

  return { state, refresh };
}
