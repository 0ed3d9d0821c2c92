// Builds, at test time, a folder full of the things a hostile or careless stick can carry
// (links, pipes, devices, disguised programs, polyglots, spoofed names, floods, sparse giants)
// together with what the scanner must say about each. The FAT-compatible ones also go on a real image.

import { execFileSync } from 'node:child_process';
import { link, mkdir, open, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { MediaKind } from '../../electron/services/ingest/limits.ts';
import type { FatEntry } from './fat-image.ts';

export type HostileExpectation =
  | { accepted: true; kind: MediaKind; mime?: string }
  | { code: string; skipped?: true; reason?: string | RegExp };

export interface HostileCase {
  /** What the case is, for test names. */
  what: string;
  /** How the scanner reports it: relative, forward slashes, refused names escaped. */
  path: string;
  expect: HostileExpectation;
  /** Set when the case can be written to a FAT image as well (FAT has no links or devices). */
  fat?: FatEntry[];
}

export interface HostileCorpus {
  root: string;
  cases: HostileCase[];
  /** Cases this machine could not build (e.g. mknod refused), with why. */
  unavailable: string[];
}

// ---------------------------------------------------------------------------------------------
// Sample bytes. Only the leading bytes matter to the scanner; the rest is plausible filler.

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const u32be = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
};
const u32le = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
};

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([ascii(type), data]);
  return Buffer.concat([u32be(data.length), body, u32be(crc32(body))]);
}

function ftyp(major: string, compatible: string[]): Buffer {
  return Buffer.concat([u32be(16 + compatible.length * 4), ascii('ftyp'), ascii(major), u32be(0x200), ...compatible.map(ascii)]);
}

