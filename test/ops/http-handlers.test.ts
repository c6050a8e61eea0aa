import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { METRICS_PATH, READYZ_PATH, metricsHandler, readyzHandler, type OpsHandler } from "../../src/ops/http-handlers.js";
import { createMetrics } from "../../src/ops/metrics.js";
import { sampleValue } from "./scrape.js";

let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (running) await new Promise<void>((resolve) => running.close(() => resolve()));
});

/** A loopback server that tries the handlers in turn, as Probot's server does, then answers 404. */
async function serve(...handlers: OpsHandler[]): Promise<string> {
  server = createServer((req, res) => {
    for (const handler of handlers) if (handler(req, res)) return;
    res.writeHead(404).end("not found");
  });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
}

describe("/readyz", () => {
  it("answers 200 ready when the check resolves, for GET and HEAD", async () => {
    let checks = 0;
    const base = await serve(
      readyzHandler(() => {
        checks++;
        return Promise.resolve();
      }),
    );
    const response = await fetch(`${base}${READYZ_PATH}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ready" });

    const head = await fetch(`${base}${READYZ_PATH}?probe=1`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(checks).toBe(2);
  });

  it("answers 503 with the failure's message only when the check fails", async () => {
    const base = await serve(readyzHandler(() => Promise.reject(new Error("connect ECONNREFUSED 10.0.0.5:6379"))));
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ status: "unavailable", reason: "connect ECONNREFUSED 10.0.0.5:6379" });
    expect(body).not.toContain("    at ");
  });

  it("answers 503 when the check does not finish within the timeout", async () => {
    const base = await serve(readyzHandler(() => new Promise<void>(() => {}), { timeoutMs: 50 }));
    const started = Date.now();
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const body = (await response.json()) as { status: string; reason: string };
    expect(body.status).toBe("unavailable");
    expect(body.reason).toContain("50 ms");
  });

  it("leaves other paths and methods to the next handler", async () => {
    const base = await serve(readyzHandler(() => Promise.resolve()));
    expect((await fetch(`${base}/readyz`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${base}/readyz/more`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(404);
  });
});

describe("/metrics", () => {
  it("serves the Prometheus exposition, with queue_up 0 when the job counts fail", async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.webhook("pull_request");
    m.setJobCounts(() => Promise.reject(new Error("SQLITE_CANTOPEN")));
    const base = await serve(metricsHandler(m));
    const response = await fetch(`${base}${METRICS_PATH}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.text();
    expect(sampleValue(body, "data_engineer_webhooks_received_total", { event: "pull_request" })).toBe(1);
    expect(sampleValue(body, "data_engineer_queue_up")).toBe(0);
  });

  it("requires the bearer token when one is configured", async () => {
    const m = createMetrics({ defaultMetrics: false });
    const base = await serve(metricsHandler(m, { token: "s3cret-token" }));
    const url = `${base}/metrics`;

    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(missing.headers.get("cache-control")).toBe("no-store");
    expect(await missing.text()).not.toContain("data_engineer_");
    expect((await fetch(url, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Bearer s3cret-token-and-more" } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Basic s3cret-token" } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "s3cret-token" } })).status).toBe(401);

    const allowed = await fetch(url, { headers: { authorization: "Bearer s3cret-token" } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("data_engineer_queue_up");
  });

  it("is open when no token is configured", async () => {
    const base = await serve(metricsHandler(createMetrics({ defaultMetrics: false }), { token: "" }));
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  it("answers 500 when the metrics cannot be rendered, and leaves other paths and methods alone", async () => {
    const base = await serve(metricsHandler({ render: () => Promise.reject(new Error("boom")) }));
    const failed = await fetch(`${base}/metrics`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain("boom");
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${base}/metricsx`)).status).toBe(404);
  });
});
