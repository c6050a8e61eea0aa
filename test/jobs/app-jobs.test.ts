import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createBullmqQueue } from "../../src/jobs/bullmq-queue.js";
import { createEmbeddedQueue, type EmbeddedJobQueue } from "../../src/jobs/embedded-queue.js";
import type { JobQueue, QueueSettings } from "../../src/jobs/queue.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { FakeGitHub, type FakeReply } from "../helpers/fake-github.js";
import { createTestProbot, type TestProbot } from "../helpers/probot.js";
import { waitFor } from "./queue-contract.js";
import {
  checkRunReply,
  expectMigrationReview,
  expectRepoConfig,
  fileEntries,
  pullRequestEvent,
  repoPath,
  reviewAccepted,
  type PullRequestPayload,
} from "../helpers/pull-request-scenario.js";
import { testRedisUrl } from "../helpers/redis.js";
import { INSTALLATION_ID } from "../helpers/webhooks.js";

/**
 * The app on its job queue, end to end (Probot, the handlers, the worker, GitHub faked at HTTP
 * level and checked against its OpenAPI description), once per adapter: the embedded store and
 * BullMQ on a real Redis.
 */

const UP = { path: "db/migrations/20260101000000_add_index.up.sql", text: "CREATE INDEX orders_created_at ON orders (created_at);\n" };
const DOWN = { path: "db/migrations/20260101000000_add_index.down.sql", text: "DROP INDEX orders_created_at;\n" };
const HEAD_A = "a".repeat(40);
const HEAD_B = "b".repeat(40);
const BAD_GATEWAY: FakeReply = {
  status: 502,
  body: { message: "Server Error", documentation_url: "https://docs.github.com/rest" },
  undocumented: "GitHub answers 502 when it is overloaded",
};

const redisUrl = await testRedisUrl();

interface Adapter {
  name: string;
  /** The queue; the embedded one runs on `clock`, its backoff as in production. */
  open(settings: Partial<QueueSettings>, clock: VirtualClock): Promise<JobQueue>;
  /**
   * Lets retries happen and resolves once every job has settled. The embedded queue's backoff
   * runs on the virtual clock: it jumps to each retry at once, so a loaded machine decides nothing.
   * BullMQ waits in Redis on real time (its backoff is a few milliseconds in these tests).
   */
  settle(queue: JobQueue, clock: VirtualClock): Promise<void>;
}

const adapters: Adapter[] = [
  {
    name: "embedded",
    open: async (settings, clock) => createEmbeddedQueue({ dataDir: await tempDir(), settings, clock }),
    settle: async (queue, clock) => {
      clock.runFreely();
      await (queue as EmbeddedJobQueue).whenIdle();
    },
  },
];
if (redisUrl) {
  adapters.push({
    name: "bullmq",
    open: (settings) =>
      Promise.resolve(
        createBullmqQueue({
          url: redisUrl,
          queueName: `app-${randomUUID()}`,
          settings: { backoff: { baseMs: 20, maxMs: 100 }, ...settings },
          lockDurationMs: 2_000,
          stalledIntervalMs: 1_000,
          hookRetryMs: 500,
        }),
      ),
    // No deadline but the test's: until GitHub got what the test expects and nothing is queued or running.
    settle: (queue) =>
      waitFor(
        "every job settled",
        async () => {
          const counts = await queue.counts();
          return github.settled() && counts.queued === 0 && counts.running === 0;
        },
        Number.POSITIVE_INFINITY,
      ),
  });
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "de-app-jobs-"));
  dirs.push(dir);
  return dir;
}

let github: FakeGitHub;
let probot: TestProbot | undefined;

