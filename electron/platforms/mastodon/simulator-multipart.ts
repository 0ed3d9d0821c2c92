// A streaming multipart/form-data reader (RFC 7578 over RFC 2046 §5.1.1) for the simulator's
// media uploads: file parts are hashed as they pass and never held, so memory stays bounded by
// one socket chunk plus the delimiter, whatever the file's size. Text fields are capped.
import { createHash, type Hash } from 'node:crypto';

export interface MultipartLimits {
  maxParts: number;
  /** One part's header block. */
  maxHeaderBytes: number;
  /** One text field's value. */
  maxFieldBytes: number;
  /** Bytes of each file's start kept for sniffing its type and size. */
  headBytes: number;
}

export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = { maxParts: 16, maxHeaderBytes: 8 * 1024, maxFieldBytes: 64 * 1024, headBytes: 64 * 1024 };

export interface MultipartFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  head: Buffer;
}

export interface MultipartForm {
  fields: Map<string, string[]>;
  files: MultipartFile[];
}

/** The body is not well-formed multipart, or breaks a limit. */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** The boundary of a `multipart/form-data` Content-Type, or null (RFC 2046: 1–70 characters). */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const params = parseParams(contentType.slice(contentType.indexOf(';') + 1));
  const boundary = params.get('boundary');
  return boundary && boundary.length <= 70 && /^[0-9A-Za-z'()+_,\-./:=? ]*[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary) ? boundary : null;
}

/** `; a=b; c="d \"e\""` → map, names lower-cased; quoted strings unescaped. */
function parseParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*;?\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/gy;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const raw = m[2]!.trim();
    out.set(m[1]!.toLowerCase(), raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
    if (re.lastIndex >= text.length) break;
  }
  return out;
}

interface PartHeaders {
  name: string;
  filename: string | null;
  contentType: string;
}

