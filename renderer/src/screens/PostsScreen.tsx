// Posts: the queue, the editor for drafts, and the review, approval and scheduling of one post.
// The list stays live from `posts.changed`; which view is showing is this screen's own state,
// so the next person to sign in starts at the queue.
import { useEffect, useState } from 'react';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { usePostsStore } from '../state/posts-store.ts';
import { PostEditor } from './posts/PostEditor.tsx';
import { Queue } from './posts/Queue.tsx';
import { PostReview } from './posts/PostReview.tsx';
import { EDITABLE, isDraftLike } from './posts/post-words.ts';
import { useTranslation } from '../i18n/index.ts';

type View = { kind: 'list' } | { kind: 'post'; id: string | null; editing: boolean };

export function PostsScreen() {
  const { listen, loadLibrary, open, current, currentError } = usePostsStore();
  const [view, setView] = useState<View>({ kind: 'list' });
  const { t } = useTranslation();

  // The queue reads its own windows of light rows (posts/queue-store.ts); this store keeps the
  // open post and the library current.
  useEffect(() => {
    void loadLibrary();
    return listen();
  }, [loadLibrary, listen]);

  // Each view starts at the top, as a new page would.
  const go = (next: View) => {
    setView(next);
    window.scrollTo({ top: 0 });
  };
  const toList = () => {
    go({ kind: 'list' });
    void open(null);
  };
  const openPost = (id: string) => {
    go({ kind: 'post', id, editing: false });
    void open(id);
  };
  const newPost = () => {
    go({ kind: 'post', id: null, editing: true });
    void open(null);
  };

  if (view.kind === 'list') return <Queue onOpen={openPost} onNew={newPost} />;

  if (view.id === null) {
    return <PostEditor post={null} onBack={toList} onSaved={(saved) => setView({ kind: 'post', id: saved.id, editing: true })} onSubmitted={(id) => go({ kind: 'post', id, editing: false })} />;
  }
  if (currentError) {
    return (
      <section className="stack">
        <button type="button" className="button button--secondary" onClick={toList}>
          {t('posts.back')}
        </button>
        <ErrorNotice error={currentError} />
      </section>
    );
  }
  if (!current || current.id !== view.id) {
    return (
      <p className="muted" role="status">
        {t('posts.loadingPost')}
      </p>
    );
  }
  if (isDraftLike(current) || (view.editing && EDITABLE.includes(current.state))) {
    return <PostEditor post={current} onBack={toList} onSaved={(saved) => setView({ kind: 'post', id: saved.id, editing: true })} onSubmitted={(id) => go({ kind: 'post', id, editing: false })} />;
  }
  return <PostReview post={current} onBack={toList} onEdit={() => setView({ kind: 'post', id: current.id, editing: true })} />;
}
