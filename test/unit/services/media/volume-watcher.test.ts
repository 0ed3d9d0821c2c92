import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AirlockErrorValue } from '../../../../common/errors.ts';
import { volumeIdFor } from '../../../../electron/services/media/volume-identity.ts';
import type { IdentityResolver, Volume } from '../../../../electron/services/media/volume-identity.ts';
import { VolumeWatcher, nodeVolumeFs } from '../../../../electron/services/media/volume-watcher.ts';
import type { MediaLog, PollTimers, VolumeFs, VolumeWatcherOptions } from '../../../../electron/services/media/volume-watcher.ts';

// ---------------------------------------------------------------------------------------------
// Stand-ins for the file system, timers and log, so every platform branch runs here.

type Node = { kind: 'dir'; dev: number } | { kind: 'link'; target: string } | { kind: 'broken'; code: string };

class FakeFs implements VolumeFs {
  readonly files = new Map<string, string | Error>();
  readonly nodes = new Map<string, Node>();
  readonly writable = new Set<string>();
  readonly calls: string[] = [];
  readonly separator: string;
  /** When set, readFile waits for this before answering. */
  gate: Promise<void> | undefined;

  constructor(separator = '/') {
    this.separator = separator;
  }

  dir(path: string, dev: number): this {
    this.nodes.set(path, { kind: 'dir', dev });
    return this;
  }

  async readFile(path: string): Promise<string> {
    this.calls.push(`readFile ${path}`);
    if (this.gate) await this.gate;
    const content = this.files.get(path);
    if (content === undefined) throw errno('ENOENT', path);
    if (content instanceof Error) throw content;
    return content;
  }

  async readdir(path: string): Promise<Array<{ name: string; isDirectory(): boolean; isSymbolicLink(): boolean }>> {
    this.calls.push(`readdir ${path}`);
    if (this.nodes.get(path)?.kind !== 'dir') throw errno('ENOENT', path);
    const prefix = path.endsWith(this.separator) ? path : path + this.separator;
    return [...this.nodes.entries()]
      .filter(([child]) => child.startsWith(prefix) && !child.slice(prefix.length).includes(this.separator))
      .map(([child, node]) => ({
        name: child.slice(prefix.length),
        isDirectory: () => node.kind === 'dir' || node.kind === 'broken',
        isSymbolicLink: () => node.kind === 'link',
      }));
  }

  async lstat(path: string): Promise<{ dev: number; isDirectory(): boolean }> {
    this.calls.push(`lstat ${path}`);
    return this.#describe(path, false);
  }

  async stat(path: string): Promise<{ dev: number; isDirectory(): boolean }> {
    this.calls.push(`stat ${path}`);
    return this.#describe(path, true);
  }

  #describe(path: string, follow: boolean): { dev: number; isDirectory(): boolean } {
    const node = this.nodes.get(path);
    if (node === undefined) throw errno('ENOENT', path);
    if (node.kind === 'broken') throw errno(node.code, path);
    if (node.kind === 'link') return follow ? this.#describe(node.target, true) : { dev: 999, isDirectory: () => false };
    return { dev: node.dev, isDirectory: () => true };
  }

  async realpath(path: string): Promise<string> {
    const node = this.nodes.get(path);
    if (node?.kind === 'link') return this.realpath(node.target);
    if (node === undefined) throw errno('ENOENT', path);
    return path;
  }

  async isWritable(path: string): Promise<boolean> {
    return this.writable.has(path);
  }
}

