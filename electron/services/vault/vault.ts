// What Airlock keeps in the OS keychain, in domain terms: each connected account's tokens, the
// organisation's app credentials per platform, and the kiosk's own Ed25519 signing key. An index
// of every key it wrote lives in the keychain too, so disconnect and reset can remove everything.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';
import { assertSecretKey } from './secret-store.ts';
import type { SecretStore, SecretStoreStatus } from './secret-store.ts';

export interface AccountCredentials {
  accessToken: string;
  refreshToken?: string;
  /** When the access token stops working, in milliseconds since the epoch. */
  expiresAt?: number;
  /** When the refresh token stops working, in milliseconds since the epoch. */
  refreshExpiresAt?: number;
  scopes?: string[];
}

/**
 * The organisation's own app registration, provisioned by IT. TikTok, Meta, LinkedIn and YouTube
 * apps always have a secret; an X app registered as a native app (a public client) has none.
 */
export interface AppCredentials {
  clientId: string;
  /**
   * Empty for a public client, which identifies itself by its client id alone; the keychain
   * entry then holds no secret. `airlock credentials set-app` stores one only where the
   * platform allows it (X).
   */
  clientSecret: string;
}

export interface KioskSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM, safe to show and export: the half that verifies receipts and audit exports. */
  publicKeyPem: string;
}

export interface StoredAccount {
  platform: string;
  accountId: string;
}

export interface VaultOptions {
  /** Told every secret the vault reads or writes, so a RedactingLogger can keep it out of logs. */
  onDidUseSecret?: (secret: string) => void;
}

const INDEX_KEY = 'vault:index';
const SIGNING_KEY = 'kiosk:signing-key';
const PLATFORM_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const MAX_ACCOUNT_ID = 128;
const MAX_TOKEN = 16 * 1024;
const MAX_SCOPES = 100;

const UNREADABLE = 'Airlock could not read a secret in the kiosk\'s password store. Reconnect the account; ask IT if it happens again.';

// Public methods are async so that invalid input arrives as a rejection, like a store failure.
export class Vault {
  readonly #store: SecretStore;
  readonly #onDidUseSecret: (secret: string) => void;
  // Index updates are read-modify-write; one vault operation at a time keeps them whole.
  #queue: Promise<unknown> = Promise.resolve();
  #signingKey: KioskSigningKey | undefined;

  constructor(store: SecretStore, options: VaultOptions = {}) {
    this.#store = store;
    this.#onDidUseSecret = options.onDidUseSecret ?? (() => undefined);
  }

  readonly #accountLocks = new Map<string, Promise<unknown>>();

