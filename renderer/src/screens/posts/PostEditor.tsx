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
import { FindingLine, ReportFindings } from '../../components/ReportFindings.tsx';
import { useAppStore } from '../../state/app-store.ts';
import { usePostsStore, type PostContent } from '../../state/posts-store.ts';
import { offeredPrivacy, TikTokAccountSummary, tiktokAudienceProblem, useTikTokCreatorInfo } from '../accounts/TikTokCreator.tsx';
import { ChecksPanel, IssueList } from './ChecksPanel.tsx';
import { Dialog } from './Dialog.tsx';
import { StateBadge, Thumb } from './parts.tsx';
import { BLUESKY_LANGUAGES, CANCELLABLE, platformName, TIKTOK_PRIVACY } from './post-words.ts';
import { PreviewPanel, type PreviewMedia } from './PostPreview.tsx';
import { t } from '../../i18n/index.ts';
import { ruleText } from '../../i18n/rule-text.ts';

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
  err instanceof ApiError ? err.value : { code: 'renderer.unexpected', message: t('posts.editor.checkFailed'), detail: String(err) };

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
      <legend>{t('posts.editor.media')}</legend>
      {draft.media.length === 0 ? (
        <p className="muted">{t('posts.editor.nothingAttached')}</p>
      ) : (
        <ol className="picked-list" aria-label={t('posts.editor.inOrder')}>
          {draft.media.map((m, i) => {
            const it = info(m.mediaId);
            const kind = it?.kind === 'video' ? 'video' : 'image';
            const numbered = t(`posts.editor.itemLabel.${kind}`, { n: i + 1 });
            const label = it?.name ? t('posts.editor.itemNamed', { label: numbered, name: it.name }) : numbered;
            return (
              <li key={m.mediaId} className="picked">
                {it ? <Thumb kind={it.kind} cleanSha256={it.cleanSha256} thumbnailSha256={it.thumbnailSha256} label={label} size="medium" /> : <span className="thumb thumb--medium" />}
                <div className="picked__body">
                  <label className="field">
                    <span>
                      {t(`posts.editor.altFor.${kind}`, { n: i + 1 })}
                      {it?.name ? <span className="muted"> · {it.name}</span> : null}
                    </span>
                    <textarea
                      rows={2}
                      value={m.altText}
                      maxLength={2000}
                      onChange={(e) => setDraft({ ...draft, media: draft.media.map((x, j) => (j === i ? { ...x, altText: e.target.value } : x)) })}
                      placeholder={t(`posts.editor.altHint.${kind}`)}
                    />
                  </label>
                  <IssueList checks={checks} field={(f) => f === `media.${i}.altText`} />
                </div>
                <div className="picked__actions">
                  <button type="button" className="button button--secondary button--small" disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={t('posts.editor.moveEarlier', { label })}>
                    ↑
                  </button>
                  <button type="button" className="button button--secondary button--small" disabled={i === draft.media.length - 1} onClick={() => move(i, i + 1)} aria-label={t('posts.editor.moveLater', { label })}>
                    ↓
                  </button>
                  <button type="button" className="button button--secondary button--small" onClick={() => setDraft({ ...draft, media: draft.media.filter((x) => x.mediaId !== m.mediaId) })} aria-label={t('posts.editor.removeItem', { label })}>
                    {t('posts.editor.remove')}
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <IssueList checks={checks} field={(f) => f === 'media' || f === 'video' || f.startsWith('video.')} />

      <h3 className="library-picker__title">{t('posts.editor.library')}</h3>
      {libraryError ? <ErrorNotice error={libraryError} /> : null}
      {libraryLoaded && library.length === 0 ? <p className="muted">{t('posts.editor.libraryEmpty')}</p> : null}
      {!libraryLoaded ? <p className="muted">{t('posts.editor.libraryLoading')}</p> : null}
      <ul className="library-picker" aria-label={t('posts.editor.library')}>
        {library.map((item) => {
          const name = fileName(item) ?? item.id;
          const on = chosen.has(item.id);
          return (
            <li key={item.id}>
              <button type="button" className="library-picker__item" aria-pressed={on} onClick={() => toggle(item)}>
                <Thumb kind={item.kind} cleanSha256={item.cleanSha256} thumbnailSha256={item.thumbnailSha256} label="" />
                <span className="library-picker__name">
                  <span className="visually-hidden">{t(`posts.editor.kind.${item.kind}`)} </span>
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
          {t('posts.editor.showMore', { count: libraryTotal - library.length })}
        </button>
      ) : null}
    </fieldset>
  );
}

const YOUTUBE_PRIVACY = ['public', 'unlisted', 'private'] as const;
/** How a post goes on a Facebook Page (`options.facebook.format`): a post (photo, video or text), or a Reel. */
const FACEBOOK_FORMATS = ['post', 'reel'] as const;

function PlatformOptions({
  draft,
  setOption,
  checks,
  language,
  tiktokCreator,
}: {
  draft: Draft;
  setOption: (platform: string, key: string, value: unknown) => void;
  checks: PlatformCheck[];
  language: string;
  tiktokCreator: ReturnType<typeof useTikTokCreatorInfo>;
}) {
  const o = (platform: string) => draft.options[platform] ?? {};
  const tiktok = o('tiktok');
  // The audiences the connected TikTok account offers (creator_info), the chosen one kept if it is not among them.
  const audiences = offeredPrivacy(TIKTOK_PRIVACY, tiktokCreator.state, typeof tiktok.privacyLevel === 'string' ? tiktok.privacyLevel : null);
  const audienceProblem = tiktokAudienceProblem(tiktokCreator.state, tiktok.privacyLevel, (l) => TIKTOK_PRIVACY.find((p) => p.value === l)?.label ?? l);
  const tiktokChecks: PlatformCheck[] = [
    ...checks.filter((c) => c.platform === 'tiktok'),
    ...(audienceProblem ? [{ platform: 'tiktok' as const, counters: [], errors: [{ field: 'privacyLevel', code: 'tiktok.privacy-not-offered', message: audienceProblem }], warnings: [] }] : []),
  ];
  const youtube = o('youtube');
  const bluesky = o('bluesky');
  const facebook = o('facebook');
  const sections = draft.targets.filter((t) => t === 'tiktok' || t === 'youtube' || t === 'bluesky' || t === 'facebook');
  if (sections.length === 0) return null;
  return (
    <div className="stack">
      {draft.targets.includes('tiktok') ? (
        <fieldset className="field editor-section">
          <legend>{t('posts.editor.tiktok')}</legend>
          <TikTokAccountSummary state={tiktokCreator.state} onRetry={tiktokCreator.reload} />
          <label className="field">
            <span>{t('posts.editor.whoCanSee')}</span>
            <select value={typeof tiktok.privacyLevel === 'string' ? tiktok.privacyLevel : ''} onChange={(e) => setOption('tiktok', 'privacyLevel', e.target.value === '' ? undefined : e.target.value)} required>
              <option value="">{t('posts.editor.chooseWho')}</option>
              {audiences.options.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.value === audiences.notOffered ? t('posts.editor.tiktokAccount.notOffered', { label: p.label }) : p.label}
                </option>
              ))}
            </select>
          </label>
          <IssueList checks={tiktokChecks} field={(f) => f === 'privacyLevel'} />
          {(
            [
              ['allowComments', 'posts.editor.allowComments'],
              ['allowDuet', 'posts.editor.allowDuet'],
              ['allowStitch', 'posts.editor.allowStitch'],
              ['aiGenerated', 'posts.editor.aiGenerated'],
            ] as const
          ).map(([key, label]) => (
            <label key={key} className="choice">
              <input type="checkbox" checked={tiktok[key] === true} onChange={(e) => setOption('tiktok', key, e.target.checked)} /> {t(label)}
            </label>
          ))}
        </fieldset>
      ) : null}
      {draft.targets.includes('youtube') ? (
        <fieldset className="field editor-section">
          <legend>{t('posts.editor.youtube')}</legend>
          <label className="field">
            <span>{t('posts.editor.youtubeTitle')}</span>
            <input type="text" value={typeof youtube.title === 'string' ? youtube.title : ''} maxLength={200} onChange={(e) => setOption('youtube', 'title', e.target.value)} />
          </label>
          <IssueList checks={checks.filter((c) => c.platform === 'youtube')} field={(f) => f.startsWith('options.youtube') && f !== 'options.youtube.privacy'} />
          <label className="field">
            <span>{t('posts.editor.youtubePrivacy')}</span>
            <select value={typeof youtube.privacy === 'string' ? youtube.privacy : ''} onChange={(e) => setOption('youtube', 'privacy', e.target.value === '' ? undefined : e.target.value)} required>
              <option value="">{t('posts.editor.youtubePrivacyChoose')}</option>
              {YOUTUBE_PRIVACY.map((p) => (
                <option key={p} value={p}>
                  {t(`posts.editor.youtubePrivacyOption.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <IssueList checks={checks.filter((c) => c.platform === 'youtube')} field={(f) => f === 'options.youtube.privacy'} />
          <label className="field">
            <span>{t('posts.editor.youtubeDescription')}</span>
            <textarea rows={3} value={typeof youtube.description === 'string' ? youtube.description : ''} onChange={(e) => setOption('youtube', 'description', e.target.value)} placeholder={t('posts.editor.youtubeDescriptionHint')} />
          </label>
        </fieldset>
      ) : null}
      {draft.targets.includes('facebook') ? (
        <fieldset className="field editor-section">
          <legend>{t('posts.editor.facebook')}</legend>
          <label className="field">
            <span>{t('posts.editor.facebookFormat')}</span>
            <select value={facebook.format === 'reel' ? 'reel' : 'post'} onChange={(e) => setOption('facebook', 'format', e.target.value === 'post' ? undefined : e.target.value)}>
              {FACEBOOK_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {t(`posts.editor.facebookFormatOption.${f}`)}
                </option>
              ))}
            </select>
          </label>
          {facebook.format === 'reel' ? <p className="muted">{t('posts.editor.facebookReelHint')}</p> : null}
          <IssueList checks={checks.filter((c) => c.platform === 'facebook')} field={(f) => f === 'options.facebook.format' || (facebook.format === 'reel' && f === 'media')} />
        </fieldset>
      ) : null}
      {draft.targets.includes('bluesky') ? (
        <fieldset className="field editor-section">
          <legend>{t('posts.editor.bluesky')}</legend>
          <label className="field">
            <span>{t('posts.editor.blueskyLanguage')}</span>
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
    return <p className="muted">{t('posts.editor.captionCleanedLater')}</p>;
  }
  const { findings, warnings } = post.captionReport;
  return (
    <div data-testid="caption-report">
      {findings.length === 0 ? (
        <p className="muted">{t('posts.editor.captionClean')}</p>
      ) : (
        <ReportFindings findings={findings} />
      )}
      {warnings.length > 0 ? (
        <ul className="check-issues">
          {warnings.map((w, i) => (
            <li key={i} className="check-issue check-issue--warning">
              <span aria-hidden="true">⚠</span> <FindingLine finding={w} />
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
  const organisation = policy?.organisation ?? t('posts.editor.yourOrganisation');
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

  const tiktokCreator = useTikTokCreatorInfo(draft.targets.includes('tiktok'));
  const audienceProblem = draft.targets.includes('tiktok') ? tiktokAudienceProblem(tiktokCreator.state, draft.options.tiktok?.privacyLevel, (l) => TIKTOK_PRIVACY.find((p) => p.value === l)?.label ?? l) : null;
  const blocking = [
    ...checks.flatMap((c) => c.errors.map((e) => `${platformName(c.platform)}: ${ruleText(e)}`)),
    ...(audienceProblem ? [`${platformName('tiktok')}: ${audienceProblem}`] : []),
  ];
  const submitReason =
    draft.targets.length === 0
      ? t('posts.editor.chooseTarget')
      : blocking.length > 0
        ? t('posts.editor.problems', { count: blocking.length, first: blocking[0] })
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
          {t('posts.back')}
        </button>
      </div>
      <header className="page-header post-header">
        <h1 id="editor-title">{post === null ? t('posts.editor.newPost') : reviewed ? t('posts.editor.changePost') : t('posts.editor.editDraft')}</h1>
        {post ? <StateBadge state={post.state} /> : null}
      </header>
      {post?.state === 'rejected' && post.reviewComment ? (
        <div className="notice notice--warning" role="note" data-testid="review-comment">
          <p className="notice__message">{t('posts.editor.returned', { comment: post.reviewComment })}</p>
          <p>{t('posts.editor.changeAndResubmit')}</p>
        </div>
      ) : null}
      {reviewed ? (
        <div className="notice notice--warning" role="note">
          <p className="notice__message">{t('posts.editor.backToDraft')}</p>
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
            <span>{t('posts.editor.caption')}</span>
            <textarea className="caption-input" rows={6} value={draft.caption} maxLength={10_000} onChange={(e) => setDraft({ ...draft, caption: e.target.value })} />
          </label>

          <fieldset className="field editor-section">
            <legend>{t('posts.editor.postTo')}</legend>
            {enabled.length === 0 ? <p className="muted">{t('posts.editor.noPlatforms')}</p> : null}
            <div className="target-choices">
              {/* A platform the policy has since switched off stays listed while the post names it, so it can be unticked. */}
              {[...enabled, ...draft.targets.filter((p) => !enabled.includes(p))].map((p) => (
                <label key={p} className="choice target-choice">
                  <input type="checkbox" checked={draft.targets.includes(p)} disabled={!enabled.includes(p) && !draft.targets.includes(p)} onChange={(e) => toggleTarget(p, e.target.checked)} /> {platformName(p)}
                  {enabled.includes(p) ? null : <span className="muted">{t('posts.editor.notEnabled')}</span>}
                </label>
              ))}
            </div>
          </fieldset>

          <MediaPicker draft={draft} setDraft={setDraft} post={post} checks={checks} />
          <PlatformOptions draft={draft} setOption={setOption} checks={checks} language={language} tiktokCreator={tiktokCreator} />
        </div>

        <aside className="editor-side stack" aria-label={t('posts.editor.checks')}>
          <section className="card side-card" aria-labelledby="checks-title">
            <h2 id="checks-title">
              {t('posts.editor.checks')} <span className="muted checks__status">{checking ? t('posts.editor.checking') : ''}</span>
            </h2>
            {checkError ? <ErrorNotice error={checkError} /> : null}
            <ChecksPanel checks={checks} checking={checking} />
          </section>
          <section className="card side-card" aria-labelledby="caption-report-title">
            <h2 id="caption-report-title">{t('posts.editor.captionReport')}</h2>
            <CaptionReport post={post} captionChanged={post !== null && draft.caption !== post.caption} />
          </section>
          <section className="card side-card submit-card" aria-label={t('posts.editor.saveOrSubmit')}>
            <div className="submit-card__buttons">
              <button type="button" className="button" disabled={busy !== null || submitReason !== null} aria-describedby={submitReason ? reasonId : undefined} onClick={() => void onSubmit()}>
                {busy === 'submit' ? t('posts.editor.submitting') : t('posts.editor.submit')}
              </button>
              <button type="button" className="button button--secondary" disabled={busy !== null || (post !== null && !dirty && post.state === 'draft')} onClick={() => void onSave()}>
                {busy === 'save' ? t('posts.editor.saving') : post !== null && !dirty && post.state === 'draft' ? t('posts.editor.saved') : t('posts.editor.save')}
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
                {t('posts.editor.cancelPost')}
              </button>
            ) : null}
          </section>
        </aside>
      </div>

      <PreviewPanel content={{ ...content, media: previewMedia }} organisation={organisation} library={library} headingId={previewId} />

      {leaving ? (
        <Dialog
          title={t('posts.editor.leaveTitle')}
          onClose={() => setLeaving(false)}
          actions={
            <>
              <button type="button" className="button" data-autofocus onClick={() => void onSave().then((saved) => saved && onBack())}>
                {t('posts.editor.saveAndLeave')}
              </button>
              <button type="button" className="button button--secondary" onClick={onBack}>
                {t('posts.editor.leave')}
              </button>
              <button type="button" className="button button--secondary" onClick={() => setLeaving(false)}>
                {t('posts.editor.keepEditing')}
              </button>
            </>
          }
        >
          <p>{t('posts.editor.unsaved')}</p>
        </Dialog>
      ) : null}
      {confirmCancel && post ? (
        <Dialog
          title={t('posts.cancel.title')}
          onClose={() => setConfirmCancel(false)}
          actions={
            <>
              <button type="button" className="button button--danger" onClick={() => void cancel().then(() => setConfirmCancel(false))}>
                {t('posts.cancel.confirm')}
              </button>
              <button type="button" className="button button--secondary" data-autofocus onClick={() => setConfirmCancel(false)}>
                {t('posts.cancel.keep')}
              </button>
            </>
          }
        >
          <p>{t('posts.cancel.explain')}</p>
        </Dialog>
      ) : null}
    </section>
  );
}
