// One post that is past drafting: the reviewer's view (approve, or reject with a comment the
// author will see), then scheduling or publishing now, each behind a confirmation that names
// every platform and shows the final preview. The server enforces who may do what; this screen
// says it plainly when it refuses.
import { useId, useState } from 'react';
import type { PostView } from '../../../../common/contract.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useAppStore } from '../../state/app-store.ts';
import { usePostsStore } from '../../state/posts-store.ts';
import { useStaffStore } from '../../state/staff-store.ts';
import { ChecksPanel } from './ChecksPanel.tsx';
import { Dialog } from './Dialog.tsx';
import { StateBadge, useStaffNames } from './parts.tsx';
import { CANCELLABLE, EDITABLE, firstLine, formatWhen, kioskTimeZone, platformList, platformName } from './post-words.ts';
import { PreviewPanel, type PreviewContent } from './PostPreview.tsx';
import { PublishActivityList, usePublishActivity } from '../../training/publish-activity.tsx';
import { t } from '../../i18n/index.ts';
import { FindingLine, ReportFindings } from '../../components/ReportFindings.tsx';

const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const localTime = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** The date and time fields are read in the kiosk's time zone, as staff see the clock on the wall. */
function readWhen(date: string, time: string): { iso: string } | { problem: string } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return { problem: t('posts.review.chooseDateTime') };
  const at = new Date(`${date}T${time}:00`);
  if (Number.isNaN(at.getTime())) return { problem: t('posts.review.invalidDateTime') };
  if (at.getTime() <= Date.now()) return { problem: t('posts.review.past') };
  return { iso: at.toISOString() };
}

const previewOf = (post: PostView): PreviewContent => ({ caption: post.caption, targets: post.targets, options: post.options, media: post.media });

function PublishDialog({ post, mode, onClose }: { post: PostView; mode: 'schedule' | 'now'; onClose: () => void }) {
  const { schedule, busy, actionError, library } = usePostsStore();
  const organisation = useAppStore((s) => s.policy?.organisation ?? t('posts.editor.yourOrganisation'));
  // Its current time if it has one still ahead, otherwise the next full hour at least 30 minutes away.
  const [start] = useState(() => (post.scheduleAt && new Date(post.scheduleAt).getTime() > Date.now() ? new Date(post.scheduleAt) : new Date(Math.ceil((Date.now() + 30 * 60_000) / 3_600_000) * 3_600_000)));
  const [date, setDate] = useState(() => localDate(start));
  const [time, setTime] = useState(() => localTime(start));
  const when = mode === 'schedule' ? readWhen(date, time) : null;
  const previewId = useId();
  const confirm = async () => {
    const at = mode === 'now' ? 'now' : when && 'iso' in when ? when.iso : null;
    if (at === null) return;
    // Done, or someone else changed the post meanwhile: the page behind says which.
    if ((await schedule(at)) || usePostsStore.getState().notice) onClose();
  };
  const whenWords = when && 'iso' in when ? formatWhen(when.iso) : null;
  return (
    <Dialog
      title={mode === 'now' ? t('posts.review.publishNowTitle') : t('posts.review.scheduleTitle')}
      onClose={onClose}
      wide
      actions={
        <>
          <button type="button" className="button" disabled={busy !== null || (mode === 'schedule' && whenWords === null)} onClick={() => void confirm()} data-autofocus={mode === 'now' ? true : undefined}>
            {busy === 'schedule'
              ? t('posts.review.working')
              : mode === 'now'
                ? t('posts.review.publishNowTo', { platforms: platformList(post.targets) })
                : whenWords
                  ? t('posts.review.scheduleFor', { when: whenWords })
                  : t('posts.review.scheduleButton')}
          </button>
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('posts.review.goBack')}
          </button>
        </>
      }
    >
      {mode === 'schedule' ? (
        <fieldset className="field">
          <legend>{t('posts.review.whenLegend', { zone: kioskTimeZone() })}</legend>
          <div className="when-fields">
            <label className="field">
              <span>{t('posts.review.date')}</span>
              <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
            </label>
            <label className="field">
              <span>{t('posts.review.time')}</span>
              <input type="time" value={time} onChange={(e) => setTime(e.target.value)} required />
            </label>
          </div>
          {when && 'problem' in when ? (
            <p className="check-issue check-issue--error" role="alert">
              <span aria-hidden="true">✕</span> {when.problem}
            </p>
          ) : null}
        </fieldset>
      ) : null}
      <div className="confirm-targets" data-testid="confirm-targets">
        <p className="confirm-targets__lead">
          {mode === 'now' ? t('posts.review.sendNow') : whenWords ? t('posts.review.sendOn', { when: whenWords }) : t('posts.review.sendTo')}
        </p>
        <ul>
          {post.targets.map((target) => (
            <li key={target}>
              <strong>{platformName(target)}</strong>
              {t('posts.review.account', { organisation })}
            </li>
          ))}
        </ul>
      </div>
      {actionError ? <ErrorNotice error={actionError} /> : null}
      <PreviewPanel content={previewOf(post)} organisation={organisation} library={library} headingId={previewId} reports={false} title={t('posts.review.finalPreview')} />
    </Dialog>
  );
}

