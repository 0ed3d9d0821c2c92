// The guided tour's steps, in the order of the real workflow: each with a few plain words and
// the controls to ring, best first. When the control for the step is not on screen yet, the
// ring goes round the way to it (a navigation entry, a sign-in button) and says so.
import { useStaffStore } from '../state/staff-store.ts';
import { button, byTestId, bySelector, field, navItem } from './find-element.ts';
import { useTrainingStore } from './training-store.ts';

export interface TourTarget {
  find: () => HTMLElement | null;
  /** What to do with the ringed control, shown under the step's text. */
  where: string;
}

export interface TourStep {
  id: string;
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
const openTrainingBar = () => useTrainingStore.getState().setExpanded(true);

export const TOUR_STEPS: readonly TourStep[] = [
  {
    id: 'sign-in',
    title: 'Sign in as the author',
    text: 'Everything in Airlock is done by a named person. Alex Author writes the post in this tour; the PINs are on the sign-in screen.',
    targets: [
      { find: field('PIN for Alex Author'), where: 'Type Alex’s PIN and press “Sign in”.' },
      { find: button('Alex Author'), where: 'Choose “Alex Author”.' },
      { find: byTestId('signed-in-as'), where: 'Who is signed in is always shown here.' },
    ],
    missing: 'Sign out, then choose Alex Author.',
  },
  {
    id: 'insert',
    title: 'Insert the USB stick',
    text: 'A real kiosk reads a USB stick. In training, a virtual stick stands in: it appears on the Import screen exactly like a real one.',
    targets: [{ find: byTestId('training-stick-harbour-day'), where: 'Press “Insert” for HARBOUR DAY in the training bar.' }],
    missing: 'Open the training bar at the top and insert HARBOUR DAY.',
    onEnter: openTrainingBar,
  },
  {
    id: 'check',
    title: 'Check the stick',
    text: 'Airlock never opens anything by itself. A check reads the stick, tests the package’s signature and lists what it will and will not take.',
    targets: [
      { find: when(signedIn, button(/^Check HARBOUR DAY$/)), where: 'Press “Check HARBOUR DAY”.' },
      { find: navItem('Import'), where: 'Open Import in the top bar.' },
    ],
    missing: 'Sign in first; the check is on the Import screen.',
  },
  {
    id: 'removed',
    title: 'See what was removed',
    text: 'Importing copies the files and strips what they hide: the GPS position, the camera and the owner’s name. The library lists what was taken out of each file.',
    targets: [
      { find: byTestId('report'), where: 'This is what Airlock took out of the photo or video.' },
      { find: button('See what was removed in the library'), where: 'Press “See what was removed in the library”.' },
      { find: button(/^Import \d+ files?$/), where: 'Press “Import” to copy and clean the files.' },
      { find: navItem('Library'), where: 'Open Library in the top bar.' },
    ],
    missing: 'Sign in first; the library is in the top bar.',
  },
  {
    id: 'caption',
    title: 'Edit the caption',
    text: 'The import made draft posts. Change the caption: the TikTok preview below it follows as you type, and the checks say what each platform allows. Choose who can see it on TikTok.',
    targets: [
      { find: field('Caption'), where: 'Change the caption here, then look at the preview further down.' },
      { find: ferryRow, where: 'Open the ferry post.' },
      { find: navItem('Posts'), where: 'Open Posts in the top bar.' },
    ],
    missing: 'Sign in as Alex Author; the drafts are under Posts.',
  },
  {
    id: 'submit',
    title: 'Submit for approval',
    text: 'A post cannot go out until a second person has checked it. Submitting sends it to them.',
    targets: [
      { find: button('Submit for approval'), where: 'Press “Submit for approval”.' },
      { find: when(signedIn, ferryRow), where: 'Open the ferry post.' },
      { find: navItem('Posts'), where: 'Open Posts in the top bar.' },
    ],
    missing: 'Sign in as Alex Author and open the post.',
  },
  {
    id: 'approve',
    title: 'A second person approves',
    text: 'The author cannot approve their own post. Sign out, sign in as Sam Approver, open the post and approve it.',
    targets: [
      { find: button('Approve'), where: 'Press “Approve”.' },
      { find: when(reviewer, ferryRow), where: 'Open the post waiting for approval.' },
      { find: when(reviewer, navItem('Posts')), where: 'Open Posts in the top bar.' },
      { find: when(signedIn, button('Sign out', '.app-bar')), where: 'Sign out first.' },
      { find: field('PIN for Sam Approver'), where: 'Type Sam’s PIN and press “Sign in”.' },
      { find: button('Sam Approver'), where: 'Choose “Sam Approver”.' },
    ],
    missing: 'Sign in as Sam Approver and open the post.',
  },
  {
    id: 'publish',
    title: 'Schedule or publish',
    text: 'Choose when the post goes out. The confirmation names every platform and account, and shows the final preview.',
    targets: [
      { find: button('Publish now…'), where: 'Press “Publish now…”, or “Schedule…” to choose a time.' },
      { find: button('Schedule…'), where: 'Press “Schedule…” to choose a time.' },
      { find: when(reviewer, ferryRow), where: 'Open the approved post.' },
      { find: navItem('Posts'), where: 'Open Posts in the top bar.' },
    ],
    missing: 'Sign in as Sam Approver and open the approved post.',
  },
  {
    id: 'progress',
    title: 'Watch it publish',
    text: 'Airlock sends the cleaned video to the TikTok simulator. The post changes to “Publishing”, then to “Published”.',
    targets: [
      { find: bySelector('main .post-header [data-testid="post-state"]'), where: 'The post’s state changes here.' },
      { find: bySelector('main [data-testid="post-state"]'), where: 'Each post’s state is shown beside it.' },
      { find: navItem('Posts'), where: 'Open Posts in the top bar.' },
    ],
    missing: 'Sign in to follow the post on the Posts screen.',
    showsPublishing: true,
  },
  {
    id: 'feed',
    title: 'See the post in the feed',
    text: 'The Feed shows what the TikTok simulator received, as the audience would see it. Nothing left this machine.',
    targets: [
      { find: byTestId('feed-list'), where: 'The newest post is at the top.' },
      { find: navItem('Feed'), where: 'Open Feed in the top bar.' },
    ],
    missing: 'Sign in; the Feed is in the top bar.',
  },
  {
    id: 'audit',
    title: 'Read the audit log',
    text: 'Every step is recorded: who imported, edited, submitted, approved and published, and when. Entries are sealed so they cannot be changed. Authors cannot read the log; Sam and Tara can.',
    targets: [
      { find: bySelector('main .audit-table'), where: 'Newest first. Open an entry to see what it recorded.' },
      { find: when(reviewer, navItem('Audit log')), where: 'Open Audit log in the top bar.' },
      { find: navItem('Audit log'), where: 'Open Audit log in the top bar (as Sam or Tara).' },
    ],
    missing: 'Sign in as Sam Approver or Tara Trainer; the log is in the top bar.',
  },
];
