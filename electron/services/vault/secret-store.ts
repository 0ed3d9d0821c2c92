// The only place Airlock's secrets are written: the operating system's credential store through
// @napi-rs/keyring (Secret Service on Linux, Credential Manager on Windows, Keychain on macOS).
// When that store is missing or locked, writes are refused with a reason; there is no file fallback.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type * as Keyring from '@napi-rs/keyring';
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';
import { AirlockError } from '../../../common/errors.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { redactSecrets } from './redact.ts';

export interface SecretStoreStatus {
  available: boolean;
  /** Which credential store answered (or would have): `secret-service`, `windows-credential-manager`, `macos-keychain`, `unsupported`. */
  backend: string;
  problem?: AirlockErrorValue;
}

export interface SecretStore {
  /** The stored value, or null when nothing is stored under `key`. */
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  /** True when something was deleted, false when there was nothing to delete. */
  delete(key: string): Promise<boolean>;
  /** Writes, reads back and deletes a throw-away entry; never throws. */
  probe(): Promise<SecretStoreStatus>;
}

/** Kept well under Credential Manager's 513-character user name once a part suffix is added. */
export const MAX_KEY_LENGTH = 400;
export const MAX_VALUE_BYTES = 64 * 1024;
// Credential Manager keeps a secret as UTF-16 in at most 2560 bytes (CRED_MAX_CREDENTIAL_BLOB_SIZE),
// too little for a pair of JWTs, so longer values are spread over several entries there.
const WINDOWS_ENTRY_UNITS = 1024;

/**
 * A namespace (`account`, `app`, `kiosk`, `vault`, …) and one or more non-empty segments of
 * printable ASCII without `:` or `#`, joined by colons. Callers percent-encode free text such as
 * account ids, so a colon inside an id can never make one key a prefix of another account's keys;
 * `#` is reserved for the parts of a value spread over several entries.
 */
const KEY_PATTERN = /^[a-z][a-z0-9-]{0,31}(?::[\x21\x22\x24-\x39\x3b-\x7e]+)+$/;
const SERVICE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// A value spread over several entries is stored as this marker line in the entry itself; the NUL
// cannot begin a real value (assertSecretValue refuses control characters at the start).
const CHUNKED_MARKER = '\u0000airlock-chunked:v1:';
const CHUNKED_HEAD = /^([0-9a-f]{16}):([1-9][0-9]{0,4}):([0-9]{1,6}):([A-Za-z0-9_-]{22})$/;

export const UNAVAILABLE_MESSAGE =
  'This kiosk has no secure password store, so accounts cannot be connected. Ask IT to set up and unlock the system keyring for the kiosk user, then restart Airlock.';

export function isValidSecretKey(key: unknown): key is string {
  return typeof key === 'string' && key.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(key);
}

/** Throws `vault.invalid-key` unless `key` is a well-formed, bounded key. */
export function assertSecretKey(key: unknown): asserts key is string {
  if (isValidSecretKey(key)) return;
  const shown = typeof key === 'string' ? JSON.stringify(key.slice(0, 80)) : typeof key;
  throw new AirlockError(
    'vault.invalid-key',
    'Airlock tried to use a password-store entry with an invalid name. Nothing was saved. Ask IT to look at the details.',
    `key ${shown} must be a lower-case namespace and colon-separated segments of printable ASCII without "#", at most ${MAX_KEY_LENGTH} characters`,
  );
}

/** Throws `vault.invalid-value` or `vault.value-too-large`; the value itself never appears in the error. */
export function assertSecretValue(value: unknown, maxBytes: number = MAX_VALUE_BYTES): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || /\p{Cs}/u.test(value) || value.startsWith('\u0000')) {
    throw new AirlockError(
      'vault.invalid-value',
      'Airlock tried to save an empty or unreadable secret. Nothing was saved. Ask IT to look at the details.',
      typeof value === 'string' ? 'the value is empty, starts with NUL or contains unpaired UTF-16 surrogates' : `the value is a ${typeof value}, not a string`,
    );
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) {
    throw new AirlockError(
      'vault.value-too-large',
      'This secret is too large for the kiosk\'s password store. Nothing was saved. Ask IT to look at the details.',
      `value is ${bytes} bytes; the limit is ${maxBytes}`,
    );
  }
}

export type KeychainBackend = 'secret-service' | 'windows-credential-manager' | 'macos-keychain' | 'unsupported';

export function keychainBackendFor(platform: NodeJS.Platform): KeychainBackend {
  if (platform === 'linux') return 'secret-service';
  if (platform === 'win32') return 'windows-credential-manager';
  if (platform === 'darwin') return 'macos-keychain';
  return 'unsupported';
}

