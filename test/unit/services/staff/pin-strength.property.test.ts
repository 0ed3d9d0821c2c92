import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertStrongCredential, MAX_PIN_DIGITS, MIN_PIN_DIGITS, pinWeakness } from '../../../../electron/services/staff/credentials.ts';

const length = fc.integer({ min: MIN_PIN_DIGITS, max: 16 });
const digit = fc.integer({ min: 0, max: 9 });

/** A cyclic run from `start`, stepping by `step` (1 up, 9 down, 0 repeat). */
const run = (start: number, step: number, n: number) => Array.from({ length: n }, (_, i) => (start + i * step) % 10).join('');

/** Independent statement of the rule, written the long way round. */
function obviouslyWeak(pin: string): boolean {
  const d = [...pin].map(Number);
  const allSame = d.every((x) => x === d[0]);
  const up = d.every((x, i) => i === 0 || x === (d[i - 1]! + 1) % 10);
  const down = d.every((x, i) => i === 0 || x === (d[i - 1]! + 9) % 10);
  const groups = [2, 3].some((g) => pin.length % g === 0 && pin.length >= 2 * g && d.every((x, i) => x === d[i % g]));
  return allSame || up || down || groups;
}

describe('PIN strength rules', () => {
  it('refuses any digit repeated, at any length', () => {
    fc.assert(fc.property(digit, length, (d, n) => pinWeakness(run(d, 0, n)) !== null));
  });

  it('refuses any ascending or descending run, wrapping past 9 or 0', () => {
    fc.assert(
      fc.property(digit, length, fc.constantFrom(1, 9), (start, n, step) => {
        const pin = run(start, step, n);
        expect(pinWeakness(pin)).toMatch(step === 1 ? /going up/ : /going down/);
      }),
    );
  });

  it('refuses a pair or triple of digits repeated', () => {
    fc.assert(
      fc.property(fc.array(digit, { minLength: 2, maxLength: 3 }), fc.integer({ min: 2, max: 6 }), (group, times) => {
        const pin = group.join('').repeat(times);
        fc.pre(pin.length >= MIN_PIN_DIGITS);
        expect(pinWeakness(pin)).not.toBeNull();
      }),
    );
  });

  it('accepts every other PIN of a valid length, and its message never contains the PIN', () => {
    fc.assert(
      fc.property(fc.array(digit, { minLength: MIN_PIN_DIGITS, maxLength: MAX_PIN_DIGITS }), (digits) => {
        const pin = digits.join('');
        const why = pinWeakness(pin);
        expect(why !== null).toBe(obviouslyWeak(pin));
        if (why) expect(why).not.toContain(pin);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses anything too short, too long or not made of digits, without repeating it', () => {
    fc.assert(
      fc.property(fc.array(digit, { maxLength: MIN_PIN_DIGITS - 1 }), (digits) => {
        expect(pinWeakness(digits.join(''))).toMatch(/at least 6 digits/);
      }),
    );
    expect(pinWeakness('4'.repeat(MAX_PIN_DIGITS) + '80264')).toMatch(/at most/);
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 12 }).filter((s) => !/^[0-9]+$/.test(s)), (s) => {
        let message = '';
        try {
          assertStrongCredential({ kind: 'pin', secret: s });
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toBe('A PIN can only contain the digits 0 to 9.');
      }),
    );
  });

  it('refuses full-width and other non-ASCII digits', () => {
    expect(pinWeakness('４８０２６４')).toMatch(/only contain the digits/);
    expect(pinWeakness('٤٨٠٢٦٤')).toMatch(/only contain the digits/);
  });
});
