// Connecting a Mastodon account (platform-apis.md §4.1): every instance is its own server, so
// Airlock registers an app there for each account it connects (always a confidential client),
// then runs the authorization code flow with PKCE S256 (base64url). Tokens do not expire and
// there is no refresh token; a token ends when it is revoked.
import { createHash } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';
import type { OAuthDescriptor } from '../../services/accounts/connect-descriptor.ts';
import { clientSecretOf, getJson, isRecord, oauthErrorText, platformRefused, postForm } from '../../services/accounts/oauth-client.ts';
import { AIRLOCK_MASTODON_SCOPES, MASTODON_PATHS } from './mastodon-protocol.ts';

export const mastodonConnect: OAuthDescriptor = {
  kind: 'oauth',
  platform: 'mastodon',
  label: 'Mastodon',
  needsInstance: true,
  defaultEndpoints: null,
  redirectPath: '/callback/',
  challenge: 'base64url',
  app: 'registered',
  // One registration per account, so revoking one account never needs another's app.
  appKey: (endpoints, accountId) => `mastodon-${createHash('sha256').update(`${endpoints.apiOrigin}\n${accountId ?? ''}`).digest('hex').slice(0, 20)}`,

  async register(ctx, redirectUri) {
    const reply = await postForm(
      ctx.http,
      new URL(MASTODON_PATHS.apps, ctx.endpoints.apiOrigin).href,
      { client_name: 'Airlock', redirect_uris: redirectUri, scopes: AIRLOCK_MASTODON_SCOPES.join(' '), website: 'https://airlock.invalid' },
      ctx.requester,
    );
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.client_id !== 'string' || typeof body.client_secret !== 'string') {
      throw new AirlockError(
        'accounts.register-failed',
        'This Mastodon server did not let Airlock register. Check the server address; if it is right, ask IT to look at the details.',
        `${MASTODON_PATHS.apps} answered ${oauthErrorText(reply)}`,
      );
    }
    return { clientId: body.client_id, clientSecret: body.client_secret };
  },

  authorizeUrl(ctx, app, request) {
    const url = new URL(MASTODON_PATHS.authorize, ctx.endpoints.authOrigin);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('scope', AIRLOCK_MASTODON_SCOPES.join(' '));
    url.searchParams.set('state', request.state);
    url.searchParams.set('code_challenge', request.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return url.href;
  },

  async exchange(ctx, app, grant) {
    const reply = await postForm(
      ctx.http,
      new URL(MASTODON_PATHS.token, ctx.endpoints.apiOrigin).href,
      { grant_type: 'authorization_code', code: grant.code, client_id: app.clientId, client_secret: clientSecretOf(app, 'Mastodon', 'mastodon'), redirect_uri: grant.redirectUri, code_verifier: grant.verifier },
      ctx.requester,
    );
    const body = reply.body;
    if (reply.status !== 200 || !isRecord(body) || typeof body.access_token !== 'string') throw platformRefused('Mastodon', MASTODON_PATHS.token, reply);
    const accessToken = body.access_token;
    const scopes = typeof body.scope === 'string' ? body.scope.split(/\s+/).filter(Boolean) : [...AIRLOCK_MASTODON_SCOPES];
    const me = await getJson(ctx.http, new URL(MASTODON_PATHS.verifyCredentials, ctx.endpoints.apiOrigin).href, accessToken, ctx.requester);
    if (me.status !== 200 || !isRecord(me.body) || typeof me.body.id !== 'string') {
      throw new AirlockError('accounts.platform-refused', 'Mastodon accepted the sign-in but would not say which account it is, so it was not connected.', `${MASTODON_PATHS.verifyCredentials} answered HTTP ${me.status}`);
    }
    const acct = typeof me.body.acct === 'string' ? me.body.acct : me.body.id;
    const name = typeof me.body.display_name === 'string' && me.body.display_name.trim() ? me.body.display_name.trim() : null;
    const host = new URL(ctx.endpoints.apiOrigin).host;
    return { accountId: me.body.id, displayName: name ? `${name} (@${acct}@${host})` : `@${acct}@${host}`, credentials: { accessToken, scopes } };
  },

  async revoke(ctx, app, creds) {
    const reply = await postForm(
      ctx.http,
      new URL(MASTODON_PATHS.revoke, ctx.endpoints.apiOrigin).href,
      { client_id: app.clientId, client_secret: clientSecretOf(app, 'Mastodon', 'mastodon'), token: creds.accessToken },
      ctx.requester,
    );
    if (reply.status !== 200) throw new AirlockError('accounts.revoke-failed', 'Mastodon did not confirm that it ended the sign-in.', `${MASTODON_PATHS.revoke} answered ${oauthErrorText(reply)}`);
  },
};
