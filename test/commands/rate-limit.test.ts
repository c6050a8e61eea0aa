import { describe, expect, it } from "vitest";
import { CommandRateLimiter, RATE_WINDOW_MS } from "../../src/commands/rate-limit.js";

describe("CommandRateLimiter", () => {
  it("allows `limit` commands in any hour, per pull request, and says when the next one is allowed", () => {
    let now = 1_000_000;
    const limiter = new CommandRateLimiter({ now: () => now });
    expect(limiter.take("acme/shop#1", 2)).toEqual({ allowed: true });
    now += 10 * 60_000;
    expect(limiter.take("acme/shop#1", 2)).toEqual({ allowed: true });
    expect(limiter.take("acme/shop#1", 2)).toEqual({ allowed: false, retryAt: new Date(1_000_000 + RATE_WINDOW_MS) });
    expect(limiter.take("acme/shop#2", 2)).toEqual({ allowed: true });
    // The window slides: the first command leaves it after an hour, the second ten minutes later.
    now = 1_000_000 + RATE_WINDOW_MS + 1;
    expect(limiter.take("acme/shop#1", 2)).toEqual({ allowed: true });
    expect(limiter.take("acme/shop#1", 2)).toEqual({ allowed: false, retryAt: new Date(1_000_000 + 10 * 60_000 + RATE_WINDOW_MS) });
  });

  it("does not count refused commands", () => {
    let now = 0;
    const limiter = new CommandRateLimiter({ now: () => now });
    limiter.take("k", 1);
    for (let i = 0; i < 5; i++) {
      now += 60_000;
      expect(limiter.take("k", 1).allowed).toBe(false);
    }
    now = RATE_WINDOW_MS + 1;
    expect(limiter.take("k", 1).allowed).toBe(true);
  });

  it("remembers a bounded number of pull requests, forgetting the least recently used", () => {
    const limiter = new CommandRateLimiter({ maxKeys: 3, now: () => 0 });
    limiter.take("a", 1);
    limiter.take("b", 1);
    limiter.take("c", 1);
    expect(limiter.take("a", 1).allowed).toBe(false); // a is now the most recently used
    limiter.take("d", 1); // forgets b
    expect(limiter.size).toBe(3);
    expect(limiter.take("b", 1).allowed).toBe(true);
    expect(limiter.take("a", 1).allowed).toBe(false);
  });
});
