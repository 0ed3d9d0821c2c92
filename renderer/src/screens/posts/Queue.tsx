// The queue screen: the posts as a list, a week or a month, with the filters and their counts.
// Scheduled posts can be moved up or down the queue (swapping times with their neighbour),
// rescheduled, published now or cancelled; publishing now and cancelling ask first. What an
// action did, or why it was refused, is said in the status line.
import { useEffect, useState } from 'react';
import type { PostSummary } from '../../../../common/contract.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { formatNumber } from '../../format.ts';
import { useTranslation } from '../../i18n/index.ts';
import { fromFields, toFields } from './calendar-dates.ts';
import { Dialog } from './Dialog.tsx';
import { PostCalendar } from './PostCalendar.tsx';
import { FILTERS, formatWhen, kioskTimeZone, platformList } from './post-words.ts';
import { captionOf, QueueList, type QueueAction } from './QueueList.tsx';
import { useQueueStore, type QueueView } from './queue-store.ts';
import { QUEUE_WORDS as W } from './queue-words.ts';

/** Why a time cannot be chosen, or null when it can. */
function problemWith(at: string | null): string | null {
  if (at === null) return W.chooseTime();
  return Date.parse(at) <= Date.now() ? W.timePast() : null;
}

function RescheduleDialog({ post, onClose }: { post: PostSummary; onClose: () => void }) {
  const zone = kioskTimeZone();
  const reschedule = useQueueStore((s) => s.reschedule);
  const [start] = useState(() => toFields(post.scheduleAt ?? new Date().toISOString(), zone));
  const [date, setDate] = useState(start.date);
  const [time, setTime] = useState(start.time);
  const at = fromFields(date, time, zone);
  const problem = problemWith(at);
  return (
    <Dialog
      title={W.rescheduleTitle()}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button--secondary" onClick={onClose}>
            {W.keep()}
          </button>
          <button
            type="button"
            className="button"
            disabled={problem !== null}
            onClick={() => {
              if (!at) return;
              onClose();
              void reschedule(post, at, W.moved(captionOf(post), formatWhen(at)));
            }}
          >
            {at && !problem ? W.rescheduleTo(formatWhen(at)) : W.reschedule()}
          </button>
        </>
      }
    >
      <p>
        <strong>{captionOf(post)}</strong>
      </p>
      <p className="muted">{W.rescheduleHint(zone)}</p>
      <div className="stack">
        <label className="field">
          <span>{W.date()}</span>
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required data-autofocus />
        </label>
        <label className="field">
          <span>{W.time()}</span>
          <input type="time" value={time} onChange={(e) => setTime(e.target.value)} required />
        </label>
      </div>
      {problem ? (
        <p className="muted" role="status">
          {problem}
        </p>
      ) : null}
    </Dialog>
  );
}

function ConfirmDialog({ action, post, onClose }: { action: 'publish' | 'cancel'; post: PostSummary; onClose: () => void }) {
  const { publishNow, cancel } = useQueueStore();
  const caption = captionOf(post);
  const publish = action === 'publish';
  return (
    <Dialog
      title={publish ? W.confirmPublishTitle() : W.confirmCancelTitle()}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button--secondary" onClick={onClose} data-autofocus>
            {W.keep()}
          </button>
          <button
            type="button"
            className={publish ? 'button' : 'button button--danger'}
            onClick={() => {
              onClose();
              void (publish ? publishNow(post, W.publishing(caption)) : cancel(post, W.cancelled(caption)));
            }}
          >
            {publish ? W.publishNow() : W.cancel()}
          </button>
        </>
      }
    >
      <p>{publish ? W.confirmPublish(caption, platformList(post.targets)) : W.confirmCancel(caption)}</p>
    </Dialog>
  );
}

export function Queue({ onOpen, onNew }: { onOpen: (id: string) => void; onNew: () => void }) {
  useTranslation();
  const { view, setView, filter, setFilter, counts, total, loaded, error, message, reload, listen, swap } = useQueueStore();
  const [dialog, setDialog] = useState<{ action: QueueAction; post: PostSummary } | null>(null);
  const words = FILTERS.find((f) => f.id === filter) ?? FILTERS[0]!;

  useEffect(() => {
    void reload();
    return listen();
  }, [reload, listen]);

  const views: QueueView[] = ['list', 'week', 'month'];
  return (
    <section aria-labelledby="posts-title" className="stack">
      <header className="page-header posts-header">
        <div>
          <h1 id="posts-title">{W.title()}</h1>
          <p className="muted">{W.intro(kioskTimeZone())}</p>
        </div>
        <button type="button" className="button" onClick={onNew}>
          {W.write()}
        </button>
      </header>

      <div className="queue-toolbar">
        <div className="queue-views" role="group" aria-label={W.views.label()}>
          {views.map((v) => (
            <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)}>
              {W.views[v]()}
            </button>
          ))}
        </div>
      </div>

      {message ? (
        <div role={message.kind === 'error' ? undefined : 'status'} className={`queue-message queue-message--${message.kind}`} data-testid="queue-message">
          {message.kind === 'error' && message.error ? <ErrorNotice error={message.error} /> : <p>{message.text}</p>}
        </div>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}

      {view === 'list' ? (
        <>
          <div className="post-filters" role="group" aria-label={W.filtersLabel()}>
            {FILTERS.map((f) => (
              <button key={f.id} type="button" className="post-filter" aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
                {f.label}
                <span className="post-filter__count">{counts[f.id] === undefined ? '–' : formatNumber(counts[f.id]!)}</span>
              </button>
            ))}
          </div>
          {!loaded ? (
            <p className="muted" role="status">
              {W.loading()}
            </p>
          ) : null}
          {loaded && total === 0 && !error ? (
            <div className="empty-state" data-testid="posts-empty">
              <p className="empty-state__title">{words.empty.title}</p>
              <p className="muted">{words.empty.hint}</p>
            </div>
          ) : null}
          {total > 0 ? (
            <>
              <p className="muted" role="status">
                {W.showing(total, total)}
              </p>
              <QueueList
                label={W.listLabel(words.label)}
                onOpen={onOpen}
                onAction={(action, post) => setDialog({ action, post })}
                onSwap={(a, b) => void swap(a, b, W.swapped(captionOf(a), captionOf(b)))}
              />
            </>
          ) : null}
        </>
      ) : (
        <PostCalendar onOpen={onOpen} onAction={(action, post) => setDialog({ action, post })} />
      )}

      {dialog?.action === 'reschedule' ? <RescheduleDialog post={dialog.post} onClose={() => setDialog(null)} /> : null}
      {dialog && dialog.action !== 'reschedule' ? <ConfirmDialog action={dialog.action} post={dialog.post} onClose={() => setDialog(null)} /> : null}
    </section>
  );
}
