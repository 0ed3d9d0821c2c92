// Proves that `npm run lint` refuses imports across Airlock's process boundaries, by linting
// small sources as if they lived in each folder with the project's real ESLint configuration.
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: projectRoot });
});

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(projectRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint enforces the process boundaries', () => {
  it('refuses electron in a service', async () => {
    const errors = await boundaryErrors('electron/services/ingest/example.ts', "import { app } from 'electron';\nexport const x = app;\n");
    expect(errors.join('\n')).toMatch(/Only electron\/main and electron\/preload may import electron/);
  });

  it('refuses electron in the CLI, the browser shell and common/', async () => {
    for (const file of ['electron/cli/example.ts', 'electron/host/example.ts', 'common/example.ts']) {
      expect(await boundaryErrors(file, "import { app } from 'electron';\nexport const x = app;\n")).not.toEqual([]);
    }
  });

  it('refuses Node modules and Node-side code in the renderer', async () => {
    expect(await boundaryErrors('renderer/src/example.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).not.toEqual([]);
    expect(await boundaryErrors('renderer/src/example.ts', "import fs from 'fs';\nexport const x = fs;\n")).not.toEqual([]);
    expect(
      await boundaryErrors('renderer/src/screens/Example.tsx', "import { createCore } from '../../../electron/services/core.ts';\nexport const x = createCore;\n"),
    ).not.toEqual([]);
  });

  it('refuses Node modules and UI libraries in common/', async () => {
    expect(await boundaryErrors('common/example.ts', "import path from 'node:path';\nexport const x = path;\n")).not.toEqual([]);
    expect(await boundaryErrors('common/example.ts', "import { useState } from 'react';\nexport const x = useState;\n")).not.toEqual([]);
  });

  it('keeps services out of the shells and the shells out of the browser shell', async () => {
    expect(await boundaryErrors('electron/services/example.ts', "import { startBrowserShell } from '../host/server.ts';\nexport const x = startBrowserShell;\n")).not.toEqual([]);
    expect(await boundaryErrors('electron/services/example.ts', "import { registerApiHandlers } from '../main/ipc.ts';\nexport const x = registerApiHandlers;\n")).not.toEqual([]);
    expect(await boundaryErrors('electron/main/example.ts', "import { startBrowserShell } from '../host/server.ts';\nexport const x = startBrowserShell;\n")).not.toEqual([]);
  });

  it('lets only app-cli.ts bring IT\'s kiosk commands into the Electron shell, and never the packer or the browser shell', async () => {
    const policy = "import { policyCommand } from '../cli/commands/policy.ts';\nexport const x = policyCommand;\n";
    expect(await boundaryErrors('electron/main/app-cli.ts', policy)).toEqual([]);
    expect(await boundaryErrors('electron/main/main.ts', policy)).not.toEqual([]);
    for (const code of [
      "import { packCommand } from '../cli/commands/pack.ts';\nexport const x = packCommand;\n",
      "import { serveCommand } from '../cli/serve.ts';\nexport const x = serveCommand;\n",
      "import { runCli } from '../cli/main.ts';\nexport const x = runCli;\n",
      "import { startBrowserShell } from '../host/server.ts';\nexport const x = startBrowserShell;\n",
    ]) {
      expect(await boundaryErrors('electron/main/app-cli.ts', code), code).not.toEqual([]);
    }
  });

  it('keeps raw network access out of services and platforms, except the egress client', async () => {
    const code = "import https from 'node:https';\nexport const x = https;\n";
    expect((await boundaryErrors('electron/services/publish/example.ts', code)).join('\n')).toMatch(/createEgressClient/);
    expect(await boundaryErrors('electron/platforms/tiktok/client.ts', "import net from 'net';\nexport const x = net;\n")).not.toEqual([]);
    expect(await boundaryErrors('electron/services/egress/example.ts', code)).toEqual([]);
    const [result] = await eslint.lintText("export const x = fetch('https://example.invalid/');\n", { filePath: path.join(projectRoot, 'electron/services/publish/example.ts') });
    expect(result!.messages.map((m) => m.ruleId)).toContain('no-restricted-globals');
  });

  it('allows what the design allows', async () => {
    expect(await boundaryErrors('electron/main/example.ts', "import { app } from 'electron';\nimport { createCore } from '../services/core.ts';\nexport const x = [app, createCore];\n")).toEqual([]);
    expect(await boundaryErrors('electron/preload/example.ts', "import { contextBridge } from 'electron';\nexport const x = contextBridge;\n")).toEqual([]);
    expect(await boundaryErrors('renderer/src/example.ts', "import { contract } from '../../common/contract.ts';\nexport const x = contract;\n")).toEqual([]);
    expect(await boundaryErrors('electron/services/example.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n")).toEqual([]);
  });

  // The whole tree, tests and scripts included: what `npm run lint` checks. It reads every
  // file, so it gets a longer limit than a unit test.
  it('passes on the project tree itself', async () => {
    const results = await eslint.lintFiles(['.']);
    const problems = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${path.relative(projectRoot, r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`));
    expect(problems).toEqual([]);
  }, 240_000);
});
