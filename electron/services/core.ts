// Airlock's core: every service, wired together once. Both shells (Electron and the browser
// shell) build exactly this and only differ in how they carry calls and events to the renderer.
import path from 'node:path';
import type { AppInfo, ShellKind } from '../../common/contract.ts';
import { EventBus } from './api/event-bus.ts';
import { createDispatcher, type ApiDispatch } from './api/dispatcher.ts';
import { ImportService } from './imports/import-service.ts';
import { resolveLibraryFile, type LibraryFile } from './imports/library-files.ts';
import { BlobStore } from './ingest/index.ts';
import { VolumeWatcher } from './media/index.ts';
import { summarisePolicy, type LoadedPolicy } from './policy/policy.ts';
import { SanitizePool } from './sanitize/sanitize-pool.ts';
import { openWorkerStore, type Store } from './store/store.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface CoreOptions {
  shell: ShellKind;
  version: string;
  policy: LoadedPolicy;
  /** Where the database and the clean library live. */
  dataDir: string;
  /** Demo/training mode from the command line; the policy can also switch it on. */
  trainingMode?: boolean;
  clock?: Clock;
  /** Extra folders whose mounted sub-folders count as sticks (tests, the training "virtual stick"). */
  extraMediaRoots?: string[];
  /** False in tests, so sticks in the machine's own /media are not picked up. */
  systemMediaRoots?: boolean;
  /** Where the worker entry points are; the Electron build passes its bundled files. */
  workers?: { store?: URL; sanitize?: URL };
}

export interface AirlockCore {
  call: ApiDispatch;
  events: EventBus;
  info: AppInfo;
  imports: ImportService;
  blobs: BlobStore;
  volumes: VolumeWatcher;
  /** The clean-library file behind a `/_airlock/media/<sha256>` path, or null. */
  libraryFile(urlPath: string): Promise<LibraryFile | null>;
  close(): Promise<void>;
}

export async function openCore(options: CoreOptions): Promise<AirlockCore> {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const events = new EventBus();
  const trainingMode = options.trainingMode === true || options.policy.policy.trainingMode;
  const loadedPolicy: LoadedPolicy = trainingMode
    ? { ...options.policy, policy: { ...options.policy.policy, trainingMode: true } }
    : options.policy;
  const { policy } = loadedPolicy;
  const info: AppInfo = {
    name: 'Airlock',
    version: options.version,
    shell: options.shell,
    trainingMode,
    platform: process.platform,
    startedAt: now().toISOString(),
  };

  const store: Store = await openWorkerStore(path.join(options.dataDir, 'airlock.db'), options.workers?.store);
  await store.call('imports.recoverInterrupted', { finishedAt: now().toISOString() });
  const blobs = await BlobStore.open(path.join(options.dataDir, 'library'));
  const sanitize = new SanitizePool(options.workers?.sanitize ? { workerUrl: options.workers.sanitize } : {});

  const volumes = new VolumeWatcher({
    roots: [...policy.media.roots, ...(options.extraMediaRoots ?? [])],
    includeDefaultRoots: options.systemMediaRoots ?? true,
  });
  const imports = new ImportService({ store, blobs, sanitize, policy, now, events, volumes: () => volumes.current(), scanLimits: policy.media.limits });
  // Before anything can import: blobs left by an import that died are not in the library.
  await imports.sweepOrphans();

  volumes.onDidInsert((v) => events.emit('media.inserted', { volumeId: v.volumeId, label: v.label, path: v.path }));
  volumes.onDidRemove((v) => events.emit('media.removed', { volumeId: v.volumeId }));
  await volumes.start();

  let closing: Promise<void> | undefined;
  const call = createDispatcher({
    'app.info': () => info,
    'app.ping': ({ nonce }) => {
      const at = now().toISOString();
      events.emit('app.pinged', { nonce, at });
      return { nonce, at };
    },
    'policy.summary': () => summarisePolicy(loadedPolicy),
    'media.volumes': () => ({ volumes: imports.listVolumes(), problem: volumes.problem() ?? null }),
    'import.scan': ({ volumeId }) => imports.scan(volumeId),
    'import.start': ({ volumeId }) => imports.start(volumeId),
    'library.list': ({ offset, limit }) => imports.library(offset, limit),
    'media.eject': async ({ volumeId }) => {
      await imports.eject(volumeId);
      await volumes.refresh();
      return { ejected: true as const };
    },
  });

  return {
    call,
    events,
    info,
    imports,
    blobs,
    volumes,
    libraryFile: (urlPath) => resolveLibraryFile(urlPath, store, blobs),
    close: () =>
      (closing ??= (async () => {
        await volumes.stop();
        await imports.idle();
        await sanitize.close();
        await store.close();
      })()),
  };
}
