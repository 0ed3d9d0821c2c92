// The Bluesky sign-in Airlock keeps in the vault and keeps alive: a session (access and refresh
// JWTs) minted from the account's app password, refreshed when the access JWT expires and minted
// again when the refresh JWT is dead. See adapter.ts for how it maps onto AccountCredentials.
import type { AccountCredentials } from '../../services/vault/vault.ts';
import { BlueskyPublishError, XrpcError, isSessionProblem, reconnectError } from './bluesky-errors.ts';
import type { XrpcRequest, XrpcTransport } from './bluesky-xrpc.ts';

/** Joins the two session JWTs in `accessToken`; it never occurs in base64url or a JWT. */
export const SESSION_SEPARATOR = '~';

/** Refresh this long before the access JWT's own expiry, so a long upload does not run out. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** JWT scopes of sessions opened with an app password (not the account's main password). */
export const APP_PASSWORD_SCOPES: ReadonlySet<string> = new Set(['com.atproto.appPass', 'com.atproto.appPassPrivileged']);

export interface BlueskyCredentials {
  accessJwt: string | null;
  refreshJwt: string | null;
  appPassword: string | null;
  /** When the access JWT expires (ms since the epoch), if known. */
  expiresAt: number | undefined;
}

export interface SessionTokens {
  accessJwt: string;
  refreshJwt: string;
}

