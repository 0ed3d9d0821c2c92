// The API contract between the renderer and the services: every method's argument and result
// schema and every event's payload, defined once with zod. Both shells validate against it.
import { z } from 'zod';
import type { MethodName } from './method-names.ts';

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

export const contract = {
  'app.info': { args: NoArgs, result: AppInfo },
  'app.ping': {
    args: z.object({ nonce: z.string().min(1).max(64) }).strict(),
    result: z.object({ nonce: z.string(), at: z.string() }),
  },
  'policy.summary': { args: NoArgs, result: PolicySummary },
} as const satisfies Record<MethodName, { args: z.ZodType; result: z.ZodType }>;

export type Contract = typeof contract;
export type MethodArgs<M extends MethodName> = z.input<Contract[M]['args']>;
export type MethodResult<M extends MethodName> = z.output<Contract[M]['result']>;

export const eventContract = {
  /** Answers `app.ping` on the event stream, proving the stream works end to end. */
  'app.pinged': z.object({ nonce: z.string(), at: z.string() }),
  'media.inserted': z.object({ volumeId: z.string(), label: z.string(), path: z.string() }),
  'media.removed': z.object({ volumeId: z.string() }),
} as const;

export type EventName = keyof typeof eventContract;
export type EventPayload<E extends EventName> = z.infer<(typeof eventContract)[E]>;
export type AirlockEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
