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

const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const localTime = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** The date and time fields are read in the kiosk's time zone, as staff see the clock on the wall. */
function readWhen(date: string, time: string): { iso: string } | { problem: string } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return { problem: 'Choose a date and a time.' };
  const at = new Date(`${date}T${time}:00`);
  if (Number.isNaN(at.getTime())) return { problem: 'That date and time is not valid.' };
  if (at.getTime() <= Date.now()) return { problem: 'That time has already passed. Choose a later time, or use “Publish now”.' };
  return { iso: at.toISOString() };
}

const previewOf = (post: PostView): PreviewContent => ({ caption: post.caption, targets: post.targets, options: post.options, media: post.media });

function PublishDialog({ post, mode, onClose }: { post: PostView; mode: 'schedule' | 'now'; onClose: () => void }) {
  const { schedule, busy, actionError, library } = usePostsStore();
  const organisation = useAppStore((s) => s.policy?.organisation ?? 'your organisation');
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
      title={mode === 'now' ? 'Publish this post now?' : 'Schedule this post'}
      onClose={onClose}
      wide
      actions={
        <>
          <button type="button" className="button" disabled={busy !== null || (mode === 'schedule' && whenWords === null)} onClick={() => void confirm()} data-autofocus={mode === 'now' ? true : undefined}>
            {busy === 'schedule' ? 'Working…' : mode === 'now' ? `Publish now to ${platformList(post.targets)}` : whenWords ? `Schedule for ${whenWords}` : 'Schedule'}
          </button>
          <button type="button" className="button button--secondary" onClick={onClose}>
            Go back
          </button>
        </>
      }
    >
      {mode === 'schedule' ? (
        <fieldset className="field">
          <legend>When to publish ({kioskTimeZone()} time)</legend>
          <div className="when-fields">
            <label className="field">
              <span>Date</span>
              <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
            </label>
            <label className="field">
              <span>Time</span>
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
          {mode === 'now' ? 'Airlock will send this post straight away to:' : whenWords ? `On ${whenWords}, Airlock will send this post to:` : 'Airlock will send this post to:'}
        </p>
        <ul>
          {post.targets.map((t) => (
            <li key={t}>
              <strong>{platformName(t)}</strong> — the {organisation} account
            </li>
          ))}
        </ul>
      </div>
      {actionError ? <ErrorNotice error={actionError} /> : null}
      <PreviewPanel content={previewOf(post)} organisation={organisation} library={library} headingId={previewId} reports={false} title="Final preview" />
    </Dialog>
  );
}

function RejectDialog({ onClose }: { onClose: () => void }) {
  const { reject, busy, actionError } = usePostsStore();
  const [comment, setComment] = useState('');
  return (
    <Dialog
      title="Reject this post"
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button--danger" disabled={busy !== null || comment.trim() === ''} onClick={() => void reject(comment.trim()).then((ok) => (ok || usePostsStore.getState().notice) && onClose())}>
            {busy === 'reject' ? 'Rejecting…' : 'Reject post'}
          </button>
          <button type="button" className="button button--secondary" onClick={onClose}>
            Go back
          </button>
        </>
      }
    >
      <label className="field">
        <span>Why is it rejected? The author sees this with the post.</span>
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
      title="Cancel this post?"
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button--danger" disabled={busy !== null} onClick={() => void cancel().then(onClose)}>
            Cancel the post
          </button>
          <button type="button" className="button button--secondary" data-autofocus onClick={onClose}>
            Keep it
          </button>
        </>
      }
    >
      <p>A cancelled post is never published. It stays in the list under “Cancelled” for the record.</p>
    </Dialog>
  );
}

