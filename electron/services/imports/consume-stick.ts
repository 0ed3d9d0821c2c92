// "Use once" sticks (policy media.consume): after a successful import, the imported files are
// overwritten and deleted from the stick, and a receipt signed with the kiosk's own key is left
// in their place. Nothing else ever writes to a stick.
import { open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../../common/errors.ts';
import { canonicalJson } from '../package/canonical-json.ts';
import type { SigningKeyPair } from '../package/keys.ts';
import { signManifestBytes } from '../package/signature.ts';

export const RECEIPT_FILE = 'AIRLOCK-RECEIPT.json';
export const RECEIPT_SIGNATURE_FILE = 'AIRLOCK-RECEIPT.sig';

export interface StickReceipt {
  formatVersion: 1;
  kind: 'airlock-import-receipt';
  importSessionId: string;
  importedAt: string;
  kioskName: string;
  packageId: string | null;
  files: { path: string; sha256: string; bytes: number }[];
}

export interface ConsumeResult {
  cleared: string[];
  receipt: string;
}

const ZEROS = Buffer.alloc(1024 * 1024);

function writeFailure(err: unknown, what: string): AirlockError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new AirlockError('ingest.stick-read-only', 'The import is complete, but the stick is write-protected, so Airlock could not clear it. Clear or destroy the stick by hand.', `${what}: ${code}`);
  }
  return new AirlockError('ingest.consume-failed', 'The import is complete, but clearing the stick failed part-way. Clear or destroy the stick by hand.', `${what}: ${(err as Error).message}`);
}

/** Overwrites a file with zeros, flushes it to the stick, then deletes it. */
async function overwriteAndDelete(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    for (let offset = 0; offset < size; offset += ZEROS.length) {
      await handle.write(ZEROS, 0, Math.min(ZEROS.length, size - offset), offset);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await unlink(file);
}

export async function consumeStick(root: string, receipt: StickReceipt, signer: SigningKeyPair): Promise<ConsumeResult> {
  const cleared: string[] = [];
  for (const file of receipt.files) {
    const full = path.join(root, ...file.path.split('/'));
    if (path.relative(root, full).startsWith('..')) continue;
    try {
      await overwriteAndDelete(full);
      cleared.push(file.path);
    } catch (err) {
      throw writeFailure(err, `clearing ${file.path}`);
    }
  }
  const bytes = Buffer.from(canonicalJson(receipt));
  const signature = signManifestBytes(bytes, signer);
  for (const [name, content] of [
    [RECEIPT_FILE, bytes],
    [RECEIPT_SIGNATURE_FILE, Buffer.from(signature)],
  ] as const) {
    const temp = path.join(root, `.${name}.partial`);
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.write(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path.join(root, name));
    } catch (err) {
      await rm(temp, { force: true }).catch(() => {});
      throw writeFailure(err, `writing ${name}`);
    }
  }
  return { cleared, receipt: path.join(root, RECEIPT_FILE) };
}
