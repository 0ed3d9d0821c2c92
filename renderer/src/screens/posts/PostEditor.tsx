// The post editor: caption, where to post, photos and videos from the clean library with a
// description for each, and each platform's own settings. Every platform checks the post as
// staff type (debounced), and Submit stays disabled, with the reason beside it, while any
// platform has a blocking problem. Previews of the result sit below.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { LibraryItem, PlatformCheck, PostView } from '../../../../common/contract.ts';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import type { PlatformId } from '../../../../common/platforms.ts';
import { ApiError, call } from '../../api/client.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useAppStore } from '../../state/app-store.ts';
import { usePostsStore, type PostContent } from '../../state/posts-store.ts';
import { ChecksPanel, IssueList } from './ChecksPanel.tsx';
import { Dialog } from './Dialog.tsx';
import { StateBadge, Thumb } from './parts.tsx';
import { BLUESKY_LANGUAGES, CANCELLABLE, platformName, TIKTOK_PRIVACY } from './post-words.ts';
import { PreviewPanel, type PreviewMedia } from './PostPreview.tsx';

interface Draft {
  caption: string;
  targets: PlatformId[];
  options: Record<string, Record<string, unknown>>;
  media: { mediaId: string; altText: string }[];
}

const CHECK_DELAY_MS = 250;

const fromPost = (post: PostView | null): Draft =>
  post
    ? { caption: post.caption, targets: [...post.targets], options: structuredClone(post.options), media: post.media.map((m) => ({ mediaId: m.mediaId, altText: m.altText ?? '' })) }
    : { caption: '', targets: [], options: {}, media: [] };

/** What is sent: settings only for the platforms chosen, blank descriptions as none. */
function toContent(draft: Draft, language: string): PostContent {
  const options: Record<string, Record<string, unknown>> = {};
  for (const t of draft.targets) {
    const o = { ...(draft.options[t] ?? {}) };
    if (t === 'bluesky' && typeof o.language !== 'string') o.language = language;
    if (t === 'youtube' && typeof o.description === 'string' && o.description.trim() === '') delete o.description;
    if (Object.keys(o).length > 0) options[t] = o;
  }
  return {
    caption: draft.caption,
    targets: draft.targets,
    options,
    media: draft.media.map((m) => ({ mediaId: m.mediaId, altText: m.altText.trim() === '' ? null : m.altText })),
  };
}

const asError = (err: unknown): AirlockErrorValue =>
  err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: 'The post could not be checked.', detail: String(err) };

const fileName = (item: LibraryItem | undefined): string | null => (item ? (item.originalName.split('/').pop() ?? item.originalName) : null);

