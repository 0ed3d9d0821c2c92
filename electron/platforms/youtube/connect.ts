// Connecting a YouTube channel (platform-apis.md §5.1): Google's OAuth 2.0 for installed apps —
// a loopback redirect on 127.0.0.1 at a port the system picks (any port matches the registered
// loopback URI), PKCE S256, `access_type=offline` for a refresh token (not rotated), and revoke
// at Google's revoke endpoint. The app (client id and its installed-app secret) is the
// organisation's, provisioned by IT into the keychain. channels.list names the channel.
import { AirlockError } from '../../../common/errors.ts';
import type { ConnectContext, OAuthDescriptor } from '../../services/accounts/connect-descriptor.ts';
import { clientSecretOf, getJson, isRecord, oauthErrorText, platformRefused, postForm, refreshRefused, tokenCredentials } from '../../services/accounts/oauth-client.ts';
import type { AppCredentials } from '../../services/vault/vault.ts';
import { YOUTUBE_HOSTS, YOUTUBE_PATHS, YOUTUBE_SCOPES, youtubeRevokeUrl, youtubeTokenUrl } from './protocol.ts';

/** Google names the refresh token's lifetime `refresh_token_expires_in`, when it has one. */
const TOKEN_FIELDS = { refreshExpiresIn: 'refresh_token_expires_in' };

async function tokenCall(ctx: ConnectContext, app: AppCredentials, form: Record<string, string>) {
  // Installed apps send their (not confidential) client secret in the form.
  return postForm(ctx.http, youtubeTokenUrl(ctx.endpoints.apiOrigin), { ...form, client_id: app.clientId, client_secret: clientSecretOf(app, 'YouTube', 'youtube') }, ctx.requester);
}

/** channels.list?part=snippet&mine=true: the channel's id (UC…) and the name staff know it by. */
async function myChannel(ctx: ConnectContext, accessToken: string): Promise<{ id: string; name: string }> {
  const url = new URL(YOUTUBE_PATHS.channels, ctx.endpoints.apiOrigin);
  url.searchParams.set('part', 'snippet');
  url.searchParams.set('mine', 'true');
  const reply = await getJson(ctx.http, url.href, accessToken, ctx.requester);
  const items = isRecord(reply.body) && Array.isArray(reply.body.items) ? reply.body.items : null;
  const first: unknown = items?.[0];
  if (reply.status !== 200 || !isRecord(first) || typeof first.id !== 'string' || first.id === '') {
    const none = reply.status === 200 && items !== null && items.length === 0;
    throw new AirlockError(
      'accounts.platform-refused',
      none ? 'This Google account has no YouTube channel, so there is nothing to post to. Create the channel in YouTube first, then connect again.' : 'Google accepted the sign-in but would not say which YouTube channel it is, so it was not connected.',
      `${YOUTUBE_PATHS.channels}?part=snippet&mine=true answered HTTP ${reply.status}${none ? ' with no channel' : ''}`,
    );
  }
  const snippet = isRecord(first.snippet) ? first.snippet : {};
  const title = typeof snippet.title === 'string' ? snippet.title.trim() : '';
  const handle = typeof snippet.customUrl === 'string' ? snippet.customUrl.trim() : '';
  const name = title && handle ? `${title} (${handle})` : title || handle || `YouTube channel ${first.id}`;
  return { id: first.id, name };
}

export const youtubeConnect: OAuthDescriptor = {
  kind: 'oauth',
  platform: 'youtube',
  label: 'YouTube',
  needsInstance: false,
  defaultEndpoints: { authOrigin: `https://${YOUTUBE_HOSTS.authorize}`, apiOrigin: `https://${YOUTUBE_HOSTS.api}` },
  // Google installed apps: http://127.0.0.1:<port>/ with whatever port the system gave.
  redirectPath: '/',
  challenge: 'base64url',
  app: 'provisioned',
  appKey: () => 'youtube',

  authorizeUrl(ctx, app, request) {
    const url = new URL(YOUTUBE_PATHS.authorize, ctx.endpoints.authOrigin);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('scope', YOUTUBE_SCOPES.join(' '));
    url.searchParams.set('state', request.state);
    url.searchParams.set('code_challenge', request.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('access_type', 'offline');
    // Google sends a refresh token on the first consent only; a reconnect replaces the stored
    // tokens, so it must ask again to get a new one.
    url.searchParams.set('prompt', 'consent');
    return url.href;
  },

  async exchange(ctx, app, grant) {
    const reply = await tokenCall(ctx, app, { code: grant.code, grant_type: 'authorization_code', redirect_uri: grant.redirectUri, code_verifier: grant.verifier });
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.access_token !== 'string') throw platformRefused('YouTube', YOUTUBE_PATHS.token, reply);
    // §5.1: the 1 h lifetime is not documented, so it is read; Google says how long a time-limited
    // refresh token lasts when it is one (consent screen in Testing).
    const credentials = tokenCredentials(body, ctx.nowMs(), TOKEN_FIELDS);
    if (!credentials.refreshToken) {
      throw new AirlockError(
        'accounts.platform-refused',
        'Google signed in but did not allow Airlock to stay signed in, so the channel was not connected. Connect again and allow offline access.',
        `${YOUTUBE_PATHS.token} answered without refresh_token`,
      );
    }
    const channel = await myChannel(ctx, credentials.accessToken);
    return { accountId: channel.id, displayName: channel.name, credentials };
  },

  async refresh(ctx, app, creds) {
    if (!creds.refreshToken) throw new AirlockError('accounts.needs-reconnect', 'The connection to YouTube has ended. Reconnect the channel.', 'no refresh token is stored');
    const reply = await tokenCall(ctx, app, { grant_type: 'refresh_token', refresh_token: creds.refreshToken });
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.access_token !== 'string') {
      throw refreshRefused(reply, { dead: 'Google no longer accepts this channel\'s sign-in. Reconnect the channel.', later: 'Airlock could not renew the YouTube sign-in just now; it will try again.' });
    }
    // Google keeps the refresh token (and its end) unless it sends a new one.
    return { ...creds, ...tokenCredentials(body, ctx.nowMs(), TOKEN_FIELDS) };
  },

  async revoke(ctx, _app, creds) {
    // Revoking the refresh token ends the whole grant, access tokens included.
    const url = youtubeRevokeUrl(ctx.endpoints.apiOrigin);
    const reply = await postForm(ctx.http, url, { token: creds.refreshToken ?? creds.accessToken }, ctx.requester);
    if (reply.status !== 200) throw new AirlockError('accounts.revoke-failed', 'Google did not confirm that it ended the sign-in.', `${YOUTUBE_PATHS.revoke} answered ${oauthErrorText(reply)}`);
  },
};
