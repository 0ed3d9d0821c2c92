// The Posts screens' state: the queue (one filter, paged with "Show more"), how many posts are
// in each state, the clean library the editor picks from, and the one post that is open. Kept
// current from `posts.changed`; every action sends the version staff were looking at.
import { create } from 'zustand';
import type { LibraryItem, MethodArgs, PostState, PostView } from '../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { ApiError, call, subscribe } from '../api/client.ts';

export const PAGE_SIZE = 50;
const LIBRARY_PAGE = 200;

export type PostContent = Required<MethodArgs<'posts.check'>>;

/** The queue's filters and the states each one shows; together they cover every state once. */
export const FILTER_STATES = {
  all: null,
  drafts: ['draft'],
  waiting: ['submitted'],
  approved: ['approved'],
  scheduled: ['scheduled', 'publishing'],
  done: ['published', 'failed'],
  rejected: ['rejected'],
  cancelled: ['cancelled'],
} as const satisfies Record<string, readonly PostState[] | null>;

export type PostFilter = keyof typeof FILTER_STATES;
const statesOf = (filter: PostFilter): PostState[] | null => {
  const states = FILTER_STATES[filter];
  return states === null ? null : [...states];
};

interface PostsState {
  filter: PostFilter;
  posts: PostView[];
  total: number;
  counts: Partial<Record<PostFilter, number>>;
  listLoaded: boolean;
  loadingMore: boolean;
  listError: AirlockErrorValue | null;

  library: LibraryItem[];
  libraryTotal: number;
  libraryLoaded: boolean;
  libraryError: AirlockErrorValue | null;

  /** The open post; null while writing a new one that is not saved yet. */
  current: PostView | null;
  currentError: AirlockErrorValue | null;
  /** Something staff should know about the open post, such as someone else having changed it. */
  notice: string | null;
  actionError: AirlockErrorValue | null;
  busy: string | null;
  /** While someone edits the open post, changes from elsewhere are not loaded over their typing. */
  editing: boolean;

  setFilter(filter: PostFilter): void;
  refresh(): Promise<void>;
  showMore(): Promise<void>;
  loadLibrary(more?: boolean): Promise<void>;
  open(id: string | null): Promise<void>;
  reloadCurrent(): Promise<void>;
  setEditing(editing: boolean): void;
  clearMessages(): void;
  save(content: PostContent): Promise<PostView | null>;
  submit(): Promise<boolean>;
  approve(): Promise<boolean>;
  reject(comment: string): Promise<boolean>;
  schedule(at: string | 'now'): Promise<boolean>;
  cancel(): Promise<boolean>;
  listen(): () => void;
}

const asError = (err: unknown): AirlockErrorValue =>
  err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: 'Something went wrong on this screen.', detail: String(err) };

// Answers to an older request must not overwrite a newer one (a filter changed mid-flight).
let listRequest = 0;
let postRequest = 0;

