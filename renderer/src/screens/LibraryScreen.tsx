// The clean library: every imported photo and video as it will be published, with the
// sanitisation report beside it saying what was found and removed. However large the library,
// only the rows of cards near the screen are in the page, and pages of items are read as staff
// scroll to them; each card says its position in the whole library to assistive technology.
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { LibraryItem } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { ApiError, call } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { ReportFindings } from '../components/ReportFindings.tsx';
import { formatBytes } from '../format.ts';
import { t as translate, useTranslation } from '../i18n/index.ts';

const mediaUrl = (sha256: string) => `_airlock/media/${sha256}`;
const PAGE = 60;
const CARD_MIN_WIDTH = 260;
const GAP = 16;

function LibraryCard({ item, position, total }: { item: LibraryItem; position: number; total: number }) {
  const { t } = useTranslation();
  const name = item.originalName.split('/').pop() ?? item.originalName;
  return (
    <div role="listitem" aria-posinset={position} aria-setsize={total} className="card library-item" data-testid="library-item">
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
        <ReportFindings findings={item.report.findings} testId="report" />
      ) : null}
    </div>
  );
}

export function LibraryScreen() {
  const [state, setState] = useState<{ items: LibraryItem[]; total: number } | null>(null);
  const [error, setError] = useState<AirlockErrorValue | null>(null);
  const { t } = useTranslation();
  const loading = useRef(false);
  const read = (offset: number) => {
    if (loading.current) return;
    loading.current = true;
    call('library.list', { offset, limit: PAGE })
      .then(
        (page) => setState((was) => ({ items: offset === 0 || !was ? page.items : [...was.items, ...page.items], total: page.total })),
        (err: unknown) => setError(err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: translate('library.loadFailed'), detail: String(err) }),
      )
      .finally(() => (loading.current = false));
  };
  useEffect(() => read(0), []);

  // Cards per row follow the width, as the CSS grid's auto-fill does.
  const grid = useRef<HTMLDivElement>(null);
  const [layout, setLayout] = useState({ columns: 1, top: 0 });
  const hasItems = (state?.items.length ?? 0) > 0;
  useLayoutEffect(() => {
    const el = grid.current;
    if (!el) return;
    const measure = () => setLayout({ columns: Math.max(1, Math.floor((el.clientWidth + GAP) / (CARD_MIN_WIDTH + GAP))), top: el.getBoundingClientRect().top + window.scrollY });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasItems]);
  const items = state?.items ?? [];
  const rowCount = Math.ceil(items.length / layout.columns);
  const virtualizer = useWindowVirtualizer({ count: rowCount, estimateSize: () => 460, overscan: 2, scrollMargin: layout.top, gap: GAP });
  const rows = virtualizer.getVirtualItems();
  const lastRow = rows[rows.length - 1]?.index ?? -1;
  useEffect(() => {
    if (state && lastRow >= rowCount - 2 && state.items.length < state.total) read(state.items.length);
  }, [lastRow, rowCount, state]);
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
          <div ref={grid} role="list" aria-label={t('library.title')} className="library-rows" style={{ position: 'relative', height: virtualizer.getTotalSize() }}>
            {rows.map((row) => (
              <div key={row.index} role="presentation" ref={virtualizer.measureElement} data-index={row.index} className="library-grid" style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${row.start - virtualizer.options.scrollMargin}px)` }}>
                {items.slice(row.index * layout.columns, (row.index + 1) * layout.columns).map((item, i) => (
                  <LibraryCard key={item.id} item={item} position={row.index * layout.columns + i + 1} total={state.total} />
                ))}
              </div>
            ))}
          </div>
        </>
      ) : null}
    </section>
  );
}
