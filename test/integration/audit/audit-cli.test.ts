// `airlock audit` as IT uses it, run in-process with captured output against real kiosk
// databases: intact, tampered with, and in use by a running Airlock.

import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliCommand } from '../../../electron/cli/command.ts';
import { auditCommand, createAuditCommand } from '../../../electron/cli/commands/audit.ts';
import { keyPairSigner } from '../../../electron/services/audit/audit-export.ts';
import { AuditLog } from '../../../electron/services/audit/audit-log.ts';
import { exportPrivateKeyPem, formatPublicKey, generateSigningKeyPair } from '../../../electron/services/package/keys.ts';
import { openWorkerStore } from '../../../electron/services/store/store.ts';
import { auditFixture, fill, removeTempDirs, tamper, tempDir } from '../../unit/services/audit/audit-fixtures.ts';

afterEach(removeTempDirs);

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(cwd: string, ...args: string[]): Promise<Run> {
  return runWith(auditCommand, cwd, ...args);
}

async function runWith(command: CliCommand, cwd: string, ...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await command.run(args, { out: (text) => (out += text), err: (text) => (err += text), cwd, env: {} });
  return { code, out, err };
}

/** Every file in the folder with the SHA-256 of its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) files[name] = createHash('sha256').update(await readFile(path.join(dir, name))).digest('hex');
  return files;
}

/** A kiosk data folder with `entries` audit entries, Airlock shut down cleanly. */
async function kiosk(entries: number): Promise<{ dir: string; file: string }> {
  const { dir, file, store } = await auditFixture(entries);
  await store.close();
  return { dir, file };
}

async function keyFiles(dir: string) {
  const keys = generateSigningKeyPair();
  await writeFile(path.join(dir, 'kiosk.key'), exportPrivateKeyPem(keys.privateKey), { mode: 0o600 });
  await writeFile(path.join(dir, 'kiosk.pub'), `${formatPublicKey(keys.publicKey)}\n`);
  return { keys, key: path.join(dir, 'kiosk.key'), pub: path.join(dir, 'kiosk.pub') };
}

