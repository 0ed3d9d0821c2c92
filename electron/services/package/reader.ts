// Reads a content package from a stick and decides whether the kiosk may believe it: the
// signature is checked over manifest.json's exact bytes before they are parsed, then every
// listed file is matched by size and streamed SHA-256, and anything unlisted is refused.

import { createHash } from 'node:crypto';
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../../common/errors.ts';
import { digestHandle, READ_NO_FOLLOW } from './file-digest.ts';
import { parsePublicKey } from './keys.ts';
import type { PackagePublicKey } from './keys.ts';
import { MANIFEST_FILE, PACKAGE_LIMITS, parseManifest, printable, SIGNATURE_FILE } from './manifest.ts';
import type { PackageManifest } from './manifest.ts';
import { SIGNATURE_FILE_MAX_BYTES, verifyManifestSignature } from './signature.ts';

export type PackageStatus = 'trusted' | 'unsigned';

export interface ReadPackageOptions {
  /** Keys from policy, as `airlock-ed25519 …` / PEM strings or already parsed. */
  trustedKeys: readonly (string | PackagePublicKey)[];
  /**
   * Default true: a package without manifest.sig is refused (`package.unsigned`). When false
   * it is returned with status 'unsigned'; a package that has a signature is always checked.
   */
  requireSignature?: boolean;
  /**
   * Default true: hash every listed file now. An importer that hashes while copying may pass
   * false and must then compare each copied file with `manifest.files` itself.
   */
  checkFiles?: boolean;
}

export interface PackageSigner {
  fingerprint: string;
  /** One-line public key text, as policy holds it. */
  publicKey: string;
}

export interface PackageContents {
  /** Absolute path of the package folder. */
  dir: string;
  manifest: PackageManifest;
  /** SHA-256 of manifest.json's exact bytes: a stable id for this exact package, for audit. */
  manifestSha256: string;
  status: PackageStatus;
  signer: PackageSigner | null;
  /** Operating-system clutter (.DS_Store, ._*, Thumbs.db …) that was seen and ignored. */
  ignored: string[];
  /** Sum of listed file sizes. */
  totalBytes: number;
}

// Files and folders that desktop operating systems drop onto sticks on their own. They are
// never listed, never imported, and refusing a package over them would only teach staff to
// ignore the tamper warning.
const OS_CLUTTER_FILES = /^(\.DS_Store|\._.*|Thumbs\.db|ehthumbs\.db|desktop\.ini)$/i;
const OS_CLUTTER_FOLDERS = /^(\.Spotlight-V100|\.Trashes|\.fseventsd|\.TemporaryItems|System Volume Information|\$RECYCLE\.BIN)$/i;

const MAX_WALK_ENTRIES = PACKAGE_LIMITS.files * 2 + 256;
const MAX_WALK_DEPTH = PACKAGE_LIMITS.pathSegments + 1;
const MAX_PROBLEMS_IN_DETAIL = 20;

interface FolderListing {
  /**
   * Case-folded NFC relative path → path as spelled on disk. Folded because sticks use FAT or
   * exFAT, which ignore case (and FUSE FAT drivers show 8.3 names in capitals); macOS may
   * store names decomposed. The manifest itself refuses paths that differ only in case.
   */
  files: Map<string, string>;
  ignored: string[];
  unsupported: string[];
  ambiguous: string[];
}

function folded(relativePath: string): string {
  return relativePath.normalize('NFC').toLowerCase();
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

async function readBounded(file: string, maxBytes: number): Promise<Uint8Array | 'too-large'> {
  const handle = await open(file, READ_NO_FOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTFILE' });
    if (info.size > maxBytes) return 'too-large';
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return length > maxBytes ? 'too-large' : new Uint8Array(buffer.subarray(0, length));
  } finally {
    await handle.close();
  }
}

/** Reads one of the two package control files; null when it does not exist. */
async function readControlFile(dir: string, name: string, maxBytes: number): Promise<Uint8Array | 'too-large' | null> {
  const file = path.join(dir, name);
  try {
    const info = await lstat(file);
    if (!info.isFile()) {
      throw new AirlockError('package.tampered', `The package's ${name} is not an ordinary file.`, `${file} is a link, folder or device.`);
    }
    return await readBounded(file, maxBytes);
  } catch (err) {
    if (err instanceof AirlockError) throw err;
    const code = errnoCode(err);
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP' || code === 'ENOTFILE') {
      throw new AirlockError('package.tampered', `The package's ${name} is not an ordinary file.`, String(err));
    }
    throw new AirlockError('package.unreadable', `Airlock could not read ${name} from the package. The stick may be damaged.`, String(err));
  }
}

