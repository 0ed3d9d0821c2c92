import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_COUNT_MAX,
  CHUNK_MAX_BYTES,
  CHUNK_MIN_BYTES,
  checkChunkPlan,
  chunkRange,
  contentRangeHeader,
  FINAL_CHUNK_MAX_BYTES,
  parseContentRange,
  planChunks,
  SINGLE_CHUNK_MAX_BYTES,
} from '../../../../electron/platforms/tiktok/chunks.ts';

describe('TikTok chunk rules (§1.4)', () => {
  it('works the documented example: 50,000,123 bytes in 10,000,000-byte chunks, the last absorbing the remainder', () => {
    const plan = { videoSize: 50_000_123, chunkSize: 10_000_000, totalChunkCount: 5 };
    expect(checkChunkPlan(plan)).toEqual([]);
    expect(chunkRange(plan, 0)).toEqual({ index: 0, first: 0, last: 9_999_999, length: 10_000_000 });
    expect(chunkRange(plan, 4)).toEqual({ index: 4, first: 40_000_000, last: 50_000_122, length: 10_000_123 });
    expect(contentRangeHeader(plan, 4)).toBe('bytes 40000000-50000122/50000123');
  });

  it('counts chunks by rounding down, never up', () => {
    expect(checkChunkPlan({ videoSize: 50_000_123, chunkSize: 10_000_000, totalChunkCount: 6 })[0]).toMatch(/rounded down \(5\)/);
    expect(checkChunkPlan({ videoSize: 19_999_999, chunkSize: 10_000_000, totalChunkCount: 1 })).toEqual([]);
  });

  it('requires a video under 5 MiB to go whole, with chunk_size = video_size', () => {
    expect(checkChunkPlan({ videoSize: 1000, chunkSize: 1000, totalChunkCount: 1 })).toEqual([]);
    expect(checkChunkPlan({ videoSize: 3_000_000, chunkSize: 1_000_000, totalChunkCount: 3 }).join(' ')).toMatch(/sent whole/);
    expect(checkChunkPlan({ videoSize: 1000, chunkSize: 5_242_880, totalChunkCount: 0 }).length).toBeGreaterThan(0);
  });

  it('reads each ambiguous "MB" bound the stricter way', () => {
    // 5,000,000-byte chunks pass a decimal reading but not a binary one.
    expect(checkChunkPlan({ videoSize: 20_000_000, chunkSize: 5_000_000, totalChunkCount: 4 }).join(' ')).toMatch(/at least 5242880/);
    expect(checkChunkPlan({ videoSize: 20_000_000, chunkSize: CHUNK_MIN_BYTES, totalChunkCount: 3 })).toEqual([]);
    // 64 MiB chunks pass a binary reading but not a decimal one.
    expect(checkChunkPlan({ videoSize: 200_000_000, chunkSize: 64 * 1024 * 1024, totalChunkCount: 2 }).join(' ')).toMatch(/at most 64000000/);
    expect(checkChunkPlan({ videoSize: 64_000_000, chunkSize: 64_000_000, totalChunkCount: 1 })).toEqual([]);
    expect(checkChunkPlan({ videoSize: 64_000_001, chunkSize: 64_000_001, totalChunkCount: 1 }).length).toBeGreaterThan(0);
  });

  it('refuses a single chunk over 64,000,000 bytes even when chunk_size is in range', () => {
    expect(checkChunkPlan({ videoSize: 100_000_000, chunkSize: 60_000_000, totalChunkCount: 1 }).join(' ')).toMatch(/more than one chunk/);
  });

  it('refuses more than 1000 chunks and non-integer sizes', () => {
    expect(checkChunkPlan({ videoSize: 6_000_000_000, chunkSize: CHUNK_MIN_BYTES, totalChunkCount: 1144 }).join(' ')).toMatch(/at most 1000/);
    expect(checkChunkPlan({ videoSize: 10.5, chunkSize: 10.5, totalChunkCount: 1 })).toHaveLength(1);
    expect(checkChunkPlan({ videoSize: 1000, chunkSize: 1000, totalChunkCount: 1 }, 999)).toHaveLength(1);
  });

  it('plans one whole chunk up to the preferred size, otherwise chunks of it', () => {
    expect(planChunks(1000)).toEqual({ videoSize: 1000, chunkSize: 1000, totalChunkCount: 1 });
    expect(planChunks(19_999_999)).toEqual({ videoSize: 19_999_999, chunkSize: 19_999_999, totalChunkCount: 1 });
    expect(planChunks(50_000_123)).toEqual({ videoSize: 50_000_123, chunkSize: 10_000_000, totalChunkCount: 5 });
    expect(planChunks(100_000_000, 64_000_000)).toEqual({ videoSize: 100_000_000, chunkSize: 50_000_000, totalChunkCount: 2 });
    expect(planChunks(1024 ** 3)).toMatchObject({ chunkSize: 10_000_000, totalChunkCount: 107 });
  });

  it('always plans something TikTok accepts, whose ranges tile the file exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4_000_000_000 }), fc.integer({ min: 1, max: 200_000_000 }), (size, preferred) => {
        const plan = planChunks(size, preferred);
        expect(checkChunkPlan(plan)).toEqual([]);
        expect(plan.totalChunkCount).toBeLessThanOrEqual(CHUNK_COUNT_MAX);
        const first = chunkRange(plan, 0);
        const last = chunkRange(plan, plan.totalChunkCount - 1);
        expect(first.first).toBe(0);
        expect(last.last).toBe(size - 1);
        if (plan.totalChunkCount > 1) {
          expect(plan.chunkSize).toBeGreaterThanOrEqual(CHUNK_MIN_BYTES);
          expect(plan.chunkSize).toBeLessThanOrEqual(CHUNK_MAX_BYTES);
          expect(last.length).toBeLessThanOrEqual(FINAL_CHUNK_MAX_BYTES);
          expect(chunkRange(plan, 1).first).toBe(first.last + 1);
        } else {
          expect(size).toBeLessThanOrEqual(SINGLE_CHUNK_MAX_BYTES);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('parses Content-Range strictly', () => {
    expect(parseContentRange('bytes 0-999/1000')).toEqual({ first: 0, last: 999, total: 1000 });
    for (const bad of [undefined, '', '0-999/1000', 'bytes 0-999/*', 'bytes */1000', 'bytes 10-5/1000', 'bytes 0-1000/1000', 'bytes=0-999/1000', 'bytes -1-5/10']) {
      expect(parseContentRange(bad), String(bad)).toBeNull();
    }
  });
});