export const samples = {
  jpeg(extra = 256): Buffer {
    // SOI, a JFIF APP0, filler, EOI.
    const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
    return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, Buffer.alloc(extra, 0x11), Buffer.from([0xff, 0xd9])]);
  },
  png(width = 16, height = 16): Buffer {
    const ihdr = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 2, 0, 0, 0])]);
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', Buffer.alloc(32)),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
  },
  webp(): Buffer {
    const vp8 = Buffer.concat([ascii('VP8 '), u32le(64), Buffer.alloc(64, 0x22)]);
    return Buffer.concat([ascii('RIFF'), u32le(4 + vp8.length), ascii('WEBP'), vp8]);
  },
  isoMedia(major: string, compatible: string[], payload = 512): Buffer {
    return Buffer.concat([ftyp(major, compatible), u32be(8 + payload), ascii('mdat'), Buffer.alloc(payload, 0x33)]);
  },
  mp4(payload = 512): Buffer {
    return samples.isoMedia('isom', ['isom', 'iso2', 'avc1', 'mp41'], payload);
  },
  mov(): Buffer {
    return samples.isoMedia('qt  ', ['qt  ']);
  },
  heic(): Buffer {
    return samples.isoMedia('heic', ['mif1', 'heic']);
  },
  avif(): Buffer {
    return samples.isoMedia('avif', ['avif', 'mif1', 'miaf']);
  },
  legacyQuickTime(): Buffer {
    // 'wide' then 'mdat', no ftyp: what QuickTime wrote before 2005.
    return Buffer.concat([u32be(8), ascii('wide'), u32be(8 + 256), ascii('mdat'), Buffer.alloc(256, 0x44)]);
  },
  elf(): Buffer {
    return Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(120)]);
  },
  pe(): Buffer {
    const dos = Buffer.alloc(0x80);
    ascii('MZ').copy(dos, 0);
    dos.writeUInt32LE(0x80, 0x3c);
    return Buffer.concat([dos, ascii('PE\0\0'), Buffer.alloc(64)]);
  },
  shebang(): Buffer {
    return ascii('#!/bin/sh\necho "this would run"\n');
  },
  lnk(): Buffer {
    return Buffer.concat([
      Buffer.from([0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46]),
      Buffer.alloc(56),
    ]);
  },
  zip(): Buffer {
    // An empty-ish archive: one local header, then the end-of-central-directory record.
    const local = Buffer.concat([ascii('PK\x03\x04'), Buffer.alloc(26), ascii('')]);
    return Buffer.concat([local, ascii('PK\x05\x06'), Buffer.alloc(18)]);
  },
  gif(): Buffer {
    return Buffer.concat([ascii('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0]), ascii(';')]);
  },
  pdf(): Buffer {
    return ascii('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
  },
  matroska(): Buffer {
    return Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(60, 0x42)]);
  },
  html(): Buffer {
    return ascii('<!DOCTYPE html>\n<html><body><script>fetch("https://example.invalid/x")</script></body></html>\n');
  },
  svg(): Buffer {
    return ascii('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n');
  },
  text(content = 'Our new library opens on Monday 🎉\nCome and see us.\n'): Buffer {
    return Buffer.from(content, 'utf8');
  },
};

// ---------------------------------------------------------------------------------------------
// The corpus

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Builds the corpus inside `root` (which must exist and be empty). */
export async function buildHostileCorpus(root: string): Promise<HostileCorpus> {
  const cases: HostileCase[] = [];
  const unavailable: string[] = [];

  const file = async (
    path: string,
    content: Buffer | string,
    what: string,
    expect: HostileExpectation,
    options: { fat?: boolean; reportedAs?: string } = {},
  ): Promise<void> => {
    const absolute = join(root, ...path.split('/'));
    await mkdir(dirname(absolute), { recursive: true });
    await writeFile(absolute, content);
    const entry: HostileCase = { what, path: options.reportedAs ?? path, expect };
    if (options.fat !== false) entry.fat = [{ path, content }];
    cases.push(entry);
  };

  // Legitimate content, so the test also proves the scanner does not refuse everything.
  await file('Good-photo.jpg', samples.jpeg(), 'a valid JPEG', { accepted: true, kind: 'image', mime: 'image/jpeg' });
  await file('Good-image.png', samples.png(), 'a valid PNG', { accepted: true, kind: 'image', mime: 'image/png' });
  await file('Good-image.webp', samples.webp(), 'a valid WebP', { accepted: true, kind: 'image', mime: 'image/webp' });
  await file('Good-clip.mp4', samples.mp4(), 'an MP4 with an isom ftyp', { accepted: true, kind: 'video', mime: 'video/mp4' });
  await file('Good-clip.mov', samples.mov(), 'a MOV with a qt ftyp', { accepted: true, kind: 'video', mime: 'video/quicktime' });
  await file('UPPER-CASE.JPG', samples.jpeg(), 'a JPEG with an upper-case extension', { accepted: true, kind: 'image' });
  await file('Caption-ok.txt', samples.text(), 'a UTF-8 caption', { accepted: true, kind: 'text', mime: 'text/plain' });
  await file('Caption-notes.md', samples.text('# Launch\n\nSee you there.\n'), 'a Markdown caption', {
    accepted: true,
    kind: 'text',
    mime: 'text/markdown',
  });
  // Bidi characters inside a caption are the caption sanitiser's job, not a reason to refuse.
  await file('Caption-bidi.txt', samples.text('Price: \u202E001\u202C pounds'), 'a caption with bidi controls in its text', {
    accepted: true,
    kind: 'text',
  });
  await file('manifest.json', samples.text('{"version":1,"posts":[]}\n'), 'the package manifest at the root', {
    accepted: true,
    kind: 'manifest',
  });
  await file('manifest.sig', Buffer.alloc(64, 0xab), 'the package signature at the root', { accepted: true, kind: 'signature' });
  // Polyglot: a real JPEG with a ZIP glued on. It is a JPEG; the sanitiser's re-encode drops the tail.
  await file('Polyglot-photo.jpg', Buffer.concat([samples.jpeg(), samples.zip()]), 'a JPEG with a ZIP appended', {
    accepted: true,
    kind: 'image',
  });
  // Absurd IHDR dimensions are fine at this stage; the sanitiser caps pixels before decoding.
  await file('Huge-dimensions.png', samples.png(0x7fffffff, 0x7fffffff), 'a PNG claiming 2^31 x 2^31 pixels', {
    accepted: true,
    kind: 'image',
  });

  // Package files in the wrong place.
  await file('Nested/manifest.json', samples.text('{}'), 'a manifest below the root', { code: 'ingest.misplaced-package-file' });

  // Formats recognised and refused.
  await file('iPhone-photo.heic', samples.heic(), 'a HEIC photo (no safe decoder)', {
    code: 'ingest.heic-unsupported',
    reason: "HEIC photos can't be decoded safely on this kiosk yet; export as JPEG.",
  });
  await file('Legacy-movie.mov', samples.legacyQuickTime(), 'a QuickTime file without ftyp', {
    code: 'ingest.type-not-allowed',
    reason: /old-style QuickTime/,
  });
  await file('Avif-photo.heic', samples.avif(), 'an AVIF image named .heic', { code: 'ingest.type-not-allowed', reason: /AVIF/ });
  await file('Webm-clip.mp4', samples.matroska(), 'a Matroska/WebM file named .mp4', { code: 'ingest.type-not-allowed' });

  // Disguised programs.
  await file('Holiday-video.mp4', samples.elf(), 'a Linux executable named .mp4', {
    code: 'ingest.program',
    reason: 'Program files are not allowed.',
  });
  await file('Clip-script.mp4', samples.shebang(), 'a shell script named .mp4', { code: 'ingest.program' });
  await file('Summer-photo.jpg', samples.pe(), 'a Windows executable named .jpg', { code: 'ingest.program' });
  await file('Caption-elf.txt', samples.elf(), 'a Linux executable named .txt', { code: 'ingest.program' });
  await file('Setup-tool.exe', samples.pe(), 'a Windows executable', { code: 'ingest.program' });
  await file('Screen-saver.scr', samples.pe(), 'a Windows screensaver (.scr)', { code: 'ingest.program' });
  await file('Payload.js', samples.text('WScript.Shell.Run("calc")'), 'a script (.js)', { code: 'ingest.program' });
  await file('Shortcut-file.lnk', samples.lnk(), 'a Windows shortcut (.lnk)', { code: 'ingest.program' });
  await file('photo.jpg.exe', samples.jpeg(), 'a double extension photo.jpg.exe', { code: 'ingest.program' });

  // Types that disagree with their names.
  await file('Actually-png.jpg', samples.png(), 'a PNG named .jpg', {
    code: 'ingest.extension-mismatch',
    reason: 'The file name says JPEG but the content is PNG.',
  });
  await file('Archive-photo.jpg', samples.zip(), 'a ZIP named .jpg', {
    code: 'ingest.type-not-allowed',
    reason: 'This is a ZIP archive, not a photo.',
  });
  await file('Web-page.png', samples.html(), 'an HTML page named .png', {
    code: 'ingest.type-not-allowed',
    reason: 'This is a web page (HTML), not a photo.',
  });
  await file('Drawing-image.png', samples.svg(), 'an SVG with script named .png', {
    code: 'ingest.type-not-allowed',
    reason: 'This is an SVG drawing, not a photo.',
  });
  await file('Plain-words.jpg', samples.text(), 'a text file named .jpg', { code: 'ingest.type-not-allowed' });
  await file('Random-noise.jpg', Buffer.from([0x00, 0x13, 0x37, 0xfe, 0x80, 0x81, 0x00, 0x02]), 'random bytes named .jpg', {
    code: 'ingest.unrecognised',
  });
  await file('Short-magic.jpg', Buffer.from([0xff, 0xd8]), 'a truncated JPEG magic', { code: 'ingest.unrecognised' });
  await file('Report-file.pdf', samples.pdf(), 'a PDF', { code: 'ingest.type-not-allowed' });
  await file('Animation.gif', samples.gif(), 'a GIF', { code: 'ingest.type-not-allowed', reason: /GIF/ });
  await file('No-extension-photo', samples.jpeg(), 'a JPEG without an extension', { code: 'ingest.extension-mismatch' });
  await file('Unknown-type.xyz', Buffer.from([1, 2, 3, 4, 5]), 'an unknown extension', { code: 'ingest.extension-not-allowed' });

  // Broken captions.
  await file('Bad-utf8.txt', Buffer.from([0x48, 0x69, 0x20, 0xc3, 0x28, 0xa0, 0xa1, 0x0a]), 'a caption with invalid UTF-8', {
    code: 'ingest.bad-text',
  });
  // The NUL sits past the sniffed header, so only the full streaming check can catch it.
  await file(
    'Nul-bytes.txt',
    Buffer.concat([samples.text('x'.repeat(8000)), Buffer.from([0]), samples.text('tail')]),
    'a caption with a NUL byte after 8000 bytes',
    { code: 'ingest.bad-text' },
  );
  await file('Empty-photo.jpg', Buffer.alloc(0), 'a zero-byte file', { code: 'ingest.empty' });

  // Operating-system clutter: skipped, and never entered.
  await file('.hidden-photo.jpg', samples.jpeg(), 'a hidden file', { code: 'ingest.hidden', skipped: true });
  await file('._Good-photo.jpg', Buffer.alloc(82, 0), 'a macOS AppleDouble file', { code: 'ingest.hidden', skipped: true });
  await file('Thumbs.db', Buffer.alloc(64, 1), 'Windows thumbnail cache', { code: 'ingest.system-file', skipped: true });
  await file('desktop.ini', samples.text('[.ShellClassInfo]\n'), 'Windows folder settings', {
    code: 'ingest.system-file',
    skipped: true,
  });
  const systemFolder = async (folder: string, what: string): Promise<void> => {
    const inner = `${folder}/inside-photo.jpg`;
    await mkdir(join(root, folder), { recursive: true });
    await writeFile(join(root, folder, 'inside-photo.jpg'), samples.jpeg());
    cases.push({ what, path: folder, expect: { code: 'ingest.system-file', skipped: true }, fat: [{ path: inner, content: samples.jpeg() }] });
  };
  await systemFolder('.Trashes', 'the macOS trash folder');
  await systemFolder('.Spotlight-V100', 'the macOS Spotlight index');
  await systemFolder('.fseventsd', 'the macOS file event log');
  await systemFolder('System Volume Information', 'the Windows system folder');
  await systemFolder('$RECYCLE.BIN', 'the Windows recycle bin');
  await systemFolder('__MACOSX', 'a macOS archive leftover folder');

  // Too deep: folders 1..8 are entered, the 9th is reported and not opened.
  const deep = Array.from({ length: 12 }, (_, i) => `Deep-${i + 1}`);
  await file(`${deep.join('/')}/deep-photo.jpg`, samples.jpeg(), 'a photo 12 folders deep', { code: 'ingest.too-deep' }, {
    reportedAs: deep.slice(0, 9).join('/'),
  });
  // Within the limit: 8 folders deep is still read.
  await file(`${deep.slice(0, 8).join('/')}/ok-at-depth-8.jpg`, samples.jpeg(), 'a photo 8 folders deep', {
    accepted: true,
    kind: 'image',
  });

  // Names that try to spoof the screen. FAT (via mtools) stores these as Windows would.
  await file('photo\u202Egpj.exe', samples.pe(), 'a right-to-left override that shows "photoexe.jpg"', { code: 'ingest.bad-name' }, {
    reportedAs: 'photo\\u{202E}gpj.exe',
  });
  await file('zero\u200Bwidth.jpg', samples.jpeg(), 'a zero-width space in a name', { code: 'ingest.bad-name' }, {
    reportedAs: 'zero\\u{200B}width.jpg',
  });
  await file('Isolate\u2066-name.jpg', samples.jpeg(), 'a bidi isolate in a name', { code: 'ingest.bad-name' }, {
    reportedAs: 'Isolate\\u{2066}-name.jpg',
  });
  // Names FAT forbids but a Linux-formatted stick (or a media-root folder) can hold.
  await file('back\\slash.jpg', samples.jpeg(), 'a backslash in a name', { code: 'ingest.bad-name' }, { fat: false });
  await file('ctl\u0001char.jpg', samples.jpeg(), 'a control character in a name', { code: 'ingest.bad-name' }, {
    fat: false,
    reportedAs: 'ctl\\u{0001}char.jpg',
  });
  await file('line\nbreak.jpg', samples.jpeg(), 'a newline in a name', { code: 'ingest.bad-name' }, {
    fat: false,
    reportedAs: 'line\\u{000A}break.jpg',
  });
  await file('Escape\u001b[31m-red.txt', samples.text(), 'a terminal escape sequence in a name', { code: 'ingest.bad-name' }, {
    fat: false,
    reportedAs: 'Escape\\u{001B}[31m-red.txt',
  });
  {
    // Bytes that are not UTF-8 at all: Node reads the name back with U+FFFD.
    const raw = Buffer.concat([Buffer.from(`${root}/Bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.jpg')]);
    await writeFile(raw, samples.jpeg());
    cases.push({ what: 'a name that is not valid UTF-8', path: 'Bad-\\u{FFFD}\\u{FFFD}.jpg', expect: { code: 'ingest.bad-name' } });
  }

  // Links, devices and other non-files: FAT cannot hold them, a Linux-formatted stick can.
  await symlink('/etc/passwd', join(root, 'Passwd-link.txt'));
  cases.push({ what: 'a symlink to /etc/passwd', path: 'Passwd-link.txt', expect: { code: 'ingest.symlink' } });
  await symlink('/etc', join(root, 'Etc-folder-link'));
  cases.push({ what: 'a symlink to a directory outside', path: 'Etc-folder-link', expect: { code: 'ingest.symlink' } });
  await symlink('.', join(root, 'Loop-link'));
  cases.push({ what: 'a symlink loop to its own folder', path: 'Loop-link', expect: { code: 'ingest.symlink' } });
  await symlink('/nonexistent/target.jpg', join(root, 'Dangling-link.jpg'));
  cases.push({ what: 'a dangling symlink', path: 'Dangling-link.jpg', expect: { code: 'ingest.symlink' } });
  await writeFile(join(root, 'Hardlink-a.txt'), samples.text());
  await link(join(root, 'Hardlink-a.txt'), join(root, 'Hardlink-b.txt'));
  cases.push({ what: 'a file with two names (first)', path: 'Hardlink-a.txt', expect: { code: 'ingest.hard-link' } });
  cases.push({ what: 'a file with two names (second)', path: 'Hardlink-b.txt', expect: { code: 'ingest.hard-link' } });

  execFileSync('mkfifo', [join(root, 'Caption-pipe.txt')]);
  cases.push({ what: 'a FIFO named .txt (reading it would hang)', path: 'Caption-pipe.txt', expect: { code: 'ingest.special-file' } });

  // Node removes a socket file when its server closes; a second name keeps the inode.
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    const socketPath = join(root, 'tmp-socket');
    server.once('error', reject);
    server.listen(socketPath, () => {
      link(socketPath, join(root, 'Socket-file.jpg'))
        .then(() => server.close(() => resolve()))
        .catch(reject);
    });
  });
  cases.push({ what: 'a Unix socket named .jpg', path: 'Socket-file.jpg', expect: { code: 'ingest.special-file' } });

  try {
    execFileSync('mknod', [join(root, 'Device-null.jpg'), 'c', '1', '3'], { stdio: 'pipe' });
    cases.push({ what: 'a character device named .jpg', path: 'Device-null.jpg', expect: { code: 'ingest.special-file' } });
  } catch (err) {
    unavailable.push(`character device: mknod refused (${String(err).split('\n')[0]})`);
  }

  // Giants that cost no disk: sparse files with a real header. Refused on size alone, unread.
  const sparse = async (name: string, header: Buffer, size: number, what: string): Promise<void> => {
    const handle = await open(join(root, name), 'wx');
    try {
      await handle.write(header, 0, header.length, 0);
      await handle.truncate(size);
    } finally {
      await handle.close();
    }
    cases.push({ what, path: name, expect: { code: 'ingest.too-large' } });
  };
  await sparse('Sparse-huge.jpg', samples.jpeg(), 60 * MiB, 'a 60 MiB photo (limit 50 MiB)');
  await sparse('Sparse-huge.mp4', samples.mp4(), 5 * GiB, 'a 5 GiB video (limit 4 GiB)');
  await sparse('Sparse-long-caption.txt', samples.text(), 2 * MiB, 'a 2 MiB caption (limit 1 MiB)');

  return { root, cases, unavailable };
}

/** `count` tiny valid JPEGs in one folder: the file-count limit has to stop the scan early. */
export async function buildFileFlood(root: string, count: number, options: { hidden?: boolean } = {}): Promise<void> {
  const content = samples.jpeg(8);
  const width = String(count).length;
  for (let i = 0; i < count; i += 500) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(count, i + 500); j++) {
      const name = `${options.hidden ? '.' : ''}flood-${String(j).padStart(width, '0')}.jpg`;
      batch.push(writeFile(join(root, name), content));
    }
    await Promise.all(batch);
  }
}

/** The FAT-compatible part of the corpus, as entries for makeFatImage. */
export function fatEntriesOf(corpus: HostileCorpus): FatEntry[] {
  return corpus.cases.flatMap((c) => c.fat ?? []);
}

/** The cases that survive on FAT. */
export function fatCases(corpus: HostileCorpus): HostileCase[] {
  return corpus.cases.filter((c) => c.fat !== undefined);
}
