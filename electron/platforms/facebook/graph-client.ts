// The Graph API calls the Facebook Page and Instagram adapters share (platform-apis.md §6): the
// job's session with the shared retries, the long-lived user token refused before use once it
// has run out (Meta has no refresh token, §6.1), and every token in the `Authorization: OAuth`
// header, never in a URL.
import type { AccountCredentials } from '../../services/vault/vault.ts';
import type { PublishContext } from '../adapter.ts';
import { jobSession, type Answer, type BearerRequest, type BearerSession, type BearerSessionOptions, type bearerSettings } from '../bearer-session.ts';
import type { PublishErrors } from '../publish-error.ts';

export class GraphClient {
  readonly api: BearerSession;
  readonly #context: PublishContext;
  readonly #errors: PublishErrors;
  readonly #now: () => number;

  constructor(
    context: PublishContext,
    settings: ReturnType<typeof bearerSettings>,
    refreshes: Map<string, Promise<AccountCredentials>>,
    platform: Pick<BearerSessionOptions, 'requester' | 'errors' | 'label' | 'classify'>,
  ) {
    this.#context = context;
    this.#errors = platform.errors;
    this.#now = settings.now;
    const apiBase = context.account.apiBase.replace(/\/+$/, '');
    this.api = jobSession(context, settings, { ...platform, tokenUrl: `${apiBase}/oauth/access_token`, clientAuth: 'form', refreshMarginMs: 0, refreshes });
  }

  /** The account's long-lived user token. */
  async userToken(): Promise<string> {
    const creds = await this.#context.credentials();
    if (creds.expiresAt !== undefined && creds.expiresAt <= this.#now()) throw this.#errors.reconnect('token-expired', `user token expired at ${new Date(creds.expiresAt).toISOString()}`);
    return creds.accessToken;
  }

  /** A call with `token` (the user token when left out), retried as the platform's answers allow. */
  async call(request: Omit<BearerRequest, 'anonymous'>, token?: string): Promise<Answer> {
    const bearer = token ?? (await this.userToken());
    return this.api.request({ ...request, anonymous: true, headers: { Authorization: `OAuth ${bearer}`, ...request.headers } });
  }
}
