// The audit log: everything done at this kiosk, by whom and when, newest first, with filters, an
// expandable view of what each entry recorded, and a check of the hash chain. Only approvers
// and administrators may read it; the core refuses everyone else and the screen says so.
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, useState } from 'react';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { AuditDetails } from './audit/AuditDetails.tsx';
import { AuditFilters, hasFilters, NO_FILTERS, type AuditFilterValues } from './audit/AuditFilters.tsx';
import { actorLabel, formatAuditTime, KIOSK_TIME_ZONE, localDayStart, subjectLabel, type PeopleById } from './audit/audit-format.ts';
import { auditKindLabel } from './audit/audit-kinds.ts';
import { IntegrityCheck } from './audit/IntegrityCheck.tsx';
import { useAuditLog, type AuditQuery } from './audit/use-audit-log.ts';
import { usePeople } from './audit/use-people.ts';
import { staffMessage, useTranslation } from '../i18n/index.ts';

/** The log matches subjects exactly, by id; a person's name typed into "About" means their id. */
function toQuery(f: AuditFilterValues, people: PeopleById): AuditQuery {
  const query: AuditQuery = {};
  if (f.actor) query.actor = f.actor;
  if (f.kind) query.kind = f.kind;
  const from = localDayStart(f.from);
  if (from) query.from = from.toISOString();
  const to = localDayStart(f.to, 1);
  if (to) query.to = to.toISOString();
  if (f.subject) {
    const wanted = f.subject.toLocaleLowerCase();
    const person = [...people].find(([, name]) => name.toLocaleLowerCase() === wanted);
    query.subject = person ? person[0] : f.subject;
  }
  return query;
}

