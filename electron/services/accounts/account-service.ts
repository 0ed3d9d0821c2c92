// Connected platform accounts: connecting (OAuth for native apps with PKCE and a loopback
// redirect, or an app password), the token-health view, renewing tokens before they run out,
// and disconnecting (revoke at the platform, then remove the keychain entries and the row).
// Tokens go to the keychain only; nothing here returns, logs or audits one.
import { randomUUID } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';
import { PLATFORM_LABELS, type PlatformId } from '../../../common/platforms.ts';
import { queryCreatorInfo, type CreatorInfoAnswer } from '../../platforms/tiktok/creator-info.ts';
import { TikTokPublishError } from '../../platforms/tiktok/tiktok-adapter-retry.ts';
import type { EgressClient } from '../egress/http-client.ts';
import type { AccountRow } from '../publish/publish-repositories.ts';
import { accountAllowed } from './account-allowed.ts';
import type { Store } from '../store/store.ts';
import { UNAVAILABLE_MESSAGE } from '../vault/secret-store.ts';
import type { AccountCredentials, AppCredentials, Vault } from '../vault/vault.ts';
import type { ConnectContext, ConnectDescriptor, ConnectEndpoints, ConnectedAccount, OAuthDescriptor } from './connect-descriptor.ts';
import { CONNECT_DESCRIPTORS } from './descriptors.ts';
import { startLoopbackRedirect, type LoopbackRedirect } from './loopback-redirect.ts';
import { codeChallenge, newCodeVerifier, newState } from './oauth-client.ts';

export type AccountStatus = 'healthy' | 'expiring' | 'expired' | 'needs-reconnect';

export interface AccountHealth {
  platform: string;
  accountId: string;
  displayName: string;
  apiBase: string;
  simulated: boolean;
  connectedAt: string;
  connectedBy: string | null;
  lastSuccessAt: string | null;
  scopes: string[];
  accessExpiresAt: string | null;
  refreshExpiresAt: string | null;
  status: AccountStatus;
  /** One plain sentence on why the status is what it is. */
  statusReason: string;
}

export interface ConnectablePlatform {
  platform: string;
  label: string;
  method: 'oauth' | 'app-password' | 'not-available';
  needsInstance: boolean;
  /** For provisioned apps: whether IT has stored the app credentials. */
  appCredentials: boolean | null;
  defaultService: string | null;
  /** false when Disconnect only removes the sign-in from the kiosk (no revoke at the platform). */
  endsSignIn: boolean;
}

export interface ConnectStarted {
  flowId: string;
  authorizeUrl: string;
  /** `shell`: the shell opened its own sign-in window; `renderer`: the screen opens the URL. */
  opensIn: 'shell' | 'renderer';
  expiresAt: string;
}

export interface DisconnectResult {
  removed: true;
  revoked: boolean;
  /** Plain words when the platform did not confirm the revoke; the account is gone locally anyway. */
  problem: { message: string; detail: string } | null;
}

