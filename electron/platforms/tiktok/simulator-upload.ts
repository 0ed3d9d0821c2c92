// The simulator's side of TikTok's chunked PUT (§1.4): header and range checks in the
// documented order of answers (400/403/416/206/201), bytes hashed as they stream so memory
// stays bounded by socket buffers however large the video, and faults mid-chunk.
import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chunkRange, parseContentRange, type ChunkPlan } from './chunks.ts';
import { TIKTOK_VIDEO_MIME_TYPES } from './protocol.ts';
import { drain, sendEnvelope } from './simulator-http.ts';

/** Enough of the file's start to recognise its container. */
const HEAD_BYTES = 16;

export interface UploadSession {
  publishId: string;
  uploadId: string;
  uploadToken: string;
  plan: ChunkPlan;
  expiresAt: number;
  uploadedBytes: number;
  chunksReceived: number;
  /** Content-Type of the first accepted chunk. */
  contentType: string | undefined;
  head: Buffer;
  /** SHA-256 of the whole video once the last chunk is in. */
  sha256: string | undefined;
  /** Running hash over the accepted chunks; each chunk hashes into a copy until it is accepted. */
  hash: Hash;
  receiving: boolean;
}

export function newUploadSession(fields: Pick<UploadSession, 'publishId' | 'uploadId' | 'uploadToken' | 'plan' | 'expiresAt'>): UploadSession {
  return { ...fields, uploadedBytes: 0, chunksReceived: 0, contentType: undefined, head: Buffer.alloc(0), sha256: undefined, hash: createHash('sha256'), receiving: false };
}

export type UploadFault =
  | { kind: 'drop-connection'; when: 'mid-chunk' | 'after-chunk' }
  | { kind: 'server-error'; status: number }
  | { kind: 'rate-limit'; retryAfterSeconds: number | undefined };

export interface UploadContext {
  nowMs: number;
  logId: string;
  /** A fault the test asked for at this chunk, if any. */
  fault(chunkIndex: number): UploadFault | undefined;
}

export type UploadOutcome = 'partial' | 'complete' | 'rejected' | 'dropped';

/**
 * §1.8 formats, checked only as far as magic bytes: MP4 must open with an ISO BMFF `ftyp` box;
 * MOV with `ftyp` or a classic QuickTime top-level atom; WebM with the EBML header. Codecs,
 * duration, frame rate and size are not decoded here (TikTok checks them after upload).
 */
export function looksLikeVideo(head: Buffer, contentType: string): boolean {
  if (contentType === 'video/webm') return head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3;
  if (head.length < 8) return false;
  const size = head.readUInt32BE(0);
  const type = head.toString('latin1', 4, 8);
  if (type === 'ftyp') return size >= 16 || size === 1;
  return contentType === 'video/quicktime' && ['moov', 'wide', 'free', 'mdat', 'skip', 'pnot'].includes(type);
}

async function refuse(req: IncomingMessage, res: ServerResponse, ctx: UploadContext, status: number, code: string, message: string, headers: Record<string, string> = {}): Promise<UploadOutcome> {
  await drain(req).catch(() => undefined);
  if (!res.destroyed) sendEnvelope(res, status, ctx.logId, {}, code, message, headers);
  return 'rejected';
}

