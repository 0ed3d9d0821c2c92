// Upload figures for `npm run bench`: a large video to the TikTok simulator on 127.0.0.1 through
// Airlock's TikTok adapter, against curl sending the same file to the same upload endpoint.
//
// TikTok takes a large video only in chunks (5–64 MB, in order, each a PUT with Content-Range),
// so the reference is curl doing exactly that: one curl sending the file's 10 MB chunks (cut
// beforehand, untimed) as PUTs, one after another over one connection, same headers. The adapter runs in a child process (upload-child.ts)
// so its peak RSS is its own; the child's time is the publish call alone (init, chunks, status).

import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { planChunks, chunkRange, type ChunkPlan } from '../../electron/platforms/tiktok/chunks.ts';
import { TIKTOK_PATHS } from '../../electron/platforms/tiktok/protocol.ts';
import { startTikTokSimulator, type TikTokSimulator } from '../../electron/platforms/tiktok/simulator.ts';
import type { Comparison, Figure } from './measure.ts';
import { comparisonRatio, describeComparison, kibToMb, settleDisk, sizeLabel, timed, warmRead } from './measure.ts';

const CHILD = fileURLToPath(new URL('./upload-child.ts', import.meta.url));
const CURL = '/usr/bin/curl';
const RSS_LIMIT_MB = 250;
const execFileAsync = promisify(execFile);

export interface UploadInputs {
  /** A scratch folder for curl's chunk files. */
  dir: string;
  bigVideo: string;
  sizeMib: number;
  quarterVideo: string;
  quarterMib: number;
  repeats: number;
}

interface ChildResult {
  ms: number;
  peakRssKiB: number;
  bytes: number;
}

async function adapterUpload(sim: TikTokSimulator, video: string): Promise<ChildResult> {
  const tokens = sim.issueTokens();
  const config = { openId: tokens.open_id, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, clientKey: sim.clientKey, clientSecret: sim.clientSecret };
  const { stdout } = await execFileAsync(process.execPath, [CHILD, sim.origin, JSON.stringify(config), video], { maxBuffer: 1024 * 1024 });
  return JSON.parse(stdout) as ChildResult;
}

/** Direct Post init for `bytes` in 10 MB chunks; the upload URL the chunks go to. */
async function initUpload(sim: TikTokSimulator, accessToken: string, plan: ChunkPlan): Promise<{ url: string; publishId: string }> {
  const res = await fetch(new URL(TIKTOK_PATHS.videoInit, sim.origin), {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify({
      post_info: { title: 'Harbour walk #bench', privacy_level: 'SELF_ONLY', disable_duet: true, disable_comment: true, disable_stitch: true, brand_content_toggle: false, brand_organic_toggle: false },
      source_info: { source: 'FILE_UPLOAD', video_size: plan.videoSize, chunk_size: plan.chunkSize, total_chunk_count: plan.totalChunkCount },
    }),
  });
  const body = (await res.json()) as { data: { upload_url?: string; publish_id?: string }; error: { code: string; message: string } };
  if (body.error.code !== 'ok' || body.data.upload_url === undefined || body.data.publish_id === undefined) throw new Error(`TikTok simulator init: ${body.error.code}: ${body.error.message}`);
  return { url: body.data.upload_url, publishId: body.data.publish_id };
}

/**
 * The file cut into the plan's chunks, once and untimed, so that one curl can send them all
 * over one connection, each with its own headers (`--next`), as a client written for the job
 * would; the pieces are read warm from the page cache like the file itself.
 */
async function splitIntoChunks(video: string, plan: ChunkPlan, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let index = 0; index < plan.totalChunkCount; index++) {
    const { first, last } = chunkRange(plan, index);
    const file = join(dir, `chunk-${index}`);
    await pipeline(createReadStream(video, { start: first, end: last }), createWriteStream(file));
    files.push(file);
  }
  return files;
}

