// Import: the sticks Airlock sees, what a check of one found (accepted, refused and why, the
// package's signature), and the import itself with a progress bar. Nothing happens to a stick
// until staff press a button.
import { useEffect } from 'react';
import type { PackageCheck, ScanView } from '../../../common/contract.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { formatBytes, formatDate, formatDateTime, formatDuration, formatNumber } from '../format.ts';
import { staffMessage, useTranslation } from '../i18n/index.ts';
import { serviceParams } from '../i18n/service-text.ts';
import { useImportStore } from '../state/import-store.ts';
import { useStaffStore } from '../state/staff-store.ts';

function PackageCard({ pkg }: { pkg: PackageCheck }) {
  const { t } = useTranslation();
  if (pkg.kind === 'refused') {
    return (
      <div className="notice notice--error" role="alert" data-testid="package-status">
        <p className="notice__message">{t('import.refused', { message: staffMessage(pkg.error.code, pkg.error.message) })}</p>
        {pkg.error.detail ? (
          <details className="notice__details">
            <summary>{t('errorNotice.detailsForIt')}</summary>
            <pre>{pkg.error.detail}</pre>
          </details>
        ) : null}
      </div>
    );
  }
  if (pkg.kind === 'loose') {
    return (
      <div className="notice notice--warning" data-testid="package-status">
        <p className="notice__message">{t('import.loose')}</p>
      </div>
    );
  }
  return (
    <div className={`notice ${pkg.status === 'trusted' && !pkg.alreadyImportedAt ? 'notice--ok' : 'notice--warning'}`} data-testid="package-status">
      <p className="notice__message">
        {pkg.status === 'trusted' ? t('import.signedTrusted') : t('import.unsigned')} · {t('import.packagePosts', { count: pkg.posts, author: pkg.author })}
      </p>
      <p className="muted">
        {t('import.made', { when: formatDateTime(pkg.createdAt) })} {pkg.signer ? `· ${t('import.key', { signer: pkg.signer })}` : ''}
      </p>
      {pkg.alreadyImportedAt ? <p>{t('import.alreadyImported', { date: formatDate(pkg.alreadyImportedAt) })}</p> : null}
    </div>
  );
}

/** The package's own description and signature are shown in the package card, not as content. */
export const importable = (scan: ScanView) => scan.accepted.filter((f) => f.kind !== 'manifest' && f.kind !== 'signature');

function ScanResult({ scan }: { scan: ScanView }) {
  const files = importable(scan);
  const bytes = files.reduce((n, f) => n + f.bytes, 0);
  const problems = scan.rejected.filter((r) => !r.skipped);
  const skipped = scan.rejected.length - problems.length;
  const { t } = useTranslation();
  return (
    <section aria-labelledby="scan-title" className="stack">
      <h2 id="scan-title">{t('import.scanTitle')}</h2>
      <PackageCard pkg={scan.package} />
      {scan.truncated ? <ErrorNotice error={{ code: 'ingest.too-much', message: scan.truncated }} /> : null}
      <div className="card-grid">
        <article className="card" aria-labelledby="accepted-title">
          <h3 id="accepted-title">
            {t('import.canImport', { count: files.length, size: formatBytes(bytes) })}
          </h3>
          <ul className="file-list" data-testid="accepted">
            {files.map((f) => (
              <li key={f.path}>
                <span className="file-list__name">{f.path}</span> <span className="muted">
                  {t(`import.kind.${f.kind}`, { defaultValue: f.kind })} · {formatBytes(f.bytes)}
                </span>
              </li>
            ))}
          </ul>
        </article>
        <article className="card" aria-labelledby="rejected-title">
          <h3 id="rejected-title">
            {t('import.refusedFiles', { count: problems.length })}
          </h3>
          {problems.length === 0 ? <p className="muted">{t('import.nothingRefused')}</p> : null}
          <ul className="file-list" data-testid="rejected">
            {problems.map((f) => (
              <li key={f.path}>
                <span className="file-list__name">{f.path}</span>
                <span className="file-list__reason">{staffMessage(f.code, f.reason, f.params && serviceParams(f.params))}</span>
              </li>
            ))}
          </ul>
          {skipped > 0 ? <p className="muted">{t('import.skipped', { count: skipped })}</p> : null}
        </article>
      </div>
    </section>
  );
}

