import { register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { JobState } from "../../src/jobs/queue.js";
import { createMetrics, metrics } from "../../src/ops/metrics.js";
import { sampleValue, samplesOf } from "./scrape.js";

const P = "data_engineer_";

describe("metrics", () => {
  it("renders the job, webhook, GitHub, Gemini and token metrics with their labels", async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.jobEnqueued("review");
    m.jobEnqueued("review");
    m.jobEnqueued("command");
    m.jobDuplicate("review");
    m.jobRetried("review");
    m.jobDead("command");
    m.jobSuperseded("review");
    m.jobFinished("review", "done", 42);
    m.jobFinished("review", "retry", 0.2);
    m.jobFinished("command", "requeued", 1);
    m.webhook("pull_request");
    m.webhook("pull_request");
    m.webhook("issue_comment");
    m.githubResponse("get", 200);
    m.githubResponse("POST", 422);
    m.githubResponse("GET", 404);
    m.githubResponse("PATCH", 502);
    m.githubResponse("GET", undefined);
    m.githubRetry("rate_limit");
    m.geminiAttempt("ok");
    m.geminiAttempt("error", Object.assign(new Error("quota"), { status: 429 }));
    m.geminiAttempt("error", new DOMException("timed out", "TimeoutError"));
    m.geminiAttempt("error", new TypeError("fetch failed"));
    m.geminiAttempt("cancelled", new Error("review cancelled"));
    m.geminiRetry();
    m.agentTokens(1200, 300);
    m.agentTokens(100, -5);

    const { contentType, body } = await m.render();

    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(body, `${P}jobs_enqueued_total`, { kind: "review" })).toBe(2);
    expect(sampleValue(body, `${P}jobs_enqueued_total`, { kind: "command" })).toBe(1);
    expect(sampleValue(body, `${P}jobs_duplicate_total`, { kind: "review" })).toBe(1);
    expect(sampleValue(body, `${P}jobs_retried_total`, { kind: "review" })).toBe(1);
    expect(sampleValue(body, `${P}jobs_dead_total`, { kind: "command" })).toBe(1);
    expect(sampleValue(body, `${P}jobs_superseded_total`, { kind: "review" })).toBe(1);

    expect(sampleValue(body, `${P}job_duration_seconds_count`, { kind: "review", outcome: "done" })).toBe(1);
    expect(sampleValue(body, `${P}job_duration_seconds_sum`, { kind: "review", outcome: "done" })).toBe(42);
    expect(sampleValue(body, `${P}job_duration_seconds_bucket`, { kind: "review", outcome: "done", le: "30" })).toBe(0);
    expect(sampleValue(body, `${P}job_duration_seconds_bucket`, { kind: "review", outcome: "done", le: "60" })).toBe(1);
    expect(sampleValue(body, `${P}job_duration_seconds_bucket`, { kind: "review", outcome: "retry", le: "0.5" })).toBe(1);
    expect(sampleValue(body, `${P}job_duration_seconds_count`, { kind: "command", outcome: "requeued" })).toBe(1);
    const buckets = samplesOf(body, `${P}job_duration_seconds_bucket`).map((sample) => sample.labels.le);
    expect(buckets).toContain("600");
    expect(buckets).toContain("+Inf");

    expect(sampleValue(body, `${P}webhooks_received_total`, { event: "pull_request" })).toBe(2);
    expect(sampleValue(body, `${P}webhooks_received_total`, { event: "issue_comment" })).toBe(1);

    expect(sampleValue(body, `${P}github_requests_total`, { method: "GET", status: "2xx" })).toBe(1);
    expect(sampleValue(body, `${P}github_requests_total`, { method: "POST", status: "4xx" })).toBe(1);
    expect(sampleValue(body, `${P}github_requests_total`, { method: "GET", status: "4xx" })).toBe(1);
    expect(sampleValue(body, `${P}github_requests_total`, { method: "PATCH", status: "5xx" })).toBe(1);
    expect(sampleValue(body, `${P}github_requests_total`, { method: "GET", status: "network" })).toBe(1);
    expect(sampleValue(body, `${P}github_errors_total`, { status: "422" })).toBe(1);
    expect(sampleValue(body, `${P}github_errors_total`, { status: "404" })).toBe(1);
    expect(sampleValue(body, `${P}github_errors_total`, { status: "502" })).toBe(1);
    expect(sampleValue(body, `${P}github_errors_total`, { status: "network" })).toBe(1);
    expect(sampleValue(body, `${P}github_errors_total`, { status: "200" })).toBeUndefined();
    expect(sampleValue(body, `${P}github_retries_total`, { reason: "rate_limit" })).toBe(1);

    expect(sampleValue(body, `${P}gemini_requests_total`, { outcome: "ok" })).toBe(1);
    expect(sampleValue(body, `${P}gemini_requests_total`, { outcome: "error" })).toBe(3);
    expect(sampleValue(body, `${P}gemini_requests_total`, { outcome: "cancelled" })).toBe(1);
    expect(sampleValue(body, `${P}gemini_errors_total`, { status: "429" })).toBe(1);
    expect(sampleValue(body, `${P}gemini_errors_total`, { status: "timeout" })).toBe(1);
    expect(sampleValue(body, `${P}gemini_errors_total`, { status: "network" })).toBe(1);
    expect(samplesOf(body, `${P}gemini_errors_total`)).toHaveLength(3);
    expect(sampleValue(body, `${P}gemini_retries_total`)).toBe(1);

    expect(sampleValue(body, `${P}agent_tokens_total`, { direction: "input" })).toBe(1300);
    expect(sampleValue(body, `${P}agent_tokens_total`, { direction: "output" })).toBe(300);
  });

  it("collects the default process metrics under the prefix, on a registry of its own", async () => {
    const { body } = await createMetrics().render();
    expect(sampleValue(body, `${P}process_cpu_user_seconds_total`)).toBeGreaterThanOrEqual(0);
    expect(body).toContain(`${P}nodejs_eventloop_lag_seconds`);
    expect(body).toContain(`${P}nodejs_heap_size_used_bytes`);

    metrics.webhook("ping");
    expect(sampleValue((await metrics.render()).body, `${P}webhooks_received_total`, { event: "ping" })).toBeGreaterThanOrEqual(1);
    expect(await globalRegistry.metrics()).not.toContain(P);
  });

  it("reads the job counts from the registered source at each scrape", async () => {
    const m = createMetrics({ defaultMetrics: false });
    const counts: Record<JobState, number> = { queued: 3, running: 1, done: 7, dead: 0, superseded: 2 };
    let reads = 0;
    m.setJobCounts(() => {
      reads++;
      return Promise.resolve({ ...counts });
    });

    let { body } = await m.render();
    expect(sampleValue(body, `${P}jobs`, { state: "queued" })).toBe(3);
    expect(sampleValue(body, `${P}jobs`, { state: "running" })).toBe(1);
    expect(sampleValue(body, `${P}jobs`, { state: "done" })).toBe(7);
    expect(sampleValue(body, `${P}jobs`, { state: "dead" })).toBe(0);
    expect(sampleValue(body, `${P}jobs`, { state: "superseded" })).toBe(2);
    expect(sampleValue(body, `${P}queue_up`)).toBe(1);
    expect(reads).toBe(1);

    counts.queued = 0;
    counts.done = 10;
    ({ body } = await m.render());
    expect(sampleValue(body, `${P}jobs`, { state: "queued" })).toBe(0);
    expect(sampleValue(body, `${P}jobs`, { state: "done" })).toBe(10);
  });

  it("reports queue_up 0 and no job counts when the source throws, without failing the scrape", async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setJobCounts(() => Promise.resolve({ queued: 5, running: 0, done: 0, dead: 0, superseded: 0 }));
    expect(sampleValue((await m.render()).body, `${P}jobs`, { state: "queued" })).toBe(5);

    m.setJobCounts(() => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")));
    m.webhook("pull_request");
    const { body } = await m.render();
    expect(sampleValue(body, `${P}queue_up`)).toBe(0);
    expect(samplesOf(body, `${P}jobs`)).toEqual([]);
    expect(sampleValue(body, `${P}webhooks_received_total`, { event: "pull_request" })).toBe(1);

    m.setJobCounts(() => {
      throw new Error("synchronous failure");
    });
    expect(sampleValue((await m.render()).body, `${P}queue_up`)).toBe(0);
  });

  it("reports queue_up 0 when the source does not answer in time", async () => {
    const m = createMetrics({ defaultMetrics: false, jobCountsTimeoutMs: 30 });
    m.setJobCounts(() => new Promise(() => {}));
    const { body } = await m.render();
    expect(sampleValue(body, `${P}queue_up`)).toBe(0);
    expect(samplesOf(body, `${P}jobs`)).toEqual([]);
  });

  it("reports queue_up 0 while no source is registered", async () => {
    const { body } = await createMetrics({ defaultMetrics: false }).render();
    expect(sampleValue(body, `${P}queue_up`)).toBe(0);
  });
});
