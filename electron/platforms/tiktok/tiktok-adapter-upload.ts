// The TikTok adapter's chunked PUTs to `upload_url` (§1.4): each chunk streamed from the file
// (memory bounded by stream buffers, not by chunk or file size), TikTok's 206/201/416 answers
// followed, and a chunk sent again only when TikTok says it does not hold it.
import { createReadStream } from 'node:fs';
import { pipeline, Transform } from 'node:stream';
import type { EgressClient, EgressResponse } from '../../services/egress/http-client.ts';
import { chunkRange, contentRangeHeader, type ChunkPlan } from './chunks.ts';
import { TIKTOK_REQUESTER, isRecord, parseJsonKeepingInt64 } from './tiktok-adapter-api.ts';
import { networkFailure, parseRetryAfter, platformError, TikTokPublishError, TransientFailure, withRetries, type RetryPolicy } from './tiktok-adapter-retry.ts';

/** Read size from disk; small enough that many kiosks' uploads never add up to much. */
const READ_BYTES = 256 * 1024;

/** §1.4 403 (upload_url expired) or 404 (no such upload task): only a new init helps. */
export class UploadSessionLost extends Error {
  readonly status: number;

  constructor(status: number, detail: string) {
    super(detail);
    this.name = 'UploadSessionLost';
    this.status = status;
  }
}

export interface ChunkUploadJob {
  http: EgressClient;
  signal: AbortSignal;
  retry: RetryPolicy;
  now: () => number;
  timeoutMs: number | undefined;
  /** Opaque (§1.4): its query holds the upload token, so it never appears in an error. */
  uploadUrl: string;
  plan: ChunkPlan;
  path: string;
  contentType: string;
  /** Bytes TikTok already holds, from the checkpoint or status/fetch. */
  startAt: number;
  /** status/fetch `uploaded_bytes`: the truth after a 416. */
  uploadedBytes: () => Promise<number | null>;
  /** Called once TikTok holds every byte before `uploadedBytes`, before the next chunk goes. */
  onChunk: (chunksDone: number, uploadedBytes: number) => Promise<void>;
  /** Bytes read into the current request so far, counted from the start of the file. */
  onBytes: (bytes: number) => void;
}

/** The chunks wholly held once TikTok has `held` bytes; null if that is not a chunk boundary. */
export function chunksHeld(plan: ChunkPlan, held: number): number | null {
  if (held >= plan.videoSize) return plan.totalChunkCount;
  if (held < 0 || held % plan.chunkSize !== 0) return null;
  return held / plan.chunkSize;
}

function outOfStep(detail: string): TikTokPublishError {
  return new TikTokPublishError(
    'publish.tiktok.upload-out-of-step',
    'TikTok and Airlock disagree about how much of the video has arrived, so Airlock stopped. Nothing was published. Send the post again.',
    detail,
    'retry',
  );
}

/** Sends every chunk from `startAt` on, in order (§1.4 "File chunks must be uploaded sequentially"). */
export async function uploadChunks(job: ChunkUploadJob): Promise<void> {
  const { plan } = job;
  let held = job.startAt;
  while (held < plan.videoSize) {
    const index = chunksHeld(plan, held);
    if (index === null) throw outOfStep(`TikTok holds ${held} of ${plan.videoSize} bytes, which is not a chunk boundary of ${plan.chunkSize}`);
    held = await withRetries(job.retry, job.signal, () => putChunk(job, index));
    await job.onChunk(chunksHeld(plan, held) ?? index + 1, held);
  }
}