export const usePostsStore = create<PostsState>((set, get) => {
  /** Runs one workflow step on the open post with its current version; on 'post.stale' reloads it. */
  const step = async (busy: string, run: (post: PostView) => Promise<PostView>): Promise<boolean> => {
    const post = get().current;
    if (!post) return false;
    set({ busy, actionError: null, notice: null });
    try {
      const next = await run(post);
      set({ current: next, busy: null });
      return true;
    } catch (err) {
      const error = asError(err);
      if (error.code === 'post.stale') {
        await get().reloadCurrent();
        set({ busy: null, notice: error.message });
      } else {
        set({ busy: null, actionError: error });
      }
      return false;
    }
  };

  return {
    filter: 'all',
    posts: [],
    total: 0,
    counts: {},
    listLoaded: false,
    loadingMore: false,
    listError: null,
    library: [],
    libraryTotal: 0,
    libraryLoaded: false,
    libraryError: null,
    current: null,
    currentError: null,
    notice: null,
    actionError: null,
    busy: null,
    editing: false,

    setFilter: (filter) => {
      set({ filter, posts: [], total: 0, listLoaded: false });
      void get().refresh();
    },

    refresh: async () => {
      const request = ++listRequest;
      const { filter, posts } = get();
      // Keep what staff already paged through, so a live update does not collapse the list.
      const wanted = Math.max(PAGE_SIZE, posts.length);
      try {
        const pages: PostView[] = [];
        let total = 0;
        for (let offset = 0; offset < wanted; offset += 200) {
          const page = await call('posts.list', { states: statesOf(filter), offset, limit: Math.min(200, wanted - offset) });
          pages.push(...page.posts);
          total = page.total;
          if (page.posts.length === 0 || pages.length >= total) break;
        }
        const counted = await Promise.all(
          (Object.keys(FILTER_STATES) as PostFilter[])
            .filter((f) => f !== 'all')
            .map(async (f) => [f, (await call('posts.list', { states: statesOf(f), offset: 0, limit: 1 })).total] as const),
        );
        if (request !== listRequest) return;
        const counts: Partial<Record<PostFilter, number>> = Object.fromEntries(counted);
        counts.all = counted.reduce((n, [, c]) => n + c, 0);
        set({ posts: pages, total, counts, listLoaded: true, listError: null });
      } catch (err) {
        if (request === listRequest) set({ listError: asError(err), listLoaded: true });
      }
    },

    showMore: async () => {
      const { filter, posts } = get();
      const request = listRequest;
      set({ loadingMore: true });
      try {
        const page = await call('posts.list', { states: statesOf(filter), offset: posts.length, limit: PAGE_SIZE });
        if (request !== listRequest) return;
        const seen = new Set(posts.map((p) => p.id));
        set({ posts: [...posts, ...page.posts.filter((p) => !seen.has(p.id))], total: page.total, listError: null });
      } catch (err) {
        set({ listError: asError(err) });
      } finally {
        set({ loadingMore: false });
      }
    },

    loadLibrary: async (more = false) => {
      const offset = more ? get().library.length : 0;
      try {
        const page = await call('library.list', { offset, limit: LIBRARY_PAGE });
        set({ library: more ? [...get().library, ...page.items] : page.items, libraryTotal: page.total, libraryLoaded: true, libraryError: null });
      } catch (err) {
        set({ libraryError: asError(err), libraryLoaded: true });
      }
    },

    open: async (id) => {
      const request = ++postRequest;
      set({ current: null, currentError: null, notice: null, actionError: null, busy: null, editing: false });
      if (id === null) return;
      try {
        const post = await call('posts.get', { id });
        if (request === postRequest) set({ current: post });
      } catch (err) {
        if (request === postRequest) set({ currentError: asError(err) });
      }
    },

    reloadCurrent: async () => {
      const id = get().current?.id;
      if (!id) return;
      const request = ++postRequest;
      try {
        const post = await call('posts.get', { id });
        if (request === postRequest && get().current?.id === id) set({ current: post });
      } catch (err) {
        if (request === postRequest) set({ currentError: asError(err) });
      }
    },

    setEditing: (editing) => set({ editing }),
    clearMessages: () => set({ notice: null, actionError: null }),

    save: async (content) => {
      const post = get().current;
      if (!post) {
        set({ busy: 'save', actionError: null, notice: null });
        try {
          const created = await call('posts.create', { ...content, scheduleAt: null });
          set({ current: created, busy: null });
          return created;
        } catch (err) {
          set({ busy: null, actionError: asError(err) });
          return null;
        }
      }
      const ok = await step('save', (p) => call('posts.edit', { id: p.id, version: p.version, change: content }));
      return ok ? get().current : null;
    },

    submit: () => step('submit', (p) => call('posts.submit', { id: p.id, version: p.version })),
    approve: () => step('approve', (p) => call('posts.approve', { id: p.id, version: p.version })),
    reject: (comment) => step('reject', (p) => call('posts.reject', { id: p.id, version: p.version, comment })),
    schedule: (at) => step('schedule', (p) => call('posts.schedule', { id: p.id, version: p.version, at })),
    cancel: () => step('cancel', (p) => call('posts.cancel', { id: p.id, version: p.version })),

    listen: () => {
      const stop = subscribe((event) => {
        if (event.name === 'import.finished' && event.payload.ok) {
          void get().loadLibrary();
          return;
        }
        if (event.name !== 'posts.changed') return;
        // The queue keeps its own windows of rows current (screens/posts/queue-store.ts); a list
        // read here too would cost a page of full posts on every change, with nobody showing it.
        const { current, editing } = get();
        if (current && current.id === event.payload.postId && !editing) void get().reloadCurrent();
      });
      return stop;
    },
  };
});
