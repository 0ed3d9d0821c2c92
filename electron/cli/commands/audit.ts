// `airlock audit`: IT's tools for the audit log. `verify` checks the hash chain of a kiosk's
// database without changing a byte of it; `export` writes a signed copy for records (to a USB
// stick, say); `verify-export` checks such a copy anywhere. Exit codes: 0 ok, 1 not ok, 2 usage.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { AirlockError, toErrorValue } from '../../../common/errors.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { parsePublicKey, PUBLIC_KEY_PREFIX, readPrivateKeyFile, readPublicKeyFile } from '../../services/package/keys.ts';
import type { PackagePublicKey } from '../../services/package/keys.ts';
import { describeAuditBreak, GENESIS_HASH, type AuditHead, type AuditVerifyResult } from '../../services/audit/audit-chain.ts';
import { keyPairSigner, verifyAuditExport, writeAuditExport, type AuditSigner } from '../../services/audit/audit-export.ts';
import { auditTableState, databaseRowSource, verifyAuditChain } from '../../services/audit/audit-repositories.ts';
import { openDatabaseReadOnly } from '../../services/audit/read-only-database.ts';
import type { Db } from '../../services/store/database.ts';
import { KeychainSecretStore, type SecretStore } from '../../services/vault/secret-store.ts';
import { Vault } from '../../services/vault/vault.ts';

/** The database file inside the folder given with --data. */
export const DATABASE_FILE = 'airlock.db';

const USAGE = `Usage:
  airlock audit verify --data DIR [--anchor EXPORT | --anchor SEQ:HASH] [--json]
  airlock audit export --data DIR --out FILE [--key KEYFILE]
  airlock audit verify-export FILE [--trust KEY] [--json]

verify         Checks that no entry of the audit log in DIR/${DATABASE_FILE} was altered, removed
               or reordered. Reads only: the database and its folder are left exactly as they were.
  --anchor     a previous signed export, or the head it printed (SEQ:HASH); also proves that
               no entry up to that point was cut off or rewritten since.
  --json       print the result as JSON
export         Writes every entry to FILE (JSON Lines) with a trailer signed by this kiosk's own
               key, read from the OS keychain (the key stick receipts are signed with), and
               carrying its public key and fingerprint. Refuses a damaged log and never
               overwrites FILE.
  --key        sign with this private key file instead (PKCS#8 PEM, as airlock keygen writes),
               for a copy of the database on a machine that is not the kiosk
verify-export  Checks a signed export file.
  --trust      the public key (.pub file or "${PUBLIC_KEY_PREFIX} ...") the export must be signed with
Exit status: 0 ok, 1 the log or export is not intact (the first broken entry is named), 2 bad usage.
`;

export interface AuditCommandOptions {
  /** Signs exports when --key is absent: the kiosk's own key from the OS keychain. */
  defaultSigner?: () => Promise<AuditSigner>;
  now?: () => Date;
}

/**
 * The keychain as the export sees it: it may read the kiosk key but never create or change
 * anything. A kiosk that has no key yet has signed nothing, and a key made now (perhaps in
 * the wrong user's keychain) would vouch for nothing anyone could check.
 */
function readOnlyKeychain(store: SecretStore): SecretStore {
  const refuse = (): never => {
    throw new AirlockError(
      'audit.no-kiosk-key',
      'This computer\'s keychain has no Airlock kiosk key, so the export cannot be signed with it. Run the export as the kiosk user on the kiosk, or sign with --key KEYFILE.',
      'the kiosk signing key is made the first time Airlock signs a stick receipt; none was found under this keychain service',
    );
  };
  return { get: (key) => store.get(key), set: async () => refuse(), delete: async () => refuse(), probe: () => store.probe() };
}

/**
 * Signs with the kiosk's Ed25519 key from the OS keychain. The private half stays in this
 * process's memory; only the public key and its fingerprint go into the export.
 */
export async function kioskKeychainSigner(store: SecretStore = new KeychainSecretStore()): Promise<AuditSigner> {
  const key = await new Vault(readOnlyKeychain(store)).kioskSigningKey();
  return keyPairSigner({ privateKey: key.privateKey, publicKey: parsePublicKey(key.publicKeyPem) });
}

