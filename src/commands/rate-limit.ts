/**
 * At most `limit` commands per pull request in any hour: a sliding window of the times commands
 * were accepted, kept in memory per process, for at most `maxKeys` pull requests (the least
 * recently used are forgotten first). A restart forgets it, and several processes each count
 * their own: when commands run as durable jobs, this moves to their store.
 */

export const RATE_WINDOW_MS = 60 * 60 * 1000;

export type RateDecision = { allowed: true } | { allowed: false; retryAt: Date };

export interface RateLimiterOptions {
  windowMs?: number;
  maxKeys?: number;
  now?: () => number;
}

export class CommandRateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: RateLimiterOptions = {}) {
    this.windowMs = options.windowMs ?? RATE_WINDOW_MS;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Counts one command for `key` when fewer than `limit` were accepted in the window. */
  take(key: string, limit: number): RateDecision {
    const now = this.now();
    const recent = (this.windows.get(key) ?? []).filter((at) => at > now - this.windowMs);
    // Re-inserted at the end: the map's order is least recently used first.
    this.windows.delete(key);
    if (recent.length >= limit) {
      this.windows.set(key, recent);
      const oldest = recent[recent.length - limit] ?? now;
      return { allowed: false, retryAt: new Date(oldest + this.windowMs) };
    }
    recent.push(now);
    this.windows.set(key, recent);
    while (this.windows.size > this.maxKeys) {
      const first = this.windows.keys().next();
      if (first.done === true) break;
      this.windows.delete(first.value);
    }
    return { allowed: true };
  }

  /** Pull requests currently remembered (for tests). */
  get size(): number {
    return this.windows.size;
  }
}
