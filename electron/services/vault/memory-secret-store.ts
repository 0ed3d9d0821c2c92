// A secret store that lives in memory, used ONLY in training mode, where every "account" is a
// built-in simulator and no token is real. A live kiosk always uses the OS keychain.
import type { SecretStore, SecretStoreStatus } from './secret-store.ts';
import { assertSecretKey, assertSecretValue } from './secret-store.ts';

export class TrainingSecretStore implements SecretStore {
  readonly #values = new Map<string, string>();

  async get(key: string): Promise<string | null> {
    assertSecretKey(key);
    return this.#values.get(key) ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    assertSecretKey(key);
    assertSecretValue(value);
    this.#values.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    assertSecretKey(key);
    return this.#values.delete(key);
  }

  async probe(): Promise<SecretStoreStatus> {
    return { available: true, backend: 'training (memory only, simulator tokens)' };
  }
}
