// Ejects a stick when staff are done with it: unmounts it through the desktop's own tools
// (udisks on Linux, diskutil on macOS) so the kiosk never needs root, then the watcher sees
// it leave. FUSE mounts (tests, some kiosks) are released with fusermount.
import { execFile } from 'node:child_process';
import { AirlockError } from '../../../common/errors.ts';
import type { Volume } from './volume-identity.ts';

export type CommandRunner = (command: string, args: string[]) => Promise<void>;

const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 20_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });

/** The commands that release a volume on this platform, in order; power-off is best effort. */
export function ejectCommands(volume: Volume, platform: NodeJS.Platform = process.platform): { command: string; args: string[]; optional?: boolean }[] {
  if (platform === 'linux') {
    if (volume.fsType.startsWith('fuse')) return [{ command: 'fusermount', args: ['-u', volume.path] }];
    if (!volume.identity.source.startsWith('/dev/')) return [];
    return [
      { command: 'udisksctl', args: ['unmount', '--block-device', volume.identity.source, '--no-user-interaction'] },
      { command: 'udisksctl', args: ['power-off', '--block-device', volume.identity.source.replace(/\d+$/, ''), '--no-user-interaction'], optional: true },
    ];
  }
  if (platform === 'darwin') return [{ command: 'diskutil', args: ['eject', volume.path] }];
  return [];
}

export async function ejectVolume(volume: Volume, run: CommandRunner = runCommand, platform: NodeJS.Platform = process.platform): Promise<void> {
  const steps = ejectCommands(volume, platform);
  if (steps.length === 0) {
    throw new AirlockError('media.eject-unsupported', 'Airlock cannot eject this stick by itself. Use the system’s “safely remove” before pulling it out.', `${platform} ${volume.fsType} ${volume.identity.source}`);
  }
  for (const step of steps) {
    try {
      await run(step.command, step.args);
    } catch (err) {
      if (step.optional) continue;
      throw new AirlockError('media.eject-failed', 'The stick could not be ejected; a file on it may still be in use. Wait a moment and try again.', (err as Error).message);
    }
  }
}
