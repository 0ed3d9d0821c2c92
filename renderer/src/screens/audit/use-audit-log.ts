// Pages of the audit log for the filters in force: the newest hundred first, older ones on
// request. State lives with the screen, so nothing one person loaded is shown to the next.
import { useCallback, useEffect, useState } from 'react';
import type { AuditEntryView, MethodArgs } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { ApiError, call } from '../../api/client.ts';
import { t } from '../../i18n/index.ts';

export const AUDIT_PAGE_SIZE = 100;

export type AuditQuery = Omit<MethodArgs<'audit.list'>, 'offset' | 'limit'>;

export type AuditLogState =
  | { phase: 'loading' }
  | { phase: 'forbidden'; error: AirlockErrorValue }
  | { phase: 'failed'; error: AirlockErrorValue }
  | { phase: 'ready'; entries: AuditEntryView[]; total: number; loadingOlder: boolean; olderError: AirlockErrorValue | null };

export const asErrorValue = (err: unknown): AirlockErrorValue =>
  err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: t('errors.renderer.unexpected'), detail: String(err) };

const refused = (err: unknown): AuditLogState => {
  const error = asErrorValue(err);
  return error.code === 'staff.forbidden' ? { phase: 'forbidden', error } : { phase: 'failed', error };
};

const LOADING: AuditLogState = { phase: 'loading' };

/** A new `query` object (even with the same filters) loads the newest page again. */
export function useAuditLog(query: AuditQuery): { state: AuditLogState; loadOlder: () => void } {
  // Each result remembers the query it answers, so a late answer to old filters is never shown.
  const [result, setResult] = useState<{ query: AuditQuery; state: AuditLogState } | null>(null);
  const state = result && result.query === query ? result.state : LOADING;

  useEffect(() => {
    call('audit.list', { ...query, offset: 0, limit: AUDIT_PAGE_SIZE }).then(
      (page) => setResult({ query, state: { phase: 'ready', entries: page.entries, total: page.total, loadingOlder: false, olderError: null } }),
      (err: unknown) => setResult({ query, state: refused(err) }),
    );
  }, [query]);

  const loaded = state.phase === 'ready' ? state.entries.length : 0;
  const loadOlder = useCallback(() => {
    const update = (change: (s: AuditLogState & { phase: 'ready' }) => AuditLogState) =>
      setResult((r) => (r && r.query === query && r.state.phase === 'ready' ? { query, state: change(r.state) } : r));
    update((s) => ({ ...s, loadingOlder: true, olderError: null }));
    call('audit.list', { ...query, offset: loaded, limit: AUDIT_PAGE_SIZE }).then(
      (page) =>
        update((s) => {
          // Entries recorded since the first page push older ones down, so a page can overlap the last.
          const seen = new Set(s.entries.map((e) => e.seq));
          return { ...s, entries: [...s.entries, ...page.entries.filter((e) => !seen.has(e.seq))], total: page.total, loadingOlder: false };
        }),
      (err: unknown) => {
        const next = refused(err);
        update((s) => (next.phase === 'forbidden' ? next : { ...s, loadingOlder: false, olderError: asErrorValue(err) }));
      },
    );
  }, [query, loaded]);

  return { state, loadOlder };
}
