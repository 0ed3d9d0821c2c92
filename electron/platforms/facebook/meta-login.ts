// Facebook Login for a desktop app, shared by the Facebook Page and Instagram connects
// (platform-apis.md §6.1, §6.4): the authorize dialog on www.facebook.com with a fixed loopback
// redirect, the code exchanged with the app secret IT provisioned, the short-lived user token
// exchanged for the ~60-day one (`fb_exchange_token`, which also needs the secret), a check that
// every permission was granted (people can untick some), and the Pages the user manages.
// Meta issues no refresh token and §6 names no revoke call: the 60-day token is reconnected.
import { AirlockError } from '../../../common/errors.ts';
import type { AuthorizeRequest, ConnectContext, OAuthDescriptor } from '../../services/accounts/connect-descriptor.ts';
import { clientSecretOf, getJson, isRecord, postForm, tokenCredentials, type FormReply } from '../../services/accounts/oauth-client.ts';
import type { AccountCredentials, AppCredentials } from '../../services/vault/vault.ts';
import { FACEBOOK_HOSTS, FACEBOOK_LOGIN_HOST, FACEBOOK_PATHS } from './protocol.ts';

/**
 * The loopback redirect IT registers as a "Valid OAuth Redirect URI" of the Meta app:
 * http://127.0.0.1:53124/callback . Meta compares redirect URIs exactly (strict mode), so the
 * port is fixed, and both connects use the same one.
 */
export const META_REDIRECT_PORT = 53124;
export const META_REDIRECT_PATH = '/callback';

/**
 * What the Facebook and Instagram connects have in common: Meta's hosts, the fixed redirect, and
 * the organisation's one Meta app (stored with `airlock credentials set-app facebook`). §6.1
 * names no PKCE for Facebook Login; the app secret and the checked state protect the code.
 */
export function metaDescriptor(platform: 'facebook' | 'instagram', label: string, scopes: readonly string[]): Pick<OAuthDescriptor, 'kind' | 'platform' | 'label' | 'needsInstance' | 'defaultEndpoints' | 'redirectPath' | 'redirectPort' | 'challenge' | 'app' | 'appKey' | 'authorizeUrl'> {
  return {
    kind: 'oauth',
    platform,
    label,
    needsInstance: false,
    defaultEndpoints: { authOrigin: `https://${FACEBOOK_LOGIN_HOST}`, apiOrigin: `https://${FACEBOOK_HOSTS.graph}` },
    redirectPath: META_REDIRECT_PATH,
    redirectPort: META_REDIRECT_PORT,
    challenge: 'base64url',
    app: 'provisioned',
    appKey: () => 'facebook',
    authorizeUrl: (ctx, app, request) => metaAuthorizeUrl(ctx, app, request, scopes),
  };
}

/** Pages asked for at once. */
const MAX_PAGES = 100;

/** Graph's `{error:{message, code, error_subcode, fbtrace_id}}` in one line for IT. */
export function graphErrorText(reply: FormReply): string {
  const e = isRecord(reply.body) && isRecord(reply.body.error) ? reply.body.error : {};
  const parts = [`HTTP ${reply.status}`];
  if (typeof e.code === 'number') parts.push(`code=${e.code}`);
  if (typeof e.error_subcode === 'number') parts.push(`subcode=${e.error_subcode}`);
  if (typeof e.message === 'string') parts.push(`"${e.message.slice(0, 200)}"`);
  if (typeof e.fbtrace_id === 'string') parts.push(`fbtrace_id=${e.fbtrace_id.slice(0, 40)}`);
  return parts.join(' ');
}

function refused(label: string, what: string, reply: FormReply): AirlockError {
  return new AirlockError(
    'accounts.platform-refused',
    `${label} did not accept the sign-in, so the account was not connected. Try again; if it keeps happening, ask IT to look at the details.`,
    `${what} answered ${graphErrorText(reply)}`,
  );
}

