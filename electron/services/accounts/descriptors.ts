// The connect descriptor of every platform Airlock can connect, in one table. A platform is
// added with a descriptor next to its adapter (electron/platforms/<platform>/connect.ts).
import type { PlatformId } from '../../../common/platforms.ts';
import { blueskyConnect } from '../../platforms/bluesky/connect.ts';
import { facebookConnect } from '../../platforms/facebook/connect.ts';
import { instagramConnect } from '../../platforms/instagram/connect.ts';
import { linkedinConnect } from '../../platforms/linkedin/connect.ts';
import { mastodonConnect } from '../../platforms/mastodon/connect.ts';
import { tiktokConnect } from '../../platforms/tiktok/connect.ts';
import { xConnect } from '../../platforms/x/connect.ts';
import { youtubeConnect } from '../../platforms/youtube/connect.ts';
import type { ConnectDescriptor } from './connect-descriptor.ts';

export const CONNECT_DESCRIPTORS: Partial<Record<PlatformId, ConnectDescriptor>> = {
  tiktok: tiktokConnect,
  mastodon: mastodonConnect,
  bluesky: blueskyConnect,
  x: xConnect,
  youtube: youtubeConnect,
  linkedin: linkedinConnect,
  facebook: facebookConnect,
  instagram: instagramConnect,
};
