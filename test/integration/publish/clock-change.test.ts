// The publisher against a wall clock that jumps: NTP correcting a drifted kiosk clock, a
// daylight-saving mistake, IT setting the date by hand. Through the real core, adapter, keychain
// and TikTok simulator, with the clock injected: a due post is published exactly once whichever
// way the clock moves, a post that is not due yet never goes early, and a restart after a jump
// does not send anything twice.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostView } from '../../../common/contract.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../../electron/platforms/tiktok/simulator.ts';
import type { AirlockCore, Clock } from '../../../electron/services/core.ts';
import { KeychainSecretStore } from '../../../electron/services/vault/secret-store.ts';
import { openTestCore, signInFirstAdmin, testPolicy } from '../../support/core.ts';
import { startKeyringSession, type KeyringSession } from '../../support/keyring-session.ts';
import { makeVideo } from '../../support/video-fixtures.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const START = Date.parse('2026-05-04T09:00:00.000Z');

let keyring: KeyringSession;
let sim: TikTokSimulator;
let video: Buffer;

beforeAll(async () => {
  keyring = await startKeyringSession();
  sim = await startTikTokSimulator({ rateLimits: false, processing: { polls: 1, ms: 0, moderationPolls: 0, moderationMs: 0 } });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-clock-'));
  video = await readFile(await makeVideo(dir, 'harbour'));
});
afterAll(async () => {
  await sim?.stop();
  await keyring?.stop();
});

/** A wall clock the test moves by hand, as the OS clock moves under a running kiosk. */
class WallClock implements Clock {
  ms = START;
  now(): Date {
    return new Date(this.ms);
  }
  set(ms: number): void {
    this.ms = ms;
  }
}

async function ok<T>(p: Promise<unknown>): Promise<T> {
  const r = (await p) as { ok: boolean; value?: T; error?: unknown };
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value as T;
}

function openKiosk(dataDir: string, clock: Clock): Promise<AirlockCore> {
  return openTestCore({
    dataDir,
    clock,
    allowLoopbackEgress: true,
    policy: testPolicy({ platforms: ['tiktok'] }),
    publisherIntervalMs: null,
    publishPollMs: 10,
    secretStore: new KeychainSecretStore({ service: 'Airlock-clock-test' }),
  });
}

interface Kiosk {
  core: AirlockCore;
  clock: WallClock;
  dataDir: string;
  /** Writes, gets approved and schedules a video post for `at`; returns its id. */
  schedule(caption: string, at: number): Promise<string>;
}

async function kiosk(): Promise<Kiosk> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-clock-data-'));
  const clock = new WallClock();
  const core = await openKiosk(dataDir, clock);
  await signInFirstAdmin(core);
  const tokens = sim.issueTokens();
  await core.connectAccount(
    { platform: 'tiktok', account_id: tokens.open_id, display_name: 'Harbour City (simulator)', api_base: sim.origin, connected_by: 'test', simulated: true },
    { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: Date.now() + tokens.expires_in * 1000, refreshExpiresAt: Date.now() + tokens.refresh_expires_in * 1000 },
  );
  const temp = path.join(core.blobs.tmpDir, 'clip.mp4');
  await writeFile(temp, video);
  const blob = await core.blobs.adoptFile(temp);
  const media = await seedMedia(core, blob.sha256, blob.bytes);
  const approver = await ok<{ id: string }>(core.call('staff.create', { name: 'Bo Approver', role: 'approver', credential: { kind: 'pin', secret: '582914' } }));
  const admin = (await ok<{ current: { staffId: string } | null }>(core.call('staff.status', {}))).current!.staffId;
  const schedule = async (caption: string, at: number): Promise<string> => {
    await ok(core.call('staff.signIn', { staffId: admin, secret: '493817' }));
    let post = await ok<PostView>(core.call('posts.create', { caption, targets: ['tiktok'], options: { tiktok: { privacyLevel: 'SELF_ONLY' } }, media: [{ mediaId: media, altText: 'The harbour' }] }));
    post = await ok<PostView>(core.call('posts.submit', { id: post.id, version: post.version }));
    await ok(core.call('staff.signIn', { staffId: approver.id, secret: '582914' }));
    post = await ok<PostView>(core.call('posts.approve', { id: post.id, version: post.version }));
    post = await ok<PostView>(core.call('posts.schedule', { id: post.id, version: post.version, at: new Date(at).toISOString() }));
    expect(post.state).toBe('scheduled');
    return post.id;
  };
  return { core, clock, dataDir, schedule };
}

