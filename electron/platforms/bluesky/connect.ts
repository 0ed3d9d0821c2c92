// Connecting a Bluesky account (platform-apis.md §3.1): a handle or DID and an app password,
// checked by opening a session at the account's PDS (the account's main password is refused).
// Disconnecting ends that session with com.atproto.server.deleteSession.
import { AirlockError } from '../../../common/errors.ts';
import type { AppPasswordDescriptor } from '../../services/accounts/connect-descriptor.ts';
import { readBlueskyCredentials } from './bluesky-session.ts';

export const blueskyConnect: AppPasswordDescriptor = {
  kind: 'app-password',
  platform: 'bluesky',
  label: 'Bluesky',
  defaultService: 'https://bsky.social',

  async connect(ctx, input) {
    // Loaded when used: the Bluesky client library takes most of a second to load at start.
    const { connectBlueskyAccount } = await import('./adapter.ts');
    const connected = await connectBlueskyAccount({ http: ctx.http, apiBase: ctx.endpoints.apiOrigin, identifier: input.identifier, appPassword: input.appPassword });
    return { accountId: connected.did, displayName: `@${connected.handle}`, credentials: connected.credentials };
  },

  async revoke(ctx, creds) {
    const { refreshJwt } = readBlueskyCredentials(creds);
    // Nothing to end: the next publish would have opened a session from the app password.
    if (!refreshJwt) return;
    const res = await ctx.http.request(new URL('/xrpc/com.atproto.server.deleteSession', ctx.endpoints.apiOrigin), {
      method: 'POST',
      headers: { authorization: `Bearer ${refreshJwt}` },
      requester: ctx.requester,
      timeoutMs: 30_000,
    });
    const text = await res.text(64 * 1024).catch(() => '');
    // An already expired session has nothing left to end.
    if (res.status === 200 || (res.status === 400 && /ExpiredToken/.test(text))) return;
    throw new AirlockError('accounts.revoke-failed', 'Bluesky did not confirm that it ended the session.', `deleteSession answered HTTP ${res.status} ${text.slice(0, 200)}`);
  },
};
