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
import { formatWhen, platformName, TIKTOK_PRIVACY } from './posts/post-words.ts';

const REFRESH_MS = 3_000;

const audienceWords = (audience: string): string => TIKTOK_PRIVACY.find((p) => p.value === audience)?.label ?? (audience || 'Not recorded');

function FeedPost({ post }: { post: TrainingFeedPost }) {
  const when = formatWhen(post.publishedAt);
  return (
    <li>
      <article className="feed-post" aria-label={`Post by @${post.account}, ${when}`}>
        <header className="feed-post__header">
          <span className="feed-post__avatar" aria-hidden="true">
            {Array.from(post.account)[0]?.toUpperCase() ?? '•'}
          </span>
          <span className="feed-post__who">
            <span className="feed-post__account">@{post.account}</span>
            <span className="feed-post__meta">
              {platformName(post.platform)} simulator · <time dateTime={post.publishedAt}>{when}</time>
            </span>
          </span>
        </header>
        <p className="feed-post__caption">{post.caption}</p>
        <p className="feed-post__facts">
          <span>
            Who can see it: <strong>{audienceWords(post.audience)}</strong>
          </span>
          {post.bytes > 0 ? <span>Video, {formatBytes(post.bytes)}</span> : null}
        </p>
      </article>
    </li>
  );
}

export function FeedScreen() {
  const [posts, setPosts] = useState<TrainingFeedPost[] | null>(null);
  const [error, setError] = useState<AirlockErrorValue | null>(null);
  const activity = usePublishActivity();

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
          if (live) setError(err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: 'The feed could not be loaded.', detail: String(err) });
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
        <h1 id="feed-title">Feed</h1>
        <p className="muted">What the TikTok simulator published in this training session, as the audience would see it. Read-only: nothing here reached the real TikTok.</p>
      </header>
      {activity.length > 0 ? (
        <section className="card feed__sending" aria-labelledby="feed-sending-title">
          <h2 id="feed-sending-title">Sending now</h2>
          <PublishActivityList items={activity} />
        </section>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      {posts === null && !error ? (
        <p className="muted" role="status">
          Loading the feed…
        </p>
      ) : null}
      {posts !== null && posts.length === 0 ? (
        <div className="empty-state" data-testid="feed-empty">
          <p className="empty-state__title">Nothing published yet</p>
          <p className="muted">Approve a post and choose “Publish now”. It appears here a few seconds later.</p>
        </div>
      ) : null}
      {posts !== null && posts.length > 0 ? (
        <>
          <p className="muted" role="status">
            {posts.length} {posts.length === 1 ? 'post' : 'posts'}, newest first
          </p>
          <ol className="feed-list" aria-label="Published posts, newest first" data-testid="feed-list">
            {posts.map((p, i) => (
              <FeedPost key={`${p.publishedAt}:${i}`} post={p} />
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}
