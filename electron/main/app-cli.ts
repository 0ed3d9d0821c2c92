// The installed app is also IT's `airlock` command on a kiosk, where Node is not installed and
// the RunAsNode fuse is off: `Airlock policy check FILE`, `Airlock audit verify …`,
// `Airlock audit export …`, `Airlock credentials …` run the same code as the development command
// and exit without opening a window. The corporate-side tools (keygen, pack, verify) and the
// browser shell are deliberately not part of the kiosk app.
import { auditCommand } from '../cli/commands/audit.ts';
import { credentialsCommand } from '../cli/commands/credentials.ts';
import { policyCommand } from '../cli/commands/policy.ts';
import { processIO } from '../cli/command.ts';
import type { CliCommand, CliIO } from '../cli/command.ts';
import { runCommands } from '../cli/dispatch.ts';

export const APP_COMMANDS: readonly CliCommand[] = [policyCommand, auditCommand, credentialsCommand];

/**
 * The command-line words meant for Airlock, or null for a normal start. Electron's argv is
 * `[app, ...args]` when packaged and `[electron, appPath, ...args]` when started as a default
 * app. Only a first argument that is a word, `--version` or `--help` makes a command: Chromium
 * switches (`--enable-logging`, `--no-sandbox`…) start the kiosk as usual.
 */
export function appCliArgs(argv: readonly string[], defaultApp: boolean): string[] | null {
  const args = argv.slice(defaultApp ? 2 : 1);
  const first = args[0];
  if (first === undefined) return null;
  if (['--version', '-v', '--help', '-h', 'help'].includes(first)) return [...args];
  if (first.startsWith('-')) return null;
  return [...args];
}

export function runAppCli(args: readonly string[], io: CliIO = processIO()): Promise<number> {
  return runCommands(args, io, APP_COMMANDS, 'Airlock');
}
