import { afterEach, describe, expect, it } from 'vitest';
import { planChunks } from '../../../../electron/platforms/tiktok/chunks.ts';
import { TIKTOK_PATHS } from '../../../../electron/platforms/tiktok/protocol.ts';
import { startTikTokSimulator, type TikTokSimulator, type TikTokSimulatorOptions } from '../../../../electron/platforms/tiktok/simulator.ts';
import {
  call,
  connectAccount,
  fetchStatus,
  fileSource,
  initDirectPost,
  manualClock,
  pollStatus,
  postInfo,
  SyntheticVideo,
  uploadChunks,
} from './driver.ts';

let sim: TikTokSimulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: TikTokSimulatorOptions = {}): Promise<TikTokSimulator> {
  sim = await startTikTokSimulator(options);
  return sim;
}

/** 17,000,000 bytes in 5 MiB chunks: three chunks, the last one absorbing the remainder. */
const SIZE = 17_000_000;
const CHUNK = 5 * 1024 * 1024;

describe('TikTok simulator: Direct Post happy path', () => {
  it('goes token → creator_info → init → chunked PUTs → PROCESSING_UPLOAD → PUBLISH_COMPLETE, and the post appears in the feed', async () => {
    const s = await start();
    expect(new URL(s.origin).hostname).toBe('127.0.0.1');
    const tokens = await connectAccount(s);
    expect(tokens.scope.split(',')).toContain('video.publish');

    const info = await call(s.origin, TIKTOK_PATHS.creatorInfo, tokens.access_token);
    expect(info.status).toBe(200);
    expect(info.body.error).toMatchObject({ code: 'ok', message: '' });
    expect(info.body.error.log_id).toMatch(/^\d{14}[0-9A-F]{20}$/);
    expect(info.body.data).toMatchObject({
      creator_username: 'airlock_demo_1',
      creator_nickname: 'Airlock Demo 1',
      privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      comment_disabled: false,
      duet_disabled: false,
      stitch_disabled: false,
      max_video_post_duration_sec: 300,
    });

    const video = new SyntheticVideo(SIZE);
    const plan = planChunks(SIZE, CHUNK);
    expect(plan).toEqual({ videoSize: SIZE, chunkSize: CHUNK, totalChunkCount: 3 });
    const caption = 'Library opening hours change on Monday 📚 #library @citycouncil';
    const { publishId, uploadUrl } = await initDirectPost(s.origin, tokens.access_token, SIZE, postInfo({ title: caption }), plan);
    expect(publishId).toMatch(/^v_pub_file~v2-1\.\d+$/);
    expect(publishId.length).toBeLessThanOrEqual(64);
    expect(uploadUrl.length).toBeLessThanOrEqual(256);
    expect(new URL(uploadUrl).pathname).toBe('/video/');

    const before = await fetchStatus(s.origin, tokens.access_token, publishId);
    expect(before.body.data).toEqual({ status: 'PROCESSING_UPLOAD', uploaded_bytes: 0 });

    expect(await uploadChunks(uploadUrl, plan, video)).toEqual([206, 206, 201]);
    expect(s.uploads()[0]).toMatchObject({ uploadedBytes: SIZE, chunksReceived: 3, sha256: video.sha256(), contentType: 'video/mp4' });

    const seen = await pollStatus(s.origin, tokens.access_token, publishId, (st) => st === 'PUBLISH_COMPLETE' || st === 'FAILED');
    expect(seen.map((r) => r.body.data.status)).toEqual(['PROCESSING_UPLOAD', 'PUBLISH_COMPLETE']);
    // §1.7: a public post has no id until moderation finishes; then it arrives as a raw int64.
    expect(seen[1]!.body.data.publicaly_available_post_id).toEqual([]);
    const moderated = await fetchStatus(s.origin, tokens.access_token, publishId);
    const [post] = s.feed();
    expect(moderated.raw).toContain(`"publicaly_available_post_id":[${post!.postId}]`);
    expect(post).toMatchObject({
      publishId,
      caption,
      privacyLevel: 'PUBLIC_TO_EVERYONE',
      disableComment: true,
      disableDuet: false,
      disableStitch: false,
      brandContentToggle: false,
      isAigc: false,
      videoCoverTimestampMs: 1000,
      video: { sha256: video.sha256(), sizeBytes: SIZE, contentType: 'video/mp4' },
      moderated: true,
      via: 'direct',
    });
  });

  it('sends post ids above 2^53 as bare JSON numbers, which JSON.parse would round', async () => {
    const s = await start({ processing: { polls: 0, moderationPolls: 0 } });
    const { access_token: token } = s.issueTokens();
    const { plan, publishId, uploadUrl } = await initDirectPost(s.origin, token, 1000);
    await uploadChunks(uploadUrl, plan, new SyntheticVideo(1000));
    const done = await fetchStatus(s.origin, token, publishId);
    const id = s.feed()[0]!.postId;
    expect(BigInt(id)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(done.raw).toContain(`[${id}]`);
    expect(String(done.body.data.publicaly_available_post_id![0])).not.toBe(id);
  });

  it('keeps a post in PROCESSING_UPLOAD until the injected clock has moved on', async () => {
    const clock = manualClock();
    const s = await start({ clock, processing: { polls: 0, ms: 30_000 } });
    const { access_token: token } = s.issueTokens();
    const { plan, publishId, uploadUrl } = await initDirectPost(s.origin, token, 1000, postInfo({ privacy_level: 'SELF_ONLY' }));
    await uploadChunks(uploadUrl, plan, new SyntheticVideo(1000));
    expect((await fetchStatus(s.origin, token, publishId)).body.data.status).toBe('PROCESSING_UPLOAD');
    expect(s.feed()).toEqual([]);
    clock.advance(30_000);
    expect(s.feed()).toHaveLength(1);
    const done = await fetchStatus(s.origin, token, publishId);
    // Not public: no public id at all (§1.7).
    expect(done.body.data).toEqual({ status: 'PUBLISH_COMPLETE', uploaded_bytes: 1000 });
  });

  it('fails a file that is not a video after the upload with fail_reason file_format_check_failed', async () => {
    const s = await start({ processing: { polls: 0 } });
    const { access_token: token } = s.issueTokens();
    const plan = planChunks(2000);
    const { publishId, uploadUrl } = await initDirectPost(s.origin, token, 2000, postInfo(), plan);
    const res = await fetch(uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Type': 'video/mp4', 'Content-Range': 'bytes 0-1999/2000' },
      body: new Uint8Array(2000).fill(0x41),
    });
    expect(res.status).toBe(201);
    const done = await fetchStatus(s.origin, token, publishId);
    expect(done.body.data).toMatchObject({ status: 'FAILED', fail_reason: 'file_format_check_failed' });
    expect(s.feed()).toEqual([]);
  });
});

