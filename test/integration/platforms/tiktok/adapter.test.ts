// The TikTok adapter against the protocol-faithful simulator on 127.0.0.1, through the real
// egress client: the happy path, tokens that expire and rotate, faults mid-upload, refusals
// staff must understand, crash and resume without double posts, and memory bounded by chunks.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PublishRequest } from '../../../../electron/platforms/adapter.ts';
import { createTikTokAdapter, type TikTokAdapterOptions } from '../../../../electron/platforms/tiktok/adapter.ts';
import { explainTikTokCode } from '../../../../electron/platforms/tiktok/messages.ts';
import { TIKTOK_PATHS } from '../../../../electron/platforms/tiktok/protocol.ts';
import { startTikTokSimulator, type TikTokSimulator, type TikTokSimulatorOptions } from '../../../../electron/platforms/tiktok/simulator.ts';
import { createEgressClient, type EgressClient } from '../../../../electron/services/egress/http-client.ts';
import { EgressLog } from '../../../../electron/services/egress/egress-log.ts';
import { EgressPolicy } from '../../../../electron/services/egress/egress-policy.ts';
import type { AccountCredentials } from '../../../../electron/services/vault/vault.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';
import { padVideo, sha256Of } from '../../../support/platform-driver.ts';
import { publishHarness, type PublishHarness } from '../../../support/publish-harness.ts';
import { manualClock, MiB, postForm } from './driver.ts';

let dir: string;
let clip: string;
let big: string;
let sim: TikTokSimulator | undefined;
let client: EgressClient | undefined;
let egressLog = new EgressLog();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-tiktok-adapter-'));
  clip = await makeVideo(dir, 'clip', { seconds: 1 });
  big = await padVideo(clip, join(dir, 'big.mp4'), 25 * MiB + 123);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  client?.close();
  client = undefined;
  // Nothing ever tried to leave the machine: the policy allows loopback only, and logs refusals.
  expect(egressLog.entries()).toEqual([]);
  await sim?.stop();
  sim = undefined;
});

async function start(options: TikTokSimulatorOptions = {}): Promise<TikTokSimulator> {
  sim = await startTikTokSimulator({ rateLimits: false, ...options });
  expect(new URL(sim.origin).hostname).toBe('127.0.0.1');
  egressLog = new EgressLog();
  client = createEgressClient({ policy: new EgressPolicy({ allowedHosts: [], allowLoopback: true }), log: egressLog });
  return sim;
}

type Harness = PublishHarness;

function harness(s: TikTokSimulator, credentials?: Partial<AccountCredentials>, openId?: string): Harness {
  const tokens = s.issueTokens(openId);
  return publishHarness({
    platform: 'tiktok',
    accountId: tokens.open_id,
    apiBase: s.origin,
    http: client!,
    credentials: {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: Date.now() + tokens.expires_in * 1000,
      refreshExpiresAt: Date.now() + tokens.refresh_expires_in * 1000,
      scopes: tokens.scope.split(','),
      ...credentials,
    },
    requestCount: () => s.requests().length,
  });
}

async function videoRequest(path: string, options: Record<string, unknown> = {}, caption = 'Library opening hours change on Monday #library @citycouncil'): Promise<PublishRequest> {
  const bytes = (await stat(path)).size;
  return {
    postId: 'post-1',
    idempotencyKey: 'post-1:tiktok:acct',
    caption,
    options: { privacyLevel: 'SELF_ONLY', ...options },
    media: [{ kind: 'video', path, bytes, format: 'mp4', contentType: 'video/mp4', cleanSha256: '', altText: null, width: null, height: null, durationMs: 1000 }],
  };
}

function adapterWith(s: TikTokSimulator, options: TikTokAdapterOptions = {}) {
  const sleeps: number[] = [];
  const adapter = createTikTokAdapter({
    pollIntervalMs: 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    appCredentials: async () => ({ clientId: s.clientKey, clientSecret: s.clientSecret }),
    ...options,
  });
  return { adapter, sleeps };
}

const endpoints = (s: TikTokSimulator) => s.requests().map((r) => r.endpoint);
const count = (s: TikTokSimulator, endpoint: string) => endpoints(s).filter((e) => e === endpoint).length;

