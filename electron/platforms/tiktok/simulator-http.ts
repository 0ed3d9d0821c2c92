// HTTP plumbing for the TikTok simulator: bounded body reading, TikTok's JSON envelope
// (§1.1) and log ids, and JSON with raw int64 numbers, as TikTok sends post ids (§1.7).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

// Body plumbing is shared by every simulator.
export { BodyTooLarge, drain, MAX_SMALL_BODY_BYTES as MAX_JSON_BODY_BYTES, readSmallBody } from '../simulator-body.ts';

/**
 * §1.3 sample `202210112248442CB9319E1FB30C1073F3`: a UTC timestamp to the second, then hex.
 */
export function makeLogId(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/\D/g, '').slice(0, 14);
  return `${stamp}${randomBytes(10).toString('hex').toUpperCase()}`;
}

// A per-process marker, so no text a client sends can be mistaken for a number to unquote.
const INT64_MARK = randomBytes(8).toString('hex');
const INT64_PATTERN = new RegExp(`"\\\\u0000${INT64_MARK}:(-?\\d+)\\\\u0000"`, 'g');

/** An int64 that must reach the wire as a bare JSON number, never rounded through a double. */
export class Int64 {
  readonly digits: string;
  constructor(digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new RangeError(`Not an integer: ${digits}`);
    this.digits = digits;
  }
  toJSON(): string {
    return `\u0000${INT64_MARK}:${this.digits}\u0000`;
  }
}

export function stringifyWithInt64(value: unknown): string {
  // JSON.stringify writes U+0000 as the six characters \u0000.
  return JSON.stringify(value).replace(INT64_PATTERN, '$1');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = stringifyWithInt64(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** §1.1: every data endpoint, success or not, answers `{ data, error: { code, message, log_id } }`. */
export function sendEnvelope(
  res: ServerResponse,
  status: number,
  logId: string,
  data: unknown,
  code = 'ok',
  message = '',
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { data, error: { code, message, log_id: logId } }, { 'X-Tt-Logid': logId, ...headers });
}
