// The queue: every post in one filter at a time (with how many each filter holds), each row
// with its picture, first line, platforms, state in words, its time in the kiosk's time zone
// and who submitted and approved it. Pages of 50 with "Show more".
import { useId } from 'react';
import type { PostView } from '../../../../common/contract.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { usePostsStore } from '../../state/posts-store.ts';
import { StateBadge, Thumb, useStaffNames } from './parts.tsx';
import { FILTERS, firstLine, formatWhen, kioskTimeZone, platformName } from './post-words.ts';

function PostRow({ post, onOpen }: { post: PostView; onOpen: (id: string) => void }) {
  const nameOf = useStaffNames();
  const id = useId();
  const lead = post.media[0];
  const line = firstLine(post.caption);
  const people = [
    post.submittedBy ? `Submitted by ${nameOf(post.submittedBy)}` : post.createdBy ? `Written by ${nameOf(post.createdBy)}` : post.origin !== 'kiosk' ? 'From an imported stick' : null,
    post.approvedBy ? `approved by ${nameOf(post.approvedBy)}` : null,
  ].filter(Boolean);
  const when =
    post.scheduleAt && (post.state === 'scheduled' || post.state === 'publishing') ? `Goes out ${formatWhen(post.scheduleAt)}` : post.scheduleAt && (post.state === 'published' || post.state === 'failed') ? formatWhen(post.scheduleAt) : `Changed ${formatWhen(post.updatedAt)}`;
  // The caption is the button; its hit area stretches over the whole row (see styles.css), so
  // the row is one large touch target while its name stays the words staff see.
  return (
    <li className="post-row" data-testid="post-row">
      {lead ? (
        <Thumb kind={lead.kind} cleanSha256={lead.cleanSha256} thumbnailSha256={lead.thumbnailSha256} label={lead.altText?.trim() ? lead.altText : `${lead.kind === 'video' ? 'Video' : 'Photo'} without a description`} />
      ) : (
        <span className="thumb thumb--small thumb--text" role="img" aria-label="Text only">
          Aa
        </span>
      )}
      <span className="post-row__body">
        <button type="button" className="post-row__open" aria-describedby={`${id}-state ${id}-meta`} onClick={() => onOpen(post.id)}>
          {line || 'No caption yet'}
        </button>
        <span id={`${id}-meta`} className="post-row__meta">
          <span className="post-row__targets">{post.targets.length > 0 ? post.targets.map(platformName).join(' · ') : 'No platform chosen'}</span>
          <span className="muted">{when}</span>
          {people.length > 0 ? <span className="muted">{people.join(', ')}</span> : null}
          {post.media.length > 1 ? <span className="muted">{post.media.length} photos or videos</span> : null}
        </span>
      </span>
      <StateBadge state={post.state} id={`${id}-state`} />
    </li>
  );
}

export function PostList({ onOpen, onNew }: { onOpen: (id: string) => void; onNew: () => void }) {
  const { filter, setFilter, posts, total, counts, listLoaded, loadingMore, listError, showMore } = usePostsStore();
  const words = FILTERS.find((f) => f.id === filter) ?? FILTERS[0]!;
  return (
    <section aria-labelledby="posts-title" className="stack">
      <header className="page-header posts-header">
        <div>
          <h1 id="posts-title">Posts</h1>
          <p className="muted">Write, check, approve and schedule. Times are in the kiosk’s time zone ({kioskTimeZone()}).</p>
        </div>
        <button type="button" className="button" onClick={onNew}>
          ✎ Write a new post
        </button>
      </header>

      <div className="post-filters" role="group" aria-label="Show posts that are">
        {FILTERS.map((f) => (
          <button key={f.id} type="button" className="post-filter" aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
            {f.label}
            <span className="post-filter__count">{counts[f.id] ?? '–'}</span>
          </button>
        ))}
      </div>

      {listError ? <ErrorNotice error={listError} /> : null}
      {!listLoaded ? (
        <p className="muted" role="status">
          Loading posts…
        </p>
      ) : null}
      {listLoaded && posts.length === 0 && !listError ? (
        <div className="empty-state" data-testid="posts-empty">
          <p className="empty-state__title">{words.empty.title}</p>
          <p className="muted">{words.empty.hint}</p>
        </div>
      ) : null}
      {posts.length > 0 ? (
        <>
          <p className="muted" role="status">
            {posts.length < total ? `Showing ${posts.length} of ${total}` : `${total} ${total === 1 ? 'post' : 'posts'}`}
          </p>
          <ul className="post-list" aria-label={`Posts: ${words.label}`}>
            {posts.map((p) => (
              <PostRow key={p.id} post={p} onOpen={onOpen} />
            ))}
          </ul>
          {posts.length < total ? (
            <button type="button" className="button button--secondary" disabled={loadingMore} onClick={() => void showMore()}>
              {loadingMore ? 'Loading…' : `Show more (${total - posts.length} more)`}
            </button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
