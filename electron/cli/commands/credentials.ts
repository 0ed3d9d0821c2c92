// `airlock credentials`: IT provisions the organisation's app registration for a platform (the
// client key and secret TikTok and others issue) into this kiosk's OS keychain, and lists which
// platforms have one. The secret is read from standard input, never from the command line (where
// other users and the shell history would see it), and never echoed or printed.
import { parseArgs } from 'node:util';
import { AirlockError } from '../../../common/errors.ts';
import { PLATFORM_IDS, PLATFORM_LABELS, type PlatformId } from '../../../common/platforms.ts';
import { KeychainSecretStore } from '../../services/vault/secret-store.ts';
import { Vault } from '../../services/vault/vault.ts';
import type { CliCommand, CliIO } from '../command.ts';

const USAGE = `Usage:
  airlock credentials set-app PLATFORM --client-id ID    (the client secret is read from standard input)
  airlock credentials list
  airlock credentials remove-app PLATFORM

Stores the organisation's app credentials for PLATFORM (${PLATFORM_IDS.join(', ')}) in this
kiosk's OS keychain, where Airlock reads them when an administrator connects an account.
Type or paste the client secret when asked (it is not shown), or pipe it in:
  airlock credentials set-app tiktok --client-id abc123 < secret.txt
The secret is never taken from the command line and never printed.`;

const MAX_SECRET = 4096;

function platformOf(value: string | undefined): PlatformId {
  if (value && (PLATFORM_IDS as readonly string[]).includes(value)) return value as PlatformId;
  throw new AirlockError('cli.unknown-platform', `"${String(value ?? '').slice(0, 40)}" is not a platform Airlock knows. Use one of: ${PLATFORM_IDS.join(', ')}.`);
}

/** Reads the secret: hidden typing on a terminal, otherwise everything piped in (one trailing newline dropped). */
async function readSecret(io: CliIO, stdin: NodeJS.ReadStream): Promise<string> {
  if (stdin.isTTY) {
    io.err('Client secret (not shown): ');
    return new Promise((resolve, reject) => {
      let text = '';
      stdin.setRawMode(true);
      stdin.setEncoding('utf8');
      stdin.resume();
      const done = (err: Error | null) => {
        stdin.setRawMode(false);
        stdin.pause();
        stdin.off('data', onData);
        io.err('\n');
        if (err) reject(err);
        else resolve(text);
      };
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') return done(null);
          if (ch === '\u0003') return done(new AirlockError('cli.cancelled', 'Cancelled. Nothing was saved.'));
          if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
          else if (text.length < MAX_SECRET) text += ch;
        }
      };
      stdin.on('data', onData);
    });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    total += (chunk as Buffer).length;
    if (total > MAX_SECRET) throw new AirlockError('cli.secret-too-long', `The client secret is longer than ${MAX_SECRET} bytes; check what was piped in. Nothing was saved.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function runCredentials(args: string[], io: CliIO, stdin: NodeJS.ReadStream, vault = new Vault(new KeychainSecretStore())): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { 'client-id': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, platformArg, ...extra] = positionals;
  if (values.help || sub === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (sub === 'list' && platformArg === undefined) {
    io.out('App credentials in this kiosk\'s keychain:\n');
    for (const platform of PLATFORM_IDS) {
      const app = await vault.loadAppCredentials(platform);
      io.out(`  ${PLATFORM_LABELS[platform].padEnd(10)} ${app ? `set (client id ${app.clientId}; secret stored, not shown)` : 'not set'}\n`);
    }
    return 0;
  }
  if (sub === 'set-app' && extra.length === 0) {
    const platform = platformOf(platformArg);
    const clientId = values['client-id']?.trim();
    if (!clientId) {
      io.err(`set-app needs --client-id (the client key or id; it is not secret).\n\n${USAGE}\n`);
      return 2;
    }
    const secret = (await readSecret(io, stdin)).trim();
    if (secret === '') throw new AirlockError('cli.no-secret', 'No client secret was given on standard input. Nothing was saved.');
    await vault.saveAppCredentials(platform, { clientId, clientSecret: secret });
    io.out(`${PLATFORM_LABELS[platform]} app credentials saved in the keychain (client id ${clientId}). Administrators can now connect ${PLATFORM_LABELS[platform]} accounts.\n`);
    return 0;
  }
  if (sub === 'remove-app' && extra.length === 0) {
    const platform = platformOf(platformArg);
    const removed = await vault.deleteAppCredentials(platform);
    io.out(removed ? `${PLATFORM_LABELS[platform]} app credentials removed from the keychain.\n` : `There were no ${PLATFORM_LABELS[platform]} app credentials to remove.\n`);
    return 0;
  }
  io.err(`${USAGE}\n`);
  return 2;
}

export const credentialsCommand: CliCommand = {
  name: 'credentials',
  summary: 'Store or list the organisation\'s platform app credentials in the keychain',
  usage: USAGE,
  run: (args, io) => runCredentials(args, io, process.stdin),
};
