// The record of refused connections that the Diagnostics screen shows IT: host, port, address,
// which part of Airlock asked, and why. Bounded in memory, and built so that no URL query, header
// or token can end up in it even if a caller passes one by mistake.

export interface EgressLogEntry {
  /** Increases by one per refusal since start, so a screen can tell what it has already seen. */
  readonly seq: number;
  /** ISO 8601 time of the refusal. */
  readonly at: string;
  readonly host: string;
  readonly port: number | null;
  readonly address?: string;
  /** The part of the app that asked, such as `publish:tiktok` or `auth:bluesky`. */
  readonly requester: string;
  readonly code: string;
  readonly reason: string;
  readonly detail?: string;
}

export interface EgressLogInput {
  at?: number | Date;
  host: string;
  port: number | null;
  address?: string;
  requester: string;
  code: string;
  reason: string;
  detail?: string;
}

export interface EgressLogOptions {
  /** How many refusals to keep; older ones fall off. Default 500. */
  capacity?: number;
  clock?: () => number;
  /** Where a failing subscriber's error goes, so it cannot break the request that was refused. */
  onListenerError?: (err: unknown) => void;
}

export const REQUESTER_PATTERN = /^[a-z][a-z0-9._:-]{0,63}$/i;
const MAX_TEXT = 500;

/**
 * Removes what must never be stored: URLs keep only scheme, host and path (no user info, query
 * or fragment), and bearer tokens and `secret=value` pairs are blanked.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (found) => {
      try {
        const url = new URL(found);
        return `${url.protocol}//${url.host}${url.pathname}`;
      } catch {
        // Not parseable as a URL: the whole thing may be secret, so none of it is kept.
        return '[url]';
      }
    })
    .replace(/\b(bearer|basic|token)\s+[^\s,;]+/gi, '$1 [redacted]')
    .replace(/([?&;\s]|^)([a-z_-]*(?:token|secret|code|password|key|signature|sig|auth)[a-z_-]*)=[^&\s]*/gi, '$1$2=[redacted]')
    .replace(/\?\S+/g, '?[redacted]');
}

function boundedText(text: string): string {
  const clean = redactSecrets(String(text)).replace(/[\p{Cc}\p{Cf}]/gu, ' ');
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
}

function safeHost(host: string): string {
  return /^[a-z0-9.:[\]()-]{1,255}$/i.test(host) && !host.includes('?') ? host.toLowerCase() : '(unreadable host)';
}

export class EgressLog {
  readonly #capacity: number;
  readonly #clock: () => number;
  readonly #onListenerError: (err: unknown) => void;
  readonly #ring: EgressLogEntry[] = [];
  readonly #listeners = new Set<(entry: EgressLogEntry) => void>();
  #seq = 0;

  constructor(options: EgressLogOptions = {}) {
    const capacity = options.capacity ?? 500;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 100_000) throw new RangeError(`egress log capacity ${capacity} is not between 1 and 100000`);
    this.#capacity = capacity;
    this.#clock = options.clock ?? Date.now;
    this.#onListenerError = options.onListenerError ?? ((err) => console.error('[egress] a refusal-log subscriber failed:', err));
  }

  /** Stores a refusal (sanitised) and tells subscribers. */
  record(input: EgressLogInput): EgressLogEntry {
    const at = input.at ?? this.#clock();
    const port = typeof input.port === 'number' && Number.isInteger(input.port) && input.port >= 0 && input.port <= 65535 ? input.port : null;
    const entry: EgressLogEntry = Object.freeze({
      seq: ++this.#seq,
      at: new Date(at).toISOString(),
      host: safeHost(input.host),
      port,
      ...(input.address === undefined ? {} : { address: safeHost(input.address) }),
      requester: REQUESTER_PATTERN.test(input.requester) ? input.requester : 'unknown',
      code: /^[a-z0-9.-]{1,64}$/.test(input.code) ? input.code : 'egress.unknown',
      reason: boundedText(input.reason),
      ...(input.detail === undefined ? {} : { detail: boundedText(input.detail) }),
    });
    this.#ring.push(entry);
    if (this.#ring.length > this.#capacity) this.#ring.splice(0, this.#ring.length - this.#capacity);
    for (const listener of [...this.#listeners]) {
      try {
        listener(entry);
      } catch (err) {
        this.#onListenerError(err);
      }
    }
    return entry;
  }

  /** Oldest first; a copy, so the screen cannot change the log. */
  entries(): EgressLogEntry[] {
    return [...this.#ring];
  }

  /** Refusals recorded since start, including those that fell off the ring. */
  get total(): number {
    return this.#seq;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Calls `listener` for every new refusal; returns the function that unsubscribes. */
  onDidRecord(listener: (entry: EgressLogEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  clear(): void {
    this.#ring.length = 0;
  }
}
