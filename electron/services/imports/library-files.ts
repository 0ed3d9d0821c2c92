// Serves files from the clean library to the screens (thumbnails, previews, video with
// seeking) for both shells. Only hashes recorded as clean media or thumbnails are served:
// originals and anything else in the blob store stay unreachable.
import type { BlobStore } from '../ingest/index.ts';
import type { Store } from '../store/store.ts';

export const LIBRARY_PATH_PREFIX = '/_airlock/media/';

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  mp4: 'video/mp4',
  quicktime: 'video/quicktime',
};

export interface LibraryFile {
  file: string;
  contentType: string;
}

export async function resolveLibraryFile(urlPath: string, store: Store, blobs: BlobStore): Promise<LibraryFile | null> {
  if (!urlPath.startsWith(LIBRARY_PATH_PREFIX)) return null;
  const sha256 = urlPath.slice(LIBRARY_PATH_PREFIX.length);
  if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
  const servable = await store.call('media.servable', { sha256 });
  if (!servable) return null;
  const contentType = CONTENT_TYPES[servable.format];
  if (!contentType) return null;
  return { file: blobs.pathFor(sha256), contentType };
}

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * Parses a single `Range: bytes=…` header against a file of `size` bytes (RFC 9110 §14.2).
 * Returns null to serve the whole file (no header, or one Airlock does not support, such as
 * several ranges), or 'unsatisfiable' for a range that lies outside the file.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

export interface LibraryResponse {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  /** Byte range to stream, inclusive; null for no body. */
  range: { start: number; end: number } | null;
}

/** The status, headers and byte range to answer a (possibly ranged) request for a library file. */
export function libraryResponse(size: number, contentType: string, rangeHeader: string | undefined): LibraryResponse {
  const base = { 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff' };
  const range = parseByteRange(rangeHeader, size);
  if (range === 'unsatisfiable') return { status: 416, headers: { ...base, 'content-range': `bytes */${size}` }, range: null };
  if (range === null) return { status: 200, headers: { ...base, 'content-length': String(size) }, range: size > 0 ? { start: 0, end: size - 1 } : null };
  return {
    status: 206,
    headers: { ...base, 'content-length': String(range.end - range.start + 1), 'content-range': `bytes ${range.start}-${range.end}/${size}` },
    range,
  };
}