async function listFolder(root: string): Promise<FolderListing> {
  const listing: FolderListing = { files: new Map(), ignored: [], unsupported: [], ambiguous: [] };
  let entries = 0;
  const walk = async (relative: string, depth: number): Promise<void> => {
    const children = await readdir(path.join(root, relative), { withFileTypes: true });
    for (const child of children) {
      entries += 1;
      if (entries > MAX_WALK_ENTRIES) {
        throw new AirlockError(
          'package.tampered',
          'The package folder holds far more files than any package lists.',
          `More than ${MAX_WALK_ENTRIES} entries under ${root}.`,
        );
      }
      const onDisk = relative === '' ? child.name : `${relative}/${child.name}`;
      if (child.isDirectory() && OS_CLUTTER_FOLDERS.test(child.name)) {
        listing.ignored.push(`${onDisk}/`);
      } else if (child.isFile() && OS_CLUTTER_FILES.test(child.name)) {
        listing.ignored.push(onDisk);
      } else if (child.isDirectory()) {
        if (depth >= MAX_WALK_DEPTH) listing.unsupported.push(`${onDisk}/`);
        else await walk(onDisk, depth + 1);
      } else if (child.isFile()) {
        const key = folded(onDisk);
        if (listing.files.has(key)) listing.ambiguous.push(key);
        listing.files.set(key, onDisk);
      } else {
        listing.unsupported.push(onDisk);
      }
    }
  };
  await walk('', 1);
  return listing;
}

function toTrustedKeys(keys: readonly (string | PackagePublicKey)[]): PackagePublicKey[] {
  return keys.map((key) => (typeof key === 'string' ? parsePublicKey(key) : key));
}

function problemsError(code: string, problems: string[], staffMessage: string): AirlockError {
  const shown = problems.slice(0, MAX_PROBLEMS_IN_DETAIL).join('; ');
  const more = problems.length > MAX_PROBLEMS_IN_DETAIL ? `; and ${problems.length - MAX_PROBLEMS_IN_DETAIL} more` : '';
  return new AirlockError(code, staffMessage, shown + more);
}

/**
 * Checks and reads a content package folder. Resolves only for a package whose signature
 * is valid and from a trusted key (or, when allowed, an unsigned one) and whose files all
 * match; otherwise throws AirlockError with a `package.*` code:
 * not-found, unreadable, malformed, unsigned, bad-signature, untrusted-key, bad-key,
 * incomplete, tampered.
 */