function RejectDialog({ onClose }: { onClose: () => void }) {
  const { reject, busy, actionError } = usePostsStore();
  const [comment, setComment] = useState('');
  return (
    <Dialog
      title={t('posts.review.rejectTitle')}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button--danger" disabled={busy !== null || comment.trim() === ''} onClick={() => void reject(comment.trim()).then((ok) => (ok || usePostsStore.getState().notice) && onClose())}>
            {busy === 'reject' ? t('posts.review.rejecting') : t('posts.review.rejectButton')}
          </button>
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('posts.review.goBack')}
          </button>
        </>
      }
    >
      <label className="field">
        <span>{t('posts.review.rejectWhy')}</span>
        <textarea rows={4} value={comment} maxLength={2000} required onChange={(e) => setComment(e.target.value)} />
      </label>
      {actionError ? <ErrorNotice error={actionError} /> : null}
    </Dialog>
  );
}

function CancelDialog({ onClose }: { onClose: () => void }) {
  const { cancel, busy } = usePostsStore();
  return (
    <Dialog
      title={t('posts.cancel.title')}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button--danger" disabled={busy !== null} onClick={() => void cancel().then(onClose)}>
            {t('posts.cancel.confirm')}
          </button>
          <button type="button" className="button button--secondary" data-autofocus onClick={onClose}>
            {t('posts.cancel.keep')}
          </button>
        </>
      }
    >
      <p>{t('posts.cancel.explain')}</p>
    </Dialog>
  );
}