function MediaPicker({ draft, setDraft, post, checks }: { draft: Draft; setDraft: (d: Draft) => void; post: PostView | null; checks: PlatformCheck[] }) {
  const { library, libraryTotal, libraryLoaded, libraryError, loadLibrary } = usePostsStore();
  const chosen = new Set(draft.media.map((m) => m.mediaId));
  const info = (mediaId: string) => {
    const item = library.find((l) => l.id === mediaId);
    if (item) return { kind: item.kind, cleanSha256: item.cleanSha256, thumbnailSha256: item.thumbnailSha256, name: fileName(item) };
    const m = post?.media.find((x) => x.mediaId === mediaId);
    return m ? { kind: m.kind, cleanSha256: m.cleanSha256, thumbnailSha256: m.thumbnailSha256, name: null } : null;
  };
  const toggle = (item: LibraryItem) =>
    setDraft({ ...draft, media: chosen.has(item.id) ? draft.media.filter((m) => m.mediaId !== item.id) : [...draft.media, { mediaId: item.id, altText: '' }] });
  const move = (from: number, to: number) => {
    const media = [...draft.media];
    const [moved] = media.splice(from, 1);
    if (!moved) return;
    media.splice(to, 0, moved);
    setDraft({ ...draft, media });
  };

  return (
    <fieldset className="field editor-section">
      <legend>Photos and videos</legend>
      {draft.media.length === 0 ? (
        <p className="muted">Nothing attached. Tap photos or videos in the library below to add them, in the order they should appear.</p>
      ) : (
        <ol className="picked-list" aria-label="In this post, in order">
          {draft.media.map((m, i) => {
            const it = info(m.mediaId);
            const word = it?.kind === 'video' ? 'video' : 'photo';
            const label = `${word === 'video' ? 'Video' : 'Photo'} ${i + 1}${it?.name ? `, ${it.name}` : ''}`;
            return (
              <li key={m.mediaId} className="picked">
                {it ? <Thumb kind={it.kind} cleanSha256={it.cleanSha256} thumbnailSha256={it.thumbnailSha256} label={label} size="medium" /> : <span className="thumb thumb--medium" />}
                <div className="picked__body">
                  <label className="field">
                    <span>
                      Description (alt text) for {word} {i + 1}
                      {it?.name ? <span className="muted"> · {it.name}</span> : null}
                    </span>
                    <textarea
                      rows={2}
                      value={m.altText}
                      maxLength={2000}
                      onChange={(e) => setDraft({ ...draft, media: draft.media.map((x, j) => (j === i ? { ...x, altText: e.target.value } : x)) })}
                      placeholder={`Say what the ${word} shows, for people who cannot see it`}
                    />
                  </label>
                  <IssueList checks={checks} field={(f) => f === `media.${i}.altText`} />
                </div>
                <div className="picked__actions">
                  <button type="button" className="button button--secondary button--small" disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={`Move ${label} earlier`}>
                    ↑
                  </button>
                  <button type="button" className="button button--secondary button--small" disabled={i === draft.media.length - 1} onClick={() => move(i, i + 1)} aria-label={`Move ${label} later`}>
                    ↓
                  </button>
                  <button type="button" className="button button--secondary button--small" onClick={() => setDraft({ ...draft, media: draft.media.filter((x) => x.mediaId !== m.mediaId) })} aria-label={`Remove ${label}`}>
                    Remove
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <IssueList checks={checks} field={(f) => f === 'media' || f === 'video' || f.startsWith('video.')} />

      <h3 className="library-picker__title">Clean library</h3>
      {libraryError ? <ErrorNotice error={libraryError} /> : null}
      {libraryLoaded && library.length === 0 ? <p className="muted">The library is empty. Import a USB stick to add photos and videos.</p> : null}
      {!libraryLoaded ? <p className="muted">Loading the library…</p> : null}
      <ul className="library-picker" aria-label="Clean library">
        {library.map((item) => {
          const name = fileName(item) ?? item.id;
          const on = chosen.has(item.id);
          return (
            <li key={item.id}>
              <button type="button" className="library-picker__item" aria-pressed={on} onClick={() => toggle(item)}>
                <Thumb kind={item.kind} cleanSha256={item.cleanSha256} thumbnailSha256={item.thumbnailSha256} label="" />
                <span className="library-picker__name">
                  <span className="visually-hidden">{item.kind === 'video' ? 'Video' : 'Photo'} </span>
                  {name}
                </span>
                <span className="library-picker__mark" aria-hidden="true">
                  {on ? `✓ ${draft.media.findIndex((m) => m.mediaId === item.id) + 1}` : '+'}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {library.length < libraryTotal ? (
        <button type="button" className="button button--secondary" onClick={() => void loadLibrary(true)}>
          Show more of the library ({libraryTotal - library.length} more)
        </button>
      ) : null}
    </fieldset>
  );
}

function PlatformOptions({ draft, setOption, checks, language }: { draft: Draft; setOption: (platform: string, key: string, value: unknown) => void; checks: PlatformCheck[]; language: string }) {
  const o = (platform: string) => draft.options[platform] ?? {};
  const tiktok = o('tiktok');
  const youtube = o('youtube');
  const bluesky = o('bluesky');
  const sections = draft.targets.filter((t) => t === 'tiktok' || t === 'youtube' || t === 'bluesky');
  if (sections.length === 0) return null;
  return (
    <div className="stack">
      {draft.targets.includes('tiktok') ? (
        <fieldset className="field editor-section">
          <legend>TikTok settings</legend>
          <label className="field">
            <span>Who can see this on TikTok</span>
            <select value={typeof tiktok.privacyLevel === 'string' ? tiktok.privacyLevel : ''} onChange={(e) => setOption('tiktok', 'privacyLevel', e.target.value === '' ? undefined : e.target.value)} required>
              <option value="">Choose who can see it…</option>
              {TIKTOK_PRIVACY.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          <IssueList checks={checks.filter((c) => c.platform === 'tiktok')} field={(f) => f === 'privacyLevel'} />
          {(
            [
              ['allowComments', 'Allow comments'],
              ['allowDuet', 'Allow duets'],
              ['allowStitch', 'Allow stitches'],
              ['aiGenerated', 'Label as AI-generated content'],
            ] as const
          ).map(([key, label]) => (
            <label key={key} className="choice">
              <input type="checkbox" checked={tiktok[key] === true} onChange={(e) => setOption('tiktok', key, e.target.checked)} /> {label}
            </label>
          ))}
        </fieldset>
      ) : null}
      {draft.targets.includes('youtube') ? (
        <fieldset className="field editor-section">
          <legend>YouTube settings</legend>
          <label className="field">
            <span>Title on YouTube</span>
            <input type="text" value={typeof youtube.title === 'string' ? youtube.title : ''} maxLength={200} onChange={(e) => setOption('youtube', 'title', e.target.value)} />
          </label>
          <IssueList checks={checks.filter((c) => c.platform === 'youtube')} field={(f) => f.startsWith('options.youtube')} />
          <label className="field">
            <span>Description on YouTube</span>
            <textarea rows={3} value={typeof youtube.description === 'string' ? youtube.description : ''} onChange={(e) => setOption('youtube', 'description', e.target.value)} placeholder="Leave empty to use the caption" />
          </label>
        </fieldset>
      ) : null}
      {draft.targets.includes('bluesky') ? (
        <fieldset className="field editor-section">
          <legend>Bluesky settings</legend>
          <label className="field">
            <span>Language of the post on Bluesky</span>
            <select value={typeof bluesky.language === 'string' ? bluesky.language : language} onChange={(e) => setOption('bluesky', 'language', e.target.value)}>
              {BLUESKY_LANGUAGES.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
      ) : null}
    </div>
  );
}

function CaptionReport({ post, captionChanged }: { post: PostView | null; captionChanged: boolean }) {
  if (!post || captionChanged) {
    return <p className="muted">When you save, Airlock removes hidden characters from the caption (text-direction controls, invisible and control characters) and lists them here.</p>;
  }
  const { findings, warnings } = post.captionReport;
  return (
    <div data-testid="caption-report">
      {findings.length === 0 ? (
        <p className="muted">Nothing hidden was found in the caption.</p>
      ) : (
        <ul className="report">
          {findings.map((f, i) => (
            <li key={i}>{f.text}</li>
          ))}
        </ul>
      )}
      {warnings.length > 0 ? (
        <ul className="check-issues">
          {warnings.map((w, i) => (
            <li key={i} className="check-issue check-issue--warning">
              <span aria-hidden="true">⚠</span> {w.text}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function PostEditor({ post, onBack, onSaved, onSubmitted }: { post: PostView | null; onBack: () => void; onSaved: (post: PostView) => void; onSubmitted: (id: string) => void }) {
  const policy = useAppStore((s) => s.policy);
  const { library, save, submit, cancel, busy, actionError, notice, setEditing } = usePostsStore();
  const language = policy?.language ?? 'en';
  const organisation = policy?.organisation ?? 'Your organisation';
  const enabled = (policy?.enabledPlatforms ?? []) as PlatformId[];

  // A new version from the server replaces the form: after our own save it holds the cleaned
  // caption, after a reload it holds what someone else saved. Adjusted during render, as React
  // recommends for state derived from a changed prop.
  const syncKey = post ? `${post.id}:${post.version}` : 'new';
  const [synced, setSynced] = useState(syncKey);
  const [draft, setDraft] = useState<Draft>(() => fromPost(post));
  const [checked, setChecked] = useState<{ key: string; checks: PlatformCheck[] }>(() => ({ key: JSON.stringify(toContent(fromPost(post), language)), checks: post?.checks ?? [] }));
  if (synced !== syncKey) {
    setSynced(syncKey);
    setDraft(fromPost(post));
    setChecked({ key: JSON.stringify(toContent(fromPost(post), language)), checks: post?.checks ?? [] });
  }

  useEffect(() => {
    setEditing(true);
    return () => setEditing(false);
  }, [setEditing]);

  const content = useMemo(() => toContent(draft, language), [draft, language]);
  const contentKey = JSON.stringify(content);
  const savedKey = useMemo(() => JSON.stringify(toContent(fromPost(post), language)), [post, language]);
  const dirty = post === null ? contentKey !== JSON.stringify(toContent(fromPost(null), language)) : contentKey !== savedKey;

  const [checkError, setCheckError] = useState<AirlockErrorValue | null>(null);
  const latestKey = useRef(contentKey);
  useEffect(() => {
    latestKey.current = contentKey;
    const timer = setTimeout(() => {
      call('posts.check', JSON.parse(contentKey) as PostContent).then(
        (checks) => {
          if (latestKey.current !== contentKey) return; // an answer to an older caption
          setChecked({ key: contentKey, checks });
          setCheckError(null);
        },
        (err: unknown) => setCheckError(asError(err)),
      );
    }, CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [contentKey]);
  const checking = checked.key !== contentKey;
  const checks = checked.checks.filter((c) => draft.targets.includes(c.platform));

  const blocking = checks.flatMap((c) => c.errors.map((e) => `${platformName(c.platform)}: ${e.message}`));
  const submitReason =
    draft.targets.length === 0
      ? 'Choose at least one place to post to.'
      : blocking.length > 0
        ? `${blocking.length === 1 ? 'One problem needs' : `${blocking.length} problems need`} fixing first. ${blocking[0]}`
        : null;

  const [leaving, setLeaving] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const reasonId = useId();
  const previewId = useId();

  const setOption = (platform: string, key: string, value: unknown) => {
    const current = { ...(draft.options[platform] ?? {}) };
    if (value === undefined) delete current[key];
    else current[key] = value;
    setDraft({ ...draft, options: { ...draft.options, [platform]: current } });
  };
  const toggleTarget = (t: PlatformId, on: boolean) => setDraft({ ...draft, targets: on ? [...draft.targets, t].sort((a, b) => enabled.indexOf(a) - enabled.indexOf(b)) : draft.targets.filter((x) => x !== t) });

  const onSave = async () => {
    const saved = await save(content);
    if (saved) onSaved(saved);
    return saved;
  };
  const onSubmit = async () => {
    // A rejected or reviewed post goes back to draft by saving before it can be submitted again.
    const ready = post && !dirty && post.state === 'draft' ? post : await onSave();
    if (ready && (await submit())) onSubmitted(ready.id);
  };

  const previewMedia: PreviewMedia[] = draft.media.flatMap((m) => {
    const item = library.find((l) => l.id === m.mediaId);
    const known = post?.media.find((x) => x.mediaId === m.mediaId);
    const source = item ?? known;
    return source ? [{ mediaId: m.mediaId, kind: source.kind, cleanSha256: source.cleanSha256, thumbnailSha256: source.thumbnailSha256, altText: m.altText.trim() || null }] : [];
  });
  const reviewed = post !== null && !(post.state === 'draft' || post.state === 'rejected');

  return (
    <section aria-labelledby="editor-title" className="stack posts-editor">
      <div className="posts-toolbar">
        <button type="button" className="button button--secondary" onClick={() => (dirty ? setLeaving(true) : onBack())}>
          ← Back to posts
        </button>
      </div>
      <header className="page-header post-header">
        <h1 id="editor-title">{post === null ? 'New post' : reviewed ? 'Change post' : 'Edit draft'}</h1>
        {post ? <StateBadge state={post.state} /> : null}
      </header>
      {post?.state === 'rejected' && post.reviewComment ? (
        <div className="notice notice--warning" role="note" data-testid="review-comment">
          <p className="notice__message">↩ Returned by the reviewer: “{post.reviewComment}”</p>
          <p>Change the post, then submit it again.</p>
        </div>
      ) : null}
      {reviewed ? (
        <div className="notice notice--warning" role="note">
          <p className="notice__message">⚠ Saving a change returns this post to draft. It then needs approval again.</p>
        </div>
      ) : null}
      {notice ? (
        <div className="notice notice--warning" role="status">
          <p className="notice__message">⚠ {notice}</p>
        </div>
      ) : null}

      <div className="editor-grid">
        <div className="editor-main stack">
          <label className="field editor-section">
            <span>Caption</span>
            <textarea className="caption-input" rows={6} value={draft.caption} maxLength={10_000} onChange={(e) => setDraft({ ...draft, caption: e.target.value })} />
          </label>

          <fieldset className="field editor-section">
            <legend>Post to</legend>
            {enabled.length === 0 ? <p className="muted">No platforms are enabled on this kiosk. Ask IT to check the policy.</p> : null}
            <div className="target-choices">
              {/* A platform the policy has since switched off stays listed while the post names it, so it can be unticked. */}
              {[...enabled, ...draft.targets.filter((t) => !enabled.includes(t))].map((t) => (
                <label key={t} className="choice target-choice">
                  <input type="checkbox" checked={draft.targets.includes(t)} disabled={!enabled.includes(t) && !draft.targets.includes(t)} onChange={(e) => toggleTarget(t, e.target.checked)} /> {platformName(t)}
                  {enabled.includes(t) ? null : <span className="muted"> (not enabled on this kiosk)</span>}
                </label>
              ))}
            </div>
          </fieldset>

          <MediaPicker draft={draft} setDraft={setDraft} post={post} checks={checks} />
          <PlatformOptions draft={draft} setOption={setOption} checks={checks} language={language} />
        </div>

        <aside className="editor-side stack" aria-label="Checks">
          <section className="card side-card" aria-labelledby="checks-title">
            <h2 id="checks-title">
              Checks <span className="muted checks__status">{checking ? 'checking…' : ''}</span>
            </h2>
            {checkError ? <ErrorNotice error={checkError} /> : null}
            <ChecksPanel checks={checks} checking={checking} />
          </section>
          <section className="card side-card" aria-labelledby="caption-report-title">
            <h2 id="caption-report-title">Cleaned from the caption</h2>
            <CaptionReport post={post} captionChanged={post !== null && draft.caption !== post.caption} />
          </section>
          <section className="card side-card submit-card" aria-label="Save or submit">
            <div className="submit-card__buttons">
              <button type="button" className="button" disabled={busy !== null || submitReason !== null} aria-describedby={submitReason ? reasonId : undefined} onClick={() => void onSubmit()}>
                {busy === 'submit' ? 'Submitting…' : 'Submit for approval'}
              </button>
              <button type="button" className="button button--secondary" disabled={busy !== null || (post !== null && !dirty && post.state === 'draft')} onClick={() => void onSave()}>
                {busy === 'save' ? 'Saving…' : post !== null && !dirty && post.state === 'draft' ? '✓ Draft saved' : 'Save draft'}
              </button>
            </div>
            {submitReason ? (
              <p id={reasonId} className="submit-card__reason" data-testid="submit-reason">
                <span aria-hidden="true">✕</span> {submitReason}
              </p>
            ) : null}
            {actionError ? <ErrorNotice error={actionError} /> : null}
            {post && CANCELLABLE.includes(post.state) ? (
              <button type="button" className="button button--danger submit-card__cancel" disabled={busy !== null} onClick={() => setConfirmCancel(true)}>
                Cancel post…
              </button>
            ) : null}
          </section>
        </aside>
      </div>

      <PreviewPanel content={{ ...content, media: previewMedia }} organisation={organisation} library={library} headingId={previewId} />

      {leaving ? (
        <Dialog
          title="Leave without saving?"
          onClose={() => setLeaving(false)}
          actions={
            <>
              <button type="button" className="button" data-autofocus onClick={() => void onSave().then((saved) => saved && onBack())}>
                Save draft and leave
              </button>
              <button type="button" className="button button--secondary" onClick={onBack}>
                Leave without saving
              </button>
              <button type="button" className="button button--secondary" onClick={() => setLeaving(false)}>
                Keep editing
              </button>
            </>
          }
        >
          <p>You have changes that are not saved yet.</p>
        </Dialog>
      ) : null}
      {confirmCancel && post ? (
        <Dialog
          title="Cancel this post?"
          onClose={() => setConfirmCancel(false)}
          actions={
            <>
              <button type="button" className="button button--danger" onClick={() => void cancel().then(() => setConfirmCancel(false))}>
                Cancel the post
              </button>
              <button type="button" className="button button--secondary" data-autofocus onClick={() => setConfirmCancel(false)}>
                Keep it
              </button>
            </>
          }
        >
          <p>A cancelled post is never published. It stays in the list under “Cancelled” for the record.</p>
        </Dialog>
      ) : null}
    </section>
  );
}
