/**
 * Retrying model requests: which failures are worth another attempt, how long to wait before it,
 * and the loop itself. Our own rather than the SDK's retryOptions, whose backoff ignores the
 * server's own word on when to come back (Retry-After, google.rpc.RetryInfo).
 */

import { metrics } from "../../ops/metrics.js";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before the second attempt; it doubles for each further one. */
  baseDelayMs: number;
  /** Backoff never waits longer than this. */
  maxDelayMs: number;
  /** The longest wait a server may ask for; asked for more, we give up instead. */
  maxServerDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxServerDelayMs: 60_000,
};

/** HTTP statuses that say "try again later": timeout, rate limit, server-side trouble. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** Exponential backoff with jitter: half the doubled delay fixed, the other half random. */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** A `Retry-After` header: delay-seconds or an HTTP date. */
export function retryAfterHeaderMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** A protobuf Duration in its JSON form: "32s", "1.5s", "0.250s". */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The delay a Google API error body asks for, from its `google.rpc.RetryInfo` detail:
 * `{"error": {"details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "32s"}]}}`.
 */
export function retryInfoDelayMs(body: unknown): number | undefined {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const details = error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    if (isRecord(detail) && typeof detail["@type"] === "string" && detail["@type"].endsWith("google.rpc.RetryInfo")) {
      const delay = durationMs(detail.retryDelay);
      if (delay !== undefined) return delay;
    }
  }
  return undefined;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** What the signal was aborted with, as something throwable. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException("The operation was aborted.", "AbortError");
}

/** How one failed attempt should be handled. */
export type RetryVerdict =
  /** Not worth repeating: give up with `error`. */
  | { retry: false; error: Error }
  /**
   * Worth repeating. `serverDelayMs` is the wait the server asked for, if it said; `label` names
   * the failure in logs (e.g. "HTTP 429"); `giveUp` is the error thrown if no attempt is left or
   * the server asks for too long a wait.
   */
  | { retry: true; label: string; status?: number; serverDelayMs?: number; giveUp: (why: GiveUpReason) => Error };

export type GiveUpReason = { kind: "exhausted"; attempts: number } | { kind: "delay-too-long"; delayMs: number; maxMs: number };

export interface RetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  maxAttempts: number;
  label: string;
  status?: number;
  delayMs: number;
  /** Whether the delay is the server's (Retry-After, RetryInfo) rather than our backoff. */
  serverDelay: boolean;
}

export interface RetryOptions {
  signal: AbortSignal;
  policy?: RetryPolicy;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Judges a failure; the signal has not been aborted when this is called. */
  judge: (error: unknown) => RetryVerdict;
  onRetry?: (event: RetryEvent) => void;
}

/**
 * Runs `attempt` until it succeeds, a failure is not worth repeating, attempts run out, or the
 * signal aborts. Aborting rejects with the signal's reason at once, also in the middle of a wait,
 * whatever the injected `sleep` does.
 */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { signal } = options;
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? abortableSleep;
  for (let n = 1; ; n++) {
    if (signal.aborted) throw abortReason(signal);
    try {
      const result = await attempt(n);
      metrics.geminiAttempt("ok");
      return result;
    } catch (error) {
      metrics.geminiAttempt(signal.aborted ? "cancelled" : "error", error);
      if (signal.aborted) throw abortReason(signal);
      const verdict = options.judge(error);
      if (!verdict.retry) throw verdict.error;
      if (n >= policy.maxAttempts) throw verdict.giveUp({ kind: "exhausted", attempts: n });
      const serverDelay = verdict.serverDelayMs !== undefined;
      if (verdict.serverDelayMs !== undefined && verdict.serverDelayMs > policy.maxServerDelayMs) {
        throw verdict.giveUp({ kind: "delay-too-long", delayMs: verdict.serverDelayMs, maxMs: policy.maxServerDelayMs });
      }
      const delayMs = verdict.serverDelayMs ?? backoffDelayMs(n, policy, options.random);
      metrics.geminiRetry();
      options.onRetry?.({
        attempt: n,
        maxAttempts: policy.maxAttempts,
        label: verdict.label,
        ...(verdict.status !== undefined ? { status: verdict.status } : {}),
        delayMs,
        serverDelay,
      });
      await untilAborted(sleep(delayMs, signal), signal);
    }
  }
}

/** `promise`, or the signal's reason as soon as it aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
