// The approval workflow: drafts are edited, submitted, approved by a second person (when the
// policy says so), scheduled or published, or rejected with a comment. Every change is committed
// (guarded by version and state) before it takes effect, and approval is bound to the content.
import { randomUUID } from 'node:crypto';
import type { PlatformId } from '../../../common/platforms.ts';
import type { PostState, PostSummary, PostView } from '../../../common/contract.ts';

export type { PostState, PostView };
import { AirlockError } from '../../../common/errors.ts';
import { checkPostForPlatform, type PlatformCheck, type PostFacts } from '../../platforms/post-rules.ts';
import type { Policy } from '../policy/policy.ts';
import { cleanCaption } from '../sanitize/caption.ts';
import type { StaffAction } from '../staff/roles.ts';
import type { Store } from '../store/store.ts';
import { postContentHash } from './content-hash.ts';
import { prepareAuditAppend } from '../audit/audit-redaction.ts';
import type { PostMediaRow, PostRow, PostSummaryRow } from './posts-repositories.ts';

export interface Actor {
  staffId: string;
  name: string;
  role: 'author' | 'approver' | 'admin';
}

export type PostAction = Extract<StaffAction, `post.${string}`>;

export interface PostEdit {
  caption?: string;
  targets?: PlatformId[];
  options?: Record<string, Record<string, unknown>>;
  media?: { mediaId: string; altText: string | null }[];
  scheduleAt?: string | null;
}

export interface PostServiceDeps {
  store: Store;
  policy: Policy;
  now: () => Date;
  /** Throws AirlockError 'staff.forbidden' when the actor may not do this. */
  authorize: (actor: Actor, action: PostAction) => void;
  /** Told about every committed change, for the screens. (Its audit entry is already written.) */
  onDidChange?: (change: { postId: string; actor: Actor; kind: string; state: PostState; details?: Record<string, unknown> }) => void;
}

const EDITABLE: PostState[] = ['draft', 'rejected', 'submitted', 'approved', 'scheduled'];
const CANCELLABLE: PostState[] = ['draft', 'submitted', 'approved', 'scheduled', 'rejected', 'failed'];
const MAX_CAPTION = 10_000;
/** The most posts the calendar reads for one period; more than this is reported as truncated. */
const CALENDAR_LIMIT = 3000;
/** The longest period the calendar may ask for: a month view with the days around it. */
const CALENDAR_MAX_DAYS = 62;

export class PostService {
  readonly #deps: PostServiceDeps;

  constructor(deps: PostServiceDeps) {
    this.#deps = deps;
  }

  async get(id: string): Promise<PostView> {
    const found = await this.#deps.store.call('posts.get', { id });
    if (!found) throw new AirlockError('post.not-found', 'That post no longer exists.', `post ${id}`);
    return this.#view(found.post, found.media);
  }

  async page(states: PostState[] | null, offset: number, limit: number): Promise<{ total: number; posts: PostView[] }> {
    const { total, rows } = await this.#deps.store.call('posts.page', { states, limit, offset });
    const posts: PostView[] = [];
    for (const row of rows) {
      const found = await this.#deps.store.call('posts.get', { id: row.id });
      if (found) posts.push(this.#view(found.post, found.media));
    }
    return { total, posts };
  }

  /** A window of one filter's posts as light rows, with how many posts are in each state. */
  async summaries(states: PostState[] | null, offset: number, limit: number): Promise<{ total: number; counts: Partial<Record<PostState, number>>; items: PostSummary[] }> {
    const { total, counts, rows } = await this.#deps.store.call('posts.summaries', { states, limit, offset });
    return { total, counts, items: rows.map(summaryOf) };
  }

  /** Posts with a time in [from, to) that are scheduled, going out or already out. */
  async calendar(from: string, to: string): Promise<{ items: PostSummary[]; truncated: boolean }> {
    const start = new Date(from);
    const end = new Date(to);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start) throw new AirlockError('post.bad-period', 'That period of time is not valid.', `${from} – ${to}`);
    if (end.getTime() - start.getTime() > CALENDAR_MAX_DAYS * 86_400_000) throw new AirlockError('post.bad-period', 'The calendar shows at most two months at once.', `${from} – ${to}`);
    const rows = await this.#deps.store.call('posts.inPeriod', { from: start.toISOString(), to: end.toISOString(), limit: CALENDAR_LIMIT + 1 });
    return { items: rows.slice(0, CALENDAR_LIMIT).map(summaryOf), truncated: rows.length > CALENDAR_LIMIT };
  }