describe('TikTok simulator: Direct Post refusals', () => {
  it('refuses a privacy level the creator does not offer, or none at all, with privacy_level_option_mismatch', async () => {
    const s = await start({ accounts: [{ isPrivate: true }] });
    const { access_token: token } = s.issueTokens();
    const plan = planChunks(1000);
    for (const privacy of ['PUBLIC_TO_EVERYONE', undefined, 'EVERYONE']) {
      const res = await call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo({ privacy_level: privacy }), source_info: fileSource(plan) });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('privacy_level_option_mismatch');
      expect(res.body.data).toEqual({});
    }
  });

  it('counts the caption in UTF-16 code units: 2200 passes, 2201 (one emoji too many) is invalid_param', async () => {
    const s = await start({ rateLimits: false });
    const { access_token: token } = s.issueTokens();
    const plan = planChunks(1000);
    const atLimit = `${'a'.repeat(2198)}👍`;
    expect(atLimit.length).toBe(2200);
    const ok = await call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo({ title: atLimit }), source_info: fileSource(plan) });
    expect(ok.body.error.code).toBe('ok');
    const over = await call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo({ title: `${'a'.repeat(2199)}👍` }), source_info: fileSource(plan) });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('invalid_param');
    expect(over.body.error.message).toContain('2201');
  });

  it('requires brand_content_toggle and refuses branded content that only the creator could see', async () => {
    const s = await start({ rateLimits: false });
    const { access_token: token } = s.issueTokens();
    const plan = planChunks(1000);
    const missing = postInfo();
    delete missing.brand_content_toggle;
    const a = await call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: missing, source_info: fileSource(plan) });
    expect([a.status, a.body.error.code]).toEqual([400, 'invalid_param']);
    const b = await call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo({ brand_content_toggle: true, privacy_level: 'SELF_ONLY' }), source_info: fileSource(plan) });
    expect([b.status, b.body.error.code]).toEqual([400, 'invalid_param']);
  });

  it('refuses a token without video.publish with scope_not_authorized, and a missing token with access_token_invalid', async () => {
    const s = await start();
    const { access_token: token } = s.issueTokens(undefined, ['user.info.basic', 'video.upload']);
    const a = await call(s.origin, TIKTOK_PATHS.creatorInfo, token);
    expect([a.status, a.body.error.code]).toEqual([401, 'scope_not_authorized']);
    const b = await call(s.origin, TIKTOK_PATHS.creatorInfo, null);
    expect([b.status, b.body.error.code]).toEqual([401, 'access_token_invalid']);
    const c = await call(s.origin, TIKTOK_PATHS.creatorInfo, 'act.not-a-token');
    expect([c.status, c.body.error.code]).toEqual([401, 'access_token_invalid']);
  });

  it('insists on a JSON Content-Type and a JSON object body', async () => {
    const s = await start();
    const { access_token: token } = s.issueTokens();
    const a = await call(s.origin, TIKTOK_PATHS.creatorInfo, token, undefined, 'text/plain');
    expect([a.status, a.body.error.code]).toEqual([400, 'invalid_param']);
    const b = await call(s.origin, TIKTOK_PATHS.videoInit, token, [1, 2]);
    expect([b.status, b.body.error.code]).toEqual([400, 'invalid_param']);
  });

  it('stops a banned creator at creator_info and at init', async () => {
    const s = await start({ accounts: [{ bannedFromPosting: true }] });
    const { access_token: token } = s.issueTokens();
    const a = await call(s.origin, TIKTOK_PATHS.creatorInfo, token);
    expect([a.status, a.body.error.code]).toEqual([403, 'spam_risk_user_banned_from_posting']);
    const b = await call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo(), source_info: fileSource(planChunks(1000)) });
    expect(b.body.error.code).toBe('spam_risk_user_banned_from_posting');
  });

  it('enforces the daily post cap per creator, at init and at creator_info, until 24 hours pass', async () => {
    const clock = manualClock();
    const s = await start({ clock, dailyPostCap: 2, rateLimits: false });
    const { access_token: token } = s.issueTokens();
    const body = { post_info: postInfo(), source_info: fileSource(planChunks(1000)) };
    expect((await call(s.origin, TIKTOK_PATHS.videoInit, token, body)).body.error.code).toBe('ok');
    expect((await call(s.origin, TIKTOK_PATHS.videoInit, token, body)).body.error.code).toBe('ok');
    const third = await call(s.origin, TIKTOK_PATHS.videoInit, token, body);
    expect([third.status, third.body.error.code]).toEqual([403, 'spam_risk_too_many_posts']);
    expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, token)).body.error.code).toBe('spam_risk_too_many_posts');
    clock.advance(24 * 3600 * 1000 + 1);
    const { access_token: fresh } = s.issueTokens();
    expect((await call(s.origin, TIKTOK_PATHS.videoInit, fresh, body)).body.error.code).toBe('ok');
  });

  it('expires an upload_url after one hour with 403', async () => {
    const clock = manualClock();
    const s = await start({ clock });
    const { access_token: token } = s.issueTokens();
    const { plan, uploadUrl } = await initDirectPost(s.origin, token, 1000);
    clock.advance(3600 * 1000);
    const video = new SyntheticVideo(1000);
    const res = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'video/mp4', 'Content-Range': `bytes 0-999/${plan.videoSize}` }, body: video.slice(0, 999) });
    expect(res.status).toBe(403);
  });

  it('answers status only for the creator who owns the publish_id', async () => {
    const s = await start({ accounts: [{ openId: 'alice' }, { openId: 'bob' }] });
    const alice = s.issueTokens('alice').access_token;
    const bob = s.issueTokens('bob').access_token;
    const { publishId } = await initDirectPost(s.origin, alice, 1000);
    const theirs = await fetchStatus(s.origin, bob, publishId);
    expect([theirs.status, theirs.body.error.code]).toEqual([403, 'token_not_authorized_for_specified_publish_id']);
    const unknown = await fetchStatus(s.origin, alice, 'v_pub_file~v2-1.1');
    expect(unknown.body.error.code).toBe('invalid_publish_id');
  });
});

