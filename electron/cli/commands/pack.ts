// `airlock pack`: builds a signed content package on the corporate side, offline. Staff write
// a small posts file (captions, platforms, schedule, alt text, which media) next to the
// media; this copies the media into a new folder, lists and hashes it, and signs the list.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { toErrorValue } from '../../../common/errors.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { buildPackage, readPostsFile } from '../../services/package/builder.ts';
import { readPrivateKeyFile } from '../../services/package/keys.ts';

const USAGE = `Usage: airlock pack --key KEY --posts POSTS.json --out DIR [--author NAME]

Builds a signed content package in DIR (a new or empty folder, for example on a USB stick).
  --key KEY         your private key file from airlock keygen
  --posts FILE      the posts description (see below); media paths are relative to it
  --out DIR         the package folder to create
  --author NAME     who prepared the package (or "author" in the posts file)

Posts file example:
  {
    "author": "Comms team",
    "posts": [
      {
        "caption": "Our new library opens today",
        "targets": ["tiktok", "bluesky"],
        "scheduleAt": "2025-06-01T09:00:00+01:00",
        "media": [{ "file": "photos/library.jpg", "alt": "The library entrance" }]
      }
    ]
  }
"media" entries may also be plain file names when there is no alt text; "scheduleAt" is optional.
Platforms: tiktok, bluesky, mastodon, x, youtube, facebook, instagram, linkedin.
`;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit] ?? 'TB'}`;
}

export const packCommand: CliCommand = {
  name: 'pack',
  summary: 'Build a signed content package for the kiosk',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let values;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        options: {
          key: { type: 'string' },
          posts: { type: 'string' },
          out: { type: 'string' },
          author: { type: 'string' },
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
    const missing = (['key', 'posts', 'out'] as const).filter((option) => values[option] === undefined || values[option] === '');
    if (missing.length > 0) {
      io.err(`Missing ${missing.map((option) => `--${option}`).join(', ')}.\n\n${USAGE}`);
      return 2;
    }
    if (positionals.length > 0) {
      io.err(`Media files are listed in the posts file, not on the command line (got "${positionals[0] ?? ''}").\n\n${USAGE}`);
      return 2;
    }

    const resolve = (value: string | undefined): string => path.resolve(io.cwd, value ?? '');
    try {
      const keys = await readPrivateKeyFile(resolve(values.key));
      const plan = await readPostsFile(resolve(values.posts), values.author);
      const built = await buildPackage({ outDir: resolve(values.out), keys, plan });
      io.out(
        [
          `Package written to ${built.dir}`,
          `  Posts: ${built.manifest.posts.length}, media files: ${built.manifest.files.length} (${formatBytes(built.totalBytes)})`,
          `  Package id: ${built.manifest.packageId}`,
          `  Signed with key ${built.signerFingerprint}`,
          '',
        ].join('\n'),
      );
      return 0;
    } catch (err) {
      const value = toErrorValue(err);
      io.err(`${value.message}\nNo package was created.\n${value.detail === undefined ? '' : `Detail: ${value.detail}\n`}`);
      return 1;
    }
  },
};