  /**
   * Runs `fn` while no other holder uses this account's sign-in. Platforms that rotate refresh
   * tokens accept each one once, so publishing (which may refresh mid-upload) and the background
   * renewal must never refresh the same account at the same time.
   */
  async withAccount<T>(platform: string, accountId: string, fn: () => Promise<T>): Promise<T> {
    const key = `${platform}\u0000${accountId}`;
    const before = this.#accountLocks.get(key) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(fn);
    const held = run.catch(() => undefined);
    this.#accountLocks.set(key, held);
    try {
      return await run;
    } finally {
      if (this.#accountLocks.get(key) === held) this.#accountLocks.delete(key);
    }
  }

  /** True while someone holds (or waits for) this account's sign-in. */
  isAccountBusy(platform: string, accountId: string): boolean {
    return this.#accountLocks.has(`${platform}\u0000${accountId}`);
  }

  probe(): Promise<SecretStoreStatus> {
    return this.#store.probe();
  }

  async saveAccountCredentials(platform: string, accountId: string, creds: AccountCredentials): Promise<void> {
    const key = accountKey(platform, accountId, 'credentials');
    const clean = checkAccountCredentials(creds);
    return this.#serial(() => this.#put(key, JSON.stringify(clean), [clean.accessToken, clean.refreshToken]));
  }

  async loadAccountCredentials(platform: string, accountId: string): Promise<AccountCredentials | null> {
    const key = accountKey(platform, accountId, 'credentials');
    return this.#serial(async () => {
      const stored = await this.#store.get(key);
      if (stored === null) return null;
      const creds = parseStored(key, stored, checkAccountCredentials);
      this.#tell([creds.accessToken, creds.refreshToken]);
      return creds;
    });
  }

  /** Removes every entry of the account (tokens and anything filed under it); returns how many. */
  async deleteAccount(platform: string, accountId: string): Promise<number> {
    const prefix = accountKey(platform, accountId, 'credentials').slice(0, -'credentials'.length);
    return this.#serial(async () => {
      const keys = (await this.#readIndex()).filter((k) => k.startsWith(prefix));
      // The credentials key is deleted even when the index lost track of it.
      return this.#deleteKeys([...new Set([...keys, `${prefix}credentials`])]);
    });
  }

  /** Accounts with stored credentials, for the token-health view. */
  listAccounts(): Promise<StoredAccount[]> {
    return this.#serial(async () => {
      const accounts: StoredAccount[] = [];
      for (const key of await this.#readIndex()) {
        const m = /^account:([a-z][a-z0-9-]{0,31}):([^:]+):credentials$/.exec(key);
        if (!m) continue;
        try {
          accounts.push({ platform: m[1] as string, accountId: decodeURIComponent(m[2] as string) });
        } catch {
          // Not written by accountKey(); such an entry is still removed by deleteAll().
        }
      }
      return accounts.sort((a, b) => a.platform.localeCompare(b.platform) || (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
    });
  }

  async saveAppCredentials(platform: string, creds: AppCredentials): Promise<void> {
    const key = appKey(platform);
    const clean = checkAppCredentials(creds);
    const stored = clean.clientSecret === '' ? { clientId: clean.clientId } : clean;
    return this.#serial(() => this.#put(key, JSON.stringify(stored), [clean.clientSecret]));
  }

  async loadAppCredentials(platform: string): Promise<AppCredentials | null> {
    const key = appKey(platform);
    return this.#serial(async () => {
      const stored = await this.#store.get(key);
      if (stored === null) return null;
      const creds = parseStored(key, stored, checkAppCredentials);
      this.#tell([creds.clientSecret]);
      return creds;
    });
  }

  async deleteAppCredentials(platform: string): Promise<boolean> {
    const key = appKey(platform);
    return this.#serial(async () => (await this.#deleteKeys([key])) > 0);
  }

  /**
   * The kiosk's Ed25519 key pair, created on first use. The private half exists only in the
   * keychain and in this process's memory; a damaged entry is an error, never silently replaced,
   * because receipts and audit exports signed with the old key would stop verifying.
   */
  kioskSigningKey(): Promise<KioskSigningKey> {
    if (this.#signingKey) return Promise.resolve(this.#signingKey);
    return this.#serial(async () => {
      if (this.#signingKey) return this.#signingKey;
      let pem = await this.#store.get(SIGNING_KEY);
      if (pem === null) {
        const { privateKey } = generateKeyPairSync('ed25519');
        pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        await this.#put(SIGNING_KEY, pem, [pem]);
      }
      this.#tell([pem]);
      let privateKey: KeyObject;
      try {
        privateKey = createPrivateKey({ key: pem, format: 'pem' });
      } catch (err) {
        throw new AirlockError('vault.signing-key-unreadable', UNREADABLE, `${SIGNING_KEY} is not a PKCS#8 PEM private key: ${(err as Error).name}`);
      }
      if (privateKey.asymmetricKeyType !== 'ed25519') {
        throw new AirlockError('vault.signing-key-unreadable', UNREADABLE, `${SIGNING_KEY} holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
      }
      const publicKey = createPublicKey(privateKey);
      this.#signingKey = { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
      return this.#signingKey;
    });
  }

  /** Reset: deletes every entry the vault ever wrote, including the signing key and the index. */
  deleteAll(): Promise<number> {
    return this.#serial(async () => {
      let keys: string[];
      try {
        keys = await this.#readIndex();
      } catch (err) {
        // A damaged index must not make reset impossible for ever: remove what is known by name,
        // then say plainly that account entries may be left behind.
        if (!(err instanceof AirlockError) || err.code !== 'vault.index-unreadable') throw err;
        await this.#store.delete(SIGNING_KEY);
        await this.#store.delete(INDEX_KEY);
        this.#signingKey = undefined;
        throw new AirlockError(
          'vault.index-unreadable',
          'Airlock removed its own key, but its list of stored accounts was damaged, so some account sign-ins may remain in the kiosk\'s password store. Ask IT to remove them.',
          `${INDEX_KEY} was unreadable; entries filed under this kiosk's keychain service that start with "account:" or "app:" may remain`,
        );
      }
      const removed = await this.#deleteKeys([...new Set([...keys, SIGNING_KEY])]);
      await this.#store.delete(INDEX_KEY);
      this.#signingKey = undefined;
      return removed;
    });
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation, operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  // The key is indexed before the secret is written, so a crash in between leaves at worst an
  // index entry with nothing behind it, never a secret that reset cannot find.
  async #put(key: string, value: string, secrets: Array<string | undefined>): Promise<void> {
    this.#tell(secrets);
    const index = await this.#readIndex();
    if (!index.includes(key)) await this.#writeIndex([...index, key]);
    await this.#store.set(key, value);
  }

  async #deleteKeys(keys: string[]): Promise<number> {
    let removed = 0;
    for (const key of keys) if (await this.#store.delete(key)) removed++;
    const index = await this.#readIndex();
    const left = index.filter((k) => !keys.includes(k));
    if (left.length !== index.length) await this.#writeIndex(left);
    if (keys.includes(SIGNING_KEY)) this.#signingKey = undefined;
    return removed;
  }

  async #readIndex(): Promise<string[]> {
    const stored = await this.#store.get(INDEX_KEY);
    if (stored === null) return [];
    try {
      const parsed: unknown = JSON.parse(stored);
      if (isIndex(parsed)) return [...parsed.keys];
    } catch {
      // Reported below with the same words as a well-formed but wrong index.
    }
    throw new AirlockError('vault.index-unreadable', UNREADABLE, `${INDEX_KEY} is not a version 1 key list`);
  }

  async #writeIndex(keys: string[]): Promise<void> {
    if (keys.length === 0) {
      await this.#store.delete(INDEX_KEY);
      return;
    }
    await this.#store.set(INDEX_KEY, JSON.stringify({ version: 1, keys: [...keys].sort() }));
  }

  #tell(secrets: Array<string | undefined>): void {
    for (const secret of secrets) if (secret) this.#onDidUseSecret(secret);
  }
}

