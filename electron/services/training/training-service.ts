// Training mode: everything a trainer needs to demo the whole workflow with no network and no
// real accounts: the TikTok, X, YouTube, Mastodon, LinkedIn, Facebook, Instagram and Bluesky simulators on
// loopback, each with a connected training account, virtual USB sticks with sample content, and the simulators' feed of what was "published".
// The simulators' demo app credentials go into training's memory-only secret store and their
// addresses to the account service, so a trainer can also show connecting and disconnecting.
import { randomBytes } from 'node:crypto';
import { AirlockError } from '../../../common/errors.ts';
import type { TrainingFeedPost, TrainingStatus } from '../../../common/contract.ts';
import { startTikTokSimulator } from '../../platforms/tiktok/simulator.ts';
import { startXSimulator } from '../../platforms/x/simulator.ts';
import { startYouTubeSimulator } from '../../platforms/youtube/simulator.ts';
import { startMastodonSimulator } from '../../platforms/mastodon/simulator.ts';
import type { MastodonVisibility } from '../../platforms/mastodon/mastodon-protocol.ts';
import { startLinkedInSimulator } from '../../platforms/linkedin/simulator.ts';
import { startFacebookSimulator } from '../../platforms/facebook/simulator.ts';
import { startInstagramSimulator } from '../../platforms/instagram/simulator.ts';
import { startBlueskySimulator } from '../../platforms/bluesky/simulator.ts';
import type { EventBus } from '../api/event-bus.ts';
import type { Volume } from '../media/index.ts';
import type { StaffService } from '../staff/staff-service.ts';
import type { ConnectEndpoints } from '../accounts/connect-descriptor.ts';
import type { AccountCredentials, AppCredentials } from '../vault/vault.ts';
import { writeBlueskyCredentials } from '../../platforms/bluesky/bluesky-session.ts';
import { makeTrainingContent, type TrainingStick } from './training-content.ts';

/** Training staff: one of each role, so trainers can show two-person approval. */
export const TRAINING_STAFF = [
  { name: 'Tara Trainer', role: 'admin', pin: '583902' },
  { name: 'Alex Author', role: 'author', pin: '614927' },
  { name: 'Sam Approver', role: 'approver', pin: '729481' },
] as const;

export const TRAINING_TIKTOK_ACCOUNT = { openId: 'training-harbour-city', username: 'harbourcity', nickname: 'Harbour City Council (training)' };
export const TRAINING_X_ACCOUNT = { id: '1600000000000000042', username: 'harbourcity', name: 'Harbour City Council (training)' };
export const TRAINING_YOUTUBE_CHANNEL = { id: 'UCharbourCityTraining01', title: 'Harbour City Council (training)' };
export const TRAINING_MASTODON_ACCOUNT = { id: '110000000000000042', username: 'harbourcity', displayName: 'Harbour City Council (training)' };
export const TRAINING_LINKEDIN_ORGANIZATION = { urn: 'urn:li:organization:4200042', name: 'Harbour City Council (training)' };
export const TRAINING_FACEBOOK_PAGE = { id: '104200000000042', name: 'Harbour City Council (training)' };
export const TRAINING_INSTAGRAM_ACCOUNT = { id: '17841400000000042', username: 'harbourcity' };
/** The demo app password is the simulator's only, printed in the training guide so a trainer can reconnect. */
export const TRAINING_BLUESKY_ACCOUNT = { did: 'did:plc:harbourcitytraining42', handle: 'harbourcity.bsky.training', displayName: 'Harbour City Council (training)', appPassword: 'hcct-demo-2026-blue' };
/** The feed's words for Mastodon's visibilities, which differ from YouTube's same names. */
const MASTODON_AUDIENCE: Record<MastodonVisibility, string> = { public: 'public', unlisted: 'quiet', private: 'followers', direct: 'mentioned' };
/** Training tokens outlast any session, so a demo never waits on a renewal. */
const TRAINING_TOKEN_SECONDS = 7 * 24 * 60 * 60;

export interface TrainingSession {
  trustedKey: string;
  status(): TrainingStatus;
  insert(stickId: string): Volume;
  remove(stickId: string): void;
  volumes(): Volume[];
  feed(): TrainingFeedPost[];
  close(): Promise<void>;
}

export interface TrainingDeps {
  events: EventBus;
  staff: StaffService;
  connectAccount: (
    account: { platform: TrainingPlatform; account_id: string; display_name: string; api_base: string; connected_by: string; simulated: true },
    credentials: AccountCredentials,
  ) => Promise<void>;
  /**
   * Stores the simulators' demo app credentials, so accounts can be connected and renewed in
   * training. Only ever given with training's memory-only secret store; null leaves them out.
   */
  saveAppCredentials: ((platform: TrainingPlatform, app: AppCredentials) => Promise<void>) | null;
}

