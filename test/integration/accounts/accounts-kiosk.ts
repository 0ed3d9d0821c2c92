// What the LinkedIn, Facebook and Instagram connect tests share: a real core with its own data
// folder and keychain service, calls that must succeed or must be refused, the keychain entries
// as secret-tool lists them, and whether any file in the data folder holds a given text.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PlatformId } from '../../../common/platforms.ts';
import type { ConnectEndpoints } from '../../../electron/services/accounts/connect-descriptor.ts';
import type { AirlockCore, Clock } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import type { KeyringSession } from '../../support/keyring-session.ts';
import { openTestCore, signInFirstAdmin, TEST_ADMIN, testPolicy } from '../../support/core.ts';
import { callOk, callRefused, keychainKeys, type Refusal } from '../../support/core-calls.ts';

export type Started = { flowId: string; authorizeUrl: string; opensIn: string; expiresAt: string };
export type { Refusal } from '../../support/core-calls.ts';

export interface AccountsKiosk {
  core: AirlockCore;
  dataDir: string;
  ok<T>(method: string, args?: unknown): Promise<T>;
  refused(method: string, args?: unknown): Promise<Refusal>;
  /** `account:<platform>:<id>:credentials`, `app:<platform>:client-credentials`, … */
  keychainKeys(): Promise<string[]>;
  /** Whether any file under the data folder contains `text` (tokens must never be there). */
  dataFolderHolds(text: string): Promise<boolean>;
  /** Signs the admin in again (the idle lock ends a session across a jump of the clock). */
  signInAgain(): Promise<void>;
}

export async function openAccountsKiosk(o: {
  keyring: KeyringSession;
  service: string;
  clock: Clock;
  platform: PlatformId;
  endpoints: ConnectEndpoints;
  allowed?: string[];
  publishPollMs?: number;
}): Promise<AccountsKiosk> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-accounts-'));
  const core = await openTestCore({
    dataDir,
    policy: testPolicy({ platforms: [o.platform], ...(o.allowed ? { accounts: { [o.platform]: o.allowed } } : {}) }),
    clock: o.clock,
    allowLoopbackEgress: true,
    secretStore: new KeychainSecretStore({ service: o.service }),
    platformEndpoints: { [o.platform]: o.endpoints },
    publisherIntervalMs: null,
    ...(o.publishPollMs !== undefined ? { publishPollMs: o.publishPollMs } : {}),
  });
  await signInFirstAdmin(core);
  const ok = <T,>(method: string, args: unknown = {}) => callOk<T>(core, method, args);
  // Every file below a folder, each folder read once.
  const files = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const nested = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => files(path.join(dir, e.name))));
    return entries.filter((e) => !e.isDirectory()).map((e) => path.join(dir, e.name)).concat(...nested);
  };
  return {
    core,
    dataDir,
    ok,
    refused: (method, args = {}) => callRefused(core, method, args),
    keychainKeys: () => keychainKeys(o.keyring, o.service),
    dataFolderHolds: async (text) => {
      for (const file of await files(dataDir)) if ((await readFile(file)).includes(text)) return true;
      return false;
    },
    signInAgain: async () => {
      const status = await ok<{ choices: { id: string; name: string }[] }>('staff.status');
      await core.call('staff.signIn', { staffId: status.choices.find((c) => c.name === TEST_ADMIN.name)!.id, secret: TEST_ADMIN.pin });
    },
  };
}
