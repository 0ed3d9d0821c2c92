// Builds a signed content package on the corporate side (airlock pack). Everything is written
// into a hidden folder next to the destination and renamed into place at the very end, so a
// full stick or a missing photo never leaves a half-made package that someone might carry over.

import { randomUUID } from 'node:crypto';
import { lstat, mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AirlockError } from '../../../common/errors.ts';
import { copyFileHashed } from './file-digest.ts';
import type { FileDigest } from './file-digest.ts';
import type { SigningKeyPair } from './keys.ts';
import {
  describeIssues,
  MANIFEST_FILE,
  PACKAGE_FORMAT_VERSION,
  PACKAGE_LIMITS,
  PACKAGE_TARGETS,
  PackageManifestSchema,
  packagePathProblem,
  serializeManifest,
  SIGNATURE_FILE,
} from './manifest.ts';
import type { PackageFileEntry, PackageManifest, PackageTarget } from './manifest.ts';
import { signManifestBytes } from './signature.ts';

export interface PlannedMedia {
  /** Where the file is now, on the corporate machine. */
  source: string;
  /** Where it goes inside the package (a valid package path). */
  path: string;
  alt?: string;
}

export interface PlannedPost {
  caption: string;
  targets: PackageTarget[];
  scheduleAt?: string;
  media: PlannedMedia[];
}

export interface PackagePlan {
  author: string;
  posts: PlannedPost[];
}

export interface BuildPackageOptions {
  outDir: string;
  keys: SigningKeyPair;
  plan: PackagePlan;
  now?: () => Date;
  newPackageId?: () => string;
  /** Replaceable so tests can make a copy fail half-way. */
  copyFile?: (source: string, target: string) => Promise<FileDigest>;
}

export interface BuiltPackage {
  dir: string;
  manifest: PackageManifest;
  signerFingerprint: string;
  totalBytes: number;
}

/**
 * The posts description staff write for `airlock pack`. Media paths are relative to the
 * posts file's folder and keep that relative path inside the package.
 */
const PostsDescriptionSchema = z.strictObject({
  author: z.string().min(1).max(PACKAGE_LIMITS.authorChars).optional(),
  posts: z
    .array(
      z.strictObject({
        caption: z.string().max(PACKAGE_LIMITS.captionChars).default(''),
        targets: z.array(z.enum(PACKAGE_TARGETS)).min(1).max(PACKAGE_TARGETS.length),
        scheduleAt: z.iso.datetime({ offset: true }).optional(),
        media: z
          .array(z.union([z.string(), z.strictObject({ file: z.string(), alt: z.string().max(PACKAGE_LIMITS.altChars).optional() })]))
          .max(PACKAGE_LIMITS.mediaPerPost)
          .default([]),
      }),
    )
    .min(1)
    .max(PACKAGE_LIMITS.posts),
});

const POSTS_FILE_MAX_BYTES = 1024 * 1024;

function postsProblem(postsFile: string, sentence: string, detail?: string): AirlockError {
  return new AirlockError('package.posts-invalid', `${path.basename(postsFile)}: ${sentence}`, detail);
}

/** Reads a posts description file and turns it into a plan. `author` overrides the file's. */
export async function readPostsFile(postsFile: string, author?: string): Promise<PackagePlan> {
  let text: string;
  try {
    const info = await stat(postsFile);
    if (!info.isFile()) throw postsProblem(postsFile, 'this is not a file.');
    if (info.size > POSTS_FILE_MAX_BYTES) throw postsProblem(postsFile, 'the file is larger than 1 MiB. Split the posts into several packages.');
    const handle = await open(postsFile, 'r');
    try {
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof AirlockError) throw err;
    throw postsProblem(postsFile, 'the file cannot be read. Check the name and try again.', String(err));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw postsProblem(postsFile, 'the file is not valid JSON. Check for a missing comma or quote.', err instanceof Error ? err.message : String(err));
  }
  const parsed = PostsDescriptionSchema.safeParse(raw);
  if (!parsed.success) {
    const more = parsed.error.issues.length > 1 ? describeIssues(parsed.error) : undefined;
    throw postsProblem(postsFile, `${describeIssues(parsed.error, 1)}.`, more);
  }

  const chosenAuthor = author ?? parsed.data.author;
  if (chosenAuthor === undefined || chosenAuthor.trim() === '') {
    throw postsProblem(postsFile, 'say who prepared this package: add "author" to the file or pass --author NAME.');
  }
  const baseDir = path.dirname(path.resolve(postsFile));
  const posts = parsed.data.posts.map((post, postIndex): PlannedPost => {
    const media = post.media.map((entry): PlannedMedia => {
      const given = typeof entry === 'string' ? entry : entry.file;
      // Backslashes are accepted here for staff on Windows; the package itself uses '/'.
      const packagePath = given.replaceAll('\\', '/').normalize('NFC');
      const problem = packagePathProblem(packagePath);
      if (problem !== null) {
        throw postsProblem(
          postsFile,
          `post ${postIndex + 1} uses "${given}": ${problem}. Media must be in the same folder as ${path.basename(postsFile)} or a folder inside it.`,
        );
      }
      const alt = typeof entry === 'string' ? undefined : entry.alt;
      return { source: path.join(baseDir, ...packagePath.split('/')), path: packagePath, ...(alt === undefined ? {} : { alt }) };
    });
    return { caption: post.caption, targets: post.targets, ...(post.scheduleAt === undefined ? {} : { scheduleAt: post.scheduleAt }), media };
  });
  return { author: chosenAuthor, posts };
}