  /**
   * Moves a scheduled post to another time. The approval covers the content, not the time (see
   * content-hash.ts), so it stays valid; the post must still match it, and the time must be in
   * the future: sending straight away is "publish now", which is `schedule(…, 'now')`.
   */
  async reschedule(actor: Actor, id: string, version: number, at: string): Promise<PostView> {
    this.#deps.authorize(actor, 'post.schedule');
    const post = await this.get(id);
    if (post.state !== 'scheduled') throw new AirlockError('post.illegal-transition', `Only a scheduled post can be moved to another time; this one is ${post.state}.`, `reschedule not allowed from ${post.state}`);
    if (post.version !== version) throw new AirlockError('post.stale', 'Someone else changed this post a moment ago. Look at the latest version and try again.', `expected version ${version}, now ${post.version}`);
    if (!post.approvalValid) throw new AirlockError('post.not-approved', 'This post is not approved in its current form. Submit it for approval again.');
    const when = this.#futureTime(at);
    return this.#update(id, version, ['scheduled'], { schedule_at: when }, actor, 'post.rescheduled', undefined, { from: post.scheduleAt, to: when });
  }

  /**
   * Moving a post up or down the queue: two scheduled posts swap their times in one transaction.
   * Both must still be scheduled at the versions staff saw, approved as they are, and not yet
   * due; otherwise nothing changes.
   */
  async swapSlots(actor: Actor, first: { id: string; version: number }, second: { id: string; version: number }): Promise<{ first: PostView; second: PostView }> {
    this.#deps.authorize(actor, 'post.schedule');
    if (first.id === second.id) throw new AirlockError('post.same-post', 'Choose two different posts to swap.');
    const a = await this.get(first.id);
    const b = await this.get(second.id);
    for (const [post, ref] of [[a, first], [b, second]] as const) {
      if (post.state !== 'scheduled') throw new AirlockError('post.illegal-transition', `Only scheduled posts can change places; “${clip(post.caption)}” is ${post.state}.`, `swap not allowed from ${post.state}`);
      if (post.version !== ref.version) throw new AirlockError('post.stale', 'Someone else changed one of these posts a moment ago. Look at the latest queue and try again.', `post ${post.id}: expected version ${ref.version}, now ${post.version}`);
      if (!post.approvalValid) throw new AirlockError('post.not-approved', `“${clip(post.caption)}” is not approved in its current form. Submit it for approval again.`);
      if (!post.scheduleAt || new Date(post.scheduleAt).getTime() <= this.#deps.now().getTime()) throw new AirlockError('post.time-past', `“${clip(post.caption)}” is due to go out now, so it can no longer change places.`);
    }
    if (a.scheduleAt === b.scheduleAt) throw new AirlockError('post.same-slot', 'These two posts go out at the same time, so swapping them would change nothing.');
    const audits = [
      this.#audit(actor, a.id, 'post.reordered', { state: 'scheduled', from: a.scheduleAt, to: b.scheduleAt, swappedWith: b.id }),
      this.#audit(actor, b.id, 'post.reordered', { state: 'scheduled', from: b.scheduleAt, to: a.scheduleAt, swappedWith: a.id }),
    ];
    const result = await this.#deps.store.call('posts.swapSlots', { first, second, updatedAt: this.#deps.now().toISOString(), audits });
    if (!result.swapped) {
      const gone = [first, second].find((ref) => !result.current.some((c) => c.id === ref.id));
      if (gone) throw new AirlockError('post.not-found', 'That post no longer exists.', `post ${gone.id}`);
      throw new AirlockError('post.stale', 'Someone else changed one of these posts a moment ago. Look at the latest queue and try again.', result.current.map((c) => `${c.id}: ${c.state} v${c.version}`).join('; '));
    }
    this.#deps.onDidChange?.({ postId: a.id, actor, kind: 'post.reordered', state: 'scheduled', details: { from: a.scheduleAt, to: b.scheduleAt, swappedWith: b.id } });
    this.#deps.onDidChange?.({ postId: b.id, actor, kind: 'post.reordered', state: 'scheduled', details: { from: b.scheduleAt, to: a.scheduleAt, swappedWith: a.id } });
    return { first: await this.get(a.id), second: await this.get(b.id) };
  }

  /** What each target platform would say about this content, without saving anything. */
  async check(content: { caption: string; targets: PlatformId[]; options: Record<string, Record<string, unknown>>; media: { mediaId: string; altText: string | null }[] }): Promise<PlatformCheck[]> {
    const facts = await this.#facts(content);
    return content.targets.map((t) => checkPostForPlatform(t, facts));
  }

  async create(actor: Actor, content: PostEdit): Promise<PostView> {
    this.#deps.authorize(actor, 'post.create');
    const caption = cleanCaption(content.caption ?? '');
    const media = content.media ?? [];
    await this.#requireMedia(media.map((m) => m.mediaId));
    const targets = this.#targets(content.targets ?? []);
    const at = this.#deps.now().toISOString();
    const id = randomUUID();
    const stored = await this.#deps.store.call('posts.create', {
      post: {
        id,
        state: 'draft',
        caption: this.#boundCaption(caption.text),
        caption_report_json: JSON.stringify({ mediaKind: 'caption', findings: caption.findings, warnings: caption.warnings }),
        targets_json: JSON.stringify(targets),
        options_json: JSON.stringify(content.options ?? {}),
        schedule_at: content.scheduleAt ?? null,
        origin: 'kiosk',
        origin_package_id: null,
        signed: 0,
        import_session_id: null,
        created_by: actor.staffId,
        editors_json: JSON.stringify([actor.staffId]),
        created_at: at,
        updated_at: at,
      } as never,
      media: media.map((m) => ({ mediaId: m.mediaId, altText: m.altText === null ? null : cleanCaption(m.altText).text })),
      audit: this.#audit(actor, id, 'post.created', { state: 'draft' }),
    });
    this.#deps.onDidChange?.({ postId: id, actor, kind: 'post.created', state: 'draft' });
    return this.#view(stored.post, stored.media);
  }

  /** Any edit returns the post to draft and voids a submission or approval. */
  async edit(actor: Actor, id: string, version: number, change: PostEdit): Promise<PostView> {
    this.#deps.authorize(actor, 'post.edit');
    const current = await this.get(id);
    const set: Record<string, unknown> = { state: 'draft', submitted_by: null, submitted_at: null, approved_by: null, approved_at: null, approval_hash: null };
    if (change.caption !== undefined) {
      const caption = cleanCaption(change.caption);
      set.caption = this.#boundCaption(caption.text);
      set.caption_report_json = JSON.stringify({ mediaKind: 'caption', findings: caption.findings, warnings: caption.warnings });
    }
    if (change.targets !== undefined) set.targets_json = JSON.stringify(this.#targets(change.targets));
    if (change.options !== undefined) set.options_json = JSON.stringify(change.options);
    if (change.scheduleAt !== undefined) set.schedule_at = this.#scheduleTime(change.scheduleAt, true);
    let media: { mediaId: string; altText: string | null }[] | undefined;
    if (change.media !== undefined) {
      await this.#requireMedia(change.media.map((m) => m.mediaId));
      media = change.media.map((m) => ({ mediaId: m.mediaId, altText: m.altText === null ? null : cleanCaption(m.altText).text }));
    }
    // Everyone who shaped the content since it was last approved; none of them may approve it.
    set.editors_json = JSON.stringify([...new Set([...current.editors, actor.staffId])]);
    return this.#update(id, version, EDITABLE, set, actor, 'post.edited', media);
  }

  async submit(actor: Actor, id: string, version: number): Promise<PostView> {
    this.#deps.authorize(actor, 'post.submit');
    const post = await this.get(id);
    if (post.targets.length === 0) throw new AirlockError('post.no-targets', 'Choose at least one account to post to before submitting.');
    const blocking = post.checks.flatMap((c) => c.errors.map((e) => ({ platform: c.platform, issue: e })));
    const first = blocking[0];
    if (first) {
      const lines = blocking.map((b) => `${b.platform}: ${b.issue.message}`);
      // The first problem's platform, code and values, so the renderer can say it in the staff's language.
      const params = { ...first.issue.params, platform: first.platform, rule: first.issue.code };
      throw new AirlockError('post.rules', `This post cannot be submitted yet: ${lines[0]}`, lines.join('\n'), params);
    }
    return this.#update(id, version, ['draft'], { state: 'submitted', submitted_by: actor.staffId, submitted_at: this.#deps.now().toISOString(), review_comment: null }, actor, 'post.submitted');
  }

  async approve(actor: Actor, id: string, version: number): Promise<PostView> {
    this.#deps.authorize(actor, 'post.approve');
    const post = await this.get(id);
    if (post.state !== 'submitted') throw new AirlockError('post.illegal-transition', 'Only a submitted post can be approved.', `post is ${post.state}`);
    if (this.#deps.policy.approval.twoPerson && (post.submittedBy === actor.staffId || post.editors.includes(actor.staffId))) {
      throw new AirlockError('post.same-person', 'This kiosk needs a second person to approve: you wrote or changed this post, so someone else must approve it.');
    }
    const hash = this.#hash(post);
    return this.#update(id, version, ['submitted'], { state: 'approved', approved_by: actor.staffId, approved_at: this.#deps.now().toISOString(), approval_hash: hash }, actor, 'post.approved', undefined, { contentHash: hash });
  }

  async reject(actor: Actor, id: string, version: number, comment: string): Promise<PostView> {
    this.#deps.authorize(actor, 'post.reject');
    const text = cleanCaption(comment).text.trim();
    if (!text) throw new AirlockError('post.comment-required', 'Say why the post is rejected, so the author can fix it.');
    return this.#update(id, version, ['submitted'], { state: 'rejected', review_comment: text.slice(0, 2000) }, actor, 'post.rejected', undefined, { comment: text.slice(0, 2000) });
  }

  /** Queues an approved post for a time, or for now. The approval must still match the content. */
  async schedule(actor: Actor, id: string, version: number, at: string | 'now'): Promise<PostView> {
    this.#deps.authorize(actor, 'post.schedule');
    const post = await this.get(id);
    if (!post.approvalValid) throw new AirlockError('post.not-approved', 'This post is not approved in its current form. Submit it for approval again.');
    const when = at === 'now' ? this.#deps.now().toISOString() : this.#scheduleTime(at, false);
    return this.#update(id, version, ['approved', 'scheduled'], { state: 'scheduled', schedule_at: when }, actor, 'post.scheduled', undefined, { at: when });
  }

  async cancel(actor: Actor, id: string, version: number): Promise<PostView> {
    this.#deps.authorize(actor, 'post.cancel');
    return this.#update(id, version, CANCELLABLE, { state: 'cancelled' }, actor, 'post.cancelled');
  }

  /** The hash the publisher must see again before sending. */
  contentHashOf(post: PostView): string {
    return this.#hash(post);
  }

  /** Commits a guarded change and its audit entry together; returns the post as changed. */
  async #update(id: string, version: number, allowed: PostState[], set: Record<string, unknown>, actor: Actor, kind: string, media?: { mediaId: string; altText: string | null }[], details?: Record<string, unknown>): Promise<PostView> {
    const state = set.state as PostState | undefined;
    const result = await this.#deps.store.call('posts.update', {
      id,
      expectedVersion: version,
      allowedStates: allowed,
      set: set as never,
      ...(media ? { media } : {}),
      updatedAt: this.#deps.now().toISOString(),
      // A change that leaves the state as it is (a new time) records the state it stays in.
      audit: this.#audit(actor, id, kind, { state: state ?? allowed[0], ...details }),
    });
    if (!result.updated) {
      if (!result.current) throw new AirlockError('post.not-found', 'That post no longer exists.', `post ${id}`);
      if (result.current.post.version !== version) {
        throw new AirlockError('post.stale', 'Someone else changed this post a moment ago. Look at the latest version and try again.', `expected version ${version}, now ${result.current.post.version}`);
      }
      throw new AirlockError('post.illegal-transition', `This cannot be done to a post that is ${result.current.post.state}.`, `${kind} not allowed from ${result.current.post.state}`);
    }
    const changed = result.current!;
    this.#deps.onDidChange?.({ postId: id, actor, kind, state: changed.post.state as PostState, ...(details ? { details } : {}) });
    return this.#view(changed.post, changed.media);
  }

  /** The audit entry for a change, checked and redacted here so the store only has to write it. */
  #audit(actor: Actor, postId: string, kind: string, details: Record<string, unknown>) {
    const { redacted: _redacted, ...append } = prepareAuditAppend({ actor: actor.staffId, actorName: actor.name, kind, subject: postId, details }, this.#deps.now());
    return append;
  }

  #boundCaption(text: string): string {
    if (text.length > MAX_CAPTION) throw new AirlockError('post.caption-too-long', `Captions are limited to ${MAX_CAPTION.toLocaleString('en')} characters.`);
    return text;
  }

  #targets(targets: PlatformId[]): PlatformId[] {
    const enabled = new Set(this.#deps.policy.platforms);
    const unique = [...new Set(targets)];
    const off = unique.filter((t) => !enabled.has(t));
    if (off.length > 0) throw new AirlockError('post.platform-disabled', `Posting to ${off.join(', ')} is not enabled on this kiosk.`);
    return unique;
  }

  #scheduleTime(value: string | null, allowNull: boolean): string | null {
    if (value === null) {
      if (allowNull) return null;
      throw new AirlockError('post.bad-time', 'Choose a date and time.');
    }
    const t = new Date(value);
    if (Number.isNaN(t.getTime())) throw new AirlockError('post.bad-time', 'That date and time is not valid.', value);
    return t.toISOString();
  }

  #futureTime(value: string): string {
    const when = this.#scheduleTime(value, false)!;
    if (new Date(when).getTime() <= this.#deps.now().getTime()) throw new AirlockError('post.time-past', 'That time has already passed. Choose a time in the future, or publish the post now.', when);
    return when;
  }

  async #requireMedia(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const found = new Set(await this.#deps.store.call('media.exist', { ids }));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new AirlockError('post.media-missing', 'A photo or video in this post is not in the library.', missing.join(', '));
    if (new Set(ids).size !== ids.length) throw new AirlockError('post.media-twice', 'The same photo or video is in the post twice.');
  }

  #hash(post: PostView): string {
    return postContentHash({ caption: post.caption, targets: post.targets, options: post.options, media: post.media.map((m) => ({ cleanSha256: m.cleanSha256, altText: m.altText })) });
  }

  async #facts(content: { caption: string; options: Record<string, Record<string, unknown>>; media: { mediaId: string; altText: string | null }[] }): Promise<PostFacts> {
    const rows = new Map((await this.#deps.store.call('media.facts', { ids: content.media.map((m) => m.mediaId) })).map((r) => [r.id, r]));
    return {
      caption: content.caption,
      options: content.options as PostFacts['options'],
      media: content.media.flatMap((m) => {
        const r = rows.get(m.mediaId);
        return r ? [{ kind: r.kind, altText: m.altText, width: r.width, height: r.height, durationMs: r.duration_ms, bytes: r.clean_bytes, format: r.format }] : [];
      }),
    };
  }

  #view(row: PostRow, media: PostMediaRow[]): PostView {
    const view: PostView = {
      id: row.id,
      state: row.state as PostState,
      version: row.version,
      caption: row.caption,
      captionReport: JSON.parse(row.caption_report_json) as PostView['captionReport'],
      targets: JSON.parse(row.targets_json) as PlatformId[],
      options: JSON.parse(row.options_json) as Record<string, Record<string, unknown>>,
      scheduleAt: row.schedule_at,
      signed: row.signed === 1,
      origin: row.origin,
      media: media.map((m) => ({ mediaId: m.media_id, kind: m.kind, cleanSha256: m.clean_sha256, thumbnailSha256: m.thumbnail_sha256, altText: m.alt_text, width: m.width, height: m.height })),
      createdBy: row.created_by,
      submittedBy: row.submitted_by,
      approvedBy: row.approved_by,
      approvedAt: row.approved_at,
      approvalValid: false,
      reviewComment: row.review_comment,
      checks: [],
      updatedAt: row.updated_at,
      editors: JSON.parse(row.editors_json) as string[],
    };
    view.approvalValid = row.approval_hash !== null && (row.state === 'approved' || row.state === 'scheduled' || row.state === 'publishing') && row.approval_hash === this.#hash(view);
    const facts: PostFacts = {
      caption: row.caption,
      options: view.options as PostFacts['options'],
      media: media.map((m) => ({ kind: m.kind, altText: m.alt_text, width: m.width, height: m.height, durationMs: m.duration_ms, bytes: m.clean_bytes, format: m.format })),
    };
    view.checks = view.targets.map((t) => checkPostForPlatform(t, facts));
    return view;
  }
}

const clip = (caption: string): string => {
  const line = caption.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  return line.length > 60 ? `${line.slice(0, 59)}…` : line || 'a post without a caption';
};

function summaryOf(row: PostSummaryRow): PostSummary {
  return {
    id: row.id,
    state: row.state as PostState,
    version: row.version,
    caption: row.caption,
    targets: JSON.parse(row.targets_json) as PlatformId[],
    scheduleAt: row.schedule_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    submittedBy: row.submitted_by,
    approvedBy: row.approved_by,
    origin: row.origin,
    mediaCount: row.media_count,
    lead: row.lead_kind && row.lead_clean_sha256 ? { kind: row.lead_kind, cleanSha256: row.lead_clean_sha256, thumbnailSha256: row.lead_thumbnail_sha256, altText: row.lead_alt_text } : null,
  };
}
