// Request-body plumbing shared by the platform simulators: read a small body with a hard cap,
// drain the rest of one so an early answer still reaches a client that is mid-send, or take an
// upload's bytes with a connection that can fail part-way.

/** Simulator JSON and form bodies are tiny; anything bigger is refused unread. */
export const MAX_SMALL_BODY_BYTES = 64 * 1024;

export class BodyTooLarge extends Error {}

export async function readSmallBody(req: AsyncIterable<Buffer>, limit = MAX_SMALL_BODY_BYTES): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += part.length;
    if (size > limit) throw new BodyTooLarge(`Request body is over ${limit} bytes.`);
    parts.push(part);
  }
  return Buffer.concat(parts);
}

export async function drain(req: AsyncIterable<Buffer> & { readableEnded: boolean }): Promise<void> {
  if (req.readableEnded) return;
  for await (const _ of req) {
    // discarded on purpose
  }
}

/**
 * Hands each piece of an upload to `keep`, up to `dropAfter` bytes; there the connection is cut,
 * as a network failure mid-upload would (the bytes before it have arrived). Returns false when
 * it cut the connection, true when the whole body came.
 */
export async function receiveUpload(req: AsyncIterable<Buffer> & { socket: { destroy(): void } }, keep: (piece: Buffer) => void, dropAfter = Infinity): Promise<boolean> {
  let seen = 0;
  for await (const piece of req) {
    const take = Math.min(piece.length, dropAfter - seen);
    if (take > 0) {
      keep(piece.subarray(0, take));
      seen += take;
    }
    if (seen >= dropAfter) {
      req.socket.destroy();
      return false;
    }
  }
  return true;
}
