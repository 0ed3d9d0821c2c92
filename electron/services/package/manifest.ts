// What a content package says about itself: the manifest schema, the limits that keep a
// hostile stick from exhausting the kiosk, and the rules that keep every listed path inside
// the package folder on any file system the stick might use (FAT, exFAT, NTFS, APFS, ext4).

import { PLATFORM_IDS, type PlatformId } from '../../../common/platforms.ts';
import { z } from 'zod';
import { AirlockError } from '../../../common/errors.ts';
import { canonicalJson } from './canonical-json.ts';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const PACKAGE_FORMAT_VERSION = 1;

/** Posts in a package may target any platform Airlock knows; the policy decides which are enabled. */
export const PACKAGE_TARGETS = PLATFORM_IDS;
export type PackageTarget = PlatformId;

export const PACKAGE_LIMITS = {
  /** manifest.json is refused above this size before a single byte is parsed. */
  manifestBytes: 1024 * 1024,
  posts: 500,
  files: 2000,
  mediaPerPost: 35,
  /** Longer than any platform accepts today (YouTube descriptions: 5,000). */
  captionChars: 10_000,
  altChars: 2_000,
  authorChars: 200,
  /** Kept well under Windows' 260-character path limit so the kiosk's store path still fits. */
  pathChars: 240,
  segmentChars: 120,
  pathSegments: 8,
} as const;