/** What the shell may do to show the sign-in page: the Electron shell opens an isolated window. */
/** What the post editor needs to know about the TikTok account a post would go to (§1.2). */
export interface TikTokCreatorInfoView {
  accountId: string;
  /** The account's name as shown on the Accounts screen. */
  accountName: string;
  nickname: string | null;
  username: string | null;
  /** The audiences to offer: the account's own list, only "Only the account owner" while TikTok has not audited the app. */
  privacyLevels: string[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoSeconds: number | null;
  canPost: boolean;
  /** Plain words when TikTok says the account cannot post right now. */
  cannotPost: { code: string; message: string; detail: string } | null;
  /** false once TikTok refused a post because the organisation's app is not audited; null when not known. */
  appAudited: boolean | null;
  checkedAt: string;
}

export interface AuthWindowRequest {
  url: string;
  redirectUri: string;
  /** Origins the window may load: the platform's sign-in page and the loopback redirect. */
  allowedOrigins: string[];
  /** Hands over the redirect the window caught, so the window itself never loads loopback. */
  deliverCallback(url: string): { status: number; title: string; text: string };
}
export type OpenAuthWindow = (request: AuthWindowRequest) => { close(): void };

export interface AccountAuditEvent {
  actor: string;
  actorName: string;
  kind: string;
  subject?: string;
  details?: Record<string, unknown>;
}

export interface AccountActor {
  staffId: string;
  name: string;
}

export interface AccountServiceOptions {
  store: Store;
  vault: Vault;
  http: EgressClient;
  now: () => Date;
  enabledPlatforms: readonly PlatformId[];
  /** The policy's `accounts`: per platform, the only accounts (handle or id) that may be connected. */
  allowedAccounts?: Partial<Record<PlatformId, readonly string[]>>;
  record: (event: AccountAuditEvent) => void;
  /** Sign-in and API origins per platform instead of the real ones (tests and training). */
  endpoints?: Partial<Record<PlatformId, ConnectEndpoints>>;
  openAuthWindow?: OpenAuthWindow;
  /** How long a connect waits for the browser. Default 10 minutes. */
  connectTimeoutMs?: number;
  descriptors?: Partial<Record<PlatformId, ConnectDescriptor>>;
  /** Training: every account connected here lives in a built-in simulator. */
  simulated?: boolean;
}

const DAY_MS = 86_400_000;
/** A token (or the refresh token behind it) running out within this long shows as "expiring soon". */
export const EXPIRING_SOON_MS = 7 * DAY_MS;
/** A refresh token this close to its end is used now, so the account keeps working. */
const RENEW_REFRESH_WITHIN_MS = 14 * DAY_MS;
/** An access token this close to its end is renewed by the background check. */
const RENEW_ACCESS_WITHIN_MS = 30 * 60_000;
/** creator_info answers are kept this long: TikTok allows 20 queries a minute per token (§1.2). */
const CREATOR_INFO_TTL_MS = 60_000;
/** TikTok's error code when an app it has not audited tries to post publicly (§1.8). */
const TIKTOK_UNAUDITED = 'publish.tiktok.unaudited_client_can_only_post_to_private_accounts';

interface Flow {
  id: string;
  platform: PlatformId;
  descriptor: OAuthDescriptor;
  ctx: ConnectContext;
  redirect: LoopbackRedirect;
  expiresAtMs: number;
  result: Promise<AccountHealth>;
  window: { close(): void } | null;
  settled: boolean;
}

export class AccountService {
  readonly #o: AccountServiceOptions;
  readonly #descriptors: Partial<Record<PlatformId, ConnectDescriptor>>;
  readonly #flows = new Map<string, Flow>();
  /** Accounts whose refresh the platform refused: they need a person to reconnect them. */
  readonly #broken = new Map<string, string>();
  readonly #creatorInfo = new Map<string, { atMs: number; view: TikTokCreatorInfoView }>();
  readonly #creatorQueries = new Map<string, Promise<TikTokCreatorInfoView>>();
  #tiktokUnaudited = false;

  constructor(options: AccountServiceOptions) {
    this.#o = options;
    this.#descriptors = options.descriptors ?? CONNECT_DESCRIPTORS;
  }