export function metaAuthorizeUrl(ctx: ConnectContext, app: AppCredentials, request: AuthorizeRequest, scopes: readonly string[]): string {
  const url = new URL(FACEBOOK_PATHS.dialog, ctx.endpoints.authOrigin);
  url.searchParams.set('client_id', app.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('state', request.state);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', scopes.join(','));
  return url.href;
}

/**
 * The code to a long-lived user token with the permissions it carries. The secret and the codes
 * go in a form body, never in a URL (Graph takes the parameters of /oauth/access_token either way).
 */
export async function metaSignIn(ctx: ConnectContext, app: AppCredentials, grant: { code: string; redirectUri: string }, label: string, scopes: readonly string[]): Promise<AccountCredentials> {
  const tokenUrl = new URL(FACEBOOK_PATHS.token, ctx.endpoints.apiOrigin).href;
  // Facebook and Instagram share the Meta app IT stores under 'facebook'.
  const client = { client_id: app.clientId, client_secret: clientSecretOf(app, 'Meta', 'facebook') };
  const short = await postForm(ctx.http, tokenUrl, { ...client, redirect_uri: grant.redirectUri, code: grant.code }, ctx.requester);
  if (short.status !== 200 || !isRecord(short.body) || typeof short.body.access_token !== 'string') throw refused(label, `${FACEBOOK_PATHS.token} (code)`, short);
  const long = await postForm(ctx.http, tokenUrl, { ...client, grant_type: 'fb_exchange_token', fb_exchange_token: short.body.access_token }, ctx.requester);
  if (long.status !== 200 || !isRecord(long.body) || typeof long.body.access_token !== 'string') throw refused(label, `${FACEBOOK_PATHS.token} (fb_exchange_token)`, long);
  // §6.1: about 60 days, read from `expires_in`.
  const credentials = tokenCredentials(long.body, ctx.nowMs());
  const perms = await getJson(ctx.http, new URL(FACEBOOK_PATHS.myPermissions, ctx.endpoints.apiOrigin).href, credentials.accessToken, ctx.requester);
  const data = isRecord(perms.body) && Array.isArray(perms.body.data) ? perms.body.data : null;
  if (perms.status !== 200 || data === null) throw refused(label, FACEBOOK_PATHS.myPermissions, perms);
  const granted = data.flatMap((p) => (isRecord(p) && p.status === 'granted' && typeof p.permission === 'string' ? [p.permission] : []));
  const missing = scopes.filter((s) => !granted.includes(s));
  if (missing.length > 0) {
    throw new AirlockError(
      'accounts.permissions-declined',
      `${label} signed in, but not every permission Airlock asked for was allowed (${missing.join(', ')}), so nothing was connected. Connect again and leave all of them ticked.`,
      `${FACEBOOK_PATHS.myPermissions} has not granted: ${missing.join(', ')}`,
    );
  }
  return { ...credentials, scopes: scopes.filter((s) => granted.includes(s)) };
}

/** The Pages the user manages, each with the `fields` asked for. */
export async function managedPages(ctx: ConnectContext, accessToken: string, fields: string, label: string): Promise<Record<string, unknown>[]> {
  const url = new URL(FACEBOOK_PATHS.myAccounts, ctx.endpoints.apiOrigin);
  url.searchParams.set('fields', fields);
  url.searchParams.set('limit', String(MAX_PAGES));
  const reply = await getJson(ctx.http, url.href, accessToken, ctx.requester);
  const data = isRecord(reply.body) && Array.isArray(reply.body.data) ? reply.body.data : null;
  if (reply.status !== 200 || data === null) {
    throw new AirlockError(
      'accounts.platform-refused',
      `${label} accepted the sign-in but would not list the Pages this person manages, so nothing was connected. Ask IT to look at the details.`,
      `${FACEBOOK_PATHS.myAccounts} answered ${graphErrorText(reply)}`,
    );
  }
  return data.filter((p): p is Record<string, unknown> => isRecord(p) && typeof p.id === 'string' && p.id !== '');
}