const FORBIDDEN_PATH_CHARS = /[\\<>:"|?*]/;
// Control, format (zero-width, bidi overrides), lone surrogates and line/paragraph separators:
// none belongs in a file name, and several exist only to make a name look like another.
const INVISIBLE_CHARS = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const UNPRINTABLE = new RegExp(INVISIBLE_CHARS.source, 'gu');
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const RESERVED_NAMES = new Set([MANIFEST_FILE, SIGNATURE_FILE]);

/**
 * Why `candidate` is not an acceptable path inside a package, or null when it is.
 * Paths are relative, forward-slash separated, NFC, and can be created the same way on
 * every file system a stick may carry, so what is checked is what gets opened.
 */
export function packagePathProblem(candidate: string): string | null {
  if (candidate.length === 0) return 'the file path is empty';
  if (candidate.length > PACKAGE_LIMITS.pathChars) return `the file path is longer than ${PACKAGE_LIMITS.pathChars} characters`;
  if (INVISIBLE_CHARS.test(candidate)) return 'the file path contains invisible or control characters';
  if (candidate.startsWith('/')) return 'the file path is absolute; it must be relative to the package folder';
  if (candidate.includes('\\')) return 'the file path uses a backslash; use forward slashes';
  if (FORBIDDEN_PATH_CHARS.test(candidate)) return 'the file path contains a character that is not allowed (< > : " | ? *)';
  if (candidate !== candidate.normalize('NFC')) return 'the file path is not in Unicode normal form C';
  const segments = candidate.split('/');
  if (segments.length > PACKAGE_LIMITS.pathSegments) return `the file path is nested more than ${PACKAGE_LIMITS.pathSegments} folders deep`;
  for (const segment of segments) {
    if (segment === '') return 'the file path has an empty folder name (// or a trailing /)';
    if (segment === '..') return 'the file path points outside the package folder (..)';
    if (segment === '.') return 'the file path contains a "." folder';
    if (segment.startsWith('.')) return 'the file path names a hidden file or folder (starting with ".")';
    if (segment.endsWith(' ') || segment.endsWith('.')) return 'a file or folder name ends with a space or a dot';
    if (segment.length > PACKAGE_LIMITS.segmentChars) return `a file or folder name is longer than ${PACKAGE_LIMITS.segmentChars} characters`;
    if (WINDOWS_DEVICE_NAME.test(segment)) return `"${segment}" is a reserved device name on Windows`;
  }
  if (RESERVED_NAMES.has(candidate.toLowerCase())) return `"${candidate}" is reserved for the package itself`;
  return null;
}

const PackagePathSchema = z.string().superRefine((value, ctx) => {
  const problem = packagePathProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hexadecimal characters');
const DateTimeSchema = z.iso.datetime({ offset: true });

const MediaRefSchema = z.strictObject({
  path: PackagePathSchema,
  alt: z.string().max(PACKAGE_LIMITS.altChars).optional(),
});

const PostSchema = z
  .strictObject({
    caption: z.string().max(PACKAGE_LIMITS.captionChars),
    targets: z.array(z.enum(PACKAGE_TARGETS)).min(1).max(PACKAGE_TARGETS.length),
    scheduleAt: DateTimeSchema.optional(),
    media: z.array(MediaRefSchema).max(PACKAGE_LIMITS.mediaPerPost),
  })
  .superRefine((post, ctx) => {
    if (post.caption.trim() === '' && post.media.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'a post needs a caption or at least one media file' });
    }
    if (new Set(post.targets).size !== post.targets.length) {
      ctx.addIssue({ code: 'custom', path: ['targets'], message: 'a platform is listed twice' });
    }
    const seen = new Set<string>();
    post.media.forEach((ref, index) => {
      if (seen.has(ref.path)) ctx.addIssue({ code: 'custom', path: ['media', index, 'path'], message: `"${ref.path}" is used twice in the same post` });
      seen.add(ref.path);
    });
  });

const FileEntrySchema = z.strictObject({
  path: PackagePathSchema,
  size: z.number().int().nonnegative(),
  sha256: Sha256HexSchema,
});

export const PackageManifestSchema = z
  .strictObject({
    formatVersion: z.literal(PACKAGE_FORMAT_VERSION),
    packageId: z.uuid(),
    createdAt: DateTimeSchema,
    author: z
      .string()
      .min(1)
      .max(PACKAGE_LIMITS.authorChars)
      .refine((value) => !INVISIBLE_CHARS.test(value), 'the author must be one line without control characters'),
    posts: z.array(PostSchema).min(1).max(PACKAGE_LIMITS.posts),
    files: z.array(FileEntrySchema).max(PACKAGE_LIMITS.files),
  })
  .superRefine((manifest, ctx) => {
    // Case-folded because FAT, exFAT, NTFS and APFS treat a.jpg and A.JPG as one file: two
    // entries that land on the same file could otherwise carry two different checksums.
    const fileKeys = new Set<string>();
    manifest.files.forEach((file, index) => {
      const key = file.path.toLowerCase();
      if (fileKeys.has(key)) ctx.addIssue({ code: 'custom', path: ['files', index, 'path'], message: `"${file.path}" is listed more than once` });
      fileKeys.add(key);
    });
    manifest.files.forEach((file, index) => {
      const segments = file.path.toLowerCase().split('/');
      for (let depth = 1; depth < segments.length; depth += 1) {
        if (fileKeys.has(segments.slice(0, depth).join('/'))) {
          ctx.addIssue({ code: 'custom', path: ['files', index, 'path'], message: `"${file.path}" sits inside something listed as a file` });
          break;
        }
      }
    });
    const listed = new Set(manifest.files.map((file) => file.path));
    manifest.posts.forEach((post, postIndex) => {
      post.media.forEach((ref, refIndex) => {
        if (!listed.has(ref.path)) {
          ctx.addIssue({ code: 'custom', path: ['posts', postIndex, 'media', refIndex, 'path'], message: `"${ref.path}" is not in the list of files` });
        }
      });
    });
  });

export type PackageManifest = z.infer<typeof PackageManifestSchema>;
export type PackagePost = PackageManifest['posts'][number];
export type PackageFileEntry = PackageManifest['files'][number];

/**
 * Text from a stick made safe to show in a terminal or a dialog: control, bidi and
 * zero-width characters become visible \u{…} escapes (so an escape sequence in a file name
 * cannot drive the terminal), and long text is cut short.
 */
export function printable(text: string, maxChars = 200): string {
  const escaped = text.replace(UNPRINTABLE, (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`);
  return escaped.length > maxChars ? `${escaped.slice(0, maxChars)}…` : escaped;
}

/** Short, readable list of what a schema rejected, for the IT detail line. */
export function describeIssues(error: z.ZodError, limit = 5): string {
  const lines = error.issues.slice(0, limit).map((issue) => {
    const where = issue.path
      .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
      .join('');
    return printable(where === '' ? issue.message : `${where}: ${issue.message}`);
  });
  const more = error.issues.length > limit ? `; and ${error.issues.length - limit} more` : '';
  return lines.join('; ') + more;
}

function malformed(staffMessage: string, detail?: string): AirlockError {
  return new AirlockError('package.malformed', staffMessage, detail);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses the exact bytes of manifest.json. Only call this on bytes whose signature has
 * already been checked (or on an unsigned package the policy allows): the bytes are parsed
 * once and never re-serialised before verification. Throws AirlockError `package.malformed`.
 */
export function parseManifest(bytes: Uint8Array): PackageManifest {
  if (bytes.byteLength > PACKAGE_LIMITS.manifestBytes) {
    throw malformed(
      'The package description (manifest.json) is too large to be genuine.',
      `manifest.json is ${bytes.byteLength} bytes; the limit is ${PACKAGE_LIMITS.manifestBytes}.`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw malformed('The package description (manifest.json) is damaged.', 'manifest.json is not valid UTF-8.');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw malformed('The package description (manifest.json) is damaged.', `manifest.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = PackageManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw malformed(
      `The package description (manifest.json) is not valid: ${describeIssues(parsed.error, 1)}.`,
      describeIssues(parsed.error),
    );
  }
  // Only the canonical spelling is accepted, which also rules out duplicate keys: JSON.parse
  // keeps the last one, another parser might keep the first, and the signature covers both.
  let canonical: string;
  try {
    canonical = canonicalJson(raw);
  } catch (err) {
    throw malformed('The package description (manifest.json) is damaged.', err instanceof Error ? err.message : String(err));
  }
  if (canonical !== text) {
    throw malformed(
      'The package description (manifest.json) was not written by airlock pack.',
      'manifest.json is not in canonical form (sorted keys, no whitespace, no duplicate keys, no BOM).',
    );
  }
  return parsed.data;
}

/** The canonical bytes of a manifest: exactly what pack writes to manifest.json and signs. */
export function serializeManifest(manifest: PackageManifest): Uint8Array {
  const checked = PackageManifestSchema.safeParse(manifest);
  if (!checked.success) {
    throw malformed(`The package cannot be built: ${describeIssues(checked.error, 1)}.`, describeIssues(checked.error));
  }
  const bytes = new TextEncoder().encode(canonicalJson(checked.data));
  if (bytes.byteLength > PACKAGE_LIMITS.manifestBytes) {
    throw malformed(
      'The package lists too much to fit in one package. Split the posts into two packages.',
      `manifest.json would be ${bytes.byteLength} bytes; the limit is ${PACKAGE_LIMITS.manifestBytes}.`,
    );
  }
  return bytes;
}
