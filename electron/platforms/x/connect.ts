// Connecting an X account (platform-apis.md §2.1): OAuth 2.0 authorization code with PKCE S256,
// redirect URIs matched exactly (so a fixed loopback port, which IT registers with the app),
// `offline.access` for a refresh token that rotates, and revoke. IT provisions either kind of X
// app: a confidential client (client id and secret) or a native app, a public client with no
// secret (`airlock credentials set-app x --public-client`).
import { AirlockError } from '../../../common/errors.ts';
import type { ConnectContext, OAuthDescriptor } from '../../services/accounts/connect-descriptor.ts';
import { getJson, isRecord, oauthErrorText, platformRefused, postForm, refreshRefused, tokenCredentials } from '../../services/accounts/oauth-client.ts';
import type { AppCredentials } from '../../services/vault/vault.ts';
import { X_PATHS, X_SCOPES } from './protocol.ts';

/** The loopback redirect IT registers with the X app: http://127.0.0.1:53123/callback */
export const X_REDIRECT_PORT = 53123;

/**
 * How the app identifies itself at the token and revoke endpoints, as X's "OAuth 2.0
 * Authorization Code Flow with PKCE" page shows for each kind of client (docs.x.com
 * fundamentals/authentication/oauth-2-0/user-access-token, steps 3, 5 and 6): a confidential
 * client sends `Authorization: Basic base64(client_id:client_secret)` and no client_id in the
 * body; a public client sends `client_id` in the body and no Authorization header. X refuses a
 * confidential client without the header ("Missing valid authorization header").
 */
export function xClientAuth(app: AppCredentials, form: Record<string, string>): { form: Record<string, string>; headers: Record<string, string> } {
  if (!app.clientSecret) return { form: { ...form, client_id: app.clientId }, headers: {} };
  const basic = Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64');
  return { form, headers: { authorization: `Basic ${basic}` } };
}

async function xPost(ctx: ConnectContext, app: AppCredentials, path: string, fields: Record<string, string>) {
  const { form, headers } = xClientAuth(app, fields);
  return postForm(ctx.http, new URL(path, ctx.endpoints.apiOrigin).href, form, ctx.requester, headers);
}

export const xConnect: OAuthDescriptor = {
  kind: 'oauth',
  platform: 'x',
  label: 'X',
  needsInstance: false,
  defaultEndpoints: { authOrigin: 'https://x.com', apiOrigin: 'https://api.x.com' },
  redirectPath: '/callback',
  redirectPort: X_REDIRECT_PORT,
  challenge: 'base64url',
  app: 'provisioned',
  appKey: () => 'x',

  authorizeUrl(ctx, app, request) {
    const url = new URL(X_PATHS.authorize, ctx.endpoints.authOrigin);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('scope', X_SCOPES.join(' '));
    url.searchParams.set('state', request.state);
    url.searchParams.set('code_challenge', request.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return url.href;
  },

  async exchange(ctx, app, grant) {
    const reply = await xPost(ctx, app, X_PATHS.token, { code: grant.code, grant_type: 'authorization_code', redirect_uri: grant.redirectUri, code_verifier: grant.verifier });
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.access_token !== 'string') throw platformRefused('X', X_PATHS.token, reply);
    const credentials = tokenCredentials(body, ctx.nowMs());
    const me = await getJson(ctx.http, new URL(X_PATHS.me, ctx.endpoints.apiOrigin).href, credentials.accessToken, ctx.requester);
    const data = isRecord(me.body) && isRecord(me.body.data) ? me.body.data : null;
    if (me.status !== 200 || !data || typeof data.id !== 'string') {
      throw new AirlockError('accounts.platform-refused', 'X accepted the sign-in but would not say which account it is, so it was not connected.', `${X_PATHS.me} answered HTTP ${me.status}`);
    }
    const name = typeof data.name === 'string' ? data.name.trim() : '';
    const username = typeof data.username === 'string' ? data.username : data.id;
    return { accountId: data.id, displayName: name ? `${name} (@${username})` : `@${username}`, credentials };
  },

  async refresh(ctx, app, creds) {
    if (!creds.refreshToken) throw new AirlockError('accounts.needs-reconnect', 'The connection to X has ended. Reconnect the account.', 'no refresh token is stored');
    const reply = await xPost(ctx, app, X_PATHS.token, { grant_type: 'refresh_token', refresh_token: creds.refreshToken });
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.access_token !== 'string') {
      throw refreshRefused(reply, { dead: 'X no longer accepts this account\'s sign-in. Reconnect the account.', later: 'Airlock could not renew the X sign-in just now; it will try again.' });
    }
    return { ...creds, ...tokenCredentials(body, ctx.nowMs()) };
  },

  async revoke(ctx, app, creds) {
    const reply = await xPost(ctx, app, X_PATHS.revoke, { token: creds.refreshToken ?? creds.accessToken });
    if (reply.status !== 200) throw new AirlockError('accounts.revoke-failed', 'X did not confirm that it ended the sign-in.', `${X_PATHS.revoke} answered ${oauthErrorText(reply)}`);
  },
};
