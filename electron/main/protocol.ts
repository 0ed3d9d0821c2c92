// The app:// scheme the renderer is loaded from. A custom standard, secure scheme gives the
// renderer a real origin (unlike file://, which grants reads of the whole disk).
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Protocol } from 'electron';
import { RENDERER_CSP, resolveRendererFile } from '../services/renderer-files.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'airlock';

export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: false },
};

export function handleAppProtocol(protocol: Protocol, rendererRoot: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response('Not found', { status: 404 });
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
