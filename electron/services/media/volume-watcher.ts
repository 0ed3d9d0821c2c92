// Notices removable volumes appearing and leaving, and only reports them: nothing on a stick is
// opened, run or imported here. Polls because inotify/fs.watch on /proc/self/mounts is not
// reliable; a tick costs one read of the mount table, plus per configured root one readdir and
// an lstat of each subfolder the table does not already explain. Nothing is walked recursively.

import { constants } from 'node:fs';
import { access, lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { AirlockError } from '../../../common/errors.ts';
import type { AirlockErrorValue } from '../../../common/errors.ts';
import { defaultMediaRoots, normaliseRoot, pathFlavour, rootContaining } from './media-roots.ts';
import type { MediaPlatform } from './media-roots.ts';
import { parseMountTable } from './mount-table.ts';
import type { MountEntry } from './mount-table.ts';
import { resolveLinuxIdentity, volumeIdFor } from './volume-identity.ts';
import type { IdentityResolver, Volume, VolumeIdentity } from './volume-identity.ts';

/** The few file system calls the watcher makes, so tests can play any platform. */
export interface VolumeFs {
  readFile(path: string): Promise<string>;
  readdir(path: string): Promise<Array<{ name: string; isDirectory(): boolean; isSymbolicLink(): boolean }>>;
  /** Does not follow a final symlink; on a mount point it reports the mounted volume's root. */
  lstat(path: string): Promise<{ dev: number; isDirectory(): boolean }>;
  stat(path: string): Promise<{ dev: number; isDirectory(): boolean }>;
  realpath(path: string): Promise<string>;
  isWritable(path: string): Promise<boolean>;
}

export const nodeVolumeFs: VolumeFs = {
  readFile: (path) => readFile(path, 'utf8'),
  readdir: (path) => readdir(path, { withFileTypes: true }),
  lstat: (path) => lstat(path),
  stat: (path) => stat(path),
  realpath: (path) => realpath(path),
  isWritable: (path) =>
    access(path, constants.W_OK).then(
      () => true,
      () => false,
    ),
};

export interface PollTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const nodeTimers: PollTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A watcher alone must not keep a CLI run or a test worker alive.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface MediaLog {
  info(message: string): void;
  warn(problem: AirlockErrorValue): void;
}

const consoleLog: MediaLog = {
  info: (message) => console.info(`[media] ${message}`),
  warn: (problem) =>
    console.warn(`[media] ${problem.code}: ${problem.message}${problem.detail ? ` (${problem.detail})` : ''}`),
};

export interface VolumeWatcherOptions {
  /** Extra media roots from the policy (`media.roots`). */
  roots?: readonly string[];
  /** False leaves out the system's automount folders (/media, /Volumes, drive letters); tests use it. */
  includeDefaultRoots?: boolean;
  platform?: MediaPlatform;
  /** Linux only. */
  mountTablePath?: string;
  /** Whose automount folders (/media/$USER, /run/media/$USER) to watch; defaults to the current user. */
  user?: string;
  /** Windows: the drive letter never reported (the system drive). */
  systemDrive?: string;
  intervalMs?: number;
  timers?: PollTimers;
  fs?: VolumeFs;
  /** Overrides the platform's identity lookup (tests: read the FAT serial from the image). */
  resolveIdentity?: IdentityResolver;
  log?: MediaLog;
}

export type VolumeListener = (volume: Volume) => void;

export const DEFAULT_POLL_INTERVAL_MS = 500;

// A configured root is read with one readdir per tick; a folder with thousands of entries is a
// misconfiguration, and statting all of them twice a second would not be cheap any more.
const MAX_ROOT_ENTRIES = 256;

// autofs placeholders sit in the table before anything is mounted; they are not volumes.
const NOT_VOLUMES = new Set(['autofs']);

/** What one tick saw at a mount point, before identity lookup. */
interface Sighting {
  path: string;
  source: string;
  fsType: string;
  readOnly: boolean | undefined;
  /** Set for sightings from the mount table, whose source/fsType tell one mount from the next. */
  fromTable: boolean;
  /** Device number, for sightings made by comparing st_dev (no table entry to go by). */
  dev: number | undefined;
  /** Fallback label when the identity has none (Windows: the drive letter). */
  label: string | undefined;
}

interface Tracked {
  sighting: Sighting;
  volume: Volume;
}

export class VolumeWatcher {
  readonly #platform: MediaPlatform;
  readonly #configuredRoots: string[];
  readonly #defaultRoots: string[];
  readonly #includeDefaultRoots: boolean;
  readonly #mountTablePath: string;
  readonly #systemDrive: string | undefined;
  readonly #intervalMs: number;
  readonly #timers: PollTimers;
  readonly #fs: VolumeFs;
  readonly #resolveIdentity: IdentityResolver | undefined;
  readonly #log: MediaLog;

  readonly #volumes = new Map<string, Tracked>();
  readonly #inserted = new Set<VolumeListener>();
  readonly #removed = new Set<VolumeListener>();

  #running = false;
  /** Bumped by stop(): a tick that started before it must not announce anything afterwards. */
  #generation = 0;
  #timer: unknown;
  #queue: Promise<void> = Promise.resolve();
  #firstScan: Promise<void> | undefined;
  #lastTable: MountEntry[] = [];
  #problem: AirlockErrorValue | undefined;
  #crowdedRoots = new Set<string>();

  constructor(options: VolumeWatcherOptions = {}) {
    this.#platform = options.platform ?? process.platform;
    this.#log = options.log ?? consoleLog;
    this.#configuredRoots = [];
    for (const root of options.roots ?? []) {
      const clean = normaliseRoot(root, this.#platform);
      if (clean === undefined) {
        this.#log.warn(
          new AirlockError(
            'media.root-refused',
            'A USB folder in the kiosk policy was ignored.',
            `media root ${JSON.stringify(root)} is not an absolute folder below the file system root`,
          ).toValue(),
        );
      } else if (!this.#configuredRoots.includes(clean)) {
        this.#configuredRoots.push(clean);
      }
    }
    this.#includeDefaultRoots = options.includeDefaultRoots !== false;
    this.#defaultRoots = this.#includeDefaultRoots ? defaultMediaRoots(this.#platform, options.user ?? currentUser()) : [];
    this.#mountTablePath = options.mountTablePath ?? '/proc/self/mounts';
    this.#systemDrive = (options.systemDrive ?? process.env['SystemDrive'])?.slice(0, 1).toUpperCase();
    this.#intervalMs = Math.max(50, options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    this.#timers = options.timers ?? nodeTimers;
    this.#fs = options.fs ?? nodeVolumeFs;
    this.#resolveIdentity = options.resolveIdentity;
  }

  /**
   * Starts polling. Volumes already present count as inserted, so a stick left in at launch is
   * announced like any other. Resolves once the first scan is done; never rejects.
   */
  start(): Promise<void> {
    if (this.#running && this.#firstScan) return this.#firstScan;
    this.#running = true;
    const generation = this.#generation;
    this.#firstScan = this.refresh().then(() => {
      if (this.#running && this.#generation === generation) this.#schedule();
    });
    return this.#firstScan;
  }

  /** Stops polling; resolves when no scan is running any more. No event fires after it resolves. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#generation += 1;
    this.#firstScan = undefined;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#queue;
  }

  /** Scans now (also while stopped), after any scan already under way. Never rejects. */
  refresh(): Promise<void> {
    const generation = this.#generation;
    this.#queue = this.#queue.then(() => this.#scan(generation)).catch((err: unknown) => {
      this.#log.warn(
        new AirlockError('media.scan-failed', 'Airlock could not check for USB sticks just now.', describe(err)).toValue(),
      );
    });
    return this.#queue;
  }

  /** Volumes present after the last scan, ordered by path. */
  current(): Volume[] {
    return [...this.#volumes.values()].map((tracked) => tracked.volume).sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Why the watcher may be blind right now (for the diagnostics screen), if anything. */
  problem(): AirlockErrorValue | undefined {
    return this.#problem;
  }

  onDidInsert(listener: VolumeListener): () => void {
    this.#inserted.add(listener);
    return () => this.#inserted.delete(listener);
  }

  onDidRemove(listener: VolumeListener): () => void {
    this.#removed.add(listener);
    return () => this.#removed.delete(listener);
  }

  #schedule(): void {
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) return;
      const generation = this.#generation;
      // The next tick is planned only after this one finished, so a slow volume can never
      // pile scans up behind it.
      void this.refresh().then(() => {
        if (this.#running && this.#generation === generation) this.#schedule();
      });
    }, this.#intervalMs);
  }

  async #scan(generation: number): Promise<void> {
    const seen = await this.#look();
    const gone: Tracked[] = [];
    for (const [path, tracked] of this.#volumes) {
      const now = seen.get(path);
      if (now === undefined || !sameMount(tracked.sighting, now)) gone.push(tracked);
    }
    const fresh: Tracked[] = [];
    for (const [path, sighting] of seen) {
      const tracked = this.#volumes.get(path);
      if (tracked !== undefined && sameMount(tracked.sighting, sighting)) continue;
      fresh.push({ sighting, volume: await this.#describe(sighting) });
    }
    if (generation !== this.#generation) return;

    // Removals first, so a stick swapped for another at the same path reads as out, then in.
    for (const tracked of gone) {
      this.#volumes.delete(tracked.sighting.path);
      this.#log.info(`volume removed: ${tracked.volume.label} at ${tracked.volume.path}`);
      this.#announce(this.#removed, tracked.volume);
    }
    for (const tracked of fresh) {
      this.#volumes.set(tracked.sighting.path, tracked);
      this.#log.info(`volume inserted: ${tracked.volume.label} at ${tracked.volume.path} (${tracked.volume.fsType})`);
      this.#announce(this.#inserted, tracked.volume);
    }
  }

  #announce(listeners: Set<VolumeListener>, volume: Volume): void {
    for (const listener of [...listeners]) {
      try {
        listener(volume);
      } catch (err) {
        this.#log.warn(
          new AirlockError('media.listener-failed', 'A part of Airlock did not take note of a USB stick.', describe(err)).toValue(),
        );
      }
    }
  }

  /** Everything that looks like a removable volume right now, by mount point. */
  async #look(): Promise<Map<string, Sighting>> {
    const seen = new Map<string, Sighting>();
    const roots = await this.#resolvedConfiguredRoots();
    if (this.#platform === 'linux') {
      for (const sighting of await this.#lookInMountTable([...this.#defaultRoots, ...roots])) {
        seen.set(sighting.path, sighting);
      }
    } else if (this.#platform === 'darwin' && this.#includeDefaultRoots) {
      for (const sighting of await this.#lookForDeviceBoundaries('/Volumes', seen, ['/', '/System/Volumes/Data'])) {
        seen.set(sighting.path, sighting);
      }
    } else if (this.#platform === 'win32' && this.#includeDefaultRoots) {
      for (const sighting of await this.#lookAtDriveLetters()) seen.set(sighting.path, sighting);
    }
    for (const root of roots) {
      for (const sighting of await this.#lookForDeviceBoundaries(root, seen, [])) seen.set(sighting.path, sighting);
    }
    return seen;
  }

  // A configured root may be a symlink (say /srv/sticks → /mnt/sticks) while the mount table
  // only knows real paths, so both spellings are matched.
  async #resolvedConfiguredRoots(): Promise<string[]> {
    const roots: string[] = [];
    for (const root of this.#configuredRoots) {
      roots.push(root);
      const real = await this.#fs.realpath(root).catch(() => undefined);
      const clean = real === undefined ? undefined : normaliseRoot(real, this.#platform);
      if (clean !== undefined && clean !== root) roots.push(clean);
    }
    return roots;
  }

  async #lookInMountTable(roots: string[]): Promise<Sighting[]> {
    let table = this.#lastTable;
    try {
      table = parseMountTable(await this.#fs.readFile(this.#mountTablePath));
      this.#lastTable = table;
      if (this.#problem?.code === 'media.mount-table-unreadable') {
        this.#problem = undefined;
        this.#log.info(`mount table ${this.#mountTablePath} readable again`);
      }
    } catch (err) {
      // Keep what was last known rather than announce every stick as pulled.
      if (this.#problem?.code !== 'media.mount-table-unreadable') {
        this.#problem = new AirlockError(
          'media.mount-table-unreadable',
          'Airlock cannot check for USB sticks right now. Sticks already shown stay listed.',
          `${this.#mountTablePath}: ${describe(err)}`,
        ).toValue();
        this.#log.warn(this.#problem);
      }
    }
    const sightings: Sighting[] = [];
    for (const entry of table) {
      if (NOT_VOLUMES.has(entry.fsType)) continue;
      if (rootContaining(entry.mountPoint, roots, this.#platform) === undefined) continue;
      sightings.push({
        path: entry.mountPoint,
        source: entry.source,
        fsType: entry.fsType,
        readOnly: entry.readOnly,
        fromTable: true,
        dev: undefined,
        label: undefined,
      });
    }
    return sightings;
  }

  /**
   * Immediate subfolders of `root` on another device than `root` itself are mount points,
   * whatever the mount table says (or if there is none, as on macOS). Folders whose device is
   * one of `systemPaths`' devices are the system's own volumes.
   */
  async #lookForDeviceBoundaries(root: string, known: Map<string, Sighting>, systemPaths: string[]): Promise<Sighting[]> {
    const rootStat = await this.#fs.stat(root).catch(() => undefined);
    if (rootStat === undefined) return [];
    const entries = await this.#fs.readdir(root).catch(() => []);
    if (entries.length > MAX_ROOT_ENTRIES && !this.#crowdedRoots.has(root)) {
      this.#crowdedRoots.add(root);
      this.#log.warn(
        new AirlockError(
          'media.root-crowded',
          'A USB folder in the kiosk policy holds too many items; only some are checked for sticks.',
          `${root} has ${entries.length} entries; only the first ${MAX_ROOT_ENTRIES} are checked`,
        ).toValue(),
      );
    }
    const systemDevs = new Set<number>([rootStat.dev]);
    for (const path of systemPaths) {
      const found = await this.#fs.stat(path).catch(() => undefined);
      if (found !== undefined) systemDevs.add(found.dev);
    }
    const path = pathFlavour(this.#platform);
    const sightings: Sighting[] = [];
    for (const entry of entries.slice(0, MAX_ROOT_ENTRIES)) {
      // Hidden entries are the OS's own (.timemachine, .Trashes); symlinks would let a link to
      // any other file system pose as a stick. Windows reports volume mount folders as
      // reparse points, so there the link is followed and only directories are kept.
      if (entry.name.startsWith('.')) continue;
      if (this.#platform === 'win32' ? !(entry.isDirectory() || entry.isSymbolicLink()) : !entry.isDirectory()) continue;
      const child = path.join(root, entry.name);
      if (known.has(child)) continue;
      const found = await (this.#platform === 'win32' ? this.#fs.stat(child) : this.#fs.lstat(child)).catch(() => undefined);
      // A stick pulled without unmounting fails here (ENOTCONN, EIO) and so reads as gone.
      if (found === undefined || !found.isDirectory() || systemDevs.has(found.dev)) continue;
      sightings.push({
        path: child,
        source: child,
        fsType: 'unknown',
        readOnly: undefined,
        fromTable: false,
        dev: found.dev,
        label: undefined,
      });
    }
    return sightings;
  }

  // Windows, best effort: Node cannot ask for the drive type, so every drive letter from D: on
  // that answers counts (an internal second disk included). Not exercised on the Linux test machine.
  async #lookAtDriveLetters(): Promise<Sighting[]> {
    const letters = 'DEFGHIJKLMNOPQRSTUVWXYZ'.split('').filter((letter) => letter !== this.#systemDrive);
    const found = await Promise.all(
      letters.map(async (letter) => {
        const drive = `${letter}:\\`;
        const info = await this.#fs.stat(drive).catch(() => undefined);
        if (info === undefined || !info.isDirectory()) return undefined;
        const sighting: Sighting = {
          path: drive,
          source: drive,
          fsType: 'unknown',
          readOnly: undefined,
          fromTable: false,
          dev: info.dev,
          label: `${letter}:`,
        };
        return sighting;
      }),
    );
    return found.filter((sighting) => sighting !== undefined);
  }

  async #describe(sighting: Sighting): Promise<Volume> {
    const identity = await this.#identify(sighting);
    const readOnly = sighting.readOnly ?? !(await this.#fs.isWritable(sighting.path).catch(() => false));
    const name = pathFlavour(this.#platform).basename(sighting.path);
    const label = identity.label ?? sighting.label ?? (name === '' ? sighting.path : name);
    return Object.freeze({
      volumeId: volumeIdFor(identity, sighting.path),
      label,
      path: sighting.path,
      fsType: sighting.fsType,
      readOnly,
      identity: Object.freeze(identity),
    });
  }

  async #identify(sighting: Sighting): Promise<VolumeIdentity> {
    const mount = { source: sighting.source, mountPoint: sighting.path, fsType: sighting.fsType };
    try {
      if (this.#resolveIdentity) return withSource(await this.#resolveIdentity(mount), sighting.source);
      if (this.#platform === 'linux') return await resolveLinuxIdentity(sighting.source);
      if (this.#platform === 'win32' && sighting.dev !== undefined && sighting.dev !== 0) {
        // Node's st_dev on Windows is the volume serial number, the same number Linux shows
        // as a FAT stick's UUID.
        return { source: sighting.source, uuid: formatVolumeSerial(sighting.dev) };
      }
    } catch (err) {
      this.#log.warn(
        new AirlockError('media.identity-failed', 'Airlock could not tell which USB stick this is.', describe(err)).toValue(),
      );
    }
    return { source: sighting.source };
  }
}

function sameMount(before: Sighting, now: Sighting): boolean {
  if (before.fromTable && now.fromTable) return before.source === now.source && before.fsType === now.fsType;
  if (before.dev !== undefined && now.dev !== undefined) return before.dev === now.dev;
  return true;
}

function withSource(identity: VolumeIdentity | undefined, source: string): VolumeIdentity {
  const result: VolumeIdentity = { source: identity?.source || source };
  if (identity?.uuid) result.uuid = identity.uuid;
  if (identity?.label) result.label = identity.label;
  if (identity?.serial) result.serial = identity.serial;
  return result;
}

export function formatVolumeSerial(serial: number): string {
  const value = serial >>> 0;
  const hex = (part: number): string => part.toString(16).toUpperCase().padStart(4, '0');
  return `${hex(value >>> 16)}-${hex(value & 0xffff)}`;
}

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to the environment, then to /media only.
    return process.env['USER'];
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