function isIndex(value: unknown): value is { version: 1; keys: string[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { version, keys } = value as { version?: unknown; keys?: unknown };
  return version === 1 && Array.isArray(keys) && keys.every((k) => typeof k === 'string' && k.length > 0);
}

function checkPlatform(platform: string): string {
  if (typeof platform === 'string' && PLATFORM_PATTERN.test(platform)) return platform;
  throw new AirlockError('vault.invalid-account', 'Airlock was asked about an account on an unknown platform. Nothing was changed.', `platform ${JSON.stringify(String(platform).slice(0, 40))} is not a lower-case platform name`);
}

/** `account:<platform>:<percent-encoded id>:<kind>`; encoding keeps colons in ids (did:plc:…) out of the key structure. */
export function accountKey(platform: string, accountId: string, kind: string): string {
  checkPlatform(platform);
  const fine = typeof accountId === 'string' && accountId.length > 0 && accountId.length <= MAX_ACCOUNT_ID && !/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(accountId);
  if (!fine) {
    throw new AirlockError('vault.invalid-account', 'Airlock was asked about an account with an unreadable id. Nothing was changed.', `account id must be 1–${MAX_ACCOUNT_ID} characters without control or format characters`);
  }
  const key = `account:${platform}:${encodeURIComponent(accountId)}:${kind}`;
  assertSecretKey(key);
  return key;
}

function appKey(platform: string): string {
  return `app:${checkPlatform(platform)}:client-credentials`;
}

function parseStored<T>(key: string, stored: string, check: (value: unknown) => T): T {
  try {
    return check(JSON.parse(stored));
  } catch {
    // The parse or check error could quote the secret, so only the key is named.
    throw new AirlockError('vault.credentials-unreadable', UNREADABLE, `${key} does not hold the expected JSON`);
  }
}

function checkToken(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOKEN || /[\p{Cc}\s]/u.test(value)) {
    throw new AirlockError('vault.invalid-credentials', 'The platform sent back a sign-in that Airlock cannot store. Nothing was saved; try connecting again.', `${field} must be 1–${MAX_TOKEN} printable characters without spaces`);
  }
  return value;
}

function checkTime(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new AirlockError('vault.invalid-credentials', 'The platform sent back a sign-in that Airlock cannot store. Nothing was saved; try connecting again.', `${field} must be milliseconds since the epoch`);
  }
  return value;
}

function checkAccountCredentials(value: unknown): AccountCredentials {
  if (typeof value !== 'object' || value === null) checkToken(undefined, 'credentials');
  const creds = value as Partial<Record<keyof AccountCredentials, unknown>>;
  const clean: AccountCredentials = { accessToken: checkToken(creds.accessToken, 'accessToken') };
  if (creds.refreshToken !== undefined) clean.refreshToken = checkToken(creds.refreshToken, 'refreshToken');
  if (creds.expiresAt !== undefined) clean.expiresAt = checkTime(creds.expiresAt, 'expiresAt');
  if (creds.refreshExpiresAt !== undefined) clean.refreshExpiresAt = checkTime(creds.refreshExpiresAt, 'refreshExpiresAt');
  if (creds.scopes !== undefined) {
    const scopes: unknown = creds.scopes;
    if (!Array.isArray(scopes) || scopes.length > MAX_SCOPES || !scopes.every((s) => typeof s === 'string' && /^[\x21-\x7e]{1,200}$/.test(s))) {
      throw new AirlockError('vault.invalid-credentials', 'The platform sent back a sign-in that Airlock cannot store. Nothing was saved; try connecting again.', `scopes must be at most ${MAX_SCOPES} printable names`);
    }
    clean.scopes = [...scopes];
  }
  return clean;
}

function checkAppCredentials(value: unknown): AppCredentials {
  if (typeof value !== 'object' || value === null) checkToken(undefined, 'app credentials');
  const creds = value as Partial<Record<keyof AppCredentials, unknown>>;
  const clientId = checkToken(creds.clientId, 'clientId');
  const publicClient = creds.clientSecret === undefined || creds.clientSecret === '';
  return { clientId, clientSecret: publicClient ? '' : checkToken(creds.clientSecret, 'clientSecret') };
}
