// Airlock's core: every service, wired together once. Both shells (Electron and the browser
// shell) build exactly this and only differ in how they carry calls and events to the renderer.
import path from 'node:path';
import type { AppInfo, ShellKind } from '../../common/contract.ts';
import { EventBus } from './api/event-bus.ts';
import { createDispatcher, type ApiDispatch } from './api/dispatcher.ts';
import { AuditLog } from './audit/index.ts';
import type { AuditEvent } from './audit/audit-log.ts';
import { ImportService } from './imports/import-service.ts';
import { resolveLibraryFile, type LibraryFile } from './imports/library-files.ts';
import { BlobStore } from './ingest/index.ts';
import { VolumeWatcher } from './media/index.ts';
import { summarisePolicy, type LoadedPolicy } from './policy/policy.ts';
import { PostService, type Actor } from './posts/post-service.ts';
import { PrefsService } from './prefs/prefs-service.ts';
import { can, refusal, type StaffAction } from './staff/roles.ts';
import { StaffService, type CurrentStaff, type ScryptParams } from './staff/staff-service.ts';
import { AirlockError } from '../../common/errors.ts';
import { SanitizePool } from './sanitize/sanitize-pool.ts';
import { openWorkerStore, type Store } from './store/store.ts';
import { parsePublicKey } from './package/keys.ts';
import { KeychainSecretStore, type SecretStore } from './vault/secret-store.ts';
import { Vault, type AccountCredentials } from './vault/vault.ts';
import { TrainingSecretStore } from './vault/memory-secret-store.ts';
import { startTraining, TRAINING_PLATFORMS, type TrainingSession } from './training/training-service.ts';
import { egressHostsFor } from '../platforms/hosts.ts';
import { parseProxyServer } from './egress/proxy-tunnel.ts';
import type { Resolver } from './egress/http-client.ts';
import type { PlatformAdapter } from '../platforms/adapter.ts';
import { checkPostForPlatform } from '../platforms/post-rules.ts';
import { createMastodonAdapter } from '../platforms/mastodon/adapter.ts';
import { createTikTokAdapter } from '../platforms/tiktok/adapter.ts';
import { createXAdapter } from '../platforms/x/adapter.ts';
import { createYouTubeAdapter } from '../platforms/youtube/adapter.ts';
import { EgressLog } from './egress/egress-log.ts';
import { EgressPolicy } from './egress/egress-policy.ts';
import { createEgressClient, type EgressClient } from './egress/http-client.ts';
import { Publisher } from './publish/publisher.ts';
import { AccountService, type OpenAuthWindow } from './accounts/account-service.ts';
import type { ConnectEndpoints } from './accounts/connect-descriptor.ts';
import type { PlatformId } from '../../common/platforms.ts';
import type { AccountRow } from './publish/publish-repositories.ts';

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
  /** Lets the egress client reach loopback simulators outside training mode (tests only). */
  allowLoopbackEgress?: boolean;
  clock?: Clock;
  /** Extra folders whose mounted sub-folders count as sticks (tests, the training "virtual stick"). */
  extraMediaRoots?: string[];
  /** False in tests, so sticks in the machine's own /media are not picked up. */
  systemMediaRoots?: boolean;
  /** The OS keychain by default; tests may pass another store. */
  secretStore?: SecretStore;
  /** How often the publisher looks for due posts; null leaves it to the caller (tests). */
  publisherIntervalMs?: number | null;
  /** Where the training sample files are (assets/demo); the Electron shell passes its packaged copy. */
  trainingAssetsDir?: string;
  /** Called by training.reset: the shell closes this core, wipes its data and opens a fresh one. */
  onTrainingReset?: () => Promise<void>;
  /** How long adapters wait between status checks while a platform processes an upload. */
  publishPollMs?: number;
  /** Cheaper PIN hashing for test runs that sign in thousands of times; the kiosk never sets it. */
  staffKdfParams?: ScryptParams;
  /** Where the worker entry points are; the Electron build passes its bundled files. */
  workers?: { store?: URL; sanitize?: URL };
  /** Tests only: sign-in and API origins per platform (simulators) instead of the real hosts. */
  platformEndpoints?: Partial<Record<PlatformId, ConnectEndpoints>>;
  /** The Electron shell opens each platform's sign-in page in its own isolated window. */
  openAuthWindow?: OpenAuthWindow;
  /** How long connecting an account waits for the sign-in page (default 10 minutes). */
  connectTimeoutMs?: number;
  /**
   * The Electron kiosk's way out, called after `app.exitKiosk` has checked an admin's secret.
   * The browser shell has no kiosk window and passes nothing.
   */
  onAdminExit?: () => void;
  /** Tests only: answers DNS for test names (the system resolver otherwise). */
  egressResolver?: Resolver;
  /** Tests only: roots trusted for simulators with test certificates. */
  egressCaCertificates?: string[];
}

