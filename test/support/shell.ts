// Starts Airlock's real core behind the real browser shell on 127.0.0.1 for a test, with a
// policy written to a temp file. The renderer must have been built (npm test builds it first).
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openCore, type AirlockCore } from '../../electron/services/core.ts';
import { loadPolicy } from '../../electron/services/policy/policy.ts';
import { signInFirstAdmin } from './core.ts';
import { startBrowserShell, type BrowserShell } from '../../electron/host/server.ts';

export interface TestShell {
  core: AirlockCore;
  shell: BrowserShell;
  secret: string;
  stop(): Promise<void>;
}

export async function startTestShell(
  options: {
    policy?: Record<string, unknown>;
    trainingMode?: boolean;
    mediaRoots?: string[];
    signedIn?: boolean;
    /** Stands in for the Electron kiosk window closing (that shell cannot run here). */
    onAdminExit?: () => void;
  } = {},
): Promise<TestShell> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-shell-test-'));
  const policyPath = path.join(dir, 'policy.json');
  if (options.policy) await writeFile(policyPath, JSON.stringify(options.policy));
  const core = await openCore({
    shell: 'browser',
    version: '0.0.0-test',
    policy: await loadPolicy(policyPath),
    dataDir: path.join(dir, 'data'),
    trainingMode: options.trainingMode ?? false,
    systemMediaRoots: false,
    extraMediaRoots: options.mediaRoots ?? [],
    ...(options.onAdminExit ? { onAdminExit: options.onAdminExit } : {}),
  });
  // Most tests start with the first administrator signed in, as a kiosk is after set-up.
  if (options.signedIn !== false) await signInFirstAdmin(core);
  const shell = await startBrowserShell({ core });
  const secret = new URL(shell.url).hash.replace('#key=', '');
  return {
    core,
    shell,
    secret,
    stop: async () => {
      await shell.close();
      await core.close();
    },
  };
}
