import { afterEach, describe, expect, it } from 'vitest';
import { chunkRange, contentRangeHeader, planChunks, type ChunkPlan } from '../../../../electron/platforms/tiktok/chunks.ts';
import { TIKTOK_PATHS } from '../../../../electron/platforms/tiktok/protocol.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../../../electron/platforms/tiktok/simulator.ts';
import { call, fetchStatus, initDirectPost, MiB, postInfo, putChunk, SyntheticVideo, uploadChunks } from './driver.ts';

let sim: TikTokSimulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(): Promise<{ s: TikTokSimulator; token: string }> {
  sim = await startTikTokSimulator({ rateLimits: false });
  return { s: sim, token: sim.issueTokens().access_token };
}

const initWith = (s: TikTokSimulator, token: string, source: Record<string, unknown>) =>
  call(s.origin, TIKTOK_PATHS.videoInit, token, { post_info: postInfo(), source_info: { source: 'FILE_UPLOAD', ...source } });

/** Three chunks of 5 MiB, the last one 5 MiB + 123 bytes. */
const PLAN: ChunkPlan = { videoSize: 15 * MiB + 123, chunkSize: 5 * MiB, totalChunkCount: 3 };

describe('TikTok simulator: chunk rules at init (§1.4)', () => {
  it('accepts the documented example: 50,000,123 bytes in 10,000,000-byte chunks is 5 chunks', async () => {
    const { s, token } = await start();
    const res = await initWith(s, token, { video_size: 50_000_123, chunk_size: 10_000_000, total_chunk_count: 5 });
    expect(res.body.error.code).toBe('ok');
  });

  it.each([
    ['a total_chunk_count that is not video_size / chunk_size rounded down', { video_size: 50_000_123, chunk_size: 10_000_000, total_chunk_count: 6 }],
    ['chunks under 5 MiB', { video_size: 20_000_000, chunk_size: 4_000_000, total_chunk_count: 5 }],
    ['chunks over 64,000,000 bytes', { video_size: 200_000_000, chunk_size: 65_000_000, total_chunk_count: 3 }],
    ['a single chunk for a video over 64,000,000 bytes', { video_size: 100_000_000, chunk_size: 60_000_000, total_chunk_count: 1 }],
    ['a small video not sent whole', { video_size: 3_000_000, chunk_size: 1_000_000, total_chunk_count: 3 }],
    ['a chunk size larger than the video', { video_size: 3_000_000, chunk_size: 5_242_880, total_chunk_count: 0 }],
    ['more than 1000 chunks', { video_size: 6_000_000_000, chunk_size: 5_242_880, total_chunk_count: 1144 }],
    ['a video over 4 GB', { video_size: 4_100_000_000, chunk_size: 50_000_000, total_chunk_count: 82 }],
    ['a fractional size', { video_size: 1000.5, chunk_size: 1000.5, total_chunk_count: 1 }],
    ['sizes sent as strings', { video_size: '1000', chunk_size: '1000', total_chunk_count: 1 }],
  ])('refuses %s with 400 invalid_param', async (_name, source) => {
    const { s, token } = await start();
    const res = await initWith(s, token, source);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_param');
    expect(res.body.error.message.length).toBeGreaterThan(0);
  });
});

