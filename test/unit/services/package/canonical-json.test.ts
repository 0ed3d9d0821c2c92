import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../../electron/services/package/canonical-json.ts';

const jsonWithIntegers = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value')),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value')),
  ),
})).value;

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [3, 1, { z: null, y: true }], B: 'x', é: 0, '10': 1, '9': 2 })).toBe(
      '{"10":1,"9":2,"B":"x","a":[3,1,{"y":true,"z":null}],"b":1,"é":0}',
    );
  });

  it('drops absent optional fields like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses values with more than one spelling', () => {
    expect(() => canonicalJson(1.5)).toThrow(TypeError);
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(2 ** 60)).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
  });

  it('is a fixed point: parsing canonical text and serialising again gives the same text', () => {
    fc.assert(
      fc.property(jsonWithIntegers, (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('does not depend on the order keys were inserted in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
      { numRuns: 500 },
    );
  });
});
