// How much of a stick the scanner is willing to look at. Every limit exists so that a hostile
// stick (millions of files, folders nested to the sky, a "photo" of 60 GB) costs the kiosk a
// bounded amount of time and memory. The policy passes its own values; these are the defaults.

export type MediaKind = 'image' | 'video' | 'text' | 'manifest' | 'signature';

export const MEDIA_KINDS: readonly MediaKind[] = ['image', 'video', 'text', 'manifest', 'signature'];

export interface ScanLimits {
  /** Folders deeper than this below the stick's root are reported and not entered. */
  maxDepth: number;
  /** Files considered for import (hidden/system files excluded). The scan stops after this many. */
  maxFiles: number;
  /**
   * Every name read from a folder, skipped ones and folders included. Exists so that a stick
   * full of hidden junk or empty folders cannot make the kiosk enumerate millions of names.
   */
  maxEntries: number;
  /** Sum of the sizes of everything accepted. The scan stops before going over it. */
  maxTotalBytes: number;
  /** Largest single file per kind. */
  maxBytes: Record<MediaKind, number>;
}

export interface ScanLimitsInput {
  maxDepth?: number;
  maxFiles?: number;
  maxEntries?: number;
  maxTotalBytes?: number;
  maxBytes?: Partial<Record<MediaKind, number>>;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxDepth: 8,
  maxFiles: 2000,
  maxEntries: 20_000,
  maxTotalBytes: 8 * GiB,
  maxBytes: Object.freeze({
    image: 50 * MiB,
    video: 4 * GiB,
    text: 1 * MiB,
    manifest: 4 * MiB,
    signature: 64 * KiB,
  }),
});

/**
 * Fills gaps from the defaults and refuses nonsense (negative, NaN, fractional) so that a
 * typo in a policy file cannot silently switch a limit off.
 */
export function resolveScanLimits(input: ScanLimitsInput = {}): ScanLimits {
  const pick = (name: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`scan limit ${name} must be a non-negative safe integer, got ${String(value)}`);
    }
    return value;
  };
  const maxBytes = {} as Record<MediaKind, number>;
  for (const kind of MEDIA_KINDS) {
    maxBytes[kind] = pick(`maxBytes.${kind}`, input.maxBytes?.[kind], DEFAULT_SCAN_LIMITS.maxBytes[kind]);
  }
  return {
    maxDepth: pick('maxDepth', input.maxDepth, DEFAULT_SCAN_LIMITS.maxDepth),
    maxFiles: pick('maxFiles', input.maxFiles, DEFAULT_SCAN_LIMITS.maxFiles),
    maxEntries: pick('maxEntries', input.maxEntries, DEFAULT_SCAN_LIMITS.maxEntries),
    maxTotalBytes: pick('maxTotalBytes', input.maxTotalBytes, DEFAULT_SCAN_LIMITS.maxTotalBytes),
    maxBytes,
  };
}

/**
 * "5.2 GB", "800 KB". Binary multiples with the familiar labels (as Windows Explorer shows them),
 * so the default limits read as the round numbers the policy was written with.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = value >= 100 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, '');
  return `${rounded} ${units[unit]}`;
}
