// The week and month calendars of scheduled, publishing, published and failed posts, by day in
// the kiosk's time zone. A grid to assistive technology: the arrow keys move between days (and
// on into the next week or month), Enter goes to a day's posts, Enter on a post opens it. A
// scheduled post moves to another day at the same time with Alt and an arrow key, or by mouse
// with drag and drop; the services refuse a time in the past, and the calendar says so.
import { useEffect, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { PostSummary } from '../../../../common/contract.ts';
import { currentLanguage, useTranslation } from '../../i18n/index.ts';
import { addDays, addMonths, dayOf, monthWeeks, moveToDay, parseKey, sameMonth, weekDays, type DayKey } from './calendar-dates.ts';
import { formatWhen, kioskTimeZone, STATE_WORDS } from './post-words.ts';
import { captionOf, type QueueAction } from './QueueList.tsx';
import { useStaffStore } from '../../state/staff-store.ts';
import { useQueueStore } from './queue-store.ts';
import { longDay, monthTitle, QUEUE_WORDS, weekdayName, weekTitle } from './queue-words.ts';
import './queue.css';

const W = QUEUE_WORDS.calendar;
const MONTH_SHOWS = 3;
const timeOf = (iso: string): string => new Intl.DateTimeFormat(currentLanguage(), { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
const todayIn = (zone: string): DayKey => dayOf(new Date(), zone);

function CalendarPost({ post, tabbable, onOpen, onMove, onKeyDown, onSelect }: { post: PostSummary; tabbable: boolean; onOpen: (id: string) => void; onMove: (post: PostSummary, days: number) => void; onKeyDown: (e: KeyboardEvent<HTMLButtonElement>) => void; onSelect: (post: PostSummary) => void }) {
  const words = STATE_WORDS[post.state];
  const movable = post.state === 'scheduled';
  return (
    <li>
      <button
        type="button"
        className={`calendar__post calendar__post--${post.state}`}
        data-post-id={post.id}
        data-testid="calendar-post"
        tabIndex={tabbable ? 0 : -1}
        draggable={movable}
        aria-keyshortcuts={movable ? 'Alt+ArrowLeft Alt+ArrowRight Alt+ArrowUp Alt+ArrowDown' : undefined}
        onClick={() => onOpen(post.id)}
        onFocus={() => onSelect(post)}
        onDragStart={(e) => {
          e.dataTransfer.setData('application/x-airlock-post', post.id);
          e.dataTransfer.effectAllowed = 'move';
        }}
        onKeyDown={(e) => {
          const days: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
          if (e.altKey && e.key in days) {
            e.preventDefault();
            e.stopPropagation();
            onMove(post, days[e.key]!);
            return;
          }
          onKeyDown(e);
        }}
      >
        <span>
          {post.scheduleAt ? `${timeOf(post.scheduleAt)} ` : ''}
          <span className="calendar__post-state">
            <span aria-hidden="true">{words.icon}</span> {words.label}
          </span>
        </span>
        <span className="calendar__post-line">{captionOf(post)}</span>
      </button>
    </li>
  );
}

export function PostCalendar({ onOpen, onAction }: { onOpen: (id: string) => void; onAction: (action: QueueAction, post: PostSummary) => void }) {
  useTranslation();
  // The scheduled post last focused in the grid, with its actions below it.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const mayPlan = useStaffStore((st) => st.status?.current?.role !== 'author');
  const { view, anchor, calendar, calendarLoaded, calendarTruncated, setAnchor, setView, step, today, reschedule } = useQueueStore();
  const zone = kioskTimeZone();
  const todayKey = todayIn(zone);
  const weeks = view === 'month' ? monthWeeks(anchor) : [weekDays(anchor)];
  const title = view === 'month' ? monthTitle(anchor) : weekTitle(weeks[0]!);
  const grid = useRef<HTMLDivElement>(null);
  // What should have focus after the next render: a day moved to by keyboard, or a moved post.
  const focusNext = useRef<{ day: DayKey; post?: string } | null>(null);
  const [dropDay, setDropDay] = useState<DayKey | null>(null);

  const selected = calendar.find((p) => p.id === selectedId && p.state === 'scheduled') ?? null;
  const byDay = new Map<DayKey, PostSummary[]>();
  for (const post of calendar) {
    if (!post.scheduleAt) continue;
    const key = dayOf(post.scheduleAt, zone);
    byDay.set(key, [...(byDay.get(key) ?? []), post]);
  }

  useEffect(() => {
    const want = focusNext.current;
    if (!want || !grid.current) return;
    const day = `[data-day="${want.day}"]`;
    const el = grid.current.querySelector<HTMLElement>(want.post ? `${day} [data-post-id="${want.post}"]` : day);
    if (el) {
      el.focus();
      focusNext.current = null;
    }
  });

  const goTo = (day: DayKey) => {
    focusNext.current = { day };
    setAnchor(day);
  };

  const move = async (post: PostSummary, target: DayKey) => {
    if (post.state !== 'scheduled' || !post.scheduleAt) return;
    if (dayOf(post.scheduleAt, zone) === target) return;
    const at = moveToDay(post.scheduleAt, target, zone);
    const from = dayOf(post.scheduleAt, zone);
    const moved = await reschedule(post, at, QUEUE_WORDS.moved(captionOf(post), formatWhen(at)));
    // Focus follows the post to its new day (or stays with it when the move was refused).
    focusNext.current = { post: post.id, day: moved ? target : from };
    if (moved) setAnchor(target);
  };

  const onDayKey = (day: DayKey, e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    const moves: Record<string, () => DayKey> = {
      ArrowLeft: () => addDays(day, -1),
      ArrowRight: () => addDays(day, 1),
      ArrowUp: () => addDays(day, -7),
      ArrowDown: () => addDays(day, 7),
      Home: () => weekDays(day)[0]!,
      End: () => weekDays(day)[6]!,
      PageUp: () => (view === 'month' ? addMonths(day, -1) : addDays(day, -7)),
      PageDown: () => (view === 'month' ? addMonths(day, 1) : addDays(day, 7)),
    };
    if (e.key in moves) {
      e.preventDefault();
      goTo(moves[e.key]!());
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      e.currentTarget.querySelector<HTMLElement>('[data-post-id], .calendar__more')?.focus();
    }
  };

  const onPostKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const list = [...(e.currentTarget.closest('[role="gridcell"]')?.querySelectorAll<HTMLElement>('[data-post-id], .calendar__more') ?? [])];
    const at = list.indexOf(e.currentTarget);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.currentTarget.closest<HTMLElement>('[role="gridcell"]')?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      list[Math.max(0, Math.min(list.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))]?.focus();
    }
  };

  const onDrop = (day: DayKey, e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDropDay(null);
    const post = calendar.find((p) => p.id === e.dataTransfer.getData('application/x-airlock-post'));
    if (post) void move(post, day);
  };

  const previous = view === 'month' ? W.previousMonth() : W.previousWeek();
  const next = view === 'month' ? W.nextMonth() : W.nextWeek();
  return (
    <section className="stack" aria-labelledby="calendar-title">
      <div className="calendar-nav">
        <h2 id="calendar-title" aria-live="polite">
          {title}
        </h2>
        <button type="button" className="button button--secondary button--small" onClick={() => step(-1)} aria-label={previous}>
          ‹
        </button>
        <button type="button" className="button button--secondary button--small" onClick={today}>
          {W.today()}
        </button>
        <button type="button" className="button button--secondary button--small" onClick={() => step(1)} aria-label={next}>
          ›
        </button>
      </div>
      <p className="muted" id="calendar-keys">
        {W.keys()}
      </p>
      {calendarTruncated ? <p role="status">{W.truncated()}</p> : null}
      <div ref={grid} role="grid" aria-label={W.label(title)} aria-describedby="calendar-keys" aria-readonly="true" className={`calendar calendar--${view}`} data-testid={`calendar-${view}`} aria-busy={calendarLoaded ? undefined : true}>
        <div role="row" className="calendar__row">
          {weeks[0]!.map((day) => (
            <div key={day} role="columnheader" className="calendar__head">
              {weekdayName(day)}
            </div>
          ))}
        </div>
        {weeks.map((week) => (
          <div key={week[0]} role="row" className="calendar__row">
            {week.map((day) => {
              const posts = byDay.get(day) ?? [];
              const isToday = day === todayKey;
              const shown = view === 'month' ? posts.slice(0, MONTH_SHOWS) : posts;
              const classes = ['calendar__day', isToday ? 'calendar__day--today' : '', view === 'month' && !sameMonth(day, anchor) ? 'calendar__day--other' : '', dropDay === day ? 'calendar__day--drop' : ''].filter(Boolean).join(' ');
              return (
                <div
                  key={day}
                  role="gridcell"
                  data-day={day}
                  data-testid="calendar-day"
                  className={classes}
                  tabIndex={day === anchor ? 0 : -1}
                  aria-current={isToday ? 'date' : undefined}
                  aria-selected={day === anchor}
                  onKeyDown={(e) => onDayKey(day, e)}
                  onFocus={(e) => {
                    if (e.target === e.currentTarget && day !== anchor) setAnchor(day);
                  }}
                  onDragOver={(e) => {
                    if (!e.dataTransfer.types.includes('application/x-airlock-post')) return;
                    e.preventDefault();
                    setDropDay(day);
                  }}
                  onDragLeave={() => setDropDay((d) => (d === day ? null : d))}
                  onDrop={(e) => onDrop(day, e)}
                >
                  <span className="calendar__date">
                    <span aria-hidden="true">{parseKey(day).day}</span>
                    <span className="visually-hidden">{longDay(day)}</span>
                    {isToday ? <span className="calendar__today">{W.today()}</span> : null}
                    <span className="visually-hidden">{W.posts(posts.length)}</span>
                  </span>
                  {shown.length > 0 ? (
                    <ul className="calendar__posts">
                      {shown.map((post) => (
                        <CalendarPost key={post.id} post={post} tabbable={day === anchor} onOpen={onOpen} onMove={(p, days) => void move(p, addDays(day, days))} onKeyDown={onPostKey} onSelect={(p) => setSelectedId(p.id)} />
                      ))}
                    </ul>
                  ) : null}
                  {posts.length > shown.length ? (
                    <button
                      type="button"
                      className="calendar__more button--small"
                      tabIndex={day === anchor ? 0 : -1}
                      onClick={() => {
                        setAnchor(day);
                        setView('week');
                      }}
                    >
                      {W.more(posts.length - shown.length)}
                    </button>
                  ) : null}
                </div>
              );
            })}
          </div>
        ))}
      </div>
      {calendarLoaded && calendar.length === 0 ? <p className="muted">{W.empty()}</p> : null}
      {selected ? (
        <div role="group" aria-label={QUEUE_WORDS.actionsFor(captionOf(selected))} className="queue-row__buttons" data-testid="calendar-actions">
          <span className="calendar__selected">{QUEUE_WORDS.actionsFor(captionOf(selected))}</span>
          {mayPlan ? (
            <>
              <button type="button" className="button button--secondary button--small" aria-label={QUEUE_WORDS.rescheduleFor(captionOf(selected))} onClick={() => onAction('reschedule', selected)}>
                {QUEUE_WORDS.reschedule()}
              </button>
              <button type="button" className="button button--secondary button--small" aria-label={QUEUE_WORDS.publishNowFor(captionOf(selected))} onClick={() => onAction('publish', selected)}>
                {QUEUE_WORDS.publishNow()}
              </button>
            </>
          ) : null}
          <button type="button" className="button button--danger button--small" aria-label={QUEUE_WORDS.cancelFor(captionOf(selected))} onClick={() => onAction('cancel', selected)}>
            {QUEUE_WORDS.cancel()}
          </button>
        </div>
      ) : null}
    </section>
  );
}
