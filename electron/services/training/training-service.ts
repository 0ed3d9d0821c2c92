// Training mode: everything a trainer needs to demo the whole workflow with no network and no
// real accounts: the TikTok simulator on loopback with a connected training account, virtual
// USB sticks with sample content, and the simulator's feed to show what was "published".
import { AirlockError } from '../../../common/errors.ts';
import type { TrainingFeedPost, TrainingStatus } from '../../../common/contract.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../platforms/tiktok/simulator.ts';
import type { EventBus } from '../api/event-bus.ts';
import type { Volume } from '../media/index.ts';
import type { StaffService } from '../staff/staff-service.ts';
import type { AccountCredentials } from '../vault/vault.ts';
import { makeTrainingContent, type TrainingStick } from './training-content.ts';

/** Training staff: one of each role, so trainers can show two-person approval. */
export const TRAINING_STAFF = [
  { name: 'Tara Trainer', role: 'admin', pin: '583902' },
  { name: 'Alex Author', role: 'author', pin: '614927' },
  { name: 'Sam Approver', role: 'approver', pin: '729481' },
] as const;

export const TRAINING_TIKTOK_ACCOUNT = { openId: 'training-harbour-city', username: 'harbourcity', nickname: 'Harbour City Council (training)' };

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
    account: { platform: 'tiktok'; account_id: string; display_name: string; api_base: string; connected_by: string; simulated: true },
    credentials: AccountCredentials,
  ) => Promise<void>;
}

/** Starts the simulator and builds the sticks. The account is connected by `connect()` once the store is open. */
export async function startTraining(assetsDir?: string): Promise<{ session: (deps: TrainingDeps) => Promise<TrainingSession>; trustedKey: string }> {
  const content = await makeTrainingContent(assetsDir);
  const sim: TikTokSimulator = await startTikTokSimulator({
    audited: true,
    rateLimits: false,
    processing: { polls: 2, ms: 0, moderationPolls: 1, moderationMs: 0 },
    accounts: [{ openId: TRAINING_TIKTOK_ACCOUNT.openId, username: TRAINING_TIKTOK_ACCOUNT.username, nickname: TRAINING_TIKTOK_ACCOUNT.nickname }],
  });
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
    const tokens = sim.issueTokens(TRAINING_TIKTOK_ACCOUNT.openId);
    const now = Date.now();
    await deps.connectAccount(
      { platform: 'tiktok', account_id: tokens.open_id, display_name: TRAINING_TIKTOK_ACCOUNT.nickname, api_base: sim.origin, connected_by: 'training mode', simulated: true },
      { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: now + tokens.expires_in * 1000, refreshExpiresAt: now + tokens.refresh_expires_in * 1000, scopes: tokens.scope.split(',') },
    );
    return {
      trustedKey: content.key.publicKey.text,
      status: () => ({
        enabled: true,
        sticks: content.sticks.map((s) => ({ stickId: s.stickId, label: s.label, description: s.description, inserted: inserted.has(s.stickId) })),
        accounts: [{ platform: 'tiktok', name: TRAINING_TIKTOK_ACCOUNT.nickname }],
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
      feed: () =>
        sim.feed().map((p) => ({
          platform: 'tiktok',
          account: p.username,
          caption: p.caption,
          audience: p.privacyLevel,
          publishedAt: p.publishedAt,
          bytes: p.video?.sizeBytes ?? 0,
        })),
      close: async () => {
        await sim.stop();
        await content.remove();
      },
    };
  };
  return { session, trustedKey: content.key.publicKey.text };
}
