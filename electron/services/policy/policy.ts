// The managed policy: the file IT drops on a kiosk to decide what it may do. It is read once at
// start, validated strictly, and a broken file stops Airlock rather than being half-applied.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AirlockError } from '../../../common/errors.ts';
import type { PolicySummary } from '../../../common/contract.ts';
import { PLATFORM_IDS } from '../../../common/platforms.ts';
import { allowListEntryProblem } from '../egress/egress-policy.ts';
import { privateRangeProblem } from '../egress/private-ranges.ts';
import { POLICY_MEDIA_TYPES, type PolicyMediaType } from '../ingest/scan.ts';
import { parsePublicKey } from '../package/keys.ts';


const MAX_POLICY_BYTES = 256 * 1024;

function isPublicKey(text: string): boolean {
  try {
    parsePublicKey(text);
    return true;
  } catch {
    return false;
  }
}

export const PolicySchema = z
  .object({
    $schema: z.string().optional(),
    policyVersion: z.literal(1),
    organisation: z.string().min(1).max(200).default('Unnamed organisation'),
    kioskName: z.string().min(1).max(200).default('Airlock kiosk'),
    platforms: z.array(z.enum(PLATFORM_IDS)).max(PLATFORM_IDS.length).default(['tiktok']),
    /**
     * Per platform, the only accounts that may be connected (handles such as "@harbourcity", or
     * the platform's account id). A platform not listed here takes any account an admin connects.
     */
    accounts: z.partialRecord(z.enum(PLATFORM_IDS), z.array(z.string().min(1).max(200)).min(1).max(20)).default({}),
    approval: z
      .object({ twoPerson: z.boolean().default(true) })
      .strict()
      .default({ twoPerson: true }),
    packages: z
      .object({
        signatures: z.enum(['required', 'optional']).default('required'),
        trustedKeys: z
          .array(
            z
              .string()
              .min(1)
              .max(512)
              .refine((text) => isPublicKey(text), 'is not an Airlock public key (expected "airlock-ed25519 <base64>" as printed by airlock keygen)'),
          )
          .max(64)
          .default([]),
      })
      .strict()
      .default({ signatures: 'required', trustedKeys: [] }),
    media: z
      .object({
        roots: z.array(z.string().min(1).max(1024)).max(16).default([]),
        /** What one stick may hold; anything beyond is refused with a reason (defaults in ingest/limits.ts). */
        limits: z
          .object({
            maxDepth: z.number().int().min(1).max(32).optional(),
            maxFiles: z.number().int().min(1).max(100_000).optional(),
            maxTotalBytes: z.number().int().min(1).optional(),
            maxBytes: z
              .object({ image: z.number().int().min(1).optional(), video: z.number().int().min(1).optional(), text: z.number().int().min(1).optional() })
              .strict()
              .optional(),
          })
          .strict()
          .default({}),
        /** What may come in at all; anything else on a stick is refused with the reason. */
        allowedTypes: z
          .array(z.enum(Object.keys(POLICY_MEDIA_TYPES) as [PolicyMediaType, ...PolicyMediaType[]]))
          .min(1)
          .refine((types) => new Set(types).size === types.length, 'lists a type twice')
          .default([...(Object.keys(POLICY_MEDIA_TYPES) as PolicyMediaType[])]),
        /** Re-encode videos with the system's ffmpeg to one known-safe H.264/AAC profile after the metadata strip. */
        transcodeVideo: z.boolean().default(false),
        /** "Use once" sticks: after an import, clear what was imported and leave a signed receipt. */
        consume: z.boolean().default(false),
      })
      .strict()
      .default({ roots: [], limits: {}, allowedTypes: [...(Object.keys(POLICY_MEDIA_TYPES) as PolicyMediaType[])], transcodeVideo: false, consume: false }),
    /**
     * TikTok: 'direct' publishes each post (a post may still be sent to the inbox instead);
     * 'inbox' sends every video to the account's TikTok inbox, where its owner finishes it in the app.
     */
    tiktok: z
      .object({ postMode: z.enum(['direct', 'inbox']).default('direct') })
      .strict()
      .default({ postMode: 'direct' }),
    idleLockMinutes: z.number().int().min(1).max(240).default(5),
    /** Full-screen kiosk with shortcuts filtered; on unless IT turns it off. */
    kioskMode: z.boolean().default(true),
    /**
     * What the kiosk may reach besides the enabled platforms' own hosts: extra host names (e.g. a
     * self-hosted Mastodon or Bluesky server; `*.example.org` for exactly one more label) and
     * private ranges where such a host lives. Link-local, metadata and loopback can never be opened.
     */
    network: z
      .object({
        extraHosts: z
          .array(z.string().min(1).max(253).superRefine((v, ctx) => {
            const problem = allowListEntryProblem(v);
            if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
          }))
          .max(64)
          .default([]),
        allowedPrivateRanges: z
          .array(z.string().min(1).max(64).superRefine((v, ctx) => {
            const problem = privateRangeProblem(v);
            if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
          }))
          .max(32)
          .default([]),
      })
      .strict()
      .default({ extraHosts: [], allowedPrivateRanges: [] }),
    /**
     * How the kiosk reaches the platforms: directly, or through one fixed HTTP proxy that tunnels
     * with CONNECT (never auto-detected). Both Airlock's windows and its services use it.
     */
    proxy: z
      .discriminatedUnion('mode', [
        z.object({ mode: z.literal('direct') }).strict(),
        z
          .object({
            mode: z.literal('fixed'),
            server: z
              .string()
              .max(300)
              .regex(
                /^(?:http:\/\/)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?:(\d{1,5})$/i,
                'must be host:port of an HTTP proxy, optionally starting with http:// (no user name or password)',
              )
              .refine((v) => {
                const port = Number(v.slice(v.lastIndexOf(':') + 1));
                return port >= 1 && port <= 65535;
              }, 'port must be 1 to 65535'),
          })
          .strict(),
      ])
      .default({ mode: 'direct' }),
    language: z.enum(['en', 'et']).default('en'),
    trainingMode: z.boolean().default(false),
  })
  .strict();

