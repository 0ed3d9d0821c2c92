// The expanded view of one audit entry: what was recorded with it, as labelled values (the list
// of removed metadata for a cleaned file, the reason for a failed sign-in), then the identifiers
// IT needs to follow it up.
import { Fragment, type ReactNode } from 'react';
import type { AuditEntryView } from '../../../../common/contract.ts';
import { PLATFORM_LABELS } from '../../../../common/platforms.ts';
import { formatAuditTime, looksLikeInstant, type PeopleById } from './audit-format.ts';
import { formatNumber } from '../../format.ts';
import { t, useTranslation } from '../../i18n/index.ts';

/** Catalogue keys of the recorded values' labels. */
const KEY_LABELS: Record<string, string> = Object.fromEntries(
  ['role', 'reason', 'code', 'knownAccount', 'lockedUntil', 'path', 'kind', 'reused', 'removed', 'volume', 'package', 'imported', 'posts', 'rejected', 'source', 'kioskName', 'platforms', 'twoPerson', 'signatures', 'trainingMode', 'state'].map((k) => [k, `auditDetails.keys.${k}`]),
);

/** Where a key means something else for one kind of entry. */
const KIND_KEY_LABELS: Record<string, Record<string, string>> = {
  'policy.loaded': { path: 'auditDetails.kindKeys.policyFile' },
  'staff.sign-out': { reason: 'auditDetails.kindKeys.how' },
};

/** Codes recorded as values, said in words; the code itself stays in the entry for IT. */
const VALUE_LABELS: Record<string, Record<string, string>> = {
  'staff.sign-out:reason': {
    'signed-out': 'auditDetails.values.signOut.signed-out',
    idle: 'auditDetails.values.signOut.idle',
    replaced: 'auditDetails.values.signOut.replaced',
    restart: 'auditDetails.values.signOut.restart',
    disabled: 'auditDetails.values.signOut.disabled',
  },
  'staff.sign-in-failed:code': { 'staff.wrong-credential': 'auditDetails.values.signInFailed.wrong', 'staff.locked': 'auditDetails.values.signInFailed.locked' },
};

const platformName = (id: unknown) => (typeof id === 'string' ? ((PLATFORM_LABELS as Record<string, string>)[id] ?? id) : id);

function inWords(kind: string, key: string, value: unknown): unknown {
  if (key === 'platforms' && Array.isArray(value)) return value.map(platformName);
  const label = typeof value === 'string' ? VALUE_LABELS[`${kind}:${key}`]?.[value] : undefined;
  return label ? t(label) : value;
}

/** 'knownAccount' → 'Known account' for keys this screen has no label for yet. */
export function detailLabel(key: string, kind = ''): string {
  const known = KIND_KEY_LABELS[kind]?.[key] ?? KEY_LABELS[key];
  if (known) return t(known);
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_.-]+/g, ' ').trim().toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : key;
}

function DetailValue({ value, depth, kind }: { value: unknown; depth: number; kind: string }): ReactNode {
  if (value === null || value === undefined || value === '') return <span className="muted">{t('auditDetails.none')}</span>;
  if (typeof value === 'boolean') return value ? t('auditDetails.yes') : t('auditDetails.no');
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return looksLikeInstant(value) ? <time dateTime={value}>{formatAuditTime(value)}</time> : value;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">{t('auditDetails.nothing')}</span>;
    return (
      <ul className="audit-details__list">
        {value.map((item, i) => (
          <li key={i}>
            <DetailValue value={item} depth={depth + 1} kind={kind} />
          </li>
        ))}
      </ul>
    );
  }
  if (typeof value === 'object' && depth < 3) return <DetailFacts details={value as Record<string, unknown>} depth={depth + 1} kind={kind} />;
  return <code>{JSON.stringify(value)}</code>;
}

function DetailFacts({ details, depth, kind }: { details: Record<string, unknown>; depth: number; kind: string }) {
  const keys = Object.keys(details);
  if (keys.length === 0) return <span className="muted">{t('auditDetails.nothing')}</span>;
  return (
    <dl className="facts audit-details__facts">
      {keys.map((key) => (
        <Fragment key={key}>
          <dt>{detailLabel(key, depth === 0 ? kind : '')}</dt>
          <dd>
            <DetailValue value={depth === 0 ? inWords(kind, key, details[key]) : details[key]} depth={depth} kind={kind} />
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function AuditDetails({ entry, people, onOnlyThisSubject }: { entry: AuditEntryView; people: PeopleById; onOnlyThisSubject: (subject: string) => void }) {
  const hasDetails = Object.keys(entry.details).length > 0;
  const subjectName = entry.subject === null ? undefined : people.get(entry.subject);
  const { t } = useTranslation();
  return (
    <div className="audit-details">
      <h3 className="audit-details__title">{t('auditDetails.recorded')}</h3>
      {hasDetails ? <DetailFacts details={entry.details} depth={0} kind={entry.kind} /> : <p className="muted">{t('auditDetails.nothingElse')}</p>}
      <h3 className="audit-details__title">{t('auditDetails.forIt')}</h3>
      <dl className="facts audit-details__facts">
        <dt>{t('auditDetails.seq')}</dt>
        <dd>{entry.seq}</dd>
        <dt>{t('auditDetails.at')}</dt>
        <dd>
          <code>{entry.at}</code>
        </dd>
        <dt>{t('auditDetails.actorId')}</dt>
        <dd>
          <code>{entry.actor}</code>
        </dd>
        {entry.subject !== null ? (
          <>
            <dt>{t('auditDetails.subjectId')}</dt>
            <dd>
              <code>{entry.subject}</code>
              {subjectName ? <span className="muted"> · {subjectName}</span> : null}
            </dd>
          </>
        ) : null}
        <dt>{t('auditDetails.hash')}</dt>
        <dd>
          <code className="audit-details__hash">{entry.hash}</code>
        </dd>
      </dl>
      {entry.subject !== null ? (
        <button type="button" className="button button--secondary" onClick={() => onOnlyThisSubject(entry.subject!)}>
          {t('auditDetails.onlyThis')}
        </button>
      ) : null}
    </div>
  );
}
