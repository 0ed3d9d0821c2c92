import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { canonicalJson } from '../../../../electron/services/package/canonical-json.ts';
import {
  PACKAGE_LIMITS,
  packagePathProblem,
  parseManifest,
  printable,
  serializeManifest,
} from '../../../../electron/services/package/manifest.ts';
import type { PackageManifest } from '../../../../electron/services/package/manifest.ts';

const HASH = 'ab'.repeat(32);

function validManifest(): PackageManifest {
  return {
    formatVersion: 1,
    packageId: randomUUID(),
    createdAt: '2030-01-02T03:04:05.678Z',
    author: 'Comms team',
    posts: [
      {
        caption: 'Hello',
        targets: ['tiktok', 'mastodon'],
        scheduleAt: '2030-01-03T09:00:00+01:00',
        media: [{ path: 'photos/a.jpg', alt: 'A photo' }],
      },
      { caption: 'Text only', targets: ['bluesky'], media: [] },
    ],
    files: [{ path: 'photos/a.jpg', size: 10, sha256: HASH }],
  };
}

function bytesOf(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function rejection(bytes: Uint8Array): AirlockError {
  try {
    parseManifest(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(AirlockError);
    expect((err as AirlockError).code).toBe('package.malformed');
    return err as AirlockError;
  }
  throw new Error('expected the manifest to be refused');
}

describe('manifest bytes', () => {
  it('parses exactly what serializeManifest writes', () => {
    const manifest = validManifest();
    expect(parseManifest(serializeManifest(manifest))).toEqual(manifest);
  });

  it('writes sorted keys with no whitespace', () => {
    const text = new TextDecoder().decode(serializeManifest(validManifest()));
    expect(text.startsWith('{"author":"Comms team","createdAt":')).toBe(true);
    expect(text).not.toMatch(/[\n\r\t]|": |, /);
  });

  it('refuses the same content spelled differently: whitespace, key order, duplicate keys, BOM', () => {
    const manifest = validManifest();
    const canonical = canonicalJson(manifest);
    const encoder = new TextEncoder();
    expect(rejection(encoder.encode(JSON.stringify(manifest, null, 2))).message).toContain('not written by airlock pack');
    expect(rejection(encoder.encode(JSON.stringify(manifest))).code).toBe('package.malformed');
    const duplicated = canonical.replace('{"author":"Comms team",', '{"author":"Someone else","author":"Comms team",');
    expect(JSON.parse(duplicated).author).toBe('Comms team');
    rejection(encoder.encode(duplicated));
    rejection(encoder.encode(`\uFEFF${canonical}`));
    rejection(encoder.encode(`${canonical}\n`));
  });

  it('refuses invalid UTF-8 and non-JSON', () => {
    rejection(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    rejection(new TextEncoder().encode('{"formatVersion":1'));
    rejection(new Uint8Array());
  });

  it('refuses a manifest over the size cap before parsing it', () => {
    const huge = new Uint8Array(PACKAGE_LIMITS.manifestBytes + 1).fill(0x20);
    expect(rejection(huge).message).toContain('too large');
  });

  it('refuses deeply nested JSON quickly', () => {
    const depth = 400_000;
    const started = performance.now();
    rejection(new TextEncoder().encode('['.repeat(depth) + ']'.repeat(depth)));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses unknown keys at every level', () => {
    rejection(bytesOf({ ...validManifest(), extra: true }));
    const post = validManifest();
    (post.posts[0] as Record<string, unknown>).publishNow = true;
    rejection(bytesOf(post));
    const file = validManifest();
    (file.files[0] as Record<string, unknown>).mode = 0o777;
    rejection(bytesOf(file));
  });

  it('refuses a media reference that is not in the file list', () => {
    const manifest = validManifest();
    manifest.posts[0]!.media.push({ path: 'photos/ghost.jpg' });
    expect(rejection(bytesOf(manifest)).message).toContain('photos/ghost.jpg');
  });

  it('refuses duplicate file paths, including ones differing only in case', () => {
    const manifest = validManifest();
    manifest.files.push({ path: 'Photos/A.JPG', size: 1, sha256: HASH });
    expect(rejection(bytesOf(manifest)).detail).toContain('listed more than once');
  });

  it('refuses a file listed inside something listed as a file', () => {
    const manifest = validManifest();
    manifest.files.push({ path: 'photos/a.jpg/inner.jpg', size: 1, sha256: HASH });
    rejection(bytesOf(manifest));
  });

  it('enforces limits on posts, captions, alt text and media per post', () => {
    const many = validManifest();
    many.posts = Array.from({ length: PACKAGE_LIMITS.posts + 1 }, () => ({ caption: 'x', targets: ['tiktok' as const], media: [] }));
    rejection(bytesOf(many));
    const longCaption = validManifest();
    longCaption.posts[0]!.caption = 'x'.repeat(PACKAGE_LIMITS.captionChars + 1);
    rejection(bytesOf(longCaption));
    const longAlt = validManifest();
    longAlt.posts[0]!.media[0]!.alt = 'x'.repeat(PACKAGE_LIMITS.altChars + 1);
    rejection(bytesOf(longAlt));
    const manyFiles = validManifest();
    manyFiles.files = Array.from({ length: PACKAGE_LIMITS.files + 1 }, (_, i) => ({ path: `f${i}.jpg`, size: 1, sha256: HASH }));
    manyFiles.posts[0]!.media = [];
    rejection(bytesOf(manyFiles));
  });

  it('refuses unknown platforms, duplicate platforms, bad schedules and bad hashes', () => {
    const platform = validManifest();
    (platform.posts[0]!.targets as string[]).push('myspace');
    rejection(bytesOf(platform));
    const twice = validManifest();
    twice.posts[0]!.targets = ['tiktok', 'tiktok'];
    rejection(bytesOf(twice));
    const schedule = validManifest();
    schedule.posts[0]!.scheduleAt = 'next Tuesday';
    rejection(bytesOf(schedule));
    const hash = validManifest();
    hash.files[0]!.sha256 = 'AB'.repeat(32);
    rejection(bytesOf(hash));
    const size = validManifest();
    size.files[0]!.size = -1;
    rejection(bytesOf(size));
    const version = validManifest();
    (version as { formatVersion: number }).formatVersion = 2;
    rejection(bytesOf(version));
  });

  it('refuses an empty post and an author with control characters', () => {
    const empty = validManifest();
    empty.posts[1]!.caption = '  ';
    rejection(bytesOf(empty));
    const author = validManifest();
    author.author = 'Comms\u001b[31m team';
    rejection(bytesOf(author));
  });

  it('escapes control characters from the manifest in its error messages', () => {
    const hostile = { ...validManifest(), 'evil\u001b]0;owned\u0007': 1 };
    const err = rejection(bytesOf(hostile));
    expect(`${err.message}${err.detail ?? ''}`).not.toMatch(/\p{Cc}/u);
  });
});

describe('packagePathProblem', () => {
  it.each([
    'photos/a.jpg',
    'a.jpg',
    'Vidéo été/clip 1.mp4',
    'deep/er/than/most/but/not/too/x.png',
    'name with spaces.jpg',
  ])('accepts %j', (candidate) => {
    expect(packagePathProblem(candidate)).toBeNull();
  });

  it.each([
    ['', 'empty'],
    ['../a.jpg', 'outside'],
    ['photos/../../a.jpg', 'outside'],
    ['photos/..', 'outside'],
    ['./a.jpg', '"."'],
    ['/etc/passwd', 'absolute'],
    ['C:/Windows/x.jpg', 'not allowed'],
    ['photos\\a.jpg', 'backslash'],
    ['.hidden.jpg', 'hidden'],
    ['photos/.git/config', 'hidden'],
    ['photos//a.jpg', 'empty folder'],
    ['photos/', 'empty folder'],
    ['a\u0000b.jpg', 'control'],
    ['a\nb.jpg', 'control'],
    ['gpj\u202Eexe.jpg', 'invisible'],
    ['a\u200Bb.jpg', 'invisible'],
    ['Vide\u0301o.mp4', 'normal form'],
    ['con.txt', 'reserved device'],
    ['photos/LPT1', 'reserved device'],
    ['photo.jpg.', 'ends with'],
    ['photo.jpg ', 'ends with'],
    ['a?.jpg', 'not allowed'],
    ['manifest.json', 'reserved'],
    ['MANIFEST.SIG', 'reserved'],
    ['x'.repeat(PACKAGE_LIMITS.pathChars + 1), 'longer'],
    [`${'x'.repeat(PACKAGE_LIMITS.segmentChars + 1)}.jpg`, 'longer'],
    [Array.from({ length: PACKAGE_LIMITS.pathSegments + 1 }, () => 'd').join('/'), 'nested'],
  ])('refuses %j', (candidate, reason) => {
    expect(packagePathProblem(candidate)).toContain(reason);
  });

  it('refuses traversal in a manifest file entry', () => {
    const manifest = validManifest();
    manifest.files[0]!.path = 'photos/../../../etc/shadow';
    manifest.posts[0]!.media[0]!.path = 'photos/../../../etc/shadow';
    expect(rejection(bytesOf(manifest)).message).toContain('outside the package folder');
  });
});

describe('printable', () => {
  it('makes control, bidi and zero-width characters visible and cuts long text', () => {
    expect(printable('a\u001bb\u202Ec\u200Bd')).toBe('a\\u{1b}b\\u{202e}c\\u{200b}d');
    expect(printable('x'.repeat(300), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
