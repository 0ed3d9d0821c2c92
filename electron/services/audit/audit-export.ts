// The signed audit export IT takes away for records: JSON Lines of every entry, closed by a
// trailer signed with Ed25519, written atomically so a pulled stick never holds half a file.
// verifyAuditExport checks one anywhere, with no database. The format is in FORMAT.md.
import { createHash, randomUUID, sign, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../../common/errors.ts';
import { canonicalJson } from '../package/canonical-json.ts';
import { decodeStrictBase64, parsePublicKey, samePublicKey } from '../package/keys.ts';
import type { PackagePublicKey, SigningKeyPair } from '../package/keys.ts';
import { AuditChainChecker, GENESIS_HASH, describeAuditBreak, type AuditBreakReason, type AuditHead, type AuditRow } from './audit-chain.ts';

export const EXPORT_FORMAT = 'airlock-audit-export';
export const EXPORT_VERSION = 1;

/** Signs exports. A key file today; the kiosk key in the OS keychain implements the same. */
export interface AuditSigner {
  readonly publicKey: PackagePublicKey;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export function keyPairSigner(keys: SigningKeyPair): AuditSigner {
  return {
    publicKey: keys.publicKey,
    sign: async (message) => new Uint8Array(sign(null, message, keys.privateKey)),
  };
}

/** Where an export reads entries from: the store in the app, a read-only database in the CLI. */
export interface AuditRowSource {
  head(): Promise<AuditHead | null>;
  page(afterSeq: number, limit: number): Promise<AuditRow[]>;
}

export interface AuditExportSummary {
  file: string;
  entries: number;
  head: AuditHead | null;
  /** SHA-256 of every byte before the trailer. */
  contentSha256: string;
  signer: string;
}

interface Trailer {
  type: 'trailer';
  entries: number;
  head_seq: number;
  head_hash: string;
  content_sha256: string;
  key_fingerprint: string;
  public_key: string;
  signature: string;
}

const PAGE_SIZE = 500;

function exportFailed(file: string, err: unknown): AirlockError {
  if (err instanceof AirlockError) return err;
  return new AirlockError('audit.export-failed', `Airlock could not write the audit export to ${file}.`, err instanceof Error ? err.message : String(err));
}

function entryLine(row: AuditRow): string {
  return `${canonicalJson({ type: 'entry', ...row })}\n`;
}

/** The bytes the trailer's signature covers: the trailer itself, without its signature. */
function signedStatement(trailer: Omit<Trailer, 'signature'>): Buffer {
  return Buffer.from(canonicalJson(trailer), 'utf8');
}

/**
 * Writes every entry up to the current head. Refuses a broken chain: a signature says "this
 * is the kiosk's intact log", and a broken log is evidence to be copied as it is, not vouched
 * for. Never overwrites an existing file, so last month's export on a stick stays.
 */
export async function writeAuditExport(source: AuditRowSource, outFile: string, signer: AuditSigner, now: () => Date = () => new Date()): Promise<AuditExportSummary> {
  if (await pathExists(outFile)) throw new AirlockError('audit.export-exists', `${outFile} already exists. Airlock does not overwrite an export; choose another file name.`);
  const head = await source.head();
  const temp = path.join(path.dirname(outFile), `.${path.basename(outFile)}.${randomUUID()}.partial`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', 0o644);
  } catch (err) {
    throw exportFailed(outFile, err);
  }
  const out = handle;
  let renamed = false;
  try {
    const content = createHash('sha256');
    const write = async (text: string) => {
      content.update(text, 'utf8');
      await out.write(text);
    };
    await write(`${canonicalJson({ type: 'header', format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: now().toISOString() })}\n`);
    const checker = new AuditChainChecker();
    let afterSeq = 0;
    const last = head?.seq ?? 0;
    while (afterSeq < last) {
      const rows = await source.page(afterSeq, Math.min(PAGE_SIZE, last - afterSeq));
      if (rows.length === 0) break;
      for (const row of rows) {
        // The caller verified the log first; this catches a change made while we read it.
        const fault = checker.push(row);
        if (fault) throw new AirlockError('audit.chain-broken', `The audit log is damaged (${describeAuditBreak(fault)}). Airlock will not sign it.`, fault.detail);
        await write(entryLine(row));
      }
      afterSeq = rows[rows.length - 1]!.seq;
    }
    if (checker.checked !== last || (head !== null && checker.head?.hash !== head.hash)) {
      throw new AirlockError('audit.chain-broken', 'The audit log changed while it was being exported. Try again.', `read ${checker.checked} of ${last} entries`);
    }
    const contentSha256 = content.digest('hex');
    const unsigned: Omit<Trailer, 'signature'> = {
      type: 'trailer',
      entries: checker.checked,
      head_seq: head?.seq ?? 0,
      head_hash: head?.hash ?? GENESIS_HASH,
      content_sha256: contentSha256,
      key_fingerprint: signer.publicKey.fingerprint,
      public_key: signer.publicKey.text,
    };
    const signature = Buffer.from(await signer.sign(signedStatement(unsigned))).toString('base64');
    await out.write(`${canonicalJson({ ...unsigned, signature })}\n`);
    await out.sync();
    await out.close();
    handle = undefined;
    await rename(temp, outFile);
    renamed = true;
    await syncDirectory(path.dirname(outFile));
    return { file: outFile, entries: checker.checked, head, contentSha256, signer: signer.publicKey.fingerprint };
  } catch (err) {
    throw exportFailed(outFile, err);
  } finally {
    await handle?.close().catch(() => undefined); // already failing; the first error is the one reported
    if (!renamed) await unlink(temp).catch(() => undefined); // best effort: the export itself already failed
  }
}

async function pathExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw exportFailed(file, err);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Windows and some USB file systems cannot fsync a directory; the file itself is synced.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

export type AuditExportCheck =
  | {
      ok: true;
      entries: number;
      head: AuditHead | null;
      exportedAt: string;
      signer: PackagePublicKey;
      /** True only when a trusted key was given and it signed the export. */
      trusted: boolean;
    }
  | {
      ok: false;
      reason: AuditBreakReason | 'malformed' | 'bad-signature' | 'untrusted-key';
      /** The first entry that does not hold, when the fault is in an entry. */
      firstBroken?: number;
      /** 1-based line of the file, when the fault is on one line. */
      line?: number;
      message: string;
      detail: string;
    };

const MAX_LINE_BYTES = 256 * 1024;

/** Lines of a file as raw bytes (without the newline), and whether the last one was ended. */
async function* rawLines(file: string): AsyncGenerator<{ bytes: Buffer; ended: boolean }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, i));
      yield { bytes: Buffer.concat(pending), ended: true };
      pending = [];
      pendingBytes = 0;
      start = i + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) throw new Error(`a line is longer than ${MAX_LINE_BYTES} bytes`);
    }
  }
  if (pendingBytes > 0) yield { bytes: Buffer.concat(pending), ended: false };
}

