import { afterEach, describe, expect, it } from 'vitest';
import { chunkRange, contentRangeHeader, type ChunkPlan } from '../../../../electron/platforms/tiktok/chunks.ts';
import { TIKTOK_PATHS } from '../../../../electron/platforms/tiktok/protocol.ts';
import { startTikTokSimulator, type TikTokSimulator, type TikTokSimulatorOptions } from '../../../../electron/platforms/tiktok/simulator.ts';
import { call, fetchStatus, fileSource, initDirectPost, MiB, pollStatus, postInfo, putChunk, SyntheticVideo, uploadChunks } from './driver.ts';

let sim: TikTokSimulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: TikTokSimulatorOptions = {}): Promise<{ s: TikTokSimulator; token: string }> {
  sim = await startTikTokSimulator({ rateLimits: false, ...options });
  return { s: sim, token: sim.issueTokens().access_token };
}

const PLAN: ChunkPlan = { videoSize: 12 * MiB + 7, chunkSize: 6 * MiB, totalChunkCount: 2 };

function put(uploadUrl: string, video: SyntheticVideo, index: number) {
  const r = chunkRange(PLAN, index);
  return putChunk(uploadUrl, video.slice(r.first, r.last), contentRangeHeader(PLAN, index));
}

describe('TikTok simulator: faults during the upload', () => {
  it('drops the connection mid-chunk; the partial chunk is discarded and re-sending it resumes the upload', async () => {
    const { s, token } = await start({ processing: { polls: 0 } });
    const { publishId, uploadUrl } = await initDirectPost(s.origin, token, PLAN.videoSize, postInfo({ privacy_level: 'SELF_ONLY' }), PLAN);
    const video = new SyntheticVideo(PLAN.videoSize, 3);
    expect((await put(uploadUrl, video, 0)).status).toBe(206);
    s.injectFault({ kind: 'drop-connection', endpoint: 'upload', chunkIndex: 1 });
    await expect(put(uploadUrl, video, 1)).rejects.toThrow();
    expect(s.uploads()[0]).toMatchObject({ uploadedBytes: 6 * MiB, chunksReceived: 1, sha256: null });
    expect((await fetchStatus(s.origin, token, publishId)).body.data.uploaded_bytes).toBe(6 * MiB);
    expect((await put(uploadUrl, video, 1)).status).toBe(201);
    expect(s.uploads()[0]!.sha256).toBe(video.sha256());
    expect((await fetchStatus(s.origin, token, publishId)).body.data.status).toBe('PUBLISH_COMPLETE');
    expect(s.feed()[0]!.video!.sha256).toBe(video.sha256());
  });

  it('drops the connection after keeping a chunk; the re-sent chunk gets 416 and status tells where to go on', async () => {
    const { s, token } = await start();
    const { publishId, uploadUrl } = await initDirectPost(s.origin, token, PLAN.videoSize, postInfo(), PLAN);
    const video = new SyntheticVideo(PLAN.videoSize, 4);
    s.injectFault({ kind: 'drop-connection', endpoint: 'upload', when: 'after-processing' });
    await expect(put(uploadUrl, video, 0)).rejects.toThrow();
    expect((await put(uploadUrl, video, 0)).status).toBe(416);
    const progress = (await fetchStatus(s.origin, token, publishId)).body.data.uploaded_bytes!;
    expect(progress).toBe(6 * MiB);
    expect((await put(uploadUrl, video, progress / PLAN.chunkSize)).status).toBe(201);
    expect(s.uploads()[0]!.sha256).toBe(video.sha256());
  });

  it('answers a chunk with 5xx on demand, keeps nothing of it, and accepts the retry', async () => {
    const { s, token } = await start();
    const { uploadUrl } = await initDirectPost(s.origin, token, PLAN.videoSize, postInfo(), PLAN);
    const video = new SyntheticVideo(PLAN.videoSize, 5);
    s.injectFault({ kind: 'server-error', endpoint: 'upload', status: 503 });
    expect((await put(uploadUrl, video, 0)).status).toBe(503);
    expect(s.uploads()[0]!.uploadedBytes).toBe(0);
    expect(await uploadChunks(uploadUrl, PLAN, video)).toEqual([206, 201]);
    expect(s.uploads()[0]!.sha256).toBe(video.sha256());
  });
});

