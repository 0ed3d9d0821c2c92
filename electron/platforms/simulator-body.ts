// Request-body plumbing shared by the platform simulators: read a small body with a hard cap,
// or drain the rest of one so an early answer still reaches a client that is mid-send.

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