export async function readPackage(dir: string, options: ReadPackageOptions): Promise<PackageContents> {
  const root = path.resolve(dir);
  const trustedKeys = toTrustedKeys(options.trustedKeys);
  const requireSignature = options.requireSignature ?? true;

  try {
    const info = await lstat(root);
    if (!info.isDirectory()) throw new AirlockError('package.not-found', `${root} is not a package folder.`, 'Not a directory (links are not followed).');
  } catch (err) {
    if (err instanceof AirlockError) throw err;
    throw new AirlockError('package.not-found', `There is no package folder at ${root}.`, String(err));
  }

  const manifestBytes = await readControlFile(root, MANIFEST_FILE, PACKAGE_LIMITS.manifestBytes);
  if (manifestBytes === null) {
    throw new AirlockError('package.not-found', `This folder is not an Airlock package: it has no ${MANIFEST_FILE}.`, root);
  }
  if (manifestBytes === 'too-large') {
    throw new AirlockError(
      'package.malformed',
      'The package description (manifest.json) is too large to be genuine.',
      `The limit is ${PACKAGE_LIMITS.manifestBytes} bytes.`,
    );
  }

  const signatureBytes = await readControlFile(root, SIGNATURE_FILE, SIGNATURE_FILE_MAX_BYTES);
  let signer: PackagePublicKey | null = null;
  if (signatureBytes === null) {
    if (requireSignature) {
      throw new AirlockError(
        'package.unsigned',
        'The package is not signed, and this kiosk only accepts signed packages. Make it again with airlock pack.',
        `${SIGNATURE_FILE} is missing.`,
      );
    }
  } else if (signatureBytes === 'too-large') {
    throw new AirlockError('package.bad-signature', 'The package signature file is damaged.', `${SIGNATURE_FILE} is larger than ${SIGNATURE_FILE_MAX_BYTES} bytes.`);
  } else {
    // Verified over the bytes exactly as read, before anything interprets them.
    signer = verifyManifestSignature(manifestBytes, signatureBytes, trustedKeys);
  }

  const manifest = parseManifest(manifestBytes);
  let listing: FolderListing;
  try {
    listing = await listFolder(root);
  } catch (err) {
    if (err instanceof AirlockError) throw err;
    throw new AirlockError('package.unreadable', 'Airlock could not list the files in the package. The stick may be damaged.', String(err));
  }
  const changedAfter = signer === null ? 'after it was made' : 'after it was signed';

  // Names below come from the stick's directory listing, so they are shown only as printable().
  const unlisted: string[] = [...listing.unsupported.map((entry) => `${printable(entry)} is a link, device or too deeply nested`)];
  unlisted.push(...listing.ambiguous.map((entry) => `${printable(entry)} exists twice under different spellings`));
  const listed = new Set(manifest.files.map((file) => folded(file.path)));
  for (const [key, onDisk] of listing.files) {
    if (key === MANIFEST_FILE || key === SIGNATURE_FILE || listed.has(key)) continue;
    unlisted.push(`${printable(onDisk.normalize('NFC'))} is not listed in the manifest`);
  }
  if (unlisted.length > 0) {
    const first = unlisted[0] ?? '';
    throw problemsError('package.tampered', unlisted, `The package was changed ${changedAfter}: ${first}.`);
  }

  const missing = manifest.files.filter((file) => !listing.files.has(folded(file.path))).map((file) => file.path);
  if (missing.length > 0) {
    throw problemsError(
      'package.incomplete',
      missing.map((file) => `${file} is missing`),
      `The package is incomplete: ${missing[0] ?? ''} is missing. Copy the whole package folder onto the stick again.`,
    );
  }

  let totalBytes = 0;
  for (const file of manifest.files) totalBytes += file.size;

  if (options.checkFiles ?? true) {
    for (const file of manifest.files) {
      const onDisk = path.join(root, ...(listing.files.get(folded(file.path)) ?? file.path).split('/'));
      const mismatch = new AirlockError(
        'package.tampered',
        `The package was changed ${changedAfter}: ${file.path} does not match its checksum.`,
        `${file.path}: expected ${file.size} bytes, SHA-256 ${file.sha256}.`,
      );
      let handle;
      try {
        handle = await open(onDisk, READ_NO_FOLLOW);
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'ELOOP') throw mismatch;
        throw new AirlockError('package.unreadable', `Airlock could not read ${file.path} from the package. The stick may be damaged.`, String(err));
      }
      try {
        const info = await handle.stat();
        if (!info.isFile() || info.size !== file.size) throw mismatch;
        // One byte past the listed size, so a file that grows while being read is caught.
        const digest = await digestHandle(handle, file.size + 1);
        if (digest.size !== file.size || digest.sha256 !== file.sha256) throw mismatch;
      } catch (err) {
        if (err instanceof AirlockError) throw err;
        throw new AirlockError('package.unreadable', `Airlock could not read ${file.path} from the package. The stick may be damaged.`, String(err));
      } finally {
        await handle.close();
      }
    }
  }

  return {
    dir: root,
    manifest,
    manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    status: signer === null ? 'unsigned' : 'trusted',
    signer: signer === null ? null : { fingerprint: signer.fingerprint, publicKey: signer.text },
    ignored: listing.ignored.map((entry) => printable(entry)),
    totalBytes,
  };
}
