import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeUdevName,
  fatIdentity,
  parseFatBootSector,
  readFatVolumeInfo,
  resolveLinuxIdentity,
  usbSerialFromById,
  volumeIdFor,
} from '../../../../electron/services/media/volume-identity.ts';

const run = promisify(execFile);

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'airlock-identity-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A boot sector as mkfs.vfat lays it out, built byte by byte. */
function bootSector(options: { fat32?: boolean; serial?: number; label?: string; extSignature?: number } = {}): Buffer {
  const sector = Buffer.alloc(512);
  sector.set([0xeb, 0x3c, 0x90], 0);
  sector.write('mkfs.fat', 3, 'latin1');
  sector.writeUInt16LE(512, 0x0b);
  sector.writeUInt8(4, 0x0d);
  sector.writeUInt16LE(4, 0x0e);
  sector.writeUInt8(2, 0x10);
  const base = options.fat32 ? 0x40 : 0x24;
  if (options.fat32) {
    sector.writeUInt16LE(0, 0x16);
    sector.writeUInt32LE(600, 0x24);
  } else {
    sector.writeUInt16LE(8, 0x16);
  }
  sector.writeUInt8(options.extSignature ?? 0x29, base + 0x02);
  sector.writeUInt32LE(options.serial ?? 0x1234abcd, base + 0x03);
  sector.write((options.label ?? 'NO NAME').padEnd(11, ' '), base + 0x07, 'latin1');
  sector.write(options.fat32 ? 'FAT32   ' : 'FAT16   ', base + 0x12, 'latin1');
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

describe('volumeIdFor', () => {
  const stick = { uuid: '1234-ABCD', label: 'COMMS', source: '/dev/sdb1' };

  it('gives the same short id for the same stick at the same place', () => {
    const id = volumeIdFor(stick, '/media/kiosk/COMMS');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(volumeIdFor({ ...stick }, '/media/kiosk/COMMS')).toBe(id);
  });

  it('gives different ids to sticks that differ in any identity part or mount path', () => {
    const base = volumeIdFor(stick, '/media/kiosk/COMMS');
    const others = [
      volumeIdFor({ ...stick, uuid: '1234-ABCE' }, '/media/kiosk/COMMS'),
      volumeIdFor({ ...stick, label: 'COMMS2' }, '/media/kiosk/COMMS'),
      volumeIdFor({ ...stick, serial: '4C53000123' }, '/media/kiosk/COMMS'),
      volumeIdFor({ ...stick, source: '/dev/sdc1' }, '/media/kiosk/COMMS'),
      volumeIdFor(stick, '/media/kiosk/COMMS1'),
      volumeIdFor({ source: 'fusefat' }, '/tmp/a'),
      volumeIdFor({ source: 'fusefat' }, '/tmp/b'),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('does not confuse field boundaries', () => {
    expect(volumeIdFor({ label: 'A', source: 'B' }, '/x')).not.toBe(volumeIdFor({ label: 'AB', source: '' }, '/x'));
  });
});

describe('parseFatBootSector', () => {
  it('reads serial and label from a FAT12/16 boot sector', () => {
    const result = parseFatBootSector(bootSector({ serial: 0x1234abcd, label: 'COMMS' }));
    expect(result).toEqual({ ok: true, value: { variant: 'FAT12/16', volumeSerial: '1234-ABCD', label: 'COMMS' } });
  });

  it('reads serial and label from a FAT32 boot sector at their FAT32 offsets', () => {
    const result = parseFatBootSector(bootSector({ fat32: true, serial: 0x0000beef, label: 'BIG STICK' }));
    expect(result).toEqual({ ok: true, value: { variant: 'FAT32', volumeSerial: '0000-BEEF', label: 'BIG STICK' } });
  });

  it('treats NO NAME as no label and keeps the serial of an old 0x28 boot sector', () => {
    expect(parseFatBootSector(bootSector({ label: 'NO NAME' }))).toEqual({
      ok: true,
      value: { variant: 'FAT12/16', volumeSerial: '1234-ABCD' },
    });
    expect(parseFatBootSector(bootSector({ extSignature: 0x28, label: 'IGNORED' }))).toEqual({
      ok: true,
      value: { variant: 'FAT12/16', volumeSerial: '1234-ABCD' },
    });
    expect(parseFatBootSector(bootSector({ extSignature: 0x00 }))).toEqual({ ok: true, value: { variant: 'FAT12/16' } });
  });

  it('drops control characters from a hostile label', () => {
    const sector = bootSector({ label: 'AB' });
    sector[0x2b + 2] = 0x1b;
    sector[0x2b + 3] = 0x07;
    const result = parseFatBootSector(sector);
    expect(result.ok && result.value.label).toBe('AB');
  });

  it('refuses a sector without the 55 AA signature', () => {
    const sector = bootSector();
    sector[511] = 0;
    expect(parseFatBootSector(sector)).toMatchObject({ ok: false, error: { code: 'media.boot-sector-signature' } });
  });

  it('refuses a short buffer', () => {
    expect(parseFatBootSector(bootSector().subarray(0, 100))).toMatchObject({
      ok: false,
      error: { code: 'media.boot-sector-short' },
    });
  });

  it('refuses a partition table, which also ends in 55 AA', () => {
    const mbr = Buffer.alloc(512);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    mbr.set([0x80, 0x20, 0x21, 0x00, 0x0c], 0x1be);
    expect(parseFatBootSector(mbr)).toMatchObject({ ok: false, error: { code: 'media.not-fat' } });
  });

  it('works on a buffer that is a view into a larger one', () => {
    const big = Buffer.alloc(4096);
    bootSector({ label: 'OFFSET' }).copy(big, 1024);
    const result = parseFatBootSector(big.subarray(1024, 1536));
    expect(result.ok && result.value.label).toBe('OFFSET');
  });
});

describe('readFatVolumeInfo on images made by mkfs.vfat', () => {
  it('reads the label and serial of a FAT12 image', async () => {
    const image = join(work, 'fat12.img');
    await run('mkfs.vfat', ['-C', '-n', 'LABEL', '-i', '1234ABCD', image, '2048']);
    const result = await readFatVolumeInfo(image);
    expect(result).toEqual({ ok: true, value: { variant: 'FAT12/16', volumeSerial: '1234-ABCD', label: 'LABEL' } });
    if (result.ok) expect(fatIdentity(result.value, 'fusefat')).toEqual({ source: 'fusefat', uuid: '1234-ABCD', label: 'LABEL' });
  });

  it('reads the label and serial of a FAT32 image', async () => {
    const image = join(work, 'fat32.img');
    await run('mkfs.vfat', ['-C', '-F', '32', '-n', 'BIG32', '-i', 'DEADBEEF', image, '40000']);
    expect(await readFatVolumeInfo(image)).toEqual({
      ok: true,
      value: { variant: 'FAT32', volumeSerial: 'DEAD-BEEF', label: 'BIG32' },
    });
  });

  it('returns an error value for a missing or tiny file', async () => {
    expect(await readFatVolumeInfo(join(work, 'missing.img'))).toMatchObject({
      ok: false,
      error: { code: 'media.boot-sector-unreadable' },
    });
    const tiny = join(work, 'tiny.img');
    await writeFile(tiny, 'not a stick');
    expect(await readFatVolumeInfo(tiny)).toMatchObject({ ok: false, error: { code: 'media.boot-sector-short' } });
  });
});

describe('resolveLinuxIdentity', () => {
  // A stand-in for /dev and udev's /dev/disk made of real files and symlinks.
  let dev: string;
  let disk: string;

  beforeAll(async () => {
    dev = join(work, 'dev');
    disk = join(work, 'disk');
    await mkdir(dev);
    for (const node of ['sdb', 'sdb1', 'sdc', 'sdc1', 'sda1']) await writeFile(join(dev, node), '');
    for (const dir of ['by-uuid', 'by-label', 'by-id']) await mkdir(join(disk, dir), { recursive: true });
    const link = (dir: string, name: string, node: string): Promise<void> =>
      symlink(join('..', '..', 'dev', node), join(disk, dir, name));
    await link('by-uuid', '1234-ABCD', 'sdb1');
    await link('by-uuid', '0b4c-9e1f-uuid-of-root', 'sda1');
    await link('by-label', 'COMMS\\x20KIT', 'sdb1');
    await link('by-id', 'ata-VBOX_HARDDISK_VB01-part1', 'sda1');
    await link('by-id', 'usb-SanDisk_Cruzer_Blade_4C530001230101115053-0:0', 'sdb');
    await link('by-id', 'usb-SanDisk_Cruzer_Blade_4C530001230101115053-0:0-part1', 'sdb1');
    // sdc1 has only a whole-disk by-id link, as some card readers do.
    await link('by-id', 'usb-Generic_Flash_Disk_9F2E11AA-0:0', 'sdc');
    await symlink('sdb1', join(dev, 'alias-to-sdb1'));
  });

  it('finds UUID, label and USB serial through the udev symlinks', async () => {
    expect(await resolveLinuxIdentity(join(dev, 'sdb1'), { diskDir: disk })).toEqual({
      source: join(dev, 'sdb1'),
      uuid: '1234-ABCD',
      label: 'COMMS KIT',
      serial: '4C530001230101115053',
    });
  });

  it('compares real paths, so a source given through a link still matches', async () => {
    const identity = await resolveLinuxIdentity(join(dev, 'alias-to-sdb1'), { diskDir: disk });
    expect(identity.uuid).toBe('1234-ABCD');
  });

  it('falls back to the whole disk for the USB serial', async () => {
    expect(await resolveLinuxIdentity(join(dev, 'sdc1'), { diskDir: disk })).toEqual({
      source: join(dev, 'sdc1'),
      serial: '9F2E11AA',
    });
  });

  it('never takes a serial from a non-USB disk', async () => {
    const identity = await resolveLinuxIdentity(join(dev, 'sda1'), { diskDir: disk });
    expect(identity.serial).toBeUndefined();
    expect(identity.uuid).toBe('0b4c-9e1f-uuid-of-root');
  });

  it('returns just the source for FUSE programs, missing devices and a missing /dev/disk', async () => {
    expect(await resolveLinuxIdentity('fusefat', { diskDir: disk })).toEqual({ source: 'fusefat' });
    expect(await resolveLinuxIdentity(join(dev, 'sdz9'), { diskDir: disk })).toEqual({ source: join(dev, 'sdz9') });
    expect(await resolveLinuxIdentity(join(dev, 'sdb1'), { diskDir: join(work, 'nope') })).toEqual({
      source: join(dev, 'sdb1'),
    });
  });

  it('survives a file system that throws on every call', async () => {
    const hostile = {
      readdir: () => Promise.reject(new Error('EIO')),
      realpath: (path: string) => (path.endsWith('sdb1') ? Promise.resolve(path) : Promise.reject(new Error('EIO'))),
    };
    expect(await resolveLinuxIdentity('/dev/sdb1', { fs: hostile })).toEqual({ source: '/dev/sdb1' });
  });
});

describe('udev link names', () => {
  it('takes the serial from the end of a by-id name', () => {
    expect(usbSerialFromById('usb-SanDisk_Cruzer_Blade_4C530001230101115053-0:0-part1')).toBe('4C530001230101115053');
    expect(usbSerialFromById('usb-Kingston_DataTraveler_3.0_E0D55EA573DCF450A9C1-0:0')).toBe('E0D55EA573DCF450A9C1');
    expect(usbSerialFromById('usb-ONLYSERIAL-0:0')).toBe('ONLYSERIAL');
    expect(usbSerialFromById('ata-VBOX_HARDDISK_VB01')).toBeUndefined();
    expect(usbSerialFromById('usb-Vendor_Model_-0:0')).toBeUndefined();
  });

  it('decodes \\xNN escapes, including multi-byte UTF-8', () => {
    expect(decodeUdevName('COMMS\\x20KIT')).toBe('COMMS KIT');
    expect(decodeUdevName('P\\xc3\\xa4rnu')).toBe('Pärnu');
    expect(decodeUdevName('plain')).toBe('plain');
    expect(decodeUdevName('bad\\xZZ')).toBe('bad\\xZZ');
  });
});
