// Maps a request path to a file of the built renderer, for both shells (Electron's app://
// protocol and the browser shell's HTTP server). Nothing outside the renderer folder is served.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** The renderer's Content-Security-Policy, sent with every page in both shells. */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export interface RendererFile {
  file: string;
  contentType: string;
  bytes: number;
}

/**
 * Resolves `urlPath` (already stripped of query and fragment) inside `root`. Returns null for
 * anything that is not a regular file strictly inside the root after resolving links.
 */
export async function resolveRendererFile(root: string, urlPath: string): Promise<RendererFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const realRoot = await realpath(root).catch(() => null);
  if (realRoot === null) return null;
  const candidate = path.resolve(realRoot, relative);
  const real = await realpath(candidate).catch(() => null);
  if (real === null || !real.startsWith(realRoot + path.sep)) return null;
  const info = await stat(real).catch(() => null);
  if (info === null || !info.isFile()) return null;
  const contentType = CONTENT_TYPES[path.extname(real).toLowerCase()];
  if (contentType === undefined) return null;
  return { file: real, contentType, bytes: info.size };
}
