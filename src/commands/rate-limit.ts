/**
 * At most `limit` commands per pull request in any hour: a sliding window of the times commands
 * were accepted, kept in memory per process, for at most `maxKeys` pull requests (the least
 * recently used are forgotten first). A restart forgets it, and several processes each count
 * their own: when commands run as durable jobs, this moves to their store.
 *
 * The same limiter remembers the replies to refused commands: one per commenter and pull request
 * in a window, so that an outsider's comments cannot make the app post (and spend API calls) once
 * per comment. In memory per process as well, with the same caveats.
 */

export const RATE_WINDOW_MS = 60 * 60 * 1000;

export type RateDecision = { allowed: true } | { allowed: false; retryAt: Date };

export interface RateLimiterOptions {
  windowMs?: number;
  maxKeys?: number;
  now?: () => number;
}

/** Times things happened per key, within a window, for at most `maxKeys` keys (LRU). */
class SlidingWindows {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {}

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

  get size(): number {
    return this.windows.size;
  }
}

export class CommandRateLimiter {
  private readonly commands: SlidingWindows;
  private readonly refusals: SlidingWindows;

  constructor(options: RateLimiterOptions = {}) {
    const windowMs = options.windowMs ?? RATE_WINDOW_MS;
    const maxKeys = options.maxKeys ?? 10_000;
    const now = options.now ?? Date.now;
    this.commands = new SlidingWindows(windowMs, maxKeys, now);
    this.refusals = new SlidingWindows(windowMs, maxKeys, now);
  }

  /** Counts one command for `key` when fewer than `limit` were accepted in the window. */
  take(key: string, limit: number): RateDecision {
    return this.commands.take(key, limit);
  }

  /**
   * True when a refusal for `key` (a commenter on a pull request) should be answered: the first in
   * the window. Later ones in the same window are refused without a reply.
   */
  takeRefusal(key: string): boolean {
    return this.refusals.take(key, 1).allowed;
  }

  /** Pull requests currently remembered (for tests). */
  get size(): number {
    return this.commands.size;
  }
}