describe('TikTok simulator: unaudited client', () => {
  it('refuses anything but SELF_ONLY, and SELF_ONLY to a public account, with unaudited_client_can_only_post_to_private_accounts', async () => {
    const s = await start({ audited: false, accounts: [{ openId: 'public' }, { openId: 'private', isPrivate: true }], rateLimits: false });
    const pub = s.issueTokens('public').access_token;
    const priv = s.issueTokens('private').access_token;
    const source = fileSource(planChunks(1000));
    const a = await call(s.origin, TIKTOK_PATHS.videoInit, priv, { post_info: postInfo({ privacy_level: 'FOLLOWER_OF_CREATOR' }), source_info: source });
    expect([a.status, a.body.error.code]).toEqual([403, 'unaudited_client_can_only_post_to_private_accounts']);
    const b = await call(s.origin, TIKTOK_PATHS.videoInit, pub, { post_info: postInfo({ privacy_level: 'SELF_ONLY' }), source_info: source });
    expect(b.body.error.code).toBe('unaudited_client_can_only_post_to_private_accounts');
    const c = await call(s.origin, TIKTOK_PATHS.videoInit, pub, { post_info: postInfo({ privacy_level: 'PUBLIC_TO_EVERYONE' }), source_info: source });
    expect(c.body.error.code).toBe('unaudited_client_can_only_post_to_private_accounts');
  });

  it('publishes SELF_ONLY to a private account, with no public post id', async () => {
    const s = await start({ audited: false, accounts: [{ isPrivate: true }], processing: { polls: 0 } });
    const { access_token: token } = s.issueTokens();
    const { plan, publishId, uploadUrl } = await initDirectPost(s.origin, token, 1000, postInfo({ privacy_level: 'SELF_ONLY' }));
    await uploadChunks(uploadUrl, plan, new SyntheticVideo(1000));
    const done = await fetchStatus(s.origin, token, publishId);
    expect(done.body.data).toEqual({ status: 'PUBLISH_COMPLETE', uploaded_bytes: 1000 });
    expect(s.feed()[0]).toMatchObject({ privacyLevel: 'SELF_ONLY', moderated: true });
  });

  it('lets at most five users post within 24 hours, then answers reached_active_user_cap', async () => {
    const ids = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    const s = await start({ audited: false, accounts: ids.map((openId) => ({ openId, isPrivate: true })) });
    const body = { post_info: postInfo({ privacy_level: 'SELF_ONLY' }), source_info: fileSource(planChunks(1000)) };
    for (const id of ids.slice(0, 5)) expect((await call(s.origin, TIKTOK_PATHS.videoInit, s.issueTokens(id).access_token, body)).body.error.code).toBe('ok');
    const sixth = await call(s.origin, TIKTOK_PATHS.videoInit, s.issueTokens('u6').access_token, body);
    expect([sixth.status, sixth.body.error.code]).toEqual([403, 'reached_active_user_cap']);
    // A user who already posted today may post again.
    expect((await call(s.origin, TIKTOK_PATHS.videoInit, s.issueTokens('u1').access_token, body)).body.error.code).toBe('ok');
  });

  it('lifts the restriction once the client is audited', async () => {
    const s = await start({ audited: false });
    const { access_token: token } = s.issueTokens();
    const body = { post_info: postInfo(), source_info: fileSource(planChunks(1000)) };
    expect((await call(s.origin, TIKTOK_PATHS.videoInit, token, body)).body.error.code).toBe('unaudited_client_can_only_post_to_private_accounts');
    s.setAudited(true);
    expect((await call(s.origin, TIKTOK_PATHS.videoInit, token, body)).body.error.code).toBe('ok');
  });
});