export interface AirlockCore {
  call: ApiDispatch;
  events: EventBus;
  info: AppInfo;
  imports: ImportService;
  staff: StaffService;
  posts: PostService;
  audit: AuditLog;
  vault: Vault;
  /** The database, for the shells' own needs and for tests; screens go through `call`. */
  store: Store;
  publisher: Publisher;
  accounts: AccountService;
  egress: { client: EgressClient; log: EgressLog };
  /** Adds or replaces a connected account; its tokens go to the keychain only. */
  connectAccount(account: Omit<AccountRow, 'connected_at' | 'last_success_at' | 'simulated'> & { simulated: boolean }, credentials: AccountCredentials): Promise<void>;
  blobs: BlobStore;
  volumes: VolumeWatcher;
  /** The clean-library file behind a `/_airlock/media/<sha256>` path, or null. */
  libraryFile(urlPath: string): Promise<LibraryFile | null>;
  close(): Promise<void>;
}

/**
 * An adapter whose code loads on its first publish. The Bluesky client library takes most of a
 * second to load, which every start (and every restart after a crash) would otherwise pay.
 */
function lazyAdapter(platform: PlatformAdapter['platform'], load: () => Promise<PlatformAdapter>): PlatformAdapter {
  let loaded: Promise<PlatformAdapter> | undefined;
  const adapter = () => (loaded ??= load());
  return {
    platform,
    check: (facts) => checkPostForPlatform(platform, facts),
    publish: async (request, context) => (await adapter()).publish(request, context),
    reconcile: async (request, context) => (await adapter()).reconcile(request, context),
  };
}