describe('airlock audit verify', () => {
  it('reports an intact chain and exits 0', async () => {
    const { dir } = await kiosk(12);
    const result = await run(dir, 'verify', '--data', '.');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^12 entries, chain intact\n {2}head: 12:[0-9a-f]{64}\n$/);
    expect(result.err).toBe('');
  });

  it('prints JSON for scripts', async () => {
    const { dir } = await kiosk(3);
    const result = await run(dir, 'verify', '--data', dir, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ ok: true, entries: 3, head: { seq: 3 }, warnings: [] });
  });

  it('leaves the database bytes and the folder listing exactly as they were', async () => {
    const { dir } = await kiosk(20);
    const before = await snapshot(dir);
    expect(Object.keys(before)).toEqual(['airlock.db']);
    expect((await run(dir, 'verify', '--data', dir)).code).toBe(0);
    expect((await run(dir, 'verify', '--data', dir, '--json')).code).toBe(0);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('while Airlock is running, reads the live log and still changes no file', async () => {
    const dir = await tempDir();
    const store = await openWorkerStore(path.join(dir, 'airlock.db'));
    try {
      await fill(new AuditLog({ store }), 7);
      const before = await snapshot(dir);
      expect(Object.keys(before)).toEqual(['airlock.db', 'airlock.db-shm', 'airlock.db-wal']);
      const result = await run(dir, 'verify', '--data', dir);
      expect(result.out).toContain('7 entries, chain intact');
      const after = await snapshot(dir);
      // The -shm is SQLite's shared index of the WAL, rewritten by every reader; the data is not.
      expect({ ...after, 'airlock.db-shm': '' }).toEqual({ ...before, 'airlock.db-shm': '' });
    } finally {
      await store.close();
    }
  });

  it('after a crash that left a -wal without its -shm, reads it from a private copy', async () => {
    const live = await tempDir();
    const store = await openWorkerStore(path.join(live, 'airlock.db'));
    await fill(new AuditLog({ store }), 5);
    const dir = await tempDir();
    // What a power cut leaves: the database and its write-ahead log, copied as they stand.
    await copyFile(path.join(live, 'airlock.db'), path.join(dir, 'airlock.db'));
    await copyFile(path.join(live, 'airlock.db-wal'), path.join(dir, 'airlock.db-wal'));
    await store.close();
    const before = await snapshot(dir);
    const result = await run(dir, 'verify', '--data', dir);
    expect(result.out).toContain('5 entries, chain intact');
    expect(await snapshot(dir)).toEqual(before);
  });

  it('names the first broken entry and exits 1', async () => {
    const { dir, file } = await kiosk(60);
    tamper(file, (db) => db.prepare(`UPDATE audit_log SET details_json = '{"n":0}' WHERE seq = 42`).run());
    const result = await run(dir, 'verify', '--data', dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain('entry 42 was altered');
    const json = await run(dir, 'verify', '--data', dir, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, firstBroken: 42, reason: 'altered', message: 'entry 42 was altered' });
  });

  it('with --anchor, catches a cut-off tail that the database alone no longer shows', async () => {
    const { dir, file } = await kiosk(10);
    const stick = await tempDir('stick');
    const { key } = await keyFiles(stick);
    expect((await run(dir, 'export', '--data', dir, '--out', path.join(stick, 'march.jsonl'), '--key', key)).code).toBe(0);
    const head = /head: (\d+:[0-9a-f]{64})/.exec((await run(dir, 'verify', '--data', dir)).out)![1]!;
    tamper(file, (db) => {
      db.prepare(`DELETE FROM audit_log WHERE seq > 6`).run();
      db.prepare(`UPDATE sqlite_sequence SET seq = 6 WHERE name = 'audit_log'`).run();
    });
    expect((await run(dir, 'verify', '--data', dir)).code).toBe(0);
    for (const anchor of [path.join(stick, 'march.jsonl'), head]) {
      const result = await run(dir, 'verify', '--data', dir, '--anchor', anchor);
      expect(result.code).toBe(1);
      expect(result.err).toContain('entries from 7 on were removed');
    }
  });

  it('refuses a folder without a database, a database without an audit log, and bad usage', async () => {
    const empty = await tempDir();
    const missing = await run(empty, 'verify', '--data', empty);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('There is no Airlock database');
    expect(await readdir(empty)).toEqual([]);

    const old = new Database(path.join(empty, 'airlock.db'));
    old.pragma('user_version = 1');
    old.exec('CREATE TABLE posts (id TEXT)');
    old.close();
    expect((await run(empty, 'verify', '--data', empty)).err).toContain('no audit log yet');

    expect((await run(empty, 'verify')).code).toBe(2);
    expect((await run(empty, 'verify', '--data', empty, '--bogus')).code).toBe(2);
    expect((await run(empty, 'shred')).code).toBe(2);
    expect((await run(empty)).code).toBe(2);
    expect(await run(empty, '--help')).toMatchObject({ code: 0, out: expect.stringContaining('airlock audit verify --data DIR') });
  });

  it('notices that the audit table was dropped', async () => {
    const { dir, file } = await kiosk(3);
    tamper(file, (db) => db.exec('DROP TABLE audit_log'));
    const result = await run(dir, 'verify', '--data', dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain('The audit log was removed');
  });
});

describe('airlock audit export', () => {
  it('writes a signed export with a key file that verify-export accepts, without touching the database', async () => {
    const { dir } = await kiosk(9);
    const stick = await tempDir('stick');
    const { key, pub, keys } = await keyFiles(stick);
    const before = await snapshot(dir);
    const out = path.join(stick, 'audit-2026-11.jsonl');
    const result = await run(dir, 'export', '--data', dir, '--out', out, '--key', key);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(`Exported 9 entries to ${out}.`);
    expect(result.out).toContain(`Signed by: ${keys.publicKey.fingerprint}`);
    expect(await snapshot(dir)).toEqual(before);

    const checked = await run(stick, 'verify-export', out, '--trust', pub);
    expect(checked.code).toBe(0);
    expect(checked.out).toContain('OK: 9 entries, chain intact');
    expect(checked.out).toContain('(the trusted key)');
    const json = await run(stick, 'verify-export', out, '--trust', formatPublicKey(keys.publicKey), '--json');
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, entries: 9, trusted: true, signer: keys.publicKey.fingerprint });
  });

  it('detects a tampered export and a wrong key', async () => {
    const { dir } = await kiosk(5);
    const stick = await tempDir('stick');
    const { key } = await keyFiles(stick);
    const out = path.join(stick, 'audit.jsonl');
    await run(dir, 'export', '--data', dir, '--out', out, '--key', key);
    const stranger = generateSigningKeyPair();
    const wrongKey = await run(stick, 'verify-export', out, '--trust', formatPublicKey(stranger.publicKey));
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toContain('signed with a different key');

    const lines = (await readFile(out, 'utf8')).split('\n');
    lines[3] = lines[3]!.replace('"kind":"', '"kind":"x');
    await writeFile(out, lines.join('\n'));
    const tampered = await run(stick, 'verify-export', out);
    expect(tampered.code).toBe(1);
    expect(tampered.err).toContain('entry 3 was altered');
  });

  it('uses the injected default signer when --key is absent, and asks for --key when there is none', async () => {
    const { dir } = await kiosk(2);
    const stick = await tempDir('stick');
    expect((await runWith(createAuditCommand(), dir, 'export', '--data', dir, '--out', path.join(stick, 'a.jsonl'))).code).toBe(2);
    const kioskKey = generateSigningKeyPair();
    const withKeychain = createAuditCommand({ defaultSigner: async () => keyPairSigner(kioskKey) });
    const result = await runWith(withKeychain, dir, 'export', '--data', dir, '--out', path.join(stick, 'a.jsonl'));
    expect(result.code).toBe(0);
    expect(result.out).toContain(kioskKey.publicKey.fingerprint);
  });

  it('refuses to sign a damaged log or to overwrite a file, and leaves nothing behind', async () => {
    const { dir, file } = await kiosk(5);
    const stick = await tempDir('stick');
    const { key } = await keyFiles(stick);
    await writeFile(path.join(stick, 'old.jsonl'), 'keep me\n');
    const exists = await run(dir, 'export', '--data', dir, '--out', path.join(stick, 'old.jsonl'), '--key', key);
    expect(exists.code).toBe(1);
    expect(exists.err).toContain('already exists');
    expect(await readFile(path.join(stick, 'old.jsonl'), 'utf8')).toBe('keep me\n');

    tamper(file, (db) => db.prepare(`DELETE FROM audit_log WHERE seq = 2`).run());
    const damaged = await run(dir, 'export', '--data', dir, '--out', path.join(stick, 'new.jsonl'), '--key', key);
    expect(damaged.code).toBe(1);
    expect(damaged.err).toContain('entry 2 is missing');
    expect((await readdir(stick)).sort()).toEqual(['kiosk.key', 'kiosk.pub', 'old.jsonl']);
  });

  it('refuses a key that is not a private key', async () => {
    const { dir } = await kiosk(1);
    const stick = await tempDir('stick');
    const { pub } = await keyFiles(stick);
    const result = await run(dir, 'export', '--data', dir, '--out', path.join(stick, 'a.jsonl'), '--key', pub);
    expect(result.code).toBe(1);
    expect(result.err).toContain('not a usable private key');
  });
});
