// Builds the sticks comms staff would bring to the kiosk: a signed content package (made with
// Airlock's own packer) or loose files, on a real FAT image mounted read-only with FUSE.
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildPackage, type PackagePlan } from '../../electron/services/package/builder.ts';
import type { SigningKeyPair } from '../../electron/services/package/keys.ts';
import { makeFatImage, mountReadOnly, type MountedVolume } from './fat-image.ts';

export async function filesOf(dir: string, prefix = ''): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, await filesOf(path.join(dir, entry.name), rel));
    else out[rel] = await readFile(path.join(dir, entry.name));
  }
  return out;
}

export async function packageFolder(keys: SigningKeyPair, plan: PackagePlan): Promise<string> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'airlock-pack-'));
  const built = await buildPackage({ outDir: path.join(work, 'package'), keys, plan });
  return built.dir;
}

/**
 * Writes `files` to a FAT image and mounts it read-only. With `under`, the mount point is made
 * inside that folder (a media root the kiosk watches).
 */
export async function insertStick(files: Record<string, Uint8Array | string>, options: { label?: string; under?: string; sizeKb?: number } = {}): Promise<MountedVolume> {
  const total = Object.values(files).reduce((n, f) => n + (typeof f === 'string' ? Buffer.byteLength(f) : f.length), 0);
  // No label unless asked: fusefat shows a FAT volume label as an empty file at the root,
  // which a real kernel mount does not.
  const image = await makeFatImage(files, { ...(options.label ? { label: options.label } : {}), sizeKb: options.sizeKb ?? Math.max(8192, Math.ceil((total * 1.3) / 1024) + 4096) });
  if (!options.under) return mountReadOnly(image);
  await mkdir(options.under, { recursive: true });
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = options.under; // mountReadOnly makes its mount point in os.tmpdir()
  try {
    return await mountReadOnly(image);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}
