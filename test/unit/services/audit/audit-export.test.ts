import { createHash, verify } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../../electron/services/package/canonical-json.ts';
import { generateSigningKeyPair, parsePublicKey } from '../../../../electron/services/package/keys.ts';
import { auditEntryHash } from '../../../../electron/services/audit/audit-chain.ts';
import { keyPairSigner, verifyAuditExport, type AuditSigner } from '../../../../electron/services/audit/audit-export.ts';
import { auditFixture, removeTempDirs, tamper, tempDir } from './audit-fixtures.ts';

afterEach(removeTempDirs);

const keys = generateSigningKeyPair();
const signer = keyPairSigner(keys);

async function exported(entries = 6) {
  const fixture = await auditFixture(entries);
  const out = path.join(await tempDir('stick'), 'audit.jsonl');
  const summary = await fixture.log.export(out, signer);
  await fixture.store.close();
  const lines = (await readFile(out, 'utf8')).split('\n').slice(0, -1);
  return { ...fixture, out, summary, lines };
}

async function rewrite(file: string, lines: string[]): Promise<void> {
  await writeFile(file, `${lines.join('\n')}\n`);
}

describe('AuditLog.export', () => {
  it('writes a header, one canonical line per entry and a trailer signed over the SHA-256 of the rest', async () => {
    const { out, summary, lines } = await exported(6);
    expect(summary).toMatchObject({ file: out, entries: 6, head: { seq: 6 }, signer: keys.publicKey.fingerprint });
    expect(lines).toHaveLength(8);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'header', format: 'airlock-audit-export', version: 1, exported_at: expect.any(String) });
    const entry = JSON.parse(lines[3]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ type: 'entry', seq: 3, actor: expect.any(String), details_json: expect.any(String) });
    const { type: _type, hash, ...content } = entry;
    expect(auditEntryHash(content as Parameters<typeof auditEntryHash>[0])).toBe(hash);

    // An independent check, with nothing but node:crypto and the documented format.
    const trailer = JSON.parse(lines[7]!) as Record<string, string | number>;
    const body = `${lines.slice(0, 7).join('\n')}\n`;
    expect(trailer.content_sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(trailer.key_fingerprint).toBe(keys.publicKey.fingerprint);
    const { signature, ...unsigned } = trailer;
    expect(verify(null, Buffer.from(canonicalJson(unsigned)), parsePublicKey(String(trailer.public_key)).keyObject, Buffer.from(String(signature), 'base64'))).toBe(true);
  });

  it('round-trips through verifyExport, trusted when the expected key is given', async () => {
    const { out, summary } = await exported(6);
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: true, entries: 6, head: summary.head, trusted: true });
    const unchecked = await verifyAuditExport(out);
    expect(unchecked).toMatchObject({ ok: true, trusted: false });
    expect(unchecked.ok && unchecked.signer.fingerprint).toBe(keys.publicKey.fingerprint);
  });

  it('exports an empty log', async () => {
    const { out, lines } = await exported(0);
    expect(lines).toHaveLength(2);
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: true, entries: 0, head: null });
  });

  it('uses whatever signer it is given (the kiosk key in the keychain, later)', async () => {
    const other = generateSigningKeyPair();
    let signed = 0;
    const injected: AuditSigner = {
      publicKey: other.publicKey,
      sign: async (message) => {
        signed++;
        return keyPairSigner(other).sign(message);
      },
    };
    const { store, log } = await auditFixture(2);
    const out = path.join(await tempDir('stick'), 'a.jsonl');
    await log.export(out, injected);
    await store.close();
    expect(signed).toBe(1);
    expect(await verifyAuditExport(out, other.publicKey)).toMatchObject({ ok: true, trusted: true });
  });

  it('writes atomically and never overwrites an earlier export', async () => {
    const { store, log, out } = await (async () => {
      const fixture = await auditFixture(3);
      return { ...fixture, out: path.join(await tempDir('stick'), 'audit.jsonl') };
    })();
    await writeFile(out, 'last month\n');
    await expect(log.export(out, signer)).rejects.toMatchObject({ code: 'audit.export-exists' });
    expect(await readFile(out, 'utf8')).toBe('last month\n');
    const fresh = path.join(path.dirname(out), 'fresh.jsonl');
    const failing: AuditSigner = { publicKey: keys.publicKey, sign: async () => Promise.reject(new Error('keychain locked')) };
    await expect(log.export(fresh, failing)).rejects.toMatchObject({ code: 'audit.export-failed' });
    // Nothing half-written is left beside it.
    expect(await readdir(path.dirname(out))).toEqual(['audit.jsonl']);
    await store.close();
  });

  it('refuses to sign a damaged log', async () => {
    const { file, store } = await auditFixture(4);
    await store.close();
    tamper(file, (db) => db.prepare(`UPDATE audit_log SET actor = 'staff-mallory' WHERE seq = 2`).run());
    const { openInlineStore } = await import('../../../../electron/services/store/store.ts');
    const { AuditLog } = await import('../../../../electron/services/audit/audit-log.ts');
    const reopened = openInlineStore(file);
    const dir = await tempDir('stick');
    await expect(new AuditLog({ store: reopened }).export(path.join(dir, 'a.jsonl'), signer)).rejects.toMatchObject({
      code: 'audit.chain-broken',
      message: expect.stringContaining('entry 2 was altered'),
    });
    expect(await readdir(dir)).toEqual([]);
    await reopened.close();
  });
});

