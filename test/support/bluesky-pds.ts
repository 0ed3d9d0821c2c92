// Runs a real AT Protocol stack (a did:plc directory and the reference PDS) on 127.0.0.1, so
// Bluesky publishing is tested against genuine auth, blob storage and lexicon validation.
// Every outbound integration the PDS knows about is left unconfigured, so it never leaves loopback.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AtpAgent } from '@atproto/api';
import { Secp256k1Keypair } from '@atproto/crypto';
import type * as PdsExports from '@atproto/pds';
import type { PDS as PdsServer, ServerEnvironment } from '@atproto/pds';
import type * as PlcExports from '@did-plc/server';
import type { PlcServer } from '@did-plc/server';

const LOOPBACK = '127.0.0.1';

export type BlueskyServerOptions = {
  /** Largest accepted uploadBlob body. The reference default (5 MiB) is too small for video. */
  blobUploadLimit?: number;
  /** Suffix, with its leading dot, that the PDS serves handles under without any DNS. */
  handleDomain?: string;
  /** How many fresh ports to try when the one picked is taken before the PDS binds it. */
  startAttempts?: number;
  /** Called with the port about to be bound; lets a test provoke the port race. */
  beforePdsListen?: (port: number) => Promise<void> | void;
};

export type BlueskyAccount = {
  did: string;
  handle: string;
  password: string;
  appPassword?: string;
};

export type CreateAccountOptions = {
  /** Also mint an app password, the credential Airlock actually stores; true names it "airlock". */
  appPassword?: boolean | string;
};

export type BlueskyServerTimings = {
  /** Importing @atproto/pds and @did-plc/server (the slow part, 2–3 s cold). */
  loadMs: number;
  plcStartMs: number;
  pdsStartMs: number;
  totalMs: number;
  pdsAttempts: number;
};

export type BlueskyServer = {
  /** Where clients talk to the PDS. Loopback IP rather than "localhost" so no resolver is involved. */
  pdsUrl: string;
  /** The URL the PDS publishes in DID documents (its configured public URL). */
  pdsPublicUrl: string;
  plcUrl: string;
  serviceDid: string;
  handleDomain: string;
  pdsAddress: AddressInfo;
  plcAddress: AddressInfo;
  dataDir: string;
  timings: BlueskyServerTimings;
  createAccount(handle: string, password?: string, options?: CreateAccountOptions): Promise<BlueskyAccount>;
  stop(): Promise<void>;
};

export class BlueskyHarnessError extends Error {
  override name = 'BlueskyHarnessError';
}

type PdsModule = typeof PdsExports;
type PlcModule = typeof PlcExports;

let modules: Promise<{ pds: PdsModule; plc: PlcModule }> | undefined;

// Loaded lazily and once per worker: the import costs seconds, and a failure here is almost
// always the environment (wrong Node, a better-sqlite3 built for another ABI), which deserves
// a message that says so rather than a stack trace from deep inside kysely.
function loadModules(): Promise<{ pds: PdsModule; plc: PlcModule }> {
  modules ??= (async () => {
    const major = Number(process.versions.node.split('.')[0]);
    if (major < 22) {
      throw new BlueskyHarnessError(
        `The Bluesky test server needs Node >= 22 but this is ${process.version}. Run tests through npm (npm exec -- vitest …) so node_modules/.bin/node is used.`,
      );
    }
    try {
      // The PDS opens its databases with better-sqlite3, whose native addon is only bound on
      // first use; opening one here surfaces an ABI mismatch before any server is half-started.
      const { default: Sqlite } = await import('better-sqlite3');
      new Sqlite(':memory:').close();
    } catch (cause) {
      throw new BlueskyHarnessError(
        `better-sqlite3 cannot load under Node ${process.version} (${messageOf(cause)}). @atproto/pds needs it; package.json "overrides" must force better-sqlite3 13 (N-API prebuilds), then reinstall.`,
        { cause },
      );
    }
    let pds: PdsModule;
    let plc: PlcModule;
    try {
      [pds, plc] = await Promise.all([import('@atproto/pds'), import('@did-plc/server')]);
    } catch (cause) {
      throw new BlueskyHarnessError(
        `Could not load the Bluesky server modules (@atproto/pds, @did-plc/server) under Node ${process.version}: ${messageOf(cause)}`,
        { cause },
      );
    }
    return { pds, plc };
  })();
  // A failed load is not cached, so a later call reports the real error again instead of a stale promise.
  modules.catch(() => {
    modules = undefined;
  });
  return modules;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type ExpressApp = http.RequestListener & { listen: unknown };

// Both servers call express's app.listen(port), which binds every interface. Replacing it per
// instance keeps the express app untouched and pins the bind address to loopback.
function bindToLoopback(app: ExpressApp, onServer: (server: http.Server) => void): void {
  app.listen = (port: number) => {
    const server = http.createServer(app);
    onServer(server);
    return server.listen(port, LOOPBACK);
  };
}

// The PDS must know its port before it starts (it writes its URL into every DID document it
// registers), so it cannot bind port 0; the port is probed here and may be lost in between.
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, LOOPBACK, resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}