function toManifestPosts(plan: PackagePlan): PackageManifest['posts'] {
  return plan.posts.map((post) => ({
    caption: post.caption,
    targets: [...post.targets],
    ...(post.scheduleAt === undefined ? {} : { scheduleAt: post.scheduleAt }),
    media: post.media.map((ref) => ({ path: ref.path, ...(ref.alt === undefined ? {} : { alt: ref.alt }) })),
  }));
}

function uniqueMedia(plan: PackagePlan): PlannedMedia[] {
  const byPath = new Map<string, PlannedMedia>();
  for (const post of plan.posts) {
    for (const ref of post.media) {
      const earlier = byPath.get(ref.path);
      if (earlier !== undefined && path.resolve(earlier.source) !== path.resolve(ref.source)) {
        throw new AirlockError('package.posts-invalid', `Two different files would both be stored as ${ref.path} in the package.`);
      }
      byPath.set(ref.path, ref);
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function writeFailure(err: unknown, where: string): AirlockError {
  if (err instanceof AirlockError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'ENOSPC') return new AirlockError('package.write-failed', `There is not enough space in ${where} for this package.`, String(err));
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new AirlockError('package.write-failed', `Airlock is not allowed to write to ${where}. Is the stick write-protected?`, String(err));
  }
  return new AirlockError('package.write-failed', `The package could not be written to ${where}.`, String(err));
}

async function writeNewFile(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Where the destination stands: absent, an empty folder we may replace, or refused. */
async function checkDestination(outDir: string): Promise<'absent' | 'empty'> {
  const parent = path.dirname(outDir);
  try {
    if (!(await stat(parent)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new AirlockError('package.write-failed', `The folder ${parent} does not exist. Is the stick plugged in?`);
  }
  let info;
  try {
    info = await lstat(outDir);
  } catch {
    return 'absent';
  }
  if (!info.isDirectory() || (await readdir(outDir)).length > 0) {
    throw new AirlockError('package.exists', `${outDir} already exists and is not empty. Choose a new folder name; Airlock never overwrites a package.`);
  }
  return 'empty';
}

/** Copies the media, writes and signs the manifest, and moves the finished package into place. */
export async function buildPackage(options: BuildPackageOptions): Promise<BuiltPackage> {
  const outDir = path.resolve(options.outDir);
  const copyFile = options.copyFile ?? copyFileHashed;
  const media = uniqueMedia(options.plan);
  const draft: PackageManifest = {
    formatVersion: PACKAGE_FORMAT_VERSION,
    packageId: (options.newPackageId ?? randomUUID)(),
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
    author: options.plan.author,
    posts: toManifestPosts(options.plan),
    files: media.map((ref) => ({ path: ref.path, size: 0, sha256: '0'.repeat(64) })),
  };
  // Checked before copying a single byte, so a typo costs staff nothing but a message.
  const early = PackageManifestSchema.safeParse(draft);
  if (!early.success) {
    throw new AirlockError('package.posts-invalid', `The posts cannot be packed: ${describeIssues(early.error, 1)}.`, describeIssues(early.error));
  }
  for (const ref of media) {
    let info;
    try {
      info = await stat(ref.source);
    } catch {
      throw new AirlockError('package.media-missing', `The media file ${ref.source} cannot be found. Check the name in the posts file.`);
    }
    if (!info.isFile()) throw new AirlockError('package.media-missing', `${ref.source} is not a file.`);
  }

  const destination = await checkDestination(outDir);
  let staging: string;
  try {
    staging = await mkdtemp(path.join(path.dirname(outDir), `.${path.basename(outDir)}.partial-`));
  } catch (err) {
    throw writeFailure(err, path.dirname(outDir));
  }
  try {
    const files: PackageFileEntry[] = [];
    for (const ref of media) {
      const target = path.join(staging, ...ref.path.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      const digest = await copyFile(ref.source, target);
      files.push({ path: ref.path, size: digest.size, sha256: digest.sha256 });
    }
    const manifest: PackageManifest = { ...draft, files };
    const manifestBytes = serializeManifest(manifest);
    await writeNewFile(path.join(staging, MANIFEST_FILE), manifestBytes);
    await writeNewFile(path.join(staging, SIGNATURE_FILE), signManifestBytes(manifestBytes, options.keys));
    if (destination === 'empty') await rmdir(outDir);
    await rename(staging, outDir);
    return {
      dir: outDir,
      manifest,
      signerFingerprint: options.keys.publicKey.fingerprint,
      totalBytes: files.reduce((sum, file) => sum + file.size, 0),
    };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw writeFailure(err, path.dirname(outDir));
  }
}
