// Connecting a LinkedIn organisation (platform-apis.md §7.1): 3-legged OAuth on www.linkedin.com
// with the organisation's app (client id and secret, provisioned by IT) and a fixed loopback
// redirect, then the organisations the member administers (organizationAcls), each a candidate
// account; Airlock posts as the organisation, never as the member. Access tokens last 60 days;
// refresh tokens come only to approved partners, so renewal happens only when one was issued.
// §7 names no revoke endpoint, so this descriptor has none: disconnect removes the kiosk's copy.
import { AirlockError } from '../../../common/errors.ts';
import type { ConnectContext, ConnectedAccount, OAuthDescriptor } from '../../services/accounts/connect-descriptor.ts';
import { clientSecretOf, isRecord, platformRefused, postForm, refreshRefused, tokenCredentials, type FormReply } from '../../services/accounts/oauth-client.ts';
import type { AccountCredentials, AppCredentials } from '../../services/vault/vault.ts';
import { LINKEDIN_CONNECT_SCOPES, LINKEDIN_DEFAULT_VERSION, LINKEDIN_HOSTS, LINKEDIN_PATHS, LINKEDIN_RESTLI_VERSION, linkedInTokenUrl } from './protocol.ts';

/**
 * The loopback redirect IT registers with the LinkedIn app: http://127.0.0.1:53125/ . LinkedIn's
 * standard flow matches redirect URLs exactly, so the port is fixed; the native flow accepts any
 * loopback port, this one included.
 */
export const LINKEDIN_REDIRECT_PORT = 53125;

/** LinkedIn names the refresh token's lifetime `refresh_token_expires_in`; scopes may come comma- or space-separated. */
const TOKEN_FIELDS = { refreshExpiresIn: 'refresh_token_expires_in', scopeSeparator: /[\s,]+/ };

/** Organisations asked for at once; a member administering more is not a kiosk's case. */
const MAX_ORGANIZATIONS = 100;

/*
 * Client secret and PKCE together. §7.1: the native flow (PKCE, no secret) works only once
 * LinkedIn has enabled it for the app on request; otherwise the token exchange needs the client
 * secret. IT provisions the secret with `airlock credentials set-app linkedin`, so the exchange
 * always sends it and works in either case. The S256 challenge and verifier are sent as the native
 * flow defines them (authorization-code-flow-native), so once LinkedIn has enabled PKCE for the
 * app, a code caught on its way to the loopback listener is useless without this sign-in's verifier.
 */
async function tokenCall(ctx: ConnectContext, app: AppCredentials, form: Record<string, string>): Promise<FormReply> {
  return postForm(ctx.http, linkedInTokenUrl(ctx.endpoints.apiOrigin), { ...form, client_id: app.clientId, client_secret: clientSecretOf(app, 'LinkedIn', 'linkedin') }, ctx.requester);
}

async function restGet(ctx: ConnectContext, path: string, accessToken: string): Promise<FormReply> {
  const res = await ctx.http.request(new URL(path, ctx.endpoints.apiOrigin), {
    method: 'GET',
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'LinkedIn-Version': LINKEDIN_DEFAULT_VERSION, 'X-Restli-Protocol-Version': LINKEDIN_RESTLI_VERSION },
    requester: ctx.requester,
    timeoutMs: 30_000,
  });
  const text = await res.text(512 * 1024);
  try {
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  } catch {
    return { status: res.status, body: null };
  }
}

const linkedInErrorText = (reply: FormReply) => {
  const b = isRecord(reply.body) ? reply.body : {};
  return `HTTP ${reply.status}${typeof b.code === 'string' ? ` ${b.code.slice(0, 60)}` : ''}${typeof b.message === 'string' ? ` "${b.message.slice(0, 200)}"` : ''}`;
};

