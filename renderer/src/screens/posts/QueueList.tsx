// The queue as a list that stays fast with any number of posts: only the rows on screen (and a
// few either side) are in the page, read from the services a page at a time as staff scroll.
// It is a table to assistive technology, with the full row count and each row's position, and
// the arrow keys, Page Up/Down, Home and End move between posts even to rows not yet drawn.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import type { PostSummary } from '../../../../common/contract.ts';
import { useStaffStore } from '../../state/staff-store.ts';
import { StateBadge, Thumb, useStaffNames } from './parts.tsx';
import { firstLine, formatWhen, platformName } from './post-words.ts';
import { useQueueStore } from './queue-store.ts';
import { QUEUE_WORDS as W } from './queue-words.ts';
import './queue.css';

export const ROW_HEIGHT = 96;
const PAGE_STEP = 8;

export type QueueAction = 'reschedule' | 'publish' | 'cancel';

export const captionOf = (post: PostSummary): string => {
  const line = firstLine(post.caption);
  return line.length > 80 ? `${line.slice(0, 79)}…` : line || W.noCaption();
};

function whenOf(post: PostSummary): string {
  if (post.scheduleAt && (post.state === 'scheduled' || post.state === 'publishing')) return W.goesOut(formatWhen(post.scheduleAt));
  if (post.scheduleAt && (post.state === 'published' || post.state === 'failed')) return formatWhen(post.scheduleAt);
  return W.changed(formatWhen(post.updatedAt));
}

interface RowProps {
  index: number;
  post: PostSummary | undefined;
  previous: PostSummary | undefined;
  next: PostSummary | undefined;
  reorderable: boolean;
  busy: boolean;
  onOpen: (id: string) => void;
  onKey: (index: number, e: KeyboardEvent<HTMLButtonElement>) => void;
  onAction: (action: QueueAction, post: PostSummary) => void;
  onSwap: (a: PostSummary, b: PostSummary) => void;
}

function QueueRow({ index, post, previous, next, reorderable, busy, onOpen, onKey, onAction, onSwap }: RowProps) {
  const nameOf = useStaffNames();
  const id = useId();
  const caption = post ? captionOf(post) : W.loadingRow();
  const people = post
    ? [
        post.submittedBy ? W.submittedBy(nameOf(post.submittedBy)) : post.createdBy ? W.writtenBy(nameOf(post.createdBy)) : post.origin !== 'kiosk' ? W.fromStick() : null,
        post.approvedBy ? W.approvedBy(nameOf(post.approvedBy)) : null,
      ].filter(Boolean)
    : [];
  const scheduled = post?.state === 'scheduled';
  // Moving and publishing are for those who may schedule (staff/roles.ts); anyone may cancel.
  const mayPlan = useStaffStore((s) => s.status?.current?.role !== 'author');
  const canSwap = (other: PostSummary | undefined) => reorderable && scheduled && other?.state === 'scheduled' && !busy;
  return (
    <>
      <div role="cell" className="queue-row__thumb">
        {post?.lead ? (
          <Thumb kind={post.lead.kind} cleanSha256={post.lead.cleanSha256} thumbnailSha256={post.lead.thumbnailSha256} label={post.lead.altText?.trim() ? post.lead.altText : W.withoutDescription(post.lead.kind)} />
        ) : (
          <span className="thumb thumb--small thumb--text" role="img" aria-label={post ? W.textOnly() : W.loadingRow()}>
            {post ? W.textGlyph() : '…'}
          </span>
        )}
      </div>
      <div role="cell" className="post-row__body">
        {/* One element whether or not the row is read yet, so keyboard focus survives its loading. */}
        <button
          type="button"
          className="post-row__open"
          data-row-open={index}
          aria-describedby={post ? `${id}-state ${id}-meta` : undefined}
          aria-disabled={post ? undefined : true}
          onClick={() => post && onOpen(post.id)}
          onKeyDown={(e) => onKey(index, e)}
        >
          {caption}
        </button>
        {post ? (
          <span id={`${id}-meta`} className="post-row__meta">
            <span className="post-row__targets">{post.targets.length > 0 ? post.targets.map(platformName).join(' · ') : W.noPlatform()}</span>
            <span className="muted">{whenOf(post)}</span>
            {people.length > 0 ? <span className="muted">{people.join(', ')}</span> : null}
            {post.mediaCount > 1 ? <span className="muted">{W.media(post.mediaCount)}</span> : null}
          </span>
        ) : null}
      </div>
      <div role="cell">{post ? <StateBadge state={post.state} id={`${id}-state`} /> : null}</div>
      <div role="cell" className="queue-row__actions">
        {post && scheduled ? (
          <span role="group" aria-label={W.actionsFor(caption)} className="queue-row__buttons">
            {reorderable && mayPlan ? (
              <>
                <button type="button" className="button button--secondary button--small" aria-label={W.moveUpFor(caption)} title={W.moveUp()} disabled={!canSwap(previous)} onClick={() => previous && onSwap(post, previous)}>
                  ↑
                </button>
                <button type="button" className="button button--secondary button--small" aria-label={W.moveDownFor(caption)} title={W.moveDown()} disabled={!canSwap(next)} onClick={() => next && onSwap(post, next)}>
                  ↓
                </button>
              </>
            ) : null}
            {mayPlan ? (
              <>
                <button type="button" className="button button--secondary button--small" aria-label={W.rescheduleFor(caption)} disabled={busy} onClick={() => onAction('reschedule', post)}>
                  {W.reschedule()}
                </button>
                <button type="button" className="button button--secondary button--small" aria-label={W.publishNowFor(caption)} disabled={busy} onClick={() => onAction('publish', post)}>
                  {W.publishNow()}
                </button>
              </>
            ) : null}
            <button type="button" className="button button--danger button--small" aria-label={W.cancelFor(caption)} disabled={busy} onClick={() => onAction('cancel', post)}>
              {W.cancel()}
            </button>
          </span>
        ) : null}
      </div>
    </>
  );
}

