import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFile, sniffFormat } from '../../../../electron/services/ingest/classify.ts';
import { samples } from '../../../support/hostile-corpus.ts';

const ROOT = { atRoot: true };
const NESTED = { atRoot: false };

function ftyp(major: string, compatible: string[]): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(16 + compatible.length * 4);
  return Buffer.concat([size, Buffer.from(`ftyp${major}`, 'latin1'), Buffer.alloc(4), Buffer.from(compatible.join(''), 'latin1')]);
}

describe('sniffFormat', () => {
  it.each([
    ['jpeg', samples.jpeg()],
    ['png', samples.png()],
    ['webp', samples.webp()],
    ['heic', samples.heic()],
    ['mp4', samples.mp4()],
    ['quicktime', samples.mov()],
    ['avif', samples.avif()],
    ['quicktime-legacy', samples.legacyQuickTime()],
    ['elf', samples.elf()],
    ['pe', samples.pe()],
    ['script', samples.shebang()],
    ['lnk', samples.lnk()],
    ['zip', samples.zip()],
    ['gif', samples.gif()],
    ['pdf', samples.pdf()],
    ['matroska', samples.matroska()],
    ['html', samples.html()],
    ['svg', samples.svg()],
    ['text', samples.text()],
    ['mach-o', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])],
    ['ole', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])],
    ['unknown', Buffer.from([0x00, 0x01, 0xff, 0xfe])],
  ])('recognises %s', (format, bytes) => {
    expect(sniffFormat(bytes).format).toBe(format);
  });

  it.each([
    ['isom', [], 'mp4'],
    ['mp42', ['isom'], 'mp4'],
    ['M4V ', ['M4V ', 'mp42'], 'mp4'],
    ['XAVC', ['XAVC', 'mp42', 'iso2'], 'mp4'],
    ['3gp4', ['isom', '3gp4'], 'mp4'],
    ['3gp4', ['3gp4'], '3gp'],
    ['qt  ', ['qt  '], 'quicktime'],
    ['abcd', ['qt  '], 'quicktime'],
    ['heix', [], 'heic'],
    ['mif1', ['heic'], 'heic'],
    ['msf1', [], 'heic'],
    ['mif1', ['avif', 'mif1'], 'avif'],
    ['M4A ', ['M4A ', 'isom'], 'm4a'],
    ['crx ', [], 'cr3'],
    ['zzzz', ['yyyy'], 'iso-bmff'],
  ])('reads ftyp major %j with brands %j as %s', (major, compatible, format) => {
    expect(sniffFormat(ftyp(major, compatible)).format).toBe(format);
  });

  it('treats an ftyp box with an impossible size as damaged, not as a known format', () => {
    const damaged = Buffer.concat([Buffer.from([0, 0, 0, 12]), Buffer.from('ftypisom', 'latin1')]);
    expect(sniffFormat(damaged)).toMatchObject({ format: 'iso-bmff', group: 'other-video' });
  });

  it.each(['MZ Corp wins the award', 'BMW launches a new bus', 'RIFFing on the theme of summer', '#!important news', 'ID3 tags explained', 'Testftypical'])(
    'does not mistake the caption %j for a binary format',
    (caption) => {
      expect(sniffFormat(Buffer.from(caption)).group).toBe('text');
    },
  );

  it('never throws on arbitrary bytes and always names a format', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const found = sniffFormat(bytes);
        expect(typeof found.format).toBe('string');
        expect(found.article.length).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary bytes behind a real signature', () => {
    const prefixes = [samples.jpeg().subarray(0, 3), Buffer.from('RIFF'), Buffer.from([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70]), Buffer.from('MZ'), Buffer.from('PK\x03\x04')];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 256 }), (prefix, tail) => {
        expect(() => sniffFormat(Buffer.concat([prefix, tail]))).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('classifyFile', () => {
  it('accepts a JPEG named .jpg, .jpeg or .JPG', () => {
    for (const name of ['a.jpg', 'a.jpeg', 'A.JPG']) {
      expect(classifyFile(name, samples.jpeg(), NESTED)).toEqual({
        ok: true,
        kind: 'image',
        mime: 'image/jpeg',
        format: 'jpeg',
        checkText: false,
      });
    }
  });

  it('refuses a PNG named .jpg, naming both types', () => {
    expect(classifyFile('photo.jpg', samples.png(), NESTED)).toMatchObject({
      ok: false,
      code: 'ingest.extension-mismatch',
      reason: 'The file name says JPEG but the content is PNG.',
    });
    expect(classifyFile('photo.png', samples.jpeg(), NESTED)).toMatchObject({
      reason: 'The file name says PNG but the content is JPEG.',
    });
  });

  it('treats MP4 and MOV as one family but reports the real container', () => {
    expect(classifyFile('clip.mov', samples.mp4(), NESTED)).toMatchObject({ ok: true, kind: 'video', mime: 'video/mp4' });
    expect(classifyFile('clip.mp4', samples.mov(), NESTED)).toMatchObject({ ok: true, kind: 'video', mime: 'video/quicktime' });
    expect(classifyFile('clip.m4v', samples.mp4(), NESTED)).toMatchObject({ ok: true, kind: 'video' });
  });

  it('recognises HEIC but refuses it unless decoding is available', () => {
    expect(classifyFile('IMG_1.HEIC', samples.heic(), NESTED)).toEqual({
      ok: false,
      code: 'ingest.heic-unsupported',
      reason: "HEIC photos can't be decoded safely on this kiosk yet; export as JPEG.",
      detail: 'content: heic; extension: .heic',
      format: 'heic',
      kind: 'image',
      mime: 'image/heic',
    });
    expect(classifyFile('IMG_1.heif', samples.heic(), { atRoot: false, heicDecoding: true })).toMatchObject({
      ok: true,
      kind: 'image',
      mime: 'image/heic',
    });
  });

  it('refuses programs whatever they are called', () => {
    for (const [name, bytes] of [
      ['video.mp4', samples.elf()],
      ['video.mp4', samples.shebang()],
      ['photo.jpg', samples.pe()],
      ['caption.txt', samples.elf()],
      ['tool.exe', samples.jpeg()],
      ['photo.jpg.exe', samples.jpeg()],
      ['run.js', samples.text()],
      ['link.lnk', samples.lnk()],
      ['saver.scr', samples.pe()],
    ] as const) {
      expect(classifyFile(name, bytes, NESTED)).toMatchObject({ ok: false, code: 'ingest.program', reason: 'Program files are not allowed.' });
    }
  });

  it('says what a wrong file is, in words for staff', () => {
    expect(classifyFile('photo.jpg', samples.zip(), NESTED)).toMatchObject({ reason: 'This is a ZIP archive, not a photo.' });
    expect(classifyFile('clip.mp4', samples.zip(), NESTED)).toMatchObject({ reason: 'This is a ZIP archive, not a video.' });
    expect(classifyFile('photo.png', samples.html(), NESTED)).toMatchObject({ reason: 'This is a web page (HTML), not a photo.' });
    expect(classifyFile('photo.png', samples.svg(), NESTED)).toMatchObject({ reason: 'This is an SVG drawing, not a photo.' });
    expect(classifyFile('caption.txt', samples.pdf(), NESTED)).toMatchObject({ reason: 'This is a PDF document, not a caption.' });
    expect(classifyFile('old.mov', samples.legacyQuickTime(), NESTED)).toMatchObject({ code: 'ingest.type-not-allowed', reason: expect.stringMatching(/old-style QuickTime/) });
    expect(classifyFile('notes.docx', samples.zip(), NESTED)).toMatchObject({ code: 'ingest.type-not-allowed', reason: expect.stringMatching(/^This is a ZIP archive\./) });
    expect(classifyFile('notes.xyz', Buffer.from([1, 2, 3]), NESTED)).toMatchObject({ code: 'ingest.extension-not-allowed', reason: expect.stringMatching(/^Files ending in \.xyz can't be imported/) });
  });

  it('takes text and HTML-looking text as a caption, to be checked in full while hashing', () => {
    expect(classifyFile('caption.txt', samples.text(), NESTED)).toEqual({ ok: true, kind: 'text', mime: 'text/plain', format: 'text', checkText: true });
    expect(classifyFile('caption.md', samples.html(), NESTED)).toMatchObject({ ok: true, kind: 'text', mime: 'text/markdown' });
    expect(classifyFile('caption.txt', Buffer.from([0xc3, 0x28]), NESTED)).toMatchObject({ ok: true, checkText: true });
    expect(classifyFile('caption.txt', samples.png(), NESTED)).toMatchObject({ code: 'ingest.extension-mismatch' });
  });

  it('recognises package files only at the root, in any letter case', () => {
    expect(classifyFile('manifest.json', samples.text('{}'), ROOT)).toMatchObject({ ok: true, kind: 'manifest', checkText: true });
    expect(classifyFile('MANIFEST.SIG', Buffer.alloc(64, 0xff), ROOT)).toMatchObject({ ok: true, kind: 'signature', checkText: false });
    expect(classifyFile('manifest.sig', Buffer.from('MZ\0\0'), ROOT)).toMatchObject({ ok: true, kind: 'signature' });
    expect(classifyFile('manifest.json', samples.text('{}'), NESTED)).toMatchObject({ ok: false, code: 'ingest.misplaced-package-file' });
    expect(classifyFile('manifest.json', samples.zip(), ROOT)).toMatchObject({ ok: false, code: 'ingest.bad-manifest' });
  });

  it('returns a classification, never an exception, for random bytes under any name', () => {
    const names = fc.constantFrom('a.jpg', 'a.JPEG', 'a.png', 'a.webp', 'a.heic', 'a.mp4', 'a.mov', 'a.txt', 'a.md', 'a.exe', 'a', 'manifest.json', 'manifest.sig', 'x.tar.gz');
    fc.assert(
      fc.property(names, fc.uint8Array({ maxLength: 600 }), fc.boolean(), fc.boolean(), (name, bytes, atRoot, heicDecoding) => {
        const verdict = classifyFile(name, bytes, { atRoot, heicDecoding });
        if (verdict.ok) {
          expect(['image', 'video', 'text', 'manifest', 'signature']).toContain(verdict.kind);
          expect(verdict.mime).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
        } else {
          expect(verdict.code).toMatch(/^ingest\.[a-z-]+$/);
          expect(verdict.reason).toMatch(/^[A-Z].*\.$/);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts any bytes behind a JPEG signature named .jpg (the sanitiser decodes, not the scanner)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), tail]);
        expect(classifyFile('p.jpg', bytes, NESTED)).toMatchObject({ ok: true, kind: 'image', mime: 'image/jpeg' });
      }),
    );
  });

  it('refuses any ELF, or any binary MZ, whatever its name', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a.jpg', 'a.mp4', 'a.txt', 'a.png', 'a.mov'),
        fc.constantFrom(Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.from('MZ\0', 'latin1')),
        fc.uint8Array({ maxLength: 200 }),
        (name, magic, tail) => {
          expect(classifyFile(name, Buffer.concat([magic, tail]), NESTED)).toMatchObject({ ok: false, code: 'ingest.program' });
        },
      ),
    );
  });
});
