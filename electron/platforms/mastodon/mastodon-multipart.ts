// The multipart/form-data body of a media upload (RFC 7578), built as a stream: text fields, then
// the file read from the library in small pieces, then the closing boundary. Its length is known
// before the first byte goes, so the request carries Content-Length and memory stays at one piece.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

export interface MultipartFilePart {
  field: string;
  /** What the server is told the file is called; never the library path. */
  filename: string;
  contentType: string;
  path: string;
  bytes: number;
  /** Where in the file the part starts (a segment of a larger upload); 0 when left out. */
  start?: number;
}

export interface MultipartBody {
  contentType: string;
  contentLength: number;
  /** A fresh stream of the whole body; `onFileBytes` hears how much of the file has been read. */
  open(onFileBytes?: (bytes: number) => void): Readable;
}

export const DEFAULT_PIECE_BYTES = 256 * 1024;

/** Header parameter text as browsers write it (WHATWG HTML "multipart/form-data encoding"). */
function quoted(text: string): string {
  return `"${text.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22')}"`;
}

function newBoundary(): string {
  // Letters and digits only: valid unquoted, and 144 random bits make a collision with file
  // content beyond reach (RFC 2046 §5.1.1 asks only that it not occur in the body).
  return `----AirlockFormBoundary${randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, 'x')}`;
}

export function multipartFileBody(fields: ReadonlyArray<readonly [string, string]>, file: MultipartFilePart, pieceBytes = DEFAULT_PIECE_BYTES, boundary = newBoundary()): MultipartBody {
  const texts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`);
  if (fields.some(([, value]) => value.includes(boundary))) throw new RangeError('a field value contains the multipart boundary');
  const head = Buffer.from(
    `${texts.join('')}--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.field)}; filename=${quoted(file.filename)}\r\nContent-Type: ${file.contentType}\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: head.length + file.bytes + tail.length,
    open(onFileBytes) {
      async function* parts(): AsyncGenerator<Buffer> {
        yield head;
        const start = file.start ?? 0;
        const stream = createReadStream(file.path, { highWaterMark: pieceBytes, start, ...(file.start === undefined ? {} : { end: start + file.bytes - 1 }) });
        let read = 0;
        try {
          for await (const piece of stream as AsyncIterable<Buffer>) {
            read += piece.length;
            // Content-Length was promised: a file that grew must not send more than that.
            if (read > file.bytes) throw new Error(`${file.filename} grew while it was being sent (over ${file.bytes} bytes)`);
            onFileBytes?.(read);
            yield piece;
          }
        } finally {
          stream.destroy();
        }
        if (read !== file.bytes) throw new Error(`${file.filename} shrank while it was being sent (${read} of ${file.bytes} bytes)`);
        yield tail;
      }
      return Readable.from(parts(), { objectMode: false, highWaterMark: pieceBytes });
    },
  };
}