export interface SessionInfo {
  did: string;
  handle: string;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Reads the stored credentials; anything that is not `<accessJwt>~<refreshJwt>` counts as "no session yet". */
export function readBlueskyCredentials(stored: AccountCredentials): BlueskyCredentials {
  const parts = typeof stored.accessToken === 'string' ? stored.accessToken.split(SESSION_SEPARATOR) : [];
  const session = parts.length === 2 && parts.every((p) => JWT_SHAPE.test(p)) ? { accessJwt: parts[0]!, refreshJwt: parts[1]! } : null;
  return {
    accessJwt: session?.accessJwt ?? null,
    refreshJwt: session?.refreshJwt ?? null,
    appPassword: typeof stored.refreshToken === 'string' && stored.refreshToken.length > 0 ? stored.refreshToken : null,
    expiresAt: session ? (stored.expiresAt ?? jwtClaims(session.accessJwt).exp) : undefined,
  };
}

/** The vault form of a session and the app password it was minted from. */
export function writeBlueskyCredentials(tokens: SessionTokens, appPassword: string | null): AccountCredentials {
  const expiresAt = jwtClaims(tokens.accessJwt).exp;
  return {
    accessToken: `${tokens.accessJwt}${SESSION_SEPARATOR}${tokens.refreshJwt}`,
    ...(appPassword === null ? {} : { refreshToken: appPassword }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/**
 * The unverified claims Airlock needs from its own JWTs: expiry (ms) and scope. Only the server
 * checks signatures; these only decide when to refresh and whether a password is an app password.
 */
export function jwtClaims(jwt: string): { exp: number | undefined; scope: string | undefined; sub: string | undefined } {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown; scope?: unknown; sub?: unknown };
    return {
      exp: typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? Math.round(payload.exp * 1000) : undefined,
      scope: typeof payload.scope === 'string' ? payload.scope : undefined,
      sub: typeof payload.sub === 'string' ? payload.sub : undefined,
    };
  } catch {
    return { exp: undefined, scope: undefined, sub: undefined };
  }
}

interface SessionOutput {
  accessJwt?: unknown;
  refreshJwt?: unknown;
  did?: unknown;
  handle?: unknown;
  active?: unknown;
  status?: unknown;
}

function tokensFrom(nsid: string, output: SessionOutput | undefined): SessionTokens & SessionInfo {
  const { accessJwt, refreshJwt, did, handle } = output ?? {};
  if (typeof accessJwt !== 'string' || typeof refreshJwt !== 'string' || !JWT_SHAPE.test(accessJwt) || !JWT_SHAPE.test(refreshJwt) || typeof did !== 'string' || typeof handle !== 'string') {
    throw new BlueskyPublishError('publish.bluesky.bad-response', 'Bluesky sent a sign-in Airlock could not read. Ask IT to look at the details.', `${nsid}: answer lacks accessJwt, refreshJwt, did or handle`);
  }
  return { accessJwt, refreshJwt, did, handle };
}

/** Opens a session with an identifier (handle or DID) and an app password; no tokens are saved. */
export async function createSession(transport: XrpcTransport, identifier: string, appPassword: string): Promise<SessionTokens & SessionInfo> {
  const nsid = 'com.atproto.server.createSession';
  let output: SessionOutput | undefined;
  try {
    output = await transport.call<SessionOutput>({ method: 'POST', nsid, json: { identifier, password: appPassword } });
  } catch (err) {
    if (err instanceof XrpcError && (err.error === 'AccountTakedown' || err.error === 'AccountDeactivated')) throw err;
    if (err instanceof XrpcError && err.error === 'AuthFactorTokenRequired') {
      throw reconnectError(`${nsid}: HTTP ${err.status} AuthFactorTokenRequired: the stored secret is the account password with email 2FA; connect with an app password instead`);
    }
    // The server's words only; the request (and with it the password) is never quoted.
    if (err instanceof XrpcError && (err.status === 401 || err.error === 'AuthenticationRequired')) throw reconnectError(`${nsid}: HTTP ${err.status} ${err.error}: ${err.serverMessage}`);
    throw err;
  }
  return tokensFrom(nsid, output);
}

export interface BlueskySessionOptions {
  transport: XrpcTransport;
  /** What createSession is given as identifier: the account's DID (or handle). */
  identifier: string;
  credentials: () => Promise<AccountCredentials>;
  saveCredentials: (credentials: AccountCredentials) => Promise<void>;
  clock: () => number;
}

/**
 * One job's view of the account's session. Every authenticated call goes through call(), which
 * renews the session once when the server says the token is expired or unreadable and sends the
 * request again; new tokens are saved before they are used, as PublishContext requires.
 */
export class BlueskySession {
  readonly #options: BlueskySessionOptions;
  #state: BlueskyCredentials | null = null;

  constructor(options: BlueskySessionOptions) {
    this.#options = options;
  }

  /** Makes sure there is a live session and says whose it is. */
  async open(): Promise<SessionInfo> {
    const state = readBlueskyCredentials(await this.#options.credentials());
    this.#state = state;
    if (state.accessJwt === null) await this.#mint('no session stored yet');
    else if (state.expiresAt !== undefined && state.expiresAt - this.#options.clock() < REFRESH_MARGIN_MS) await this.#renew();
    const nsid = 'com.atproto.server.getSession';
    const info = await this.call<SessionOutput>({ method: 'GET', nsid });
    if (typeof info?.did !== 'string' || typeof info.handle !== 'string') {
      throw new BlueskyPublishError('publish.bluesky.bad-response', 'Bluesky sent an answer Airlock could not read. Ask IT to look at the details.', `${nsid}: answer lacks did or handle`, { retryable: true });
    }
    if (info.active === false) {
      throw new BlueskyPublishError('publish.bluesky.account-unavailable', 'Bluesky says this account is suspended or deactivated, so it cannot post. Check the account in the Bluesky app. Nothing was published.', `${nsid}: active=false status=${String(info.status ?? 'unknown').slice(0, 40)}`);
    }
    const identifier = this.#options.identifier;
    if (identifier.startsWith('did:') && info.did !== identifier) {
      throw new BlueskyPublishError(
        'publish.bluesky.wrong-account',
        'The saved Bluesky sign-in belongs to a different account than the one chosen. Nothing was published. Ask IT to reconnect the account.',
        `${nsid}: session is for ${info.did}, the job is for ${identifier}`,
      );
    }
    return { did: info.did, handle: info.handle };
  }

  async call<T>(request: XrpcRequest): Promise<T> {
    const state = this.#live();
    try {
      return await this.#options.transport.call<T>({ ...request, token: state.accessJwt! });
    } catch (err) {
      if (!isSessionProblem(err)) throw err;
    }
    await this.#renew();
    return this.#options.transport.call<T>({ ...request, token: this.#live().accessJwt! });
  }

  #live(): BlueskyCredentials {
    if (!this.#state || this.#state.accessJwt === null) throw new Error('BlueskySession used before open()');
    return this.#state;
  }

  // refreshSession first: it costs no createSession quota (30 per 5 minutes, 100 a day at the
  // entryway). A refresh JWT that is expired, revoked or unreadable falls back to the app password.
  async #renew(): Promise<void> {
    const state = this.#state!;
    if (state.refreshJwt !== null) {
      const nsid = 'com.atproto.server.refreshSession';
      try {
        const output = await this.#options.transport.call<SessionOutput>({ method: 'POST', nsid, token: state.refreshJwt });
        await this.#adopt(tokensFrom(nsid, output));
        return;
      } catch (err) {
        if (!isSessionProblem(err)) throw err;
      }
    }
    await this.#mint('the refresh token no longer works');
  }

  async #mint(why: string): Promise<void> {
    const appPassword = this.#state?.appPassword ?? null;
    if (appPassword === null) throw reconnectError(`${why}, and no app password is stored to open a new session`);
    await this.#adopt(await createSession(this.#options.transport, this.#options.identifier, appPassword));
  }

  async #adopt(tokens: SessionTokens): Promise<void> {
    const appPassword = this.#state?.appPassword ?? null;
    const stored = writeBlueskyCredentials(tokens, appPassword);
    await this.#options.saveCredentials(stored);
    this.#state = { accessJwt: tokens.accessJwt, refreshJwt: tokens.refreshJwt, appPassword, expiresAt: stored.expiresAt };
  }
}