export async function openCore(options: CoreOptions): Promise<AirlockCore> {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const events = new EventBus();
  const trainingMode = options.trainingMode === true || options.policy.policy.trainingMode;
  // Training mode: the simulators stand in for every platform but Bluesky, and the sample packages are
  // signed with a key made for this session, which the policy trusts only while it lasts.
  const training = trainingMode ? await startTraining(options.trainingAssetsDir) : null;
  const loadedPolicy: LoadedPolicy = training
    ? {
        ...options.policy,
        policy: {
          ...options.policy.policy,
          trainingMode: true,
          platforms: [...new Set([...options.policy.policy.platforms, ...TRAINING_PLATFORMS])],
          packages: { ...options.policy.policy.packages, trustedKeys: [...options.policy.policy.packages.trustedKeys, training.trustedKey] },
        },
      }
    : options.policy;
  const { policy } = loadedPolicy;
  const info: AppInfo = {
    name: 'Airlock',
    version: options.version,
    shell: options.shell,
    trainingMode,
    platform: process.platform,
    startedAt: now().toISOString(),
    canExitKiosk: options.onAdminExit !== undefined,
  };

  const store: Store = await openWorkerStore(path.join(options.dataDir, 'airlock.db'), options.workers?.store);
  await store.call('imports.recoverInterrupted', { finishedAt: now().toISOString() });
  const blobs = await BlobStore.open(path.join(options.dataDir, 'library'));
  const sanitize = new SanitizePool(options.workers?.sanitize ? { workerUrl: options.workers.sanitize } : {});

  // Training has only simulator accounts with made-up tokens; it never touches the keychain.
  let trainingSession: TrainingSession | null = null;
  const trainingStore = training && !options.secretStore ? new TrainingSecretStore() : null;
  const vault = new Vault(options.secretStore ?? trainingStore ?? new KeychainSecretStore());
  const volumes = new VolumeWatcher({
    roots: [...policy.media.roots, ...(options.extraMediaRoots ?? [])],
    includeDefaultRoots: options.systemMediaRoots ?? true,
  });
  const imports = new ImportService({
    store,
    blobs,
    sanitize,
    policy,
    now,
    events,
    volumes: () => [...volumes.current(), ...(trainingSession?.volumes() ?? [])],
    scanLimits: policy.media.limits,
    receiptSigner: async () => {
      const key = await vault.kioskSigningKey();
      return { privateKey: key.privateKey, publicKey: parsePublicKey(key.publicKeyPem) };
    },
    onDidFinish: (outcome) => {
      const who = { actor: outcome.actor?.staffId ?? 'system', actorName: outcome.actor?.name ?? 'Airlock' };
      if (!outcome.ok) {
        record({ ...who, kind: 'import.failed', subject: outcome.sessionId, details: { code: outcome.error.code, volume: outcome.volumeLabel } });
        return;
      }
      for (const item of outcome.result.imported) {
        record({ ...who, kind: 'sanitize.report', subject: item.mediaId, details: { path: item.path, kind: item.kind, reused: item.reused, removed: item.report.findings.map((f) => f.text) } });
      }
      if (outcome.cleared.length > 0 || outcome.warnings.length > 0) {
        record({ ...who, kind: 'import.stick-cleared', subject: outcome.sessionId, details: { cleared: outcome.cleared, warnings: outcome.warnings } });
      }
      record({
        ...who,
        kind: 'import.completed',
        subject: outcome.sessionId,
        details: { volume: outcome.volumeLabel, package: outcome.result.package, imported: outcome.result.imported.length, posts: outcome.result.postIds.length, rejected: outcome.result.rejected.filter((r) => !r.skipped).map((r) => ({ path: r.path, code: r.code })) },
      });
    },
  });
  // Before anything can import: blobs left by an import that died are not in the library.
  await imports.sweepOrphans();

  volumes.onDidInsert((v) => events.emit('media.inserted', { volumeId: v.volumeId, label: v.label, path: v.path }));
  volumes.onDidRemove((v) => events.emit('media.removed', { volumeId: v.volumeId }));
  await volumes.start();

  const audit = new AuditLog({ store, now });
  // The log must never stop the work it records; a failed append is reported, not thrown.
  const record = (event: AuditEvent) => {
    void audit.append(event).catch((err: unknown) => process.emitWarning(`audit append failed: ${String(err)}`));
  };
  record({ actor: 'system', actorName: 'Airlock', kind: 'policy.loaded', details: { source: loadedPolicy.source, path: loadedPolicy.path, kioskName: policy.kioskName, platforms: policy.platforms, twoPerson: policy.approval.twoPerson, signatures: policy.packages.signatures, trainingMode } });

  const staff = new StaffService({ store, clock, options: { idleLockMinutes: policy.idleLockMinutes }, ...(options.staffKdfParams ? { credentials: { params: options.staffKdfParams } } : {}) });
  // Names of people who signed in this run, so their sign-out is recorded by name too.
  const names = new Map<string, string>((await staff.signInChoices()).map((c) => [c.id, c.name]));
  await staff.start();
  staff.onDidChange((change) => {
    if (change.kind !== 'sign-in.refused') events.emit('staff.changed', { kind: change.kind });
    if (change.kind === 'session.started') {
      names.set(change.session.staffId, change.session.name);
      record({ actor: change.session.staffId, actorName: change.session.name, kind: 'staff.sign-in', details: { role: change.session.role } });
    } else if (change.kind === 'session.ended') record({ actor: change.staffId, actorName: names.get(change.staffId) ?? change.staffId, kind: 'staff.sign-out', details: { reason: change.reason } });
    else if (change.kind === 'session.locked') record({ actor: change.staffId, actorName: names.get(change.staffId) ?? change.staffId, kind: 'staff.sign-out', details: { reason: 'idle' } });
    else if (change.kind === 'sign-in.refused') record({ actor: 'system', actorName: 'Airlock', kind: 'staff.sign-in-failed', subject: change.staffId, details: { code: change.code, knownAccount: change.knownAccount, lockedUntil: change.lockedUntil } });
    else if (change.kind === 'accounts.changed') record({ actor: staff.current()?.staffId ?? 'system', actorName: staff.current()?.name ?? 'Airlock', kind: 'staff.changed', subject: change.staffId });
  });
  // The lock must come even when nobody touches the screen; checked a few times a minute.
  const idleTimer = setInterval(() => void staff.checkIdle().catch(() => {}), 10_000);
  idleTimer.unref();

  const posts = new PostService({
    store,
    policy,
    now,
    authorize: (actor, action) => {
      if (!can(actor.role, action)) throw new AirlockError('staff.forbidden', refusal(action));
    },
    // The post service writes each change's audit entry in the change's own transaction.
    onDidChange: (change) => events.emit('posts.changed', { postId: change.postId, kind: change.kind, state: change.state }),
  });

  /** The signed-in person, allowed to do `action`, as the workflow records them. */
  const actorFor = async (action: StaffAction): Promise<Actor> => {
    const me: CurrentStaff = await staff.authorize(action);
    return { staffId: me.staffId, name: me.name, role: me.role };
  };

  // The kiosk reaches the enabled platforms' hosts and nothing else; loopback only in training
  // mode, where the platforms are the built-in simulators.
  const egressLog = new EgressLog();
  egressLog.onDidRecord((entry) => record({ actor: 'system', actorName: 'Airlock', kind: 'egress.blocked', subject: `${entry.host}:${entry.port}`, details: { requester: entry.requester, code: entry.code, reason: entry.reason } }));
  const egressPolicy = new EgressPolicy({
    allowedHosts: egressHostsFor(policy.platforms, policy.network.extraHosts),
    privateRanges: policy.network.allowedPrivateRanges,
    allowLoopback: trainingMode || options.allowLoopbackEgress === true,
  });
  const egress = createEgressClient({
    policy: egressPolicy,
    log: egressLog,
    proxy: policy.proxy.mode === 'fixed' ? parseProxyServer(policy.proxy.server) : null,
    ...(options.egressResolver ? { resolver: options.egressResolver } : {}),
    ...(options.egressCaCertificates ? { extraCaCertificates: options.egressCaCertificates } : {}),
  });
  const publisher = new Publisher({
    allowedAccounts: policy.accounts,
    store,
    posts,
    blobs,
    vault,
    http: egress,
    adapters: {
      tiktok: createTikTokAdapter({
        appCredentials: () => vault.loadAppCredentials('tiktok'),
        ...(policy.tiktok.postMode === 'inbox' ? { mode: 'inbox' as const } : {}),
        ...(options.publishPollMs !== undefined ? { pollIntervalMs: options.publishPollMs } : {}),
      }),
      bluesky: lazyAdapter('bluesky', async () => (await import('../platforms/bluesky/adapter.ts')).createBlueskyAdapter()),
      mastodon: createMastodonAdapter(),
      x: createXAdapter({ appCredentials: () => vault.loadAppCredentials('x') }),
      youtube: createYouTubeAdapter({ appCredentials: () => vault.loadAppCredentials('youtube') }),
      facebook: lazyAdapter('facebook', async () => (await import('../platforms/facebook/adapter.ts')).createFacebookAdapter({ appCredentials: () => vault.loadAppCredentials('facebook') })),
      instagram: lazyAdapter('instagram', async () => (await import('../platforms/instagram/adapter.ts')).createInstagramAdapter(options.publishPollMs !== undefined ? { pollIntervalMs: options.publishPollMs } : {})),
      linkedin: lazyAdapter('linkedin', async () => (await import('../platforms/linkedin/adapter.ts')).createLinkedInAdapter({ appCredentials: () => vault.loadAppCredentials('linkedin'), ...(options.publishPollMs !== undefined ? { pollIntervalMs: options.publishPollMs } : {}) })),
    },
    now,
    onEvent: (e) => {
      if (e.kind === 'progress') events.emit('publish.progress', { postId: e.postId, platform: e.platform, phase: e.phase, bytesDone: e.bytesDone, bytesTotal: e.bytesTotal });
      else if (e.kind === 'post') events.emit('posts.changed', { postId: e.postId, kind: `post.${e.state}`, state: e.state as never });
      else if (e.kind === 'attempt') record({ actor: 'system', actorName: 'Airlock', kind: 'publish.attempt', subject: e.postId, details: { platform: e.platform, account: e.accountId, attempt: e.attempt } });
      else if (e.kind === 'result') {
        events.emit('publish.result', { postId: e.postId, platform: e.platform, ok: e.ok, url: e.url, error: e.error, waiting: e.waiting });
        record({ actor: 'system', actorName: 'Airlock', kind: 'publish.result', subject: e.postId, details: { platform: e.platform, account: e.accountId, ok: e.ok, remoteId: e.remoteId, url: e.url, error: e.error?.code ?? null, waiting: e.waiting } });
      }
    },
  });
  const connectAccount: AirlockCore['connectAccount'] = async (account, credentials) => {
    await vault.saveAccountCredentials(account.platform, account.account_id, credentials);
    await store.call('accounts.upsert', { ...account, simulated: account.simulated ? 1 : 0, connected_at: now().toISOString(), last_success_at: null });
  };
  const accounts = new AccountService({
    store,
    vault,
    http: egress,
    now,
    enabledPlatforms: policy.platforms,
    allowedAccounts: policy.accounts,
    record,
    ...(options.platformEndpoints ? { endpoints: options.platformEndpoints } : {}),
    // Training: connecting signs in at the built-in simulators, never at the real platforms.
    ...(training ? { endpoints: { ...options.platformEndpoints, ...training.endpoints }, simulated: true } : {}),
    ...(options.openAuthWindow ? { openAuthWindow: options.openAuthWindow } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  // TikTok refusing a post because the app is not audited changes what the editor offers.
  events.subscribe((e) => {
    if (e.name === 'publish.result' && e.payload.platform === 'tiktok' && e.payload.error) accounts.noteTikTokRefusal(e.payload.error.code);
  });
  // Refresh tokens close to their end are spent and replaced while there is time.
  const renewTimer = setInterval(() => void accounts.renewExpiring().catch(() => {}), 15 * 60_000);
  renewTimer.unref();
  const accountActor = async () => {
    const me = await actorFor('account.connect');
    return { staffId: me.staffId, name: me.name };
  };
  trainingSession = training
    ? await training.session({
        events,
        staff,
        connectAccount: (a, c) => connectAccount(a, c),
        // Demo app credentials only ever go into training's own memory-only store.
        saveAppCredentials: trainingStore ? (platform, app) => vault.saveAppCredentials(platform, app) : null,
      })
    : null;
  const trainingOnly = (): TrainingSession => {
    if (!trainingSession) throw new AirlockError('training.off', 'This is only available in training mode.');
    return trainingSession;
  };

  if (options.publisherIntervalMs !== null) await publisher.start(options.publisherIntervalMs ?? 1000);
  else await publisher.recover();

  // UI preferences: the policy's language is fixed when the policy file itself sets it.
  const prefs = new PrefsService({
    dataDir: options.dataDir,
    defaultLanguage: policy.language,
    fixedLanguage: (options.policy.explicit ?? []).includes('$.language') ? policy.language : null,
  });

  let closing: Promise<void> | undefined;
  const call = createDispatcher({
    'app.info': () => info,
    'app.exitKiosk': async ({ secret }) => {
      const exit = options.onAdminExit;
      if (!exit) throw new AirlockError('app.not-a-kiosk', 'This copy of Airlock is not running as a kiosk, so there is nothing to exit.');
      const me = await staff.authorize('kiosk.exit');
      // The admin proves it is still them, under the same attempt limit and lockout as sign-in.
      await staff.signIn(me.staffId, secret);
      await audit.append({ actor: me.staffId, actorName: me.name, kind: 'kiosk.exit', details: {} });
      // After the answer is on its way: the window closing ends the renderer that asked.
      setTimeout(exit, 250).unref();
      return { exiting: true as const };
    },
    'app.ping': ({ nonce }) => {
      const at = now().toISOString();
      events.emit('app.pinged', { nonce, at });
      return { nonce, at };
    },
    'policy.summary': () => summarisePolicy(loadedPolicy),
    'media.volumes': () => ({ volumes: imports.listVolumes(), problem: volumes.problem() ?? null }),
    'import.scan': async ({ volumeId }) => {
      await actorFor('import.run');
      return imports.scan(volumeId);
    },
    'import.start': async ({ volumeId, allowReplay }) => {
      const me = await actorFor(allowReplay ? 'import.replay-override' : 'import.run');
      return imports.start(volumeId, me, allowReplay ? me.name : null);
    },
    'library.list': ({ offset, limit }) => imports.library(offset, limit),
    'audit.list': async (query) => {
      await actorFor('audit.view');
      return audit.list(query);
    },
    'audit.verify': async () => {
      await actorFor('audit.view');
      const result = await audit.verify();
      return result.ok ? { ok: true, entries: result.entries, firstBroken: null, reason: null } : { ok: false, entries: result.entries, firstBroken: result.firstBroken, reason: result.reason };
    },
    'admin.policy': async () => {
      await actorFor('policy.view');
      const explicit = new Set(options.policy.explicit ?? []);
      const trainingChanged = new Set(training ? ['$.trainingMode', '$.platforms', '$.packages.trustedKeys'] : []);
      const leaves = (value: unknown, at: string): { path: string; value: unknown }[] =>
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, `${at}.${k}`))
          : [{ path: at, value }];
      return {
        source: loadedPolicy.source,
        path: loadedPolicy.path,
        settings: leaves(policy, '$').map((s) => ({ ...s, from: trainingChanged.has(s.path) ? ('training mode' as const) : explicit.has(s.path) ? ('policy file' as const) : ('default' as const) })),
      };
    },
    'diagnostics.network': async () => {
      await actorFor('audit.view');
      return { allowedHosts: egressPolicy.allowedHosts, privateRanges: [...egressPolicy.privateRanges.list], proxy: policy.proxy.mode === 'fixed' ? policy.proxy.server : null, loopbackAllowed: egressPolicy.allowLoopback, refusals: egressLog.entries().map((e) => ({ ...e })) };
    },
    'training.status': () => trainingSession?.status() ?? { enabled: false, sticks: [], accounts: [], staff: [] },
    'training.insertStick': ({ stickId }) => ({ volumeId: trainingOnly().insert(stickId).volumeId }),
    'training.removeStick': ({ stickId }) => {
      trainingOnly().remove(stickId);
      return { removed: true as const };
    },
    'training.feed': () => ({ posts: trainingOnly().feed() }),
    'training.reset': async () => {
      trainingOnly();
      if (!options.onTrainingReset) throw new AirlockError('training.no-reset', 'This window cannot reset training mode; restart it instead.');
      // The shell replaces this core with a fresh one once this answer has been sent.
      setTimeout(() => void options.onTrainingReset?.(), 50);
      return { reset: true as const };
    },
    'staff.status': async () => ({
      needsFirstAdmin: await staff.needsFirstAdmin(),
      current: staff.current(),
      choices: await staff.signInChoices(),
      idleLockAt: staff.idleLockAt()?.toISOString() ?? null,
    }),
    'staff.createFirstAdmin': ({ name, credential }) => staff.createFirstAdmin({ name, credential }),
    'staff.signIn': ({ staffId, secret }) => staff.signIn(staffId, secret),
    'staff.signOut': async () => {
      await staff.signOut();
      return { signedOut: true as const };
    },
    'staff.touch': async () => ({ active: await staff.touch() }),
    'staff.list': () => staff.listStaff(),
    'staff.create': ({ name, role, credential }) => staff.createStaff({ name, role, credential }),
    'staff.setDisabled': ({ staffId, disabled }) => (disabled ? staff.disableStaff(staffId) : staff.enableStaff(staffId)),
    'staff.resetCredential': ({ staffId, credential }) => staff.resetCredential(staffId, credential),
    'posts.list': async ({ states, offset, limit }) => {
      await actorFor('post.create');
      return posts.page(states, offset, limit);
    },
    'posts.get': async ({ id }) => {
      await actorFor('post.create');
      return posts.get(id);
    },
    'posts.check': async (content) => {
      await actorFor('post.create');
      return posts.check(content);
    },
    'posts.create': async (content) => posts.create(await actorFor('post.create'), content),
    'posts.edit': async ({ id, version, change }) => posts.edit(await actorFor('post.edit'), id, version, change),
    'posts.submit': async ({ id, version }) => posts.submit(await actorFor('post.submit'), id, version),
    'posts.approve': async ({ id, version }) => posts.approve(await actorFor('post.approve'), id, version),
    'posts.reject': async ({ id, version, comment }) => posts.reject(await actorFor('post.reject'), id, version, comment),
    'posts.schedule': async ({ id, version, at }) => posts.schedule(await actorFor('post.schedule'), id, version, at),
    'posts.cancel': async ({ id, version }) => posts.cancel(await actorFor('post.cancel'), id, version),
    'posts.summaries': async ({ states, offset, limit }) => {
      await actorFor('post.create');
      return posts.summaries(states, offset, limit);
    },
    'posts.calendar': async ({ from, to }) => {
      await actorFor('post.create');
      return posts.calendar(from, to);
    },
    'posts.reschedule': async ({ id, version, at }) => posts.reschedule(await actorFor('post.schedule'), id, version, at),
    'posts.swapSlots': async ({ first, second }) => posts.swapSlots(await actorFor('post.schedule'), first, second),
    'prefs.get': () => prefs.get(staff.current()?.staffId ?? null),
    'prefs.set': (change) => prefs.set(staff.current()?.staffId ?? null, change),
    'media.eject': async ({ volumeId }) => {
      await imports.eject(volumeId);
      await volumes.refresh();
      return { ejected: true as const };
    },
    'accounts.list': async () => {
      await actorFor('account.connect');
      const status = await vault.probe();
      return {
        accounts: await accounts.list(),
        platforms: await accounts.platformsWithApps(),
        keychain: { available: status.available, message: status.available ? null : (status.problem?.message ?? 'The kiosk has no secure password store.') },
      };
    },
    'accounts.beginConnect': async ({ platform, instance }) => accounts.beginConnect(await accountActor(), { platform, instance }),
    'accounts.finishConnect': async ({ flowId }) => {
      await accountActor();
      return accounts.finishConnect(flowId);
    },
    'accounts.cancelConnect': async ({ flowId }) => {
      await accountActor();
      return accounts.cancelConnect(flowId);
    },
    'accounts.connectAppPassword': async ({ platform, identifier, appPassword, service }) => accounts.connectAppPassword(await accountActor(), { platform, identifier, appPassword, service }),
    'accounts.reconnect': async ({ platform, accountId }) => accounts.reconnect(await accountActor(), { platform, accountId }),
    'accounts.disconnect': async ({ platform, accountId }) => accounts.disconnect(await accountActor(), { platform, accountId }),
    'accounts.tiktokCreatorInfo': async () => {
      await actorFor('post.edit');
      return accounts.tiktokCreatorInfo();
    },
  });

  return {
    call,
    events,
    info,
    imports,
    staff,
    posts,
    audit,
    vault,
    store,
    publisher,
    accounts,
    egress: { client: egress, log: egressLog },
    connectAccount,
    blobs,
    volumes,
    libraryFile: (urlPath) => resolveLibraryFile(urlPath, store, blobs),
    close: () =>
      (closing ??= (async () => {
        clearInterval(idleTimer);
        clearInterval(renewTimer);
        accounts.close();
        await publisher.stop();
        egress.close();
        await trainingSession?.close();
        await volumes.stop();
        await imports.idle();
        await sanitize.close();
        await store.close();
      })()),
  };
}