  platforms(): ConnectablePlatform[] {
    return this.#o.enabledPlatforms.map((platform) => {
      const d = this.#descriptors[platform];
      return {
        platform,
        label: PLATFORM_LABELS[platform],
        method: d ? d.kind : 'not-available',
        needsInstance: d?.kind === 'oauth' ? d.needsInstance : false,
        appCredentials: null,
        defaultService: d?.kind === 'app-password' ? d.defaultService : null,
        endsSignIn: d !== undefined && (d.kind === 'app-password' || d.revoke !== undefined),
      };
    });
  }

  /** Enabled platforms with whether IT has stored the app credentials that need them. */
  async platformsWithApps(): Promise<ConnectablePlatform[]> {
    const out: ConnectablePlatform[] = [];
    for (const p of this.platforms()) {
      const d = this.#descriptors[p.platform as PlatformId];
      if (d?.kind === 'oauth' && d.app === 'provisioned') {
        const app = await this.#o.vault.loadAppCredentials(d.appKey(this.#endpointsOf(d), null)).catch(() => null);
        out.push({ ...p, appCredentials: app !== null });
      } else out.push(p);
    }
    return out;
  }

  async list(): Promise<AccountHealth[]> {
    const rows = await this.#o.store.call('accounts.list', {});
    const out: AccountHealth[] = [];
    for (const row of rows) {
      const creds = await this.#o.vault.loadAccountCredentials(row.platform, row.account_id).catch(() => null);
      out.push(this.#health(row, creds));
    }
    return out;
  }

  async beginConnect(actor: AccountActor, input: { platform: PlatformId; instance?: string | undefined }): Promise<ConnectStarted> {
    const descriptor = this.#descriptor(input.platform);
    if (descriptor.kind !== 'oauth') {
      throw new AirlockError('accounts.wrong-method', `${descriptor.label} accounts are connected with an app password, not a sign-in page.`, `${input.platform} uses ${descriptor.kind}`);
    }
    await this.#requireKeychain();
    const endpoints = descriptor.needsInstance ? instanceEndpoints(input.instance) : this.#endpointsOf(descriptor);
    const ctx = this.#ctx(descriptor.platform, endpoints);
    const timeoutMs = this.#o.connectTimeoutMs ?? 10 * 60_000;
    const expiresAtMs = this.#o.now().getTime() + timeoutMs;
    const state = newState();
    const port = endpoints.redirectPort ?? descriptor.redirectPort;
    const redirect = await startLoopbackRedirect({ path: descriptor.redirectPath, ...(port ? { port } : {}), state, timeoutMs, expired: () => this.#o.now().getTime() >= expiresAtMs });
    try {
      let app: AppCredentials;
      if (descriptor.app === 'registered') {
        if (!descriptor.register) throw new Error(`${descriptor.platform} registers apps but has no register()`);
        app = await descriptor.register(ctx, redirect.redirectUri);
      } else {
        const provisioned = await this.#o.vault.loadAppCredentials(descriptor.appKey(endpoints, null));
        if (!provisioned) {
          throw new AirlockError(
            'accounts.no-app-credentials',
            `IT has not set up this kiosk's ${descriptor.label} app yet, so accounts cannot be connected. Ask IT to do it.`,
            `no app credentials in the keychain for ${descriptor.platform}; run: airlock credentials set-app ${descriptor.appKey(endpoints, null)}`,
          );
        }
        app = provisioned;
      }
      const verifier = newCodeVerifier();
      const authorizeUrl = descriptor.authorizeUrl(ctx, app, { redirectUri: redirect.redirectUri, state, codeChallenge: codeChallenge(verifier, descriptor.challenge) });
      const id = randomUUID();
      const flow: Flow = { id, platform: descriptor.platform, descriptor, ctx, redirect, expiresAtMs, window: null, settled: false, result: Promise.resolve(null as never) };
      flow.result = this.#complete(actor, flow, app, verifier);
      flow.result.catch(() => undefined);
      this.#flows.set(id, flow);
      const opensIn = this.#o.openAuthWindow ? 'shell' : 'renderer';
      if (this.#o.openAuthWindow) {
        flow.window = this.#o.openAuthWindow({
          url: authorizeUrl,
          redirectUri: redirect.redirectUri,
          allowedOrigins: [new URL(authorizeUrl).origin, new URL(redirect.redirectUri).origin],
          deliverCallback: (url) => redirect.deliver(url),
        });
      }
      this.#o.record({ actor: actor.staffId, actorName: actor.name, kind: 'account.connect-started', subject: descriptor.platform, details: { platform: descriptor.platform, server: endpoints.apiOrigin, opensIn } });
      return { flowId: id, authorizeUrl, opensIn, expiresAt: new Date(expiresAtMs).toISOString() };
    } catch (err) {
      redirect.close();
      throw err;
    }
  }

  /** Waits for the connect to end: the account, or why it was not connected. */
  async finishConnect(flowId: string): Promise<AccountHealth> {
    const flow = this.#flows.get(flowId);
    if (!flow) throw new AirlockError('accounts.no-such-connect', 'That connect has already ended. Start connecting again.', `no connect ${flowId.slice(0, 40)}`);
    try {
      return await flow.result;
    } finally {
      this.#flows.delete(flowId);
    }
  }

  cancelConnect(flowId: string): { cancelled: true } {
    const flow = this.#flows.get(flowId);
    if (flow && !flow.settled) {
      flow.redirect.close();
      flow.window?.close();
    }
    return { cancelled: true };
  }

  async connectAppPassword(actor: AccountActor, input: { platform: PlatformId; identifier: string; appPassword: string; service?: string | undefined }): Promise<AccountHealth> {
    const descriptor = this.#descriptor(input.platform);
    if (descriptor.kind !== 'app-password') {
      throw new AirlockError('accounts.wrong-method', `${descriptor.label} accounts are connected through ${descriptor.label}'s own sign-in page, not with a password.`, `${input.platform} uses ${descriptor.kind}`);
    }
    await this.#requireKeychain();
    const apiOrigin = input.service ? serverOrigin(input.service, 'accounts.bad-service') : (this.#o.endpoints?.[descriptor.platform]?.apiOrigin ?? descriptor.defaultService);
    const ctx = this.#ctx(descriptor.platform, { authOrigin: apiOrigin, apiOrigin });
    try {
      const connected = await descriptor.connect(ctx, { identifier: input.identifier.trim(), appPassword: input.appPassword });
      return await this.#save(actor, descriptor, ctx.endpoints, connected, null);
    } catch (err) {
      this.#failed(actor, descriptor.platform, err);
      throw err;
    }
  }

  /** Starts a new sign-in for an account already here; the result replaces its tokens. */
  async reconnect(actor: AccountActor, input: { platform: PlatformId; accountId: string }): Promise<ConnectStarted> {
    const row = await this.#row(input.platform, input.accountId);
    const descriptor = this.#descriptor(input.platform);
    if (descriptor.kind !== 'oauth') {
      throw new AirlockError('accounts.wrong-method', `Reconnect ${descriptor.label} by entering a new app password.`, `${input.platform} uses ${descriptor.kind}`);
    }
    return this.beginConnect(actor, { platform: input.platform, instance: descriptor.needsInstance ? row.api_base : undefined });
  }

  async disconnect(actor: AccountActor, input: { platform: PlatformId; accountId: string }): Promise<DisconnectResult> {
    const row = await this.#row(input.platform, input.accountId);
    const descriptor = this.#descriptors[input.platform];
    const endpoints: ConnectEndpoints = { authOrigin: row.api_base, apiOrigin: row.api_base };
    let problem: DisconnectResult['problem'] = null;
    let registeredApp: string | null = null;
    try {
      const creds = await this.#o.vault.loadAccountCredentials(row.platform, row.account_id);
      if (!descriptor) throw new AirlockError('accounts.revoke-unsupported', 'Airlock cannot end sign-ins on this platform itself.', `no connect descriptor for ${row.platform}`);
      if (!creds) throw new AirlockError('accounts.revoke-nothing', 'There was no stored sign-in to end.', 'no credentials in the keychain');
      const ctx = this.#ctx(descriptor.platform, endpoints);
      if (descriptor.kind === 'oauth') {
        const key = descriptor.appKey(endpoints, row.account_id);
        if (descriptor.app === 'registered') registeredApp = key;
        if (!descriptor.revoke) {
          // Nothing to ask the platform: say plainly that the sign-in ends on this kiosk only.
          const label = PLATFORM_LABELS[input.platform];
          problem = {
            message: `Airlock does not end ${label} sign-ins at ${label}, so it removed this one from this kiosk only. To end it there too, remove Airlock from the account's connected apps in ${label}'s settings.`,
            detail: `accounts.revoke-unsupported: the platform notes name no revoke endpoint for ${row.platform}; the keychain entry and the row were removed`,
          };
        } else {
          const app = await this.#o.vault.loadAppCredentials(key);
          if (!app) throw new AirlockError('accounts.revoke-no-app', 'Airlock no longer has the app details needed to end the sign-in.', `no app credentials under ${key}`);
          await descriptor.revoke(ctx, app, creds);
        }
      } else {
        await descriptor.revoke(ctx, creds);
      }
    } catch (err) {
      const e = err instanceof AirlockError ? err : new AirlockError('accounts.revoke-failed', 'The platform could not be reached.', err instanceof Error ? err.message : String(err));
      const label = PLATFORM_LABELS[input.platform];
      problem = {
        message: `${label} did not confirm that it ended Airlock's sign-in (${e.message.replace(/\.$/, '')}). The account is removed from this kiosk anyway. To be sure, remove Airlock from the account's connected apps in ${label}.`,
        detail: `${e.code}${e.detail ? `: ${e.detail}` : ''}`,
      };
    }
    // Whatever the platform said, nothing of the account stays on the kiosk.
    await this.#o.vault.deleteAccount(row.platform, row.account_id);
    if (registeredApp) await this.#o.vault.deleteAppCredentials(registeredApp);
    await this.#o.store.call('accounts.remove', { platform: row.platform, accountId: row.account_id });
    this.#broken.delete(`${row.platform}:${row.account_id}`);
    this.#o.record({
      actor: actor.staffId,
      actorName: actor.name,
      kind: 'account.disconnected',
      subject: `${row.platform}:${row.account_id}`,
      details: { platform: row.platform, account: row.display_name, revoked: problem === null, problem: problem?.detail ?? null },
    });
    return { removed: true, revoked: problem === null, problem };
  }

  /**
   * creator_info for the TikTok account posts go to (the first connected, as the publisher
   * picks it), kept for a minute. While a publish holds the account's sign-in, a kept answer is
   * used, or the current access token without renewing it, so a rotating refresh token is
   * never spent twice.
   */
  async tiktokCreatorInfo(): Promise<TikTokCreatorInfoView> {
    const row = (await this.#o.store.call('accounts.list', {})).find((r) => r.platform === 'tiktok');
    if (!row) {
      throw new AirlockError('accounts.tiktok-not-connected', 'No TikTok account is connected to this kiosk, so Airlock cannot check what it may post. Ask IT to connect one.', 'no tiktok row in accounts');
    }
    const key = `${row.account_id}\u0000${row.connected_at}\u0000${row.api_base}`;
    const kept = this.#creatorInfo.get(key);
    const nowMs = this.#o.now().getTime();
    const busy = this.#o.vault.isAccountBusy('tiktok', row.account_id);
    if (kept && (busy || nowMs - kept.atMs < CREATOR_INFO_TTL_MS)) return this.#withAudit(kept.view);
    let running = this.#creatorQueries.get(key);
    if (!running) {
      running = this.#queryCreator(row, busy).finally(() => this.#creatorQueries.delete(key));
      this.#creatorQueries.set(key, running);
    }
    const view = await running;
    this.#creatorInfo.set(key, { atMs: nowMs, view });
    return this.#withAudit(view);
  }

  /** TikTok refused a post because the organisation's app is not audited (§1.8): from now on only "Only the account owner" is offered. */
  noteTikTokRefusal(code: string): void {
    if (code === TIKTOK_UNAUDITED) this.#tiktokUnaudited = true;
  }

  #withAudit(view: TikTokCreatorInfoView): TikTokCreatorInfoView {
    if (!this.#tiktokUnaudited) return view;
    return { ...view, appAudited: false, privacyLevels: view.privacyLevels.filter((l) => l === 'SELF_ONLY') };
  }

  async #queryCreator(row: AccountRow, busy: boolean): Promise<TikTokCreatorInfoView> {
    const vault = this.#o.vault;
    const ask = async (mayRenew: boolean): Promise<CreatorInfoAnswer> => {
      const creds = await vault.loadAccountCredentials('tiktok', row.account_id);
      if (!creds) throw new AirlockError('accounts.needs-reconnect', 'Airlock has no stored sign-in for the TikTok account. Ask IT to reconnect it.', `no credentials for tiktok:${row.account_id}`);
      return queryCreatorInfo({
        http: this.#o.http,
        apiBase: row.api_base,
        credentials: async () => (await vault.loadAccountCredentials('tiktok', row.account_id)) ?? creds,
        saveCredentials: (next) => vault.saveAccountCredentials('tiktok', row.account_id, next),
        appCredentials: async () => {
          if (!mayRenew) {
            throw new AirlockError('accounts.tiktok-busy', 'Airlock is publishing to this TikTok account right now. Its settings can be checked again when that is done.', 'the access token needs renewing while a publish holds the account');
          }
          return vault.loadAppCredentials('tiktok');
        },
        now: () => this.#o.now().getTime(),
        accountKey: `${row.api_base} ${row.account_id}`,
      });
    };
    let answer: CreatorInfoAnswer;
    try {
      answer = busy ? await ask(false) : await vault.withAccount('tiktok', row.account_id, () => ask(true));
    } catch (err) {
      if (err instanceof TikTokPublishError && err.code === 'publish.tiktok.unreachable') {
        throw new AirlockError('accounts.tiktok-unreachable', "Airlock could not reach TikTok to check this account's settings. Check the kiosk's internet connection and try again.", err.detail);
      }
      throw err;
    }
    const base = { accountId: row.account_id, accountName: row.display_name, appAudited: null, checkedAt: this.#o.now().toISOString() };
    if (answer.kind === 'cannot-post') {
      return { ...base, nickname: null, username: null, privacyLevels: [], commentDisabled: false, duetDisabled: false, stitchDisabled: false, maxVideoSeconds: null, canPost: false, cannotPost: { code: answer.code, message: answer.message, detail: answer.detail } };
    }
    const s = answer.settings;
    return { ...base, nickname: s.nickname || null, username: s.username || null, privacyLevels: s.privacyLevels, commentDisabled: s.commentDisabled, duetDisabled: s.duetDisabled, stitchDisabled: s.stitchDisabled, maxVideoSeconds: s.maxVideoSeconds, canPost: true, cannotPost: null };
  }

  /**
   * Renews tokens that are about to run out (refresh tokens close to their end, access tokens
   * within half an hour), saving the new pair before anything uses it. Returns what it did.
   */
  async renewExpiring(): Promise<{ renewed: string[]; failed: string[] }> {
    const renewed: string[] = [];
    const failed: string[] = [];
    const now = this.#o.now().getTime();
    for (const row of await this.#o.store.call('accounts.list', {})) {
      const d = this.#descriptors[row.platform as PlatformId];
      if (d?.kind !== 'oauth' || !d.refresh) continue;
      const refresh = d.refresh.bind(d);
      const key = `${row.platform}:${row.account_id}`;
      const vault = this.#o.vault;
      // A publish in progress refreshes for itself if it must; never spend the same rotating
      // refresh token twice, so this account waits for the next check.
      if (vault.isAccountBusy(row.platform, row.account_id)) continue;
      try {
        const done = await vault.withAccount(row.platform, row.account_id, async () => {
          const creds = await vault.loadAccountCredentials(row.platform, row.account_id).catch(() => null);
          if (!creds?.refreshToken) return false;
          const refreshSoon = creds.refreshExpiresAt !== undefined && creds.refreshExpiresAt - now <= RENEW_REFRESH_WITHIN_MS;
          const accessSoon = creds.expiresAt !== undefined && creds.expiresAt - now <= RENEW_ACCESS_WITHIN_MS;
          if (!refreshSoon && !accessSoon) return false;
          const endpoints = { authOrigin: row.api_base, apiOrigin: row.api_base };
          const app = await vault.loadAppCredentials(d.appKey(endpoints, row.account_id));
          if (!app) throw new AirlockError('accounts.no-app-credentials', 'IT has not set up the app for this platform.', `no app credentials for ${row.platform}`);
          const next = await refresh(this.#ctx(d.platform, endpoints), app, creds);
          // The old refresh token is dead once the new one exists: keep the new pair before anything else.
          await vault.saveAccountCredentials(row.platform, row.account_id, next);
          return true;
        });
        if (!done) continue;
        this.#broken.delete(key);
        renewed.push(key);
      } catch (err) {
        failed.push(key);
        if (err instanceof AirlockError && err.code === 'accounts.needs-reconnect') this.#broken.set(key, err.message);
        this.#o.record({ actor: 'system', actorName: 'Airlock', kind: 'account.renew-failed', subject: key, details: { platform: row.platform, code: err instanceof AirlockError ? err.code : 'error' } });
      }
    }
    return { renewed, failed };
  }

  close(): void {
    for (const flow of this.#flows.values()) {
      flow.redirect.close();
      flow.window?.close();
    }
    this.#flows.clear();
  }

  // ---- internals --------------------------------------------------------------------------

  async #complete(actor: AccountActor, flow: Flow, app: AppCredentials, verifier: string): Promise<AccountHealth> {
    const { descriptor, ctx, redirect } = flow;
    try {
      const outcome = await redirect.outcome;
      flow.window?.close();
      if (outcome.kind === 'denied') {
        const declined = outcome.error === 'access_denied';
        throw new AirlockError(
          declined ? 'accounts.declined' : 'accounts.platform-refused',
          declined ? `The ${descriptor.label} account was not connected because access was not allowed on ${descriptor.label}'s page.` : `${descriptor.label} refused the sign-in request, so the account was not connected. Ask IT to look at the details.`,
          `authorization answered error=${outcome.error.slice(0, 80)}${outcome.description ? ` "${outcome.description.slice(0, 200)}"` : ''}`,
        );
      }
      const exchanged = await descriptor.exchange(ctx, app, { code: outcome.code, redirectUri: redirect.redirectUri, verifier });
      let first: AccountHealth | null = null;
      for (const connected of this.#choose(descriptor, Array.isArray(exchanged) ? exchanged : [exchanged])) {
        const health = await this.#save(actor, descriptor, ctx.endpoints, connected, descriptor.app === 'registered' ? app : null);
        first ??= health;
      }
      if (!first) throw new AirlockError('accounts.nothing-to-connect', `${descriptor.label} signed in, but there is no account this sign-in can post as, so nothing was connected.`, 'the exchange gave no account');
      return first;
    } catch (err) {
      this.#failed(actor, descriptor.platform, err);
      throw err;
    } finally {
      flow.settled = true;
      flow.window?.close();
      // Forget an unclaimed connect once its time is up.
      const left = Math.max(0, flow.expiresAtMs - this.#o.now().getTime());
      setTimeout(() => this.#flows.delete(flow.id), Math.min(left, 60_000) + 60_000).unref();
    }
  }

  /**
   * Which of the accounts one sign-in manages to connect: the only one; or, of several, those the
   * policy's `accounts.<platform>` lists. Several with no list, or none of them on it, connect
   * nothing: the tokens stay in memory and are dropped, and the message names the candidates so
   * IT can list the right one.
   */
  #choose(descriptor: OAuthDescriptor, candidates: ConnectedAccount[]): ConnectedAccount[] {
    if (candidates.length <= 1) return candidates;
    const platform = descriptor.platform;
    const label = PLATFORM_LABELS[platform];
    const names = candidates.map((c) => `${c.displayName} (${c.accountId})`).join(', ');
    const ids = candidates.map((c) => c.accountId.slice(0, 80)).join(', ');
    const allowed = this.#o.allowedAccounts?.[platform];
    const fits = allowed ? candidates.filter((c) => accountAllowed(allowed, c)) : [];
    if (fits.length > 0) return fits;
    if (allowed) {
      throw new AirlockError(
        'accounts.not-allowed',
        `This kiosk's policy allows only these ${label} accounts: ${allowed.join(', ')}. The sign-in manages ${names}, none of which is on the list, so nothing was connected.`,
        `${platform} sign-in offered ${ids}; none is in the policy's accounts.${platform}`,
      );
    }
    throw new AirlockError(
      'accounts.choose-account',
      `This ${label} sign-in manages ${candidates.length} accounts: ${names}. The kiosk's policy does not say which one to connect, so nothing was connected. Ask IT to list the right one in the policy under accounts.${platform}, then connect again.`,
      `${platform} sign-in offered ${ids}; the policy has no accounts.${platform} to choose with`,
    );
  }

  async #save(actor: AccountActor, descriptor: ConnectDescriptor, endpoints: ConnectEndpoints, connected: ConnectedAccount, registeredApp: AppCredentials | null): Promise<AccountHealth> {
    const { vault, store } = this.#o;
    const allowed = this.#o.allowedAccounts?.[descriptor.platform];
    if (allowed && !accountAllowed(allowed, connected)) {
      // Nothing was stored: the tokens just issued stay in memory and are dropped here.
      throw new AirlockError(
        'accounts.not-allowed',
        `This kiosk's policy allows only these ${PLATFORM_LABELS[descriptor.platform]} accounts: ${allowed.join(', ')}. The account you signed in with (${connected.displayName}) is not one of them, so it was not connected.`,
        `${descriptor.platform} account ${connected.accountId.slice(0, 80)} (${connected.displayName.slice(0, 80)}) is not in the policy's accounts.${descriptor.platform}`,
      );
    }
    const existing = (await store.call('accounts.list', {})).some((r) => r.platform === descriptor.platform && r.account_id === connected.accountId);
    const appKey = descriptor.kind === 'oauth' ? descriptor.appKey(endpoints, connected.accountId) : null;
    await vault.saveAccountCredentials(descriptor.platform, connected.accountId, connected.credentials);
    try {
      if (registeredApp && appKey) await vault.saveAppCredentials(appKey, registeredApp);
      const row: AccountRow = {
        platform: descriptor.platform,
        account_id: connected.accountId,
        display_name: connected.displayName.slice(0, 200),
        api_base: endpoints.apiOrigin,
        simulated: this.#o.simulated === true ? 1 : 0,
        connected_at: this.#o.now().toISOString(),
        connected_by: actor.name,
        last_success_at: null,
      };
      await store.call('accounts.upsert', row);
    } catch (err) {
      // Never half-connected: a new account whose row could not be written leaves no tokens behind.
      if (!existing) {
        await vault.deleteAccount(descriptor.platform, connected.accountId).catch(() => undefined);
        if (registeredApp && appKey) await vault.deleteAppCredentials(appKey).catch(() => undefined);
      }
      throw err;
    }
    this.#broken.delete(`${descriptor.platform}:${connected.accountId}`);
    this.#o.record({
      actor: actor.staffId,
      actorName: actor.name,
      kind: existing ? 'account.reconnected' : 'account.connected',
      subject: `${descriptor.platform}:${connected.accountId}`,
      details: { platform: descriptor.platform, account: connected.displayName, server: endpoints.apiOrigin, scopes: connected.credentials.scopes ?? [] },
    });
    const row = (await store.call('accounts.list', {})).find((r) => r.platform === descriptor.platform && r.account_id === connected.accountId);
    if (!row) throw new AirlockError('accounts.vanished', 'The account was connected but then removed by someone else.', 'row missing after upsert');
    return this.#health(row, connected.credentials);
  }

  #failed(actor: AccountActor, platform: PlatformId, err: unknown): void {
    const code = err instanceof AirlockError ? err.code : 'error';
    this.#o.record({ actor: actor.staffId, actorName: actor.name, kind: 'account.connect-failed', subject: platform, details: { platform, code, detail: err instanceof AirlockError ? (err.detail ?? null) : null } });
  }

  #health(row: AccountRow, creds: AccountCredentials | null): AccountHealth {
    const now = this.#o.now().getTime();
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    const base = {
      platform: row.platform,
      accountId: row.account_id,
      displayName: row.display_name,
      apiBase: row.api_base,
      simulated: row.simulated === 1,
      connectedAt: row.connected_at,
      connectedBy: row.connected_by,
      lastSuccessAt: row.last_success_at,
      scopes: creds?.scopes ?? [],
      accessExpiresAt: iso(creds?.expiresAt),
      refreshExpiresAt: row.platform === 'bluesky' ? null : iso(creds?.refreshExpiresAt),
    };
    const broken = this.#broken.get(`${row.platform}:${row.account_id}`);
    if (!creds) return { ...base, status: 'needs-reconnect', statusReason: 'Airlock has no stored sign-in for this account. Reconnect it.' };
    if (broken) return { ...base, status: 'needs-reconnect', statusReason: broken };
    const days = (ms: number) => Math.max(1, Math.ceil((ms - now) / DAY_MS));
    if (creds.refreshToken !== undefined) {
      // Bluesky keeps the app password here, which opens a new session whenever one is needed.
      if (row.platform === 'bluesky' || creds.refreshExpiresAt === undefined) return { ...base, status: 'healthy', statusReason: 'Airlock renews this sign-in by itself.' };
      if (creds.refreshExpiresAt <= now) return { ...base, status: 'expired', statusReason: 'The sign-in has run out. Reconnect the account.' };
      if (creds.refreshExpiresAt - now <= EXPIRING_SOON_MS) return { ...base, status: 'expiring', statusReason: `The sign-in runs out in ${days(creds.refreshExpiresAt)} day(s) unless the account is used or reconnected.` };
      return { ...base, status: 'healthy', statusReason: 'Airlock renews the access token by itself before it runs out.' };
    }
    if (creds.expiresAt === undefined) return { ...base, status: 'healthy', statusReason: 'This sign-in does not expire; it lasts until it is disconnected.' };
    if (creds.expiresAt <= now) return { ...base, status: 'expired', statusReason: 'The sign-in has run out. Reconnect the account.' };
    if (creds.expiresAt - now <= EXPIRING_SOON_MS) return { ...base, status: 'expiring', statusReason: `The sign-in runs out in ${days(creds.expiresAt)} day(s). Reconnect the account before then.` };
    return { ...base, status: 'healthy', statusReason: 'The sign-in is valid.' };
  }

  async #row(platform: string, accountId: string): Promise<AccountRow> {
    const row = (await this.#o.store.call('accounts.list', {})).find((r) => r.platform === platform && r.account_id === accountId);
    if (!row) throw new AirlockError('accounts.not-found', 'That account is not connected to this kiosk. Nothing was changed.', `no ${platform} account ${accountId.slice(0, 80)}`);
    return row;
  }

  #descriptor(platform: PlatformId): ConnectDescriptor {
    const d = this.#descriptors[platform];
    if (!this.#o.enabledPlatforms.includes(platform)) {
      throw new AirlockError('accounts.platform-off', `${PLATFORM_LABELS[platform]} is not switched on for this kiosk. IT can switch it on in the policy.`, `${platform} is not in the policy's platforms`);
    }
    if (!d) throw new AirlockError('accounts.platform-unsupported', `Airlock cannot connect ${PLATFORM_LABELS[platform]} accounts yet.`, `no connect descriptor for ${platform}`);
    return d;
  }

  #endpointsOf(d: OAuthDescriptor): ConnectEndpoints {
    const override = this.#o.endpoints?.[d.platform];
    if (override) return override;
    if (!d.defaultEndpoints) throw new AirlockError('accounts.needs-server', `Enter the address of your organisation's ${d.label} server first.`, `${d.platform} has no fixed host`);
    return d.defaultEndpoints;
  }

  #ctx(platform: PlatformId, endpoints: ConnectEndpoints): ConnectContext {
    return { http: this.#o.http, nowMs: () => this.#o.now().getTime(), endpoints, requester: `accounts:${platform}` };
  }

  async #requireKeychain(): Promise<void> {
    const status = await this.#o.vault.probe();
    if (!status.available) {
      throw new AirlockError('accounts.keychain-unavailable', UNAVAILABLE_MESSAGE, `${status.backend}: ${status.problem?.detail ?? status.problem?.message ?? 'unavailable'}`);
    }
  }
}

/** `social.example.org` or `https://social.example.org` → the origin; plain http only on loopback. */
function serverOrigin(text: string, code: string): string {
  const raw = text.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new AirlockError(code, 'That server address is not valid. Type it like social.example.org.', `could not parse ${JSON.stringify(raw.slice(0, 100))}`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  const fine = (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) && url.username === '' && url.password === '' && (url.pathname === '/' || url.pathname === '') && url.search === '' && url.hash === '';
  if (!fine) throw new AirlockError(code, 'That server address is not valid. Type only the server name, like social.example.org.', `${JSON.stringify(raw.slice(0, 100))} must be an https origin with no path, query or user name`);
  return url.origin;
}

function instanceEndpoints(instance: string | undefined): ConnectEndpoints {
  if (!instance?.trim()) throw new AirlockError('accounts.needs-server', 'Enter the address of your organisation\'s Mastodon server first.', 'instance is missing');
  const origin = serverOrigin(instance, 'accounts.bad-instance');
  return { authOrigin: origin, apiOrigin: origin };
}
