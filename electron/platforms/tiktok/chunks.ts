// TikTok's chunk rules for FILE_UPLOAD (§1.4): checking a plan, making a safe one, and the
// byte range of each chunk. Shared by the simulator (which refuses bad plans) and the
// adapter (which must never send one), so both read the rules the same way.
//
// The guide says "MB" without saying 10^6 or 2^20 (§1.4). Each bound is enforced in its
// stricter reading, so a plan accepted here is accepted under either: chunks at least
// 5 MiB, at most 64,000,000 bytes; a final chunk at most 128,000,000 bytes; one whole chunk
// only up to 64,000,000 bytes.

export const CHUNK_MIN_BYTES = 5 * 1024 * 1024;
export const CHUNK_MAX_BYTES = 64_000_000;
export const FINAL_CHUNK_MAX_BYTES = 128_000_000;
export const SINGLE_CHUNK_MAX_BYTES = 64_000_000;
export const CHUNK_COUNT_MAX = 1000;
/** §1.4: the safe choice the doc recommends above one chunk; also TikTok's own example. */
export const DEFAULT_CHUNK_BYTES = 10_000_000;

export interface ChunkPlan {
  videoSize: number;
  chunkSize: number;
  totalChunkCount: number;
}

export interface ChunkRange {
  index: number;
  /** First byte, inclusive. */
  first: number;
  /** Last byte, inclusive, as written in `Content-Range`. */
  last: number;
  length: number;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/** The problems with a plan, each a sentence for IT; an empty list means TikTok accepts it. */
export function checkChunkPlan(plan: ChunkPlan, maxVideoBytes = Number.MAX_SAFE_INTEGER): string[] {
  const { videoSize, chunkSize, totalChunkCount } = plan;
  if (!isCount(videoSize)) return ['video_size must be a positive integer number of bytes.'];
  if (!isCount(chunkSize)) return ['chunk_size must be a positive integer number of bytes.'];
  if (!isCount(totalChunkCount)) return ['total_chunk_count must be a positive integer.'];
  const problems: string[] = [];
  if (videoSize > maxVideoBytes) problems.push(`video_size ${videoSize} is over the ${maxVideoBytes}-byte limit.`);
  // §1.4 "total_chunk_count should be equal to video_size divided by chunk_size, rounded down."
  const expected = Math.floor(videoSize / chunkSize);
  if (totalChunkCount !== expected) {
    problems.push(`total_chunk_count must be video_size / chunk_size rounded down (${expected}), not ${totalChunkCount}.`);
  }
  // §1.4 "minimum of 1 chunk and a maximum of 1000 chunks."
  if (expected < 1) problems.push('chunk_size is larger than the video; send the whole video as one chunk with chunk_size = video_size.');
  if (expected > CHUNK_COUNT_MAX) problems.push(`A video may be sent in at most ${CHUNK_COUNT_MAX} chunks; this plan needs ${expected}.`);
  // §1.4 "Videos with a total size less than 5 MB must be uploaded as a whole."
  if (videoSize < CHUNK_MIN_BYTES) {
    if (chunkSize !== videoSize) problems.push(`A video under ${CHUNK_MIN_BYTES} bytes must be sent whole, with chunk_size = video_size.`);
  } else if (chunkSize < CHUNK_MIN_BYTES) {
    problems.push(`chunk_size must be at least ${CHUNK_MIN_BYTES} bytes.`);
  }
  // §1.4 "no greater than 64 MB".
  if (chunkSize > CHUNK_MAX_BYTES) problems.push(`chunk_size must be at most ${CHUNK_MAX_BYTES} bytes.`);
  // §1.4 "Videos with a total size greater than 64 MB must be uploaded in multiple chunks."
  if (videoSize > SINGLE_CHUNK_MAX_BYTES && expected < 2) {
    problems.push(`A video over ${SINGLE_CHUNK_MAX_BYTES} bytes must be sent in more than one chunk.`);
  }
  // §1.4 the final chunk absorbs the remainder, "up to 128 MB".
  if (expected >= 1) {
    const finalLength = videoSize - (expected - 1) * chunkSize;
    if (finalLength > FINAL_CHUNK_MAX_BYTES) problems.push(`The final chunk would be ${finalLength} bytes; it may be at most ${FINAL_CHUNK_MAX_BYTES}.`);
  }
  return problems;
}

/**
 * A plan TikTok accepts under either reading of "MB": chunks of `preferredChunkSize` (clamped
 * to the rules, raised if 1000 chunks would not do), or the whole file as one chunk when it
 * is no bigger than one chunk's worth. Smaller chunks mean less to resend after a drop.
 */
export function planChunks(videoSize: number, preferredChunkSize = DEFAULT_CHUNK_BYTES): ChunkPlan {
  if (!isCount(videoSize)) throw new RangeError(`Not a video size: ${videoSize}`);
  let chunkSize = Math.min(Math.max(Math.floor(preferredChunkSize), CHUNK_MIN_BYTES), CHUNK_MAX_BYTES);
  if (Math.floor(videoSize / chunkSize) > CHUNK_COUNT_MAX) chunkSize = Math.ceil(videoSize / CHUNK_COUNT_MAX);
  if (Math.floor(videoSize / chunkSize) < 2) {
    if (videoSize <= SINGLE_CHUNK_MAX_BYTES) return { videoSize, chunkSize: videoSize, totalChunkCount: 1 };
    // Over 64 MB the video must go in two chunks at least.
    chunkSize = Math.floor(videoSize / 2);
  }
  const plan = { videoSize, chunkSize, totalChunkCount: Math.floor(videoSize / chunkSize) };
  const problems = checkChunkPlan(plan);
  if (problems.length > 0) throw new RangeError(`No valid TikTok chunk plan for ${videoSize} bytes: ${problems.join(' ')}`);
  return plan;
}

/** §1.4: chunk `index` (0-based); the last one runs to the end of the file. */
export function chunkRange(plan: ChunkPlan, index: number): ChunkRange {
  if (!Number.isInteger(index) || index < 0 || index >= plan.totalChunkCount) {
    throw new RangeError(`Chunk ${index} is outside 0..${plan.totalChunkCount - 1}`);
  }
  const first = index * plan.chunkSize;
  const last = index === plan.totalChunkCount - 1 ? plan.videoSize - 1 : first + plan.chunkSize - 1;
  return { index, first, last, length: last - first + 1 };
}

/** §1.4: the request header for one chunk: `bytes {FIRST}-{LAST}/{TOTAL}`. */
export function contentRangeHeader(plan: ChunkPlan, index: number): string {
  const range = chunkRange(plan, index);
  return `bytes ${range.first}-${range.last}/${plan.videoSize}`;
}

/** Parses a request `Content-Range: bytes a-b/n`; null when malformed. */
export function parseContentRange(header: string | undefined): { first: number; last: number; total: number } | null {
  const match = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16})$/.exec(header?.trim() ?? '');
  if (!match) return null;
  const [first, last, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (last < first || last >= total) return null;
  return { first, last, total };
}