export function PostReview({ post, onBack, onEdit }: { post: PostView; onBack: () => void; onEdit: () => void }) {
  const activity = usePublishActivity();
  const me = useStaffStore((s) => s.status?.current ?? null);
  const organisation = useAppStore((s) => s.policy?.organisation ?? 'Your organisation');
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
    if (await approve()) setDone('Approved. It can now be scheduled or published.');
  };

  return (
    <section aria-labelledby="post-title" className="stack posts-review">
      <div className="posts-toolbar">
        <button type="button" className="button button--secondary" onClick={onBack}>
          ← Back to posts
        </button>
      </div>
      <header className="page-header post-header">
        <h1 id="post-title" className="post-header__title">
          {title || 'Post without a caption'}
        </h1>
        <StateBadge state={post.state} />
      </header>

      <dl className="facts post-facts">
        <dt>Post to</dt>
        <dd>{post.targets.length > 0 ? platformList(post.targets) : 'Nowhere yet'}</dd>
        {post.createdBy ? (
          <>
            <dt>Written by</dt>
            <dd>{nameOf(post.createdBy)}</dd>
          </>
        ) : null}
        {post.submittedBy ? (
          <>
            <dt>Submitted by</dt>
            <dd>{nameOf(post.submittedBy)}</dd>
          </>
        ) : null}
        {post.approvedBy ? (
          <>
            <dt>Approved by</dt>
            <dd>
              {nameOf(post.approvedBy)}
              {post.approvedAt ? <span className="muted"> · {formatWhen(post.approvedAt)}</span> : null}
            </dd>
          </>
        ) : null}
        {post.scheduleAt && (post.state === 'scheduled' || post.state === 'publishing' || post.state === 'published' || post.state === 'failed') ? (
          <>
            <dt>{post.state === 'scheduled' ? 'Scheduled for' : 'Publish time'}</dt>
            <dd data-testid="scheduled-for">{formatWhen(post.scheduleAt)}</dd>
          </>
        ) : null}
        <dt>Last changed</dt>
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
          <p className="notice__message">✕ This post changed after it was approved, so the approval no longer counts. Change it and submit it for approval again.</p>
        </div>
      ) : null}

      <section className="card review-actions" aria-label="What to do with this post">
        {post.state === 'submitted' ? (
          reviewer ? (
            <>
              <p>Check the caption, the previews and what was removed from the media. Then approve it, or reject it with a comment for the author.</p>
              {blocking ? <p className="check-issue check-issue--error">✕ A platform reports a problem with this post (see Checks). Reject it so the author can fix it.</p> : null}
              <div className="actions">
                <button type="button" className="button" disabled={busy !== null} onClick={() => void onApprove()}>
                  {busy === 'approve' ? 'Approving…' : 'Approve'}
                </button>
                <button type="button" className="button button--secondary" disabled={busy !== null} onClick={() => setDialog('reject')}>
                  Reject…
                </button>
              </div>
            </>
          ) : (
            <p>This post is waiting for an approver or administrator to check it.</p>
          )
        ) : null}
        {post.state === 'approved' || post.state === 'scheduled' ? (
          reviewer ? (
            <>
              <p>{post.state === 'approved' ? 'Approved and ready. Choose when it goes out.' : 'It goes out at the time above unless you change it.'}</p>
              <div className="actions">
                <button type="button" className="button" disabled={busy !== null || !post.approvalValid} onClick={() => setDialog('schedule')}>
                  {post.state === 'scheduled' ? 'Change time…' : 'Schedule…'}
                </button>
                <button type="button" className="button button--secondary" disabled={busy !== null || !post.approvalValid} onClick={() => setDialog('now')}>
                  Publish now…
                </button>
              </div>
            </>
          ) : (
            <p>An approver or administrator chooses when this post goes out.</p>
          )
        ) : null}
        {post.state === 'publishing' ? (
          // Progress of each platform's upload; "waiting" when the platform cannot be reached.
          <PublishActivityList items={activity.filter((a) => a.key.startsWith(`${post.id}:`))} idle="Airlock is sending this post now." />
        ) : null}
        {post.state === 'published' ? <p>✓ This post has been published.</p> : null}
        {post.state === 'failed' ? <p>✕ Publishing failed. The reason is in the audit log; ask IT if it is not clear.</p> : null}
        {post.state === 'cancelled' ? <p>This post was cancelled. It will not be published.</p> : null}
        {EDITABLE.includes(post.state) || CANCELLABLE.includes(post.state) ? (
          <div className="actions actions--quiet">
            {EDITABLE.includes(post.state) ? (
              <button type="button" className="button button--secondary" disabled={busy !== null} onClick={onEdit}>
                Change post
              </button>
            ) : null}
            {CANCELLABLE.includes(post.state) ? (
              <button type="button" className="button button--danger" disabled={busy !== null} onClick={() => setDialog('cancel')}>
                Cancel post…
              </button>
            ) : null}
          </div>
        ) : null}
      </section>

      <div className="review-grid">
        <section className="card side-card" aria-labelledby="review-checks-title">
          <h2 id="review-checks-title">Checks</h2>
          <ChecksPanel checks={post.checks} checking={false} />
        </section>
        <section className="card side-card" aria-labelledby="review-caption-title">
          <h2 id="review-caption-title">Cleaned from the caption</h2>
          {post.captionReport.findings.length === 0 ? (
            <p className="muted">Nothing hidden was found in the caption.</p>
          ) : (
            <ul className="report" data-testid="caption-report">
              {post.captionReport.findings.map((f, i) => (
                <li key={i}>{f.text}</li>
              ))}
            </ul>
          )}
          {post.captionReport.warnings.map((w, i) => (
            <p key={i} className="check-issue check-issue--warning">
              <span aria-hidden="true">⚠</span> {w.text}
            </p>
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
