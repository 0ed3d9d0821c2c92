// The guided tour's steps, in the order of the real workflow: each with a few plain words and
// the controls to ring, best first. When the control for the step is not on screen yet, the
// ring goes round the way to it (a navigation entry, a sign-in button) and says so.
import { useStaffStore } from '../state/staff-store.ts';
import { button, byTestId, bySelector, field, navItem } from './find-element.ts';
import { useTrainingStore } from './training-store.ts';
import { i18n, t } from '../i18n/index.ts';

export interface TourTarget {
  find: () => HTMLElement | null;
  /** Catalogue key: what to do with the ringed control, shown under the step's text. */
  where: string;
}

export interface TourStep {
  id: string;
  /** Catalogue keys of the step's words (tour.<id>.*). */
  title: string;
  text: string;
  targets: TourTarget[];
  /** Shown when none of the targets is on screen. */
  missing: string;
  /** Runs when the step opens, e.g. to unfold the training bar. */
  onEnter?: () => void;
  /** Live publishing progress inside the tour card. */
  showsPublishing?: boolean;
}

const role = () => useStaffStore.getState().status?.current?.role ?? null;
const signedIn = () => role() !== null;
const reviewer = () => role() === 'approver' || role() === 'admin';
/** A finder that only counts while `condition` holds. */
const when = (condition: () => boolean, find: () => HTMLElement | null) => () => (condition() ? find() : null);

const ferryRow = button(/ferry/i, 'main .post-list');

/** A control named by catalogue `key`, in the active language. */
const named =
  (key: string, values: Record<string, unknown> = {}) =>
  (name: string): boolean =>
    name === t(key, values);
/** Named by `key` once the catalogue has it; until then by its English words. */
const namedOr = (key: string, english: string) => (name: string) => name === (i18n.exists(key) ? t(key) : english);
const openTrainingBar = () => useTrainingStore.getState().setExpanded(true);

export const TOUR_STEPS: readonly TourStep[] = [
  {
    id: 'sign-in',
    title: 'tour.sign-in.title',
    text: 'tour.sign-in.text',
    targets: [
      { find: field(named('signIn.pinFor', { name: 'Alex Author' })), where: 'tour.sign-in.where1' },
      { find: button('Alex Author'), where: 'tour.sign-in.where2' },
      { find: byTestId('signed-in-as'), where: 'tour.sign-in.where3' },
    ],
    missing: 'tour.sign-in.missing',
  },
  {
    id: 'insert',
    title: 'tour.insert.title',
    text: 'tour.insert.text',
    targets: [{ find: byTestId('training-stick-harbour-day'), where: 'tour.insert.where1' }],
    missing: 'tour.insert.missing',
    onEnter: openTrainingBar,
  },
  {
    id: 'check',
    title: 'tour.check.title',
    text: 'tour.check.text',
    targets: [
      { find: when(signedIn, button(named('import.check', { label: 'HARBOUR DAY' }))), where: 'tour.check.where1' },
      { find: navItem(named('nav.import')), where: 'tour.check.where2' },
    ],
    missing: 'tour.check.missing',
  },
  {
    id: 'removed',
    title: 'tour.removed.title',
    text: 'tour.removed.text',
    targets: [
      { find: byTestId('report'), where: 'tour.removed.where1' },
      { find: button(named('import.openLibrary')), where: 'tour.removed.where2' },
      { find: button((name) => name === t('import.importFiles', { count: Number(/\d+/.exec(name)?.[0] ?? NaN) })), where: 'tour.removed.where3' },
      { find: navItem(named('nav.library')), where: 'tour.removed.where4' },
    ],
    missing: 'tour.removed.missing',
  },
  {
    id: 'caption',
    title: 'tour.caption.title',
    text: 'tour.caption.text',
    targets: [
      { find: field(namedOr('posts.editor.caption', 'Caption')), where: 'tour.caption.where1' },
      { find: ferryRow, where: 'tour.caption.where2' },
      { find: navItem(named('nav.posts')), where: 'tour.caption.where3' },
    ],
    missing: 'tour.caption.missing',
  },
  {
    id: 'submit',
    title: 'tour.submit.title',
    text: 'tour.submit.text',
    targets: [
      { find: button(namedOr('posts.editor.submit', 'Submit for approval')), where: 'tour.submit.where1' },
      { find: when(signedIn, ferryRow), where: 'tour.submit.where2' },
      { find: navItem(named('nav.posts')), where: 'tour.submit.where3' },
    ],
    missing: 'tour.submit.missing',
  },
  {
    id: 'approve',
    title: 'tour.approve.title',
    text: 'tour.approve.text',
    targets: [
      { find: button(namedOr('posts.review.approve', 'Approve')), where: 'tour.approve.where1' },
      { find: when(reviewer, ferryRow), where: 'tour.approve.where2' },
      { find: when(reviewer, navItem(named('nav.posts'))), where: 'tour.approve.where3' },
      { find: when(signedIn, button(named('app.signOut'), '.app-bar')), where: 'tour.approve.where4' },
      { find: field(named('signIn.pinFor', { name: 'Sam Approver' })), where: 'tour.approve.where5' },
      { find: button('Sam Approver'), where: 'tour.approve.where6' },
    ],
    missing: 'tour.approve.missing',
  },
  {
    id: 'publish',
    title: 'tour.publish.title',
    text: 'tour.publish.text',
    targets: [
      { find: button(namedOr('posts.review.publishNow', 'Publish now…')), where: 'tour.publish.where1' },
      { find: button(namedOr('posts.review.schedule', 'Schedule…')), where: 'tour.publish.where2' },
      { find: when(reviewer, ferryRow), where: 'tour.publish.where3' },
      { find: navItem(named('nav.posts')), where: 'tour.publish.where4' },
    ],
    missing: 'tour.publish.missing',
  },
  {
    id: 'progress',
    title: 'tour.progress.title',
    text: 'tour.progress.text',
    targets: [
      { find: bySelector('main .post-header [data-testid="post-state"]'), where: 'tour.progress.where1' },
      { find: bySelector('main [data-testid="post-state"]'), where: 'tour.progress.where2' },
      { find: navItem(named('nav.posts')), where: 'tour.progress.where3' },
    ],
    missing: 'tour.progress.missing',
    showsPublishing: true,
  },
  {
    id: 'feed',
    title: 'tour.feed.title',
    text: 'tour.feed.text',
    targets: [
      { find: byTestId('feed-list'), where: 'tour.feed.where1' },
      { find: navItem(named('nav.feed')), where: 'tour.feed.where2' },
    ],
    missing: 'tour.feed.missing',
  },
  {
    id: 'audit',
    title: 'tour.audit.title',
    text: 'tour.audit.text',
    targets: [
      { find: bySelector('main .audit-table'), where: 'tour.audit.where1' },
      { find: when(reviewer, navItem(named('nav.audit'))), where: 'tour.audit.where2' },
      { find: navItem(named('nav.audit')), where: 'tour.audit.where3' },
    ],
    missing: 'tour.audit.missing',
  },
];