function parsePartHeaders(block: string): PartHeaders {
  let disposition: string | undefined;
  let contentType = 'text/plain';
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`malformed part header line ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value.split(';')[0]!.trim().toLowerCase();
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('a part lacks Content-Disposition: form-data');
  const params = parseParams(disposition.slice(disposition.indexOf(';') + 1));
  const name = params.get('name');
  if (name === undefined || name === '') throw new MultipartError('a part has no name');
  // RFC 7578 §4.2: filename* is not to be used, but RFC 5987 senders exist; prefer it when present.
  const extended = params.get('filename*');
  let filename = params.get('filename') ?? null;
  if (extended !== undefined) {
    const m = /^UTF-8''(.*)$/i.exec(extended);
    if (m) {
      try {
        filename = decodeURIComponent(m[1]!);
      } catch {
        throw new MultipartError('filename* is not valid percent-encoded UTF-8');
      }
    }
  }
  return { name, filename, contentType };
}

type Phase = 'delimiter' | 'after-delimiter' | 'headers' | 'body' | 'epilogue';

/**
 * Reads a whole multipart body from `source`. Bytes are consumed as they arrive; a truncated
 * body (the client went away) is a MultipartError, as is any breach of `limits`.
 */
export async function readMultipart(source: AsyncIterable<Buffer>, boundary: string, limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS): Promise<MultipartForm> {
  // With a CRLF in front, the first boundary looks like every other: CRLF "--" boundary.
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const form: MultipartForm = { fields: new Map(), files: [] };
  let pending: Buffer = Buffer.from('\r\n');
  let phase = 'delimiter' as Phase;
  let parts = 0;
  let part: { headers: PartHeaders; hash: Hash | null; size: number; head: Buffer[]; headSize: number; text: Buffer[] } | null = null;

  const emit = (bytes: Buffer) => {
    if (!part || bytes.length === 0) return;
    part.size += bytes.length;
    if (part.hash) {
      part.hash.update(bytes);
      if (part.headSize < limits.headBytes) {
        const take = bytes.subarray(0, limits.headBytes - part.headSize);
        // A copy: the socket's buffer must not be pinned by a view of it.
        part.head.push(Buffer.from(take));
        part.headSize += take.length;
      }
    } else {
      if (part.size > limits.maxFieldBytes) throw new MultipartError(`field ${part.headers.name} is over ${limits.maxFieldBytes} bytes`);
      part.text.push(Buffer.from(bytes));
    }
  };

  const finishPart = () => {
    if (!part) return;
    const { headers } = part;
    if (part.hash) {
      form.files.push({ field: headers.name, filename: headers.filename ?? '', contentType: headers.contentType, size: part.size, sha256: part.hash.digest('hex'), head: Buffer.concat(part.head) });
    } else {
      const values = form.fields.get(headers.name) ?? [];
      values.push(Buffer.concat(part.text).toString('utf8'));
      form.fields.set(headers.name, values);
    }
    part = null;
  };

  // Runs the state machine over `pending` as far as it can go; returns when it needs more bytes.
  const step = () => {
    for (;;) {
      switch (phase) {
        case 'delimiter': {
          // Preamble: skipped up to the first delimiter, keeping only a possible partial match.
          const at = pending.indexOf(delimiter);
          if (at < 0) {
            if (pending.length > limits.maxHeaderBytes) throw new MultipartError('no boundary found where the body should start');
            return;
          }
          pending = pending.subarray(at + delimiter.length);
          phase = 'after-delimiter';
          break;
        }
        case 'after-delimiter': {
          // "--" closes the body; otherwise optional transport padding, then CRLF (RFC 2046).
          const lineEnd = pending.indexOf('\r\n');
          if (pending.length >= 2 && pending[0] === 0x2d && pending[1] === 0x2d) {
            phase = 'epilogue';
            pending = Buffer.alloc(0);
            return;
          }
          if (lineEnd < 0) {
            if (pending.length > 256) throw new MultipartError('boundary line does not end');
            return;
          }
          if (!/^[ \t]*$/.test(pending.toString('latin1', 0, lineEnd))) throw new MultipartError('unexpected text after a boundary');
          pending = pending.subarray(lineEnd + 2);
          if (++parts > limits.maxParts) throw new MultipartError(`more than ${limits.maxParts} parts`);
          phase = 'headers';
          break;
        }
        case 'headers': {
          const end = pending.indexOf('\r\n\r\n');
          if (end < 0) {
            if (pending.length > limits.maxHeaderBytes) throw new MultipartError(`part headers over ${limits.maxHeaderBytes} bytes`);
            return;
          }
          if (end > limits.maxHeaderBytes) throw new MultipartError(`part headers over ${limits.maxHeaderBytes} bytes`);
          const headers = parsePartHeaders(pending.toString('utf8', 0, end));
          const isFile = headers.filename !== null;
          part = { headers, hash: isFile ? createHash('sha256') : null, size: 0, head: [], headSize: 0, text: [] };
          pending = pending.subarray(end + 4);
          phase = 'body';
          break;
        }
        case 'body': {
          const at = pending.indexOf(delimiter);
          if (at >= 0) {
            emit(pending.subarray(0, at));
            finishPart();
            pending = pending.subarray(at + delimiter.length);
            phase = 'after-delimiter';
            break;
          }
          // Everything but a tail that could be the start of a delimiter is the part's content.
          const safe = pending.length - (delimiter.length - 1);
          if (safe > 0) {
            emit(pending.subarray(0, safe));
            pending = Buffer.from(pending.subarray(safe));
          }
          return;
        }
        case 'epilogue':
          pending = Buffer.alloc(0);
          return;
      }
    }
  };

  for await (const chunk of source) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    step();
  }
  if (phase !== 'epilogue') throw new MultipartError(phase === 'body' ? 'the body ended inside a part (upload cut short)' : 'the body ended before its closing boundary');
  return form;
}
