// Walks a mounted stick and says, for every file, whether Airlock would take it and why not.
// The walk never follows a link, never opens anything but regular files, stops at the limits,
// and writes nothing anywhere: scanning a stick must be safe to do over and over.

import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError } from '../../../common/errors.ts';
import { classifyFile, SNIFF_BYTES } from './classify.ts';
import type { IngestParams } from './codes.ts';
import { formatBytes, resolveScanLimits } from './limits.ts';
import type { MediaKind, ScanLimits, ScanLimitsInput } from './limits.ts';
import { checkEntryName, displaySafeName } from './names.ts';
import { describe, errorCode, isStickGone, openOnStick, stickReadFailed } from './stick-read.ts';
import { TextCheck } from './text-check.ts';

export interface AcceptedFile {
  /** Relative to the stick's root, forward slashes. */
  path: string;
  sha256: string;
  kind: MediaKind;
  bytes: number;
  mime: string;
}

export interface RejectedFile {
  /** Relative to the root. For a refused name, control and invisible characters are escaped (\u{202E}). */
  path: string;
  /** A sentence for comms staff. */
  reason: string;
  /** Stable code such as `ingest.symlink` (one of INGEST_CODES; a file the import could not clean has a `media.*` code). */
  code: string;
  /** The values in `reason`, so the renderer can say it in each language. */
  params?: IngestParams;
  /** For IT: what was detected. */
  detail?: string;
  /** Operating-system clutter (hidden files, recycle bins): left out, not a warning sign. */
  skipped?: true;
  /** What the content turned out to be, when that is known (HEIC is recognised yet refused). */
  kind?: MediaKind;
  mime?: string;
  bytes?: number;
}

export interface ScanTotals {
  accepted: number;
  acceptedBytes: number;
  /** Rejections that are not `skipped`. */
  rejected: number;
  skipped: number;
  /** Regular files opened or counted against `maxFiles`. */
  filesExamined: number;
  folders: number;
  /** Every name read from a folder (counted against `maxEntries`). */
  entriesSeen: number;
}

export interface ScanTruncation {
  code: 'ingest.too-many-files' | 'ingest.too-many-entries' | 'ingest.too-much-data';
  reason: string;
}

/** Exactly what `airlock scan DIR --json` prints. */
export interface ScanResult {
  accepted: AcceptedFile[];
  rejected: RejectedFile[];
  totals: ScanTotals;
  /** Present when a limit stopped the walk: the lists then cover only part of the stick. */
  truncated?: ScanTruncation;
}

export interface ScanProgress {
  filesExamined: number;
  bytesHashed: number;
  path: string;
}

/** The types a policy can allow (media.allowedTypes), as the classifier names their formats. */
export const POLICY_MEDIA_TYPES = { jpeg: 'jpeg', png: 'png', webp: 'webp', mp4: 'mp4', mov: 'quicktime', text: 'text' } as const;
export type PolicyMediaType = keyof typeof POLICY_MEDIA_TYPES;

const TYPE_WORDS: Record<PolicyMediaType, string> = { jpeg: 'JPEG photos', png: 'PNG images', webp: 'WebP images', mp4: 'MP4 videos', mov: 'MOV videos', text: 'caption text files' };

export interface ScanOptions {
  /** Only these types are accepted (all when absent); the policy's media.allowedTypes. */
  allowedTypes?: readonly PolicyMediaType[];
  /** HEIC is accepted only once the sanitiser can decode it safely. */
  heicDecoding?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
}

const HASH_CHUNK_BYTES = 1024 * 1024;

/**
 * Scans the folder a stick is mounted on. Throws AirlockError only when the scan as a whole
 * cannot go on (root is not a folder, stick removed, cancelled); every problem with a single
 * file becomes an entry in `rejected`.
 */
export async function scanVolume(
  root: string,
  limits: ScanLimitsInput = {},
  options: ScanOptions = {},
): Promise<ScanResult> {
  const scan = new VolumeScan(root, resolveScanLimits(limits), options);
  return scan.run();
}