function curlArgs(url: string, plan: ChunkPlan, files: string[]): string[] {
  return files.flatMap((file, index) => {
    const { first, last } = chunkRange(plan, index);
    // `-X PUT --data-binary @file` rather than `-T file`: the upload URL's path ends in "/", and
    // -T would append the file's name to it. The bytes on the wire are the same PUT.
    return [...(index > 0 ? ['--next'] : []), '-sS', '--fail', '-o', '/dev/null', '-X', 'PUT', '--data-binary', `@${file}`, '-H', 'Content-Type: video/mp4', '-H', `Content-Range: bytes ${first}-${last}/${plan.videoSize}`, url];
  });
}

async function curlUpload(sim: TikTokSimulator, video: string, chunksDir: string): Promise<number> {
  const { size } = await stat(video);
  const plan = planChunks(size);
  const files = await splitIntoChunks(video, plan, chunksDir);
  try {
    const { url, publishId } = await initUpload(sim, sim.issueTokens().access_token, plan);
    await settleDisk();
    for (const file of files) await warmRead(file);
    const { ms } = await timed(() =>
      execFileAsync(CURL, curlArgs(url, plan, files), { maxBuffer: 1024 * 1024 }).catch((err: { stderr?: string }) => {
        throw new Error(`curl failed: ${(err.stderr ?? '').trim().split('\n')[0] ?? 'no message'}`);
      }),
    );
    const upload = sim.uploads().find((u) => u.publishId === publishId);
    if (upload?.uploadedBytes !== size || upload.sha256 === null) throw new Error('the simulator did not receive the whole file from curl');
    return ms;
  } finally {
    await rm(chunksDir, { recursive: true, force: true });
  }
}

export async function measureUpload(inputs: UploadInputs): Promise<Figure[]> {
  const sim = await startTikTokSimulator({ rateLimits: false, dailyPostCap: 1_000_000, processing: { polls: 1, ms: 0, moderationPolls: 0, moderationMs: 0 } });
  try {
    // Interleaved like the disk figures: curl, adapter, adapter, curl, …; the source warm.
    const runs: Comparison = { reference: [], measured: [] };
    const peaks: number[] = [];
    for (let round = 0; round < inputs.repeats; round++) {
      const order: Array<'curl' | 'adapter'> = round % 2 === 0 ? ['curl', 'adapter'] : ['adapter', 'curl'];
      for (const side of order) {
        if (side === 'curl') runs.reference.push(await curlUpload(sim, inputs.bigVideo, join(inputs.dir, `curl-chunks-${round}`)));
        else {
          await settleDisk();
          await warmRead(inputs.bigVideo);
          const result = await adapterUpload(sim, inputs.bigVideo);
          runs.measured.push(result.ms);
          peaks.push(kibToMb(result.peakRssKiB));
        }
      }
    }
    const quarter = await adapterUpload(sim, inputs.quarterVideo);
    const quarterMb = kibToMb(quarter.peakRssKiB);
    const bigMb = Math.max(...peaks);
    const throughputRatio = 1 / comparisonRatio(runs);
    const big = sizeLabel(inputs.sizeMib);
    return [
      {
        name: 'upload-1gib',
        details: `size=${big} 10MB chunks ${describeComparison('adapter', runs, 'curl')} throughput adapter/curl=${throughputRatio.toFixed(2)} (goal>=0.8, shown as time ratio)`,
        ratio: comparisonRatio(runs),
        goal: 1.25,
      },
      {
        name: 'upload-rss',
        details: `${sizeLabel(inputs.quarterMib)}=${quarterMb.toFixed(1)}MB ${big}=${bigMb.toFixed(1)}MB (adapter process, highest of ${peaks.length})`,
        ratio: bigMb / quarterMb,
        goal: 1.2,
      },
      {
        name: 'upload-rss-peak',
        details: `${big}=${bigMb.toFixed(1)}MB limit=${RSS_LIMIT_MB}MB`,
        ratio: bigMb / RSS_LIMIT_MB,
        goal: 1,
      },
    ];
  } finally {
    await sim.stop();
  }
}
