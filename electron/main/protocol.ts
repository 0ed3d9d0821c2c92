// The app:// scheme the renderer is loaded from. A custom standard, secure scheme gives the
// renderer a real origin (unlike file://, which grants reads of the whole disk).
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Protocol } from 'electron';
import { stat } from 'node:fs/promises';
import { LIBRARY_PATH_PREFIX, libraryResponse, type LibraryFile } from '../services/imports/library-files.ts';
import { RENDERER_CSP, resolveRendererFile } from '../services/renderer-files.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'airlock';

export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: false },
};

export function handleAppProtocol(protocol: Protocol, rendererRoot: string, libraryFile: (urlPath: string) => Promise<LibraryFile | null>): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response('Not found', { status: 404 });
    if (url.pathname.startsWith(LIBRARY_PATH_PREFIX)) {
      // Clean media with Range support, so videos can be sought in previews.
      const found = await libraryFile(url.pathname);
      const size = found ? (await stat(found.file).catch(() => null))?.size : undefined;
      if (!found || size === undefined) return new Response('Not found', { status: 404 });
      const answer = libraryResponse(size, found.contentType, request.headers.get('range') ?? undefined);
      const body = answer.range ? (Readable.toWeb(createReadStream(found.file, answer.range)) as ReadableStream<Uint8Array>) : null;
      return new Response(body, { status: answer.status, headers: answer.headers });
    }
    const found = await resolveRendererFile(rendererRoot, url.pathname);
    if (found === null) return new Response('Not found', { status: 404 });
    const body = Readable.toWeb(createReadStream(found.file)) as ReadableStream<Uint8Array>;
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': found.contentType,
        'content-length': String(found.bytes),
        'content-security-policy': RENDERER_CSP,
        'x-content-type-options': 'nosniff',
      },
    });
  });
}
