// Who a stick is, as far as the machine can tell without opening a file on it: filesystem UUID
// (for FAT, the volume serial), label and the USB device serial. Later stages use this to refuse
// a package replayed from a stick already seen. Every lookup is best-effort and never throws.

import { createHash } from 'node:crypto';
import { open, readdir, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { AirlockError } from '../../../common/errors.ts';
import type { Result } from '../../../common/errors.ts';

export interface VolumeIdentity {
  /** Filesystem UUID as blkid prints it; for FAT the volume serial, e.g. `1234-ABCD`. */
  uuid?: string;
  /** Filesystem label, e.g. `COMMS`. */
  label?: string;
  /** Serial number of the USB device itself, when the kernel exposes one. */
  serial?: string;
  /** The mount source as the system reported it: /dev/sdb1, fusefat, E:\, /Volumes/COMMS. */
  source: string;
}

export interface Volume {
  /** Short stable id for this stick while it stays inserted; differs between sticks. */
  volumeId: string;
  /** What staff see: the filesystem label, or failing that the folder name. */
  label: string;
  /** Where the volume is mounted. */
  path: string;
  /** Kernel filesystem type (`vfat`, `exfat`, `fuse.fusefat`) or `unknown` where the OS won't say. */
  fsType: string;
  readOnly: boolean;
  identity: VolumeIdentity;
}

/** Looks up a mounted volume's identity. Must not throw; a failure returns `{ source }`. */
export type IdentityResolver = (mount: { source: string; mountPoint: string; fsType: string }) => Promise<VolumeIdentity>;

/**
 * Short id derived from the identity and the mount path. The path is part of it so two sticks
 * that carry no identity at all (cloned images, FUSE mounts) still get distinct ids.
 */
export function volumeIdFor(identity: VolumeIdentity, path: string): string {
  const material = JSON.stringify([
    identity.uuid ?? null,
    identity.serial ?? null,
    identity.label ?? null,
    identity.source,
    path,
  ]);
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// FAT boot sector

export interface FatVolumeInfo {
  variant: 'FAT12/16' | 'FAT32';
  /** Volume serial as blkid shows it for FAT (`1234-ABCD`), which is also Linux's UUID for it. */
  volumeSerial?: string;
  /** Label from the boot sector, trailing spaces removed; absent for `NO NAME`. */
  label?: string;
}

const BOOT_SECTOR_BYTES = 512;

/**
 * Reads the volume serial and label from a FAT boot sector. The label here is the one mkfs
 * wrote; Windows may later change only the root-directory copy, which this does not read.
 */
export function parseFatBootSector(sector: Uint8Array): Result<FatVolumeInfo> {
  const fail = (code: string, detail: string): Result<FatVolumeInfo> => ({
    ok: false,
    error: new AirlockError(code, 'This does not look like a FAT-formatted stick.', detail).toValue(),
  });
  if (sector.length < BOOT_SECTOR_BYTES) {
    return fail('media.boot-sector-short', `boot sector has ${sector.length} bytes, need ${BOOT_SECTOR_BYTES}`);
  }
  const view = new DataView(sector.buffer, sector.byteOffset, BOOT_SECTOR_BYTES);
  if (sector[510] !== 0x55 || sector[511] !== 0xaa) {
    return fail('media.boot-sector-signature', 'boot sector does not end with 55 AA');
  }
  // An MBR also ends in 55 AA; a sane BPB tells a FAT boot sector apart from a partition table.
  const bytesPerSector = view.getUint16(0x0b, true);
  const sectorsPerCluster = view.getUint8(0x0d);
  const fatCount = view.getUint8(0x10);
  if (
    ![512, 1024, 2048, 4096].includes(bytesPerSector) ||
    sectorsPerCluster === 0 ||
    (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0 ||
    fatCount === 0
  ) {
    return fail('media.not-fat', `implausible BPB: ${bytesPerSector} bytes/sector, ${sectorsPerCluster} sectors/cluster, ${fatCount} FATs`);
  }
  const isFat32 = view.getUint16(0x16, true) === 0 && view.getUint32(0x24, true) !== 0;
  const base = isFat32 ? 0x40 : 0x24;
  const info: FatVolumeInfo = { variant: isFat32 ? 'FAT32' : 'FAT12/16' };
  // Extended boot signature: 0x29 means serial and label follow, 0x28 (old DOS) only the serial.
  const signature = view.getUint8(base + 0x02);
  if (signature === 0x28 || signature === 0x29) {
    const serial = view.getUint32(base + 0x03, true);
    info.volumeSerial = `${hex4(serial >>> 16)}-${hex4(serial & 0xffff)}`;
  }
  if (signature === 0x29) {
    const label = decodeFatLabel(sector.subarray(base + 0x07, base + 0x07 + 11));
    if (label !== undefined) info.label = label;
  }
  return { ok: true, value: info };
}

/** Reads the first sector of an image file (or a block device the process may read). */
export async function readFatVolumeInfo(file: string): Promise<Result<FatVolumeInfo>> {
  let handle;
  try {
    handle = await open(file, 'r');
    const sector = Buffer.alloc(BOOT_SECTOR_BYTES);
    const { bytesRead } = await handle.read(sector, 0, BOOT_SECTOR_BYTES, 0);
    return parseFatBootSector(sector.subarray(0, bytesRead));
  } catch (err) {
    return {
      ok: false,
      error: new AirlockError('media.boot-sector-unreadable', 'Airlock could not read this stick.', describe(err)).toValue(),
    };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Identity for a FAT volume as Linux would report it (serial as UUID). */
export function fatIdentity(info: FatVolumeInfo, source: string): VolumeIdentity {
  const identity: VolumeIdentity = { source };
  if (info.volumeSerial !== undefined) identity.uuid = info.volumeSerial;
  if (info.label !== undefined) identity.label = info.label;
  return identity;
}

function hex4(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0');
}

function decodeFatLabel(bytes: Uint8Array): string | undefined {
  // Labels are in the OEM code page; latin1 keeps every byte visible, and control characters
  // (which no formatter writes) are dropped so a hostile label cannot reach the screen raw.
  const text = Buffer.from(bytes.filter((byte) => byte >= 0x20 && byte !== 0x7f))
    .toString('latin1')
    .trimEnd();
  return text === '' || text === 'NO NAME' ? undefined : text;
}

// ---------------------------------------------------------------------------------------------
// Linux: udev's /dev/disk symlinks

export interface DiskLinkFs {
  readdir(dir: string): Promise<string[]>;
  realpath(path: string): Promise<string>;
}

const nodeDiskLinkFs: DiskLinkFs = {
  readdir: (dir) => readdir(dir),
  realpath: (path) => realpath(path),
};

/**
 * Resolves a mount source such as /dev/sdb1 to UUID, label and USB serial by finding which
 * udev symlinks under `diskDir` point at the same device node. Sources that are not paths
 * (FUSE programs, network shares) or match no link come back as `{ source }`.
 */
export async function resolveLinuxIdentity(
  source: string,
  options: { diskDir?: string; fs?: DiskLinkFs } = {},
): Promise<VolumeIdentity> {
  const identity: VolumeIdentity = { source };
  // Device nodes are absolute paths; FUSE program names and host:/export shares are not.
  if (!source.startsWith('/')) return identity;
  const fs = options.fs ?? nodeDiskLinkFs;
  const diskDir = options.diskDir ?? '/dev/disk';
  const device = await fs.realpath(source).catch(() => undefined);
  if (device === undefined) return identity;

  const uuid = await linkNamePointingAt(fs, posix.join(diskDir, 'by-uuid'), device);
  if (uuid !== undefined) identity.uuid = decodeUdevName(uuid);
  const label = await linkNamePointingAt(fs, posix.join(diskDir, 'by-label'), device);
  if (label !== undefined) identity.label = decodeUdevName(label);

  // by-id has links for the partition (…-part1) and the whole disk; either names the serial.
  const byId = posix.join(diskDir, 'by-id');
  const usbName =
    (await linkNamePointingAt(fs, byId, device, (name) => name.startsWith('usb-'))) ??
    (await linkNamePointingAt(fs, byId, wholeDiskOf(device), (name) => name.startsWith('usb-')));
  const serial = usbName === undefined ? undefined : usbSerialFromById(usbName);
  if (serial !== undefined) identity.serial = serial;
  return identity;
}

/** `usb-SanDisk_Cruzer_Blade_4C530001230101115053-0:0-part1` → `4C530001230101115053`. */
export function usbSerialFromById(name: string): string | undefined {
  if (!name.startsWith('usb-')) return undefined;
  const id = name
    .slice(4)
    .replace(/-part\d+$/, '')
    .replace(/-\d+:\d+$/, '');
  const serial = decodeUdevName(id.slice(id.lastIndexOf('_') + 1));
  return serial === '' ? undefined : serial;
}

/** udev writes unsafe bytes in link names as \xNN (a space in a label becomes \x20). */
export function decodeUdevName(name: string): string {
  // Runs of escapes are decoded together: a non-ASCII label arrives as several escaped UTF-8 bytes.
  return name.replace(/(?:\\x[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/\\x/g, ''), 'hex').toString('utf8'));
}

/** /dev/sdb1 → /dev/sdb, /dev/nvme0n1p2 → /dev/nvme0n1, /dev/mmcblk0p1 → /dev/mmcblk0. */
function wholeDiskOf(device: string): string {
  if (/\/(nvme\d+n\d+|mmcblk\d+)p\d+$/.test(device)) return device.replace(/p\d+$/, '');
  return device.replace(/(\/sd[a-z]+)\d+$/, '$1');
}

async function linkNamePointingAt(
  fs: DiskLinkFs,
  dir: string,
  device: string,
  accept: (name: string) => boolean = () => true,
): Promise<string | undefined> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names.sort()) {
    if (!accept(name)) continue;
    const target = await fs.realpath(posix.join(dir, name)).catch(() => undefined);
    if (target === device) return name;
  }
  return undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