describe('TikTok simulator: inbox (draft) upload', () => {
  it('uploads with video.upload, ends in SEND_TO_USER_INBOX, and reaches the feed only when the owner finishes it in the app', async () => {
    const s = await start({ processing: { polls: 0 } });
    const { access_token: token } = s.issueTokens(undefined, ['video.upload']);
    const plan = planChunks(6_000_000);
    const init = await call<{ publish_id: string; upload_url: string }>(s.origin, TIKTOK_PATHS.inboxVideoInit, token, { source_info: fileSource(plan) });
    expect(init.body.error.code).toBe('ok');
    expect(init.body.data.publish_id).toMatch(/^v_inbox_file~v2\.\d+$/);
    const video = new SyntheticVideo(plan.videoSize, 2);
    expect(await uploadChunks(init.body.data.upload_url, plan, video)).toEqual([201]);
    const status = await fetchStatus(s.origin, token, init.body.data.publish_id);
    expect(status.body.data.status).toBe('SEND_TO_USER_INBOX');
    expect(s.feed()).toEqual([]);
    const post = s.finishInboxShare(init.body.data.publish_id, { caption: 'Finished in the app', privacyLevel: 'MUTUAL_FOLLOW_FRIENDS' });
    expect(post).toMatchObject({ via: 'inbox', caption: 'Finished in the app', video: { sha256: video.sha256() } });
    expect((await fetchStatus(s.origin, token, init.body.data.publish_id)).body.data.status).toBe('PUBLISH_COMPLETE');
  });

  it('refuses a Direct Post token without video.upload, and a sixth pending draft within 24 hours', async () => {
    const s = await start({ rateLimits: false });
    const source = { source_info: fileSource(planChunks(1000)) };
    const directOnly = s.issueTokens(undefined, ['video.publish']).access_token;
    expect((await call(s.origin, TIKTOK_PATHS.inboxVideoInit, directOnly, source)).body.error.code).toBe('scope_not_authorized');
    const { access_token: token } = s.issueTokens();
    for (let i = 0; i < 5; i++) expect((await call(s.origin, TIKTOK_PATHS.inboxVideoInit, token, source)).body.error.code).toBe('ok');
    const sixth = await call(s.origin, TIKTOK_PATHS.inboxVideoInit, token, source);
    expect([sixth.status, sixth.body.error.code]).toEqual([403, 'spam_risk_too_many_pending_share']);
  });
});

