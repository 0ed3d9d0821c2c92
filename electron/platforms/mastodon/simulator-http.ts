// HTTP plumbing for the Mastodon simulator: Mastodon's `{error}` answers (§8), bounded reading of
// small bodies, and request parameters as Rails reads them from a form, JSON or a multipart body
// without files (`media_ids[]=1&media_ids[]=2`, `"media_ids": ["1","2"]`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MultipartError, multipartBoundary, readMultipart } from './simulator-multipart.ts';

import { BodyTooLarge, MAX_SMALL_BODY_BYTES, readSmallBody } from '../simulator-body.ts';

export { BodyTooLarge, drain, MAX_SMALL_BODY_BYTES, readSmallBody } from '../simulator-body.ts';
export class BadBody extends Error {}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** §8: every Mastodon API error is `{ "error": "…" }`. */
export function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: message }, headers);
}

/** What nginx in front of Mastodon answers when Puma is down: HTML, not JSON. */
export function sendGatewayPage(res: ServerResponse, status: number): void {
  if (res.destroyed || res.headersSent) return;
  const title = `${status} ${status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Time-out' : status === 500 ? 'Internal Server Error' : 'Service Temporarily Unavailable'}`;
  const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(html)) });
  res.end(html);
}

/** Request parameters: each name to its values; `name[]` is stored under `name`. */
export type Params = Map<string, string[]>;

export function param(params: Params, name: string): string | undefined {
  return params.get(name)?.[0];
}

function addParam(params: Params, name: string, value: string): void {
  const key = name.endsWith('[]') ? name.slice(0, -2) : name;
  params.set(key, [...(params.get(key) ?? []), value]);
}

function fromJson(value: unknown): Params {
  const params: Params = new Map();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadBody('The JSON body must be an object.');
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const values = Array.isArray(v) ? v : [v];
    for (const item of values) {
      if (item === null || item === undefined) continue;
      addParam(params, name, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
  }
  return params;
}

/** Query string parameters, Rails style. */
export function queryParams(url: URL): Params {
  const params: Params = new Map();
  for (const [k, v] of url.searchParams) addParam(params, k, v);
  return params;
}

/**
 * The request's parameters from a urlencoded form, JSON or a multipart body of text fields;
 * an absent body is no parameters. Files in a multipart body are refused here.
 */
export async function readParams(req: IncomingMessage): Promise<Params> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const boundary = multipartBoundary(req.headers['content-type']);
  if (boundary) {
    try {
      const form = await readMultipart(limited(req), boundary, { maxParts: 32, maxHeaderBytes: 8 * 1024, maxFieldBytes: 16 * 1024, headBytes: 0 });
      if (form.files.length > 0) throw new BadBody('This endpoint takes no files.');
      const params: Params = new Map();
      for (const [name, values] of form.fields) for (const v of values) addParam(params, name, v);
      return params;
    } catch (err) {
      if (err instanceof MultipartError) throw new BadBody(`Malformed multipart body: ${err.message}`);
      throw err;
    }
  }
  const body = await readSmallBody(req);
  if (body.length === 0) return new Map();
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BadBody('The JSON body could not be parsed.');
    }
    return fromJson(parsed);
  }
  const params: Params = new Map();
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) addParam(params, k, v);
  return params;
}

async function* limited(req: IncomingMessage): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const piece of req as AsyncIterable<Buffer>) {
    size += piece.length;
    if (size > MAX_SMALL_BODY_BYTES) throw new BodyTooLarge(`Request body is over ${MAX_SMALL_BODY_BYTES} bytes.`);
    yield piece;
  }
}