function usageError(io: CliIO, message: string): number {
  io.err(`${message}\n\n${USAGE}`);
  return 2;
}

function report(io: CliIO, err: unknown, json = false): number {
  const value = toErrorValue(err);
  if (json) io.out(`${JSON.stringify({ ok: false, error: value }, null, 2)}\n`);
  else io.err(`NOT OK: ${value.message}\n${value.detail === undefined ? '' : `Detail: ${value.detail}\n`}`);
  return 1;
}

function tryParse<T>(io: CliIO, parse: () => T): T | null {
  try {
    return parse();
  } catch (err) {
    usageError(io, err instanceof Error ? err.message : String(err));
    return null;
  }
}

const HEAD_PATTERN = /^(\d{1,15}):([0-9a-f]{64})$/;

async function loadAnchor(value: string, cwd: string): Promise<AuditHead> {
  const match = HEAD_PATTERN.exec(value);
  if (match) return { seq: Number(match[1]), hash: match[2]! };
  const check = await verifyAuditExport(path.resolve(cwd, value));
  if (!check.ok) throw new AirlockError('audit.bad-anchor', `The export given with --anchor cannot be used: ${check.message}`, check.detail);
  return check.head ?? { seq: 0, hash: GENESIS_HASH };
}

async function loadTrustedKey(value: string, cwd: string): Promise<PackagePublicKey> {
  const trimmed = value.trim();
  if (trimmed.startsWith(`${PUBLIC_KEY_PREFIX} `) || trimmed.startsWith('-----BEGIN')) return parsePublicKey(trimmed);
  return readPublicKeyFile(path.resolve(cwd, value));
}

/** Opens DIR/airlock.db read-only and runs `use` on it, when it holds an audit log. */
async function withAuditDatabase<T>(dataDir: string, use: (db: Db) => Promise<T>): Promise<T> {
  const opened = await openDatabaseReadOnly(path.join(dataDir, DATABASE_FILE));
  try {
    const state = auditTableState(opened.db);
    if (state === 'not-yet') throw new AirlockError('audit.no-log', 'This Airlock database has no audit log yet: it was last opened by an older version of Airlock.');
    if (state === 'removed') throw new AirlockError('audit.log-removed', 'The audit log was removed from this database.', 'the database schema includes the audit log, but its table is gone');
    return await use(opened.db);
  } finally {
    await opened.close();
  }
}

