// Real FAT sticks mounted read-only through FUSE inside a temporary media root: the watcher must
// see them arrive and leave within 2 s, tell two of them apart, and ignore plain folders.
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { fatIdentity, readFatVolumeInfo } from '../../../electron/services/media/volume-identity.ts';
import type { IdentityResolver, Volume } from '../../../electron/services/media/volume-identity.ts';
import { VolumeWatcher } from '../../../electron/services/media/volume-watcher.ts';
import type { MediaLog } from '../../../electron/services/media/volume-watcher.ts';
import { makeFatImage, mountReadOnly, requireFatTools } from '../../support/fat-image.ts';
import type { FatImage, MountedVolume } from '../../support/fat-image.ts';

const WITHIN_MS = 2_000;

let root: string;
const images: FatImage[] = [];
const mounts: MountedVolume[] = [];
const watchers: VolumeWatcher[] = [];
const warnings: AirlockErrorValue[] = [];
const log: MediaLog = { info: () => {}, warn: (problem) => warnings.push(problem) };

// Which image backs which mount point, so the resolver can read the FAT serial the way the udev
// lookup would on a real stick. The watcher may see a mount before mountReadOnly returns, so
// the image being mounted right now is known too (mounts here happen one at a time).
const imageAt = new Map<string, string>();
let mounting: string | undefined;

const fatResolver: IdentityResolver = async ({ source, mountPoint }) => {
  const image = imageAt.get(mountPoint) ?? mounting;
  if (image === undefined) return { source };
  const info = await readFatVolumeInfo(image);
  return info.ok ? fatIdentity(info.value, source) : { source };
};

beforeAll(async () => {
  requireFatTools();
  root = await realpath(await mkdtemp(join(tmpdir(), 'airlock-media-root-')));
});

afterAll(async () => {
  for (const watcher of watchers) await watcher.stop();
  try {
    for (const mount of mounts) await mount.unmount().catch(() => mount.pull());
  } finally {
    for (const image of images) await image.cleanup();
    await rm(root, { recursive: true, force: true });
  }
});

async function stick(label: string): Promise<FatImage> {
  const image = await makeFatImage({ 'README.TXT': `stick ${label}` }, { label });
  images.push(image);
  return image;
}

