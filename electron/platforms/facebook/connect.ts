// Connecting a Facebook Page (platform-apis.md §6.1, §6.2): Facebook Login (meta-login.ts), then
// the Pages the person manages. The account is the Page (its id and name); what is stored for it
// is the ~60-day user token, from which the Facebook adapter reads the Page token for each job
// (and which the upload session itself needs), so no Page token is kept. Only Pages where the
// person has the CREATE_CONTENT task are offered. Meta has no refresh token and §6 names no
// revoke call: the token is reconnected before it runs out, and disconnect removes the kiosk's copy.
import { AirlockError } from '../../../common/errors.ts';
import type { OAuthDescriptor } from '../../services/accounts/connect-descriptor.ts';
import { managedPages, metaDescriptor, metaSignIn } from './meta-login.ts';
import { FACEBOOK_PATHS, FACEBOOK_SCOPES } from './protocol.ts';

export const facebookConnect: OAuthDescriptor = {
  ...metaDescriptor('facebook', 'Facebook', FACEBOOK_SCOPES),

  async exchange(ctx, app, grant) {
    const credentials = await metaSignIn(ctx, app, grant, 'Facebook', FACEBOOK_SCOPES);
    const pages = await managedPages(ctx, credentials.accessToken, 'id,name,tasks', 'Facebook');
    const postable = pages.filter((p) => Array.isArray(p.tasks) && p.tasks.includes('CREATE_CONTENT'));
    if (postable.length === 0) {
      throw new AirlockError(
        'accounts.nothing-to-connect',
        pages.length === 0
          ? 'The person who signed in to Facebook does not manage any Page, so there is nothing Airlock could post to. Sign in as someone who manages the Page.'
          : 'The person who signed in to Facebook may not create content on any of their Pages, so there is nothing Airlock could post to. Ask the Page\'s admin for the "create content" task.',
        `${FACEBOOK_PATHS.myAccounts} listed ${pages.length} Page(s), none with the CREATE_CONTENT task`,
      );
    }
    return postable.map((p) => ({ accountId: String(p.id), displayName: typeof p.name === 'string' && p.name.trim() ? p.name.trim() : `Facebook Page ${String(p.id)}`, credentials }));
  },
};
