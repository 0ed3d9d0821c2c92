// `airlock credentials`: IT provisions the organisation's app registration for a platform (the
// client key and secret TikTok and others issue) into this kiosk's OS keychain, and lists which
// platforms have one. The secret is read from standard input, never from the command line (where
// other users and the shell history would see it), and never echoed or printed. An X app
// registered as a native app is a public client with no secret: IT says so with --public-client.
import { parseArgs } from 'node:util';
import { AirlockError } from '../../../common/errors.ts';
import { PLATFORM_IDS, PLATFORM_LABELS, type PlatformId } from '../../../common/platforms.ts';
import { KeychainSecretStore } from '../../services/vault/secret-store.ts';
import { Vault } from '../../services/vault/vault.ts';
import type { CliCommand, CliIO } from '../command.ts';

const USAGE = `Usage:
  airlock credentials set-app PLATFORM --client-id ID    (the client secret is read from standard input)
  airlock credentials set-app x --client-id ID --public-client    (an X native app: no secret)
  airlock credentials list
  airlock credentials remove-app PLATFORM

Stores the organisation's app credentials for PLATFORM (${PLATFORM_IDS.join(', ')}) in this
kiosk's OS keychain, where Airlock reads them when an administrator connects an account.
Type or paste the client secret when asked (it is not shown), or pipe it in:
  airlock credentials set-app tiktok --client-id abc123 < secret.txt
The secret is never taken from the command line and never printed.
An X app whose type is "Native App" in the X developer portal is a public client and has no
client secret: store only its client id with --public-client (nothing is read from standard
input). Every other platform's app has a secret, and Airlock needs it.`;

/**
 * Platforms whose apps may be public clients, identified by their client id alone: X native
 * apps (platform-apis.md §2.1). TikTok, Meta, LinkedIn and YouTube need the secret at their token
 * endpoints, and Mastodon apps are registered by Airlock itself.
 */
const PUBLIC_CLIENT_PLATFORMS: readonly PlatformId[] = ['x'];

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
    parsed = parseArgs({ args, options: { 'client-id': { type: 'string' }, 'public-client': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
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
      const how = app?.clientSecret ? 'secret stored, not shown' : 'public client, no secret';
      io.out(`  ${PLATFORM_LABELS[platform].padEnd(10)} ${app ? `set (client id ${app.clientId}; ${how})` : 'not set'}\n`);
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
    const label = PLATFORM_LABELS[platform];
    const publicAllowed = PUBLIC_CLIENT_PLATFORMS.includes(platform);
    if (values['public-client']) {
      if (!publicAllowed) {
        throw new AirlockError('cli.secret-required', `${label} apps always have a client secret, and Airlock needs it to connect accounts. Run the command again without --public-client and give the secret on standard input. Nothing was saved.`);
      }
      await vault.saveAppCredentials(platform, { clientId, clientSecret: '' });
      io.out(`${label} app saved in the keychain as a public client (client id ${clientId}; no secret). Administrators can now connect ${label} accounts.\n`);
      return 0;
    }
    const secret = (await readSecret(io, stdin)).trim();
    if (secret === '') {
      const hint = publicAllowed ? ` If the ${label} app is a native app (a public client) without a secret, run the command again with --public-client.` : '';
      throw new AirlockError('cli.no-secret', `No client secret was given on standard input. Nothing was saved.${hint}`);
    }
    await vault.saveAppCredentials(platform, { clientId, clientSecret: secret });
    io.out(`${label} app credentials saved in the keychain (client id ${clientId}). Administrators can now connect ${label} accounts.\n`);
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
