// Opens Airlock's real core for a test, with its own temporary data folder and no system
// media roots, and closes every core a test opened when the test file ends.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { openCore, type AirlockCore, type CoreOptions } from '../../electron/services/core.ts';
import { builtInPolicy, PolicySchema, type LoadedPolicy } from '../../electron/services/policy/policy.ts';

const opened: AirlockCore[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((core) => core.close()));
});

export async function openTestCore(options: Partial<CoreOptions> = {}): Promise<AirlockCore> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'airlock-core-')));
  const core = await openCore({
    shell: 'browser',
    version: '0.0.0-test',
    policy: { policy: builtInPolicy(), source: 'built-in defaults', path: null },
    systemMediaRoots: false,
    ...options,
    dataDir,
  });
  opened.push(core);
  return core;
}

export const TEST_ADMIN = { name: 'Ada Admin', pin: '493817' };

/** Creates the first administrator on a fresh core, which also signs them in. */
export async function signInFirstAdmin(core: AirlockCore): Promise<void> {
  const result = await core.call('staff.createFirstAdmin', { name: TEST_ADMIN.name, credential: { kind: 'pin', secret: TEST_ADMIN.pin } });
  if (!result.ok) throw new Error(`could not create the first admin: ${result.error.message}`);
}

/** A policy as the loader would produce it from a file holding `settings`. */
export function testPolicy(settings: Record<string, unknown> = {}): LoadedPolicy {
  return { policy: PolicySchema.parse({ policyVersion: 1, ...settings }), source: 'built-in defaults', path: null };
}