function Header() {
  const { t } = useTranslation();
  return (
    <header className="page-header">
      <h1 id="audit-title">{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
    </header>
  );
}

export function AuditScreen() {
  const [filters, setFilters] = useState<{ values: AuditFilterValues; query: AuditQuery }>({ values: NO_FILTERS, query: {} });
  const { state, loadOlder } = useAuditLog(filters.query);
  const entries = state.phase === 'ready' ? state.entries : [];
  const people = usePeople(entries);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const { t } = useTranslation();
  // Only the entries near the screen are in the page, however many older ones staff load; each
  // entry is its own <tbody>, measured, so an opened entry's details move the rest down.
  const table = useRef<HTMLTableElement>(null);
  const [tableTop, setTableTop] = useState(0);
  const hasEntries = entries.length > 0;
  useLayoutEffect(() => {
    if (table.current) setTableTop(table.current.getBoundingClientRect().top + window.scrollY);
  }, [state.phase, hasEntries]);
  const virtualizer = useWindowVirtualizer({ count: entries.length, estimateSize: () => 52, overscan: 12, scrollMargin: tableTop, getItemKey: (i) => entries[i]?.seq ?? i });
  const windowed = virtualizer.getVirtualItems();
  // Each row's position among all rows (the header is row 1; open details are rows too).
  const rowIndex: number[] = [];
  entries.reduce((row, entry, i) => ((rowIndex[i] = row), row + (open.has(entry.seq) ? 2 : 1)), 2);
  const spaceAbove = windowed.length > 0 ? windowed[0]!.start - virtualizer.options.scrollMargin : 0;
  const spaceBelow = windowed.length > 0 ? virtualizer.getTotalSize() - (windowed[windowed.length - 1]!.end - virtualizer.options.scrollMargin) : 0;

  const apply = (values: AuditFilterValues) => {
    setOpen(new Set());
    setFilters({ values, query: toQuery(values, people) });
  };
  const toggle = (seq: number) =>
    setOpen((was) => {
      const next = new Set(was);
      if (!next.delete(seq)) next.add(seq);
      return next;
    });

  if (state.phase === 'forbidden') {
    return (
      <section aria-labelledby="audit-title" className="stack">
        <Header />
        <div className="empty-state" data-testid="audit-forbidden">
          <p className="empty-state__title">{t('audit.forbidden')}</p>
          <p className="muted">{t('audit.forbiddenHint', { message: staffMessage(state.error.code, state.error.message) })}</p>
        </div>
      </section>
    );
  }

  return (
    <section aria-labelledby="audit-title" className="stack">
      <Header />
      <IntegrityCheck />
      <AuditFilters applied={filters.values} people={people} onApply={apply} />

      {state.phase === 'loading' ? (
        <p className="muted" role="status">
          {t('audit.loading')}
        </p>
      ) : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} /> : null}

      {state.phase === 'ready' && state.entries.length === 0 ? (
        <div className="empty-state" data-testid="audit-empty">
          {hasFilters(filters.values) ? (
            <>
              <p className="empty-state__title">{t('audit.noMatch')}</p>
              <p className="muted">{t('audit.noMatchHint')}</p>
            </>
          ) : (
            <>
              <p className="empty-state__title">{t('audit.empty')}</p>
              <p className="muted">{t('audit.emptyHint')}</p>
            </>
          )}
        </div>
      ) : null}

      {state.phase === 'ready' && state.entries.length > 0 ? (
        <div className="stack">
          <div className="audit-table-wrap">
            <table className="audit-table" ref={table} aria-rowcount={state.total + 1 + [...open].length}>
              <caption>
                {t('audit.caption', { zone: KIOSK_TIME_ZONE })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.when')}</th>
                  <th scope="col">{t('audit.person')}</th>
                  <th scope="col">{t('audit.what')}</th>
                  <th scope="col">{t('audit.about')}</th>
                  <th scope="col">
                    <span className="offscreen-label">{t('audit.details')}</span>
                  </th>
                </tr>
              </thead>
              {spaceAbove > 0 ? (
                <tbody aria-hidden="true">
                  <tr style={{ height: spaceAbove }} />
                </tbody>
              ) : null}
              {windowed.map(({ index }) => {
                  const entry = state.entries[index]!;
                  const expanded = open.has(entry.seq);
                  const detailsId = `audit-entry-${entry.seq}`;
                  const what = auditKindLabel(entry.kind);
                  return (
                    <tbody key={entry.seq} ref={virtualizer.measureElement} data-index={index}>
                      <tr className={expanded ? 'audit-table__row is-open' : 'audit-table__row'} data-kind={entry.kind} aria-rowindex={rowIndex[index]}>
                        <th scope="row" className="audit-table__time">
                          <time dateTime={entry.at}>{formatAuditTime(entry.at)}</time>
                        </th>
                        <td>{actorLabel(entry, people)}</td>
                        <td className={entry.kind.endsWith('failed') || entry.kind === 'egress.blocked' ? 'audit-table__what audit-table__what--alert' : 'audit-table__what'}>{what}</td>
                        <td className="audit-table__about">{subjectLabel(entry, people)}</td>
                        <td className="audit-table__toggle">
                          <button type="button" className="button button--secondary" aria-expanded={expanded} aria-controls={expanded ? detailsId : undefined} onClick={() => toggle(entry.seq)}>
                            {expanded ? t('audit.hide') : t('audit.details')}
                            <span className="offscreen-label">{t('audit.ofEntry', { seq: entry.seq, what })}</span>
                          </button>
                        </td>
                      </tr>
                      {expanded ? (
                        <tr id={detailsId} className="audit-table__details" aria-rowindex={rowIndex[index]! + 1}>
                          <td colSpan={5}>
                            <AuditDetails entry={entry} people={people} onOnlyThisSubject={(subject) => apply({ ...NO_FILTERS, subject })} />
                          </td>
                        </tr>
                      ) : null}
                    </tbody>
                  );
                })}
              {spaceBelow > 0 ? (
                <tbody aria-hidden="true">
                  <tr style={{ height: spaceBelow }} />
                </tbody>
              ) : null}
            </table>
          </div>
          <div className="audit-pager">
            <p className="muted" role="status" data-testid="audit-count">
              {t('audit.showing', { shown: state.entries.length, count: state.total })}
            </p>
            {state.entries.length < state.total ? (
              <button type="button" className="button button--secondary" onClick={loadOlder} disabled={state.loadingOlder}>
                {state.loadingOlder ? t('audit.loadingOlder') : t('audit.showOlder')}
              </button>
            ) : null}
          </div>
          {state.olderError ? <ErrorNotice error={state.olderError} /> : null}
        </div>
      ) : null}
    </section>
  );
}
