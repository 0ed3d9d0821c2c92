// Import: the sticks Airlock sees, what a check of one found (accepted, refused and why, the
// package's signature), and the import itself with a progress bar. Nothing happens to a stick
// until staff press a button.
import { useEffect } from 'react';
import type { PackageCheck, ScanView } from '../../../common/contract.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { formatBytes, formatDuration } from '../format.ts';
import { useImportStore } from '../state/import-store.ts';
import { useStaffStore } from '../state/staff-store.ts';

const PHASE_LABEL = { copying: 'Copying from the stick', sanitising: 'Removing hidden information', committing: 'Saving to the library', done: 'Finished' } as const;

function PackageCard({ pkg }: { pkg: PackageCheck }) {
  if (pkg.kind === 'refused') {
    return (
      <div className="notice notice--error" role="alert" data-testid="package-status">
        <p className="notice__message">✕ This stick cannot be imported. {pkg.error.message}</p>
        {pkg.error.detail ? (
          <details className="notice__details">
            <summary>Details for IT</summary>
            <pre>{pkg.error.detail}</pre>
          </details>
        ) : null}
      </div>
    );
  }
  if (pkg.kind === 'loose') {
    return (
      <div className="notice notice--warning" data-testid="package-status">
        <p className="notice__message">⚠ No signed package: these files will go into the library as unapproved material.</p>
      </div>
    );
  }
  return (
    <div className={`notice ${pkg.status === 'trusted' && !pkg.alreadyImportedAt ? 'notice--ok' : 'notice--warning'}`} data-testid="package-status">
      <p className="notice__message">
        {pkg.status === 'trusted' ? '✓ Signed package from a trusted key' : '⚠ Unsigned package'} · {pkg.posts} {pkg.posts === 1 ? 'post' : 'posts'} by {pkg.author}
      </p>
      <p className="muted">
        Made {new Date(pkg.createdAt).toLocaleString()} {pkg.signer ? `· key ${pkg.signer}` : ''}
      </p>
      {pkg.alreadyImportedAt ? <p>This package was already imported on {new Date(pkg.alreadyImportedAt).toLocaleDateString()}. It will be refused.</p> : null}
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
  return (
    <section aria-labelledby="scan-title" className="stack">
      <h2 id="scan-title">What is on the stick</h2>
      <PackageCard pkg={scan.package} />
      {scan.truncated ? <ErrorNotice error={{ code: 'ingest.too-much', message: scan.truncated }} /> : null}
      <div className="card-grid">
        <article className="card" aria-labelledby="accepted-title">
          <h3 id="accepted-title">
            ✓ {files.length} {files.length === 1 ? 'file' : 'files'} can be imported ({formatBytes(bytes)})
          </h3>
          <ul className="file-list" data-testid="accepted">
            {files.map((f) => (
              <li key={f.path}>
                <span className="file-list__name">{f.path}</span> <span className="muted">{f.kind} · {formatBytes(f.bytes)}</span>
              </li>
            ))}
          </ul>
        </article>
        <article className="card" aria-labelledby="rejected-title">
          <h3 id="rejected-title">
            ✕ {problems.length} {problems.length === 1 ? 'file' : 'files'} refused
          </h3>
          {problems.length === 0 ? <p className="muted">Nothing was refused.</p> : null}
          <ul className="file-list" data-testid="rejected">
            {problems.map((f) => (
              <li key={f.path}>
                <span className="file-list__name">{f.path}</span>
                <span className="file-list__reason">{f.reason}</span>
              </li>
            ))}
          </ul>
          {skipped > 0 ? <p className="muted">{skipped} system {skipped === 1 ? 'file' : 'files'} (such as recycle bins) ignored.</p> : null}
        </article>
      </div>
    </section>
  );
}

export function ImportScreen({ onOpenLibrary }: { onOpenLibrary: () => void }) {
  const s = useImportStore();
  const isAdmin = useStaffStore((st) => st.status?.current?.role === 'admin');
  const { refreshVolumes, listen } = s;
  useEffect(() => {
    void refreshVolumes();
    return listen();
  }, [refreshVolumes, listen]);

  const importing = s.sessionId !== null;
  const canImport = s.scan !== null && s.scan.package.kind !== 'refused' && !(s.scan.package.kind === 'package' && s.scan.package.alreadyImportedAt) && importable(s.scan).length > 0;

  return (
    <section aria-labelledby="import-title" className="stack">
      <header className="page-header">
        <h1 id="import-title">Import from a USB stick</h1>
        <p className="muted">Airlock never opens or imports anything by itself. Choose a stick, check it, then import.</p>
      </header>

      {s.volumesProblem ? <ErrorNotice error={s.volumesProblem} /> : null}
      {s.volumes.length === 0 ? (
        <div className="empty-state" data-testid="no-sticks">
          <p className="empty-state__title">No USB stick found</p>
          <p className="muted">Insert a stick prepared with “airlock pack”. It appears here within two seconds.</p>
        </div>
      ) : (
        <ul className="volume-list" aria-label="Inserted sticks">
          {s.volumes.map((v) => (
            <li key={v.volumeId} className="card volume">
              <div>
                <p className="volume__label">{v.label || 'Unnamed stick'}</p>
                <p className="muted">
                  {v.path} {v.readOnly ? '· read-only' : ''}
                </p>
              </div>
              <div className="actions">
                <button type="button" className="button" disabled={s.scanning !== null || importing} onClick={() => void s.scanVolume(v.volumeId)}>
                  {s.scanning === v.volumeId ? 'Checking…' : `Check ${v.label || 'stick'}`}
                </button>
                <button type="button" className="button button--secondary" disabled={importing} onClick={() => void s.eject(v.volumeId)}>
                  Eject
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
            Import {importable(s.scan).length} {importable(s.scan).length === 1 ? 'file' : 'files'}
          </button>
          {s.scan.package.kind === 'package' && s.scan.package.alreadyImportedAt && isAdmin ? (
            <button type="button" className="button button--secondary" disabled={importing} onClick={() => void s.startImport(s.scan!.volumeId, true)}>
              Import again (administrator; recorded in the audit log)
            </button>
          ) : null}
        </div>
      ) : null}

      {s.progress && !s.outcome ? (
        <ProgressBar
          label={PHASE_LABEL[s.progress.phase]}
          value={s.progress.phase === 'copying' ? s.progress.bytesDone : s.progress.itemsDone}
          max={s.progress.phase === 'copying' ? s.progress.bytesTotal : s.progress.itemsTotal}
          detail={[
            `${formatBytes(s.progress.bytesDone)} of ${formatBytes(s.progress.bytesTotal)} copied`,
            `${s.progress.itemsDone} of ${s.progress.itemsTotal} items cleaned`,
            s.progress.etaSeconds !== null && s.progress.etaSeconds > 0 ? `about ${formatDuration(s.progress.etaSeconds)} left` : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        />
      ) : null}

      {s.outcome?.ok ? (
        <div className="notice notice--ok" role="status" data-testid="import-outcome">
          <p className="notice__message">
            ✓ Imported {s.outcome.imported} {s.outcome.imported === 1 ? 'item' : 'items'} and {s.outcome.posts} draft {s.outcome.posts === 1 ? 'post' : 'posts'}.
            {s.outcome.rejected > 0 ? ` ${s.outcome.rejected} refused.` : ''}
          </p>
          {s.outcome.stickCleared ? <p>The imported files were cleared from the stick and a signed receipt was left on it.</p> : null}
          {s.outcome.warnings.map((w) => (
            <p key={w} className="notice__warning">
              ⚠ {w}
            </p>
          ))}
          <button type="button" className="button button--secondary" onClick={onOpenLibrary}>
            See what was removed in the library
          </button>
        </div>
      ) : null}
      {s.outcome && !s.outcome.ok ? <ErrorNotice error={s.outcome.error} /> : null}
    </section>
  );
}
