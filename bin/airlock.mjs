#!/usr/bin/env node
// Entry point of the `airlock` command. Airlock's sources are TypeScript run by Node 22's
// built-in type stripping, so an older Node gets a clear message instead of a syntax error.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `airlock needs Node 22 or newer (this is ${process.versions.node}). Run it as \`npx airlock …\` inside the project.\n`,
  );
  process.exit(1);
}
const { runCli, processIO } = await import('../electron/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), processIO());
