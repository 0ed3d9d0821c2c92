// The browser shell: serves the built renderer and the Airlock API over HTTP + server-sent
// events on 127.0.0.1, for development, tests, training demos and machines without the
// Electron binary. It is never packaged into the kiosk installer.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AirlockError } from '../../common/errors.ts';
import type { AirlockCore } from '../services/core.ts';
import { LIBRARY_PATH_PREFIX, libraryResponse } from '../services/imports/library-files.ts';
import { RENDERER_CSP, resolveRendererFile } from '../services/renderer-files.ts';
import { stat } from 'node:fs/promises';

const MAX_BODY_BYTES = 1024 * 1024;
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_RENDERER_ROOT = path.resolve(HERE, '../../dist/renderer');
const BRIDGE_FILE = path.join(HERE, 'bridge.js');
const BRIDGE_TAG = '<script src="/_airlock/bridge.js"></script>';

export interface BrowserShellOptions {
  core: AirlockCore;
  port?: number;
  rendererRoot?: string;
  /** Fixed only by tests; every real launch makes a new one. */
  secret?: string;
}

export interface BrowserShell {
  /** The address to open, carrying the per-launch key in the fragment. */
  url: string;
  origin: string;
  port: number;
  /** Serves a fresh core from now on (training reset); open event streams move to it. */
  replaceCore(next: AirlockCore): void;
  close(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': RENDERER_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function send(res: http.ServerResponse, status: number, body: string, contentType = 'application/json'): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  send(res, status, JSON.stringify({ ok: false, error: { code, message } }));
}

/**
 * Reads a JSON body up to MAX_BODY_BYTES. An oversized body is drained (so the client can read
 * the 413 instead of a reset connection) and discarded; a flood beyond 8× the limit is cut off.
 */
async function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > 8 * MAX_BODY_BYTES) {
      req.destroy();
      return null;
    }
    if (total <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return total > MAX_BODY_BYTES ? null : Buffer.concat(chunks);
}