describe('TikTok simulator: chunk transfer (§1.4)', () => {
  it('answers 206 with progress in Content-Range for each chunk and 201 for the last', async () => {
    const { s, token } = await start();
    const { uploadUrl } = await initDirectPost(s.origin, token, PLAN.videoSize, postInfo(), PLAN);
    const video = new SyntheticVideo(PLAN.videoSize);
    const answers = [];
    for (let i = 0; i < PLAN.totalChunkCount; i++) {
      const r = chunkRange(PLAN, i);
      answers.push(await putChunk(uploadUrl, video.slice(r.first, r.last), contentRangeHeader(PLAN, i)));
    }
    expect(answers.map((a) => [a.status, a.contentRange])).toEqual([
      [206, `bytes 0-${5 * MiB - 1}/${PLAN.videoSize}`],
      [206, `bytes 0-${10 * MiB - 1}/${PLAN.videoSize}`],
      [201, `bytes 0-${PLAN.videoSize - 1}/${PLAN.videoSize}`],
    ]);
    expect(chunkRange(PLAN, 2).length).toBe(5 * MiB + 123);
  });

  it('refuses a chunk sent out of order with 416, and accepts the right one afterwards', async () => {
    const { s, token } = await start();
    const { uploadUrl } = await initDirectPost(s.origin, token, PLAN.videoSize, postInfo(), PLAN);
    const video = new SyntheticVideo(PLAN.videoSize);
    const second = chunkRange(PLAN, 1);
    const res = await putChunk(uploadUrl, video.slice(second.first, second.last), contentRangeHeader(PLAN, 1));
    expect(res.status).toBe(416);
    expect(s.uploads()[0]!.uploadedBytes).toBe(0);
    expect(await uploadChunks(uploadUrl, PLAN, video)).toEqual([206, 206, 201]);
    expect(s.uploads()[0]!.sha256).toBe(video.sha256());
  });

  it('refuses an overlapping chunk (the first chunk again) with 416 and keeps the hash right', async () => {
    const { s, token } = await start();
    const { uploadUrl } = await initDirectPost(s.origin, token, PLAN.videoSize, postInfo(), PLAN);
    const video = new SyntheticVideo(PLAN.videoSize);
    const first = chunkRange(PLAN, 0);
    expect((await putChunk(uploadUrl, video.slice(first.first, first.last), contentRangeHeader(PLAN, 0))).status).toBe(206);
    expect((await putChunk(uploadUrl, video.slice(first.first, first.last), contentRangeHeader(PLAN, 0))).status).toBe(416);
    // A range that starts inside what was already received overlaps too.
    const overlapping = `bytes ${MiB}-${6 * MiB - 1}/${PLAN.videoSize}`;
    expect((await putChunk(uploadUrl, video.slice(MiB, 6 * MiB - 1), overlapping)).status).toBe(416);
    expect(await uploadChunks(uploadUrl, PLAN, video, 1)).toEqual([206, 201]);
    expect(s.uploads()[0]!.sha256).toBe(video.sha256());
  });

  it('refuses a chunk of the wrong size with 400, even when it starts in the right place', async () => {
    const { s, token } = await start();
    const { uploadUrl } = await initDirectPost(s.origin, token, PLAN.videoSize, postInfo(), PLAN);
    const video = new SyntheticVideo(PLAN.videoSize);
    const short = await putChunk(uploadUrl, video.slice(0, MiB - 1), `bytes 0-${MiB - 1}/${PLAN.videoSize}`);
    expect(short.status).toBe(400);
    expect(short.body).toContain('chunk size is invalid');
    // The final chunk must run to the end: no splitting the remainder off on its own.
    expect(await uploadChunks(uploadUrl, PLAN, video, 0, 2)).toEqual([206, 206]);
    const tail = await putChunk(uploadUrl, video.slice(10 * MiB, 15 * MiB - 1), `bytes ${10 * MiB}-${15 * MiB - 1}/${PLAN.videoSize}`);
    expect(tail.status).toBe(400);
  });

  it('refuses malformed headers with 400: Content-Type, Content-Range, total, and a length that disagrees with the range', async () => {
    const { s, token } = await start();
    const plan = planChunks(1000);
    const { uploadUrl } = await initDirectPost(s.origin, token, 1000, postInfo(), plan);
    const bytes = new SyntheticVideo(1000).slice(0, 999);
    expect((await putChunk(uploadUrl, bytes, 'bytes 0-999/1000', { 'Content-Type': 'application/octet-stream' })).status).toBe(400);
    expect((await putChunk(uploadUrl, bytes, '0-999/1000')).status).toBe(400);
    expect((await putChunk(uploadUrl, bytes, 'bytes 0-999/*')).status).toBe(400);
    expect((await putChunk(uploadUrl, bytes, 'bytes 0-999/1001')).status).toBe(400);
    expect((await putChunk(uploadUrl, bytes.subarray(0, 500), 'bytes 0-999/1000')).status).toBe(400);
    const noRange = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'video/mp4' }, body: bytes });
    expect(noRange.status).toBe(400);
    // Streaming without Content-Length (chunked transfer encoding) is malformed here too.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const chunked = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'video/mp4', 'Content-Range': 'bytes 0-999/1000' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(400);
    expect((await putChunk(uploadUrl, bytes, 'bytes 0-999/1000', { 'Content-Type': 'video/quicktime' })).status).toBe(201);
  });

  it('answers 404 for an unknown upload task or a wrong upload token', async () => {
    const { s, token } = await start();
    const { uploadUrl } = await initDirectPost(s.origin, token, 1000);
    const bytes = new SyntheticVideo(1000).slice(0, 999);
    const wrongToken = new URL(uploadUrl);
    wrongToken.searchParams.set('upload_token', 'nope');
    expect((await putChunk(wrongToken.href, bytes, 'bytes 0-999/1000')).status).toBe(404);
    const wrongId = new URL(uploadUrl);
    wrongId.searchParams.set('upload_id', '1');
    expect((await putChunk(wrongId.href, bytes, 'bytes 0-999/1000')).status).toBe(404);
  });

  it('reports uploaded_bytes in status while the upload is in progress', async () => {
    const { s, token } = await start();
    const { publishId, uploadUrl } = await initDirectPost(s.origin, token, PLAN.videoSize, postInfo(), PLAN);
    const video = new SyntheticVideo(PLAN.videoSize);
    await uploadChunks(uploadUrl, PLAN, video, 0, 1);
    expect((await fetchStatus(s.origin, token, publishId)).body.data).toEqual({ status: 'PROCESSING_UPLOAD', uploaded_bytes: 5 * MiB });
  });

  it('never records the upload token in its request log', async () => {
    const { s, token } = await start();
    const { uploadUrl } = await initDirectPost(s.origin, token, 1000);
    await putChunk(uploadUrl, new SyntheticVideo(1000).slice(0, 999), 'bytes 0-999/1000');
    const log = JSON.stringify(s.requests());
    expect(log).not.toContain(new URL(uploadUrl).searchParams.get('upload_token'));
    expect(s.requests().at(-1)).toEqual({ method: 'PUT', path: '/video/', endpoint: 'upload', status: 201 });
  });
});
