// `airlock serve`: runs the browser shell, the same services and screens as the desktop app
// served on 127.0.0.1, for development, tests, training demos and machines without Electron.
import { parseArgs } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openCore } from '../services/core.ts';
import { defaultDataDir } from '../services/data-dir.ts';
import { defaultPolicyPath, loadPolicy } from '../services/policy/policy.ts';
import { airlockVersion } from '../services/version.ts';
import { startBrowserShell } from '../host/server.ts';
import { openAppWindow } from '../host/open-browser.ts';
import type { CliCommand } from './command.ts';

const USAGE = `Usage: airlock serve [--demo] [--no-open] [--port N] [--policy FILE] [--data DIR] [--media-root DIR]

Serves Airlock's screens and API on 127.0.0.1 and prints the address to open.
  --demo         training mode: nothing leaves this machine
  --no-open      do not open a browser window, only print the address
  --port N       listen on port N (default: any free port)
  --policy FILE  read the kiosk policy from FILE (default: $AIRLOCK_POLICY or ${defaultPolicyPath()})
  --data DIR     keep the database and clean library in DIR (default: ${defaultDataDir()};
                 with --demo, a fresh temporary folder)
  --media-root DIR  also treat drives mounted below DIR as USB sticks (repeatable)`;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the browser shell on 127.0.0.1 and print its address',
  usage: USAGE,
  async run(args, io) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          demo: { type: 'boolean', default: false },
          'no-open': { type: 'boolean', default: false },
          port: { type: 'string' },
          policy: { type: 'string' },
          data: { type: 'string' },
          'media-root': { type: 'string', multiple: true },
          help: { type: 'boolean', default: false },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      io.err(`${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (values.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    let port = 0;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!/^\d+$/.test(values.port) || port > 65535) {
        io.err(`--port must be a whole number from 0 to 65535, not "${values.port}".\n`);
        return 2;
      }
    }
    const policyFile = values.policy ?? io.env.AIRLOCK_POLICY ?? defaultPolicyPath();
    const policy = await loadPolicy(policyFile);
    // In training mode every reset starts from an empty temporary folder.
    const freshDataDir = () => mkdtemp(path.join(os.tmpdir(), 'airlock-demo-'));
    const open = async (dataDir: string) =>
      openCore({
        shell: 'browser',
        version: airlockVersion(),
        policy,
        dataDir,
        trainingMode: values.demo,
        extraMediaRoots: values['media-root'] ?? [],
        // The simulator processes in a moment; a demo should not wait TikTok's 5 s between checks.
        ...(values.demo ? { publishPollMs: 1000 } : {}),
        onTrainingReset: async () => {
          const previous = { core, dataDir: currentDataDir };
          currentDataDir = await freshDataDir();
          core = await open(currentDataDir);
          shell.replaceCore(core);
          core.events.emit('training.reset', { at: new Date().toISOString() });
          await previous.core.close();
          if (!values.data) await rm(previous.dataDir, { recursive: true, force: true });
        },
      });
    let currentDataDir = values.data ?? (values.demo ? await freshDataDir() : defaultDataDir(io.env));
    let core = await open(currentDataDir);
    const shell = await startBrowserShell({ core, port });

    io.out(`Airlock ${airlockVersion()} browser shell${values.demo ? ' (training mode)' : ''}: ${shell.url}\n`);
    if (!values['no-open']) {
      const outcome = openAppWindow(shell.url, io.env);
      io.out(outcome.opened ? `Opened in ${outcome.browser}.\n` : `Not opening a window: ${outcome.reason}. Open the address above.\n`);
    }
    io.out('Press Ctrl+C to stop.\n');

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await shell.close();
    await core.close();
    if (values.demo && !values.data) await rm(currentDataDir, { recursive: true, force: true });
    return 0;
  },
};
