// The API contract between the renderer and the services: every method's argument and result
// schema and every event's payload, defined once with zod. Both shells validate against it.
import { z } from 'zod';
import type { MethodName } from './method-names.ts';
import { SanitizeReport } from './sanitize-report.ts';
import { PLATFORM_IDS } from './platforms.ts';

export const ShellKind = z.enum(['electron', 'browser']);
export type ShellKind = z.infer<typeof ShellKind>;

export const AppInfo = z.object({
  name: z.literal('Airlock'),
  version: z.string(),
  shell: ShellKind,
  trainingMode: z.boolean(),
  platform: z.string(),
  startedAt: z.string(),
  /** True when this shell is a kiosk window an admin can leave with `app.exitKiosk`. */
  canExitKiosk: z.boolean(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const PolicySummary = z.object({
  source: z.enum(['file', 'built-in defaults']),
  /** Where the policy was read from; shown to IT on the home and diagnostics screens. */
  path: z.string().nullable(),
  organisation: z.string(),
  kioskName: z.string(),
  enabledPlatforms: z.array(z.string()),
  twoPersonApproval: z.boolean(),
  signedPackages: z.enum(['required', 'optional']),
  trustedKeyCount: z.number().int().nonnegative(),
  idleLockMinutes: z.number().int().positive(),
  language: z.string(),
  trainingMode: z.boolean(),
});
export type PolicySummary = z.infer<typeof PolicySummary>;

const NoArgs = z.object({}).strict();

export const Role = z.enum(['author', 'approver', 'admin']);
export const Credential = z.object({ kind: z.enum(['pin', 'passphrase']), secret: z.string().min(1).max(256) }).strict();

export const CurrentStaff = z.object({ staffId: z.string(), name: z.string(), role: Role, sessionId: z.string() });
export type CurrentStaff = z.infer<typeof CurrentStaff>;

export const StaffStatus = z.object({
  needsFirstAdmin: z.boolean(),
  current: CurrentStaff.nullable(),
  choices: z.array(z.object({ id: z.string(), name: z.string(), credentialKind: z.enum(['pin', 'passphrase']), lockedUntil: z.string().nullable() })),
  idleLockAt: z.string().nullable(),
});
export type StaffStatus = z.infer<typeof StaffStatus>;

export const StaffSummary = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  credentialKind: z.enum(['pin', 'passphrase']),
  disabled: z.boolean(),
  createdAt: z.string(),
  lockedUntil: z.string().nullable(),
});
export type StaffSummary = z.infer<typeof StaffSummary>;

export const AuditEntryView = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  actorName: z.string(),
  kind: z.string(),
  subject: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const TrainingStatus = z.object({
  enabled: z.boolean(),
  sticks: z.array(z.object({ stickId: z.string(), label: z.string(), description: z.string(), inserted: z.boolean() })),
  accounts: z.array(z.object({ platform: z.string(), name: z.string() })),
  /** Made-up staff for the demo, with their PINs, shown on the sign-in screen in training only. */
  staff: z.array(z.object({ name: z.string(), role: z.string(), pin: z.string() })),
});
export type TrainingStatus = z.infer<typeof TrainingStatus>;

export const TrainingFeedPost = z.object({
  platform: z.string(),
  account: z.string(),
  caption: z.string(),
  audience: z.string(),
  publishedAt: z.string(),
  bytes: z.number(),
});
export type TrainingFeedPost = z.infer<typeof TrainingFeedPost>;

const PlatformIdSchema = z.enum(PLATFORM_IDS);
const PostOptions = z.record(z.string().max(32), z.record(z.string().max(64), z.unknown())).refine((o) => JSON.stringify(o).length <= 16_384, 'options are too large');
const PostMediaRef = z.object({ mediaId: z.string().min(1).max(64), altText: z.string().max(2000).nullable() }).strict();
/** A platform rule's verdict: English `message` for IT and the logs, `code` and `params` for the renderer to say it in the staff's language. */
const RuleIssue = z.object({ field: z.string(), code: z.string(), message: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() });
export const PlatformCheck = z.object({
  platform: PlatformIdSchema,
  counters: z.array(z.object({ label: z.string(), used: z.number(), limit: z.number() })),
  errors: z.array(RuleIssue),
  warnings: z.array(RuleIssue),
});
export type PlatformCheck = z.infer<typeof PlatformCheck>;

export const PostState = z.enum(['draft', 'submitted', 'approved', 'scheduled', 'publishing', 'published', 'failed', 'rejected', 'cancelled']);
export type PostState = z.infer<typeof PostState>;

export const PostView = z.object({
  id: z.string(),
  state: PostState,
  version: z.number().int(),
  caption: z.string(),
  captionReport: SanitizeReport.or(z.object({ mediaKind: z.literal('caption'), findings: z.array(z.object({ kind: z.string(), text: z.string() }).passthrough()), warnings: z.array(z.object({ kind: z.string(), text: z.string() }).passthrough()) })),
  targets: z.array(PlatformIdSchema),
  options: z.record(z.string(), z.record(z.string(), z.unknown())),
  scheduleAt: z.string().nullable(),
  signed: z.boolean(),
  origin: z.string(),
  media: z.array(
    z.object({
      mediaId: z.string(),
      kind: z.enum(['image', 'video']),
      cleanSha256: z.string(),
      thumbnailSha256: z.string().nullable(),
      altText: z.string().nullable(),
      width: z.number().nullable(),
      height: z.number().nullable(),
    }),
  ),
  createdBy: z.string().nullable(),
  submittedBy: z.string().nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  approvalValid: z.boolean(),
  reviewComment: z.string().nullable(),
  editors: z.array(z.string()),
  checks: z.array(PlatformCheck),
  updatedAt: z.string(),
});
export type PostView = z.infer<typeof PostView>;

/** A post as long lists and the calendar show it: light enough to read thousands at once. */
export const PostSummary = z.object({
  id: z.string(),
  state: PostState,
  version: z.number().int(),
  /** The caption's first 300 characters. */
  caption: z.string(),
  targets: z.array(PlatformIdSchema),
  scheduleAt: z.string().nullable(),
  updatedAt: z.string(),
  createdBy: z.string().nullable(),
  submittedBy: z.string().nullable(),
  approvedBy: z.string().nullable(),
  origin: z.string(),
  mediaCount: z.number().int(),
  lead: z.object({ kind: z.enum(['image', 'video']), cleanSha256: z.string(), thumbnailSha256: z.string().nullable(), altText: z.string().nullable() }).nullable(),
});
export type PostSummary = z.infer<typeof PostSummary>;

const PostContent = z
  .object({
    caption: z.string().max(10_000),
    targets: z.array(PlatformIdSchema).max(PLATFORM_IDS.length),
    options: PostOptions.default({}),
    media: z.array(PostMediaRef).max(35),
  })
  .strict();
/** An edit names only what changes. No defaults here: a missing field must stay as it is. */
const PostChange = z
  .object({
    caption: z.string().max(10_000).optional(),
    targets: z.array(PlatformIdSchema).max(PLATFORM_IDS.length).optional(),
    options: PostOptions.optional(),
    media: z.array(PostMediaRef).max(35).optional(),
    scheduleAt: z.string().max(40).nullable().optional(),
  })
  .strict();
const PostRef = { id: z.string().min(1).max(64), version: z.number().int().min(1) };


const ErrorValue = z.object({ code: z.string(), message: z.string(), detail: z.string().optional(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() });
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const VolumeSummary = z.object({
  volumeId: z.string(),
  label: z.string(),
  path: z.string(),
  readOnly: z.boolean(),
});
export type VolumeSummary = z.infer<typeof VolumeSummary>;

export const PackageCheck = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('package'),
    status: z.enum(['trusted', 'unsigned']),
    packageId: z.string(),
    author: z.string(),
    createdAt: z.string(),
    posts: z.number().int(),
    signer: z.string().nullable(),
    alreadyImportedAt: z.string().nullable(),
  }),
  z.object({ kind: z.literal('loose') }),
  z.object({ kind: z.literal('refused'), error: ErrorValue }),
]);
export type PackageCheck = z.infer<typeof PackageCheck>;

