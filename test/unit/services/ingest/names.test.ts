import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEntryName, displaySafeName, extensionOf } from '../../../../electron/services/ingest/names.ts';

const INVISIBLE = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\u2060', '\uFEFF', '\u061C', '\u00AD', '\u{E0041}'];

describe('checkEntryName', () => {
  it.each(['Summer fair.jpg', 'Café menu.png', '写真.jpg', '📷 launch day.mp4', 'photo..jpg', 'a.b.c.txt', 'IMG_0001.JPG'])(
    'accepts the ordinary name %j',
    (name) => {
      expect(checkEntryName(name)).toEqual({ verdict: 'ok' });
    },
  );

  it.each([
    ['', 'empty'],
    ['.', 'current folder'],
    ['..', 'parent folder'],
    ['../x', 'traversal with a slash'],
    ['..\\x', 'traversal with a backslash'],
    ['a/b', 'a forward slash'],
    ['a\\b', 'a backslash'],
    ['/etc/passwd', 'an absolute path'],
    ['nul\0byte.jpg', 'a NUL'],
    ['bell\u0007.jpg', 'a C0 control'],
    ['tab\t.jpg', 'a tab'],
    ['new\nline.jpg', 'a newline'],
    ['del\u007f.jpg', 'DEL'],
    ['c1\u0085.jpg', 'a C1 control'],
    ['line\u2028sep.jpg', 'a line separator'],
    ['filler\u3164.jpg', 'a Hangul filler'],
    ['lone\uD800.jpg', 'a lone surrogate'],
    ['broken\uFFFD.jpg', 'a replacement character (name was not UTF-8)'],
    [`${'a'.repeat(252)}.jpg`, 'a name over 255 bytes'],
  ])('refuses %j (%s)', (name) => {
    const verdict = checkEntryName(name);
    expect(verdict.verdict).toBe('refuse');
    if (verdict.verdict === 'refuse') {
      expect(verdict.code).toBe('ingest.bad-name');
      expect(verdict.reason).toMatch(/\.$/);
    }
  });

  it.each(INVISIBLE)('refuses a name hiding U+%s', (char) => {
    expect(checkEntryName(`photo${char}gpj.exe`).verdict).toBe('refuse');
  });

  it.each(['.Trashes', '.Spotlight-V100', '.fseventsd', 'System Volume Information', 'SYSTEM VOLUME INFORMATION', '$RECYCLE.BIN', '$Recycle.Bin', '__MACOSX', 'Thumbs.db', 'THUMBS.DB', 'desktop.ini', 'Desktop.ini'])(
    'skips the system item %j',
    (name) => {
      expect(checkEntryName(name)).toMatchObject({ verdict: 'skip', code: 'ingest.system-file' });
    },
  );

  it.each(['.DS_Store', '._photo.jpg', '.hidden', '.git'])('skips the hidden item %j', (name) => {
    expect(checkEntryName(name)).toMatchObject({ verdict: 'skip', code: 'ingest.hidden' });
  });

  it('never throws, and whatever it lets through is a plain, visible, single-segment name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (name) => {
        const verdict = checkEntryName(name);
        expect(['ok', 'skip', 'refuse']).toContain(verdict.verdict);
        if (verdict.verdict === 'ok') {
          expect(name).not.toMatch(/[/\\\0]/);
          expect(name).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
          expect(name.startsWith('.')).toBe(false);
          expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
        } else {
          expect(verdict.reason.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses any otherwise fine name once a bidi or zero-width character is slipped in', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9 _-]{1,40}\.(jpg|mp4|txt)$/),
        fc.constantFrom(...INVISIBLE),
        fc.nat(),
        (name, char, at) => {
          const position = at % (name.length + 1);
          const spoofed = name.slice(0, position) + char + name.slice(position);
          expect(checkEntryName(spoofed).verdict).toBe('refuse');
        },
      ),
    );
  });
});

describe('displaySafeName', () => {
  it('escapes invisible and control characters so a refused name cannot spoof the list', () => {
    expect(displaySafeName('photo\u202Egpj.exe')).toBe('photo\\u{202E}gpj.exe');
    expect(displaySafeName('a\nb')).toBe('a\\u{000A}b');
    expect(displaySafeName('ok.jpg')).toBe('ok.jpg');
  });

  it('never leaves an invisible or control character in its output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (name) => {
        expect(displaySafeName(name)).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
      }),
    );
  });
});

describe('extensionOf', () => {
  it.each([
    ['photo.JPG', 'jpg'],
    ['photo.jpg.exe', 'exe'],
    ['archive.tar.gz', 'gz'],
    ['README', ''],
    ['.bashrc', ''],
    ['trailing.', ''],
  ])('%j → %j', (name, ext) => {
    expect(extensionOf(name)).toBe(ext);
  });
});
