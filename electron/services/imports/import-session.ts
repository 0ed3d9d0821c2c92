// One import from a stick into the clean library: scan, check the package (signature, trust,
// replay), copy each file in one hashing pass, sanitise it off the UI thread, and commit the
// clean media and draft posts in a single transaction. Nothing is half-imported: any failure
// before the commit leaves the library exactly as it was.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError, toErrorValue, type AirlockErrorValue } from '../../../common/errors.ts';
import type { SanitizeReport } from '../../../common/sanitize-report.ts';
import { formatBytes, scanVolume, type AcceptedFile, type RejectedFile, type ScanLimitsInput, type ScanResult } from '../ingest/index.ts';
import type { BlobStore, StoredBlob } from '../ingest/index.ts';
import { readPackage, type PackageContents } from '../package/index.ts';
import type { Policy } from '../policy/policy.ts';
import { cleanCaption } from '../sanitize/caption.ts';
import type { SanitizePool } from '../sanitize/sanitize-pool.ts';
import type { DraftPostRecord, MediaRecord } from '../store/repositories.ts';
import type { Store } from '../store/store.ts';
import { trackImportProgress, type ImportProgress } from './import-progress.ts';

export interface ImportVolume {
  id: string | null;
  label: string | null;
  uuid: string | null;
  serial: string | null;
}

export interface ImportDeps {
  store: Store;
  blobs: BlobStore;
  sanitize: SanitizePool;
  policy: Policy;
  now: () => Date;
  scanLimits?: ScanLimitsInput;
}

export type PackageCheck =
  | { kind: 'package'; status: 'trusted' | 'unsigned'; packageId: string; author: string; createdAt: string; posts: number; signer: string | null; alreadyImportedAt: string | null }
  | { kind: 'loose' }
  | { kind: 'refused'; error: AirlockErrorValue };

export interface SourceScan {
  scan: ScanResult;
  package: PackageCheck;
}

export interface ImportedItem {
  path: string;
  mediaId: string;
  kind: 'image' | 'video';
  cleanSha256: string;
  thumbnailSha256: string | null;
  reused: boolean;
  report: SanitizeReport;
}

export interface ImportOutcome {
  sessionId: string;
  accepted: AcceptedFile[];
  /** Everything this import read from the stick, package description and signature included. */
  stickFiles: AcceptedFile[];
  rejected: RejectedFile[];
  imported: ImportedItem[];
  postIds: string[];
  package: PackageCheck;
}

