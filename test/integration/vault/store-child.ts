// Runs in its own process (the native keyring binds to one D-Bus bus per process): tries to use
// the vault with whatever bus the environment names and prints what happened as JSON.
import { Entry } from '@napi-rs/keyring';
import { toErrorValue } from '../../../common/errors.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { Vault } from '../../../electron/services/vault/vault.ts';

const [service = 'Airlock-test-child', secret = 'child-secret-value'] = process.argv.slice(2);
const key = 'account:tiktok:child:credentials';

async function outcome(action: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: true, value: await action() };
  } catch (err) {
    return { ok: false, error: toErrorValue(err) };
  }
}

const store = new KeychainSecretStore({ service, probeTimeoutMs: 10_000 });
const vault = new Vault(store);
const result = {
  probe: await store.probe(),
  set: await outcome(() => store.set(key, secret)),
  get: await outcome(() => store.get(key)),
  saveAccount: await outcome(() => vault.saveAccountCredentials('tiktok', 'child', { accessToken: secret })),
  signingKey: await outcome(async () => (await vault.kioskSigningKey()).publicKeyPem),
  // The kernel keyring is where an unpinned store would have put the secret instead.
  kernelKeyring: await outcome(async () => new Entry(service, key, { linux: { store: 'keyutils' } }).getPassword()),
};
process.stdout.write(JSON.stringify(result));