// Electron's safeStorage is deliberately not used: on Linux without a keyring it encrypts with a
// hard-coded password ('basic_text' backend), which is a file fallback in disguise and must be refused.
const BACKEND_HINT: Record<KeychainBackend, string> = {
  'secret-service':
    'Linux needs a Secret Service provider (for example gnome-keyring-daemon --components=secrets) on the D-Bus session bus, with its default collection unlocked at sign-in. The kernel keyring is not accepted: it does not survive a reboot and @napi-rs/keyring would fall back to it silently. The D-Bus connection is made once per process, so restart Airlock after fixing it.',
  'windows-credential-manager': 'Windows Credential Manager must be usable by the kiosk user (it is not available to some service accounts).',
  'macos-keychain': 'The kiosk user\'s login Keychain must exist and be unlocked.',
  unsupported: 'Airlock only stores secrets in the Linux Secret Service, Windows Credential Manager or the macOS Keychain.',
};

type KeyringModule = typeof Keyring;

export interface KeychainSecretStoreOptions {
  /** Service name the entries are filed under. Tests and side-by-side kiosks use their own. Default `Airlock`. */
  service?: string;
  /** For tests of the backend choice; the real platform is used by default. */
  platform?: NodeJS.Platform;
  /** How long probe() waits for the store (an unlock prompt can hang it). Default 15 s. */
  probeTimeoutMs?: number;
  /**
   * Longest value, in UTF-16 units, kept in one entry; longer ones are spread over several.
   * Default 1024 on Windows, unlimited elsewhere. Tests lower it to exercise the spreading.
   */
  maxEntryUnits?: number;
}

