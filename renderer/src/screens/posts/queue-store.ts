// The queue's state for any number of posts: which view (list, week, month) and filter is showing,
// how many posts each state holds, and the windows of light rows read so far. Rows are read in
// pages around what is on screen, never all at once; a change anywhere drops them and re-reads
// only what is visible. Actions on a post send the version staff were looking at.
import { create } from 'zustand';
import type { PostState, PostSummary, PostView } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { ApiError, call, subscribe } from '../../api/client.ts';
import { FILTER_STATES, type PostFilter } from '../../state/posts-store.ts';
import { addDays, addMonths, dayOf, monthWeeks, periodOf, weekDays, type DayKey } from './calendar-dates.ts';
import { kioskTimeZone } from './post-words.ts';

export const QUEUE_PAGE = 100;

export type QueueView = 'list' | 'week' | 'month';

const statesOf = (filter: PostFilter): PostState[] | null => {
  const states = FILTER_STATES[filter];
  return states === null ? null : [...states];
};

const asError = (err: unknown): AirlockErrorValue =>
  err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: 'Something went wrong on this screen.', detail: String(err) };

interface QueueState {
  view: QueueView;
  filter: PostFilter;
  total: number;
  counts: Partial<Record<PostFilter, number>>;
  /** Rows read so far, by their index in the filter's order. */
  rows: Map<number, PostSummary>;
  loaded: boolean;
  error: AirlockErrorValue | null;
  /** What the last action did, or why it was refused, for the status line. */
  message: { kind: 'done' | 'error'; text: string; error?: AirlockErrorValue } | null;
  busy: boolean;

  /** The day the calendar is showing around. */
  anchor: DayKey;
  calendar: PostSummary[];
  calendarLoaded: boolean;
  calendarTruncated: boolean;

  setView(view: QueueView): void;
  setFilter(filter: PostFilter): void;
  /** Reads the pages holding rows [from, to] that are not read yet. */
  ensure(from: number, to: number): void;
  reload(): Promise<void>;
  setAnchor(day: DayKey): void;
  step(direction: -1 | 1): void;
  today(): void;
  loadCalendar(): Promise<void>;
  reschedule(post: { id: string; version: number }, at: string, words: string): Promise<boolean>;
  swap(a: PostSummary, b: PostSummary, words: string): Promise<boolean>;
  publishNow(post: PostSummary, words: string): Promise<boolean>;
  cancel(post: PostSummary, words: string): Promise<boolean>;
  clearMessage(): void;
  listen(): () => void;
}

// Answers to an older request must not land on a newer filter or period.
let generation = 0;
let calendarRequest = 0;
const pending = new Set<number>();
/** The rows on screen, so a reload reads just those again. */
let lastRange: [number, number] = [0, 0];