function expectMonotonicProgress(h: Harness, total: number): void {
  const done = h.progress.map((p) => p.bytesDone);
  expect(done).toEqual([...done].sort((a, b) => a - b));
  expect(h.progress.every((p) => p.bytesTotal === total)).toBe(true);
  expect(h.progress.at(-1)).toEqual({ phase: 'processing', bytesDone: total, bytesTotal: total });
}

describe('TikTok adapter: Direct Post', () => {
  it('publishes a public video: creator_info → init → PUT → status, the post in the feed with its caption, audience and exact bytes', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    const request = await videoRequest(clip, { privacyLevel: 'PUBLIC_TO_EVERYONE', allowComments: true });

    const result = await adapter.publish(request, h.context);

    const [post] = s.feed();
    expect(s.feed()).toHaveLength(1);
    expect(post).toMatchObject({ caption: request.caption, privacyLevel: 'PUBLIC_TO_EVERYONE', disableComment: false, disableDuet: true, moderated: true });
    expect(post!.video).toEqual({ sha256: await sha256Of(clip), sizeBytes: request.media[0]!.bytes, contentType: 'video/mp4' });
    // The id is beyond 2^53: read from the raw answer, not rounded through a double.
    expect(BigInt(post!.postId)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(result).toEqual({ remoteId: post!.postId, url: `https://www.tiktok.com/@${post!.username}/video/${post!.postId}`, outcome: 'published' });
    expect(endpoints(s).slice(0, 3)).toEqual(['creator_info', 'video_init', 'upload']);
    expectMonotonicProgress(h, request.media[0]!.bytes);
    expect(h.progress[0]!.phase).toBe('creating');
    expect(sleeps.every((ms) => ms === 1)).toBe(true);
    expect(h.state()).toMatchObject({ publishId: post!.publishId, chunksDone: 1, result });

    // The job is done: asking again answers from the checkpoint and sends nothing.
    const before = s.requests().length;
    expect(await adapter.publish(request, h.context)).toEqual(result);
    expect(await adapter.reconcile(request, h.context)).toEqual(result);
    expect(s.requests()).toHaveLength(before);
  });

  it('sends a 25 MiB video in several chunks in order, checkpointing each, with progress rising to the total', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s, { chunkSize: 5 * MiB });
    const request = await videoRequest(big);

    await adapter.publish(request, h.context);

    const size = request.media[0]!.bytes;
    expect(s.uploads()[0]).toMatchObject({ videoSize: size, chunkSize: 5 * MiB, totalChunkCount: 5, chunksReceived: 5, sha256: await sha256Of(big) });
    expect(count(s, 'upload')).toBe(5);
    expect(s.feed()[0]!.video!.sha256).toBe(await sha256Of(big));
    expect(h.states.filter((st) => !('result' in st)).map((st) => st.chunksDone)).toEqual([0, 1, 2, 3, 4, 5]);
    expectMonotonicProgress(h, size);
    const uploading = h.progress.filter((p) => p.phase === 'uploading').map((p) => p.bytesDone);
    expect(uploading.length).toBeGreaterThan(10);
    expect(uploading).toEqual(expect.arrayContaining([5 * MiB, 10 * MiB, 15 * MiB, 20 * MiB, size]));
  });

  it('uses the default 10 MB chunks: 25 MiB goes as two, the last absorbing the remainder', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    await adapter.publish(await videoRequest(big), h.context);
    expect(s.uploads()[0]).toMatchObject({ chunkSize: 10_000_000, totalChunkCount: 2, chunksReceived: 2 });
    expect(s.feed()).toHaveLength(1);
  });

  it('delivers a draft to the TikTok inbox in inbox mode: no creator_info, outcome sent-to-inbox, nothing posted yet', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const result = await adapter.publish(await videoRequest(clip, { mode: 'inbox', privacyLevel: undefined }), h.context);
    expect(result).toEqual({ remoteId: expect.stringMatching(/^v_inbox_file~/), url: null, outcome: 'sent-to-inbox' });
    expect(endpoints(s)).not.toContain('creator_info');
    expect(endpoints(s)).toContain('inbox_init');
    expect(s.feed()).toEqual([]);
    expect(s.publishes()[0]).toMatchObject({ publishId: result.remoteId, status: 'SEND_TO_USER_INBOX' });
  });

  it('sends every video to the inbox when the policy says so, whatever the post chose', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s, { mode: 'inbox' });
    const result = await adapter.publish(await videoRequest(clip, { mode: 'direct' }), h.context);
    expect(result.outcome).toBe('sent-to-inbox');
    expect(endpoints(s)).toContain('inbox_init');
    expect(endpoints(s)).not.toContain('video_init');
    expect(endpoints(s)).not.toContain('creator_info');
    expect(s.feed()).toEqual([]);
  });

  it('delegates check() to the shared post rules', () => {
    const check = createTikTokAdapter().check({ caption: 'x'.repeat(2300), media: [], options: { tiktok: {} } });
    expect(check.platform).toBe('tiktok');
    expect(check.errors.map((e) => e.code)).toEqual(expect.arrayContaining(['tiktok.one-video', 'tiktok.caption-too-long', 'tiktok.privacy-missing']));
  });
});