const HEX64 = /^[0-9a-f]{64}$/;

function asRow(value: Record<string, unknown>): AuditRow | null {
  const { seq, at, actor, actor_name, kind, subject, details_json, prev_hash, hash } = value;
  const text = (v: unknown) => typeof v === 'string';
  if (Object.keys(value).length !== 9 || !Number.isSafeInteger(seq) || (seq as number) < 1) return null;
  if (!text(at) || !text(actor) || !text(actor_name) || !text(kind) || !(subject === null || text(subject)) || !text(details_json)) return null;
  if (!text(prev_hash) || !HEX64.test(prev_hash as string) || !text(hash) || !HEX64.test(hash as string)) return null;
  return value as unknown as AuditRow;
}

/**
 * Checks an export: every line canonical, the chain intact from entry 1, the trailer's counts
 * and content hash right, and its signature valid. Given a trusted key, the signer must be it;
 * without one, `signer` says who signed and the caller compares the fingerprint.
 */
export async function verifyAuditExport(file: string, trustedKey?: PackagePublicKey): Promise<AuditExportCheck> {
  type Failure = Extract<AuditExportCheck, { ok: false }>;
  const fail = (reason: Failure['reason'], message: string, detail: string, where: { line?: number; firstBroken?: number } = {}): Failure => ({ ok: false, reason, message, detail, ...where });

  const content = createHash('sha256');
  const checker = new AuditChainChecker();
  let chainFault: ReturnType<AuditChainChecker['push']> = null;
  let faultLine = 0;
  let missingSeq: number | null = null;
  let missingSeenLater = false;
  let header: Record<string, unknown> | null = null;
  let previous: { text: string; bytes: Buffer; number: number } | null = null;
  let lineNumber = 0;
  let lastEnded = true;

  try {
    for await (const { bytes, ended } of rawLines(file)) {
      lineNumber++;
      lastEnded = ended;
      // Everything but the last line is content; the last line must be the trailer.
      if (previous !== null) {
        content.update(previous.bytes);
        content.update('\n');
        const value = parseCanonical(previous.text);
        if (value === null) return fail('malformed', 'The export file is damaged.', `line ${previous.number} is not canonical JSON`, { line: previous.number });
        if (previous.number === 1) {
          if (value.type !== 'header' || value.format !== EXPORT_FORMAT || value.version !== EXPORT_VERSION || typeof value.exported_at !== 'string') {
            return fail('malformed', 'This is not an Airlock audit export.', `line 1 is not an ${EXPORT_FORMAT} version ${EXPORT_VERSION} header`, { line: 1 });
          }
          header = value;
        } else {
          if (value.type !== 'entry') {
            return fail(value.type === 'trailer' ? 'altered' : 'malformed', 'The export file is damaged.', `line ${previous.number} should be an entry`, { line: previous.number });
          }
          const { type: _type, ...fields } = value;
          const row = asRow(fields);
          if (row === null) return fail('malformed', 'The export file is damaged.', `line ${previous.number} is not a well-formed entry`, { line: previous.number });
          if (chainFault === null) {
            chainFault = checker.push(row);
            if (chainFault !== null) {
              faultLine = previous.number;
              if (chainFault.reason === 'missing') missingSeq = chainFault.firstBroken;
            }
          } else if (row.seq === missingSeq) {
            missingSeenLater = true;
          }
        }
      }
      previous = { text: bytes.toString('utf8'), bytes, number: lineNumber };
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail('malformed', code === 'ENOENT' ? `${file} does not exist.` : `Airlock cannot read ${file}.`, err instanceof Error ? err.message : String(err));
  }

  if (previous === null || header === null) {
    return fail('truncated', 'The export file is incomplete: it has no signed trailer.', `${lineNumber} line(s)`);
  }
  if (chainFault !== null) {
    const reason = chainFault.reason === 'missing' && missingSeenLater ? 'reordered' : chainFault.reason;
    const firstBroken = chainFault.firstBroken;
    return fail(reason, `The export does not hold the log as it was: ${describeAuditBreak({ firstBroken, reason })}.`, chainFault.detail, { firstBroken, line: faultLine });
  }
  const trailer = parseCanonical(previous.text);
  if (trailer === null || trailer.type !== 'trailer' || !lastEnded) {
    return fail('truncated', 'The export file is incomplete: it does not end with its signed trailer.', `line ${previous.number} is not a complete trailer`, { line: previous.number });
  }
  const t = trailer as Partial<Trailer>;
  if (
    !Number.isSafeInteger(t.entries) ||
    !Number.isSafeInteger(t.head_seq) ||
    typeof t.head_hash !== 'string' ||
    typeof t.content_sha256 !== 'string' ||
    typeof t.key_fingerprint !== 'string' ||
    typeof t.public_key !== 'string' ||
    typeof t.signature !== 'string' ||
    Object.keys(trailer).length !== 8
  ) {
    return fail('malformed', 'The export file is damaged.', 'the trailer is missing fields', { line: previous.number });
  }

  let signer: PackagePublicKey;
  try {
    signer = parsePublicKey(t.public_key);
  } catch (err) {
    return fail('bad-signature', 'The export\'s signature is damaged.', `public key: ${err instanceof Error ? err.message : String(err)}`, { line: previous.number });
  }
  const signature = decodeStrictBase64(t.signature, 64);
  const { signature: _signature, ...unsigned } = t as Trailer;
  if (signature === null || signer.fingerprint !== t.key_fingerprint || !verify(null, signedStatement(unsigned), signer.keyObject, signature)) {
    return fail('bad-signature', 'The export\'s signature is not valid: the file was changed after it was signed.', `trailer signature does not verify for ${signer.fingerprint}`, { line: previous.number });
  }

  const head = checker.head;
  if (t.entries! > checker.checked || t.head_seq! > (head?.seq ?? 0)) {
    return fail('truncated', `The export was cut short: entries from ${checker.checked + 1} on are missing.`, `the trailer lists ${t.entries} entries; the file holds ${checker.checked}`, {
      firstBroken: checker.checked + 1,
    });
  }
  if (t.entries !== checker.checked || t.head_seq !== (head?.seq ?? 0) || t.head_hash !== (head?.hash ?? GENESIS_HASH)) {
    return fail('altered', 'The export holds entries its signature does not cover.', `the trailer lists ${t.entries} entries ending at ${t.head_hash}; the file holds ${checker.checked}`);
  }
  if (t.content_sha256 !== content.digest('hex')) {
    return fail('altered', 'The export was changed after it was signed.', 'the content hash in the trailer does not match the file');
  }
  if (trustedKey !== undefined && !samePublicKey(trustedKey, signer)) {
    return fail('untrusted-key', `The export was signed with a different key (${signer.fingerprint}) from the one given.`, `expected ${trustedKey.fingerprint}`);
  }
  return { ok: true, entries: checker.checked, head, exportedAt: header!.exported_at as string, signer, trusted: trustedKey !== undefined };
}

/** A JSON object whose text is exactly its canonical form, so no two readers can disagree. */
function parseCanonical(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  try {
    return canonicalJson(value) === text ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // fractions or exponents: never written by Airlock
  }
}