export interface ImportOptions {
  sessionId?: string;
  volume?: ImportVolume | null;
  /** Name of the admin who allowed importing a package again; null refuses replays. */
  replayAllowedBy?: string | null;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

const MANIFEST = 'manifest.json';
const SIGNATURE = 'manifest.sig';

/** A scan needs the policy; with a store it also says whether the package was imported before. */
export type ScanDeps = Pick<ImportDeps, 'policy' | 'scanLimits'> & { store?: Store };

interface InspectedSource extends SourceScan {
  contents: PackageContents | null;
}

/** Looks at a stick without writing anything anywhere: what would be imported and why not. */
export async function scanSource(root: string, deps: ScanDeps): Promise<SourceScan> {
  const { scan, package: check } = await inspectSource(root, deps);
  return { scan, package: check };
}

async function inspectSource(root: string, deps: ScanDeps): Promise<InspectedSource> {
  const scan = await scanVolume(root, deps.scanLimits ?? {}, { allowedTypes: deps.policy.media.allowedTypes });
  const refused = (error: AirlockErrorValue): InspectedSource => ({ scan, package: { kind: 'refused', error }, contents: null });
  const isControl = (p: string, name: string) => p.toLowerCase() === name;
  const hasManifest = [...scan.accepted, ...scan.rejected].some((f) => isControl(f.path, MANIFEST));
  if (!hasManifest) {
    if (deps.policy.packages.signatures === 'required') {
      return refused(
        new AirlockError(
          'package.unsigned-required',
          'This stick has no signed content package, and this kiosk only accepts signed packages. Ask the comms team to prepare the stick with “airlock pack”.',
        ).toValue(),
      );
    }
    return { scan, package: { kind: 'loose' }, contents: null };
  }
  let contents: PackageContents;
  try {
    contents = await readPackage(root, {
      trustedKeys: deps.policy.packages.trustedKeys,
      requireSignature: deps.policy.packages.signatures === 'required',
      checkFiles: false,
    });
  } catch (err) {
    return refused(toErrorValue(err));
  }
  // Every listed file must have passed the scan with exactly the listed content. Sticks are
  // FAT or exFAT, which ignore case, so names are compared case-folded.
  const fold = (p: string) => p.normalize('NFC').toLowerCase();
  const accepted = new Map(scan.accepted.map((f) => [fold(f.path), f]));
  const rejected = new Map(scan.rejected.map((f) => [fold(f.path), f]));
  for (const file of contents.manifest.files) {
    const found = accepted.get(fold(file.path));
    if (!found) {
      const why = rejected.get(fold(file.path))?.reason ?? 'it is missing from the stick';
      return refused(new AirlockError('package.file-refused', `The package lists “${file.path}”, which cannot be imported: ${why}`).toValue());
    }
    if (found.sha256 !== file.sha256 || found.bytes !== file.size) {
      return refused(
        new AirlockError('package.tampered', `The package was changed after it was signed: “${file.path}” does not match its checksum.`, `listed ${file.sha256}/${file.size}, found ${found.sha256}/${found.bytes}`).toValue(),
      );
    }
  }
  const previous = deps.store ? await deps.store.call('packages.find', { packageId: contents.manifest.packageId }) : null;
  return {
    scan,
    contents,
    package: {
      kind: 'package',
      status: contents.status,
      packageId: contents.manifest.packageId,
      author: contents.manifest.author,
      createdAt: contents.manifest.createdAt,
      posts: contents.manifest.posts.length,
      signer: contents.signer?.fingerprint ?? null,
      alreadyImportedAt: previous?.imported_at ?? null,
    },
  };
}

/**
 * Imports everything acceptable from `root`. Throws AirlockError when the import as a whole is
 * refused or fails; in that case the database and the library are unchanged.
 */
export async function importFromSource(root: string, deps: ImportDeps, options: ImportOptions = {}): Promise<ImportOutcome> {
  const sessionId = options.sessionId ?? randomUUID();
  const startedAt = deps.now().toISOString();
  await deps.store.call('imports.begin', { id: sessionId, startedAt, sourcePath: root, volume: options.volume ?? null });
  const created: string[] = [];
  const originals: string[] = [];
  try {
    const outcome = await runImport(root, sessionId, deps, options, created, originals);
    // Originals are never kept: they carry exactly the metadata that was removed.
    await removeBlobs(deps.blobs, originals.filter((sha) => !created.includes(sha)));
    return outcome;
  } catch (err) {
    const value = toErrorValue(err);
    // Nothing refers to the blobs this import wrote: remove them with the originals.
    await removeBlobs(deps.blobs, [...originals, ...created]);
    await deps.store.call('imports.fail', { id: sessionId, finishedAt: deps.now().toISOString(), errorCode: value.code, errorDetail: value.detail ?? null, resultJson: null });
    throw AirlockError.fromValue(value);
  }
}

async function runImport(root: string, sessionId: string, deps: ImportDeps, options: ImportOptions, created: string[], originals: string[]): Promise<ImportOutcome> {
  const { scan, package: pkg, contents } = await inspectSource(root, deps);
  if (scan.truncated) {
    throw new AirlockError('ingest.too-much', `This stick holds more than Airlock imports at once (${scan.truncated.reason}). Split the content over several sticks.`);
  }
  if (pkg.kind === 'refused') throw AirlockError.fromValue(pkg.error);
  if (pkg.kind === 'package' && pkg.alreadyImportedAt && !options.replayAllowedBy) {
    throw new AirlockError(
      'package.replayed',
      `This package was already imported on ${pkg.alreadyImportedAt.slice(0, 10)}. A package can be imported only once; an administrator can allow it again.`,
      `package ${pkg.packageId}`,
    );
  }
  const manifest = contents?.manifest ?? null;

  const wanted = scan.accepted.filter((f) => f.kind === 'image' || f.kind === 'video' || (f.kind === 'text' && manifest === null));
  const progress = trackImportProgress(sessionId, wanted, deps.now, options.onProgress);
  const rejected = [...scan.rejected];

  // 1. Copy: one streaming, hashing pass per file into the blob store.
  const stored = new Map<string, StoredBlob>();
  for (const file of wanted) {
    if (options.signal?.aborted) throw new AirlockError('ingest.cancelled', 'The import was cancelled. Nothing was imported.');
    const blob = await deps.blobs.importFile(path.join(root, file.path), {
      expectedSha256: file.sha256,
      expectedBytes: file.bytes,
      onProgress: (bytes) => progress.copying(file, bytes),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!blob.deduplicated) originals.push(blob.sha256);
    stored.set(file.path, blob);
    progress.copied(file);
  }

  // 2. Sanitise media off the UI thread; reuse what an earlier import already cleaned.
  const media: MediaRecord[] = [];
  const imported: ImportedItem[] = [];
  const createdAt = deps.now().toISOString();
  for (const file of wanted) {
    if (file.kind === 'text') continue;
    const blob = stored.get(file.path)!;
    const existing = await deps.store.call('media.findByOriginal', { originalSha256: file.sha256 });
    if (existing) {
      imported.push({ path: file.path, mediaId: existing.id, kind: file.kind as 'image' | 'video', cleanSha256: existing.clean_sha256, thumbnailSha256: null, reused: true, report: { mediaKind: file.kind as 'image' | 'video', findings: [], warnings: [] } });
      progress.sanitised(file);
      continue;
    }
    const id = randomUUID();
    const ext = path.extname(file.path).toLowerCase() || '.bin';
    const cleanTemp = path.join(deps.blobs.tmpDir, `clean-${id}${ext}`);
    const thumbTemp = path.join(deps.blobs.tmpDir, `thumb-${id}.webp`);
    try {
      const job = file.kind === 'image' ? ({ op: 'image', src: blob.path, dest: cleanTemp, thumbnailDest: thumbTemp } as const) : ({ op: 'video', src: blob.path, dest: cleanTemp, ...(deps.policy.media.transcodeVideo ? { transcode: {} } : {}) } as const);
      let result;
      try {
        result = await deps.sanitize.run(job);
      } catch (err) {
        if (manifest) {
          const value = toErrorValue(err);
          throw new AirlockError(value.code, `“${file.path}” could not be cleaned, so the package was not imported: ${value.message}`, value.detail);
        }
        // Loose files are independent: one damaged photo does not block the others.
        rejected.push({ path: file.path, reason: toErrorValue(err).message, code: toErrorValue(err).code });
        progress.sanitised(file);
        continue;
      }
      const clean = await deps.blobs.adoptFile(cleanTemp);
      if (!clean.deduplicated) created.push(clean.sha256);
      let thumbnailSha256: string | null = null;
      if (file.kind === 'image') {
        const thumb = await deps.blobs.adoptFile(thumbTemp);
        if (!thumb.deduplicated) created.push(thumb.sha256);
        thumbnailSha256 = thumb.sha256;
      }
      media.push({
        id,
        kind: result.kind,
        format: result.format,
        originalSha256: file.sha256,
        originalName: file.path,
        cleanSha256: clean.sha256,
        cleanBytes: clean.bytes,
        thumbnailSha256,
        width: result.width,
        height: result.height,
        durationMs: result.durationMs,
        reportJson: JSON.stringify(result.report),
        importSessionId: sessionId,
        createdAt,
      });
      imported.push({ path: file.path, mediaId: id, kind: result.kind, cleanSha256: clean.sha256, thumbnailSha256, reused: false, report: result.report });
      progress.sanitised(file);
    } finally {
      await rm(cleanTemp, { force: true });
      await rm(thumbTemp, { force: true });
    }
  }

  // 3. Posts: from the package, or one caption draft per loose text file.
  const posts: DraftPostRecord[] = [];
  if (manifest) {
    for (const post of manifest.posts) {
      const caption = cleanCaption(post.caption);
      posts.push({
        id: randomUUID(),
        caption: caption.text,
        captionReportJson: JSON.stringify({ mediaKind: 'caption', findings: caption.findings, warnings: caption.warnings }),
        targets: [...post.targets],
        scheduleAt: post.scheduleAt ?? null,
        origin: 'package',
        originPackageId: manifest.packageId,
        signed: pkg.kind === 'package' && pkg.status === 'trusted',
        media: post.media.map((ref) => ({
          originalSha256: manifest.files.find((f) => f.path === ref.path)!.sha256,
          altText: ref.alt === undefined ? null : cleanCaption(ref.alt).text,
        })),
      });
    }
  } else {
    for (const file of wanted.filter((f) => f.kind === 'text')) {
      const caption = cleanCaption(await readFile(stored.get(file.path)!.path, 'utf8'));
      posts.push({
        id: randomUUID(),
        caption: caption.text,
        captionReportJson: JSON.stringify({ mediaKind: 'caption', findings: caption.findings, warnings: caption.warnings }),
        targets: [],
        scheduleAt: null,
        origin: 'package',
        originPackageId: null,
        signed: false,
        media: [],
      });
    }
  }

  // 4. Commit everything at once.
  progress.committing();
  const control = new Set([MANIFEST, SIGNATURE]);
  const accepted = scan.accepted.filter((f) => !control.has(f.path.toLowerCase()) && !rejected.some((r) => r.path === f.path));
  const { postIds } = await deps.store.call('imports.commit', {
    sessionId,
    finishedAt: deps.now().toISOString(),
    package:
      pkg.kind === 'package'
        ? { packageId: pkg.packageId, manifestSha256: contents!.manifestSha256, status: pkg.status, signerFingerprint: pkg.signer, replayOverrideBy: pkg.alreadyImportedAt ? (options.replayAllowedBy ?? null) : null }
        : null,
    media,
    posts,
    acceptedCount: accepted.length,
    rejectedCount: rejected.filter((r) => !r.skipped).length,
    resultJson: JSON.stringify({ imported: imported.length, posts: posts.length, bytes: formatBytes(wanted.reduce((n, f) => n + f.bytes, 0)) }),
  });
  progress.done();
  const stickFiles = scan.accepted.filter((f) => !rejected.some((r) => r.path === f.path));
  return { sessionId, accepted, stickFiles, rejected, imported, postIds, package: pkg };
}

async function removeBlobs(blobs: BlobStore, shas: string[]): Promise<void> {
  for (const sha of new Set(shas)) await blobs.remove(sha);
}
