import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChunkPlan } from '../../../../electron/platforms/tiktok/chunks.ts';
import { initDirectPost, MiB, postInfo, SyntheticVideo, uploadChunks } from './driver.ts';

const simulatorModule = pathToFileURL(join(import.meta.dirname, '../../../../electron/platforms/tiktok/simulator.ts')).href;

// The simulator runs in its own process so its memory is measured apart from the client's.
const CHILD = `
  const { startTikTokSimulator } = await import(${JSON.stringify(simulatorModule)});
  const sim = await startTikTokSimulator({ rateLimits: false });
  let peak = 0;
  const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
  setInterval(sample, 5).unref();
  process.on('message', async (m) => {
    if (m === 'baseline') { globalThis.gc(); peak = 0; sample(); process.send({ baseline: process.memoryUsage().rss }); }
    if (m === 'peak') { sample(); process.send({ peak, uploads: sim.uploads() }); }
    if (m === 'stop') { await sim.stop(); process.exit(0); }
  });
  process.send({ origin: sim.origin, token: sim.issueTokens().access_token });
`;

let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill();
});

function ask<T>(message?: string): Promise<T> {
  return new Promise((resolve) => {
    child!.once('message', (reply) => resolve(reply as T));
    if (message !== undefined) child!.send(message);
  });
}

async function upload(origin: string, token: string, size: number, seed: number): Promise<SyntheticVideo> {
  const plan: ChunkPlan = { videoSize: size, chunkSize: 16 * MiB, totalChunkCount: size / (16 * MiB) };
  const video = new SyntheticVideo(size, seed);
  const { uploadUrl } = await initDirectPost(origin, token, size, postInfo(), plan);
  const statuses = await uploadChunks(uploadUrl, plan, video);
  expect(statuses.at(-1)).toBe(201);
  return video;
}

describe('TikTok simulator memory', () => {
  it('hashes uploads as they stream: its RSS stays flat whether 32 MiB or 160 MiB goes through', async () => {
    child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '--eval', CHILD], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const { origin, token } = await ask<{ origin: string; token: string }>();
    expect(new URL(origin).hostname).toBe('127.0.0.1');

    const { baseline } = await ask<{ baseline: number }>('baseline');
    const small = await upload(origin, token, 32 * MiB, 1);
    const afterSmall = await ask<{ peak: number }>('peak');
    const large = await upload(origin, token, 160 * MiB, 2);
    const afterLarge = await ask<{ peak: number; uploads: { sha256: string }[] }>('peak');

    expect(afterLarge.uploads.map((u) => u.sha256)).toEqual([small.sha256(), large.sha256()]);
    const smallGrowth = afterSmall.peak - baseline;
    const largeGrowth = afterLarge.peak - baseline;
    const report = `RSS grew ${(smallGrowth / MiB).toFixed(1)} MiB after 32 MiB, ${(largeGrowth / MiB).toFixed(1)} MiB after 160 MiB more`;
    // Sockets and freed-but-unreturned buffers cost a constant; the video itself is never held.
    expect(largeGrowth - smallGrowth, report).toBeLessThan(24 * MiB);
    expect(largeGrowth, report).toBeLessThan(80 * MiB);
    child.send('stop');
  }, 120_000);
});