describe('TikTok adapter: tokens', () => {
  it('refreshes an expired access token first, saves the rotated pair before using it, and the old refresh token is dead', async () => {
    const s = await start();
    const h = harness(s, { expiresAt: Date.now() - 1000 });
    const old = h.creds();
    const { adapter } = adapterWith(s);

    await adapter.publish(await videoRequest(clip), h.context);

    expect(h.saved).toHaveLength(1);
    const fresh = h.saved[0]!;
    expect(fresh.accessToken).not.toBe(old.accessToken);
    expect(fresh.refreshToken).not.toBe(old.refreshToken);
    expect(fresh.expiresAt).toBeGreaterThan(Date.now() + 3600_000);
    expect(fresh.refreshExpiresAt).toBeGreaterThan(Date.now() + 100 * 86_400_000);
    // Saved when only the token call had been made: nothing used the new token before that.
    expect(h.savedAtRequest).toEqual([1]);
    expect(endpoints(s)[0]).toBe('token');
    expect(s.feed()).toHaveLength(1);
    const reuse = await postForm(s.origin, TIKTOK_PATHS.token, { client_key: s.clientKey, client_secret: s.clientSecret, grant_type: 'refresh_token', refresh_token: old.refreshToken! });
    expect([reuse.status, reuse.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('renews once when TikTok says access_token_invalid mid-job, then carries on', async () => {
    const s = await start({ faults: [{ kind: 'expired-token', endpoint: 'video_init' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    await adapter.publish(await videoRequest(clip), h.context);
    expect(h.saved).toHaveLength(1);
    expect(endpoints(s).slice(0, 4)).toEqual(['creator_info', 'video_init', 'token', 'video_init']);
    expect(s.feed()).toHaveLength(1);
  });

  it('sends the refresh again when the connection drops before TikTok acts on it', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'token' }] });
    const h = harness(s, { expiresAt: Date.now() });
    const { adapter, sleeps } = adapterWith(s);
    await adapter.publish(await videoRequest(clip), h.context);
    expect(count(s, 'token')).toBe(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(500);
    expect(s.feed()).toHaveLength(1);
  });

  it('tells staff to reconnect when a refresh was lost mid-flight: TikTok rotated the token but the answer never came', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'token', when: 'after-processing' }] });
    const h = harness(s, { expiresAt: Date.now() });
    const { adapter } = adapterWith(s);
    const err = await adapter.publish(await videoRequest(clip), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.tiktok.refresh-lost', next: 'reconnect' });
    expect((err as Error).message).toMatch(/reconnect the TikTok account/);
    expect(h.saved).toEqual([]);
    expect(endpoints(s)).toEqual(['token', 'token']);
  });

  it('asks for reconnection, without calling TikTok, when the refresh token itself has expired', async () => {
    const s = await start();
    const h = harness(s, { expiresAt: Date.now(), refreshExpiresAt: Date.now() - 1 });
    const { adapter } = adapterWith(s);
    await expect(adapter.publish(await videoRequest(clip), h.context)).rejects.toMatchObject({ code: 'publish.tiktok.refresh-expired', next: 'reconnect' });
    expect(s.requests()).toEqual([]);
  });
});

