// The connect descriptor of every platform Airlock can connect, in one table. X and YouTube are
// added here with a descriptor next to their adapters once their sign-in is built.
import type { PlatformId } from '../../../common/platforms.ts';
import { blueskyConnect } from '../../platforms/bluesky/connect.ts';
import { mastodonConnect } from '../../platforms/mastodon/connect.ts';
import { tiktokConnect } from '../../platforms/tiktok/connect.ts';
import type { ConnectDescriptor } from './connect-descriptor.ts';

export const CONNECT_DESCRIPTORS: Partial<Record<PlatformId, ConnectDescriptor>> = {
  tiktok: tiktokConnect,
  mastodon: mastodonConnect,
  bluesky: blueskyConnect,
};
