// Training mode only: the simulator's feed, read-only, so the audience sees the published result
// (account, caption, who can see it, when). It refreshes by itself every few seconds and as soon
// as a post changes, and shows uploads still in flight above the feed.
import { useEffect, useState } from 'react';
import type { TrainingFeedPost } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { ApiError, call, subscribe } from '../api/client.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { formatBytes } from '../format.ts';
import { PublishActivityList, usePublishActivity } from '../training/publish-activity.tsx';
import { platformName, TIKTOK_PRIVACY } from './posts/post-words.ts';
import { formatWhen } from '../format.ts';
import { t as translate, useTranslation } from '../i18n/index.ts';

const REFRESH_MS = 3_000;

/** The simulators' audiences other than TikTok's privacy levels, in the feed's words. */
const AUDIENCE_WORDS: Record<string, () => string> = {
  public: () => translate('feed.audience.public'),
  unlisted: () => translate('feed.audience.unlisted'),
  private: () => translate('feed.audience.private'),
  quiet: () => translate('feed.audience.quiet'),
  followers: () => translate('feed.audience.followers'),
  mentioned: () => translate('feed.audience.mentioned'),
};

const audienceWords = (audience: string): string =>
  TIKTOK_PRIVACY.find((p) => p.value === audience)?.label ?? AUDIENCE_WORDS[audience]?.() ?? (audience || translate('feed.notRecorded'));

function FeedPost({ post }: { post: TrainingFeedPost }) {
  const when = formatWhen(post.publishedAt);
  const { t } = useTranslation();
  return (
    <li>
      <article className="feed-post" aria-label={t('feed.postBy', { account: post.account, when })}>
        <header className="feed-post__header">
          <span className="feed-post__avatar" aria-hidden="true">
            {Array.from(post.account)[0]?.toUpperCase() ?? '•'}
          </span>
          <span className="feed-post__who">
            <span className="feed-post__account">@{post.account}</span>
            <span className="feed-post__meta">
              {t('feed.simulator', { platform: platformName(post.platform) })} · <time dateTime={post.publishedAt}>{when}</time>
            </span>
          </span>
        </header>
        <p className="feed-post__caption">{post.caption}</p>
        <p className="feed-post__facts">
          <span>
            {t('feed.whoCanSee')} <strong>{audienceWords(post.audience)}</strong>
          </span>
          {post.bytes > 0 ? <span>{t('feed.video', { size: formatBytes(post.bytes) })}</span> : null}
        </p>
      </article>
    </li>
  );
}

export function FeedScreen() {
  const [posts, setPosts] = useState<TrainingFeedPost[] | null>(null);
  const [error, setError] = useState<AirlockErrorValue | null>(null);
  const activity = usePublishActivity();
  const { t } = useTranslation();

  useEffect(() => {
    let live = true;
    const refresh = () =>
      call('training.feed', {}).then(
        (feed) => {
          if (!live) return;
          setPosts([...feed.posts].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt)));
          setError(null);
        },
        (err: unknown) => {
          if (live) setError(err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: translate('feed.loadFailed'), detail: String(err) });
        },
      );
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    const stop = subscribe((event) => {
      if (event.name === 'posts.changed' || event.name === 'publish.result') void refresh();
    });
    return () => {
      live = false;
      clearInterval(timer);
      stop();
    };
  }, []);

  return (
    <section aria-labelledby="feed-title" className="stack feed">
      <header className="page-header">
        <h1 id="feed-title">{t('feed.title')}</h1>
        <p className="muted">{t('feed.intro')}</p>
      </header>
      {activity.length > 0 ? (
        <section className="card feed__sending" aria-labelledby="feed-sending-title">
          <h2 id="feed-sending-title">{t('feed.sendingNow')}</h2>
          <PublishActivityList items={activity} />
        </section>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      {posts === null && !error ? (
        <p className="muted" role="status">
          {t('feed.loading')}
        </p>
      ) : null}
      {posts !== null && posts.length === 0 ? (
        <div className="empty-state" data-testid="feed-empty">
          <p className="empty-state__title">{t('feed.empty')}</p>
          <p className="muted">{t('feed.emptyHint')}</p>
        </div>
      ) : null}
      {posts !== null && posts.length > 0 ? (
        <>
          <p className="muted" role="status">
            {t('feed.count', { count: posts.length })}
          </p>
          <ol className="feed-list" aria-label={t('feed.list')} data-testid="feed-list">
            {posts.map((p, i) => (
              <FeedPost key={`${p.publishedAt}:${i}`} post={p} />
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}