export function ImportScreen({ onOpenLibrary }: { onOpenLibrary: () => void }) {
  const s = useImportStore();
  const isAdmin = useStaffStore((st) => st.status?.current?.role === 'admin');
  const { refreshVolumes, listen } = s;
  const { t } = useTranslation();
  useEffect(() => {
    void refreshVolumes();
    return listen();
  }, [refreshVolumes, listen]);

  const importing = s.sessionId !== null;
  const canImport = s.scan !== null && s.scan.package.kind !== 'refused' && !(s.scan.package.kind === 'package' && s.scan.package.alreadyImportedAt) && importable(s.scan).length > 0;

  return (
    <section aria-labelledby="import-title" className="stack">
      <header className="page-header">
        <h1 id="import-title">{t('import.title')}</h1>
        <p className="muted">{t('import.intro')}</p>
      </header>

      {s.volumesProblem ? <ErrorNotice error={s.volumesProblem} /> : null}
      {s.volumes.length === 0 ? (
        <div className="empty-state" data-testid="no-sticks">
          <p className="empty-state__title">{t('import.noSticks')}</p>
          <p className="muted">{t('import.noSticksHint')}</p>
        </div>
      ) : (
        <ul className="volume-list" aria-label={t('import.sticks')}>
          {s.volumes.map((v) => (
            <li key={v.volumeId} className="card volume">
              <div>
                <p className="volume__label">{v.label || t('import.unnamed')}</p>
                <p className="muted">
                  {v.path} {v.readOnly ? t('import.readOnly') : ''}
                </p>
              </div>
              <div className="actions">
                <button type="button" className="button" disabled={s.scanning !== null || importing} onClick={() => void s.scanVolume(v.volumeId)}>
                  {s.scanning === v.volumeId ? t('import.checking') : t('import.check', { label: v.label || t('import.stick') })}
                </button>
                <button type="button" className="button button--secondary" disabled={importing} onClick={() => void s.eject(v.volumeId)}>
                  {t('import.eject')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}

      {s.error ? <ErrorNotice error={s.error} /> : null}
      {s.scan ? <ScanResult scan={s.scan} /> : null}

      {s.scan && !s.outcome ? (
        <div className="actions">
          <button type="button" className="button" disabled={!canImport || importing} onClick={() => void s.startImport(s.scan!.volumeId)}>
            {t('import.importFiles', { count: importable(s.scan).length })}
          </button>
          {s.scan.package.kind === 'package' && s.scan.package.alreadyImportedAt && isAdmin ? (
            <button type="button" className="button button--secondary" disabled={importing} onClick={() => void s.startImport(s.scan!.volumeId, true)}>
              {t('import.importAgain')}
            </button>
          ) : null}
        </div>
      ) : null}

      {s.progress && !s.outcome ? (
        <ProgressBar
          label={t(`import.phase.${s.progress.phase}`)}
          value={s.progress.phase === 'copying' ? s.progress.bytesDone : s.progress.itemsDone}
          max={s.progress.phase === 'copying' ? s.progress.bytesTotal : s.progress.itemsTotal}
          detail={[
            t('import.copied', { done: formatBytes(s.progress.bytesDone), total: formatBytes(s.progress.bytesTotal) }),
            t('import.cleaned', { done: formatNumber(s.progress.itemsDone), total: formatNumber(s.progress.itemsTotal) }),
            s.progress.etaSeconds !== null && s.progress.etaSeconds > 0 ? t('import.left', { duration: formatDuration(s.progress.etaSeconds) }) : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        />
      ) : null}

      {s.outcome?.ok ? (
        <div className="notice notice--ok" role="status" data-testid="import-outcome">
          <p className="notice__message">
            {t('import.imported', { count: s.outcome.imported })} {t('import.drafts', { count: s.outcome.posts })}
            {s.outcome.rejected > 0 ? ` ${t('import.refusedCount', { count: s.outcome.rejected })}` : ''}
          </p>
          {s.outcome.stickCleared ? <p>{t('import.stickCleared')}</p> : null}
          {s.outcome.warnings.map((w, i) => {
            const error = s.outcome?.ok ? s.outcome.warningErrors?.[i] : undefined;
            return (
              <p key={w} className="notice__warning">
                ⚠ {error ? staffMessage(error.code, error.message) : w}
              </p>
            );
          })}
          <button type="button" className="button button--secondary" onClick={onOpenLibrary}>
            {t('import.openLibrary')}
          </button>
        </div>
      ) : null}
      {s.outcome && !s.outcome.ok ? <ErrorNotice error={s.outcome.error} /> : null}
    </section>
  );
}
