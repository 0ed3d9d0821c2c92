// Connecting a TikTok account (platform-apis.md §1.1): Login Kit for desktop with PKCE whose
// challenge is lowercase hex of SHA-256 (not RFC 7636's base64url), client_secret required at
// the token endpoint, refresh tokens that rotate, and revoke. The app (client_key/secret) is the
// organisation's, provisioned by IT into the keychain.
import { AirlockError } from '../../../common/errors.ts';
import type { ConnectContext, OAuthDescriptor } from '../../services/accounts/connect-descriptor.ts';
import { clientSecretOf, isRecord, oauthErrorText, platformRefused, postForm, refreshRefused, tokenCredentials } from '../../services/accounts/oauth-client.ts';
import { TIKTOK_API_ORIGIN, TIKTOK_PATHS } from './protocol.ts';

/** What Airlock asks for: Direct Post and inbox upload, and the basic profile for the account name. */
export const TIKTOK_CONNECT_SCOPES = ['user.info.basic', 'video.publish', 'video.upload'] as const;

/** §1.1: TikTok names the refresh token's lifetime `refresh_expires_in` and lists scopes with commas. */
const TOKEN_FIELDS = { refreshExpiresIn: 'refresh_expires_in', scopeSeparator: ',' };

export const tiktokConnect: OAuthDescriptor = {
  kind: 'oauth',
  platform: 'tiktok',
  label: 'TikTok',
  needsInstance: false,
  defaultEndpoints: { authOrigin: 'https://www.tiktok.com', apiOrigin: TIKTOK_API_ORIGIN },
  redirectPath: '/callback/',
  challenge: 'hex',
  app: 'provisioned',
  appKey: () => 'tiktok',

  authorizeUrl(ctx, app, request) {
    const url = new URL(TIKTOK_PATHS.authorize, ctx.endpoints.authOrigin);
    url.searchParams.set('client_key', app.clientId);
    url.searchParams.set('scope', TIKTOK_CONNECT_SCOPES.join(','));
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('state', request.state);
    url.searchParams.set('code_challenge', request.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return url.href;
  },

  async exchange(ctx, app, grant) {
    const reply = await postForm(
      ctx.http,
      new URL(TIKTOK_PATHS.token, ctx.endpoints.apiOrigin).href,
      { client_key: app.clientId, client_secret: clientSecretOf(app, 'TikTok', 'tiktok'), code: grant.code, grant_type: 'authorization_code', redirect_uri: grant.redirectUri, code_verifier: grant.verifier },
      ctx.requester,
    );
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.access_token !== 'string' || typeof body.open_id !== 'string') throw platformRefused('TikTok', 'the token endpoint', reply);
    const credentials = tokenCredentials(body, ctx.nowMs(), TOKEN_FIELDS);
    const displayName = await creatorName(ctx, credentials.accessToken).catch(() => null);
    return { accountId: body.open_id, displayName: displayName ?? `TikTok account ${body.open_id.slice(0, 12)}`, credentials };
  },

  async refresh(ctx, app, creds) {
    if (!creds.refreshToken) throw new AirlockError('accounts.needs-reconnect', 'The connection to TikTok has ended. Reconnect the account.', 'no refresh token is stored');
    const reply = await postForm(
      ctx.http,
      new URL(TIKTOK_PATHS.token, ctx.endpoints.apiOrigin).href,
      { client_key: app.clientId, client_secret: clientSecretOf(app, 'TikTok', 'tiktok'), grant_type: 'refresh_token', refresh_token: creds.refreshToken },
      ctx.requester,
    );
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
      throw refreshRefused(reply, { dead: 'TikTok no longer accepts this account\'s sign-in. Reconnect the account.', later: 'Airlock could not renew the TikTok sign-in just now; it will try again.' });
    }
    return { ...creds, ...tokenCredentials(body, ctx.nowMs(), TOKEN_FIELDS) };
  },

  async revoke(ctx, app, creds) {
    const reply = await postForm(
      ctx.http,
      new URL(TIKTOK_PATHS.revoke, ctx.endpoints.apiOrigin).href,
      { client_key: app.clientId, client_secret: clientSecretOf(app, 'TikTok', 'tiktok'), token: creds.accessToken },
      ctx.requester,
    );
    if (reply.status !== 200) throw new AirlockError('accounts.revoke-failed', 'TikTok did not confirm that it ended the sign-in.', `${TIKTOK_PATHS.revoke} answered ${oauthErrorText(reply)}`);
  },
};

/** §1.2 creator_info: the account's nickname and username, for the accounts table. */
async function creatorName(ctx: ConnectContext, accessToken: string): Promise<string | null> {
  const res = await ctx.http.request(new URL(TIKTOK_PATHS.creatorInfo, ctx.endpoints.apiOrigin), {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=UTF-8' },
    body: '{}',
    requester: ctx.requester,
    timeoutMs: 30_000,
  });
  const body: unknown = await res.json(256 * 1024).catch(() => null);
  if (res.status !== 200 || !isRecord(body) || !isRecord(body.data)) return null;
  const nick = typeof body.data.creator_nickname === 'string' ? body.data.creator_nickname.trim() : '';
  const user = typeof body.data.creator_username === 'string' ? body.data.creator_username.trim() : '';
  if (nick && user) return `${nick} (@${user})`;
  return nick || (user ? `@${user}` : null);
}
