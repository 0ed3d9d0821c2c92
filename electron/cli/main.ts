// The `airlock` command: one entry point for the browser shell and the tools comms staff and
// IT run (packing sticks, verifying packages, checking policy). Exit codes: 0 ok, 1 refused, 2 usage.
import type { CliCommand, CliIO } from './command.ts';
import { auditCommand } from './commands/audit.ts';
import { credentialsCommand } from './commands/credentials.ts';
import { importCommand, scanCommand } from './commands/ingest.ts';
import { keygenCommand } from './commands/keygen.ts';
import { packCommand } from './commands/pack.ts';
import { policyCommand } from './commands/policy.ts';
import { verifyCommand } from './commands/verify.ts';
import { runCommands } from './dispatch.ts';
import { serveCommand } from './serve.ts';

export const COMMANDS: readonly CliCommand[] = [serveCommand, keygenCommand, packCommand, verifyCommand, scanCommand, importCommand, policyCommand, auditCommand, credentialsCommand];

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  return runCommands(argv, io, COMMANDS);
}

export { processIO } from './command.ts';