async function seedMedia(core: AirlockCore, sha256: string, bytes: number): Promise<string> {
  const id = `media-${sha256.slice(0, 8)}`;
  const sessionId = `seed-${id}`;
  const at = new Date(START).toISOString();
  await core.store.call('imports.begin', { id: sessionId, startedAt: at, sourcePath: '/seed', volume: null });
  await core.store.call('imports.commit', {
    sessionId,
    finishedAt: at,
    package: null,
    media: [{ id, kind: 'video', format: 'mp4', originalSha256: `${sha256.slice(0, 63)}0`, originalName: 'harbour.mp4', cleanSha256: sha256, cleanBytes: bytes, thumbnailSha256: null, width: 720, height: 1280, durationMs: 5000, reportJson: '{"mediaKind":"video","findings":[],"warnings":[]}', importSessionId: sessionId, createdAt: at }],
    posts: [],
    acceptedCount: 1,
    rejectedCount: 0,
    resultJson: '{}',
  });
  return id;
}

/** How many times the simulator has received a post with this caption. */
function published(caption: string): number {
  return sim.feed().filter((p) => p.caption === caption).length;
}

async function state(core: AirlockCore, id: string): Promise<string | undefined> {
  return (await core.store.call('posts.get', { id }))?.post.state;
}

/**
 * What the publisher's pass does first, on its own: the due post moves to publishing and gets
 * its job (as publisher.ts builds it), and nothing is sent yet. Returns the job's id.
 */
async function startWithoutSending(core: AirlockCore, id: string, clock: Clock): Promise<string> {
  const now = clock.now().toISOString();
  const due = await core.store.call('publish.duePosts', { now, limit: 5 });
  expect(due.map((p) => p.id)).toEqual([id]);
  const post = due[0]!;
  const accountId = (await core.store.call('accounts.list', {}))[0]!.account_id;
  const jobId = `job-${id}`;
  const started = await core.store.call('publish.start', {
    postId: id,
    version: post.version,
    now,
    jobs: [{ id: jobId, platform: 'tiktok', accountId, idempotencyKey: `${id}:tiktok:${accountId}:${post.approval_hash.slice(0, 16)}`, approvalHash: post.approval_hash }],
  });
  expect(started).toBe(true);
  return jobId;
}

/** A few publisher passes, as the interval timer would run them. */
async function passes(core: AirlockCore, n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await core.publisher.tick();
}

