import { describe, expect, it } from 'vitest';
import { decodeMountField, parseMountLine, parseMountTable } from '../../../../electron/services/media/mount-table.ts';

const TABLE = [
  'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
  '/dev/vda / ext4 rw,relatime,discard 0 0',
  '/dev/sdb1 /media/kiosk/COMMS vfat ro,nosuid,nodev,relatime,uid=1000,gid=1000,fmask=0022 0 0',
  'fusefat /tmp/root/airlock-mnt-x fuse.fusefat ro,nosuid,nodev,relatime,user_id=0,group_id=0 0 0',
  '',
].join('\n');

describe('parseMountTable', () => {
  it('reads source, mount point, type and the read-only flag of each mount', () => {
    const entries = parseMountTable(TABLE);
    expect(entries).toHaveLength(4);
    expect(entries[2]).toEqual({
      source: '/dev/sdb1',
      mountPoint: '/media/kiosk/COMMS',
      fsType: 'vfat',
      options: ['ro', 'nosuid', 'nodev', 'relatime', 'uid=1000', 'gid=1000', 'fmask=0022'],
      readOnly: true,
    });
    expect(entries[1]?.readOnly).toBe(false);
    expect(entries[3]).toMatchObject({ source: 'fusefat', fsType: 'fuse.fusefat', readOnly: true });
  });

  it('decodes the octal escapes the kernel writes for space, tab, newline and backslash', () => {
    const [entry] = parseMountTable('/dev/sdc1 /media/kiosk/MY\\040STICK\\011TAB\\012NL\\134BS vfat rw 0 0\n');
    expect(entry?.mountPoint).toBe('/media/kiosk/MY STICK\tTAB\nNL\\BS');
    expect(decodeMountField('/dev/disk/by-label/A\\040B')).toBe('/dev/disk/by-label/A B');
  });

  it('leaves backslashes that are not a valid octal escape alone', () => {
    expect(decodeMountField('a\\8bc\\04')).toBe('a\\8bc\\04');
    expect(decodeMountField('\\477')).toBe('\\477');
    expect(decodeMountField('plain')).toBe('plain');
  });

  it('does not treat a field ending in a "ro" substring as read-only', () => {
    expect(parseMountLine('/dev/x /media/k/A vfat rw,errors=remount-ro 0 0')?.readOnly).toBe(false);
  });

  it('skips lines that do not look like a mount instead of failing', () => {
    const odd = [
      '',
      '   ',
      'onlyonefield',
      'two fields',
      'source relative/mount vfat rw 0 0',
      '\u0000\u0001 garbage',
      '/dev/sdd1 /media/kiosk/OK vfat rw',
      '/dev/sde1\t/media/kiosk/TABS\tvfat\tro\t0\t0',
      '/dev/sdf1 /media/kiosk/CRLF vfat ro 0 0\r',
      '/dev/sdg1  /media/kiosk/DOUBLE  vfat  rw  0  0',
      '/dev/sdh1 /media/kiosk/NOOPTS vfat',
    ].join('\n');
    const entries = parseMountTable(odd);
    expect(entries.map((e) => e.mountPoint)).toEqual([
      '/media/kiosk/OK',
      '/media/kiosk/TABS',
      '/media/kiosk/CRLF',
      '/media/kiosk/DOUBLE',
      '/media/kiosk/NOOPTS',
    ]);
    expect(entries[2]?.readOnly).toBe(true);
    expect(entries[4]?.options).toEqual([]);
  });

  it('handles a table without a trailing newline and an empty table', () => {
    expect(parseMountTable('/dev/a /media/k/A vfat rw 0 0')).toHaveLength(1);
    expect(parseMountTable('')).toEqual([]);
    expect(parseMountTable('\n\n\n')).toEqual([]);
  });

  it('parses a container host table of 100 000 mounts quickly', () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`overlay /var/lib/docker/overlay2/${i.toString(16)}/merged overlay rw,relatime 0 0`);
    lines.push('/dev/sdb1 /media/kiosk/LAST vfat ro 0 0');
    const text = lines.join('\n');
    const started = performance.now();
    const entries = parseMountTable(text);
    const elapsed = performance.now() - started;
    expect(entries).toHaveLength(100_001);
    expect(entries.at(-1)?.mountPoint).toBe('/media/kiosk/LAST');
    // Generous bound for a shared 2-core machine; the point is no quadratic behaviour.
    expect(elapsed).toBeLessThan(2_000);
  });

  it('copes with a single enormous line', () => {
    const long = '/media/kiosk/' + 'x'.repeat(1_000_000);
    const entries = parseMountTable(`/dev/sdb1 ${long} vfat ro 0 0\n/dev/sdc1 /media/kiosk/B vfat rw 0 0\n`);
    expect(entries.map((e) => e.mountPoint.length)).toEqual([long.length, '/media/kiosk/B'.length]);
  });
});
