import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { surveyImage } from '../../../../electron/services/sanitize/image-containers.ts';

const SIGNATURES = [
  Buffer.from([0xff, 0xd8, 0xff]),
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.concat([Buffer.from('RIFF'), Buffer.from([0xff, 0xff, 0, 0]), Buffer.from('WEBP')]),
];

describe('image container survey', () => {
  it('never throws or hangs on hostile bytes behind a valid signature (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIGNATURES), fc.uint8Array({ maxLength: 600 }), (signature, tail) => {
        const survey = surveyImage(Buffer.concat([signature, Buffer.from(tail)]));
        expect(survey).not.toBeNull();
        expect(survey!.trailingBytes).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 5000 },
    );
  });

  it('returns null for anything that is not JPEG, PNG or WebP', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const buf = Buffer.from(bytes);
        const looksLikeImage = SIGNATURES.some((s) => buf.subarray(0, 3).equals(s.subarray(0, 3)) || buf.subarray(0, 4).toString('latin1') === 'RIFF');
        if (!looksLikeImage) expect(surveyImage(buf)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });
});
