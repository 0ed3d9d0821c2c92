// `airlock policy check FILE`: IT validates a kiosk policy before dropping it on a kiosk. Every
// problem is listed with the JSON path of the setting it concerns.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePolicy, policyProblems, summarisePolicy } from '../../services/policy/policy.ts';
import type { CliCommand } from '../command.ts';

const USAGE = `Usage: airlock policy check FILE [--json]

Checks a kiosk policy file. Exit code 0 when Airlock would accept it, 1 when not (each
problem is listed with its JSON path), 2 for bad usage.`;

export const policyCommand: CliCommand = {
  name: 'policy',
  summary: 'Check a kiosk policy file and explain every problem',
  usage: USAGE,
  async run(args, io) {
    const [sub, file, ...rest] = args;
    if (sub === '--help' || sub === 'help') {
      io.out(`${USAGE}\n`);
      return 0;
    }
    const json = rest.includes('--json');
    if (sub !== 'check' || !file || rest.some((a) => a !== '--json')) {
      io.err(`${USAGE}\n`);
      return 2;
    }
    const full = path.resolve(io.cwd, file);
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch (err) {
      io.err(`Cannot read ${full}: ${(err as Error).message}\n`);
      return 1;
    }
    const problems = policyProblems(text);
    if (json) {
      io.out(`${JSON.stringify({ ok: problems.length === 0, problems }, null, 2)}\n`);
      return problems.length === 0 ? 0 : 1;
    }
    if (problems.length > 0) {
      io.out(`${full}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; Airlock would refuse to start with this policy.\n`);
      for (const p of problems) io.out(`  ${p.path}: ${p.message}\n`);
      return 1;
    }
    const summary = summarisePolicy({ policy: parsePolicy(text, full), source: 'file', path: full });
    io.out(`${full}: valid.\n`);
    io.out(`  ${summary.kioskName} (${summary.organisation}); platforms: ${summary.enabledPlatforms.join(', ') || 'none'}; two-person approval: ${summary.twoPersonApproval ? 'yes' : 'no'}; signed packages: ${summary.signedPackages}; ${summary.trustedKeyCount} trusted key(s)\n`);
    return 0;
  },
};