describe('TikTok simulator: faults on the API', () => {
  it('answers 5xx internal_error in the envelope once, then works again', async () => {
    const { s, token } = await start({ faults: [{ kind: 'server-error', endpoint: 'video_init', status: 502 }] });
    const body = { post_info: postInfo(), source_info: fileSource({ videoSize: 1000, chunkSize: 1000, totalChunkCount: 1 }) };
    const failed = await call(s.origin, TIKTOK_PATHS.videoInit, token, body);
    expect([failed.status, failed.body.error.code]).toEqual([502, 'internal_error']);
    expect(failed.body.error.log_id).toEqual(expect.any(String));
    expect(s.publishes()).toEqual([]);
    expect((await call(s.origin, TIKTOK_PATHS.videoInit, token, body)).body.error.code).toBe('ok');
  });

  it('answers 429 rate_limit_exceeded with Retry-After on demand, as many times as asked', async () => {
    const { s, token } = await start();
    s.injectFault({ kind: 'rate-limit', endpoint: 'status', retryAfterSeconds: 7, times: 2 });
    const { publishId } = await initDirectPost(s.origin, token, 1000);
    for (let i = 0; i < 2; i++) {
      const res = await fetchStatus(s.origin, token, publishId);
      expect([res.status, res.body.error.code, res.headers.get('retry-after')]).toEqual([429, 'rate_limit_exceeded', '7']);
    }
    expect((await fetchStatus(s.origin, token, publishId)).status).toBe(200);
    expect(s.pendingFaults()).toEqual([]);
  });

  it('expires the token on demand: every call then gets 401 access_token_invalid until a refresh', async () => {
    sim = await startTikTokSimulator();
    const s = sim;
    const tokens = s.issueTokens();
    s.injectFault({ kind: 'expired-token', endpoint: 'creator_info' });
    const first = await call(s.origin, TIKTOK_PATHS.creatorInfo, tokens.access_token);
    expect([first.status, first.body.error.code]).toEqual([401, 'access_token_invalid']);
    expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, tokens.access_token)).body.error.code).toBe('access_token_invalid');
    const refreshed = await fetch(`${s.origin}${TIKTOK_PATHS.token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_key: s.clientKey, client_secret: s.clientSecret, grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    });
    const { access_token: fresh } = (await refreshed.json()) as { access_token: string };
    expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, fresh)).body.error.code).toBe('ok');
  });

  it('answers spam risk at creator_info on demand: the creator cannot post right now', async () => {
    const { s, token } = await start({ faults: [{ kind: 'spam-risk', endpoint: 'creator_info' }] });
    const res = await call(s.origin, TIKTOK_PATHS.creatorInfo, token);
    expect([res.status, res.body.error.code]).toEqual([403, 'spam_risk_too_many_posts']);
    expect(res.body.data).toEqual({});
  });

  it('can send an error with HTTP 200, so only error.code tells success (§8)', async () => {
    const { s, token } = await start();
    s.injectFault({ kind: 'spam-risk', endpoint: 'video_init', code: 'reached_active_user_cap', httpStatus: 200 });
    const res = await call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo(), source_info: fileSource({ videoSize: 1000, chunkSize: 1000, totalChunkCount: 1 }) });
    expect(res.status).toBe(200);
    expect(res.body.error.code).toBe('reached_active_user_cap');
  });

  it('drops an init after the post was created, so a client must reconcile before it sends again', async () => {
    const { s, token } = await start();
    s.injectFault({ kind: 'drop-connection', endpoint: 'video_init', when: 'after-processing' });
    await expect(call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo(), source_info: fileSource({ videoSize: 1000, chunkSize: 1000, totalChunkCount: 1 }) })).rejects.toThrow();
    expect(s.publishes()).toHaveLength(1);
    expect(s.publishes()[0]!.status).toBe('PROCESSING_UPLOAD');
  });

  it('drops a request before it is handled: nothing is created', async () => {
    const { s, token } = await start({ faults: [{ kind: 'drop-connection', endpoint: 'video_init' }] });
    await expect(call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo(), source_info: fileSource({ videoSize: 1000, chunkSize: 1000, totalChunkCount: 1 }) })).rejects.toThrow();
    expect(s.publishes()).toEqual([]);
    expect(s.requests().at(-1)).toMatchObject({ endpoint: 'video_init', status: 0 });
  });

  it('fails a publish after processing with the fail_reason asked for', async () => {
    const { s, token } = await start({ faults: [{ kind: 'publish-failure', failReason: 'spam_risk_text' }] });
    const { plan, publishId, uploadUrl } = await initDirectPost(s.origin, token, 1000);
    await uploadChunks(uploadUrl, plan, new SyntheticVideo(1000));
    const seen = await pollStatus(s.origin, token, publishId, (st) => st === 'FAILED' || st === 'PUBLISH_COMPLETE');
    expect(seen.at(-1)!.body.data).toMatchObject({ status: 'FAILED', fail_reason: 'spam_risk_text' });
    expect(s.feed()).toEqual([]);
  });

  it('fails an in-flight publish with auth_removed when the user revokes the app during processing', async () => {
    const { s } = await start();
    const tokens = s.issueTokens();
    const { plan, publishId, uploadUrl } = await initDirectPost(s.origin, tokens.access_token, 1000);
    await uploadChunks(uploadUrl, plan, new SyntheticVideo(1000));
    await fetch(`${s.origin}${TIKTOK_PATHS.revoke}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_key: s.clientKey, client_secret: s.clientSecret, token: tokens.access_token }),
    });
    const reconnected = s.issueTokens();
    const seen = await pollStatus(s.origin, reconnected.access_token, publishId, (st) => st === 'FAILED' || st === 'PUBLISH_COMPLETE');
    expect(seen.at(-1)!.body.data).toMatchObject({ status: 'FAILED', fail_reason: 'auth_removed' });
  });
});