describe('TikTok adapter: faults and retries', () => {
  it('resumes after the connection drops mid-chunk: the chunk is sent again and one post results', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'upload', chunkIndex: 1 }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s, { chunkSize: 5 * MiB });
    const request = await videoRequest(big);
    await adapter.publish(request, h.context);
    expect(s.feed()).toHaveLength(1);
    expect(s.publishes()).toHaveLength(1);
    expect(s.feed()[0]!.video!.sha256).toBe(await sha256Of(big));
    expect(count(s, 'upload')).toBe(6);
    expect(sleeps.some((ms) => ms >= 500)).toBe(true);
    expectMonotonicProgress(h, request.media[0]!.bytes);
  });

  it('after a drop once TikTok kept the chunk, the re-sent chunk gets 416, status/fetch says where to go on', async () => {
    const s = await start({ faults: [{ kind: 'drop-connection', endpoint: 'upload', when: 'after-processing', chunkIndex: 2 }] });
    const h = harness(s);
    const { adapter } = adapterWith(s, { chunkSize: 5 * MiB });
    await adapter.publish(await videoRequest(big), h.context);
    const uploads = s.requests().filter((r) => r.endpoint === 'upload').map((r) => r.status);
    expect(uploads).toEqual([206, 206, 0, 416, 206, 201]);
    expect(s.feed()).toHaveLength(1);
    expect(s.feed()[0]!.video!.sha256).toBe(await sha256Of(big));
  });

  it('retries 5xx on init and on a chunk with growing, jittered waits; one post, no duplicate publish', async () => {
    const s = await start({
      faults: [
        { kind: 'server-error', endpoint: 'video_init', status: 503, times: 2 },
        { kind: 'server-error', endpoint: 'upload', status: 500, chunkIndex: 1 },
      ],
    });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s, { chunkSize: 5 * MiB });
    await adapter.publish(await videoRequest(big), h.context);
    expect(count(s, 'video_init')).toBe(3);
    expect(s.publishes()).toHaveLength(1);
    expect(s.feed()).toHaveLength(1);
    // random() = 0.5 → three quarters of 1 s, 2 s, then 1 s again for the chunk's own first retry.
    expect(sleeps.filter((ms) => ms > 1)).toEqual([750, 1500, 750]);
  });

  it('honours 429 Retry-After on status and on a chunk: the wait is at least what TikTok asked', async () => {
    const s = await start({
      faults: [
        { kind: 'rate-limit', endpoint: 'upload', retryAfterSeconds: 7 },
        { kind: 'rate-limit', endpoint: 'status', retryAfterSeconds: 11 },
      ],
    });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    await adapter.publish(await videoRequest(clip), h.context);
    expect(sleeps.filter((ms) => ms > 1)).toEqual([7000, 11_000]);
    expect(s.feed()).toHaveLength(1);
  });

  it('gives up after the attempts run out with a plain message, keeping the checkpoint for later', async () => {
    const s = await start({ faults: [{ kind: 'server-error', endpoint: 'upload', status: 502, times: 10 }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s, { maxAttempts: 3 });
    const err = await adapter.publish(await videoRequest(clip), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.tiktok.internal_error', next: 'retry', message: explainTikTokCode('internal_error').message });
    expect((err as { detail: string }).detail).toMatch(/HTTP 502 error\.code=internal_error.*log_id/);
    expect(sleeps).toHaveLength(2);
    expect(h.state()).toMatchObject({ chunksDone: 0, publishId: expect.any(String) });
  });

  it('stops at once on spam risk with the platform reason in plain words, and never retries', async () => {
    const s = await start({ faults: [{ kind: 'spam-risk', endpoint: 'creator_info', code: 'spam_risk_too_many_posts' }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    const err = await adapter.publish(await videoRequest(clip), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.tiktok.spam_risk_too_many_posts', next: 'later', message: explainTikTokCode('spam_risk_too_many_posts').message });
    expect((err as { detail: string }).detail).toMatch(/HTTP 403 .*log_id \w+/);
    expect(sleeps).toEqual([]);
    expect(endpoints(s)).toEqual(['creator_info']);
  });

  it('refuses for a banned account at creator_info', async () => {
    const s = await start({ accounts: [{ bannedFromPosting: true }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    await expect(adapter.publish(await videoRequest(clip), h.context)).rejects.toMatchObject({
      code: 'publish.tiktok.spam_risk_user_banned_from_posting',
      message: explainTikTokCode('spam_risk_user_banned_from_posting').message,
    });
    expect(sleeps).toEqual([]);
    expect(endpoints(s)).toEqual(['creator_info']);
  });

  it('treats an error envelope sent with HTTP 200 as the failure it is', async () => {
    const s = await start({ faults: [{ kind: 'error-envelope', endpoint: 'video_init', code: 'invalid_param', httpStatus: 200, message: 'title is weird' }] });
    const h = harness(s);
    const { adapter, sleeps } = adapterWith(s);
    const err = await adapter.publish(await videoRequest(clip), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.tiktok.invalid_param', next: 'fix' });
    expect((err as { detail: string }).detail).toMatch(/HTTP 200 error\.code=invalid_param: title is weird/);
    expect(sleeps).toEqual([]);
    expect(count(s, 'upload')).toBe(0);
  });

  it('reports a processing failure (fail_reason) in plain words and forgets the failed publish', async () => {
    const s = await start({ faults: [{ kind: 'publish-failure', failReason: 'frame_rate_check_failed' }] });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    await expect(adapter.publish(await videoRequest(clip), h.context)).rejects.toMatchObject({
      code: 'publish.tiktok.frame_rate_check_failed',
      message: explainTikTokCode('frame_rate_check_failed').message,
    });
    expect(s.feed()).toEqual([]);
    expect(h.state().publishId).toBeUndefined();
  });
});

describe('TikTok adapter: refusals before any upload', () => {
  it('refuses an audience the account does not offer, in words, before init', async () => {
    const s = await start({ accounts: [{ privacyLevelOptions: ['MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'] }] });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const err = await adapter.publish(await videoRequest(clip, { privacyLevel: 'PUBLIC_TO_EVERYONE' }), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.tiktok.privacy-not-offered', next: 'fix' });
    expect((err as Error).message).toBe('This TikTok account does not offer "Everyone". Choose one of: "Friends (followers you follow back)", "Only the account owner".');
    expect(endpoints(s)).toEqual(['creator_info']);
  });

  it('refuses a post with no audience chosen, and a video longer than the account may post', async () => {
    const s = await start({ accounts: [{ maxVideoPostDurationSec: 60 }] });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    await expect(adapter.publish(await videoRequest(clip, { privacyLevel: undefined }), h.context)).rejects.toMatchObject({ code: 'publish.tiktok.privacy-missing' });
    const long = await videoRequest(clip);
    long.media[0]!.durationMs = 90_000;
    await expect(adapter.publish(long, h.context)).rejects.toMatchObject({ code: 'publish.tiktok.video-too-long', message: expect.stringMatching(/at most 60 seconds/) });
    expect(endpoints(s)).toEqual(['creator_info', 'creator_info']);
  });

  it('with an unaudited app: a wider audience is refused with an explanation; SELF_ONLY on a private account is posted', async () => {
    const s = await start({ audited: false, accounts: [{ isPrivate: true }] });
    const h = harness(s);
    const { adapter } = adapterWith(s);
    const err = await adapter.publish(await videoRequest(clip, { privacyLevel: 'FOLLOWER_OF_CREATOR' }), h.context).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'publish.tiktok.unaudited_client_can_only_post_to_private_accounts', next: 'fix' });
    expect((err as Error).message).toMatch(/Only the account owner/);
    expect(s.feed()).toEqual([]);

    const result = await adapter.publish(await videoRequest(clip, { privacyLevel: 'SELF_ONLY' }), h.context);
    expect(result.outcome).toBe('published');
    expect(s.feed().map((p) => p.privacyLevel)).toEqual(['SELF_ONLY']);
  });
});

describe('TikTok adapter: crash and resume', () => {
  it('a job stopped after init and one chunk resumes from the checkpoint: reconcile says not yet, publish finishes, one post', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s, { chunkSize: 5 * MiB });
    const request = await videoRequest(big);
    h.onSave = (state) => {
      if (state.chunksDone === 1) h.controller.abort();
    };
    await expect(adapter.publish(request, h.context)).rejects.toMatchObject({ code: 'publish.tiktok.aborted' });
    expect(count(s, 'upload')).toBe(1);

    // The restarted publisher: same checkpoint, a fresh signal.
    const restarted = { ...h.context, signal: new AbortController().signal };
    expect(await adapter.reconcile(request, restarted)).toBeNull();
    const result = await adapter.publish(request, restarted);

    expect(s.feed()).toHaveLength(1);
    expect(s.publishes()).toHaveLength(1);
    expect(count(s, 'video_init')).toBe(1);
    expect(count(s, 'upload')).toBe(5);
    expect(s.feed()[0]!.video!.sha256).toBe(await sha256Of(big));
    expect(result.remoteId).toBe(s.feed()[0]!.publishId);
  });

  it('a job stopped after its last chunk is found by reconcile, which polls to the result without sending anything again', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s, { chunkSize: 5 * MiB });
    const request = await videoRequest(big);
    h.onSave = (state) => {
      if (state.chunksDone === 5) h.controller.abort();
    };
    await expect(adapter.publish(request, h.context)).rejects.toMatchObject({ code: 'publish.tiktok.aborted' });

    const restarted = { ...h.context, signal: new AbortController().signal };
    const found = await adapter.reconcile(request, restarted);
    expect(found).toMatchObject({ outcome: 'published', remoteId: s.feed()[0]!.publishId });
    expect(await adapter.publish(request, restarted)).toEqual(found);
    expect(s.feed()).toHaveLength(1);
    expect(count(s, 'upload')).toBe(5);
    expect(count(s, 'video_init')).toBe(1);
  });

  it('starts over once when TikTok drops the upload mid-way (403, upload_url expired): one post, the half upload abandoned', async () => {
    const clock = manualClock(Date.now());
    const s = await start({ clock });
    const h = harness(s);
    const { adapter } = adapterWith(s, { chunkSize: 5 * MiB });
    h.onSave = (state) => {
      // An hour passes on TikTok's side after the first chunk (§1.3: upload_url lives one hour).
      if (state.chunksDone === 1 && h.states.filter((st) => st.chunksDone === 1).length === 1) clock.advance(3601_000);
    };
    await adapter.publish(await videoRequest(big), h.context);
    const uploads = s.requests().filter((r) => r.endpoint === 'upload').map((r) => r.status);
    expect(uploads).toEqual([206, 403, 206, 206, 206, 206, 201]);
    expect(count(s, 'creator_info')).toBe(2);
    expect(s.publishes().map((p) => p.status)).toEqual(['PROCESSING_UPLOAD', 'PUBLISH_COMPLETE']);
    expect(s.feed()).toHaveLength(1);
  });

  it('does not resume onto an upload URL about to expire: it starts a new publish instead', async () => {
    const s = await start();
    const h = harness(s);
    const request = await videoRequest(big);
    const first = adapterWith(s, { chunkSize: 5 * MiB }).adapter;
    h.onSave = (state) => {
      if (state.chunksDone === 2) h.controller.abort();
    };
    await expect(first.publish(request, h.context)).rejects.toMatchObject({ code: 'publish.tiktok.aborted' });
    h.onSave = undefined;

    const later = adapterWith(s, { chunkSize: 5 * MiB, now: () => Date.now() + 65 * 60_000 }).adapter;
    const restarted = { ...h.context, signal: new AbortController().signal };
    await later.publish(request, restarted);
    expect(count(s, 'video_init')).toBe(2);
    expect(count(s, 'upload')).toBe(2 + 5);
    expect(s.feed()).toHaveLength(1);
    expect(s.feed()[0]!.publishId).toBe(h.state().publishId);
  });

  it('reconcile without a checkpoint answers null, so the publisher publishes', async () => {
    const s = await start();
    const h = harness(s);
    const { adapter } = adapterWith(s);
    expect(await adapter.reconcile(await videoRequest(clip), h.context)).toBeNull();
    expect(s.requests()).toEqual([]);
  });
});

describe('TikTok adapter: memory', () => {
  it('streams videos chunk by chunk: RSS grows well below a 64 MiB file and stays flat for 160 MiB more', async () => {
    const s = await start();
    const video = await padVideo(clip, join(dir, 'huge.mp4'), 64 * MiB);
    const larger = await padVideo(clip, join(dir, 'larger.mp4'), 160 * MiB);
    const tokens = s.issueTokens();
    const modules = Object.fromEntries(
      Object.entries({
        adapter: '../../../../electron/platforms/tiktok/adapter.ts',
        http: '../../../../electron/services/egress/http-client.ts',
        policy: '../../../../electron/services/egress/egress-policy.ts',
        log: '../../../../electron/services/egress/egress-log.ts',
      }).map(([k, p]) => [k, pathToFileURL(join(import.meta.dirname, p)).href]),
    );
    const job = { origin: s.origin, token: tokens.access_token, openId: tokens.open_id, video, larger, clip, size: 64 * MiB, largerSize: 160 * MiB, clipSize: (await stat(clip)).size };
    // The adapter runs in its own process so only its memory is measured, not the simulator's.
    const child = `
      const { createTikTokAdapter } = await import(${JSON.stringify(modules.adapter)});
      const { createEgressClient } = await import(${JSON.stringify(modules.http)});
      const { EgressPolicy } = await import(${JSON.stringify(modules.policy)});
      const { EgressLog } = await import(${JSON.stringify(modules.log)});
      const job = ${JSON.stringify(job)};
      const http = createEgressClient({ policy: new EgressPolicy({ allowedHosts: [], allowLoopback: true }), log: new EgressLog() });
      const adapter = createTikTokAdapter({ pollIntervalMs: 1, sleep: async () => {} });
      let state = {};
      const context = (path, size) => ({
        account: { platform: 'tiktok', accountId: job.openId, apiBase: job.origin },
        http,
        credentials: async () => ({ accessToken: job.token }),
        saveCredentials: async () => { throw new Error('no refresh expected'); },
        onProgress: () => {},
        signal: new AbortController().signal,
        checkpoint: { load: async () => state, save: async (s) => { state = s; } },
      });
      const request = (path, size) => ({ postId: path, idempotencyKey: path, caption: 'memory', options: { privacyLevel: 'SELF_ONLY' },
        media: [{ kind: 'video', path, bytes: size, format: 'mp4', contentType: 'video/mp4', cleanSha256: '', altText: null, width: null, height: null, durationMs: 1000 }] });
      // Warm up sockets, parsers and JIT on a small video first.
      await adapter.publish(request(job.clip, job.clipSize), context());
      state = {};
      globalThis.gc();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
      const result = await adapter.publish(request(job.video, job.size), context());
      peak = Math.max(peak, process.memoryUsage().rss);
      const growth = peak - baseline;
      state = {};
      await adapter.publish(request(job.larger, job.largerSize), context());
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      http.close();
      process.stdout.write(JSON.stringify({ growth, more: peak - baseline - growth, result }));
    `;
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, ['--expose-gc', '--input-type=module', '--eval', child], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      p.stdout.on('data', (d: Buffer) => (text += d.toString()));
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}: ${text}`))));
    });
    const { growth, more, result } = JSON.parse(out) as { growth: number; more: number; result: { outcome: string } };
    const report = `RSS grew ${(growth / MiB).toFixed(1)} MiB over the 64 MiB upload, then ${(more / MiB).toFixed(1)} MiB more over 160 MiB`;
    expect(result.outcome).toBe('published');
    expect(s.feed().map((p) => p.video?.sizeBytes)).toEqual([160 * MiB, 64 * MiB, (await stat(clip)).size]);
    expect(s.feed()[1]!.video!.sha256).toBe(await sha256Of(video));
    expect(s.uploads()[1]).toMatchObject({ chunkSize: 10_000_000, totalChunkCount: 6 });
    // Read buffers and the garbage collector's slack cost a constant (about 30 MiB measured
    // here); the file is never held, so a 2.5 times larger one adds next to nothing.
    expect(growth, report).toBeLessThan(40 * MiB);
    expect(more, report).toBeLessThan(16 * MiB);
  }, 120_000);
});
