import { createHmac } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { Worker } from "node:worker_threads";

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./helpers/free-port.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EnvironmentError } from "../src/errors.js";
import { probotEnvironment, startRegistration, startServer } from "../src/server.js";
import { FakeGitHub } from "./helpers/fake-github.js";
import { privateKey, TestOctokit } from "./helpers/probot.js";
import { expectMigrationReview, pullRequestEvent } from "./helpers/pull-request-scenario.js";

const SECRET = "server-test-secret";
let server: { stop(): Promise<unknown> } | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(extra: NodeJS.ProcessEnv = {}): Promise<string> {
  const port = await freePort();
  server = await startServer({
    env: {
      APP_ID: "123",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "error",
      DATA_DIR: mkdtempSync(join(tmpdir(), "de-server-test-")),
      ...extra,
    },
    Octokit: TestOctokit,
  });
  return `http://127.0.0.1:${port}`;
}

function deliver(base: string, event: string, payload: unknown, secret = SECRET): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`${base}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": "11111111-2222-3333-4444-555555555555",
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    body,
  });
}

describe("the webhook server", () => {
  it("refuses to start without its settings and names each one", async () => {
    const start = startServer({ env: {} });
    await expect(start).rejects.toBeInstanceOf(EnvironmentError);
    await expect(start).rejects.toThrow(/APP_ID[\s\S]*PRIVATE_KEY \(or PRIVATE_KEY_PATH\)[\s\S]*WEBHOOK_SECRET/);
  });

  it("answers /healthz", async () => {
    const base = await start();
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("answers /readyz from the job store, and /metrics with the queue's counts", async () => {
    const base = await start({ METRICS_TOKEN: "scrape-me" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: "Bearer scrape-me" } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^data_engineer_jobs\{state="queued"\} 0$/m);
    expect(text).toMatch(/^data_engineer_queue_up 1$/m);

    await server?.stop();
    server = undefined;
    // Stopped: the store is closed, so the server is not ready (nor listening).
    await expect(fetch(`${base}/readyz`)).rejects.toThrow();
  });

  it("refuses to start with a malformed queue setting, naming it", async () => {
    await expect(start({ JOB_CONCURRENCY: "many", REDIS_URL: "http://redis:6379" })).rejects.toThrow(
      /JOB_CONCURRENCY must be a whole number[\s\S]*REDIS_URL must start with redis:\/\//,
    );
  });

  it("keeps REDIS_URL from Probot, whose Redis throttling fails installations idle for two minutes", () => {
    const env = { APP_ID: "1", REDIS_URL: "redis://redis:6379", DATA_DIR: "/data", WEBHOOK_SECRET: "s" };
    expect(probotEnvironment(env)).toEqual({ APP_ID: "1", DATA_DIR: "/data", WEBHOOK_SECRET: "s" });
    expect(env.REDIS_URL).toBe("redis://redis:6379");
  });

  it("talks to GitHub Enterprise Server when GHE_HOST and GHE_PROTOCOL are set", async () => {
    const base = await start({ GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "https" });
    const github = new FakeGitHub({ baseUrl: "https://ghe.example.com/api/v3", spec: "ghes-3.19" });
    const payload = pullRequestEvent("opened");
    expectMigrationReview(github, payload, {
      changed: [{ path: "db/migrations/0001_add_users.up.sql", text: "CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY);\n" }],
      beside: [{ path: "db/migrations/0001_add_users.down.sql", text: "DROP TABLE IF EXISTS users;\n" }],
    });

    const response = await deliver(base, "pull_request", payload);

    expect(response.status).toBe(200);
    await github.waitUntilDone();
    // The token, the review's two GraphQL queries, the check run created completed.
    expect(github.requests.length).toBe(4);
    expect(github.requests.every((r) => new URL(r.url).host === "ghe.example.com")).toBe(true);
    // GitHub Enterprise Server serves REST under /api/v3/ and GraphQL at /api/graphql.
    expect(github.requests.every((r) => new URL(r.url).pathname.startsWith("/api/v3/") || new URL(r.url).pathname === "/api/graphql")).toBe(true);
  });

  it("rejects a delivery with a wrong signature and calls nothing", async () => {
    const base = await start();
    const github = new FakeGitHub();
    const response = await deliver(base, "pull_request", pullRequestEvent("opened"), "not-the-secret");
    expect(response.status).toBe(400);
    expect(github.requests).toHaveLength(0);
  });

  /**
   * Sends the headers of a webhook delivery and the first 64 KiB of its body, then waits for the
   * server's answer: an answer at all proves the server did not wait for the rest, however slowly
   * a loaded machine uploads. The client is a raw socket in a worker thread (this thread's sockets
   * go through nock, which holds a request until its body is complete; a worker has its own
   * modules, and starts in a fraction of the time a child process takes). The request object, from
   * Node's diagnostics channel, says whether anyone read its body.
   */
  async function deliverHeadersOnly(
    base: string,
    headers: string,
    framing: { before: string; after: string } = { before: "", after: "" },
  ): Promise<{ answer: string; bytesRead: number | undefined }> {
    let seen: IncomingMessage | undefined;
    const watch = (message: unknown) => {
      const { request } = message as { request: IncomingMessage };
      if (request.headers["x-github-delivery"] === "oversized") seen = request;
    };
    subscribe("http.server.request.start", watch);
    const head =
      "POST /api/github/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GitHub-Event: ping\r\n" +
      `X-GitHub-Delivery: oversized\r\nX-Hub-Signature-256: sha256=${"0".repeat(64)}\r\n${headers}\r\n`;
    const client = [
      'const { parentPort } = require("node:worker_threads");',
      `const socket = require("node:net").connect(${Number(new URL(base).port)}, "127.0.0.1");`,
      'let answer = ""; socket.on("data", (d) => (answer += d)); socket.on("error", () => {});',
      'socket.on("close", () => parentPort.postMessage(answer));',
      `socket.write(${JSON.stringify(head + framing.before)}); socket.write(Buffer.alloc(64 * 1024, 0x20)); socket.write(${JSON.stringify(framing.after)});`,
    ].join("\n");
    const worker = new Worker(client, { eval: true });
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        worker.once("message", (message: string) => resolve(message));
        worker.once("error", reject);
      });
      return { answer, bytesRead: seen?.socket?.bytesRead };
    } finally {
      unsubscribe("http.server.request.start", watch);
      await worker.terminate();
    }
  }

  it("refuses a webhook body over 25 MB with 413 without reading it", async () => {
    const base = await start();
    const { answer, bytesRead } = await deliverHeadersOnly(base, `Content-Length: ${400 * 1024 * 1024}\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain("webhook bodies over 26214400 bytes are refused");
    // The answer came while 400 MB of the declared body were never sent: the server did not wait
    // for the body, let alone buffer it. (Whether Node then marks the request read as it discards
    // the few bytes that did come is its own timing, so `readableDidRead` is not asserted.)
    expect(bytesRead).toBeLessThan(70 * 1024);
    // The server is still there for the next delivery.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("refuses a webhook body that gives no length (chunked) with 411 without waiting for it", async () => {
    const base = await start();
    const { answer, bytesRead } = await deliverHeadersOnly(base, "Transfer-Encoding: chunked\r\n", { before: "10000\r\n", after: "\r\n" });
    // An answer at all proves the server did not wait for the end of the body. Whether Node's
    // parser already read the chunk that arrived with the headers (to discard it) is a race, so
    // what is asserted is that no more than what was sent came in.
    expect(answer).toMatch(/^HTTP\/1\.1 411 /);
    expect(bytesRead).toBeLessThan(70 * 1024);
  });
});

describe("npm run register", () => {
  it("serves Probot's registration page with app.yml as the manifest", async () => {
    vi.stubEnv("NO_SMEE_SETUP", "true"); // no webhook proxy channel: that would need the network
    const port = await freePort();
    server = await startRegistration({ env: { HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "error" } });
    const page = await (await fetch(`http://127.0.0.1:${port}/probot`)).text();
    // Probot puts the manifest JSON, unescaped, in a single-quoted attribute.
    const manifest = /name="manifest"[^>]*value='([^']*)'/.exec(page)?.[1];
    expect(manifest).toBeDefined();
    const parsed = JSON.parse(manifest ?? "") as Record<string, unknown>;
    expect(parsed).toMatchObject({
      name: "data-engineer",
      default_permissions: { checks: "write", pull_requests: "write", contents: "read", issues: "write", metadata: "read" },
    });
    expect(parsed.default_events).toEqual(expect.arrayContaining(["pull_request", "issue_comment", "check_run"]));
  });

  it("refuses to run in production", async () => {
    await expect(startRegistration({ env: { NODE_ENV: "production" } })).rejects.toThrow(/unset NODE_ENV=production/);
  });
});
