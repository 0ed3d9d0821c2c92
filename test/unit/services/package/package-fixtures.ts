// Builds content packages and hostile variations of them at test time, in temp folders that
// are removed after each test. No fixture bytes are committed.

import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPackage } from '../../../../electron/services/package/builder.ts';
import type { PackagePlan } from '../../../../electron/services/package/builder.ts';
import { generateSigningKeyPair } from '../../../../electron/services/package/keys.ts';
import type { SigningKeyPair } from '../../../../electron/services/package/keys.ts';
import { MANIFEST_FILE, SIGNATURE_FILE } from '../../../../electron/services/package/manifest.ts';
import type { PackageManifest } from '../../../../electron/services/package/manifest.ts';
import { canonicalJson } from '../../../../electron/services/package/canonical-json.ts';
import { signManifestBytes } from '../../../../electron/services/package/signature.ts';

const made: string[] = [];

export async function tempDir(label = 'pkg'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `airlock-${label}-`));
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface SamplePackage {
  root: string;
  dir: string;
  keys: SigningKeyPair;
  manifest: PackageManifest;
}

/** Media content with a recognisable pattern, so a one-byte change is a real change. */
export function sampleBytes(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 31 + seed * 17) & 0xff;
  return bytes;
}

export async function writeMedia(root: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, ...relative.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** A two-post package: photos/a.jpg, photos/b.png, video/clip.mp4, signed by fresh keys. */
export async function makeSamplePackage(keys: SigningKeyPair = generateSigningKeyPair()): Promise<SamplePackage> {
  const root = await tempDir('sample');
  const media = path.join(root, 'media');
  await writeMedia(media, {
    'photos/a.jpg': sampleBytes(3000, 1),
    'photos/b.png': sampleBytes(1500, 2),
    'video/clip.mp4': sampleBytes(70_000, 3),
  });
  const plan: PackagePlan = {
    author: 'Comms team',
    posts: [
      {
        caption: 'Our new library opens today',
        targets: ['tiktok', 'bluesky'],
        scheduleAt: '2030-06-01T09:00:00+01:00',
        media: [
          { source: path.join(media, 'photos', 'a.jpg'), path: 'photos/a.jpg', alt: 'The library entrance' },
          { source: path.join(media, 'photos', 'b.png'), path: 'photos/b.png' },
        ],
      },
      {
        caption: 'Behind the scenes',
        targets: ['tiktok'],
        media: [{ source: path.join(media, 'video', 'clip.mp4'), path: 'video/clip.mp4', alt: 'Staff shelving books' }],
      },
    ],
  };
  const dir = path.join(root, 'package');
  const built = await buildPackage({ outDir: dir, keys, plan });
  return { root, dir, keys, manifest: built.manifest };
}

/** Rewrites manifest.json with `manifest` in canonical form and signs it with `keys`. */
export async function resign(dir: string, manifest: unknown, keys: SigningKeyPair): Promise<void> {
  const bytes = Buffer.from(canonicalJson(manifest), 'utf8');
  await writeFile(path.join(dir, MANIFEST_FILE), bytes);
  await writeFile(path.join(dir, SIGNATURE_FILE), signManifestBytes(bytes, keys));
}

export async function readManifestJson(dir: string): Promise<PackageManifest> {
  return JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as PackageManifest;
}

/** Flips one byte of a file in place, keeping its size. */
export async function flipByte(file: string, offset: number): Promise<void> {
  const bytes = await readFile(file);
  bytes[offset] = (bytes[offset] ?? 0) ^ 0x01;
  await writeFile(file, bytes);
}