export type Policy = z.infer<typeof PolicySchema>;

export interface LoadedPolicy {
  policy: Policy;
  source: 'file' | 'built-in defaults';
  path: string | null;
  /** JSON paths of the settings the file itself gave; everything else is Airlock's default. */
  explicit?: string[];
}

/** Every leaf setting a policy file spells out, as JSON paths like `$.approval.twoPerson`. */
export function explicitSettings(json: unknown, at = '$'): string[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return [at];
  return Object.entries(json as Record<string, unknown>).flatMap(([k, v]) => (k === '$schema' ? [] : explicitSettings(v, `${at}.${k}`)));
}

/** Where IT puts the policy on each operating system. */
export function defaultPolicyPath(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return path.win32.join(process.env.ProgramData ?? 'C:\\ProgramData', 'Airlock', 'policy.json');
  if (platform === 'darwin') return '/Library/Application Support/Airlock/policy.json';
  return '/etc/airlock/policy.json';
}

export function builtInPolicy(): Policy {
  return PolicySchema.parse({ policyVersion: 1 });
}

export interface PolicyProblem {
  /** JSON path of the setting, e.g. `$.packages.trustedKeys[0]`. */
  path: string;
  message: string;
}

function jsonPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : `${out}.${String(seg)}`), '$');
}

/** Every problem with a policy text, each with the JSON path it concerns; empty when valid. */
export function policyProblems(text: string): PolicyProblem[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return [{ path: '$', message: `not valid JSON (${(err as Error).message})` }];
  }
  const parsed = PolicySchema.safeParse(json);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => ({
    path: jsonPath(i.code === 'unrecognized_keys' ? [...i.path, ...(i.keys.length === 1 ? [i.keys[0]!] : [])] : i.path),
    message: i.code === 'unrecognized_keys' ? `unknown setting${i.keys.length === 1 ? '' : 's'} ${i.keys.map((k) => JSON.stringify(k)).join(', ')}: a typo here could silently weaken the policy` : i.message,
  }));
}

export function parsePolicy(text: string, origin: string): Policy {
  const problems = policyProblems(text);
  if (problems.length > 0) {
    const malformed = problems.length === 1 && problems[0]!.message.startsWith('not valid JSON');
    throw new AirlockError(
      malformed ? 'policy.malformed' : 'policy.invalid',
      malformed
        ? 'The kiosk policy file is damaged, so Airlock will not start. Ask IT to check it.'
        : 'The kiosk policy file has settings Airlock does not accept, so Airlock will not start. Ask IT to check it.',
      `${origin}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  }
  return PolicySchema.parse(JSON.parse(text));
}

/**
 * Reads the policy at `file`. A missing file means built-in defaults (an unmanaged laptop or
 * a trainer's demo); an unreadable, oversized or invalid one is an error, never ignored.
 */
export async function loadPolicy(file: string): Promise<LoadedPolicy> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { policy: builtInPolicy(), source: 'built-in defaults', path: null };
    throw new AirlockError(
      'policy.unreadable',
      'The kiosk policy file could not be read, so Airlock will not start. Ask IT to check it.',
      `${file}: ${(err as Error).message}`,
    );
  }
  if (bytes.length > MAX_POLICY_BYTES) {
    throw new AirlockError(
      'policy.too-large',
      'The kiosk policy file is far larger than any real policy, so Airlock will not start. Ask IT to check it.',
      `${file}: ${bytes.length} bytes (limit ${MAX_POLICY_BYTES})`,
    );
  }
  const text = bytes.toString('utf8');
  return { policy: parsePolicy(text, file), source: 'file', path: file, explicit: explicitSettings(JSON.parse(text)) };
}

export function summarisePolicy(loaded: LoadedPolicy): PolicySummary {
  const { policy } = loaded;
  return {
    source: loaded.source,
    path: loaded.path,
    organisation: policy.organisation,
    kioskName: policy.kioskName,
    enabledPlatforms: [...policy.platforms],
    twoPersonApproval: policy.approval.twoPerson,
    signedPackages: policy.packages.signatures,
    trustedKeyCount: policy.packages.trustedKeys.length,
    idleLockMinutes: policy.idleLockMinutes,
    language: policy.language,
    trainingMode: policy.trainingMode,
  };
}