export const ScanView = z.object({
  volumeId: z.string(),
  accepted: z.array(z.object({ path: z.string(), kind: z.string(), bytes: z.number() })),
  rejected: z.array(z.object({ path: z.string(), reason: z.string(), code: z.string(), skipped: z.boolean(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() })),
  totals: z.object({ accepted: z.number(), acceptedBytes: z.number(), rejected: z.number(), skipped: z.number() }),
  truncated: z.string().nullable(),
  package: PackageCheck,
});
export type ScanView = z.infer<typeof ScanView>;

export const ImportProgress = z.object({
  sessionId: z.string(),
  phase: z.enum(['copying', 'sanitising', 'committing', 'done']),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  itemsDone: z.number(),
  itemsTotal: z.number(),
  etaSeconds: z.number().nullable(),
  currentPath: z.string().nullable(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

export const LibraryItem = z.object({
  id: z.string(),
  kind: z.enum(['image', 'video']),
  format: z.string(),
  originalName: z.string(),
  cleanSha256: Sha256,
  thumbnailSha256: Sha256.nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  bytes: z.number(),
  createdAt: z.string(),
  report: SanitizeReport,
});
export type LibraryItem = z.infer<typeof LibraryItem>;

/** The languages the screens are written in. */
export const UiLanguage = z.enum(['en', 'et']);
export type UiLanguage = z.infer<typeof UiLanguage>;

/** UI preferences (not workflow data): the signed-in person's, or the sign-in screen's. */
export const UiPrefs = z.object({
  language: UiLanguage,
  /** True when the policy sets the language and nobody may change it. */
  languageFixed: z.boolean(),
  queueView: z.enum(['list', 'week', 'month']).nullable(),
  lastImportFolder: z.string().nullable(),
});
export type UiPrefs = z.infer<typeof UiPrefs>;

/** The only preferences that can be saved, each with its own values. */
export const PrefChange = z.discriminatedUnion('key', [
  z.object({ key: z.literal('language'), value: UiLanguage }).strict(),
  z.object({ key: z.literal('queueView'), value: z.enum(['list', 'week', 'month']) }).strict(),
  z.object({ key: z.literal('lastImportFolder'), value: z.string().min(1).max(1024) }).strict(),
]);
export type PrefChange = z.infer<typeof PrefChange>;

export const AccountHealth = z.object({
  platform: z.string(),
  accountId: z.string(),
  displayName: z.string(),
  apiBase: z.string(),
  simulated: z.boolean(),
  connectedAt: z.string(),
  connectedBy: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  scopes: z.array(z.string()),
  accessExpiresAt: z.string().nullable(),
  refreshExpiresAt: z.string().nullable(),
  status: z.enum(['healthy', 'expiring', 'expired', 'needs-reconnect']),
  statusReason: z.string(),
});
export type AccountHealth = z.infer<typeof AccountHealth>;

export const ConnectablePlatform = z.object({
  platform: z.string(),
  label: z.string(),
  method: z.enum(['oauth', 'app-password', 'not-available']),
  needsInstance: z.boolean(),
  appCredentials: z.boolean().nullable(),
  defaultService: z.string().nullable(),
  /** false when Disconnect only removes the sign-in from the kiosk: Airlock does not ask the platform to end it. */
  endsSignIn: z.boolean(),
});
export type ConnectablePlatform = z.infer<typeof ConnectablePlatform>;

/** The TikTok account a post would go to, as creator_info describes it (platform-apis.md §1.2). */
export const TikTokCreatorInfo = z.object({
  accountId: z.string(),
  accountName: z.string(),
  nickname: z.string().nullable(),
  username: z.string().nullable(),
  privacyLevels: z.array(z.string()),
  commentDisabled: z.boolean(),
  duetDisabled: z.boolean(),
  stitchDisabled: z.boolean(),
  maxVideoSeconds: z.number().nullable(),
  canPost: z.boolean(),
  cannotPost: z.object({ code: z.string(), message: z.string(), detail: z.string() }).nullable(),
  appAudited: z.boolean().nullable(),
  checkedAt: z.string(),
});
export type TikTokCreatorInfo = z.infer<typeof TikTokCreatorInfo>;

const ConnectStarted = z.object({ flowId: z.string(), authorizeUrl: z.string(), opensIn: z.enum(['shell', 'renderer']), expiresAt: z.string() });
const AccountRef = { platform: z.enum(PLATFORM_IDS), accountId: z.string().min(1).max(128) };

export const contract = {
  'app.info': { args: NoArgs, result: AppInfo },
  'app.ping': {
    args: z.object({ nonce: z.string().min(1).max(64) }).strict(),
    result: z.object({ nonce: z.string(), at: z.string() }),
  },
  /** An admin leaves the kiosk: their own passphrase or PIN again, checked with the sign-in lockout. */
  'app.exitKiosk': { args: z.object({ secret: z.string().min(1).max(256) }).strict(), result: z.object({ exiting: z.literal(true) }) },
  'policy.summary': { args: NoArgs, result: PolicySummary },
  'media.volumes': {
    args: NoArgs,
    result: z.object({ volumes: z.array(VolumeSummary), problem: ErrorValue.nullable() }),
  },
  'import.scan': { args: z.object({ volumeId: z.string().min(1).max(64) }).strict(), result: ScanView },
  'import.start': {
    args: z.object({ volumeId: z.string().min(1).max(64), allowReplay: z.boolean().default(false) }).strict(),
    result: z.object({ sessionId: z.string() }),
  },
  'media.eject': { args: z.object({ volumeId: z.string().min(1).max(64) }).strict(), result: z.object({ ejected: z.literal(true) }) },
  'audit.list': {
    args: z
      .object({
        actor: z.string().max(64).optional(),
        subject: z.string().max(128).optional(),
        kind: z.string().max(64).optional(),
        from: z.string().max(40).optional(),
        to: z.string().max(40).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    result: z.object({ total: z.number().int(), entries: z.array(AuditEntryView) }),
  },
  'audit.verify': {
    args: NoArgs,
    result: z.object({ ok: z.boolean(), entries: z.number().int(), firstBroken: z.number().int().nullable(), reason: z.string().nullable() }),
  },
  'admin.policy': {
    args: NoArgs,
    result: z.object({
      source: z.enum(['file', 'built-in defaults']),
      path: z.string().nullable(),
      /** Each effective setting, and whether the policy file set it or it is Airlock's default. */
      settings: z.array(z.object({ path: z.string(), value: z.unknown(), from: z.enum(['policy file', 'default', 'training mode']) })),
    }),
  },
  'diagnostics.network': {
    args: NoArgs,
    result: z.object({
      allowedHosts: z.array(z.string()),
      /** Private ranges the policy opened (CIDR). */
      privateRanges: z.array(z.string()),
      /** The fixed proxy from the policy, or null for direct connections. */
      proxy: z.string().nullable(),
      loopbackAllowed: z.boolean(),
      refusals: z.array(
        z.object({ seq: z.number(), at: z.string(), host: z.string(), port: z.number().nullable(), address: z.string().optional(), requester: z.string(), code: z.string(), reason: z.string(), detail: z.string().optional() }),
      ),
    }),
  },
  'training.status': { args: NoArgs, result: TrainingStatus },
  'training.insertStick': { args: z.object({ stickId: z.string().min(1).max(64) }).strict(), result: z.object({ volumeId: z.string() }) },
  'training.removeStick': { args: z.object({ stickId: z.string().min(1).max(64) }).strict(), result: z.object({ removed: z.literal(true) }) },
  'training.feed': { args: NoArgs, result: z.object({ posts: z.array(TrainingFeedPost) }) },
  'training.reset': { args: NoArgs, result: z.object({ reset: z.literal(true) }) },
  'staff.status': { args: NoArgs, result: StaffStatus },
  'staff.createFirstAdmin': { args: z.object({ name: z.string().min(1).max(80), credential: Credential }).strict(), result: CurrentStaff },
  'staff.signIn': { args: z.object({ staffId: z.string().min(1).max(64), secret: z.string().min(1).max(256) }).strict(), result: CurrentStaff },
  'staff.signOut': { args: NoArgs, result: z.object({ signedOut: z.literal(true) }) },
  'staff.touch': { args: NoArgs, result: z.object({ active: z.boolean() }) },
  'staff.list': { args: NoArgs, result: z.array(StaffSummary) },
  'staff.create': { args: z.object({ name: z.string().min(1).max(80), role: Role, credential: Credential }).strict(), result: StaffSummary },
  'staff.setDisabled': { args: z.object({ staffId: z.string().min(1).max(64), disabled: z.boolean() }).strict(), result: StaffSummary },
  'staff.resetCredential': { args: z.object({ staffId: z.string().min(1).max(64), credential: Credential }).strict(), result: StaffSummary },
  'posts.list': {
    args: z.object({ states: z.array(PostState).max(9).nullable().default(null), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    result: z.object({ total: z.number().int(), posts: z.array(PostView) }),
  },
  'posts.get': { args: z.object({ id: PostRef.id }).strict(), result: PostView },
  'posts.check': { args: PostContent, result: z.array(PlatformCheck) },
  'posts.create': { args: PostContent.extend({ scheduleAt: z.string().max(40).nullable().default(null) }), result: PostView },
  'posts.edit': { args: z.object({ ...PostRef, change: PostChange }).strict(), result: PostView },
  'posts.submit': { args: z.object(PostRef).strict(), result: PostView },
  'posts.approve': { args: z.object(PostRef).strict(), result: PostView },
  'posts.reject': { args: z.object({ ...PostRef, comment: z.string().min(1).max(2000) }).strict(), result: PostView },
  'posts.schedule': { args: z.object({ ...PostRef, at: z.union([z.literal('now'), z.string().max(40)]) }).strict(), result: PostView },
  'posts.cancel': { args: z.object(PostRef).strict(), result: PostView },
  /** The queue in windows: one filter's posts from `offset`, and how many posts are in each state. */
  'posts.summaries': {
    args: z.object({ states: z.array(PostState).max(9).nullable().default(null), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    result: z.object({ total: z.number().int(), counts: z.record(z.string(), z.number().int()), items: z.array(PostSummary) }),
  },
  /** Scheduled, publishing, published and failed posts with a time in [from, to), for the calendar. */
  'posts.calendar': {
    args: z.object({ from: z.string().max(40), to: z.string().max(40) }).strict(),
    result: z.object({ items: z.array(PostSummary), truncated: z.boolean() }),
  },
  /** Moves a scheduled post to another time in the future; its approval still covers it. */
  'posts.reschedule': { args: z.object({ ...PostRef, at: z.string().max(40) }).strict(), result: PostView },
  /** Swaps the times of two scheduled posts in one step (moving a post up or down the queue). */
  'posts.swapSlots': {
    args: z.object({ first: z.object(PostRef).strict(), second: z.object(PostRef).strict() }).strict(),
    result: z.object({ first: PostView, second: PostView }),
  },
  'prefs.get': { args: NoArgs, result: UiPrefs },
  'prefs.set': { args: PrefChange, result: UiPrefs },
  'library.list': {
    args: z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    result: z.object({ total: z.number().int(), items: z.array(LibraryItem) }),
  },
  'accounts.list': {
    args: NoArgs,
    result: z.object({ accounts: z.array(AccountHealth), platforms: z.array(ConnectablePlatform), keychain: z.object({ available: z.boolean(), message: z.string().nullable() }) }),
  },
  'accounts.beginConnect': { args: z.object({ platform: z.enum(PLATFORM_IDS), instance: z.string().max(300).optional() }).strict(), result: ConnectStarted },
  'accounts.finishConnect': { args: z.object({ flowId: z.string().min(1).max(64) }).strict(), result: AccountHealth },
  'accounts.cancelConnect': { args: z.object({ flowId: z.string().min(1).max(64) }).strict(), result: z.object({ cancelled: z.literal(true) }) },
  'accounts.connectAppPassword': {
    args: z.object({ platform: z.enum(PLATFORM_IDS), identifier: z.string().min(1).max(300), appPassword: z.string().min(1).max(256), service: z.string().max(300).optional() }).strict(),
    result: AccountHealth,
  },
  'accounts.reconnect': { args: z.object(AccountRef).strict(), result: ConnectStarted },
  'accounts.disconnect': {
    args: z.object(AccountRef).strict(),
    result: z.object({ removed: z.literal(true), revoked: z.boolean(), problem: z.object({ message: z.string(), detail: z.string() }).nullable() }),
  },
  'accounts.tiktokCreatorInfo': { args: NoArgs, result: TikTokCreatorInfo },
} as const satisfies Record<MethodName, { args: z.ZodType; result: z.ZodType }>;

export type Contract = typeof contract;
export type MethodArgs<M extends MethodName> = z.input<Contract[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<Contract[M]['result']>;

export const eventContract = {
  /** Answers `app.ping` on the event stream, proving the stream works end to end. */
  'app.pinged': z.object({ nonce: z.string(), at: z.string() }),
  'media.inserted': z.object({ volumeId: z.string(), label: z.string(), path: z.string() }),
  'media.removed': z.object({ volumeId: z.string() }),
  'import.progress': ImportProgress,
  /** Sign-in state changed (signed in, out, locked for inactivity) or accounts changed. */
  'staff.changed': z.object({ kind: z.enum(['session.started', 'session.ended', 'session.locked', 'accounts.changed']) }),
  'posts.changed': z.object({ postId: z.string(), kind: z.string(), state: PostState }),
  /** Training mode was reset: screens reload from a clean state. */
  'training.reset': z.object({ at: z.string() }),
  'publish.progress': z.object({ postId: z.string(), platform: z.string(), phase: z.string(), bytesDone: z.number(), bytesTotal: z.number() }),
  'publish.result': z.object({
    postId: z.string(),
    platform: z.string(),
    ok: z.boolean(),
    url: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string(), detail: z.string().optional() }).nullable(),
    /** True when the platform could not be reached and the upload will be tried again. */
    waiting: z.boolean(),
  }),
  'import.finished': z.object({
    sessionId: z.string(),
    ok: z.boolean(),
    error: ErrorValue.nullable(),
    imported: z.number().int(),
    posts: z.number().int(),
    rejected: z.number().int(),
    /** null when the policy does not clear sticks; false when clearing was not possible. */
    stickCleared: z.boolean().nullable(),
    warnings: z.array(z.string()),
    /** The same warnings with their codes, so the screen can say them in the staff's language. */
    warningErrors: z.array(ErrorValue).optional(),
  }),
} as const;

export type EventName = keyof typeof eventContract;
export type EventPayload<E extends EventName> = z.infer<(typeof eventContract)[E]>;
export type AirlockEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