/** One PUT of chunk `index`; resolves to the bytes TikTok then holds. */
async function putChunk(job: ChunkUploadJob, index: number): Promise<number> {
  const { plan } = job;
  const range = chunkRange(plan, index);
  const what = `upload chunk ${index + 1} of ${plan.totalChunkCount} (bytes ${range.first}-${range.last})`;
  const file = createReadStream(job.path, { start: range.first, end: range.last, highWaterMark: READ_BYTES });
  let fileError: Error | undefined;
  file.on('error', (err) => {
    fileError = err;
  });
  let sent = 0;
  const counter = new Transform({
    transform(piece: Buffer, _encoding, done) {
      sent += piece.length;
      job.onBytes(range.first + sent);
      done(null, piece);
    },
  });
  // Errors surface through the request; this callback only keeps pipeline from throwing them twice.
  pipeline(file, counter, () => undefined);
  let res: EgressResponse;
  let raw: string;
  try {
    res = await job.http.request(job.uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Type': job.contentType, 'Content-Length': String(range.length), 'Content-Range': contentRangeHeader(plan, index) },
      body: counter,
      requester: TIKTOK_REQUESTER,
      signal: job.signal,
      ...(job.timeoutMs === undefined ? {} : { timeoutMs: job.timeoutMs }),
    });
    raw = await res.text(64 * 1024);
  } catch (err) {
    if (fileError) throw unreadable(fileError, what);
    throw networkFailure(err, what);
  } finally {
    // The request may end without reading the whole chunk; the file handle must not outlive it.
    file.destroy();
    counter.destroy();
  }
  if (fileError) throw unreadable(fileError, what);

  const status = res.status;
  if (status === 201 || status === 206) {
    // §1.4: every success carries `Content-Range: bytes 0-{LAST}/{TOTAL}`.
    const match = /^bytes 0-(\d+)\/(\d+)$/.exec(String(res.headers['content-range'] ?? '').trim());
    const nowHeld = match ? Number(match[1]) + 1 : status === 201 ? plan.videoSize : range.last + 1;
    if (nowHeld <= range.first) throw outOfStep(`${what} answered ${status} but TikTok reports only ${nowHeld} bytes`);
    return Math.min(nowHeld, plan.videoSize);
  }
  const detail = describe(status, raw, what);
  if (status === 416) {
    // §1.4 416 "Content-Range does not match actual progress": ask where TikTok really is.
    const actual = await job.uploadedBytes();
    if (actual === null) throw outOfStep(`${detail}; status/fetch gave no uploaded_bytes`);
    // Still busy with an earlier, broken attempt at this very chunk: wait and send it again.
    if (actual === range.first) throw new TransientFailure(platformError('internal_error', `${detail}; TikTok still receiving an earlier attempt`));
    return actual;
  }
  if (status >= 500) throw new TransientFailure(platformError('internal_error', detail));
  if (status === 429) throw new TransientFailure(platformError('rate_limit_exceeded', detail), parseRetryAfter(res.headers['retry-after'], job.now()));
  if (status === 403 || status === 404) throw new UploadSessionLost(status, detail);
  const parsed = parseJsonKeepingInt64(raw);
  const code = isRecord(parsed) && isRecord(parsed.error) && typeof parsed.error.code === 'string' ? parsed.error.code : 'invalid_file_upload';
  throw platformError(code, detail);
}

function describe(status: number, raw: string, what: string): string {
  const parsed = parseJsonKeepingInt64(raw);
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : {};
  const code = typeof error.code === 'string' ? ` error.code=${error.code}` : '';
  const message = typeof error.message === 'string' && error.message !== '' ? `: ${error.message.slice(0, 300)}` : '';
  const logId = typeof error.log_id === 'string' ? ` (log_id ${error.log_id.slice(0, 80)})` : '';
  return `${what} answered HTTP ${status}${code}${message}${logId}`;
}

function unreadable(err: Error, what: string): TikTokPublishError {
  return new TikTokPublishError(
    'publish.tiktok.file-unreadable',
    'Airlock could not read the video from its library while sending it to TikTok. Nothing was published. Ask IT to look at the details.',
    `${what}: ${(err as NodeJS.ErrnoException).code ?? err.name} ${err.message}`,
    'fix',
  );
}
