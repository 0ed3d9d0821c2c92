// The calendar's date arithmetic in fixed time zones: days across daylight saving changes, month
// and year boundaries, weeks starting on Monday, and moving a post to another day at the same
// wall-clock time. Every zone is named explicitly, so the machine's own zone does not matter;
// a property check compares against Intl for many instants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, dayOf, fromFields, monthWeeks, moveToDay, periodOf, toFields, weekDays, weekdayIndex, zonedParts, zonedToInstant } from '../../../renderer/src/screens/posts/calendar-dates.ts';

const TALLINN = 'Europe/Tallinn';
const NEW_YORK = 'America/New_York';

describe('calendar days in a time zone', () => {
  it('counts days on the calendar across month, year and leap-day boundaries', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15');
  });

  it('starts weeks on Monday and covers whole months with whole weeks', () => {
    expect(weekdayIndex('2026-11-23')).toBe(0); // a Monday
    expect(weekDays('2026-11-22')).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
    const march = monthWeeks('2026-03-15');
    expect(march[0]![0]).toBe('2026-02-23');
    expect(march[march.length - 1]![6]).toBe('2026-04-05');
    expect(march.flat().filter((d) => d.startsWith('2026-03'))).toHaveLength(31);
    // February 2021 began on a Monday and had exactly four weeks.
    expect(monthWeeks('2021-02-10')).toHaveLength(4);
  });

  it('gives a day of 23 hours when the clocks go forward and 25 when they go back', () => {
    // Tallinn: 29 March 2026 03:00 → 04:00; 25 October 2026 04:00 → 03:00.
    const spring = periodOf(['2026-03-29'], TALLINN);
    expect(spring).toEqual({ from: '2026-03-28T22:00:00.000Z', to: '2026-03-29T21:00:00.000Z' });
    const autumn = periodOf(['2026-10-25'], TALLINN);
    expect(Date.parse(autumn.to) - Date.parse(autumn.from)).toBe(25 * 3600_000);
    // A week holding the change is 7 calendar days, one hour short.
    const week = periodOf(weekDays('2026-03-29'), TALLINN);
    expect(Date.parse(week.to) - Date.parse(week.from)).toBe(7 * 86_400_000 - 3600_000);
    // New York changes on other dates and at 02:00.
    expect(periodOf(['2026-03-08'], NEW_YORK)).toEqual({ from: '2026-03-08T05:00:00.000Z', to: '2026-03-09T04:00:00.000Z' });
  });

  it('puts a post on its local day, not its UTC day', () => {
    // 23:30 UTC on 31 December is already New Year's Day in Tallinn but still New Year's Eve in New York.
    expect(dayOf('2026-12-31T23:30:00Z', TALLINN)).toBe('2027-01-01');
    expect(dayOf('2026-12-31T23:30:00Z', NEW_YORK)).toBe('2026-12-31');
  });

  it('moves a post to another day at the same wall-clock time across a change of clocks', () => {
    // 09:30 in Tallinn the Saturday before summer time (UTC+2) → 09:30 on Sunday (UTC+3).
    expect(moveToDay('2026-03-28T07:30:00.000Z', '2026-03-29', TALLINN)).toBe('2026-03-29T06:30:00.000Z');
    expect(moveToDay('2026-10-24T06:30:00.000Z', '2026-10-26', TALLINN)).toBe('2026-10-26T07:30:00.000Z');
    // A time the clocks skip moves forward by the gap.
    expect(zonedToInstant('2026-03-29', 3, 30, TALLINN).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(toFields('2026-03-29T01:30:00.000Z', TALLINN)).toEqual({ date: '2026-03-29', time: '04:30' });
  });

  it('reads date and time fields in the zone and refuses ones that are not valid', () => {
    expect(fromFields('2026-07-01', '09:30', TALLINN)).toBe('2026-07-01T06:30:00.000Z');
    expect(fromFields('2026-01-01', '09:30', NEW_YORK)).toBe('2026-01-01T14:30:00.000Z');
    for (const [date, time] of [['2026-02-30', '09:00'], ['2026-07-01', '24:00'], ['', '09:00'], ['2026-07-01', '9']]) expect(fromFields(date!, time!, TALLINN)).toBeNull();
  });

  it('agrees with Intl for any instant: the local day and time map back to the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.constantFrom(TALLINN, NEW_YORK, 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'), (ms, zone) => {
        const minute = Math.floor(ms / 60_000) * 60_000;
        const p = zonedParts(minute, zone);
        const key = dayOf(minute, zone);
        const back = zonedToInstant(key, p.hour, p.minute, zone).getTime();
        // Equal, or the other instant with the same wall time when the clocks went back.
        expect(back === minute || dayOf(back, zone) === key).toBe(true);
        expect(zonedParts(back, zone)).toMatchObject({ hour: p.hour, minute: p.minute });
      }),
      { numRuns: 500 },
    );
  });
});
