// The `airlock` command: one entry point for the browser shell and the tools comms staff and
// IT run (packing sticks, verifying packages, checking policy). Exit codes: 0 ok, 1 refused, 2 usage.
import { AirlockError } from '../../common/errors.ts';
import { airlockVersion } from '../services/version.ts';
import type { CliCommand, CliIO } from './command.ts';
import { auditCommand } from './commands/audit.ts';
import { credentialsCommand } from './commands/credentials.ts';
import { importCommand, scanCommand } from './commands/ingest.ts';
import { keygenCommand } from './commands/keygen.ts';
import { packCommand } from './commands/pack.ts';
import { policyCommand } from './commands/policy.ts';
import { verifyCommand } from './commands/verify.ts';
import { serveCommand } from './serve.ts';

export const COMMANDS: readonly CliCommand[] = [serveCommand, keygenCommand, packCommand, verifyCommand, scanCommand, importCommand, policyCommand, auditCommand, credentialsCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Airlock ${airlockVersion()}`,
    '',
    'Usage: airlock <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --version  print the version',
    '  --help     print this help (airlock <command> --help for a command)',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    io.out(`${airlockVersion()}\n`);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(help());
    return first === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    io.err(`airlock: unknown command "${first}".\n\n${help()}`);
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

export function processIO(): CliIO {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  };
}
