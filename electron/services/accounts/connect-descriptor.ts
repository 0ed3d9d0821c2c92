// What the account service needs to know to connect one platform: a descriptor per platform,
// kept next to that platform's adapter (electron/platforms/<platform>/connect.ts). Adding a
// platform is adding a descriptor to the table in descriptors.ts.
import type { PlatformId } from '../../../common/platforms.ts';
import type { EgressClient } from '../egress/http-client.ts';
import type { AccountCredentials, AppCredentials } from '../vault/vault.ts';
import type { ChallengeEncoding } from './oauth-client.ts';

/** Where a platform's sign-in page and API are; tests and training point these at simulators. */
export interface ConnectEndpoints {
  /** Origin of the authorization page the person signs in on. */
  authOrigin: string;
  /** Origin of the token, revoke and API endpoints (stored as the account's api_base). */
  apiOrigin: string;
  /**
   * The loopback port instead of the descriptor's fixed one; 0 lets the system pick. Only for
   * simulators (tests and training), which accept any loopback port.
   */
  redirectPort?: number;
}

export interface ConnectContext {
  http: EgressClient;
  nowMs: () => number;
  endpoints: ConnectEndpoints;
  /** Shown in Diagnostics if the egress guard refuses a request, e.g. `accounts:tiktok`. */
  requester: string;
}

export interface ConnectedAccount {
  accountId: string;
  displayName: string;
  credentials: AccountCredentials;
}

export interface AuthorizeRequest {
  redirectUri: string;
  state: string;
  codeChallenge: string;
}

export interface OAuthDescriptor {
  kind: 'oauth';
  platform: PlatformId;
  label: string;
  /** Mastodon: each organisation has its own instance, which IT types in. */
  needsInstance: boolean;
  /** null when there is no fixed host (Mastodon). */
  defaultEndpoints: ConnectEndpoints | null;
  /** The loopback path registered with the platform, e.g. `/callback/`. */
  redirectPath: string;
  /**
   * A fixed loopback port, for platforms that match redirect URIs exactly (X); otherwise each
   * connect listens on a port the system picks (RFC 8252 §7.3).
   */
  redirectPort?: number;
  challenge: ChallengeEncoding;
  /**
   * Where the app credentials come from: `provisioned` means IT stored them in the keychain with
   * `airlock credentials set-app`; `registered` means Airlock registers an app for each account.
   */
  app: 'provisioned' | 'registered';
  /** Keychain name of the app credentials; for registered apps, per account. */
  appKey(endpoints: ConnectEndpoints, accountId: string | null): string;
  register?(ctx: ConnectContext, redirectUri: string): Promise<AppCredentials>;
  authorizeUrl(ctx: ConnectContext, app: AppCredentials, request: AuthorizeRequest): string;
  /**
   * The account the sign-in gave, or every account it may post as when one sign-in manages
   * several (Facebook Pages, Instagram accounts, LinkedIn organisations); the account service
   * picks among those with the policy.
   */
  exchange(ctx: ConnectContext, app: AppCredentials, grant: { code: string; redirectUri: string; verifier: string }): Promise<ConnectedAccount | ConnectedAccount[]>;
  /** Absent when the platform has no refresh tokens (Mastodon). The new pair is returned unsaved. */
  refresh?(ctx: ConnectContext, app: AppCredentials, creds: AccountCredentials): Promise<AccountCredentials>;
  /**
   * Ends the grant at the platform. Absent when the platform notes name no way to do it
   * (LinkedIn, Meta): disconnect then removes the account from the kiosk only, and says so.
   */
  revoke?(ctx: ConnectContext, app: AppCredentials, creds: AccountCredentials): Promise<void>;
}

export interface AppPasswordDescriptor {
  kind: 'app-password';
  platform: PlatformId;
  label: string;
  /** The service asked when IT leaves the server field empty. */
  defaultService: string;
  connect(ctx: ConnectContext, input: { identifier: string; appPassword: string }): Promise<ConnectedAccount>;
  /** Ends the stored session at the server. */
  revoke(ctx: ConnectContext, creds: AccountCredentials): Promise<void>;
}

export type ConnectDescriptor = OAuthDescriptor | AppPasswordDescriptor;