export const useQueueStore = create<QueueState>((set, get) => {
  const readPage = async (page: number): Promise<void> => {
    if (pending.has(page)) return;
    pending.add(page);
    const mine = generation;
    try {
      const result = await call('posts.summaries', { states: statesOf(get().filter), offset: page * QUEUE_PAGE, limit: QUEUE_PAGE });
      if (mine !== generation) return;
      const rows = new Map(get().rows);
      result.items.forEach((item, i) => rows.set(page * QUEUE_PAGE + i, item));
      const counts: Partial<Record<PostFilter, number>> = {};
      for (const f of Object.keys(FILTER_STATES) as PostFilter[]) {
        const states = FILTER_STATES[f];
        counts[f] = states === null ? Object.values(result.counts).reduce((n, c) => n + c, 0) : states.reduce((n, s) => n + (result.counts[s] ?? 0), 0);
      }
      set({ rows, total: result.total, counts, loaded: true, error: null });
    } catch (err) {
      if (mine === generation) set({ error: asError(err), loaded: true });
    } finally {
      if (mine === generation) pending.delete(page);
    }
  };

  /** Runs one action; on success says what was done, otherwise why not, and re-reads. */
  const act = async (run: () => Promise<unknown>, done: string): Promise<boolean> => {
    set({ busy: true, message: null });
    try {
      await run();
      set({ busy: false, message: { kind: 'done', text: done } });
      return true;
    } catch (err) {
      const error = asError(err);
      set({ busy: false, message: { kind: 'error', text: error.message, error } });
      return false;
    } finally {
      void get().reload();
    }
  };

  return {
    view: 'list',
    filter: 'all',
    total: 0,
    counts: {},
    rows: new Map(),
    loaded: false,
    error: null,
    message: null,
    busy: false,
    anchor: dayOf(Date.now(), kioskTimeZone()),
    calendar: [],
    calendarLoaded: false,
    calendarTruncated: false,

    setView: (view) => {
      set({ view, message: null });
      if (view === 'list') void get().reload();
      else void get().loadCalendar();
    },

    setFilter: (filter) => {
      generation++;
      pending.clear();
      lastRange = [0, 0];
      set({ filter, rows: new Map(), total: 0, loaded: false, message: null });
      void readPage(0);
    },

    ensure: (from, to) => {
      lastRange = [Math.max(0, from), Math.max(0, to)];
      const rows = get().rows;
      for (let page = Math.floor(Math.max(0, from) / QUEUE_PAGE); page <= Math.floor(Math.max(0, to) / QUEUE_PAGE); page++) {
        if (!rows.has(page * QUEUE_PAGE) && !pending.has(page)) void readPage(page);
      }
    },

    reload: async () => {
      // The rows on screen stay until their new versions arrive, so nothing flickers.
      generation++;
      pending.clear();
      const [from, to] = lastRange;
      const pages: number[] = [];
      for (let page = Math.floor(from / QUEUE_PAGE); page <= Math.floor(to / QUEUE_PAGE); page++) pages.push(page);
      const fresh = new Map<number, PostSummary>();
      const mine = generation;
      try {
        let total = 0;
        let counts: Record<string, number> = {};
        // Only the pages on screen; others are read again when scrolled to.
        for (const page of pages) {
          const result = await call('posts.summaries', { states: statesOf(get().filter), offset: page * QUEUE_PAGE, limit: QUEUE_PAGE });
          if (mine !== generation) return;
          result.items.forEach((item, i) => fresh.set(page * QUEUE_PAGE + i, item));
          total = result.total;
          counts = result.counts;
        }
        const byFilter: Partial<Record<PostFilter, number>> = {};
        for (const f of Object.keys(FILTER_STATES) as PostFilter[]) {
          const states = FILTER_STATES[f];
          byFilter[f] = states === null ? Object.values(counts).reduce((n, c) => n + c, 0) : states.reduce((n, s) => n + (counts[s] ?? 0), 0);
        }
        set({ rows: fresh, total, counts: byFilter, loaded: true, error: null });
      } catch (err) {
        if (mine === generation) set({ error: asError(err), loaded: true });
      }
      if (get().view !== 'list') await get().loadCalendar();
    },

    setAnchor: (day) => {
      const before = get().anchor;
      set({ anchor: day });
      const { view } = get();
      const samePeriod = view === 'week' ? weekDays(before)[0] === weekDays(day)[0] : before.slice(0, 7) === day.slice(0, 7);
      if (!samePeriod) void get().loadCalendar();
    },

    step: (direction) => {
      const { view, anchor } = get();
      get().setAnchor(view === 'week' ? addDays(anchor, 7 * direction) : addMonths(anchor, direction));
    },

    today: () => get().setAnchor(dayOf(Date.now(), kioskTimeZone())),

    loadCalendar: async () => {
      const request = ++calendarRequest;
      const { view, anchor } = get();
      const days = view === 'month' ? monthWeeks(anchor).flat() : weekDays(anchor);
      try {
        const result = await call('posts.calendar', periodOf(days, kioskTimeZone()));
        if (request !== calendarRequest) return;
        set({ calendar: result.items, calendarTruncated: result.truncated, calendarLoaded: true, error: null });
      } catch (err) {
        if (request === calendarRequest) set({ error: asError(err), calendarLoaded: true });
      }
    },

    reschedule: (post, at, words) => act(() => call('posts.reschedule', { id: post.id, version: post.version, at }), words),
    swap: (a, b, words) => act(() => call('posts.swapSlots', { first: { id: a.id, version: a.version }, second: { id: b.id, version: b.version } }), words),
    publishNow: (post, words) => act(() => call('posts.schedule', { id: post.id, version: post.version, at: 'now' }) as Promise<PostView>, words),
    cancel: (post, words) => act(() => call('posts.cancel', { id: post.id, version: post.version }), words),
    clearMessage: () => set({ message: null }),

    listen: () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stop = subscribe((event) => {
        if (event.name !== 'posts.changed' && event.name !== 'training.reset') return;
        // Several changes often arrive together (an import adds many drafts): read once.
        clearTimeout(timer);
        timer = setTimeout(() => void get().reload(), 150);
      });
      return () => {
        clearTimeout(timer);
        stop();
      };
    },
  };
});
