import { describe, expect, it } from 'vitest';
import { DEFAULT_SCAN_LIMITS, formatBytes, resolveScanLimits } from '../../../../electron/services/ingest/limits.ts';

describe('resolveScanLimits', () => {
  it('has sane defaults: depth 8, 2000 files, 8 GiB, photos 50 MiB, videos 4 GiB, text 1 MiB', () => {
    const limits = resolveScanLimits();
    expect(limits).toEqual(DEFAULT_SCAN_LIMITS);
    expect(limits.maxDepth).toBe(8);
    expect(limits.maxFiles).toBe(2000);
    expect(limits.maxTotalBytes).toBe(8 * 1024 ** 3);
    expect(limits.maxBytes.image).toBe(50 * 1024 ** 2);
    expect(limits.maxBytes.video).toBe(4 * 1024 ** 3);
    expect(limits.maxBytes.text).toBe(1024 ** 2);
  });

  it('takes the policy’s values and fills the gaps from the defaults', () => {
    const limits = resolveScanLimits({ maxFiles: 10, maxBytes: { video: 1000 } });
    expect(limits.maxFiles).toBe(10);
    expect(limits.maxBytes.video).toBe(1000);
    expect(limits.maxBytes.image).toBe(DEFAULT_SCAN_LIMITS.maxBytes.image);
    expect(limits.maxDepth).toBe(8);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s rather than silently switching a limit off', (value) => {
    expect(() => resolveScanLimits({ maxDepth: value })).toThrow(RangeError);
    expect(() => resolveScanLimits({ maxBytes: { image: value } })).toThrow(RangeError);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KB'],
    [50 * 1024 ** 2, '50 MB'],
    [5.5 * 1024 ** 3, '5.5 GB'],
    [4 * 1024 ** 3, '4 GB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