export function QueueList({ label, onOpen, onAction, onSwap }: { label: string; onOpen: (id: string) => void; onAction: (action: QueueAction, post: PostSummary) => void; onSwap: (a: PostSummary, b: PostSummary) => void }) {
  const { total, rows, ensure, filter, busy } = useQueueStore();
  const scroller = useRef<HTMLDivElement>(null);
  // The virtualiser's functions change as it scrolls; this component is simply not memoised.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 6 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  // Read whatever is on screen and not read yet (after a scroll, or after a change re-read).
  useEffect(() => {
    if (total > 0) ensure(first, last);
  }, [first, last, total, rows, ensure]);

  const focusRow = (index: number) => {
    const target = Math.max(0, Math.min(total - 1, index));
    virtualizer.scrollToIndex(target, { align: 'auto' });
    // The row may be drawn only after the scroll: try for a few frames.
    let tries = 0;
    const attempt = () => {
      const el = scroller.current?.querySelector<HTMLButtonElement>(`[data-row-open="${target}"]`);
      if (el) el.focus();
      else if (tries++ < 10) requestAnimationFrame(attempt);
    };
    requestAnimationFrame(attempt);
  };

  const onKey = (index: number, e: KeyboardEvent<HTMLButtonElement>) => {
    const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, PageDown: index + PAGE_STEP, PageUp: index - PAGE_STEP, Home: 0, End: total - 1 };
    if (e.altKey || e.ctrlKey || e.metaKey || !(e.key in moves)) return;
    e.preventDefault();
    focusRow(moves[e.key]!);
  };

  return (
    <div ref={scroller} className="queue-scroller" data-testid="queue-scroller">
      <div role="table" aria-label={label} aria-rowcount={total} className="queue-table" style={{ height: virtualizer.getTotalSize() }}>
        <div role="rowgroup">
          {items.map((item) => {
            const post = rows.get(item.index);
            return (
              <div
                key={item.index}
                role="row"
                aria-rowindex={item.index + 1}
                aria-busy={post ? undefined : true}
                data-testid="post-row"
                data-index={item.index}
                className="post-row queue-row"
                style={{ height: ROW_HEIGHT - 8, transform: `translateY(${item.start}px)` }}
              >
                <QueueRow
                  index={item.index}
                  post={post}
                  previous={rows.get(item.index - 1)}
                  next={rows.get(item.index + 1)}
                  reorderable={filter === 'scheduled'}
                  busy={busy}
                  onOpen={onOpen}
                  onKey={onKey}
                  onAction={onAction}
                  onSwap={onSwap}
                />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
