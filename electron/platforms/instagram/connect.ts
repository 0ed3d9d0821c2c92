// Connecting an Instagram professional account (platform-apis.md §6.4): resumable Reels uploads
// need Facebook Login for Business, so this is the Facebook sign-in (meta-login.ts, the same Meta
// app and redirect) asking for Instagram's permissions; the accounts are the IG professional
// accounts linked to the person's Pages (`instagram_business_account`). The account is the IG
// user (id, @username) and what is stored is the ~60-day user token the Instagram adapter uses.
import { AirlockError } from '../../../common/errors.ts';
import type { OAuthDescriptor } from '../../services/accounts/connect-descriptor.ts';
import { isRecord } from '../../services/accounts/oauth-client.ts';
import { managedPages, metaDescriptor, metaSignIn } from '../facebook/meta-login.ts';
import { FACEBOOK_PATHS, INSTAGRAM_SCOPES } from '../facebook/protocol.ts';

export const instagramConnect: OAuthDescriptor = {
  // The organisation's Meta app, the one `airlock credentials set-app facebook` stores.
  ...metaDescriptor('instagram', 'Instagram', INSTAGRAM_SCOPES),

  async exchange(ctx, app, grant) {
    const credentials = await metaSignIn(ctx, app, grant, 'Instagram', INSTAGRAM_SCOPES);
    const pages = await managedPages(ctx, credentials.accessToken, 'id,name,instagram_business_account{id,username}', 'Instagram');
    const seen = new Set<string>();
    const accounts = pages.flatMap((p) => {
      const ig = isRecord(p.instagram_business_account) ? p.instagram_business_account : null;
      if (!ig || typeof ig.id !== 'string' || ig.id === '' || seen.has(ig.id)) return [];
      seen.add(ig.id);
      const username = typeof ig.username === 'string' ? ig.username.trim() : '';
      return [{ accountId: ig.id, displayName: username ? `@${username}` : `Instagram account ${ig.id}`, credentials }];
    });
    if (accounts.length === 0) {
      throw new AirlockError(
        'accounts.nothing-to-connect',
        'None of the Pages this person manages has an Instagram professional account linked to it, so there is nothing Airlock could post to. Link the Instagram account to the Page in its settings, then connect again.',
        `${FACEBOOK_PATHS.myAccounts} listed ${pages.length} Page(s), none with an instagram_business_account`,
      );
    }
    return accounts;
  },
};
