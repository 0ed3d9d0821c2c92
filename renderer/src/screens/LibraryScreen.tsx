// The clean library: every imported photo and video as it will be published, with the
// sanitisation report beside it saying what was found and removed.
import { useEffect, useState } from 'react';
import type { LibraryItem } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { ApiError, call } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { formatBytes } from '../format.ts';
import { t as translate, useTranslation } from '../i18n/index.ts';

const mediaUrl = (sha256: string) => `_airlock/media/${sha256}`;

function LibraryCard({ item }: { item: LibraryItem }) {
  const { t } = useTranslation();
  const name = item.originalName.split('/').pop() ?? item.originalName;
  return (
    <li className="card library-item" data-testid="library-item">
      {item.kind === 'image' && item.thumbnailSha256 ? (
        <img className="library-item__thumb" src={mediaUrl(item.thumbnailSha256)} alt={t('library.photoAlt', { name })} width={320} height={Math.round(320 * ((item.height ?? 3) / (item.width ?? 4)))} />
      ) : (
        <video className="library-item__thumb" src={mediaUrl(item.cleanSha256)} preload="metadata" controls aria-label={t('library.videoLabel', { name })} />
      )}
      <p className="library-item__name">{name}</p>
      <p className="muted">
        {item.kind === 'image' ? t('library.photo') : t('library.video')} · {item.width && item.height ? `${t('library.size', { width: item.width, height: item.height })} · ` : ''}
        {formatBytes(item.bytes)}
      </p>
      <h3 className="library-item__report-title">{item.report.findings.length === 0 ? t('library.nothingFound') : t('library.removed')}</h3>
      {item.report.findings.length > 0 ? (
        <ul className="report" data-testid="report">
          {item.report.findings.map((f, i) => (
            <li key={i}>{f.text}</li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function LibraryScreen() {
  const [state, setState] = useState<{ items: LibraryItem[]; total: number } | null>(null);
  const [error, setError] = useState<AirlockErrorValue | null>(null);
  const { t } = useTranslation();
  useEffect(() => {
    call('library.list', { offset: 0, limit: 60 }).then(setState, (err: unknown) =>
      setError(err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: translate('library.loadFailed'), detail: String(err) }),
    );
  }, []);
  return (
    <section aria-labelledby="library-title" className="stack">
      <header className="page-header">
        <h1 id="library-title">{t('library.title')}</h1>
        <p className="muted">{t('library.intro')}</p>
      </header>
      {error ? <ErrorNotice error={error} /> : null}
      {state && state.items.length === 0 ? (
        <div className="empty-state">
          <p className="empty-state__title">{t('library.empty')}</p>
          <p className="muted">{t('library.emptyHint')}</p>
        </div>
      ) : null}
      {state && state.items.length > 0 ? (
        <>
          <p className="muted">{t('library.items', { count: state.total })}</p>
          <ul className="library-grid">
            {state.items.map((item) => (
              <LibraryCard key={item.id} item={item} />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