describe('TikTok simulator: photo posts and pulls', () => {
  const photoBody = (images: string[], overrides: Record<string, unknown> = {}) => ({
    media_type: 'PHOTO',
    post_mode: 'DIRECT_POST',
    post_info: { title: 'Park clean-up', description: 'Thanks to everyone #volunteers', privacy_level: 'PUBLIC_TO_EVERYONE', brand_content_toggle: false },
    source_info: { source: 'PULL_FROM_URL', photo_cover_index: 0, photo_images: images },
    ...overrides,
  });

  it('refuses photos from an unverified domain, and any FILE_UPLOAD photo', async () => {
    const s = await start({ rateLimits: false });
    const { access_token: token } = s.issueTokens();
    const a = await call(s.origin, TIKTOK_PATHS.contentInit, token, photoBody(['https://media.example.org/1.webp']));
    expect([a.status, a.body.error.code]).toEqual([403, 'url_ownership_unverified']);
    const b = await call(s.origin, TIKTOK_PATHS.contentInit, token, photoBody([], { source_info: { source: 'FILE_UPLOAD' } }));
    expect([b.status, b.body.error.code]).toEqual([400, 'invalid_param']);
  });

  it('publishes photos from a verified prefix through PROCESSING_DOWNLOAD, fetching nothing', async () => {
    const s = await start({ verifiedUrlPrefixes: ['https://media.example.org/'], processing: { polls: 1, moderationPolls: 0 } });
    const { access_token: token } = s.issueTokens();
    const init = await call<{ publish_id: string }>(s.origin, TIKTOK_PATHS.contentInit, token, photoBody(['https://media.example.org/1.webp', 'https://media.example.org/2.webp']));
    expect(init.body.data.publish_id).toMatch(/^p_pub_url~v2\.\d+$/);
    const seen = await pollStatus(s.origin, token, init.body.data.publish_id, (st) => st === 'PUBLISH_COMPLETE');
    expect(seen.map((r) => r.body.data.status)).toEqual(['PROCESSING_DOWNLOAD', 'PUBLISH_COMPLETE']);
    expect(s.feed()[0]).toMatchObject({ photoUrls: ['https://media.example.org/1.webp', 'https://media.example.org/2.webp'], video: null });
  });

  it('cancels a pull in progress but not a file upload', async () => {
    const s = await start({ verifiedUrlPrefixes: ['https://media.example.org/'] });
    const { access_token: token } = s.issueTokens();
    const pull = await call<{ publish_id: string }>(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo(), source_info: { source: 'PULL_FROM_URL', video_url: 'https://media.example.org/v.mp4' } });
    expect(pull.body.data.publish_id).toMatch(/^v_pub_url~/);
    expect((await call(s.origin, TIKTOK_PATHS.cancel, token, { publish_id: pull.body.data.publish_id })).body.error.code).toBe('ok');
    expect((await fetchStatus(s.origin, token, pull.body.data.publish_id)).body.data).toMatchObject({ status: 'FAILED', fail_reason: 'publish_cancelled' });
    const { publishId } = await initDirectPost(s.origin, token, 1000);
    expect((await call(s.origin, TIKTOK_PATHS.cancel, token, { publish_id: publishId })).body.error.code).toBe('publish_not_cancellable');
  });
});