/** Handles one PUT to an `upload_url` whose session was found. */
export async function receiveChunk(req: IncomingMessage, res: ServerResponse, session: UploadSession, ctx: UploadContext): Promise<UploadOutcome> {
  const { plan } = session;
  // §1.4 403: "upload_url expired" (valid one hour, §1.3).
  if (ctx.nowMs >= session.expiresAt) return refuse(req, res, ctx, 403, 'upload_url_expired', 'The upload_url has expired; initialise the post again.');
  // §1.4 400: malformed headers.
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(TIKTOK_VIDEO_MIME_TYPES as readonly string[]).includes(contentType)) {
    return refuse(req, res, ctx, 400, 'invalid_params', `Content-Type must be one of ${TIKTOK_VIDEO_MIME_TYPES.join(', ')}.`);
  }
  const lengthHeader = req.headers['content-length'];
  if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader) || req.headers['transfer-encoding'] !== undefined) {
    return refuse(req, res, ctx, 400, 'invalid_params', 'Content-Length is required (no chunked transfer encoding).');
  }
  const length = Number(lengthHeader);
  const range = parseContentRange(req.headers['content-range']);
  if (!range) return refuse(req, res, ctx, 400, 'invalid_params', 'Content-Range must read "bytes FIRST-LAST/TOTAL".');
  if (range.total !== plan.videoSize) return refuse(req, res, ctx, 400, 'invalid_params', `Content-Range total must be the video_size given at init (${plan.videoSize}).`);
  if (range.last - range.first + 1 !== length) return refuse(req, res, ctx, 400, 'invalid_params', 'Content-Length does not match the Content-Range.');
  // §1.4 416: "Content-Range does not match actual progress" (chunks go strictly in order).
  if (session.receiving) return refuse(req, res, ctx, 416, 'invalid_params', 'Another chunk of this upload is still being received.', { 'Content-Range': `bytes */${plan.videoSize}` });
  if (range.first !== session.uploadedBytes) {
    return refuse(req, res, ctx, 416, 'invalid_params', `Expected the chunk starting at byte ${session.uploadedBytes}.`, { 'Content-Range': `bytes */${plan.videoSize}` });
  }
  // §1.4: every chunk is chunk_size long except the last, which runs to the end.
  const index = Math.floor(range.first / plan.chunkSize);
  const expected = chunkRange(plan, Math.min(index, plan.totalChunkCount - 1));
  if (expected.first !== range.first || expected.last !== range.last) {
    return refuse(req, res, ctx, 400, 'invalid_params', `The chunk size is invalid: chunk ${index + 1} is bytes ${expected.first}-${expected.last}.`);
  }

  const fault = ctx.fault(index);
  // §1.4 5xx: "You should retry submitting this chunk"; nothing of it is kept.
  if (fault?.kind === 'server-error') return refuse(req, res, ctx, fault.status, 'internal_error', 'Simulated server error; retry this chunk.');
  if (fault?.kind === 'rate-limit') {
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
    return refuse(req, res, ctx, 429, 'rate_limit_exceeded', 'Simulated rate limit.', headers);
  }

  session.receiving = true;
  try {
    const hash = session.hash.copy();
    const headParts: Buffer[] = [];
    let headLength = index === 0 ? 0 : HEAD_BYTES;
    let received = 0;
    const dropAt = fault?.kind === 'drop-connection' && fault.when === 'mid-chunk' ? Math.max(1, Math.floor(length / 2)) : Infinity;
    try {
      for await (const piece of req as AsyncIterable<Buffer>) {
        hash.update(piece);
        if (headLength < HEAD_BYTES) {
          const take = piece.subarray(0, HEAD_BYTES - headLength);
          headParts.push(Buffer.from(take));
          headLength += take.length;
        }
        received += piece.length;
        if (received >= dropAt) {
          req.socket.destroy();
          return 'dropped';
        }
      }
    } catch {
      // The client went away mid-chunk: the chunk is discarded and may be sent again.
      return 'dropped';
    }
    if (received !== length) return refuse(req, res, ctx, 400, 'invalid_params', 'Content-Length does not match the body.');

    session.hash = hash;
    if (index === 0) session.head = Buffer.concat(headParts);
    session.contentType ??= contentType;
    session.uploadedBytes = range.last + 1;
    session.chunksReceived += 1;
    const complete = session.uploadedBytes === plan.videoSize;
    if (complete) session.sha256 = hash.digest('hex');
    if (fault?.kind === 'drop-connection') {
      // The chunk is kept but the answer never arrives: the client learns progress from status/fetch.
      req.socket.destroy();
      return complete ? 'complete' : 'partial';
    }
    // §1.4: 206 while more is to come, 201 when all parts are in, with progress in Content-Range.
    res.writeHead(complete ? 201 : 206, { 'Content-Range': `bytes 0-${session.uploadedBytes - 1}/${plan.videoSize}`, 'Content-Length': '0' });
    res.end();
    return complete ? 'complete' : 'partial';
  } finally {
    session.receiving = false;
  }
}
