// What the accounts tests ask of a running core and the keychain: a call that must succeed, a
// call that must be refused, and the keychain entries under one service as secret-tool lists them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AirlockCore } from '../../electron/services/core.ts';
import type { KeyringSession } from './keyring-session.ts';

const execFileAsync = promisify(execFile);

export type Refusal = { code: string; message: string; detail?: string };

export async function callOk<T>(core: AirlockCore, method: string, args: unknown = {}): Promise<T> {
  const result = await core.call(method, args);
  if (!result.ok) throw Object.assign(new Error(`${method}: ${result.error.message} (${result.error.detail ?? ''})`), { value: result.error });
  return result.value as T;
}

export async function callRefused(core: AirlockCore, method: string, args: unknown = {}): Promise<Refusal> {
  const result = await core.call(method, args);
  if (result.ok) throw new Error(`${method} was expected to fail`);
  return result.error;
}

/** `account:<platform>:<id>:credentials`, `app:<platform>:client-credentials`, … sorted. */
export async function keychainKeys(keyring: KeyringSession, service: string): Promise<string[]> {
  const { stdout, stderr } = await execFileAsync('secret-tool', ['search', '--all', 'service', service], { env: keyring.env });
  return [...`${stdout}${stderr}`.matchAll(/^attribute\.username = (.*)$/gm)].map((m) => m[1] as string).sort();
}
