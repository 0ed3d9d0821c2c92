// The TikTok adapter's parts without a network: envelope reading, int64 post ids, Retry-After,
// backoff with jitter, the retry loop, checkpoints, and the chunk loop's answers to 416, 403
// and 400, driven by a scripted stand-in for the egress client.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobState } from '../../../../electron/platforms/tiktok/adapter.ts';
import type { ChunkPlan } from '../../../../electron/platforms/tiktok/chunks.ts';
import { parseJsonKeepingInt64, readEnvelope, readPostIds } from '../../../../electron/platforms/tiktok/tiktok-adapter-api.ts';
import {
  backoffDelay,
  parseRetryAfter,
  TikTokPublishError,
  TransientFailure,
  withRetries,
  type RetryPolicy,
} from '../../../../electron/platforms/tiktok/tiktok-adapter-retry.ts';
import { chunksHeld, uploadChunks, UploadSessionLost, type ChunkUploadJob } from '../../../../electron/platforms/tiktok/tiktok-adapter-upload.ts';
import type { EgressClient, EgressRequestInit, EgressResponse } from '../../../../electron/services/egress/http-client.ts';

const envelope = (code: string, data: unknown = {}, message = '') => JSON.stringify({ data, error: { code, message, log_id: '20261120090000ABCDEF' } });

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { waits: number[] } {
  const waits: number[] = [];
  return {
    maxAttempts: 4,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 60_000,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    waits,
    ...overrides,
  };
}

