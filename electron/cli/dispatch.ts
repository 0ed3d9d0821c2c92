// Runs one `airlock` subcommand from a list: help, --version, unknown commands and refusals are
// handled the same way for the development `airlock` command and for the installed app, which
// handles IT's commands itself (see electron/main/app-cli.ts). Exit codes: 0 ok, 1 refused, 2 usage.
import { AirlockError } from '../../common/errors.ts';
import { airlockVersion } from '../services/version.ts';
import type { CliCommand, CliIO } from './command.ts';

function help(commands: readonly CliCommand[], usage: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `Airlock ${airlockVersion()}`,
    '',
    `Usage: ${usage} <command> [options]`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --version  print the version',
    `  --help     print this help (${usage} <command> --help for a command)`,
    '',
  ].join('\n');
}

export async function runCommands(argv: readonly string[], io: CliIO, commands: readonly CliCommand[], usage = 'airlock'): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    io.out(`${airlockVersion()}\n`);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(help(commands, usage));
    return first === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.err(`airlock: unknown command "${first}".\n\n${help(commands, usage)}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof AirlockError) {
      io.err(`airlock ${command.name}: ${err.message}\n${err.detail ? `  detail: ${err.detail}\n` : ''}`);
      return 1;
    }
    io.err(`airlock ${command.name}: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