/** The platforms training simulates, each with a connected demo account. */
export const TRAINING_PLATFORMS = ['tiktok', 'x', 'youtube', 'mastodon', 'linkedin', 'facebook', 'instagram', 'bluesky'] as const;
export type TrainingPlatform = (typeof TRAINING_PLATFORMS)[number];
/** The simulated platforms whose sign-in pages (or, for Bluesky, server) the account service is pointed at. */
type SignInPlatform = 'tiktok' | 'x' | 'youtube' | 'bluesky' | 'linkedin' | 'facebook' | 'instagram';

/** Starts the simulator and builds the sticks. The account is connected by `connect()` once the store is open. */
export async function startTraining(
  assetsDir?: string,
): Promise<{ session: (deps: TrainingDeps) => Promise<TrainingSession>; trustedKey: string; endpoints: Record<SignInPlatform, ConnectEndpoints> }> {
  // A demo secret made for this session: the X app is a confidential client, as IT sets it up.
  const xSecret = randomBytes(24).toString('base64url');
  // The Meta app IT would provision; Facebook Pages and Instagram share it, as they do for real.
  const meta = { appId: '987654321012345', appSecret: randomBytes(24).toString('base64url'), redirectMatch: 'loopback-any-port' as const };
  // Started side by side, so training opens about as fast as its slowest simulator. Processing
  // ends at the first status check, so a demo never waits on a poll interval.
  const [content, sim, x, youtube, mastodon, linkedin, facebook, instagram, bluesky] = await Promise.all([
    makeTrainingContent(assetsDir),
    startTikTokSimulator({
      audited: true,
      rateLimits: false,
      processing: { polls: 2, ms: 0, moderationPolls: 1, moderationMs: 0 },
      accounts: [{ openId: TRAINING_TIKTOK_ACCOUNT.openId, username: TRAINING_TIKTOK_ACCOUNT.username, nickname: TRAINING_TIKTOK_ACCOUNT.nickname }],
    }),
    startXSimulator({ accounts: [TRAINING_X_ACCOUNT], accessSeconds: TRAINING_TOKEN_SECONDS, processingPolls: 1, clientSecret: xSecret }),
    startYouTubeSimulator({ channels: [TRAINING_YOUTUBE_CHANNEL], accessSeconds: TRAINING_TOKEN_SECONDS }),
    startMastodonSimulator({ accounts: [TRAINING_MASTODON_ACCOUNT], processing: { polls: 0, ms: 0 }, rateLimits: false }),
    startLinkedInSimulator({ organizations: [TRAINING_LINKEDIN_ORGANIZATION], processingPolls: 0 }),
    startFacebookSimulator({ pages: [TRAINING_FACEBOOK_PAGE], ...meta }),
    startInstagramSimulator({ accounts: [TRAINING_INSTAGRAM_ACCOUNT], processingPolls: 0, ...meta }),
    startBlueskySimulator({ accounts: [TRAINING_BLUESKY_ACCOUNT], accessSeconds: TRAINING_TOKEN_SECONDS, refreshSeconds: TRAINING_TOKEN_SECONDS }),
  ]);
  const inserted = new Map<string, Volume>();
  const stick = (stickId: string): TrainingStick => {
    const found = content.sticks.find((s) => s.stickId === stickId);
    if (!found) throw new AirlockError('training.no-stick', 'There is no training stick with that name.', stickId);
    return found;
  };

  const session = async (deps: TrainingDeps): Promise<TrainingSession> => {
    if (await deps.staff.needsFirstAdmin()) {
      const [admin, ...others] = TRAINING_STAFF;
      await deps.staff.createFirstAdmin({ name: admin.name, credential: { kind: 'pin', secret: admin.pin } });
      for (const person of others) await deps.staff.createStaff({ name: person.name, role: person.role, credential: { kind: 'pin', secret: person.pin } });
      await deps.staff.signOut();
    }
    if (deps.saveAppCredentials) {
      await deps.saveAppCredentials('tiktok', { clientId: sim.clientKey, clientSecret: sim.clientSecret });
      await deps.saveAppCredentials('x', { clientId: x.clientId, clientSecret: xSecret });
      await deps.saveAppCredentials('youtube', { clientId: youtube.clientId, clientSecret: youtube.clientSecret });
      await deps.saveAppCredentials('linkedin', { clientId: linkedin.clientId, clientSecret: linkedin.clientSecret });
      await deps.saveAppCredentials('facebook', { clientId: meta.appId, clientSecret: meta.appSecret });
    }
    const tokens = sim.issueTokens(TRAINING_TIKTOK_ACCOUNT.openId);
    const now = Date.now();
    await deps.connectAccount(
      { platform: 'tiktok', account_id: tokens.open_id, display_name: TRAINING_TIKTOK_ACCOUNT.nickname, api_base: sim.origin, connected_by: 'training mode', simulated: true },
      { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: now + tokens.expires_in * 1000, refreshExpiresAt: now + tokens.refresh_expires_in * 1000, scopes: tokens.scope.split(',') },
    );
    const xTokens = x.issueTokens(TRAINING_X_ACCOUNT.id);
    await deps.connectAccount(
      { platform: 'x', account_id: TRAINING_X_ACCOUNT.id, display_name: TRAINING_X_ACCOUNT.name, api_base: x.origin, connected_by: 'training mode', simulated: true },
      { accessToken: xTokens.access_token, ...(xTokens.refresh_token ? { refreshToken: xTokens.refresh_token } : {}), expiresAt: now + xTokens.expires_in * 1000, scopes: xTokens.scope.split(' ') },
    );
    const ytTokens = youtube.issueTokens(TRAINING_YOUTUBE_CHANNEL.id);
    await deps.connectAccount(
      { platform: 'youtube', account_id: TRAINING_YOUTUBE_CHANNEL.id, display_name: TRAINING_YOUTUBE_CHANNEL.title, api_base: youtube.origin, connected_by: 'training mode', simulated: true },
      { accessToken: ytTokens.access_token, ...(ytTokens.refresh_token ? { refreshToken: ytTokens.refresh_token } : {}), expiresAt: now + ytTokens.expires_in * 1000, scopes: ytTokens.scope.split(' ') },
    );
    // Mastodon tokens do not expire (§4.1).
    const mastodonToken = mastodon.issueToken(TRAINING_MASTODON_ACCOUNT.id);
    await deps.connectAccount(
      { platform: 'mastodon', account_id: TRAINING_MASTODON_ACCOUNT.id, display_name: `${TRAINING_MASTODON_ACCOUNT.displayName} (@${TRAINING_MASTODON_ACCOUNT.username}@${mastodon.domain})`, api_base: mastodon.origin, connected_by: 'training mode', simulated: true },
      { accessToken: mastodonToken.access_token, scopes: mastodonToken.scope.split(' ') },
    );
    const liTokens = linkedin.issueTokens();
    await deps.connectAccount(
      { platform: 'linkedin', account_id: TRAINING_LINKEDIN_ORGANIZATION.urn, display_name: TRAINING_LINKEDIN_ORGANIZATION.name, api_base: linkedin.origin, connected_by: 'training mode', simulated: true },
      { accessToken: liTokens.access_token, expiresAt: now + liTokens.expires_in * 1000 },
    );
    const fbToken = facebook.issueUserToken();
    await deps.connectAccount(
      { platform: 'facebook', account_id: TRAINING_FACEBOOK_PAGE.id, display_name: TRAINING_FACEBOOK_PAGE.name, api_base: facebook.origin, connected_by: 'training mode', simulated: true },
      { accessToken: fbToken.access_token, expiresAt: now + fbToken.expires_in * 1000 },
    );
    const igToken = instagram.issueUserToken();
    await deps.connectAccount(
      { platform: 'instagram', account_id: TRAINING_INSTAGRAM_ACCOUNT.id, display_name: `@${TRAINING_INSTAGRAM_ACCOUNT.username}`, api_base: instagram.origin, connected_by: 'training mode', simulated: true },
      { accessToken: igToken.access_token, expiresAt: now + igToken.expires_in * 1000 },
    );
    // Stored as a real connect stores it: the session and the app password that renews it.
    const bskySession = bluesky.issueSession(TRAINING_BLUESKY_ACCOUNT.did);
    await deps.connectAccount(
      { platform: 'bluesky', account_id: TRAINING_BLUESKY_ACCOUNT.did, display_name: `@${TRAINING_BLUESKY_ACCOUNT.handle}`, api_base: bluesky.origin, connected_by: 'training mode', simulated: true },
      writeBlueskyCredentials(bskySession, TRAINING_BLUESKY_ACCOUNT.appPassword),
    );
    return {
      trustedKey: content.key.publicKey.text,
      status: () => ({
        enabled: true,
        sticks: content.sticks.map((s) => ({ stickId: s.stickId, label: s.label, description: s.description, inserted: inserted.has(s.stickId) })),
        accounts: [
          { platform: 'tiktok', name: TRAINING_TIKTOK_ACCOUNT.nickname },
          { platform: 'x', name: TRAINING_X_ACCOUNT.name },
          { platform: 'youtube', name: TRAINING_YOUTUBE_CHANNEL.title },
          { platform: 'mastodon', name: TRAINING_MASTODON_ACCOUNT.displayName },
          { platform: 'linkedin', name: TRAINING_LINKEDIN_ORGANIZATION.name },
          { platform: 'facebook', name: TRAINING_FACEBOOK_PAGE.name },
          { platform: 'instagram', name: `@${TRAINING_INSTAGRAM_ACCOUNT.username}` },
          { platform: 'bluesky', name: TRAINING_BLUESKY_ACCOUNT.displayName },
        ],
        staff: TRAINING_STAFF.map((p) => ({ ...p })),
      }),
      insert: (stickId) => {
        const s = stick(stickId);
        const existing = inserted.get(stickId);
        if (existing) return existing;
        const volume: Volume = { volumeId: `training-${stickId}`, label: s.label, path: s.dir, fsType: 'training', readOnly: true, identity: { source: 'training', label: s.label } };
        inserted.set(stickId, volume);
        deps.events.emit('media.inserted', { volumeId: volume.volumeId, label: volume.label, path: volume.path });
        return volume;
      },
      remove: (stickId) => {
        const volume = inserted.get(stick(stickId).stickId);
        if (!volume) return;
        inserted.delete(stickId);
        deps.events.emit('media.removed', { volumeId: volume.volumeId });
      },
      volumes: () => [...inserted.values()],
      feed: () => {
        const linkedInMedia = new Map([...linkedin.videos(), ...linkedin.images()].map((m) => [m.urn, m.sizeBytes]));
        return [
          ...sim.feed().map((p) => ({
            platform: 'tiktok',
            account: p.username,
            caption: p.caption,
            audience: p.privacyLevel,
            publishedAt: p.publishedAt,
            bytes: p.video?.sizeBytes ?? 0,
          })),
          ...x.feed().map((p) => ({
            platform: 'x',
            account: p.username,
            caption: p.text,
            audience: 'public',
            publishedAt: p.createdAt,
            bytes: p.media.reduce((n, m) => n + m.sizeBytes, 0),
          })),
          ...youtube.feed().map((v) => ({
            platform: 'youtube',
            account: TRAINING_YOUTUBE_CHANNEL.title,
            caption: v.title,
            audience: v.privacyStatus,
            publishedAt: v.publishedAt,
            bytes: v.sizeBytes,
          })),
          ...mastodon.feed().map((p) => ({
            platform: 'mastodon',
            account: p.username,
            caption: p.text,
            // Mastodon's unlisted is quiet public and its private is followers only (§4.3).
            audience: MASTODON_AUDIENCE[p.visibility],
            publishedAt: p.createdAt,
            bytes: p.media.reduce((n, m) => n + m.sizeBytes, 0),
          })),
          ...linkedin.feed().map((p) => ({
            platform: 'linkedin',
            account: TRAINING_LINKEDIN_ORGANIZATION.name,
            caption: p.text,
            audience: p.visibility === 'PUBLIC' ? 'public' : p.visibility.toLowerCase(),
            publishedAt: new Date(p.createdAt).toISOString(),
            bytes: linkedInMedia.get(p.mediaId ?? '') ?? 0,
          })),
          ...facebook.feed().map((p) => ({
            platform: 'facebook',
            account: TRAINING_FACEBOOK_PAGE.name,
            caption: p.message,
            audience: 'public',
            publishedAt: new Date(p.createdAt).toISOString(),
            bytes: p.sizeBytes,
          })),
          ...instagram.feed().map((p) => ({
            platform: 'instagram',
            account: TRAINING_INSTAGRAM_ACCOUNT.username,
            caption: p.caption,
            audience: 'public',
            publishedAt: new Date(p.publishedAt).toISOString(),
            bytes: p.sizeBytes,
          })),
          ...bluesky.feed().map((p) => ({
            platform: 'bluesky',
            account: p.handle,
            caption: p.text,
            audience: 'public',
            publishedAt: p.createdAt,
            bytes: p.sizeBytes,
          })),
        ].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
      },
      close: async () => {
        await Promise.all([sim.stop(), x.stop(), youtube.stop(), mastodon.stop(), linkedin.stop(), facebook.stop(), instagram.stop(), bluesky.stop()]);
        await content.remove();
      },
    };
  };
  const at = (origin: string): ConnectEndpoints => ({ authOrigin: origin, apiOrigin: origin });
  // The simulators take any loopback port, so a demo never waits for the fixed one to be free.
  const anyPort = (origin: string): ConnectEndpoints => ({ ...at(origin), redirectPort: 0 });
  return {
    session,
    trustedKey: content.key.publicKey.text,
    endpoints: { tiktok: at(sim.origin), x: at(x.origin), youtube: at(youtube.origin), bluesky: at(bluesky.origin), linkedin: anyPort(linkedin.origin), facebook: anyPort(facebook.origin), instagram: anyPort(instagram.origin) },
  };
}