/** The organisations the member administers (approved ADMINISTRATOR role), as URNs. */
async function administeredOrganizations(ctx: ConnectContext, accessToken: string): Promise<string[]> {
  const query = new URLSearchParams({ q: 'roleAssignee', role: 'ADMINISTRATOR', state: 'APPROVED', count: String(MAX_ORGANIZATIONS) });
  const reply = await restGet(ctx, `${LINKEDIN_PATHS.organizationAcls}?${query}`, accessToken);
  const elements = isRecord(reply.body) && Array.isArray(reply.body.elements) ? reply.body.elements : null;
  if (reply.status !== 200 || elements === null) {
    throw new AirlockError(
      'accounts.platform-refused',
      'LinkedIn accepted the sign-in but would not say which organisations this member runs, so nothing was connected. Ask IT to look at the details.',
      `GET ${LINKEDIN_PATHS.organizationAcls}?q=roleAssignee answered ${linkedInErrorText(reply)}`,
    );
  }
  const urns = elements.flatMap((e) =>
    isRecord(e) && e.role === 'ADMINISTRATOR' && e.state === 'APPROVED' && typeof e.organization === 'string' && /^urn:li:organization:\d+$/.test(e.organization) ? [e.organization] : [],
  );
  return [...new Set(urns)];
}

/** The organisation's name as members see it; its number when LinkedIn does not say. */
async function organizationName(ctx: ConnectContext, urn: string, accessToken: string): Promise<string> {
  const id = urn.slice('urn:li:organization:'.length);
  const reply = await restGet(ctx, LINKEDIN_PATHS.organization(id), accessToken).catch(() => null);
  const body = reply?.status === 200 && isRecord(reply.body) ? reply.body : {};
  const name = typeof body.localizedName === 'string' ? body.localizedName.trim() : '';
  return name || `LinkedIn organisation ${id}`;
}

export const linkedinConnect: OAuthDescriptor = {
  kind: 'oauth',
  platform: 'linkedin',
  label: 'LinkedIn',
  needsInstance: false,
  defaultEndpoints: { authOrigin: `https://${LINKEDIN_HOSTS.www}`, apiOrigin: `https://${LINKEDIN_HOSTS.api}` },
  redirectPath: '/',
  redirectPort: LINKEDIN_REDIRECT_PORT,
  challenge: 'base64url',
  app: 'provisioned',
  appKey: () => 'linkedin',

  authorizeUrl(ctx, app, request) {
    const url = new URL(LINKEDIN_PATHS.authorize, ctx.endpoints.authOrigin);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('state', request.state);
    // §7.1: the member consents to every scope asked for or to none.
    url.searchParams.set('scope', LINKEDIN_CONNECT_SCOPES.join(' '));
    url.searchParams.set('code_challenge', request.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return url.href;
  },

  async exchange(ctx, app, grant) {
    const reply = await tokenCall(ctx, app, { grant_type: 'authorization_code', code: grant.code, redirect_uri: grant.redirectUri, code_verifier: grant.verifier });
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.access_token !== 'string') throw platformRefused('LinkedIn', LINKEDIN_PATHS.token, reply);
    // §7.1: 60 days, read from `expires_in` rather than assumed.
    const credentials = tokenCredentials(body, ctx.nowMs(), TOKEN_FIELDS);
    const urns = await administeredOrganizations(ctx, credentials.accessToken);
    if (urns.length === 0) {
      throw new AirlockError(
        'accounts.nothing-to-connect',
        'The LinkedIn member who signed in is not an administrator of any organisation page, so there is nothing Airlock could post as. Sign in as a page administrator, or ask one to make you one.',
        `${LINKEDIN_PATHS.organizationAcls}?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED gave no organisation`,
      );
    }
    const accounts: ConnectedAccount[] = [];
    for (const urn of urns) accounts.push({ accountId: urn, displayName: await organizationName(ctx, urn, credentials.accessToken), credentials });
    return accounts;
  },

  async refresh(ctx, app, creds): Promise<AccountCredentials> {
    if (!creds.refreshToken) throw new AirlockError('accounts.needs-reconnect', 'The connection to LinkedIn has ended. Reconnect the organisation.', 'no refresh token is stored (LinkedIn issues them to approved partners only)');
    const reply = await tokenCall(ctx, app, { grant_type: 'refresh_token', refresh_token: creds.refreshToken });
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.access_token !== 'string') {
      throw refreshRefused(reply, { dead: 'LinkedIn no longer accepts this sign-in. Reconnect the organisation.', later: 'Airlock could not renew the LinkedIn sign-in just now; it will try again.' });
    }
    // §7.1: a new 60-day access token; the refresh token keeps its fixed end.
    return { ...creds, ...tokenCredentials(body, ctx.nowMs(), TOKEN_FIELDS) };
  },
};
