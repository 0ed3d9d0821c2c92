// The API contract between the renderer and the services: every method's argument and result
// schema and every event's payload, defined once with zod. Both shells validate against it.
import { z } from 'zod';
import type { MethodName } from './method-names.ts';
import { SanitizeReport } from './sanitize-report.ts';

export const ShellKind = z.enum(['electron', 'browser']);
export type ShellKind = z.infer<typeof ShellKind>;

export const AppInfo = z.object({
  name: z.literal('Airlock'),
  version: z.string(),
  shell: ShellKind,
  trainingMode: z.boolean(),
  platform: z.string(),
  startedAt: z.string(),
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

const ErrorValue = z.object({ code: z.string(), message: z.string(), detail: z.string().optional() });
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
  rejected: z.array(z.object({ path: z.string(), reason: z.string(), code: z.string(), skipped: z.boolean() })),
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

export const contract = {
  'app.info': { args: NoArgs, result: AppInfo },
  'app.ping': {
    args: z.object({ nonce: z.string().min(1).max(64) }).strict(),
    result: z.object({ nonce: z.string(), at: z.string() }),
  },
  'policy.summary': { args: NoArgs, result: PolicySummary },
  'media.volumes': {
    args: NoArgs,
    result: z.object({ volumes: z.array(VolumeSummary), problem: ErrorValue.nullable() }),
  },
  'import.scan': { args: z.object({ volumeId: z.string().min(1).max(64) }).strict(), result: ScanView },
  'import.start': { args: z.object({ volumeId: z.string().min(1).max(64) }).strict(), result: z.object({ sessionId: z.string() }) },
  'media.eject': { args: z.object({ volumeId: z.string().min(1).max(64) }).strict(), result: z.object({ ejected: z.literal(true) }) },
  'library.list': {
    args: z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    result: z.object({ total: z.number().int(), items: z.array(LibraryItem) }),
  },
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
  'import.finished': z.object({
    sessionId: z.string(),
    ok: z.boolean(),
    error: ErrorValue.nullable(),
    imported: z.number().int(),
    posts: z.number().int(),
    rejected: z.number().int(),
  }),
} as const;

export type EventName = keyof typeof eventContract;
export type EventPayload<E extends EventName> = z.infer<(typeof eventContract)[E]>;
export type AirlockEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