export function PostReview({ post, onBack, onEdit }: { post: PostView; onBack: () => void; onEdit: () => void }) {
  const activity = usePublishActivity();
  const me = useStaffStore((s) => s.status?.current ?? null);
  const organisation = useAppStore((s) => s.policy?.organisation ?? t('posts.editor.yourOrganisation'));
  const { library, approve, busy, actionError, notice, clearMessages } = usePostsStore();
  const nameOf = useStaffNames();
  const [dialog, setDialogState] = useState<null | 'reject' | 'schedule' | 'now' | 'cancel'>(null);
  const setDialog = (next: typeof dialog) => {
    if (next !== null) clearMessages();
    setDialogState(next);
  };
  const [done, setDone] = useState<string | null>(null);
  const reviewer = me?.role === 'approver' || me?.role === 'admin';
  const previewId = useId();
  const title = firstLine(post.caption);
  const blocking = post.checks.some((c) => c.errors.length > 0);

  const onApprove = async () => {
    setDone(null);
    if (await approve()) setDone(t('posts.review.approvedDone'));
  };

  return (
    <section aria-labelledby="post-title" className="stack posts-review">
      <div className="posts-toolbar">
        <button type="button" className="button button--secondary" onClick={onBack}>
          {t('posts.back')}
        </button>
      </div>
      <header className="page-header post-header">
        <h1 id="post-title" className="post-header__title">
          {title || t('posts.review.noCaption')}
        </h1>
        <StateBadge state={post.state} />
      </header>

      <dl className="facts post-facts">
        <dt>{t('posts.review.postTo')}</dt>
        <dd>{post.targets.length > 0 ? platformList(post.targets) : t('posts.review.nowhere')}</dd>
        {post.createdBy ? (
          <>
            <dt>{t('posts.review.writtenBy')}</dt>
            <dd>{nameOf(post.createdBy)}</dd>
          </>
        ) : null}
        {post.submittedBy ? (
          <>
            <dt>{t('posts.review.submittedBy')}</dt>
            <dd>{nameOf(post.submittedBy)}</dd>
          </>
        ) : null}
        {post.approvedBy ? (
          <>
            <dt>{t('posts.review.approvedBy')}</dt>
            <dd>
              {nameOf(post.approvedBy)}
              {post.approvedAt ? <span className="muted"> · {formatWhen(post.approvedAt)}</span> : null}
            </dd>
          </>
        ) : null}
        {post.scheduleAt && (post.state === 'scheduled' || post.state === 'publishing' || post.state === 'published' || post.state === 'failed') ? (
          <>
            <dt>{post.state === 'scheduled' ? t('posts.review.scheduledFor') : t('posts.review.publishTime')}</dt>
            <dd data-testid="scheduled-for">{formatWhen(post.scheduleAt)}</dd>
          </>
        ) : null}
        <dt>{t('posts.review.lastChanged')}</dt>
        <dd>{formatWhen(post.updatedAt)}</dd>
      </dl>

      {notice ? (
        <div className="notice notice--warning" role="status">
          <p className="notice__message">⚠ {notice}</p>
        </div>
      ) : null}
      {done && !notice && !actionError ? (
        <div className="notice notice--ok" role="status">
          <p className="notice__message">✓ {done}</p>
        </div>
      ) : null}
      {actionError && dialog === null ? <ErrorNotice error={actionError} /> : null}
      {(post.state === 'approved' || post.state === 'scheduled') && !post.approvalValid ? (
        <div className="notice notice--error" role="alert">
          <p className="notice__message">{t('posts.review.approvalVoid')}</p>
        </div>
      ) : null}

      <section className="card review-actions" aria-label={t('posts.review.whatToDo')}>
        {post.state === 'submitted' ? (
          reviewer ? (
            <>
              <p>{t('posts.review.checkIt')}</p>
              {blocking ? <p className="check-issue check-issue--error">{t('posts.review.platformProblem')}</p> : null}
              <div className="actions">
                <button type="button" className="button" disabled={busy !== null} onClick={() => void onApprove()}>
                  {busy === 'approve' ? t('posts.review.approving') : t('posts.review.approve')}
                </button>
                <button type="button" className="button button--secondary" disabled={busy !== null} onClick={() => setDialog('reject')}>
                  {t('posts.review.reject')}
                </button>
              </div>
            </>
          ) : (
            <p>{t('posts.review.waitingForReviewer')}</p>
          )
        ) : null}
        {post.state === 'approved' || post.state === 'scheduled' ? (
          reviewer ? (
            <>
              <p>{post.state === 'approved' ? t('posts.review.approvedReady') : t('posts.review.goesOut')}</p>
              <div className="actions">
                <button type="button" className="button" disabled={busy !== null || !post.approvalValid} onClick={() => setDialog('schedule')}>
                  {post.state === 'scheduled' ? t('posts.review.changeTime') : t('posts.review.schedule')}
                </button>
                <button type="button" className="button button--secondary" disabled={busy !== null || !post.approvalValid} onClick={() => setDialog('now')}>
                  {t('posts.review.publishNow')}
                </button>
              </div>
            </>
          ) : (
            <p>{t('posts.review.reviewerChooses')}</p>
          )
        ) : null}
        {post.state === 'publishing' ? (
          // Progress of each platform's upload; "waiting" when the platform cannot be reached.
          <PublishActivityList items={activity.filter((a) => a.key.startsWith(`${post.id}:`))} idle={t('posts.review.sendingNow')} />
        ) : null}
        {post.state === 'published' ? <p>{t('posts.review.published')}</p> : null}
        {post.state === 'failed' ? <p>{t('posts.review.failed')}</p> : null}
        {post.state === 'cancelled' ? <p>{t('posts.review.cancelled')}</p> : null}
        {EDITABLE.includes(post.state) || CANCELLABLE.includes(post.state) ? (
          <div className="actions actions--quiet">
            {EDITABLE.includes(post.state) ? (
              <button type="button" className="button button--secondary" disabled={busy !== null} onClick={onEdit}>
                {t('posts.review.change')}
              </button>
            ) : null}
            {CANCELLABLE.includes(post.state) ? (
              <button type="button" className="button button--danger" disabled={busy !== null} onClick={() => setDialog('cancel')}>
                {t('posts.review.cancelPost')}
              </button>
            ) : null}
          </div>
        ) : null}
      </section>

      <div className="review-grid">
        <section className="card side-card" aria-labelledby="review-checks-title">
          <h2 id="review-checks-title">{t('posts.review.checks')}</h2>
          <ChecksPanel checks={post.checks} checking={false} />
        </section>
        <section className="card side-card" aria-labelledby="review-caption-title">
          <h2 id="review-caption-title">{t('posts.review.captionReport')}</h2>
          {post.captionReport.findings.length === 0 ? (
            <p className="muted">{t('posts.review.captionClean')}</p>
          ) : (
            <ReportFindings findings={post.captionReport.findings} testId="caption-report" />
          )}
          {post.captionReport.warnings.map((w, i) => (
            <div key={i} className="check-issue check-issue--warning">
              <span aria-hidden="true">⚠</span> <FindingLine finding={w} />
            </div>
          ))}
        </section>
      </div>

      <PreviewPanel content={previewOf(post)} organisation={organisation} library={library} headingId={previewId} />

      {dialog === 'reject' ? <RejectDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'schedule' || dialog === 'now' ? <PublishDialog post={post} mode={dialog} onClose={() => setDialog(null)} /> : null}
      {dialog === 'cancel' ? <CancelDialog onClose={() => setDialog(null)} /> : null}
    </section>
  );
}
