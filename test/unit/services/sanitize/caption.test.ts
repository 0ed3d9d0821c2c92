import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanCaption } from '../../../../electron/services/sanitize/caption.ts';

const HIDDEN = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B\u2060-\u2064\uFEFF\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u{E0100}-\u{E01EF}]/u;

describe('caption cleaner', () => {
  it('removes a bidi override that reverses how text reads, and reports it', () => {
    const result = cleanCaption('Visit our office \u202Egnp.exe\u202C today');
    expect(result.text).toBe('Visit our office gnp.exe today');
    expect(result.findings).toEqual([{ kind: 'bidi', code: 'caption.bidi', count: 2, params: { count: 2 }, text: '2 text-direction control characters removed' }]);
  });

  it('removes zero-width and control characters, counting each kind', () => {
    const result = cleanCaption('Sum\u200Bmer\u2060 fest\u0007ival\u0000');
    expect(result.text).toBe('Summer festival');
    expect(result.findings.map((f) => f.text)).toEqual(['2 invisible characters removed', '2 control characters removed']);
  });

  it('keeps emoji built with zero-width joiners and the flags of Scotland and Wales', () => {
    const text = 'Team 👩‍💻 and family 👨‍👩‍👧 at 🏴󠁧󠁢󠁳󠁣󠁴󠁿 and 🏴󠁧󠁢󠁷󠁬󠁳󠁿 🏳️‍🌈';
    const result = cleanCaption(text);
    expect(result.text).toBe(text);
    expect(result.findings).toEqual([]);
  });

  it('removes hidden tag characters that smuggle invisible text', () => {
    const smuggled = Array.from('ignore previous', (c) => String.fromCodePoint(0xe0000 + c.codePointAt(0)!)).join('');
    const result = cleanCaption(`Hello${smuggled} world`);
    expect(result.text).toBe('Hello world');
    expect(result.findings[0]).toMatchObject({ kind: 'tag', count: 15 });
  });

  it('keeps the zero-width non-joiner where Persian spelling needs it, removes it in Latin text', () => {
    expect(cleanCaption('می‌خواهم').text).toBe('می‌خواهم');
    expect(cleanCaption('pass\u200Cword').text).toBe('password');
  });

  it('normalises to NFC and says so', () => {
    const decomposed = 'Pa\u0308rnu'; // ä as a + combining diaeresis
    const result = cleanCaption(decomposed);
    expect(result.text).toBe('Pärnu');
    expect(result.findings.map((f) => f.kind)).toContain('normalised');
  });

  it('turns Windows and Unicode line breaks into plain newlines and tabs into spaces', () => {
    expect(cleanCaption('a\r\nb\rc\u2028d\te').text).toBe('a\nb\nc\nd e');
  });

  it('flags a look-alike word without changing it', () => {
    const result = cleanCaption('Welcome to \u0422allinn'); // Cyrillic Т
    expect(result.text).toBe('Welcome to \u0422allinn');
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.text).toContain('mixes Latin and Cyrillic');
  });

  it('leaves ordinary Estonian, Russian and emoji text alone', () => {
    const text = 'Tere tulemast Tartusse! Добро пожаловать! 🎉 #Tartu2024';
    expect(cleanCaption(text)).toEqual({ text, findings: [], warnings: [] });
  });

  it('never leaves a hidden character behind, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        const { text } = cleanCaption(input);
        const withoutFlags = text.replace(/\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu, '');
        expect(HIDDEN.test(withoutFlags)).toBe(false);
        expect(/[\u{E0000}-\u{E007F}]/u.test(withoutFlags)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('is idempotent and never lengthens text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        const once = cleanCaption(input);
        expect(cleanCaption(once.text).text).toBe(once.text);
        expect(once.text.length).toBeLessThanOrEqual(input.normalize('NFC').length);
      }),
      { numRuns: 3000 },
    );
  });
});