function errno(code: string, path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${path}`);
  err.code = code;
  return err;
}

class ManualTimers implements PollTimers {
  pending: Array<{ callback: () => void; ms: number; handle: number }> = [];
  #next = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.#next++;
    this.pending.push({ callback, ms, handle });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((timer) => timer.handle !== handle);
  }

  /** Runs the next due timer. */
  fire(): void {
    const timer = this.pending.shift();
    if (!timer) throw new Error('no timer pending');
    timer.callback();
  }
}

class RecordingLog implements MediaLog {
  readonly infos: string[] = [];
  readonly warnings: AirlockErrorValue[] = [];
  info(message: string): void {
    this.infos.push(message);
  }
  warn(problem: AirlockErrorValue): void {
    this.warnings.push(problem);
  }
}

/** Lets every promise chain on the fake file system run to its end. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function record(watcher: VolumeWatcher): { inserted: Volume[]; removed: Volume[]; log: string[] } {
  const events = { inserted: [] as Volume[], removed: [] as Volume[], log: [] as string[] };
  watcher.onDidInsert((volume) => {
    events.inserted.push(volume);
    events.log.push(`+${volume.path}`);
  });
  watcher.onDidRemove((volume) => {
    events.removed.push(volume);
    events.log.push(`-${volume.path}`);
  });
  return events;
}

const labelFromPath: IdentityResolver = async ({ source, mountPoint }) => ({
  source,
  uuid: `uuid-of-${source}`,
  label: mountPoint.split('/').at(-1)?.toUpperCase() ?? '',
});

const TABLE_PATH = '/proc/self/mounts';

function linuxWatcher(fs: FakeFs, extra: Partial<VolumeWatcherOptions> = {}): { watcher: VolumeWatcher; log: RecordingLog } {
  const log = new RecordingLog();
  const watcher = new VolumeWatcher({
    platform: 'linux',
    user: 'kiosk',
    fs,
    timers: new ManualTimers(),
    resolveIdentity: labelFromPath,
    log,
    ...extra,
  });
  return { watcher, log };
}

const SYSTEM_MOUNTS = [
  'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
  '/dev/vda1 / ext4 rw,relatime 0 0',
  '/dev/vda2 /boot ext4 rw,relatime 0 0',
  'tmpfs /run tmpfs rw,nosuid,nodev 0 0',
  '/dev/sdz1 /mnt/usb vfat rw 0 0',
  '/dev/sdy1 /run/mediax/kiosk/X vfat rw 0 0',
  '/dev/sdx1 /media vfat rw 0 0',
  'systemd-1 /media/kiosk/automount autofs rw,relatime,fd=47 0 0',
];

// ---------------------------------------------------------------------------------------------

describe('VolumeWatcher on Linux (mount table)', () => {
  it('announces sticks under the automount folders and nothing else', async () => {
    const fs = new FakeFs();
    fs.files.set(
      TABLE_PATH,
      [
        ...SYSTEM_MOUNTS,
        '/dev/sdb1 /media/kiosk/comms vfat ro,nosuid,nodev 0 0',
        '/dev/sdc1 /run/media/kiosk/photos exfat rw,nosuid 0 0',
        '/dev/sdd1 /media/OLDSTYLE vfat rw 0 0',
      ].join('\n'),
    );
    const { watcher } = linuxWatcher(fs);
    const events = record(watcher);
    await watcher.refresh();
    expect(events.inserted.map((v) => v.path)).toEqual(['/media/kiosk/comms', '/run/media/kiosk/photos', '/media/OLDSTYLE']);
    const comms = watcher.current().find((v) => v.path === '/media/kiosk/comms');
    const identity = { source: '/dev/sdb1', uuid: 'uuid-of-/dev/sdb1', label: 'COMMS' };
    expect(comms).toEqual({
      volumeId: volumeIdFor(identity, '/media/kiosk/comms'),
      label: 'COMMS',
      path: '/media/kiosk/comms',
      fsType: 'vfat',
      readOnly: true,
      identity,
    });
    expect(watcher.current().find((v) => v.path === '/run/media/kiosk/photos')?.readOnly).toBe(false);
  });

  it('reports removal when the mount leaves the table, and keeps the id stable while it stays', async () => {
    const fs = new FakeFs();
    const stick = '/dev/sdb1 /media/kiosk/COMMS vfat rw 0 0';
    fs.files.set(TABLE_PATH, [...SYSTEM_MOUNTS, stick].join('\n'));
    const { watcher } = linuxWatcher(fs);
    const events = record(watcher);
    await watcher.refresh();
    const id = watcher.current()[0]?.volumeId;
    await watcher.refresh();
    await watcher.refresh();
    expect(events.inserted).toHaveLength(1);
    expect(watcher.current()[0]?.volumeId).toBe(id);

    fs.files.set(TABLE_PATH, SYSTEM_MOUNTS.join('\n'));
    await watcher.refresh();
    expect(events.removed.map((v) => v.volumeId)).toEqual([id]);
    expect(watcher.current()).toEqual([]);
  });

  it('reads a different stick mounted at the same path between two polls as out, then in', async () => {
    const fs = new FakeFs();
    fs.files.set(TABLE_PATH, '/dev/sdb1 /media/kiosk/STICK vfat rw 0 0\n');
    const { watcher } = linuxWatcher(fs);
    const events = record(watcher);
    await watcher.refresh();
    fs.files.set(TABLE_PATH, '/dev/sdc1 /media/kiosk/STICK vfat rw 0 0\n');
    await watcher.refresh();
    expect(events.log).toEqual(['+/media/kiosk/STICK', '-/media/kiosk/STICK', '+/media/kiosk/STICK']);
    expect(events.inserted[0]?.volumeId).not.toBe(events.inserted[1]?.volumeId);
  });

  it('decodes escaped mount points and falls back to the folder name as label', async () => {
    const fs = new FakeFs();
    fs.files.set(TABLE_PATH, '/dev/sdb1 /media/kiosk/MY\\040STICK vfat rw 0 0\n');
    const { watcher } = linuxWatcher(fs, { resolveIdentity: async ({ source }) => ({ source }) });
    await watcher.refresh();
    expect(watcher.current()).toMatchObject([{ path: '/media/kiosk/MY STICK', label: 'MY STICK' }]);
  });

  it('keeps the last known volumes when the mount table cannot be read, and says so once', async () => {
    const fs = new FakeFs();
    fs.files.set(TABLE_PATH, '/dev/sdb1 /media/kiosk/COMMS vfat rw 0 0\n');
    const { watcher, log } = linuxWatcher(fs);
    const events = record(watcher);
    await watcher.refresh();
    expect(watcher.problem()).toBeUndefined();

    fs.files.set(TABLE_PATH, errno('EACCES', TABLE_PATH));
    await watcher.refresh();
    await watcher.refresh();
    expect(watcher.current().map((v) => v.path)).toEqual(['/media/kiosk/COMMS']);
    expect(events.removed).toEqual([]);
    expect(log.warnings.map((w) => w.code)).toEqual(['media.mount-table-unreadable']);
    expect(watcher.problem()).toMatchObject({ code: 'media.mount-table-unreadable', detail: expect.stringContaining('EACCES') });

    fs.files.set(TABLE_PATH, '');
    await watcher.refresh();
    expect(watcher.problem()).toBeUndefined();
    expect(events.removed.map((v) => v.path)).toEqual(['/media/kiosk/COMMS']);
  });

  it('never throws when the table was never readable', async () => {
    const fs = new FakeFs();
    const { watcher, log } = linuxWatcher(fs);
    await watcher.refresh();
    expect(watcher.current()).toEqual([]);
    expect(log.warnings[0]?.code).toBe('media.mount-table-unreadable');
  });

  it('uses the udev lookup by default and survives a failing resolver', async () => {
    const fs = new FakeFs();
    fs.files.set(TABLE_PATH, 'fusefat /media/kiosk/IMG fuse.fusefat ro 0 0\n/dev/sdq1 /media/kiosk/Q vfat ro 0 0\n');
    const plain = linuxWatcher(fs, { resolveIdentity: undefined });
    await plain.watcher.refresh();
    expect(plain.watcher.current().map((v) => v.identity)).toEqual([{ source: 'fusefat' }, { source: '/dev/sdq1' }]);

    const failing = linuxWatcher(fs, {
      resolveIdentity: () => Promise.reject(new Error('resolver exploded')),
    });
    const events = record(failing.watcher);
    await failing.watcher.refresh();
    expect(events.inserted.map((v) => v.identity)).toEqual([{ source: 'fusefat' }, { source: '/dev/sdq1' }]);
    expect(failing.log.warnings.map((w) => w.code)).toEqual(['media.identity-failed', 'media.identity-failed']);
  });
});

describe('VolumeWatcher with configured media roots', () => {
  it('counts any mount below a configured root, however deep', async () => {
    const fs = new FakeFs().dir('/srv/sticks', 1);
    fs.files.set(TABLE_PATH, '/dev/sdb1 /srv/sticks/bay1/COMMS vfat rw 0 0\n/dev/sdc1 /srv/sticks2/X vfat rw 0 0\n');
    const { watcher } = linuxWatcher(fs, { roots: ['/srv/sticks/'] });
    await watcher.refresh();
    expect(watcher.current().map((v) => v.path)).toEqual(['/srv/sticks/bay1/COMMS']);
  });

  it('counts a subfolder on another device even when the mount table does not list it', async () => {
    const fs = new FakeFs()
      .dir('/srv/sticks', 1)
      .dir('/srv/sticks/mounted', 42)
      .dir('/srv/sticks/plain', 1)
      .dir('/srv/sticks/.hidden', 43)
      .dir('/elsewhere', 77);
    fs.nodes.set('/srv/sticks/link-to-other-device', { kind: 'link', target: '/elsewhere' });
    fs.writable.add('/srv/sticks/mounted');
    fs.files.set(TABLE_PATH, '');
    const { watcher } = linuxWatcher(fs, { roots: ['/srv/sticks'], resolveIdentity: async ({ source }) => ({ source }) });
    const events = record(watcher);
    await watcher.refresh();
    expect(events.inserted).toMatchObject([
      { path: '/srv/sticks/mounted', label: 'mounted', fsType: 'unknown', readOnly: false },
    ]);

    // Unmounted: the folder is back on the root's device.
    fs.dir('/srv/sticks/mounted', 1);
    await watcher.refresh();
    expect(events.removed.map((v) => v.path)).toEqual(['/srv/sticks/mounted']);
  });

  it('reads a pulled stick whose mount point fails to stat as gone', async () => {
    const fs = new FakeFs().dir('/srv/sticks', 1).dir('/srv/sticks/stick', 9);
    fs.files.set(TABLE_PATH, '');
    const { watcher } = linuxWatcher(fs, { roots: ['/srv/sticks'] });
    const events = record(watcher);
    await watcher.refresh();
    fs.nodes.set('/srv/sticks/stick', { kind: 'broken', code: 'ENOTCONN' });
    await watcher.refresh();
    expect(events.log).toEqual(['+/srv/sticks/stick', '-/srv/sticks/stick']);
  });

  it('matches table entries against the real path of a root given through a symlink', async () => {
    const fs = new FakeFs().dir('/mnt/sticks', 1);
    fs.nodes.set('/srv/sticks', { kind: 'link', target: '/mnt/sticks' });
    fs.files.set(TABLE_PATH, '/dev/sdb1 /mnt/sticks/COMMS vfat rw 0 0\n');
    const { watcher } = linuxWatcher(fs, { roots: ['/srv/sticks'] });
    await watcher.refresh();
    expect(watcher.current().map((v) => v.path)).toEqual(['/mnt/sticks/COMMS']);
  });

  it('does not stat folders the mount table already explains, and looks only one level deep', async () => {
    const fs = new FakeFs().dir('/srv/sticks', 1).dir('/srv/sticks/A', 5).dir('/srv/sticks/A/deeper', 6);
    fs.files.set(TABLE_PATH, 'fusefat /srv/sticks/A fuse.fusefat ro 0 0\n');
    const { watcher } = linuxWatcher(fs, { roots: ['/srv/sticks'] });
    await watcher.refresh();
    expect(watcher.current().map((v) => v.path)).toEqual(['/srv/sticks/A']);
    expect(fs.calls.filter((call) => call.startsWith('lstat'))).toEqual([]);
    expect(fs.calls.filter((call) => call.startsWith('readFile'))).toEqual([`readFile ${TABLE_PATH}`]);
  });

  it('refuses roots that would turn every mount into a stick', () => {
    const log = new RecordingLog();
    new VolumeWatcher({ platform: 'linux', roots: ['/', 'relative', '/ok'], log, fs: new FakeFs() });
    expect(log.warnings.map((w) => w.code)).toEqual(['media.root-refused', 'media.root-refused']);
  });

  it('checks only the first entries of a crowded root and says so once', async () => {
    const fs = new FakeFs().dir('/srv/sticks', 1);
    for (let i = 0; i < 300; i++) fs.dir(`/srv/sticks/d${String(i).padStart(3, '0')}`, 1);
    fs.files.set(TABLE_PATH, '');
    const { watcher, log } = linuxWatcher(fs, { roots: ['/srv/sticks'] });
    await watcher.refresh();
    await watcher.refresh();
    expect(log.warnings.map((w) => w.code)).toEqual(['media.root-crowded']);
    expect(fs.calls.filter((call) => call.startsWith('lstat')).length).toBe(2 * 256);
  });
});

describe('VolumeWatcher on macOS', () => {
  it('lists /Volumes, leaving out the system volume, links, hidden and plain folders', async () => {
    const fs = new FakeFs()
      .dir('/', 1)
      .dir('/System/Volumes/Data', 2)
      .dir('/Volumes', 2)
      .dir('/Volumes/COMMS', 30)
      .dir('/Volumes/Macintosh HD - Data', 2)
      .dir('/Volumes/Preboot', 1)
      .dir('/Volumes/.timemachine', 31)
      .dir('/Volumes/Leftover folder', 2);
    fs.nodes.set('/Volumes/Macintosh HD', { kind: 'link', target: '/' });
    const log = new RecordingLog();
    const watcher = new VolumeWatcher({ platform: 'darwin', fs, log, timers: new ManualTimers() });
    const events = record(watcher);
    await watcher.refresh();
    expect(events.inserted).toEqual([
      {
        volumeId: volumeIdFor({ source: '/Volumes/COMMS' }, '/Volumes/COMMS'),
        label: 'COMMS',
        path: '/Volumes/COMMS',
        fsType: 'unknown',
        readOnly: true,
        identity: { source: '/Volumes/COMMS' },
      },
    ]);
    expect(fs.calls).not.toContain(`readFile ${TABLE_PATH}`);

    fs.nodes.delete('/Volumes/COMMS');
    await watcher.refresh();
    expect(events.removed.map((v) => v.path)).toEqual(['/Volumes/COMMS']);
  });
});

describe('VolumeWatcher on Windows (drive letters, best effort)', () => {
  // Only the branch logic runs here; real drive letters cannot be tested on the Linux machine.
  it('reports answering drive letters from D: on, except the system drive', async () => {
    const fs = new FakeFs('\\').dir('C:\\', 1).dir('D:\\', 0x1234abcd).dir('E:\\', 0xdeadbeef).dir('F:\\', 7);
    fs.writable.add('E:\\');
    const watcher = new VolumeWatcher({ platform: 'win32', fs, systemDrive: 'D:', log: new RecordingLog(), timers: new ManualTimers() });
    const events = record(watcher);
    await watcher.refresh();
    expect(events.inserted.map((v) => [v.path, v.label, v.identity.uuid, v.readOnly])).toEqual([
      ['E:\\', 'E:', 'DEAD-BEEF', false],
      ['F:\\', 'F:', '0000-0007', true],
    ]);
    expect(fs.calls).not.toContain('stat C:\\');
    expect(fs.calls).not.toContain('stat D:\\');

    fs.nodes.delete('E:\\');
    await watcher.refresh();
    expect(events.removed.map((v) => v.path)).toEqual(['E:\\']);
  });

  it('treats a new volume serial behind the same letter as a different stick', async () => {
    const fs = new FakeFs('\\').dir('E:\\', 1111);
    const watcher = new VolumeWatcher({ platform: 'win32', fs, systemDrive: 'C:', log: new RecordingLog(), timers: new ManualTimers() });
    const events = record(watcher);
    await watcher.refresh();
    fs.dir('E:\\', 2222);
    await watcher.refresh();
    expect(events.log).toEqual(['+E:\\', '-E:\\', '+E:\\']);
  });

  it('also watches configured roots with Windows paths', async () => {
    const fs = new FakeFs('\\').dir('C:\\Sticks', 1).dir('C:\\Sticks\\bay1', 5).dir('C:\\Sticks\\empty', 1);
    const watcher = new VolumeWatcher({
      platform: 'win32',
      roots: ['C:\\Sticks\\'],
      fs,
      systemDrive: 'C:',
      log: new RecordingLog(),
      timers: new ManualTimers(),
    });
    await watcher.refresh();
    expect(watcher.current().map((v) => [v.path, v.label])).toEqual([['C:\\Sticks\\bay1', 'bay1']]);
  });
});

describe('VolumeWatcher polling', () => {
  it('announces what is present at start, then polls every 500 ms, one scan at a time', async () => {
    const fs = new FakeFs();
    fs.files.set(TABLE_PATH, '/dev/sdb1 /media/kiosk/A vfat rw 0 0\n');
    const timers = new ManualTimers();
    const { watcher } = linuxWatcher(fs, { timers });
    const events = record(watcher);
    await watcher.start();
    expect(events.log).toEqual(['+/media/kiosk/A']);
    expect(timers.pending.map((t) => t.ms)).toEqual([500]);

    fs.files.set(TABLE_PATH, '/dev/sdc1 /media/kiosk/B vfat rw 0 0\n');
    let open: () => void = () => {};
    fs.gate = new Promise((resolve) => (open = resolve));
    timers.fire();
    await settle();
    // While a scan hangs (a slow stick), no second one is queued behind it.
    expect(timers.pending).toEqual([]);
    fs.gate = undefined;
    open();
    await settle();
    expect(events.log).toEqual(['+/media/kiosk/A', '-/media/kiosk/A', '+/media/kiosk/B']);
    expect(timers.pending).toHaveLength(1);
    await watcher.stop();
  });

  it('fires nothing after stop, even for a scan that was under way', async () => {
    const fs = new FakeFs();
    fs.files.set(TABLE_PATH, '');
    const timers = new ManualTimers();
    const { watcher } = linuxWatcher(fs, { timers });
    const events = record(watcher);
    await watcher.start();
    fs.files.set(TABLE_PATH, '/dev/sdb1 /media/kiosk/LATE vfat rw 0 0\n');
    let open: () => void = () => {};
    fs.gate = new Promise((resolve) => (open = resolve));
    timers.fire();
    const stopped = watcher.stop();
    open();
    await stopped;
    await settle();
    expect(events.inserted).toEqual([]);
    expect(timers.pending).toEqual([]);
  });

  it('keeps telling other listeners when one of them throws', async () => {
    const fs = new FakeFs();
    fs.files.set(TABLE_PATH, '/dev/sdb1 /media/kiosk/A vfat rw 0 0\n');
    const { watcher, log } = linuxWatcher(fs);
    watcher.onDidInsert(() => {
      throw new Error('closed window');
    });
    const events = record(watcher);
    const unsubscribe = watcher.onDidInsert(() => events.log.push('second'));
    unsubscribe();
    await watcher.refresh();
    expect(events.log).toEqual(['+/media/kiosk/A']);
    expect(log.warnings.map((w) => w.code)).toEqual(['media.listener-failed']);
  });
});

describe('VolumeWatcher with the real clock and a real mount table file', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'airlock-watcher-'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('sees a change to the table within 2 s with the default interval', async () => {
    const table = join(work, 'mounts');
    await writeFile(table, '/dev/vda1 / ext4 rw 0 0\n');
    const watcher = new VolumeWatcher({
      platform: 'linux',
      user: 'kiosk',
      mountTablePath: table,
      fs: nodeVolumeFs,
      resolveIdentity: async ({ source }) => ({ source }),
      log: new RecordingLog(),
    });
    try {
      await watcher.start();
      const inserted = new Promise<Volume>((resolve) => watcher.onDidInsert(resolve));
      const started = Date.now();
      await writeFile(table, '/dev/vda1 / ext4 rw 0 0\n/dev/sdb1 /media/kiosk/COMMS vfat ro 0 0\n');
      const volume = await inserted;
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(volume).toMatchObject({ path: '/media/kiosk/COMMS', readOnly: true, fsType: 'vfat' });

      const removed = new Promise<Volume>((resolve) => watcher.onDidRemove(resolve));
      const leaving = Date.now();
      await writeFile(table, '/dev/vda1 / ext4 rw 0 0\n');
      expect((await removed).volumeId).toBe(volume.volumeId);
      expect(Date.now() - leaving).toBeLessThan(2_000);
    } finally {
      await watcher.stop();
    }
  });
});