export class KeychainSecretStore implements SecretStore {
  readonly service: string;
  readonly backend: KeychainBackend;
  readonly #probeTimeoutMs: number;
  readonly #maxEntryUnits: number;
  readonly #entryOptions: EntryOptions | undefined;
  #keyring: Promise<KeyringModule> | undefined;
  // One operation at a time: a value spread over several entries is only consistent between calls.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: KeychainSecretStoreOptions = {}) {
    const service = options.service ?? 'Airlock';
    if (!SERVICE_PATTERN.test(service)) throw new RangeError(`keychain service name ${JSON.stringify(service)} must be 1–64 letters, digits, dots, dashes or underscores`);
    this.service = service;
    this.backend = keychainBackendFor(options.platform ?? process.platform);
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 15_000;
    const maxEntryUnits = options.maxEntryUnits ?? (this.backend === 'windows-credential-manager' ? WINDOWS_ENTRY_UNITS : Number.POSITIVE_INFINITY);
    if (!(maxEntryUnits >= 16)) throw new RangeError(`maxEntryUnits ${maxEntryUnits} must be at least 16`);
    this.#maxEntryUnits = maxEntryUnits;
    // Pinning makes the native constructor throw when Secret Service is absent, instead of
    // quietly filing the secret in the kernel keyring (in memory, gone after a reboot).
    this.#entryOptions = this.backend === 'secret-service' ? { linux: { store: 'secret-service' } } : undefined;
  }

  // async, so a refused key or value arrives as a rejection like every other failure.
  async get(key: string): Promise<string | null> {
    assertSecretKey(key);
    return this.#serial(() => this.#read(key));
  }

  async set(key: string, value: string): Promise<void> {
    assertSecretKey(key);
    assertSecretValue(value);
    return this.#serial(() => this.#write(key, value));
  }

  async delete(key: string): Promise<boolean> {
    assertSecretKey(key);
    return this.#serial(() => this.#remove(key));
  }

  async probe(): Promise<SecretStoreStatus> {
    const backend = this.backend;
    const canaryKey = `store-probe:${randomUUID()}`;
    const canary = randomBytes(18).toString('base64url');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(unavailable(backend, `the ${backend} store did not answer within ${this.#probeTimeoutMs} ms (a keyring unlock prompt may be waiting)`));
      }, this.#probeTimeoutMs);
    });
    const roundTrip = async (): Promise<void> => {
      await this.set(canaryKey, canary);
      try {
        const back = await this.get(canaryKey);
        if (back !== canary) throw unavailable(backend, `the ${backend} store returned something other than what was written to it`);
      } finally {
        await this.delete(canaryKey);
      }
      if ((await this.get(canaryKey)) !== null) throw unavailable(backend, `the ${backend} store kept an entry after deleting it`);
    };
    const work = roundTrip();
    // If the timeout wins, the round trip may still fail later; that failure is already reported.
    work.catch(() => undefined);
    try {
      await Promise.race([work, timeout]);
      return { available: true, backend };
    } catch (err) {
      const problem = err instanceof AirlockError ? err : this.#failure(err, 'probe');
      return { available: false, backend, problem: problem.toValue() };
    } finally {
      clearTimeout(timer);
    }
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation, operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #read(key: string): Promise<string | null> {
    const stored = await this.#getEntry(key);
    if (stored === null || !stored.startsWith(CHUNKED_MARKER)) return stored;
    const head = parseHead(stored);
    if (!head) throw this.#corrupt(key, 'its first entry is not a readable part list');
    const parts: string[] = [];
    for (let i = 1; i <= head.count; i++) {
      const part = await this.#getEntry(partKey(key, head.generation, i));
      if (part === null) throw this.#corrupt(key, `part ${i} of ${head.count} is missing`);
      parts.push(part);
    }
    const value = parts.join('');
    if (value.length !== head.length || digest(value) !== head.digest) throw this.#corrupt(key, 'its parts do not add up to what was written');
    return value;
  }

  async #write(key: string, value: string): Promise<void> {
    const previous = await this.#getEntry(key);
    if (value.length <= this.#maxEntryUnits) {
      await this.#setEntry(key, value);
    } else {
      // Parts first, then the entry that points at them: a crash in between leaves the old value whole.
      const generation = randomBytes(8).toString('hex');
      const parts = splitUnits(value, this.#maxEntryUnits);
      for (const [index, part] of parts.entries()) await this.#setEntry(partKey(key, generation, index + 1), part, value);
      await this.#setEntry(key, `${CHUNKED_MARKER}${generation}:${parts.length}:${value.length}:${digest(value)}`);
    }
    await this.#removeParts(key, previous);
  }

  async #remove(key: string): Promise<boolean> {
    const previous = await this.#getEntry(key);
    const deleted = await this.#deleteEntry(key);
    await this.#removeParts(key, previous);
    return deleted || previous !== null;
  }

  async #removeParts(key: string, stored: string | null): Promise<void> {
    const head = stored === null ? null : parseHead(stored);
    if (!head) return;
    for (let i = 1; i <= head.count; i++) await this.#deleteEntry(partKey(key, head.generation, i));
  }

  async #getEntry(key: string): Promise<string | null> {
    const entry = await this.#entry(key);
    try {
      return await entry.getPassword();
    } catch (err) {
      throw this.#failure(err, 'read');
    }
  }

  async #setEntry(key: string, value: string, whole: string = value): Promise<void> {
    const entry = await this.#entry(key);
    try {
      await entry.setPassword(value);
    } catch (err) {
      throw this.#failure(err, 'write', [whole, value]);
    }
  }

  async #deleteEntry(key: string): Promise<boolean> {
    const entry = await this.#entry(key);
    try {
      return await entry.deleteCredential();
    } catch (err) {
      throw this.#failure(err, 'delete');
    }
  }

  async #entry(key: string): Promise<AsyncEntry> {
    if (this.backend === 'unsupported') throw unavailable(this.backend, `no supported credential store on ${process.platform}`);
    // Loaded on first use so a missing native binding becomes a refusal with a reason, not a
    // crash while the app is still starting.
    this.#keyring ??= import('@napi-rs/keyring');
    let keyring: KeyringModule;
    try {
      keyring = await this.#keyring;
    } catch (err) {
      this.#keyring = undefined;
      throw unavailable(this.backend, `the @napi-rs/keyring native module did not load: ${(err as Error).message}`);
    }
    try {
      return new keyring.AsyncEntry(this.service, key, this.#entryOptions);
    } catch (err) {
      throw this.#failure(err, 'open');
    }
  }

  #failure(err: unknown, action: string, secrets: string[] = []): AirlockError {
    const raw = err instanceof Error ? err.message : String(err);
    const detail = redactSecrets(`${action} in ${this.backend} (service ${this.service}) failed: ${raw}`, secrets);
    // keyring-rs reports a missing, locked or refusing store as "Platform failure" or
    // "Couldn't access platform storage"; anything else is a fault in the entry itself.
    if (/platform|storage|d-?bus|access|locked|prompt|keychain|credential manager/i.test(raw)) return unavailable(this.backend, detail);
    return new AirlockError('vault.store-failed', 'The kiosk\'s password store refused the request. Nothing was changed. Ask IT to look at the details.', detail);
  }

  #corrupt(key: string, why: string): AirlockError {
    return new AirlockError(
      'vault.store-failed',
      'A secret in the kiosk\'s password store is damaged. Reconnect the account; ask IT if it happens again.',
      `${key} in ${this.backend} (service ${this.service}): ${why}`,
    );
  }
}

function unavailable(backend: KeychainBackend, detail: string): AirlockError {
  return new AirlockError('vault.unavailable', UNAVAILABLE_MESSAGE, `${detail}. ${BACKEND_HINT[backend]}`);
}

function partKey(key: string, generation: string, index: number): string {
  return `${key}#${generation}.${index}`;
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url').slice(0, 22);
}

function parseHead(stored: string): { generation: string; count: number; length: number; digest: string } | null {
  const m = stored.startsWith(CHUNKED_MARKER) ? CHUNKED_HEAD.exec(stored.slice(CHUNKED_MARKER.length)) : null;
  if (!m) return null;
  return { generation: m[1] as string, count: Number(m[2]), length: Number(m[3]), digest: m[4] as string };
}

/** Splits into pieces of at most `units` UTF-16 units without cutting a surrogate pair in two. */
function splitUnits(value: string, units: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < value.length) {
    let end = Math.min(start + units, value.length);
    const last = value.charCodeAt(end - 1);
    if (end < value.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    parts.push(value.slice(start, end));
    start = end;
  }
  return parts;
}
