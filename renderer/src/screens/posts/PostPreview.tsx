// How a post will look on each platform, made from the clean media Airlock will actually send:
// a 9:16 frame with the caption over it for TikTok, a card for the text-first networks. The
// sanitisation report of every attached item sits beside the previews.
import type { LibraryItem } from '../../../../common/contract.ts';
import { mediaUrl, platformName, TIKTOK_PRIVACY } from './post-words.ts';
import { t } from '../../i18n/index.ts';
import { FindingLine, ReportFindings } from '../../components/ReportFindings.tsx';

export interface PreviewMedia {
  mediaId: string;
  kind: 'image' | 'video';
  cleanSha256: string;
  thumbnailSha256: string | null;
  altText: string | null;
}

export interface PreviewContent {
  caption: string;
  targets: readonly string[];
  options: Record<string, Record<string, unknown>>;
  media: PreviewMedia[];
}

const describe = (m: PreviewMedia, i: number): string => (m.altText?.trim() ? m.altText.trim() : t(`posts.preview.noDescription.${m.kind}`, { n: i + 1 }));

const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => Array.from(w)[0]?.toUpperCase() ?? '')
    .join('');

function TikTokPreview({ content, organisation }: { content: PreviewContent; organisation: string }) {
  const video = content.media.find((m) => m.kind === 'video');
  const photo = content.media.find((m) => m.kind === 'image');
  const privacy = content.options.tiktok?.privacyLevel;
  const audience = TIKTOK_PRIVACY.find((p) => p.value === privacy)?.label;
  return (
    <figure className="preview preview--tiktok" data-testid="preview-tiktok">
      <figcaption className="preview__label">{platformName('tiktok')}</figcaption>
      <div className="tiktok-frame">
        {video ? (
          <video className="tiktok-frame__media" src={mediaUrl(video.cleanSha256)} controls preload="metadata" playsInline aria-label={describe(video, content.media.indexOf(video))} />
        ) : photo ? (
          <img className="tiktok-frame__media" src={mediaUrl(photo.cleanSha256)} alt={describe(photo, content.media.indexOf(photo))} />
        ) : (
          <p className="tiktok-frame__empty">{t('posts.preview.addVideo')}</p>
        )}
        <div className="tiktok-frame__overlay">
          <p className="tiktok-frame__name">@{organisation}</p>
          <p className="tiktok-frame__caption">{content.caption || t('posts.preview.captionHere')}</p>
        </div>
      </div>
      <p className="preview__note muted">{audience ? t('posts.preview.whoCanSee', { audience }) : t('posts.preview.whoNotChosen')}</p>
    </figure>
  );
}

function CardPreview({ platform, content, organisation }: { platform: string; content: PreviewContent; organisation: string }) {
  const media = content.media.slice(0, 4);
  const title = platform === 'youtube' && typeof content.options.youtube?.title === 'string' ? content.options.youtube.title : null;
  const privacy = content.options.youtube?.privacy;
  const watchers = platform === 'youtube' && (privacy === 'public' || privacy === 'unlisted' || privacy === 'private') ? t(`posts.editor.youtubePrivacyOption.${privacy}`) : null;
  return (
    <figure className="preview" data-testid={`preview-${platform}`}>
      <figcaption className="preview__label">{platformName(platform)}</figcaption>
      <article className="social-card">
        <header className="social-card__header">
          <span className="social-card__avatar" aria-hidden="true">
            {initials(organisation) || '•'}
          </span>
          <span>
            <span className="social-card__name">{organisation}</span>
            <span className="social-card__meta muted">{platformName(platform)} {t('posts.preview.now')}</span>
          </span>
        </header>
        {title ? <p className="social-card__title">{title}</p> : null}
        {content.caption ? <p className="social-card__text">{content.caption}</p> : <p className="social-card__text muted">{t('posts.preview.captionHere')}</p>}
        {media.length > 0 ? (
          <div className={`media-grid media-grid--${media.length}`}>
            {media.map((m, i) =>
              m.kind === 'video' ? (
                <video key={m.mediaId} src={mediaUrl(m.cleanSha256)} controls preload="metadata" playsInline aria-label={describe(m, i)} />
              ) : (
                <img key={m.mediaId} src={mediaUrl(m.cleanSha256)} alt={describe(m, i)} />
              ),
            )}
          </div>
        ) : null}
      </article>
      {platform === 'youtube' ? <p className="preview__note muted">{watchers ? t('posts.editor.youtubeWatchNote', { audience: watchers }) : t('posts.editor.youtubeWatchNotChosen')}</p> : null}
    </figure>
  );
}

/** What the sanitiser removed from each attached item, matched to the library by id or hash. */
export function MediaReports({ media, library }: { media: PreviewMedia[]; library: LibraryItem[] }) {
  if (media.length === 0) return <p className="muted">{t('posts.preview.noMedia')}</p>;
  return (
    <ul className="media-reports" data-testid="media-reports">
      {media.map((m, i) => {
        const item = library.find((l) => l.id === m.mediaId || l.cleanSha256 === m.cleanSha256);
        const name = item ? (item.originalName.split('/').pop() ?? item.originalName) : t(`posts.editor.itemLabel.${m.kind}`, { n: i + 1 });
        return (
          <li key={m.mediaId} className="media-report">
            <p className="media-report__name">
              {i + 1}. {name}
            </p>
            {!item ? (
              <p className="muted">{t('posts.preview.reportInLibrary')}</p>
            ) : item.report.findings.length === 0 ? (
              <p className="muted">{t('posts.preview.nothingFound')}</p>
            ) : (
              <ReportFindings findings={item.report.findings} />
            )}
            {item && item.report.warnings.length > 0 ? (
              <ul className="check-issues">
                {item.report.warnings.map((w, j) => (
                  <li key={j} className="check-issue check-issue--warning">
                    <span aria-hidden="true">⚠</span> <FindingLine finding={w} />
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/** One preview per target platform, with the media reports beside them. */
export function PreviewPanel({ content, organisation, library, headingId, reports = true, title = t('posts.preview.title') }: { content: PreviewContent; organisation: string; library: LibraryItem[]; headingId: string; reports?: boolean; title?: string }) {
  return (
    <section className={`preview-panel${reports ? '' : ' preview-panel--alone'}`} aria-labelledby={headingId}>
      <div className="preview-panel__previews">
        <h2 id={headingId}>{title}</h2>
        {content.targets.length === 0 ? (
          <p className="muted">{t('posts.preview.chooseTargets')}</p>
        ) : (
          <div className="preview-grid">
            {content.targets.map((t) => (t === 'tiktok' ? <TikTokPreview key={t} content={content} organisation={organisation} /> : <CardPreview key={t} platform={t} content={content} organisation={organisation} />))}
          </div>
        )}
      </div>
      {reports ? (
        <aside className="preview-panel__reports" aria-label={t('posts.preview.removed')}>
          <h2>{t('posts.preview.removed')}</h2>
          <p className="muted">{t('posts.preview.removedIntro')}</p>
          <MediaReports media={content.media} library={library} />
        </aside>
      ) : null}
    </section>
  );
}
