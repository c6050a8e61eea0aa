import { describe, expect, it, vi } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  abortableSleep,
  backoffDelayMs,
  durationMs,
  retryAfterHeaderMs,
  retryInfoDelayMs,
  withRetries,
  type RetryVerdict,
} from "../../../src/agent/model/retry.js";

const retryable = (serverDelayMs?: number): RetryVerdict => ({
  retry: true,
  label: "HTTP 503",
  status: 503,
  ...(serverDelayMs !== undefined ? { serverDelayMs } : {}),
  giveUp: (why) => new Error(why.kind === "exhausted" ? `gave up after ${why.attempts}` : `asked for ${why.delayMs} ms`),
});

describe("retry delays", () => {
  it("doubles the backoff from 1 s, with jitter, up to 30 s", () => {
    expect(backoffDelayMs(1, DEFAULT_RETRY_POLICY, () => 0)).toBe(500);
    expect(backoffDelayMs(1, DEFAULT_RETRY_POLICY, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, DEFAULT_RETRY_POLICY, () => 1)).toBe(4000);
    expect(backoffDelayMs(10, DEFAULT_RETRY_POLICY, () => 1)).toBe(30_000);
    expect(backoffDelayMs(10, DEFAULT_RETRY_POLICY, () => 0)).toBe(15_000);
  });

  it("reads Retry-After as seconds or as a date", () => {
    expect(retryAfterHeaderMs("2")).toBe(2000);
    expect(retryAfterHeaderMs("0.5")).toBe(500);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterHeaderMs("Wed, 01 Jan 2025 00:00:07 GMT", now)).toBe(7000);
    expect(retryAfterHeaderMs("soon")).toBeUndefined();
    expect(retryAfterHeaderMs(null)).toBeUndefined();
  });

  it("reads google.rpc.RetryInfo from an error body", () => {
    expect(durationMs("32s")).toBe(32_000);
    expect(durationMs("1.250s")).toBe(1250);
    expect(durationMs("32")).toBeUndefined();
    const body = {
      error: {
        code: 429,
        details: [
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [] },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "3s" },
        ],
      },
    };
    expect(retryInfoDelayMs(body)).toBe(3000);
    expect(retryInfoDelayMs({ error: { code: 429 } })).toBeUndefined();
    expect(retryInfoDelayMs("not json")).toBeUndefined();
  });
});

describe("withRetries", () => {
  it("retries until success, waiting the server's delay when it gives one", async () => {
    const sleep = vi.fn(() => Promise.resolve());
    const attempt = vi.fn<(n: number) => Promise<string>>().mockRejectedValueOnce(new Error("a")).mockRejectedValueOnce(new Error("b")).mockResolvedValue("ok");
    const verdicts = [retryable(2500), retryable()];
    const result = await withRetries(attempt, { signal: new AbortController().signal, sleep, random: () => 1, judge: () => verdicts.shift() ?? retryable() });
    expect(result).toBe("ok");
    expect(sleep.mock.calls.map((call: unknown[]) => call[0])).toEqual([2500, 2000]);
  });

  it("gives up after maxAttempts, and at once when the server asks for too long", async () => {
    const signal = new AbortController().signal;
    const sleep = vi.fn(() => Promise.resolve());
    const failing = vi.fn(() => Promise.reject(new Error("x")));
    await expect(withRetries(failing, { signal, sleep, judge: () => retryable() })).rejects.toThrow("gave up after 4");
    expect(failing).toHaveBeenCalledTimes(4);
    failing.mockClear();
    await expect(withRetries(failing, { signal, sleep, judge: () => retryable(61_000) })).rejects.toThrow("asked for 61000 ms");
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it("does not retry what the judge refuses", async () => {
    const failing = vi.fn(() => Promise.reject(new Error("x")));
    await expect(
      withRetries(failing, { signal: new AbortController().signal, judge: () => ({ retry: false, error: new Error("bad request") }) }),
    ).rejects.toThrow("bad request");
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it("stops waiting as soon as the signal aborts, even if sleep ignores it", async () => {
    const controller = new AbortController();
    const never = () => new Promise<void>(() => {});
    const run = withRetries(() => Promise.reject(new Error("x")), {
      signal: controller.signal,
      sleep: never,
      judge: () => retryable(),
      onRetry: () => setTimeout(() => controller.abort(new Error("cancelled")), 5),
    });
    await expect(run).rejects.toThrow("cancelled");
  });

  it("abortableSleep resolves after the delay or rejects on abort", async () => {
    await expect(abortableSleep(1, new AbortController().signal)).resolves.toBeUndefined();
    const controller = new AbortController();
    const waiting = abortableSleep(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
  });
});