export async function startBrowserShell(options: BrowserShellOptions): Promise<BrowserShell> {
  let { core } = options;
  const rendererRoot = await realpath(options.rendererRoot ?? DEFAULT_RENDERER_ROOT).catch(() => null);
  if (rendererRoot === null) {
    throw new AirlockError(
      'shell.renderer-missing',
      'Airlock\'s screens have not been built yet. Run `npm run build:renderer` first.',
      `no renderer at ${options.rendererRoot ?? DEFAULT_RENDERER_ROOT}`,
    );
  }
  const indexFile = path.join(rendererRoot, 'index.html');
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const expectedAuth = Buffer.from(`Bearer ${secret}`);
  // <img> and <video> cannot send an Authorization header, so after an authorised handshake
  // the page holds an HttpOnly, same-site cookie good only for library files.
  const mediaSecret = randomBytes(32).toString('base64url');
  const expectedCookie = Buffer.from(`airlock_media=${mediaSecret}`);
  const streams = new Set<http.ServerResponse>();
  let port = 0;

  const authorised = (req: http.IncomingMessage): boolean => {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expectedAuth.length && timingSafeEqual(given, expectedAuth);
  };

  const hasMediaCookie = (req: http.IncomingMessage): boolean =>
    (req.headers.cookie ?? '')
      .split(';')
      .map((c) => Buffer.from(c.trim()))
      .some((c) => c.length === expectedCookie.length && timingSafeEqual(c, expectedCookie));

  // A web page elsewhere could point a DNS name at 127.0.0.1 (rebinding) or post across
  // origins; only requests addressed to this exact host and origin are served.
  const sameOrigin = (req: http.IncomingMessage): boolean => {
    const host = req.headers.host;
    if (host !== `127.0.0.1:${port}`) return false;
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://127.0.0.1:${port}`;
  };

  const forward = (event: Parameters<Parameters<AirlockCore['events']['subscribe']>[0]>[0]) => {
    const frame = `event: ${event.name}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  let unsubscribe = core.events.subscribe(forward);

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!sameOrigin(req)) return sendError(res, 403, 'api.forbidden-origin', 'This request did not come from Airlock.');

      if (url.pathname.startsWith('/_airlock/api/')) {
        if (req.method !== 'POST') return sendError(res, 405, 'api.method-not-allowed', 'Use POST.');
        if (!authorised(req)) return sendError(res, 401, 'api.unauthorised', 'The request did not carry this launch\'s key.');
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          return sendError(res, 415, 'api.bad-content-type', 'Requests must be JSON.');
        }
        const body = await readBody(req);
        if (body === null) return sendError(res, 413, 'api.too-large', 'The request is too large.');
        let args: unknown;
        try {
          args = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
        } catch {
          return sendError(res, 400, 'api.bad-json', 'The request is not valid JSON.');
        }
        let method: string;
        try {
          method = decodeURIComponent(url.pathname.slice('/_airlock/api/'.length));
        } catch {
          return sendError(res, 400, 'api.bad-method', 'The request named no valid method.');
        }
        const result = await core.call(method, args);
        return send(res, 200, JSON.stringify(result));
      }

      if (url.pathname === '/_airlock/events') {
        if (req.method !== 'GET') return sendError(res, 405, 'api.method-not-allowed', 'Use GET.');
        if (!authorised(req)) return sendError(res, 401, 'api.unauthorised', 'The request did not carry this launch\'s key.');
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }

      if (url.pathname === '/_airlock/session') {
        if (req.method !== 'POST') return sendError(res, 405, 'api.method-not-allowed', 'Use POST.');
        if (!authorised(req)) return sendError(res, 401, 'api.unauthorised', 'The request did not carry this launch\'s key.');
        res.setHeader('set-cookie', `airlock_media=${mediaSecret}; HttpOnly; SameSite=Strict; Path=${LIBRARY_PATH_PREFIX}`);
        return send(res, 200, JSON.stringify({ ok: true, value: null }));
      }

      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'api.method-not-allowed', 'Use GET.');

      if (url.pathname.startsWith(LIBRARY_PATH_PREFIX)) {
        if (!authorised(req) && !hasMediaCookie(req)) return sendError(res, 401, 'api.unauthorised', 'Not connected to Airlock.');
        const found = await core.libraryFile(url.pathname);
        const size = found ? (await stat(found.file).catch(() => null))?.size : undefined;
        if (!found || size === undefined) return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
        const answer = libraryResponse(size, found.contentType, req.headers.range);
        res.writeHead(answer.status, { ...SECURITY_HEADERS, ...answer.headers });
        if (req.method === 'HEAD' || answer.range === null) return res.end();
        createReadStream(found.file, { start: answer.range.start, end: answer.range.end }).pipe(res);
        return;
      }

      if (url.pathname === '/_airlock/bridge.js') {
        return send(res, 200, await readFile(BRIDGE_FILE, 'utf8'), 'text/javascript; charset=utf-8');
      }

      const found = await resolveRendererFile(rendererRoot, url.pathname);
      if (found === null) {
        return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
      }
      if (found.file === indexFile) {
        // The bridge must define window.airlock before the renderer's module script runs.
        const html = (await readFile(found.file, 'utf8')).replace('<head>', `<head>\n    ${BRIDGE_TAG}`);
        return send(res, 200, html, found.contentType);
      }
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': found.contentType, 'content-length': found.bytes });
      if (req.method === 'HEAD') return res.end();
      createReadStream(found.file).pipe(res);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'internal', 'Something went wrong inside Airlock.');
      else res.destroy();
      process.emitWarning(`browser shell request failed: ${String(err)}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/#key=${secret}`,
    origin,
    port,
    replaceCore: (next) => {
      unsubscribe();
      core = next;
      unsubscribe = core.events.subscribe(forward);
    },
    close: async () => {
      unsubscribe();
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