describe('TikTok simulator: rate limits', () => {
  it('allows 20 creator_info calls per token per sliding minute, then 429 rate_limit_exceeded', async () => {
    const clock = manualClock();
    const s = await start({ clock });
    const { access_token: token } = s.issueTokens();
    for (let i = 0; i < 20; i++) expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, token)).status).toBe(200);
    const limited = await call(s.origin, TIKTOK_PATHS.creatorInfo, token);
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limit_exceeded']);
    // Per token: another token for the same user has its own budget.
    expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, s.issueTokens().access_token)).status).toBe(200);
    clock.advance(60_001);
    expect((await call(s.origin, TIKTOK_PATHS.creatorInfo, token)).status).toBe(200);
  });

  it('allows 6 inits and 30 status polls per token per minute', async () => {
    const clock = manualClock();
    const s = await start({ clock });
    const { access_token: token } = s.issueTokens();
    const body = { post_info: postInfo(), source_info: fileSource(planChunks(1000)) };
    let publishId = '';
    for (let i = 0; i < 6; i++) {
      const res = await call<{ publish_id: string }>(s.origin, TIKTOK_PATHS.videoInit, token, body);
      expect(res.body.error.code).toBe('ok');
      publishId = res.body.data.publish_id;
    }
    expect((await call(s.origin, TIKTOK_PATHS.videoInit, token, body)).status).toBe(429);
    for (let i = 0; i < 30; i++) expect((await fetchStatus(s.origin, token, publishId)).status).toBe(200);
    expect((await fetchStatus(s.origin, token, publishId)).body.error.code).toBe('rate_limit_exceeded');
    clock.advance(30_000);
    expect((await fetchStatus(s.origin, token, publishId)).status).toBe(429);
    clock.advance(30_001);
    expect((await fetchStatus(s.origin, token, publishId)).status).toBe(200);
  });
});
