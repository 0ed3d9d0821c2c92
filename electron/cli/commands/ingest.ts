// `airlock scan` and `airlock import`: the stick checks and the import the kiosk performs,
// from the command line, for IT and for scripted provisioning. `scan` writes nothing anywhere.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AirlockError } from '../../../common/errors.ts';
import { importFromSource, scanSource } from '../../services/imports/import-session.ts';
import { BlobStore, formatBytes } from '../../services/ingest/index.ts';
import { defaultPolicyPath, loadPolicy } from '../../services/policy/policy.ts';
import { SanitizePool } from '../../services/sanitize/sanitize-pool.ts';
import { openInlineStore } from '../../services/store/store.ts';
import type { CliCommand, CliIO } from '../command.ts';

type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

function parse(args: string[], io: CliIO, usage: string, options: Record<string, { type: 'string' | 'boolean' }>): Parsed | null {
  try {
    const parsed = parseArgs({ args, options: { ...options, json: { type: 'boolean' }, policy: { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
    if (parsed.values.help) {
      io.out(`${usage}\n`);
      return null;
    }
    if (parsed.positionals.length !== 1) throw new Error('Name exactly one folder (where the stick is mounted).');
    return parsed as Parsed;
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${usage}\n`);
    return null;
  }
}

const policyFile = (values: Parsed['values'], io: CliIO) => (values.policy as string | undefined) ?? io.env.AIRLOCK_POLICY ?? defaultPolicyPath();

const SCAN_USAGE = `Usage: airlock scan DIR [--json] [--policy FILE]

Checks what on the stick mounted at DIR could be imported, and why anything would be refused.
Writes nothing anywhere. Exit code 0 when the stick can be imported, 1 when it would be refused.`;

export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'Check a stick: what would be imported and why anything is refused (writes nothing)',
  usage: SCAN_USAGE,
  async run(args, io) {
    const parsed = parse(args, io, SCAN_USAGE, {});
    if (!parsed) return args.includes('--help') ? 0 : 2;
    const { policy } = await loadPolicy(policyFile(parsed.values, io));
    const root = path.resolve(io.cwd, parsed.positionals[0]!);
    const { scan, package: pkg } = await scanSource(root, { policy, scanLimits: policy.media.limits });
    if (parsed.values.json) {
      io.out(`${JSON.stringify({ accepted: scan.accepted.map(({ path: p, sha256, kind, bytes }) => ({ path: p, sha256, kind, bytes })), rejected: scan.rejected, totals: scan.totals, truncated: scan.truncated ?? null, package: pkg }, null, 2)}\n`);
    } else {
      io.out(`${scan.accepted.length} files can be imported (${formatBytes(scan.totals.acceptedBytes)}), ${scan.totals.rejected} refused, ${scan.totals.skipped} system files ignored.\n`);
      for (const r of scan.rejected.filter((x) => !x.skipped)) io.out(`  refused  ${r.path}: ${r.reason}\n`);
      if (pkg.kind === 'refused') io.out(`The stick would be refused: ${pkg.error.message}\n`);
      else if (pkg.kind === 'package') io.out(`Package ${pkg.packageId} by ${pkg.author}: ${pkg.status === 'trusted' ? `signed by trusted key ${pkg.signer}` : 'unsigned'}, ${pkg.posts} posts.\n`);
      else io.out('No content package: loose files.\n');
      if (scan.truncated) io.out(`The scan stopped early: ${scan.truncated.reason}\n`);
    }
    return pkg.kind === 'refused' || scan.truncated ? 1 : 0;
  },
};

const IMPORT_USAGE = `Usage: airlock import DIR --data DATADIR [--json] [--policy FILE] [--allow-replay ADMIN]

Imports the stick mounted at DIR into the kiosk library in DATADIR: copies, removes hidden
information from photos, videos and captions, and adds draft posts. Nothing is half-imported.
  --allow-replay ADMIN  import a package that was imported before, recording who allowed it`;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import a stick into a kiosk library (copy, clean, add draft posts)',
  usage: IMPORT_USAGE,
  async run(args, io) {
    const parsed = parse(args, io, IMPORT_USAGE, { data: { type: 'string' }, 'allow-replay': { type: 'string' } });
    if (!parsed) return args.includes('--help') ? 0 : 2;
    if (typeof parsed.values.data !== 'string') {
      io.err(`--data DATADIR is required.\n\n${IMPORT_USAGE}\n`);
      return 2;
    }
    const { policy } = await loadPolicy(policyFile(parsed.values, io));
    const dataDir = path.resolve(io.cwd, parsed.values.data);
    const root = path.resolve(io.cwd, parsed.positionals[0]!);
    const store = openInlineStore(path.join(dataDir, 'airlock.db'));
    const sanitize = new SanitizePool();
    try {
      await store.call('imports.recoverInterrupted', { finishedAt: new Date().toISOString() });
      const blobs = await BlobStore.open(path.join(dataDir, 'library'));
      let lastPercent = -1;
      const outcome = await importFromSource(root, { store, blobs, sanitize, policy, now: () => new Date(), scanLimits: policy.media.limits }, {
        replayAllowedBy: (parsed.values['allow-replay'] as string | undefined) ?? null,
        onProgress: (p) => {
          if (parsed.values.json) return;
          const percent = p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * 100) : 100;
          if (percent !== lastPercent && p.phase === 'copying') io.err(`\rcopying ${percent}%`);
          lastPercent = percent;
        },
      });
      if (parsed.values.json) {
        io.out(
          `${JSON.stringify(
            {
              accepted: outcome.accepted.map(({ path: p, sha256, kind, bytes }) => ({ path: p, sha256, kind, bytes })),
              rejected: outcome.rejected,
              imported: outcome.imported,
              posts: outcome.postIds,
              package: outcome.package,
              sessionId: outcome.sessionId,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        io.err('\n');
        io.out(`Imported ${outcome.imported.length} items and ${outcome.postIds.length} draft posts; ${outcome.rejected.filter((r) => !r.skipped).length} refused.\n`);
        for (const item of outcome.imported) {
          io.out(`  ${item.path}${item.reused ? ' (already in the library)' : ''}\n`);
          for (const f of item.report.findings) io.out(`    - ${f.text}\n`);
        }
      }
      return 0;
    } catch (err) {
      if (err instanceof AirlockError && parsed.values.json) {
        io.out(`${JSON.stringify({ error: err.toValue() }, null, 2)}\n`);
        return 1;
      }
      throw err;
    } finally {
      await sanitize.close();
      await store.close();
    }
  },
};