async function closeQuietly(server: http.Server | undefined): Promise<void> {
  if (!server?.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function startBlueskyServer(options: BlueskyServerOptions = {}): Promise<BlueskyServer> {
  const handleDomain = options.handleDomain ?? '.test';
  if (!handleDomain.startsWith('.')) throw new BlueskyHarnessError(`handleDomain must start with a dot: ${handleDomain}`);
  const attempts = options.startAttempts ?? 3;
  const began = performance.now();

  const { pds: pdsModule, plc: plcModule } = await loadModules();
  const loaded = performance.now();

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-bluesky-'));
  let plc: PlcServer | undefined;
  let plcHttp: http.Server | undefined;
  let pds: PdsServer | undefined;
  let pdsHttp: http.Server | undefined;

  const teardown = async (): Promise<void> => {
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<void>): Promise<void> => {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    };
    if (pds) await attempt(() => pds!.destroy());
    await attempt(() => closeQuietly(pdsHttp));
    if (plc) await attempt(() => plc!.destroy());
    await attempt(() => closeQuietly(plcHttp));
    await attempt(() => rm(dataDir, { recursive: true, force: true }));
    if (errors.length > 0) throw new AggregateError(errors, 'Bluesky test server did not stop cleanly');
  };

  try {
    // The directory binds port 0: nothing needs its port in advance, so it cannot lose a race.
    plc = plcModule.PlcServer.create({ db: plcModule.Database.mock(), port: 0 });
    bindToLoopback(plc.app, (server) => (plcHttp = server));
    await plc.start();
    const plcAddress = plcHttp!.address() as AddressInfo;
    const plcUrl = `http://${LOOPBACK}:${plcAddress.port}`;
    const plcStarted = performance.now();

    let pdsAttempts = 0;
    let lastError: unknown;
    while (pdsAttempts < attempts) {
      pdsAttempts++;
      const port = await freePort();
      await options.beforePdsListen?.(port);
      // A fresh directory per attempt, so a half-started PDS leaves nothing the next one reuses.
      const attemptDir = path.join(dataDir, `pds-${pdsAttempts}`);
      const blobDir = path.join(attemptDir, 'blobs');
      await mkdir(blobDir, { recursive: true });
      const env = await pdsEnvironment({
        port,
        plcUrl,
        dataDir: attemptDir,
        blobDir,
        handleDomain,
        blobUploadLimit: options.blobUploadLimit ?? 100 * 1024 * 1024,
      });
      const candidate = await pdsModule.PDS.create(pdsModule.envToCfg(env), pdsModule.envToSecrets(env));
      let candidateHttp: http.Server | undefined;
      bindToLoopback(candidate.app, (server) => (candidateHttp = server));
      try {
        await candidate.start();
        pds = candidate;
        pdsHttp = candidateHttp;
        break;
      } catch (error) {
        lastError = error;
        // http-terminator cannot stop a server that never listened; release the rest directly.
        await candidate.ctx.destroy().catch(() => {});
        await closeQuietly(candidateHttp);
        if (!isAddressInUse(error)) throw error;
      }
    }
    if (!pds || !pdsHttp) {
      throw new BlueskyHarnessError(`The PDS could not bind a loopback port in ${attempts} attempts (last: ${messageOf(lastError)})`, {
        cause: lastError,
      });
    }
    const pdsAddress = pdsHttp.address() as AddressInfo;
    const pdsUrl = `http://${LOOPBACK}:${pdsAddress.port}`;
    const started = performance.now();

    let stopped: Promise<void> | undefined;
    return {
      pdsUrl,
      pdsPublicUrl: pds.ctx.cfg.service.publicUrl,
      plcUrl,
      serviceDid: pds.ctx.cfg.service.did,
      handleDomain,
      pdsAddress,
      plcAddress,
      dataDir,
      timings: {
        loadMs: Math.round(loaded - began),
        plcStartMs: Math.round(plcStarted - loaded),
        pdsStartMs: Math.round(started - plcStarted),
        totalMs: Math.round(started - began),
        pdsAttempts,
      },
      createAccount: (handle, password, accountOptions) =>
        createAccount(pdsUrl, handleDomain, handle, password, accountOptions),
      stop: () => (stopped ??= teardown()),
    };
  } catch (error) {
    await teardown().catch(() => {});
    throw error;
  }
}

type PdsSetup = {
  port: number;
  plcUrl: string;
  dataDir: string;
  blobDir: string;
  handleDomain: string;
  blobUploadLimit: number;
};

// The environment is built here in full instead of read from process.env, so a PDS_* variable
// in a developer's shell cannot point the test server at a real relay, AppView or mail host.
async function pdsEnvironment(setup: PdsSetup): Promise<ServerEnvironment> {
  const rotationKey = await Secp256k1Keypair.create({ exportable: true });
  return {
    port: setup.port,
    // "localhost" is the only hostname for which the PDS uses http:// and a dev did:web.
    hostname: 'localhost',
    serviceName: 'Airlock test PDS',
    // Required for an http:// public URL (the PDS refuses one otherwise); it also makes the PDS
    // validate its own responses, which only makes the tests stricter.
    devMode: true,
    dataDirectory: setup.dataDir,
    blobstoreDiskLocation: setup.blobDir,
    blobstoreDiskTmpLocation: path.join(setup.dataDir, 'blobs-tmp'),
    blobUploadLimit: setup.blobUploadLimit,
    // The default is plc.directory: account creation would register DIDs on the public network.
    didPlcUrl: setup.plcUrl,
    serviceHandleDomains: [setup.handleDomain],
    // Handles outside the service domain would be checked over DNS; no fallback resolvers either.
    handleBackupNameservers: [],
    inviteRequired: false,
    // No SMTP: mail goes to nodemailer's in-memory JSON transport.
    emailSmtpUrl: undefined,
    emailFromAddress: undefined,
    // No relay to notify of new commits.
    crawlers: [],
    // No AppView, moderation, report service or entryway: app.bsky.* reads that would be
    // proxied there fail locally instead of reaching api.bsky.app.
    bskyAppViewUrl: undefined,
    bskyAppViewDid: undefined,
    modServiceUrl: undefined,
    modServiceDid: undefined,
    reportServiceUrl: undefined,
    reportServiceDid: undefined,
    entrywayUrl: undefined,
    redisScratchAddress: undefined,
    rateLimitsEnabled: false,
    // Keep SSRF protection on even in dev mode: anything user-supplied must not fetch anywhere.
    disableSsrfProtection: false,
    acceptingImports: false,
    jwtSecret: randomBytes(32).toString('hex'),
    dpopSecret: randomBytes(32).toString('hex'),
    adminPassword: randomBytes(16).toString('hex'),
    plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotationKey.export()).toString('hex'),
  };
}

async function createAccount(
  pdsUrl: string,
  handleDomain: string,
  handle: string,
  password?: string,
  options: CreateAccountOptions = {},
): Promise<BlueskyAccount> {
  const fullHandle = handle.includes('.') ? handle : `${handle}${handleDomain}`;
  const secret = password ?? randomBytes(12).toString('base64url');
  const agent = new AtpAgent({ service: pdsUrl });
  // The PDS insists on an email address; a reserved TLD guarantees it is never deliverable.
  const email = `${fullHandle.split('.')[0]}-${randomBytes(4).toString('hex')}@example.test`;
  const { data } = await agent.createAccount({ handle: fullHandle, email, password: secret });
  const account: BlueskyAccount = { did: data.did, handle: data.handle, password: secret };
  if (options.appPassword) {
    const name = typeof options.appPassword === 'string' ? options.appPassword : 'airlock';
    const created = await agent.com.atproto.server.createAppPassword({ name });
    account.appPassword = created.data.password;
  }
  return account;
}