/** Mounts an image read-only in a fresh folder directly inside the media root. */
async function insert(image: FatImage): Promise<{ mount: MountedVolume; at: number }> {
  // mountReadOnly makes its mount point with mkdtemp(os.tmpdir()); pointing TMPDIR at the media
  // root for the call puts the stick inside it, as an automounter would.
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = root;
  mounting = image.path;
  let mount: MountedVolume;
  try {
    mount = await mountReadOnly(image);
  } finally {
    mounting = undefined;
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
  mounts.push(mount);
  imageAt.set(mount.dir, image.path);
  expect(dirname(mount.dir)).toBe(root);
  return { mount, at: Date.now() };
}

interface Seen {
  volume: Volume;
  at: number;
}

function watch(options: { mountTablePath?: string; resolver?: IdentityResolver | null } = {}): {
  watcher: VolumeWatcher;
  inserted: Seen[];
  removed: Seen[];
} {
  const watcher = new VolumeWatcher({
    platform: 'linux',
    roots: [root],
    log,
    ...(options.mountTablePath ? { mountTablePath: options.mountTablePath } : {}),
    ...(options.resolver === null ? {} : { resolveIdentity: options.resolver ?? fatResolver }),
  });
  watchers.push(watcher);
  const inserted: Seen[] = [];
  const removed: Seen[] = [];
  watcher.onDidInsert((volume) => inserted.push({ volume, at: Date.now() }));
  watcher.onDidRemove((volume) => removed.push({ volume, at: Date.now() }));
  return { watcher, inserted, removed };
}

/** The first recorded event matching `match`, failing if none arrives by `deadline`. */
async function eventBy(list: Seen[], match: (volume: Volume) => boolean, deadline: number, what: string): Promise<Seen> {
  for (;;) {
    const found = list.find((seen) => match(seen.volume));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} event within ${WITHIN_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('VolumeWatcher with real FUSE-mounted FAT sticks', () => {
  it('announces a stick within 2 s with its label and path, and its removal within 2 s of fusermount -u', async () => {
    const { watcher, inserted, removed } = watch();
    await watcher.start();
    expect(watcher.current()).toEqual([]);

    const image = await stick('COMMS1');
    const { mount, at } = await insert(image);
    const seen = await eventBy(inserted, (v) => v.path === mount.dir, at + WITHIN_MS, 'inserted');
    expect(seen.at - at).toBeLessThan(WITHIN_MS);

    const fat = await readFatVolumeInfo(image.path);
    expect(fat.ok).toBe(true);
    expect(seen.volume).toMatchObject({
      label: 'COMMS1',
      path: mount.dir,
      fsType: 'fuse.fusefat',
      readOnly: true,
      identity: { source: 'fusefat', label: 'COMMS1', uuid: fat.ok ? fat.value.volumeSerial : 'missing' },
    });
    expect(seen.volume.volumeId).toMatch(/^[0-9a-f]{16}$/);
    expect(watcher.current().map((v) => v.volumeId)).toEqual([seen.volume.volumeId]);

    // unmount() runs fusermount -u and returns once the mount has left the table.
    await mount.unmount();
    const goneAt = Date.now();
    const gone = await eventBy(removed, (v) => v.volumeId === seen.volume.volumeId, goneAt + WITHIN_MS, 'removed');
    expect(gone.at - goneAt).toBeLessThan(WITHIN_MS);
    expect(watcher.current()).toEqual([]);
    expect(inserted).toHaveLength(1);
    await watcher.stop();
  });

  it('gives two sticks inserted at once different volumeIds', async () => {
    const { watcher, inserted, removed } = watch();
    await watcher.start();
    const first = await insert(await stick('TWIN'));
    const second = await insert(await stick('TWIN'));
    const a = await eventBy(inserted, (v) => v.path === first.mount.dir, first.at + WITHIN_MS, 'inserted');
    const b = await eventBy(inserted, (v) => v.path === second.mount.dir, second.at + WITHIN_MS, 'inserted');
    expect(a.volume.label).toBe('TWIN');
    expect(b.volume.label).toBe('TWIN');
    expect(a.volume.volumeId).not.toBe(b.volume.volumeId);
    expect(watcher.current().map((v) => v.volumeId).sort()).toEqual([a.volume.volumeId, b.volume.volumeId].sort());

    // Ids stay put while the sticks stay in.
    await watcher.refresh();
    expect(watcher.current().map((v) => v.volumeId).sort()).toEqual([a.volume.volumeId, b.volume.volumeId].sort());

    await first.mount.unmount();
    const firstGone = Date.now();
    await eventBy(removed, (v) => v.volumeId === a.volume.volumeId, firstGone + WITHIN_MS, 'removed');
    expect(watcher.current().map((v) => v.volumeId)).toEqual([b.volume.volumeId]);
    await second.mount.unmount();
    await eventBy(removed, (v) => v.volumeId === b.volume.volumeId, Date.now() + WITHIN_MS, 'removed');
    await watcher.stop();
  });

  it('does not count a plain folder appearing in the media root as a volume', async () => {
    const { watcher, inserted } = watch();
    await watcher.start();
    await mkdir(join(root, 'PLAIN'));
    await writeFile(join(root, 'PLAIN', 'post.txt'), 'not on a stick');
    await writeFile(join(root, 'loose-file.txt'), 'not a folder');
    // Four polls' worth of time.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await watcher.refresh();
    expect(inserted).toEqual([]);
    expect(watcher.current()).toEqual([]);
    await watcher.stop();
    await rm(join(root, 'PLAIN'), { recursive: true });
    await rm(join(root, 'loose-file.txt'));
  });

  it('finds a stick by its device number alone when the mount table does not list it', async () => {
    // An empty table stands in for a mount made in another mount namespace.
    const emptyTable = join(await mkdtemp(join(tmpdir(), 'airlock-mounts-')), 'mounts');
    await writeFile(emptyTable, '');
    const { watcher, inserted, removed } = watch({ mountTablePath: emptyTable, resolver: null });
    try {
      await watcher.start();
      const { mount, at } = await insert(await stick('BYDEV'));
      const seen = await eventBy(inserted, (v) => v.path === mount.dir, at + WITHIN_MS, 'inserted');
      // No table entry and the default udev lookup: only the folder is known.
      expect(seen.volume).toMatchObject({ path: mount.dir, fsType: 'unknown', readOnly: true, identity: { source: mount.dir } });
      expect(seen.volume.label).toBe(mount.dir.split('/').at(-1));
      await mount.unmount();
      await eventBy(removed, (v) => v.path === mount.dir, Date.now() + WITHIN_MS, 'removed');
    } finally {
      await watcher.stop();
      await rm(dirname(emptyTable), { recursive: true, force: true });
    }
  });

  it('reports a pulled stick as removed within 2 s', async () => {
    const { watcher, inserted, removed } = watch();
    await watcher.start();
    const { mount, at } = await insert(await stick('PULLED'));
    const seen = await eventBy(inserted, (v) => v.path === mount.dir, at + WITHIN_MS, 'inserted');
    await mount.pull();
    const pulledAt = Date.now();
    const gone = await eventBy(removed, (v) => v.volumeId === seen.volume.volumeId, pulledAt + WITHIN_MS, 'removed');
    expect(gone.volume.label).toBe('PULLED');
    await watcher.stop();
    expect(warnings).toEqual([]);
  });
});
