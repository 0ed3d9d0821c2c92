// `airlock audit export` on a kiosk: signed by default with the kiosk key from the real OS
// keychain (gnome-keyring on a private D-Bus session), checked with `verify-export --trust`,
// and any single changed byte makes the check fail with the problem named.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliCommand } from '../../../electron/cli/command.ts';
import { auditCommand } from '../../../electron/cli/commands/audit.ts';
import { formatPublicKey, parsePublicKey } from '../../../electron/services/package/keys.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { Vault } from '../../../electron/services/vault/vault.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { auditFixture, removeTempDirs, tempDir } from '../../unit/services/audit/audit-fixtures.ts';

let keyring: KeyringSession;

beforeAll(async () => {
  keyring = await startKeyringSession();
});
afterAll(async () => {
  await keyring?.stop();
});
afterEach(removeTempDirs);

interface Run {
  code: number;
  out: string;
  err: string;
}

async function runWith(command: CliCommand, cwd: string, ...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await command.run(args, { out: (text) => (out += text), err: (text) => (err += text), cwd, env: {} });
  return { code, out, err };
}

async function kiosk(entries: number): Promise<string> {
  const { dir, store } = await auditFixture(entries);
  await store.close();
  return dir;
}

/** Every file under `dir`, as text. */
async function allText(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(path.join(entry.parentPath, entry.name), 'latin1'));
  }
  return parts.join('\n');
}

describe('airlock audit export with the kiosk key', () => {
  it('refuses when the keychain has no kiosk key, and creates none', async () => {
    const dir = await kiosk(3);
    const stick = await tempDir('stick');
    const result = await runWith(auditCommand, dir, 'export', '--data', dir, '--out', path.join(stick, 'audit.jsonl'));
    expect(result.code).toBe(1);
    expect(result.err).toContain('has no Airlock kiosk key');
    expect(await readdir(stick)).toEqual([]);
    expect(await new KeychainSecretStore().get('kiosk:signing-key')).toBeNull();
  });

  it('signs with the kiosk key from the keychain; verify-export trusts it and names a changed byte', async () => {
    // The key Airlock made for stick receipts, kept only in the keychain.
    const kioskKey = await new Vault(new KeychainSecretStore()).kioskSigningKey();
    const publicKey = parsePublicKey(kioskKey.publicKeyPem);
    const privatePem = kioskKey.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');

    const dir = await kiosk(8);
    const stick = await tempDir('stick');
    const out = path.join(stick, 'audit.jsonl');
    const exported = await runWith(auditCommand, dir, 'export', '--data', dir, '--out', out);
    expect(exported).toMatchObject({ code: 0, err: '' });
    expect(exported.out).toContain(`Signed by: ${publicKey.fingerprint}`);

    // The public key and fingerprint travel in the trailer; the private key goes nowhere.
    const trailer = JSON.parse((await readFile(out, 'utf8')).trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
    expect(trailer).toMatchObject({ type: 'trailer', key_fingerprint: publicKey.fingerprint });
    expect(parsePublicKey(String(trailer.public_key)).fingerprint).toBe(publicKey.fingerprint);
    const written = `${await allText(stick)}\n${await allText(dir)}`;
    expect(written).not.toContain('PRIVATE KEY');
    expect(written).not.toContain(privatePem.slice(-40, -4));

    const trust = formatPublicKey(publicKey);
    const verified = await runWith(auditCommand, stick, 'verify-export', out, '--trust', trust);
    expect(verified.code).toBe(0);
    expect(verified.out).toContain('(the trusted key)');

    // One byte changed anywhere (here inside an entry's text) breaks it.
    const bytes = await readFile(out);
    const at = bytes.indexOf('"kind":"') + 9;
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(out, bytes);
    const tampered = await runWith(auditCommand, stick, 'verify-export', out, '--trust', trust);
    expect(tampered.code).toBe(1);
    expect(tampered.err).toMatch(/^NOT OK: .*entry \d+ was altered/);
  });
});
