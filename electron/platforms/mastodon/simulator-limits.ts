// The simulator's rate limits (§4.4): fixed windows aligned to the period as Rack::Attack
// counts them, and the X-RateLimit-* headers Mastodon sends, with the reset time in ISO 8601.

export interface WindowState {
  limit: number;
  remaining: number;
  /** Milliseconds since the epoch when the window ends. */
  resetAt: number;
  allowed: boolean;
}

export class FixedWindows {
  readonly #counts = new Map<string, { window: number; count: number }>();

  /** Counts one request for `key` unless the window is already full; a refused request is not counted. */
  hit(key: string, limit: number, periodMs: number, nowMs: number): WindowState {
    const window = Math.floor(nowMs / periodMs);
    const entry = this.#counts.get(key);
    const count = entry && entry.window === window ? entry.count : 0;
    const resetAt = (window + 1) * periodMs;
    if (count >= limit) return { limit, remaining: 0, resetAt, allowed: false };
    this.#counts.set(key, { window, count: count + 1 });
    return { limit, remaining: limit - count - 1, resetAt, allowed: true };
  }

  /** The state without counting, e.g. for headers on an answer that was counted elsewhere. */
  peek(key: string, limit: number, periodMs: number, nowMs: number): WindowState {
    const window = Math.floor(nowMs / periodMs);
    const entry = this.#counts.get(key);
    const count = entry && entry.window === window ? entry.count : 0;
    return { limit, remaining: Math.max(0, limit - count), resetAt: (window + 1) * periodMs, allowed: count < limit };
  }
}

export function rateLimitHeaders(state: WindowState): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(state.limit),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': new Date(state.resetAt).toISOString(),
  };
}
