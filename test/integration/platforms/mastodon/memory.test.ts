// Memory stays bounded by a read piece, not by the file, on both sides of a Mastodon upload: the
// adapter streams the multipart body from disk, and the simulator hashes it as it arrives. Each
// side runs in its own process so only its own memory is measured.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartFileBody } from '../../../../electron/platforms/mastodon/mastodon-multipart.ts';
import { MASTODON_PATHS } from '../../../../electron/platforms/mastodon/mastodon-protocol.ts';
import { startMastodonSimulator } from '../../../../electron/platforms/mastodon/simulator.ts';
import { makeVideo } from '../../../support/video-fixtures.ts';
import { MiB, padVideo } from './driver.ts';

const here = import.meta.dirname;
const moduleUrl = (p: string) => pathToFileURL(join(here, p)).href;

let dir: string;
let clip: string;
let video64: string;
let video96: string;
let child: ChildProcess | undefined;

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-mastodon-memory-'));
  clip = await makeVideo(dir, 'clip', { seconds: 1 });
  video64 = await padVideo(clip, join(dir, 'video64.mp4'), 64 * MiB);
  video96 = await padVideo(clip, join(dir, 'video96.mp4'), 96 * MiB);
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill();
  await rm(dir, { recursive: true, force: true });
});

// A small young generation keeps the collector's slack (up to three semi-spaces, 16 MiB each by
// default) from swinging the peaks with the machine's load; a program that held the file would
// still grow by the file's size.
function runChild(source: string, stdio: 'pipe' | 'ipc'): { process: ChildProcess; output: Promise<string> } {
  const p = spawn(process.execPath, ['--expose-gc', '--max-semi-space-size=2', '--input-type=module', '--eval', source], {
    stdio: stdio === 'ipc' ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  p.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  const output = new Promise<string>((resolve, reject) => {
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}: ${text}`))));
  });
  return { process: p, output };
}

describe('Mastodon memory', () => {
  it('the adapter streams a 64 MiB video: RSS grows far less than the file, and no more for 96 MiB', async () => {
    const sim = await startMastodonSimulator({ rateLimits: false, processing: { polls: 1 } });
    try {
      const account = sim.accounts()[0]!.id;
      const job = { origin: sim.origin, token: sim.issueToken().access_token, account, clip, video64, video96, sizes: { clip: (await stat(clip)).size, v64: 64 * MiB, v96: 96 * MiB } };
      const source = `
        const { createMastodonAdapter } = await import(${JSON.stringify(moduleUrl('../../../../electron/platforms/mastodon/adapter.ts'))});
        const { createEgressClient } = await import(${JSON.stringify(moduleUrl('../../../../electron/services/egress/http-client.ts'))});
        const { EgressPolicy } = await import(${JSON.stringify(moduleUrl('../../../../electron/services/egress/egress-policy.ts'))});
        const { EgressLog } = await import(${JSON.stringify(moduleUrl('../../../../electron/services/egress/egress-log.ts'))});
        const job = ${JSON.stringify(job)};
        const http = createEgressClient({ policy: new EgressPolicy({ allowedHosts: [], allowLoopback: true }), log: new EgressLog() });
        const adapter = createMastodonAdapter({ pollIntervalMs: 1, sleep: async () => {} });
        const context = () => {
          let state = {};
          return {
            account: { platform: 'mastodon', accountId: job.account, apiBase: job.origin },
            http,
            credentials: async () => ({ accessToken: job.token }),
            saveCredentials: async () => { throw new Error('never'); },
            onProgress: () => {},
            signal: new AbortController().signal,
            checkpoint: { load: async () => state, save: async (s) => { state = s; } },
          };
        };
        const request = (path, bytes, key) => ({ postId: key, idempotencyKey: key, caption: 'memory ' + key, options: {},
          media: [{ kind: 'video', path, bytes, format: 'mp4', contentType: 'video/mp4', cleanSha256: key, altText: 'A test video', width: null, height: null, durationMs: 1000 }] });
        // Warm up sockets, parsers and the JIT on a small video first.
        await adapter.publish(request(job.clip, job.sizes.clip, 'warm'), context());
        globalThis.gc();
        const baseline = process.memoryUsage().rss;
        let peak = baseline;
        const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
        await adapter.publish(request(job.video64, job.sizes.v64, 'v64'), context());
        peak = Math.max(peak, process.memoryUsage().rss);
        const growth = peak - baseline;
        await adapter.publish(request(job.video96, job.sizes.v96, 'v96'), context());
        peak = Math.max(peak, process.memoryUsage().rss);
        clearInterval(timer);
        http.close();
        process.stdout.write(JSON.stringify({ growth, more: peak - baseline - growth }));
      `;
      const { output } = runChild(source, 'pipe');
      const { growth, more } = JSON.parse(await output) as { growth: number; more: number };
      const report = `adapter RSS grew ${(growth / MiB).toFixed(1)} MiB over the 64 MiB upload, then ${(more / MiB).toFixed(1)} MiB more over 96 MiB`;
      const feed = sim.feed();
      expect(feed.map((p) => p.media[0]!.sizeBytes)).toEqual([96 * MiB, 64 * MiB, job.sizes.clip]);
      expect(feed[1]!.media[0]!.sha256).toBe(await sha256Of(video64));
      // Read pieces, socket buffers and the collector's slack cost a constant; the file is never held.
      expect(growth, report).toBeLessThan(40 * MiB);
      expect(more, report).toBeLessThan(16 * MiB);
    } finally {
      await sim.stop();
    }
  }, 120_000);

  it('the simulator hashes uploads as they stream: its RSS stays flat whether 64 MiB or 96 MiB arrives', async () => {
    const source = `
      const { startMastodonSimulator } = await import(${JSON.stringify(moduleUrl('../../../../electron/platforms/mastodon/simulator.ts'))});
      const sim = await startMastodonSimulator({ rateLimits: false });
      let peak = 0;
      const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
      setInterval(sample, 5).unref();
      process.on('message', async (m) => {
        if (m === 'baseline') { globalThis.gc(); peak = 0; sample(); process.send({ baseline: process.memoryUsage().rss }); }
        if (m === 'peak') { sample(); process.send({ peak, media: sim.media().map((x) => ({ sha256: x.sha256, size: x.sizeBytes })) }); }
        if (m === 'stop') { await sim.stop(); process.exit(0); }
      });
      process.send({ origin: sim.origin, token: sim.issueToken().access_token });
    `;
    const run = runChild(source, 'ipc');
    child = run.process;
    const ask = <T,>(message?: string) =>
      new Promise<T>((resolve) => {
        child!.once('message', (reply) => resolve(reply as T));
        if (message !== undefined) child!.send(message);
      });
    const { origin, token } = await ask<{ origin: string; token: string }>();
    expect(new URL(origin).hostname).toBe('127.0.0.1');
    const upload = async (path: string, bytes: number) => {
      const body = multipartFileBody([['description', 'memory']], { field: 'file', filename: 'v.mp4', contentType: 'video/mp4', path, bytes }, 256 * 1024);
      const res = await fetch(`${origin}${MASTODON_PATHS.mediaV2}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': body.contentType, 'Content-Length': String(body.contentLength) },
        body: Readable.toWeb(body.open()) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(202);
      await res.arrayBuffer();
    };

    const { baseline } = await ask<{ baseline: number }>('baseline');
    await upload(video64, 64 * MiB);
    const afterSmall = await ask<{ peak: number }>('peak');
    await upload(video96, 96 * MiB);
    const afterLarge = await ask<{ peak: number; media: { sha256: string; size: number }[] }>('peak');
    child.send('stop');
    await run.output;

    expect(afterLarge.media).toEqual([
      { sha256: await sha256Of(video64), size: 64 * MiB },
      { sha256: await sha256Of(video96), size: 96 * MiB },
    ]);
    const smallGrowth = afterSmall.peak - baseline;
    const largeGrowth = afterLarge.peak - baseline;
    const report = `simulator RSS grew ${(smallGrowth / MiB).toFixed(1)} MiB after 64 MiB, ${(largeGrowth / MiB).toFixed(1)} MiB after 96 MiB more`;
    // The collector's slack is a constant, below the first file's size; what proves streaming is
    // that 96 MiB more costs next to nothing.
    expect(largeGrowth - smallGrowth, report).toBeLessThan(16 * MiB);
    expect(largeGrowth, report).toBeLessThan(64 * MiB);
  }, 120_000);
});