describe('reading TikTok answers', () => {
  it('keeps int64 post ids exactly, also when the runtime cannot give the reviver the source text', () => {
    const raw = '{"data":{"status":"PUBLISH_COMPLETE","publicaly_available_post_id":[7300000000000000001, 42]},"error":{"code":"ok","message":"","log_id":"x"}}';
    const parsed = parseJsonKeepingInt64(raw) as { data: Record<string, unknown> };
    expect(readPostIds(parsed.data, raw)).toEqual(['7300000000000000001', '42']);
    // As JSON.parse alone reads it: the big id already rounded.
    const rounded = JSON.parse(raw) as { data: Record<string, unknown> };
    expect(readPostIds(rounded.data, raw)).toEqual(['7300000000000000001', '42']);
    expect(readPostIds({}, raw)).toEqual([]);
  });

  it('accepts only error.code "ok" as success, whatever the HTTP status', () => {
    expect(readEnvelope(200, {}, envelope('ok', { publish_id: 'p' }), '/x', 0).data).toEqual({ publish_id: 'p' });
    const refused = (() => {
      try {
        readEnvelope(200, {}, envelope('spam_risk_text', {}, 'caption flagged'), '/v2/post/publish/video/init/', 0);
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toBeInstanceOf(TikTokPublishError);
    expect(refused).toMatchObject({ code: 'publish.tiktok.spam_risk_text', next: 'fix', message: 'TikTok flagged the caption. Change the caption and try again.' });
    expect((refused as TikTokPublishError).detail).toBe('/v2/post/publish/video/init/ answered HTTP 200 error.code=spam_risk_text: caption flagged (log_id 20261120090000ABCDEF)');
  });

  it('sorts failures into temporary (5xx, 429 with its Retry-After) and permanent, and never trusts a code with odd characters', () => {
    const thrown = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      throw new Error('did not throw');
    };
    expect(thrown(() => readEnvelope(503, {}, envelope('internal_error'), '/x', 0))).toBeInstanceOf(TransientFailure);
    expect(thrown(() => readEnvelope(502, {}, '<html>bad gateway</html>', '/x', 0))).toBeInstanceOf(TransientFailure);
    const limited = thrown(() => readEnvelope(429, { 'retry-after': '9' }, envelope('rate_limit_exceeded'), '/x', 0)) as TransientFailure;
    expect(limited.retryAfterMs).toBe(9000);
    expect(limited.final.code).toBe('publish.tiktok.rate_limit_exceeded');
    expect(thrown(() => readEnvelope(400, {}, 'not json', '/x', 0))).toMatchObject({ code: 'publish.tiktok.unexpected_response' });
    expect(thrown(() => readEnvelope(403, {}, envelope('Evil code<script>'), '/x', 0))).toMatchObject({ code: 'publish.tiktok.evilcodescript', next: 'fix' });
    // 401 is neither: it earns one token renewal, which the session handles.
    const rejected = thrown(() => readEnvelope(401, {}, envelope('access_token_invalid'), '/x', 0));
    expect(rejected).not.toBeInstanceOf(TransientFailure);
    expect(rejected).not.toBeInstanceOf(TikTokPublishError);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 10, 20, 9, 0, 0);
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('backoff and the retry loop', () => {
  it('doubles the ceiling per retry up to the cap, with half of it jittered', () => {
    const at = (random: number, retry: number) => backoffDelay({ baseDelayMs: 1000, maxDelayMs: 8000, random: () => random }, retry);
    expect([1, 2, 3, 4, 5].map((n) => at(0, n))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5].map((n) => at(1, n))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('retries temporary failures, honours Retry-After, and gives the last failure in plain words', async () => {
    const p = policy({ maxAttempts: 3 });
    let calls = 0;
    const final = new TikTokPublishError('publish.tiktok.internal_error', 'TikTok had a problem.', 'detail', 'retry');
    const err = await withRetries(p, new AbortController().signal, async () => {
      calls += 1;
      throw new TransientFailure(final, calls === 1 ? 5000 : undefined);
    }).catch((e: unknown) => e);
    expect(err).toBe(final);
    expect(calls).toBe(3);
    expect(p.waits).toEqual([5000, 1500]);
  });

  it('never repeats a permanent failure', async () => {
    const p = policy();
    let calls = 0;
    const permanent = new TikTokPublishError('publish.tiktok.spam_risk', 'No.', undefined, 'later');
    await expect(
      withRetries(p, new AbortController().signal, async () => {
        calls += 1;
        throw permanent;
      }),
    ).rejects.toBe(permanent);
    expect([calls, p.waits]).toEqual([1, []]);
  });

  it('turns a Retry-After longer than it will hold the queue into "try later"', async () => {
    const p = policy({ maxRetryAfterMs: 60_000 });
    const final = new TikTokPublishError('publish.tiktok.rate_limit_exceeded', 'Slow down.', 'd', 'retry');
    await expect(withRetries(p, new AbortController().signal, async () => Promise.reject(new TransientFailure(final, 3_600_000)))).rejects.toMatchObject({
      code: 'publish.tiktok.rate_limit_exceeded',
      next: 'later',
      message: 'TikTok asked Airlock to wait about 60 minutes before sending more. Try again later.',
    });
    expect(p.waits).toEqual([]);
  });

  it('reports a cancelled job as cancelled, not as the failure underneath', async () => {
    const controller = new AbortController();
    const p = policy();
    await expect(
      withRetries(p, controller.signal, async () => {
        controller.abort();
        throw new Error('socket hang up');
      }),
    ).rejects.toMatchObject({ code: 'publish.tiktok.aborted' });
  });
});

describe('the job checkpoint', () => {
  it('reads back what the adapter saves and ignores anything else', () => {
    const saved = {
      publishId: 'v_pub_file~v2-1.7000000001',
      uploadUrl: 'https://open-upload.tiktokapis.com/video/?upload_id=1&upload_token=t',
      chunksDone: 2,
      plan: { videoSize: 25_000_000, chunkSize: 10_000_000, totalChunkCount: 2 },
      mode: 'direct',
      uploadUrlExpiresAt: 123,
      privacyLevel: 'SELF_ONLY',
      username: 'council',
    };
    expect(readJobState(saved)).toEqual(saved);
    expect(readJobState({})).toBeNull();
    expect(readJobState({ lastFailedPublishId: 'x' })).toBeNull();
    // A plan TikTok would refuse cannot be resumed; the publish id is still worth a status query.
    expect(readJobState({ publishId: 'p', plan: { videoSize: 10, chunkSize: 3, totalChunkCount: 3 }, result: { remoteId: 1, outcome: 'published' } })).toMatchObject({
      publishId: 'p',
      plan: null,
      chunksDone: 0,
    });
    expect(readJobState({ publishId: 'p', result: { remoteId: 'r', url: null, outcome: 'sent-to-inbox' } })?.result).toEqual({ remoteId: 'r', url: null, outcome: 'sent-to-inbox' });
  });

  it('counts the chunks TikTok holds only at chunk boundaries', () => {
    const plan: ChunkPlan = { videoSize: 25, chunkSize: 10, totalChunkCount: 2 };
    expect([0, 10, 25, 30].map((n) => chunksHeld(plan, n))).toEqual([0, 1, 2, 2]);
    expect(chunksHeld(plan, 7)).toBeNull();
  });
});

describe('the chunk loop', () => {
  let dir: string;
  let path: string;
  const plan: ChunkPlan = { videoSize: 20, chunkSize: 10, totalChunkCount: 2 };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-tiktok-chunks-'));
    path = join(dir, 'v.mp4');
    await writeFile(path, Buffer.from('0123456789abcdefghij'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  interface Scripted {
    status: number;
    headers?: Record<string, string>;
    body?: string;
  }

  /** Answers PUTs from a script and records what each carried. */
  function scriptedClient(script: Scripted[]) {
    const sent: { headers: Record<string, unknown>; body: string }[] = [];
    const http: EgressClient = {
      close: () => undefined,
      async request(_url: string | URL, init: EgressRequestInit): Promise<EgressResponse> {
        const parts: Buffer[] = [];
        if (init.body instanceof Readable) for await (const part of init.body) parts.push(part as Buffer);
        sent.push({ headers: { ...init.headers }, body: Buffer.concat(parts).toString() });
        const next = script.shift();
        if (!next) throw new Error('script ran out');
        const text = next.body ?? '';
        return {
          status: next.status,
          statusMessage: '',
          headers: next.headers ?? {},
          url: new URL('http://127.0.0.1/video/'),
          remoteAddress: '127.0.0.1',
          body: Readable.from([]),
          buffer: async () => Buffer.from(text),
          text: async () => text,
          json: async () => JSON.parse(text) as unknown,
          discard: async () => undefined,
        };
      },
    };
    return { http, sent };
  }

  function job(http: EgressClient, p: RetryPolicy, uploaded: (number | null)[], extra: Partial<ChunkUploadJob> = {}) {
    const chunks: [number, number][] = [];
    const bytes: number[] = [];
    const j: ChunkUploadJob = {
      http,
      signal: new AbortController().signal,
      retry: p,
      now: () => 0,
      timeoutMs: undefined,
      uploadUrl: 'http://127.0.0.1/video/?upload_id=1&upload_token=secret',
      plan,
      path,
      contentType: 'video/mp4',
      startAt: 0,
      uploadedBytes: async () => uploaded.shift() ?? null,
      onChunk: async (n, held) => {
        chunks.push([n, held]);
      },
      onBytes: (b) => bytes.push(b),
      ...extra,
    };
    return { j, chunks, bytes };
  }

  it('streams each range with its headers; on 416 asks status, and waits when TikTok is still busy with the same chunk', async () => {
    const { http, sent } = scriptedClient([
      { status: 416, body: envelope('invalid_params') },
      { status: 206, headers: { 'content-range': 'bytes 0-9/20' } },
      { status: 201, headers: { 'content-range': 'bytes 0-19/20' } },
    ]);
    const p = policy();
    const { j, chunks, bytes } = job(http, p, [0]);
    await uploadChunks(j);
    expect(sent.map((s) => [s.headers['Content-Range'], s.headers['Content-Length'], s.body])).toEqual([
      ['bytes 0-9/20', '10', '0123456789'],
      ['bytes 0-9/20', '10', '0123456789'],
      ['bytes 10-19/20', '10', 'abcdefghij'],
    ]);
    expect(sent[0]!.headers['Content-Type']).toBe('video/mp4');
    expect(chunks).toEqual([
      [1, 10],
      [2, 20],
    ]);
    expect(p.waits).toEqual([750]);
    expect(bytes.at(-1)).toBe(20);
  });

  it('after 416 goes on from where status/fetch says TikTok is', async () => {
    const { http, sent } = scriptedClient([{ status: 416 }, { status: 201, headers: { 'content-range': 'bytes 0-19/20' } }]);
    const { j, chunks } = job(http, policy(), [10]);
    await uploadChunks(j);
    expect(sent.map((s) => s.headers['Content-Range'])).toEqual(['bytes 0-9/20', 'bytes 10-19/20']);
    expect(chunks).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it('stops when TikTok reports progress that is not a chunk boundary', async () => {
    const { http } = scriptedClient([{ status: 416 }]);
    const { j } = job(http, policy(), [7]);
    await expect(uploadChunks(j)).rejects.toMatchObject({ code: 'publish.tiktok.upload-out-of-step' });
  });

  it('hands 403 and 404 back as a lost upload session, and 400 as a permanent refusal without the upload token', async () => {
    for (const status of [403, 404]) {
      const { http } = scriptedClient([{ status, body: envelope('upload_url_expired') }]);
      await expect(uploadChunks(job(http, policy(), []).j)).rejects.toBeInstanceOf(UploadSessionLost);
    }
    const { http, sent } = scriptedClient([{ status: 400, body: envelope('invalid_params', {}, 'Content-Range must read …') }]);
    const p = policy();
    const err = (await uploadChunks(job(http, p, []).j).catch((e: unknown) => e)) as TikTokPublishError;
    expect(err).toMatchObject({ code: 'publish.tiktok.invalid_params', next: 'fix' });
    expect(err.detail).toMatch(/^upload chunk 1 of 2 \(bytes 0-9\) answered HTTP 400 error\.code=invalid_params/);
    expect(err.detail).not.toMatch(/secret/);
    expect([sent.length, p.waits]).toEqual([1, []]);
  });

  it('resumes from the byte TikTok already holds', async () => {
    const { http, sent } = scriptedClient([{ status: 201, headers: { 'content-range': 'bytes 0-19/20' } }]);
    const { j } = job(http, policy(), [], { startAt: 10 });
    await uploadChunks(j);
    expect(sent.map((s) => s.body)).toEqual(['abcdefghij']);
  });
});
