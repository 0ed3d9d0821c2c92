// Both ends of a multipart upload: the adapter's streamed body (exact Content-Length, escaped
// names, a file that changes mid-send) and the simulator's streaming reader (any split of the
// bytes, delimiters that straddle chunks, truncation and limits).
import { createHash } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartFileBody } from '../../../../electron/platforms/mastodon/mastodon-multipart.ts';
import { MultipartError, multipartBoundary, readMultipart } from '../../../../electron/platforms/mastodon/simulator-multipart.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-mastodon-multipart-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* pieces(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= at || cut >= bytes.length) continue;
    yield bytes.subarray(at, cut);
    at = cut;
  }
  yield bytes.subarray(at);
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BOUNDARY = 'XyZ-boundary-123';

function form(parts: string[], file: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`preamble to ignore\r\n${parts.map((p) => `--${BOUNDARY}\r\n${p}\r\n`).join('')}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a \\"b\\".jpg"\r\nContent-Type: image/JPEG\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\nepilogue`),
  ]);
}

describe('simulator multipart reader', () => {
  it('reads fields and a file whatever the chunk boundaries, even with near-delimiters inside the file', async () => {
    // Bytes that almost spell the delimiter, so a reader that matched too early would cut the file.
    const file = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}!\r\n-`), Buffer.alloc(3000, 0xab), Buffer.from('\r\n--')]);
    const body = form(['Content-Disposition: form-data; name="description"\r\n\r\nLine one\r\nline two', 'Content-Disposition: form-data; name="media_ids[]"\r\n\r\n7'], file);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: body.length - 1 }), { maxLength: 12 }), async (cuts) => {
        const parsed = await readMultipart(pieces(body, cuts), BOUNDARY);
        expect(parsed.fields.get('description')).toEqual(['Line one\r\nline two']);
        expect(parsed.fields.get('media_ids[]')).toEqual(['7']);
        expect(parsed.files).toHaveLength(1);
        expect(parsed.files[0]).toMatchObject({ field: 'file', filename: 'a "b".jpg', contentType: 'image/jpeg', size: file.length, sha256: sha256(file) });
        expect(parsed.files[0]!.head.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps only the first bytes of a file for sniffing, however large it is', async () => {
    const file = Buffer.alloc(300_000, 1);
    const parsed = await readMultipart(pieces(form([], file), [1000, 70_000, 150_000]), BOUNDARY, { maxParts: 4, maxHeaderBytes: 1024, maxFieldBytes: 100, headBytes: 16 });
    expect(parsed.files[0]!.head).toHaveLength(16);
    expect(parsed.files[0]!.size).toBe(300_000);
  });

  it('refuses a body cut short, too many parts, an over-long field or header, and a part without a name', async () => {
    const whole = form(['Content-Disposition: form-data; name="description"\r\n\r\nhi'], Buffer.alloc(5000, 2));
    await expect(readMultipart(pieces(whole.subarray(0, 3000), []), BOUNDARY)).rejects.toThrow(/ended inside a part/);
    const limits = { maxParts: 1, maxHeaderBytes: 200, maxFieldBytes: 10, headBytes: 16 };
    await expect(readMultipart(pieces(whole, []), BOUNDARY, limits)).rejects.toThrow(/more than 1 parts/);
    await expect(readMultipart(pieces(form(['Content-Disposition: form-data; name="d"\r\n\r\n' + 'x'.repeat(11)], Buffer.alloc(1)), []), BOUNDARY, { ...limits, maxParts: 5 })).rejects.toThrow(/over 10 bytes/);
    await expect(readMultipart(pieces(form([`Content-Disposition: form-data; name="d"\r\nX-Pad: ${'p'.repeat(300)}\r\n\r\nv`], Buffer.alloc(1)), []), BOUNDARY, { ...limits, maxParts: 5 })).rejects.toThrow(MultipartError);
    await expect(readMultipart(pieces(form(['Content-Disposition: form-data\r\n\r\nv'], Buffer.alloc(1)), []), BOUNDARY)).rejects.toThrow(/no name/);
  });

  it('decodes an RFC 5987 filename*', async () => {
    const body = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x"; filename*=UTF-8''caf%C3%A9.jpg\r\n\r\nabc\r\n--${BOUNDARY}--\r\n`);
    expect((await readMultipart(pieces(body, []), BOUNDARY)).files[0]!.filename).toBe('café.jpg');
  });

  it('finds the boundary in a Content-Type, quoted or not, and only for multipart/form-data', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----abc123')).toBe('----abc123');
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    expect(multipartBoundary('multipart/mixed; boundary=abc')).toBeNull();
    expect(multipartBoundary('multipart/form-data')).toBeNull();
    expect(multipartBoundary(`multipart/form-data; boundary=${'a'.repeat(71)}`)).toBeNull();
    expect(multipartBoundary(undefined)).toBeNull();
  });
});

describe('adapter multipart body', () => {
  it('announces exactly the bytes it sends, and the simulator reads back the fields and the file', async () => {
    const path = join(dir, 'photo.jpg');
    const file = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(700_000, 9)]);
    await writeFile(path, file);
    const body = multipartFileBody([['description', 'Café "opening" day\nsecond line']], { field: 'file', filename: 'odd"name\r\n.jpg', contentType: 'image/jpeg', path, bytes: file.length }, 64 * 1024);
    const seen: number[] = [];
    const bytes = await collect(body.open((n) => seen.push(n)));
    expect(bytes.length).toBe(body.contentLength);
    expect(seen.at(-1)).toBe(file.length);
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).toBe(true);
    const boundary = multipartBoundary(body.contentType)!;
    expect(boundary).toMatch(/^----AirlockFormBoundary[A-Za-z0-9]{24}$/);
    const parsed = await readMultipart(pieces(bytes, [100, 5000]), boundary);
    expect(parsed.fields.get('description')).toEqual(['Café "opening" day\nsecond line']);
    // WHATWG escaping: quotes and line breaks in a name never break the header.
    expect(parsed.files[0]).toMatchObject({ filename: 'odd%22name%0D%0A.jpg', contentType: 'image/jpeg', size: file.length, sha256: sha256(file) });
  });

  it('opens a fresh stream for every attempt', async () => {
    const path = join(dir, 'twice.bin');
    await writeFile(path, Buffer.alloc(1000, 3));
    const body = multipartFileBody([], { field: 'file', filename: 'a.bin', contentType: 'image/png', path, bytes: 1000 });
    expect((await collect(body.open())).equals(await collect(body.open()))).toBe(true);
  });

  it('fails the stream rather than send fewer bytes than it announced when the file shrank', async () => {
    const path = join(dir, 'shrinks.bin');
    await writeFile(path, Buffer.alloc(5000, 4));
    const body = multipartFileBody([], { field: 'file', filename: 'a.bin', contentType: 'image/png', path, bytes: 5000 });
    await truncate(path, 4000);
    await expect(collect(body.open())).rejects.toThrow(/shrank/);
  });
});
