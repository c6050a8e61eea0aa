/**
 * GitHub's rate limits for writes. Probot's throttling plugin gives up on secondary rate limits
 * (it only logs), so every write goes through here (callGitHub in ./call.ts decides which): on
 * 403/429 for a rate limit, wait what GitHub says (`retry-after`, else until `x-ratelimit-reset`,
 * else a minute) and try again.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */

import { metrics } from "../ops/metrics.js";

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Longest single wait; a longer one is not worth holding a job for. */
export const MAX_RATE_LIMIT_WAIT_MS = 5 * 60_000;
export const RATE_LIMIT_ATTEMPTS = 3;

interface ErrorWithResponse {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** How long GitHub asks us to wait before trying again, or undefined when the error is no rate limit. */
export function rateLimitWait(error: unknown, now: number): number | undefined {
  const e = error as ErrorWithResponse;
  if (e.status !== 403 && e.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  const remaining = headers["x-ratelimit-remaining"];
  const reset = Number(headers["x-ratelimit-reset"]);
  if (String(remaining) === "0" && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now) + 1000;
  if (/secondary rate limit|abuse/i.test(e.message ?? "")) return 60_000;
  return undefined;
}

/**
 * The longest wait the app's jobs make in place: a longer one is handed to the job queue, which
 * runs the job again once GitHub's time has come (the error carries it) instead of holding a job
 * slot and the installation's write turn for minutes.
 */
export const QUEUED_RATE_LIMIT_WAIT_MS = 10_000;

/**
 * Runs `write`, waiting and retrying while GitHub answers with a rate limit; a wait longer than
 * `maxWaitMs` is not made here (the error is thrown, carrying when to try again).
 */
export async function withRateLimitRetry<T>(write: () => Promise<T>, clock: Clock = realClock, maxWaitMs = MAX_RATE_LIMIT_WAIT_MS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const wait = rateLimitWait(error, clock.now());
      if (wait === undefined || attempt >= RATE_LIMIT_ATTEMPTS || wait > Math.min(maxWaitMs, MAX_RATE_LIMIT_WAIT_MS)) throw error;
      metrics.githubRetry("rate_limit");
      await clock.sleep(wait);
    }
  }
}
