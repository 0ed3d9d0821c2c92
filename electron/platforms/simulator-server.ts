// Plumbing the X and YouTube simulators share: listening on 127.0.0.1 only, stopping with
// every connection closed, and a queue of faults injected on demand and used up in order.

/** What the helpers need of a node:http Server (the simulators create their own). */
interface Server {
  listen(port: number, host: string, callback: () => void): unknown;
  address(): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
  close(callback: () => void): unknown;
  closeAllConnections(): void;
}

/** Listens on 127.0.0.1 (port 0 picks a free one) and resolves to the origin. */
export async function listenOnLoopback(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

export async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Faults consumed in the order injected; each hits `times` requests (1 when left out). */
export class FaultQueue<F extends { times?: number }> {
  readonly #entries: { fault: F; remaining: number }[] = [];

  push(fault: F): void {
    this.#entries.push({ fault, remaining: Math.max(1, fault.times ?? 1) });
  }

  pending(): F[] {
    return this.#entries.map((e) => e.fault);
  }

  /** The first fault that `applies` accepts, used up by one. */
  take(applies: (fault: F) => boolean): F | undefined {
    const i = this.#entries.findIndex((e) => applies(e.fault));
    if (i < 0) return undefined;
    const entry = this.#entries[i]!;
    if (--entry.remaining <= 0) this.#entries.splice(i, 1);
    return entry.fault;
  }
}

/** A JSON request body as an object, or null when it is not one. */
export function jsonObject(body: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
