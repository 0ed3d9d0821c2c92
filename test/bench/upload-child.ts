// Uploads one video to the TikTok simulator through Airlock's TikTok adapter (10 MB chunks, the
// real egress client allowed only loopback) in a process of its own, and prints how long the
// upload took and the process's peak RSS, so the figure is the adapter's footprint alone.
// Usage: node upload-child.ts ORIGIN CONFIG_JSON VIDEO  ->  {"ms":…,"peakRssKiB":…,"bytes":…}
// CONFIG_JSON: {"openId","accessToken","refreshToken","clientKey","clientSecret"}

import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createTikTokAdapter } from '../../electron/platforms/tiktok/adapter.ts';
import { EgressLog } from '../../electron/services/egress/egress-log.ts';
import { EgressPolicy } from '../../electron/services/egress/egress-policy.ts';
import { createEgressClient } from '../../electron/services/egress/http-client.ts';

const [origin, configJson, video] = process.argv.slice(2);
if (origin === undefined || configJson === undefined || video === undefined) {
  console.error('usage: upload-child.ts ORIGIN CONFIG_JSON VIDEO');
  process.exit(2);
}
const config = JSON.parse(configJson) as { openId: string; accessToken: string; refreshToken: string; clientKey: string; clientSecret: string };

/** VmHWM: this process's own peak (getrusage's maxRSS is inherited across exec on Linux). */
function peakRssKiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]);
  } catch {
    // No procfs: fall through to getrusage.
  }
  return process.resourceUsage().maxRSS;
}

const http = createEgressClient({ policy: new EgressPolicy({ allowedHosts: [], allowLoopback: true }), log: new EgressLog() });
const adapter = createTikTokAdapter({ pollIntervalMs: 1, appCredentials: async () => ({ clientId: config.clientKey, clientSecret: config.clientSecret }) });
const bytes = (await stat(video)).size;
let checkpoint: Record<string, unknown> = {};
const started = performance.now();
const result = await adapter.publish(
  {
    postId: 'bench-upload',
    idempotencyKey: `bench-upload:${process.pid}:${Date.now()}`,
    caption: 'Harbour walk #bench',
    options: { privacyLevel: 'SELF_ONLY' },
    media: [{ kind: 'video', path: video, bytes, format: 'mp4', contentType: 'video/mp4', cleanSha256: '', altText: null, width: null, height: null, durationMs: 2000 }],
  },
  {
    account: { platform: 'tiktok', accountId: config.openId, apiBase: origin },
    http,
    credentials: async () => ({ accessToken: config.accessToken, refreshToken: config.refreshToken, expiresAt: Date.now() + 3_600_000, refreshExpiresAt: Date.now() + 86_400_000, scopes: ['user.info.basic', 'video.publish', 'video.upload'] }),
    saveCredentials: async () => {},
    onProgress: () => {},
    signal: new AbortController().signal,
    checkpoint: {
      load: async () => checkpoint,
      save: async (next) => {
        checkpoint = next;
      },
    },
  },
);
const ms = performance.now() - started;
http.close();
console.log(JSON.stringify({ ms, peakRssKiB: peakRssKiB(), bytes, remoteId: result.remoteId }));
