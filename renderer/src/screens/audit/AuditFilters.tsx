// The audit log's filters: who, what kind of event, which days, and what it was about. They
// apply when staff press the button, so the table never changes under someone's finger.
import { useId, useState, type FormEvent } from 'react';
import type { PeopleById } from './audit-format.ts';
import { AUDIT_KIND_GROUPS, auditKindLabel } from './audit-kinds.ts';
import { useTranslation } from '../../i18n/index.ts';

export interface AuditFilterValues {
  actor: string;
  kind: string;
  from: string;
  to: string;
  subject: string;
}

export const NO_FILTERS: AuditFilterValues = { actor: '', kind: '', from: '', to: '', subject: '' };

export const hasFilters = (f: AuditFilterValues) => Object.values(f).some((v) => v !== '');

const KNOWN_KINDS = new Set(AUDIT_KIND_GROUPS.flatMap((g) => g.kinds.map(([kind]) => kind)));

export function AuditFilters({ applied, people, onApply }: { applied: AuditFilterValues; people: PeopleById; onApply: (filters: AuditFilterValues) => void }) {
  // Selects are labelled by id rather than wrapped, so their name is not read with the chosen value.
  const ids = useId();
  const { t } = useTranslation();
  const [draft, setDraft] = useState(applied);
  const [problem, setProblem] = useState<string | null>(null);
  // Filters set from elsewhere (a row's "Show only entries about this") replace the draft.
  const [shown, setShown] = useState(applied);
  if (shown !== applied) {
    setShown(applied);
    setDraft(applied);
  }

  const set = (key: keyof AuditFilterValues) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setProblem(t('audit.filters.daysSwapped'));
      return;
    }
    setProblem(null);
    onApply({ ...draft, subject: draft.subject.trim() });
  };
  const clear = () => {
    setProblem(null);
    setDraft(NO_FILTERS);
    onApply(NO_FILTERS);
  };

  const named = [...people.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const actorUnknown = draft.actor !== '' && draft.actor !== 'system' && !people.has(draft.actor);
  return (
    <form className="form audit-filters" aria-labelledby="audit-filters-title" onSubmit={submit}>
      <h2 id="audit-filters-title">{t('audit.filters.title')}</h2>
      <div className="audit-filters__grid">
        {named.length > 0 ? (
          <div className="field">
            <label htmlFor={`${ids}-actor`}>{t('audit.filters.person')}</label>
            <select id={`${ids}-actor`} value={draft.actor} onChange={set('actor')}>
              <option value="">{t('audit.filters.anyone')}</option>
              <option value="system">{t('audit.filters.system')}</option>
              {named.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
              {actorUnknown ? <option value={draft.actor}>{draft.actor}</option> : null}
            </select>
          </div>
        ) : (
          <label className="field">
            <span>{t('audit.filters.personId')}</span>
            <input value={draft.actor} onChange={set('actor')} autoComplete="off" maxLength={64} />
          </label>
        )}
        <div className="field">
          <label htmlFor={`${ids}-kind`}>{t('audit.filters.what')}</label>
          <select id={`${ids}-kind`} value={draft.kind} onChange={set('kind')}>
            <option value="">{t('audit.filters.anything')}</option>
            {AUDIT_KIND_GROUPS.map((group) => (
              <optgroup key={group.label} label={t(group.label)}>
                {group.kinds.map(([kind, label]) => (
                  <option key={kind} value={kind}>
                    {t(label)}
                  </option>
                ))}
              </optgroup>
            ))}
            {draft.kind && !KNOWN_KINDS.has(draft.kind) ? <option value={draft.kind}>{auditKindLabel(draft.kind)}</option> : null}
          </select>
        </div>
        <label className="field">
          <span>{t('audit.filters.from')}</span>
          <input type="date" value={draft.from} onChange={set('from')} max={draft.to || undefined} />
        </label>
        <label className="field">
          <span>{t('audit.filters.to')}</span>
          <input type="date" value={draft.to} onChange={set('to')} min={draft.from || undefined} />
        </label>
        <label className="field audit-filters__subject">
          <span>{t('audit.filters.about')}</span>
          <input value={draft.subject} onChange={set('subject')} autoComplete="off" maxLength={128} />
        </label>
      </div>
      {problem ? (
        <p className="notice notice--error notice__message" role="alert">
          <span aria-hidden="true">⚠</span> {problem}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button">
          {t('audit.filters.apply')}
        </button>
        <button type="button" className="button button--secondary" onClick={clear} disabled={!hasFilters(draft) && !hasFilters(applied)}>
          {t('audit.filters.clear')}
        </button>
      </div>
    </form>
  );
}
