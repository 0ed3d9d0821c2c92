// `airlock verify`: the same check the kiosk makes on import, run by hand. Exit 0 only for an
// untouched package signed by one of the given keys; otherwise exit 1 with the reason in
// plain words (or as JSON for scripts). Bad usage exits 2.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { AirlockError, toErrorValue } from '../../../common/errors.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { parsePublicKey, PUBLIC_KEY_PREFIX, readPublicKeyFile } from '../../services/package/keys.ts';
import type { PackagePublicKey } from '../../services/package/keys.ts';
import { readPackage } from '../../services/package/reader.ts';

const USAGE = `Usage: airlock verify DIR --trust KEY [--trust KEY ...] [--json]

Checks that the content package in DIR is complete, unchanged and signed by a trusted key.
  --trust KEY   a public key file (.pub), or the key itself ("${PUBLIC_KEY_PREFIX} ...")
  --json        print the result as JSON
Exit status: 0 the package is good, 1 it is not (the reason is printed), 2 bad usage.
`;

async function loadTrustedKey(value: string, cwd: string): Promise<PackagePublicKey> {
  const trimmed = value.trim();
  if (trimmed.startsWith(`${PUBLIC_KEY_PREFIX} `) || trimmed.startsWith('-----BEGIN')) return parsePublicKey(trimmed);
  return readPublicKeyFile(path.resolve(cwd, value));
}

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'Check that a content package is complete, unchanged and signed by a trusted key',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let values;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        options: {
          trust: { type: 'string', multiple: true },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: true,
      }));
    } catch (err) {
      io.err(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
      return 2;
    }
    if (values.help === true) {
      io.out(USAGE);
      return 0;
    }
    const [dir, ...extra] = positionals;
    if (dir === undefined || extra.length > 0) {
      io.err(`Give exactly one package folder.\n\n${USAGE}`);
      return 2;
    }
    const trustArgs = values.trust ?? [];
    if (trustArgs.length === 0) {
      io.err(`Say which keys to trust with --trust KEY.\n\n${USAGE}`);
      return 2;
    }
    const trustedKeys: PackagePublicKey[] = [];
    for (const value of trustArgs) {
      try {
        trustedKeys.push(await loadTrustedKey(value, io.cwd));
      } catch (err) {
        const reason = err instanceof AirlockError ? err.message : String(err);
        io.err(`--trust ${value}: ${reason}\n\n${USAGE}`);
        return 2;
      }
    }

    const json = values.json === true;
    try {
      const contents = await readPackage(path.resolve(io.cwd, dir), { trustedKeys });
      const { manifest } = contents;
      if (json) {
        const result = {
          ok: true,
          dir: contents.dir,
          status: contents.status,
          packageId: manifest.packageId,
          author: manifest.author,
          createdAt: manifest.createdAt,
          signer: contents.signer,
          manifestSha256: contents.manifestSha256,
          posts: manifest.posts.length,
          files: manifest.files.length,
          totalBytes: contents.totalBytes,
          ignored: contents.ignored,
        };
        io.out(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        const lines = [
          'OK: the package is complete, unchanged, and signed by a trusted key.',
          `  Package:   ${manifest.packageId}`,
          `  Author:    ${manifest.author}`,
          `  Created:   ${manifest.createdAt}`,
          `  Signed by: ${contents.signer?.fingerprint ?? 'nobody'}`,
          `  Posts: ${manifest.posts.length}, media files: ${manifest.files.length} (${contents.totalBytes} bytes)`,
        ];
        if (contents.ignored.length > 0) lines.push(`  Ignored system files: ${contents.ignored.join(', ')}`);
        io.out(`${lines.join('\n')}\n`);
      }
      return 0;
    } catch (err) {
      const value = toErrorValue(err);
      if (json) {
        io.out(`${JSON.stringify({ ok: false, error: value }, null, 2)}\n`);
      } else {
        io.err(`NOT OK: ${value.message}\n${value.detail === undefined ? '' : `Detail: ${value.detail}\n`}`);
      }
      return 1;
    }
  },
};