class VolumeScan {
  private readonly root: string;
  private readonly limits: ScanLimits;
  private readonly options: ScanOptions;
  private readonly accepted: AcceptedFile[] = [];
  private readonly rejected: RejectedFile[] = [];
  private readonly totals: ScanTotals = {
    accepted: 0,
    acceptedBytes: 0,
    rejected: 0,
    skipped: 0,
    filesExamined: 0,
    folders: 0,
    entriesSeen: 0,
  };
  private truncated: ScanTruncation | undefined;
  private bytesHashed = 0;

  constructor(root: string, limits: ScanLimits, options: ScanOptions) {
    this.root = root;
    this.limits = limits;
    this.options = options;
  }

  async run(): Promise<ScanResult> {
    let rootStat: Stats;
    try {
      rootStat = await lstat(this.root);
    } catch (err) {
      if (isStickGone(err)) throw stickReadFailed(err, `lstat ${this.root}`);
      throw new AirlockError('ingest.not-a-folder', 'Airlock could not find the stick to scan.', describe(err));
    }
    // The caller hands over a mount point; a link there would let the "stick" be any folder.
    if (rootStat.isSymbolicLink() || !rootStat.isDirectory()) {
      throw new AirlockError(
        'ingest.not-a-folder',
        'Airlock could not find the stick to scan.',
        `${this.root} is not a directory (or is a symbolic link)`,
      );
    }
    await this.walkFolder(this.root, '', 0);
    const result: ScanResult = { accepted: this.accepted, rejected: this.rejected, totals: this.totals };
    if (this.truncated) result.truncated = this.truncated;
    return result;
  }

  private get stopped(): boolean {
    return this.truncated !== undefined;
  }

  private checkCancelled(): void {
    if (this.options.signal?.aborted) {
      throw new AirlockError('ingest.cancelled', 'The scan was stopped. Nothing was imported.', 'aborted by caller');
    }
  }

  private stop(code: ScanTruncation['code'], reason: string): void {
    this.truncated ??= { code, reason };
  }

  private reject(entry: RejectedFile): void {
    this.rejected.push(entry);
    if (entry.skipped) this.totals.skipped += 1;
    else this.totals.rejected += 1;
  }