function verifiedLines(result: Extract<AuditVerifyResult, { ok: true }>): string {
  const lines = [`${result.entries} ${result.entries === 1 ? 'entry' : 'entries'}, chain intact`];
  // IT can write the head down (or keep the export); --anchor checks against it later.
  if (result.head !== null) lines.push(`  head: ${result.head.seq}:${result.head.hash}`);
  for (const warning of result.warnings) lines.push(`  warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

async function runVerify(args: string[], io: CliIO): Promise<number> {
  const parsed = tryParse(io, () =>
    parseArgs({ args, options: { data: { type: 'string' }, anchor: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: true }),
  );
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usageError(io, `Unexpected argument ${positionals[0]}.`);
  if (typeof values.data !== 'string' || values.data === '') return usageError(io, 'Say where Airlock keeps its data with --data DIR.');
  const json = values.json === true;
  try {
    const anchor = typeof values.anchor === 'string' ? await loadAnchor(values.anchor, io.cwd) : null;
    const result = await withAuditDatabase(path.resolve(io.cwd, values.data), async (db) => verifyAuditChain(db, { anchor }));
    if (result.ok) {
      io.out(json ? `${JSON.stringify(result, null, 2)}\n` : verifiedLines(result));
      return 0;
    }
    const message = describeAuditBreak(result);
    if (json) io.out(`${JSON.stringify({ ...result, message }, null, 2)}\n`);
    else io.err(`NOT OK: ${message}.\nDetail: ${result.detail}\n`);
    return 1;
  } catch (err) {
    return report(io, err, json);
  }
}

async function runExport(args: string[], io: CliIO, options: AuditCommandOptions): Promise<number> {
  const parsed = tryParse(io, () =>
    parseArgs({ args, options: { data: { type: 'string' }, out: { type: 'string' }, key: { type: 'string' } }, strict: true, allowPositionals: true }),
  );
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usageError(io, `Unexpected argument ${positionals[0]}.`);
  if (typeof values.data !== 'string' || values.data === '') return usageError(io, 'Say where Airlock keeps its data with --data DIR.');
  if (typeof values.out !== 'string' || values.out === '') return usageError(io, 'Say where to write the export with --out FILE.');
  let signer: AuditSigner;
  try {
    if (typeof values.key === 'string') signer = keyPairSigner(await readPrivateKeyFile(path.resolve(io.cwd, values.key)));
    else if (options.defaultSigner) signer = await options.defaultSigner();
    else return usageError(io, 'Say which key signs the export with --key KEYFILE.');
  } catch (err) {
    return report(io, err);
  }
  const outFile = path.resolve(io.cwd, values.out);
  try {
    const summary = await withAuditDatabase(path.resolve(io.cwd, values.data), async (db) => {
      const check = verifyAuditChain(db);
      if (!check.ok) {
        throw new AirlockError('audit.chain-broken', `The audit log is damaged: ${describeAuditBreak(check)}. Airlock will not sign it; keep a copy of the database as it is.`, check.detail);
      }
      return writeAuditExport(databaseRowSource(db), outFile, signer, options.now);
    });
    io.out(
      [
        `Exported ${summary.entries} ${summary.entries === 1 ? 'entry' : 'entries'} to ${summary.file}.`,
        `  Signed by: ${summary.signer}`,
        ...(summary.head === null ? [] : [`  head: ${summary.head.seq}:${summary.head.hash}`]),
        '',
      ].join('\n'),
    );
    return 0;
  } catch (err) {
    return report(io, err);
  }
}

async function runVerifyExport(args: string[], io: CliIO): Promise<number> {
  const parsed = tryParse(io, () => parseArgs({ args, options: { trust: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: true }));
  if (parsed === null) return 2;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError(io, 'Give exactly one export file.');
  const json = values.json === true;
  let trusted: PackagePublicKey | undefined;
  if (typeof values.trust === 'string') {
    try {
      trusted = await loadTrustedKey(values.trust, io.cwd);
    } catch (err) {
      return usageError(io, `--trust ${values.trust}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const check = await verifyAuditExport(path.resolve(io.cwd, positionals[0]!), trusted);
  if (json) {
    io.out(`${JSON.stringify(check.ok ? { ...check, signer: check.signer.fingerprint } : check, null, 2)}\n`);
    return check.ok ? 0 : 1;
  }
  if (!check.ok) {
    io.err(`NOT OK: ${check.message}\nDetail: ${check.detail}\n`);
    return 1;
  }
  io.out(
    [
      `OK: ${check.entries} ${check.entries === 1 ? 'entry' : 'entries'}, chain intact, exported ${check.exportedAt}.`,
      `  Signed by: ${check.signer.fingerprint}${check.trusted ? ' (the trusted key)' : ' (no --trust key given: compare this fingerprint yourself)'}`,
      ...(check.head === null ? [] : [`  head: ${check.head.seq}:${check.head.hash}`]),
      '',
    ].join('\n'),
  );
  return 0;
}

export function createAuditCommand(options: AuditCommandOptions = {}): CliCommand {
  return {
    name: 'audit',
    summary: 'Verify or export the tamper-evident audit log',
    usage: USAGE,
    async run(args: string[], io: CliIO): Promise<number> {
      const [sub, ...rest] = args;
      if (sub === '--help' || sub === '-h' || sub === 'help' || rest.includes('--help') || rest.includes('-h')) {
        io.out(USAGE);
        return 0;
      }
      switch (sub) {
        case 'verify':
          return runVerify(rest, io);
        case 'export':
          return runExport(rest, io, options);
        case 'verify-export':
          return runVerifyExport(rest, io);
        default:
          return usageError(io, sub === undefined ? 'Say what to do: verify, export or verify-export.' : `Unknown audit command "${sub}".`);
      }
    },
  };
}

export const auditCommand: CliCommand = createAuditCommand({ defaultSigner: () => kioskKeychainSigner() });