describe('publisher with a wall clock that jumps', () => {
  it('publishes once when the clock jumps forward hours past the due time, and not before', async () => {
    const { core, clock, schedule } = await kiosk();
    const caption = 'Forward jump: ferry times #harbour';
    const id = await schedule(caption, START + 30 * MINUTE);
    await passes(core);
    expect(published(caption)).toBe(0);

    clock.set(START + 5 * HOUR);
    await Promise.all([core.publisher.tick(), core.publisher.tick()]);
    await passes(core);
    expect({ published: published(caption), jobs: (await core.store.call('publish.jobsForPost', { postId: id })).map((j) => [j.state, j.last_error_json]) }).toEqual({ published: 1, jobs: [['succeeded', null]] });
    expect(await state(core, id)).toBe('published');

    clock.set(START + 9 * HOUR);
    await passes(core);
    expect(published(caption)).toBe(1);
  });

  it('publishes once when the clock jumps back across a due time it already passed', async () => {
    const { core, clock, schedule } = await kiosk();
    const caption = 'Backward jump after publishing #harbour';
    const id = await schedule(caption, START + 10 * MINUTE);
    clock.set(START + 15 * MINUTE);
    await passes(core);
    expect(published(caption)).toBe(1);

    // Back before the due time, then forward through it again.
    clock.set(START + 5 * MINUTE);
    await passes(core);
    clock.set(START + 20 * MINUTE);
    await passes(core);
    expect(published(caption)).toBe(1);
    expect(await state(core, id)).toBe('published');
  });

  it('does not publish early a post that a backward jump leaves further in the future', async () => {
    const { core, clock, schedule } = await kiosk();
    const caption = 'Not due yet #harbour';
    const id = await schedule(caption, START + 2 * HOUR);
    clock.set(START + 1 * HOUR);
    await passes(core);
    clock.set(START - 3 * HOUR);
    await passes(core);
    clock.set(START + 2 * HOUR - MINUTE);
    await passes(core);
    expect(published(caption)).toBe(0);
    expect(await state(core, id)).toBe('scheduled');

    clock.set(START + 2 * HOUR);
    await passes(core);
    expect(published(caption)).toBe(1);
  });

  it('still sends a post it started when the clock then jumps back before its due time', async () => {
    const { core, clock, schedule } = await kiosk();
    const caption = 'Started, then the clock went back #harbour';
    const id = await schedule(caption, START + 10 * MINUTE);
    clock.set(START + 15 * MINUTE);
    // The post is taken for publishing (its job is created) but nothing is sent yet.
    await startWithoutSending(core, id, clock);

    // NTP pulls the clock back ten minutes: the job must not wait for the old time to return.
    clock.set(START + 5 * MINUTE);
    await passes(core);
    expect(published(caption)).toBe(1);
    expect(await state(core, id)).toBe('published');
  });

  it('retries a put-off job soon after the clock jumps back, not hours later', async () => {
    const { core, clock, schedule } = await kiosk();
    const caption = 'Retry after a backward jump #harbour';
    const id = await schedule(caption, START + 10 * MINUTE);
    clock.set(START + 4 * HOUR);
    const jobId = await startWithoutSending(core, id, clock);
    // The platform could not be reached, so the job was put off for 5 s, as the publisher does.
    expect(await core.store.call('publish.claim', { id: jobId, now: clock.now().toISOString() })).toBe(true);
    await core.store.call('publish.retryLater', { id: jobId, at: new Date(clock.ms + 5000).toISOString(), errorJson: '{"code":"egress.timeout","message":"timed out"}', now: clock.now().toISOString() });

    // Without a clock change the wait is kept.
    await passes(core);
    expect(published(caption)).toBe(0);
    // The clock is corrected back three hours. The retry was seconds away when it was set, so
    // it must come within minutes of the corrected time, not three hours later.
    clock.set(START + 1 * HOUR);
    await passes(core);
    clock.set(START + 1 * HOUR + 15 * MINUTE);
    await passes(core);
    expect(published(caption)).toBe(1);
    expect(await state(core, id)).toBe('published');
  });

  it('does not send twice when Airlock restarts after the clock jumped back', async () => {
    const { core, clock, dataDir, schedule } = await kiosk();
    const caption = 'Restart after a jump #harbour';
    const id = await schedule(caption, START + 10 * MINUTE);
    const later = await schedule('Restart: the later one #harbour', START + 6 * HOUR);
    clock.set(START + 20 * MINUTE);
    await passes(core);
    expect(published(caption)).toBe(1);
    await core.close();

    // The kiosk comes back with its clock an hour behind, then catches up past both due times.
    const back = new WallClock();
    back.set(START - HOUR);
    const again = await openKiosk(dataDir, back);
    await again.publisher.recover();
    await passes(again);
    expect(published(caption)).toBe(1);
    expect(published('Restart: the later one #harbour')).toBe(0);
    expect(await state(again, later)).toBe('scheduled');

    back.set(START + 7 * HOUR);
    await passes(again);
    expect(published(caption)).toBe(1);
    expect(published('Restart: the later one #harbour')).toBe(1);
    expect(await state(again, id)).toBe('published');
  });
});