  /** Reads a folder's names up to the entry budget, in a stable order. */
  private async readNames(abs: string, rel: string): Promise<string[] | undefined> {
    const names: string[] = [];
    try {
      const dir = await opendir(abs, { bufferSize: 128 });
      // for-await closes the handle, also when we break out early.
      for await (const entry of dir) {
        if (this.totals.entriesSeen >= this.limits.maxEntries) {
          this.stop(
            'ingest.too-many-entries',
            `This stick holds more than ${this.limits.maxEntries.toLocaleString('en-GB')} files and folders. Airlock stopped looking; put fewer files on the stick.`,
          );
          break;
        }
        this.totals.entriesSeen += 1;
        names.push(entry.name);
      }
    } catch (err) {
      await this.failIfStickGone(err, `opendir ${abs}`);
      this.reject({
        path: rel === '' ? '.' : rel,
        code: 'ingest.unreadable',
        reason: 'Airlock could not open this folder, so nothing in it was imported.',
        detail: describe(err),
      });
      return undefined;
    }
    // Code-unit order: the same on every machine, unlike locale collation.
    return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private async walkFolder(abs: string, rel: string, depth: number): Promise<void> {
    const names = await this.readNames(abs, rel);
    if (names === undefined) return;
    for (const name of names) {
      if (this.stopped) return;
      this.checkCancelled();
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const verdict = checkEntryName(name);
      if (verdict.verdict === 'refuse') {
        this.reject({ path: displaySafeName(childRel), code: verdict.code, reason: verdict.reason });
        continue;
      }
      if (verdict.verdict === 'skip') {
        this.reject({ path: childRel, code: verdict.code, reason: verdict.reason, skipped: true });
        continue;
      }
      const childAbs = join(abs, name);
      let stat: Stats;
      try {
        stat = await lstat(childAbs);
      } catch (err) {
        await this.failIfStickGone(err, `lstat ${childAbs}`);
        this.reject({
          path: childRel,
          code: errorCode(err) === 'ENOENT' ? 'ingest.vanished' : 'ingest.unreadable',
          reason: 'Airlock could not read this item on the stick.',
          detail: describe(err),
        });
        continue;
      }
      if (stat.isSymbolicLink()) {
        this.reject({
          path: childRel,
          code: 'ingest.symlink',
          reason: 'Links (shortcuts to other places) are not allowed on an import stick.',
        });
      } else if (stat.isDirectory()) {
        if (depth + 1 > this.limits.maxDepth) {
          this.reject({
            path: childRel,
            code: 'ingest.too-deep',
            reason: `This folder is more than ${this.limits.maxDepth} folders deep, so Airlock did not look inside it.`,
            params: { depth: this.limits.maxDepth },
          });
          continue;
        }
        this.totals.folders += 1;
        // A folder swapped for a link between lstat and opendir would be followed; that needs
        // someone changing the medium while it is scanned, which a FAT stick (no links) rules out.
        await this.walkFolder(childAbs, childRel, depth + 1);
      } else if (stat.isFile()) {
        await this.examineFile(childAbs, childRel, name, stat, depth === 0);
      } else {
        this.reject({ path: childRel, code: 'ingest.special-file', reason: specialFileReason(stat) });
      }
    }
  }

  private async examineFile(abs: string, rel: string, name: string, stat: Stats, atRoot: boolean): Promise<void> {
    this.totals.filesExamined += 1;
    if (this.totals.filesExamined > this.limits.maxFiles) {
      this.totals.filesExamined -= 1;
      this.stop(
        'ingest.too-many-files',
        `This stick has more than ${this.limits.maxFiles.toLocaleString('en-GB')} files. Airlock stopped looking; put fewer files on the stick.`,
      );
      return;
    }
    if (stat.size === 0) {
      this.reject({ path: rel, code: 'ingest.empty', reason: 'The file is empty (0 bytes).', bytes: 0 });
      return;
    }
    // FAT cannot hold hard links; on a folder used as a media root, a second name for a file
    // can point at anything on the same disk (/etc/shadow included) without being a link.
    if (stat.nlink > 1) {
      this.reject({
        path: rel,
        code: 'ingest.hard-link',
        reason: 'This file has more than one name (a hard link), which is not allowed on an import stick.',
      });
      return;
    }

    let handle: FileHandle;
    try {
      handle = await openOnStick(abs);
    } catch (err) {
      await this.failIfStickGone(err, `open ${abs}`);
      const code = errorCode(err);
      this.reject(
        code === 'ELOOP'
          ? { path: rel, code: 'ingest.symlink', reason: 'Links (shortcuts to other places) are not allowed on an import stick.' }
          : {
              path: rel,
              code: code === 'ENOENT' ? 'ingest.vanished' : 'ingest.unreadable',
              reason: 'Airlock could not open this file on the stick.',
              detail: describe(err),
            },
      );
      return;
    }
    try {
      await this.examineOpenFile(handle, rel, name, stat, atRoot);
    } catch (err) {
      if (err instanceof AirlockError) throw err;
      await this.failIfStickGone(err, `read ${abs}`);
      this.reject({
        path: rel,
        code: 'ingest.unreadable',
        reason: 'Airlock could not read this file on the stick.',
        detail: describe(err),
      });
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private async examineOpenFile(handle: FileHandle, rel: string, name: string, stat: Stats, atRoot: boolean): Promise<void> {
    // The handle must be the very file lstat described: not a link or device swapped in since.
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== stat.ino || opened.dev !== stat.dev || opened.size !== stat.size) {
      this.reject({ path: rel, code: 'ingest.changed', reason: 'The file changed while Airlock was looking at it.' });
      return;
    }
    const size = stat.size;
    const header = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    const verdict = classifyFile(name, header.subarray(0, bytesRead), {
      atRoot,
      heicDecoding: this.options.heicDecoding === true,
    });
    if (!verdict.ok) {
      const entry: RejectedFile = { path: rel, code: verdict.code, reason: verdict.reason, detail: verdict.detail, bytes: size };
      if (verdict.kind) entry.kind = verdict.kind;
      if (verdict.mime) entry.mime = verdict.mime;
      this.reject(entry);
      return;
    }
    const allowed = this.options.allowedTypes;
    const type = (Object.keys(POLICY_MEDIA_TYPES) as PolicyMediaType[]).find((t) => POLICY_MEDIA_TYPES[t] === verdict.format);
    if (allowed && type && !allowed.includes(type)) {
      this.reject({
        path: rel,
        code: 'ingest.type-not-allowed',
        reason: `This kiosk's policy does not accept ${TYPE_WORDS[type]}. It accepts ${allowed.map((t) => TYPE_WORDS[t]).join(', ')}.`,
        detail: `${verdict.format} is not in media.allowedTypes`,
        kind: verdict.kind,
        mime: verdict.mime,
        bytes: size,
      });
      return;
    }
    const maxBytes = this.limits.maxBytes[verdict.kind];
    if (size > maxBytes) {
      this.reject({
        path: rel,
        code: 'ingest.too-large',
        reason: `This ${KIND_NOUN[verdict.kind]} is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}.`,
        params: { bytes: size, limit: maxBytes },
        kind: verdict.kind,
        mime: verdict.mime,
        bytes: size,
      });
      return;
    }
    if (this.totals.acceptedBytes + size > this.limits.maxTotalBytes) {
      this.stop(
        'ingest.too-much-data',
        `The files on this stick add up to more than ${formatBytes(this.limits.maxTotalBytes)}. Airlock stopped looking; import in smaller batches.`,
      );
      return;
    }

    const textCheck = verdict.checkText ? new TextCheck() : undefined;
    const digest = await this.hash(handle, size, rel, textCheck);
    if (digest.bytes !== size) {
      this.reject({ path: rel, code: 'ingest.changed', reason: 'The file changed while Airlock was reading it.' });
      return;
    }
    const text = textCheck?.finish();
    if (text && !text.ok) {
      const manifest = verdict.kind === 'manifest';
      this.reject({
        path: rel,
        code: manifest ? 'ingest.bad-manifest' : 'ingest.bad-text',
        reason:
          text.problem === 'nul'
            ? `This ${manifest ? 'package manifest' : 'caption file'} contains binary data, not just text.`
            : `This ${manifest ? 'package manifest' : 'caption file'} isn't plain UTF-8 text. Save it again as UTF-8.`,
        detail: text.problem,
        kind: verdict.kind,
        bytes: size,
      });
      return;
    }
    this.accepted.push({ path: rel, sha256: digest.sha256, kind: verdict.kind, bytes: size, mime: verdict.mime });
    this.totals.accepted += 1;
    this.totals.acceptedBytes += size;
  }

  /** Streams the file through SHA-256, reading one byte past the expected size to notice growth. */
  private async hash(
    handle: FileHandle,
    size: number,
    rel: string,
    textCheck: TextCheck | undefined,
  ): Promise<{ sha256: string; bytes: number }> {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(HASH_CHUNK_BYTES, size + 1));
    let bytes = 0;
    while (bytes <= size) {
      this.checkCancelled();
      const want = Math.min(buffer.length, size + 1 - bytes);
      const { bytesRead } = await handle.read(buffer, 0, want, bytes);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      textCheck?.push(chunk);
      bytes += bytesRead;
      this.bytesHashed += bytesRead;
      this.options.onProgress?.({ filesExamined: this.totals.filesExamined, bytesHashed: this.bytesHashed, path: rel });
    }
    return { sha256: hash.digest('hex'), bytes };
  }

  /**
   * A failure that means the stick itself is gone ends the scan: reporting every remaining
   * file as "unreadable" would bury the one thing staff need to know.
   */
  private async failIfStickGone(err: unknown, what: string): Promise<void> {
    if (isStickGone(err)) throw stickReadFailed(err, what);
    try {
      await lstat(this.root);
    } catch (rootErr) {
      throw stickReadFailed(rootErr, `${what} (${describe(err)}), then root`);
    }
  }
}

const KIND_NOUN: Record<MediaKind, string> = {
  image: 'photo',
  video: 'video',
  text: 'caption file',
  manifest: 'package manifest',
  signature: 'package signature',
};

function specialFileReason(stat: Stats): string {
  if (stat.isFIFO()) return 'This is a pipe (FIFO), not a file. Special files are not allowed on an import stick.';
  if (stat.isSocket()) return 'This is a socket, not a file. Special files are not allowed on an import stick.';
  if (stat.isBlockDevice() || stat.isCharacterDevice()) {
    return 'This is a device, not a file. Special files are not allowed on an import stick.';
  }
  return 'This is not an ordinary file. Special files are not allowed on an import stick.';
}
