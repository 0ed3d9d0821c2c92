// `airlock keygen`: makes the Ed25519 key pair a comms team signs packages with. The private
// key stays on the corporate side (PKCS#8 PEM, readable by its owner only); the one-line
// public key goes to IT for the kiosk policy.

import { mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AirlockError, toErrorValue } from '../../../common/errors.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { exportPrivateKeyPem, formatPublicKey, generateSigningKeyPair } from '../../services/package/keys.ts';

const USAGE = `Usage: airlock keygen --out DIR [--name NAME] [--comment TEXT]

Creates a signing key pair for content packages:
  DIR/NAME.key  private key (PKCS#8 PEM, owner-only). Keep it secret; it never goes to the kiosk.
  DIR/NAME.pub  public key, one line: airlock-ed25519 <base64 key> [comment]. Give it to IT.
NAME defaults to airlock-signing. Existing files are never overwritten.
`;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

async function writeExclusive(file: string, text: string, mode: number): Promise<void> {
  const handle = await open(file, 'wx', mode);
  try {
    // Explicit, because the creation mode is only a ceiling and some file systems widen it.
    await handle.chmod(mode);
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function fail(io: CliIO, err: unknown): number {
  const value = toErrorValue(err);
  io.err(`${value.message}\n${value.detail === undefined ? '' : `Detail: ${value.detail}\n`}`);
  return 1;
}

export const keygenCommand: CliCommand = {
  name: 'keygen',
  summary: 'Create a key pair for signing content packages',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          out: { type: 'string' },
          name: { type: 'string' },
          comment: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      io.err(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
      return 2;
    }
    if (values.help === true) {
      io.out(USAGE);
      return 0;
    }
    if (values.out === undefined || values.out === '') {
      io.err(`Say where to put the keys with --out DIR.\n\n${USAGE}`);
      return 2;
    }
    const name = values.name ?? 'airlock-signing';
    if (!NAME_PATTERN.test(name)) {
      io.err(`--name may use letters, digits, dot, dash and underscore only.\n\n${USAGE}`);
      return 2;
    }

    const outDir = path.resolve(io.cwd, values.out);
    const privateFile = path.join(outDir, `${name}.key`);
    const publicFile = path.join(outDir, `${name}.pub`);
    const keys = generateSigningKeyPair();
    let publicLine: string;
    try {
      publicLine = formatPublicKey(keys.publicKey, values.comment);
    } catch (err) {
      return fail(io, err);
    }

    try {
      await mkdir(outDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      return fail(io, new AirlockError('package.write-failed', `Airlock cannot create the folder ${outDir}.`, String(err)));
    }
    try {
      await writeExclusive(privateFile, exportPrivateKeyPem(keys.privateKey), 0o600);
    } catch (err) {
      const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
      return fail(
        io,
        exists
          ? new AirlockError('package.exists', `${privateFile} already exists. Airlock never overwrites a key; choose another --name or folder.`)
          : new AirlockError('package.write-failed', `Airlock cannot write ${privateFile}.`, String(err)),
      );
    }
    try {
      await writeExclusive(publicFile, `${publicLine}\n`, 0o644);
    } catch (err) {
      // A private key without its public half is useless and confusing; take it back out.
      await unlink(privateFile);
      const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
      return fail(
        io,
        exists
          ? new AirlockError('package.exists', `${publicFile} already exists. Airlock never overwrites a key; choose another --name or folder.`)
          : new AirlockError('package.write-failed', `Airlock cannot write ${publicFile}.`, String(err)),
      );
    }

    io.out(
      [
        'Created a signing key pair.',
        `  Private key: ${privateFile}`,
        '               Keep it secret. It stays on this side and never goes to the kiosk.',
        `  Public key:  ${publicFile}`,
        '               Give this to IT so kiosks trust packages you sign.',
        `  Fingerprint: ${keys.publicKey.fingerprint}`,
        '',
        'Public key line for the kiosk policy:',
        `  ${publicLine}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