describe('verifyAuditExport detects a tampered export', () => {
  it('an edited entry line: names the entry', async () => {
    const { out, lines } = await exported(6);
    lines[4] = lines[4]!.replace(/"actor_name":"[^"]*"/, '"actor_name":"Somebody Else"');
    await rewrite(out, lines);
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: false, reason: 'altered', firstBroken: 4, line: 5 });
  });

  it('an edited line with its hash recomputed: the chain or the content hash still catches it', async () => {
    const { out, lines } = await exported(6);
    const entry = JSON.parse(lines[6]!) as Record<string, unknown>; // the last entry, seq 6
    const { type: _type, hash: _hash, ...content } = entry;
    const forged = { ...content, details_json: '{"n":600}' } as Parameters<typeof auditEntryHash>[0];
    lines[6] = canonicalJson({ type: 'entry', ...forged, hash: auditEntryHash(forged) });
    await rewrite(out, lines);
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: false, reason: 'altered' });
  });

  it('a removed entry line: that entry is missing', async () => {
    const { out, lines } = await exported(6);
    lines.splice(3, 1);
    await rewrite(out, lines);
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: false, reason: 'missing', firstBroken: 3 });
  });

  it('two entry lines swapped: out of order', async () => {
    const { out, lines } = await exported(6);
    [lines[2], lines[3]] = [lines[3]!, lines[2]!];
    await rewrite(out, lines);
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: false, reason: 'reordered', firstBroken: 2 });
  });

  it('the last entries cut off, trailer kept: truncated', async () => {
    const { out, lines } = await exported(6);
    lines.splice(5, 2);
    await rewrite(out, lines);
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: false, reason: 'truncated', firstBroken: 5 });
  });

  it('the trailer missing or cut mid-line: truncated', async () => {
    const { out, lines } = await exported(3);
    await rewrite(out, lines.slice(0, -1));
    expect(await verifyAuditExport(out)).toMatchObject({ ok: false, reason: 'truncated' });
    await writeFile(out, `${lines.slice(0, -1).join('\n')}\n${lines.at(-1)!.slice(0, 40)}`);
    expect(await verifyAuditExport(out)).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('a changed header or trailer field: the content hash or the signature fails', async () => {
    const { out, lines } = await exported(3);
    const original = [...lines];
    lines[0] = lines[0]!.replace(/"exported_at":"[^"]*"/, '"exported_at":"2020-01-01T00:00:00.000Z"');
    await rewrite(out, lines);
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: false, reason: 'altered' });
    const trailer = JSON.parse(original.at(-1)!) as Record<string, unknown>;
    original[original.length - 1] = canonicalJson({ ...trailer, entries: 2 });
    await rewrite(out, original);
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('an export signed with another key: refused when the expected key is given', async () => {
    const { out } = await exported(3);
    const stranger = generateSigningKeyPair();
    expect(await verifyAuditExport(out, stranger.publicKey)).toMatchObject({ ok: false, reason: 'untrusted-key' });
  });

  it('a forgery re-signed by someone else: refused against the trusted key', async () => {
    const { out, lines } = await exported(3);
    const mallory = generateSigningKeyPair();
    lines[1] = lines[1]!.replace(/"actor_name":"[^"]*"/, '"actor_name":"Somebody Else"');
    // Recompute the whole chain and trailer as a careful forger would.
    let prev = '0'.repeat(64);
    const body: string[] = [lines[0]!];
    for (const line of lines.slice(1, -1)) {
      const { type: _type, hash: _hash, ...content } = JSON.parse(line) as Record<string, unknown>;
      const row = { ...content, prev_hash: prev } as Parameters<typeof auditEntryHash>[0];
      prev = auditEntryHash(row);
      body.push(canonicalJson({ type: 'entry', ...row, hash: prev }));
    }
    const unsigned = {
      type: 'trailer',
      entries: 3,
      head_seq: 3,
      head_hash: prev,
      content_sha256: createHash('sha256').update(`${body.join('\n')}\n`).digest('hex'),
      key_fingerprint: mallory.publicKey.fingerprint,
      public_key: mallory.publicKey.text,
    };
    const signature = Buffer.from(await keyPairSigner(mallory).sign(Buffer.from(canonicalJson(unsigned)))).toString('base64');
    await rewrite(out, [...body, canonicalJson({ ...unsigned, signature })]);
    expect(await verifyAuditExport(out)).toMatchObject({ ok: true, trusted: false });
    expect(await verifyAuditExport(out, keys.publicKey)).toMatchObject({ ok: false, reason: 'untrusted-key' });
  });

  it('not an export at all, or no file: a plain refusal', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'notes.txt'), 'hello\nworld\n');
    expect(await verifyAuditExport(path.join(dir, 'notes.txt'))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verifyAuditExport(path.join(dir, 'absent.jsonl'))).toMatchObject({ ok: false, reason: 'malformed', message: expect.stringContaining('does not exist') });
  });
});
