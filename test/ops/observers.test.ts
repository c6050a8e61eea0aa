import { describe, expect, it } from "vitest";
import { createGeminiClient } from "../../src/agent/model/model-client.js";
import { withRetries, type RetryVerdict } from "../../src/agent/model/retry.js";
import { withRateLimitRetry, type Clock } from "../../src/github/rate-limit.js";
import { metrics } from "../../src/ops/metrics.js";
import { fakeGemini } from "../helpers/fake-gemini.js";
import { sampleValue } from "./scrape.js";

const P = "data_engineer_";

/** The process metrics' current value of a sample (0 before its first count). */
async function current(name: string, labels: Record<string, string> = {}): Promise<number> {
  return sampleValue((await metrics.render()).body, `${P}${name}`, labels) ?? 0;
}

const instantClock: Clock = { now: () => Date.UTC(2026, 0, 1), sleep: () => Promise.resolve() };

describe("the GitHub rate-limit observer", () => {
  it("counts each rate-limit wait, and nothing for other failures", async () => {
    const before = await current("github_retries_total", { reason: "rate_limit" });
    const rateLimited = Object.assign(new Error("You have exceeded a secondary rate limit"), { status: 403, response: { headers: { "retry-after": "1" } } });
    let calls = 0;
    const result = await withRateLimitRetry(() => (++calls <= 2 ? Promise.reject(rateLimited) : Promise.resolve("written")), instantClock);
    expect(result).toBe("written");
    expect(await current("github_retries_total", { reason: "rate_limit" })).toBe(before + 2);

    await expect(withRateLimitRetry(() => Promise.reject(Object.assign(new Error("Validation Failed"), { status: 422 })), instantClock)).rejects.toThrow(
      "Validation Failed",
    );
    expect(await current("github_retries_total", { reason: "rate_limit" })).toBe(before + 2);
  });
});

describe("the Gemini observer", () => {
  const retryable: RetryVerdict = { retry: true, label: "HTTP 503", status: 503, giveUp: () => new Error("gave up") };

  it("counts failed attempts by status, retries and successes in withRetries", async () => {
    const errors = await current("gemini_errors_total", { status: "503" });
    const retries = await current("gemini_retries_total");
    const ok = await current("gemini_requests_total", { outcome: "ok" });
    let calls = 0;
    const result = await withRetries(
      () => (++calls === 1 ? Promise.reject(Object.assign(new Error("unavailable"), { status: 503 })) : Promise.resolve("answer")),
      { signal: new AbortController().signal, sleep: () => Promise.resolve(), judge: () => retryable },
    );
    expect(result).toBe("answer");
    expect(await current("gemini_errors_total", { status: "503" })).toBe(errors + 1);
    expect(await current("gemini_retries_total")).toBe(retries + 1);
    expect(await current("gemini_requests_total", { outcome: "ok" })).toBe(ok + 1);
  });

  it("counts an attempt ended by the caller's signal as cancelled, not as an error", async () => {
    const errors = await current("gemini_requests_total", { outcome: "error" });
    const cancelled = await current("gemini_requests_total", { outcome: "cancelled" });
    const controller = new AbortController();
    const run = withRetries(
      () => {
        controller.abort(new Error("review cancelled"));
        return Promise.reject(new Error("aborted"));
      },
      { signal: controller.signal, judge: () => retryable },
    );
    await expect(run).rejects.toThrow("review cancelled");
    expect(await current("gemini_requests_total", { outcome: "cancelled" })).toBe(cancelled + 1);
    expect(await current("gemini_requests_total", { outcome: "error" })).toBe(errors);
  });

  it("counts the HTTP status of the Gemini API's answers through the model client", async () => {
    const gemini = fakeGemini().reply({ status: 429, headers: { "retry-after": "1" } }, { text: "ok" });
    try {
      const errors = await current("gemini_errors_total", { status: "429" });
      const retries = await current("gemini_retries_total");
      const client = createGeminiClient({ backend: "gemini-api", apiKey: "test-key", tokenBudget: 1000 }, { sleep: () => Promise.resolve() });
      const reply = await client.generate({
        model: "gemini-2.5-pro",
        systemInstruction: "x",
        contents: [{ role: "user", parts: [{ text: "hi" }] }],
        functionDeclarations: [],
        temperature: 0,
        signal: new AbortController().signal,
      });
      expect(reply.text).toBe("ok");
      expect(await current("gemini_errors_total", { status: "429" })).toBe(errors + 1);
      expect(await current("gemini_retries_total")).toBe(retries + 1);
      gemini.assertDone();
    } finally {
      gemini.stop();
    }
  });
});
