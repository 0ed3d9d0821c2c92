// Sizes, durations, numbers and dates follow the active language: English "1.5 kB" and
// "Nov 22, 2026", Estonian "1,5 kB" and "22. nov 2026", and switching back restores English.
import { afterAll, describe, expect, it } from 'vitest';
import { formatBytes, formatDate, formatDateTime, formatDuration, formatNumber } from '../../../renderer/src/format.ts';
import { setLanguage } from '../../../renderer/src/i18n/index.ts';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
const day = new Date(Date.UTC(2026, 10, 22, 12, 0, 0));

describe('formatting in the active language', () => {
  afterAll(() => setLanguage('en'));

  it('writes English numbers, sizes, durations and dates', async () => {
    await setLanguage('en');
    expect(formatNumber(25000)).toBe('25,000');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('1.5 kB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12 MB');
    expect(formatDuration(42)).toBe('42 sec');
    expect(nbsp(formatDuration(125))).toBe('2 min 5 sec');
    expect(formatDate(day)).toMatch(/^Nov 2[12], 2026$/);
  });

  it('writes Estonian numbers, sizes, durations and dates', async () => {
    await setLanguage('et');
    expect(nbsp(formatNumber(25000))).toBe('25 000');
    expect(formatBytes(512)).toBe('512 baiti');
    expect(formatBytes(1536)).toBe('1,5 kB');
    expect(formatDuration(42)).toBe('42 sek');
    expect(formatDate(day)).toMatch(/^2[12]\. nov 2026$/);
    expect(formatDateTime(day)).toMatch(/^2[12]\. nov 2026, \d{2}:\d{2}$/);
  });

  it('goes back to English when the language does', async () => {
    await setLanguage('et');
    await setLanguage('en');
    expect(formatBytes(1536)).toBe('1.5 kB');
  });
});
