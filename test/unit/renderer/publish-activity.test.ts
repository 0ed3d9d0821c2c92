// Time left on an upload, from the pace since its first progress report.
import { describe, expect, it } from 'vitest';
import { secondsLeft } from '../../../renderer/src/training/publish-activity.tsx';

describe('secondsLeft', () => {
  const start = { at: 10_000, bytes: 0 };

  it('says nothing until a second of uploading gives a pace', () => {
    expect(secondsLeft(start, 10_500, 5_000_000, 100_000_000)).toBeNull();
    expect(secondsLeft(start, 12_000, 0, 100_000_000)).toBeNull();
  });

  it('divides what is left by the pace so far, rounded up', () => {
    // 20 MB in 2 s: 80 MB left at 10 MB/s.
    expect(secondsLeft(start, 12_000, 20_000_000, 100_000_000)).toBe(8);
    // Counted from where this upload was first seen, not from zero (a resumed upload).
    expect(secondsLeft({ at: 10_000, bytes: 50_000_000 }, 15_000, 60_000_000, 100_000_000)).toBe(20);
  });

  it('says nothing once everything is sent', () => {
    expect(secondsLeft(start, 20_000, 100_000_000, 100_000_000)).toBeNull();
  });
});