afterEach(async () => {
  await probot?.jobs.stop(1000);
  await probot?.jobs.close();
  probot = undefined;
  github.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function push(action: "opened" | "synchronize", head: string): PullRequestPayload {
  const payload = pullRequestEvent(action);
  payload.pull_request.head.sha = head;
  return payload;
}

function updates(): Array<Record<string, unknown> & { output?: { title?: string; summary?: string } }> {
  return github.requestsTo("checks/update").map((r) => r.body as Record<string, unknown> & { output?: { title?: string; summary?: string } });
}

describe.each(adapters)("the app on the $name job queue", (adapter) => {
  let clock: VirtualClock;
  async function start(settings: Partial<QueueSettings> = {}): Promise<TestProbot> {
    clock = new VirtualClock();
    const jobs = await adapter.open({ maxAttempts: 3, ...settings }, clock);
    probot = await createTestProbot({ jobs });
    return probot;
  }

  /** Waits for the job to have started (its hold over: the check run is created), then for it to settle. */
  async function settleAfter(started: () => boolean): Promise<void> {
    await waitFor("the job to start", started, Number.POSITIVE_INFINITY);
    await adapter.settle(app().jobs, clock);
  }

  function app(): TestProbot {
    if (!probot) throw new Error("the app has not been started");
    return probot;
  }

  it("reviews a delivery GitHub sends twice once", async () => {
    github = new FakeGitHub();
    const payload = push("opened", HEAD_A);
    expectMigrationReview(github, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(github)] });
    const app = await start();

    await app.deliver({ id: "delivery-twice", name: "pull_request", payload: payload as never });
    await app.deliver({ id: "delivery-twice", name: "pull_request", payload: payload as never });
    await github.waitUntilDone(15_000, 300);

    expect(github.requestsTo("checks/create")).toHaveLength(1);
    expect(github.requestsTo("pulls/create-review")).toHaveLength(1);
  });

  it("aborts the review of a pushed-over head and reviews only the newest", async () => {
    github = new FakeGitHub();
    const first = push("opened", HEAD_A);
    const second = push("synchronize", HEAD_B);
    const repo = repoPath(first);
    const number = first.pull_request.number;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first review: its check run, its configuration, and a file listing held in flight.
    github.installationToken(INSTALLATION_ID).on("POST", `${repo}/check-runs`, (req) => checkRunReply(github, 201, 7, req.body as Record<string, unknown>));
    expectRepoConfig(github, first);
    github.on("GET", `${repo}/pulls/${number}/files`, { status: 200, body: fileEntries(github, [UP.path]), wait: held });
    // The second review, whole; its check run's completion and the first one's share check run 7.
    expectMigrationReview(github, second, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(github)], viaProbot: false, rest: false, extraUpdates: 1 });
    const app = await start();

    await app.deliver({ id: "push-1", name: "pull_request", payload: first as never });
    await waitFor("the first review to list its files", () => github.requestsTo("pulls/list-files").length === 1);
    await app.deliver({ id: "push-2", name: "pull_request", payload: second as never });
    release();
    await github.waitUntilDone(15_000, 300);

    expect(github.requestsTo("checks/create").map((r) => (r.body as { head_sha: string }).head_sha)).toEqual([HEAD_A, HEAD_B]);
    const reviews = github.requestsTo("pulls/create-review");
    expect(reviews).toHaveLength(1);
    expect((reviews[0]?.body as { commit_id?: string }).commit_id).toBe(HEAD_B);
    const titles = updates().map((u) => u.output?.title);
    expect(titles).toContain("Superseded by a newer commit");
    expect(updates().filter((u) => u.output?.title === "Superseded by a newer commit")[0]).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(updates().filter((u) => u.conclusion === "failure" || u.conclusion === "success")).toHaveLength(1);
  });

  it("completes as superseded the check run of a push replaced while that check run was being created", async () => {
    github = new FakeGitHub();
    const first = push("opened", HEAD_A);
    const second = push("synchronize", HEAD_B);
    const repo = repoPath(first);
    let answer!: () => void;
    const creationHeld = new Promise<void>((resolve) => (answer = resolve));
    // The first push's check run is created slowly: GitHub answers only after the second push came.
    github
      .installationToken(INSTALLATION_ID)
      .on("POST", `${repo}/check-runs`, (req) => ({ ...checkRunReply(github, 201, 8, req.body as Record<string, unknown>), wait: creationHeld }))
      .on("PATCH", `${repo}/check-runs/8`, (req) => checkRunReply(github, 200, 8, req.body as Record<string, unknown>));
    expectMigrationReview(github, second, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(github)], viaProbot: false, rest: false });
    const app = await start();

    await app.deliver({ id: "push-1", name: "pull_request", payload: first as never });
    await app.deliver({ id: "push-2", name: "pull_request", payload: second as never });
    await waitFor("the newer review to be posted", () => github.requestsTo("pulls/create-review").length === 1, 15_000);
    answer();
    await github.waitUntilDone(15_000, 300);

    const byId = github
      .requestsTo("checks/update")
      .map((r) => [r.path.split("/").pop(), r.body as { conclusion?: string; output?: { title?: string } }] as const);
    expect(byId.filter(([id]) => id === "8").map(([, body]) => [body.conclusion, body.output?.title])).toEqual([["neutral", "Superseded by a newer commit"]]);
    // The newer push is reviewed to the end: its index built without CONCURRENTLY on the existing orders table is an error.
    expect(byId.filter(([id]) => id === "7").map(([, body]) => body.conclusion)).toEqual(["failure"]);
    expect(github.requestsTo("pulls/create-review")).toHaveLength(1);
  });

  it("retries a review that fails twice for GitHub's 502 and posts it on the third attempt", async () => {
    github = new FakeGitHub();
    const payload = push("opened", HEAD_A);
    const configPath = new RegExp(`^${repoPath(payload)}/contents/\\.github(/|%2F)data-engineer\\.yml$`);
    github.on("GET", configPath, BAD_GATEWAY, 2);
    expectMigrationReview(github, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(github)] });
    const app = await start();

    const enqueued = clock.now();
    await app.deliver({ id: "delivery-flaky", name: "pull_request", payload: payload as never });
    await settleAfter(() => github.requestsTo("repos/get-content").length >= 1);
    github.assertDone();
    // The two retries waited their backoff (2 s, then 4 s, by default) on the queue's clock.
    if (adapter.name === "embedded") expect(clock.elapsedSince(enqueued)).toBeGreaterThanOrEqual(6_000);

    expect(github.requestsTo("checks/create")).toHaveLength(1);
    expect(github.requestsTo("pulls/create-review")).toHaveLength(1);
    expect(updates()).toHaveLength(1);
    // Completed with the review's own verdict (the index built without CONCURRENTLY on orders is an error), not "Review failed".
    expect(updates()[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(updates()[0]?.output?.title).not.toBe("Review failed");
  });

  it("dead-letters a review that keeps failing, completes its check run with the reason, and reviews it once GitHub answers", async () => {
    github = new FakeGitHub();
    const payload = push("opened", HEAD_A);
    const configPath = new RegExp(`^${repoPath(payload)}/contents/\\.github(/|%2F)data-engineer\\.yml$`);
    // Three runs and the dead letter's first call fail; the dead letter's next call gets through.
    github.on("GET", configPath, BAD_GATEWAY, 4);
    expectMigrationReview(github, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(github)], extraUpdates: 1 });
    const app = await start();

    const enqueued = clock.now();
    await app.deliver({ id: "delivery-broken", name: "pull_request", payload: payload as never });
    await settleAfter(() => github.requestsTo("repos/get-content").length >= 1);
    await waitFor("the dead letter's review", () => github.requestsTo("pulls/create-review").length >= 1, Number.POSITIVE_INFINITY);
    await adapter.settle(app.jobs, clock);
    github.assertDone();
    // The retries' backoff, then a dead letter's wait before it is called again (a minute).
    if (adapter.name === "embedded") expect(clock.elapsedSince(enqueued)).toBeGreaterThanOrEqual(6_000 + 60_000);

    expect(github.requestsTo("checks/create")).toHaveLength(1);
    const [failed, reviewed] = updates();
    expect(failed).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "Review failed" } });
    expect(failed?.output?.summary).toContain("GitHub answered HTTP 502 while reading .github/data-engineer.yml");
    expect(failed?.output?.summary).toContain("gave up after 3 attempts");
    // The same check run then carries the review's own verdict.
    expect(reviewed).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(reviewed?.output?.title).not.toBe("Review failed");
    expect(github.requestsTo("pulls/create-review")).toHaveLength(1);
    await waitFor("the job counted dead", async () => (await app.jobs.counts()).dead === 1);
  });
});
