import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createBullmqQueue } from "../../src/jobs/bullmq-queue.js";
import { createEmbeddedQueue, type EmbeddedJobQueue } from "../../src/jobs/embedded-queue.js";
import type { JobQueue, QueueSettings } from "../../src/jobs/queue.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { FakeGitHub, GRAPHQL_OPERATION, type FakeReply, type RecordedRequest } from "../helpers/fake-github.js";
import { answerGraphQL } from "../helpers/fake-github-graphql.js";
import { createTestProbot, type TestProbot } from "../helpers/probot.js";
import { waitFor } from "./queue-contract.js";
import {
  checkRunCreated,
  checkRunReply,
  expectMigrationReview,
  fakePullRequest,
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
/** The second push's version of the migration: another statement, so another finding. */
const UP_B = { path: UP.path, text: "CREATE INDEX orders_updated_at ON orders (updated_at);\n" };
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

type CheckRunWrite = Record<string, unknown> & { head_sha?: string; output?: { title?: string; summary?: string } };

function updates(): CheckRunWrite[] {
  return github.requestsTo("checks/update").map((r) => r.body as CheckRunWrite);
}

/** The check runs the app created, as it sent them (a review job creates its run once, completed). */
function creations(): CheckRunWrite[] {
  return github.requestsTo("checks/create").map((r) => r.body as CheckRunWrite);
}

/**
 * GitHub's "List check runs for a Git reference" for `head`: the runs the app created on it so far
 * (the fake gives each the id 7), as a dead letter reads them before it reports.
 */
function listedCheckRuns(head: string): (request: RecordedRequest) => FakeReply {
  return () => {
    const runs = creations()
      .filter((body) => body.head_sha === head)
      .map((body) => checkRunReply(github, 200, 7, body).body);
    return { status: 200, body: { total_count: runs.length, check_runs: runs } };
  };
}

/** GitHub's answer to a GraphQL query, from the fake's state, sent only once `wait` settles. */
function graphqlAnswerAfter(wait: Promise<unknown>): (request: RecordedRequest) => FakeReply {
  return (request) => ({ status: 200, body: answerGraphQL(github.graphqlState, request.body).body, wait });
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

  it("aborts the review of a pushed-over head and reviews only the newest; the old head gets no check run", async () => {
    github = new FakeGitHub();
    const first = push("opened", HEAD_A);
    const second = push("synchronize", HEAD_B);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first review's first query (the pull request, its files, the configuration) is held in flight.
    github.installationToken(INSTALLATION_ID).on("POST", "/graphql", graphqlAnswerAfter(held));
    // The second review, whole (with the installation's token Probot cached for the first).
    expectMigrationReview(github, second, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(github)], viaProbot: false, rest: false });
    const app = await start();

    await app.deliver({ id: "push-1", name: "pull_request", payload: first as never });
    await waitFor("the first review's first query", () => github.requestsTo(GRAPHQL_OPERATION).length === 1);
    await app.deliver({ id: "push-2", name: "pull_request", payload: second as never });
    await waitFor("the newest review's check run", () => creations().length === 1, 15_000);
    release();
    await github.waitUntilDone(15_000, 300);

    // A review job creates its check run once, completed, at its end (issue 19 item 5): the job
    // superseded before that wrote nothing, so the old head has no check run at all (GitHub shows
    // checks per commit and the pull request's checks are its newest head's), and none is left in
    // progress. The newest head's run carries its verdict: the index built without CONCURRENTLY
    // on the existing orders table is an error.
    expect(creations().map((body) => body.head_sha)).toEqual([HEAD_B]);
    expect(creations()[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(creations()[0]?.output?.title).not.toBe("Review failed");
    expect(updates()).toEqual([]);
    const reviews = github.requestsTo("pulls/create-review");
    expect(reviews).toHaveLength(1);
    expect((reviews[0]?.body as { commit_id?: string }).commit_id).toBe(HEAD_B);
    await waitFor("the first job counted superseded", async () => (await app.jobs.counts()).superseded === 1);
  });

  it("a push while the replaced review's check run is being created: that head keeps the verdict GitHub stored, nothing is resent or overwritten", async () => {
    github = new FakeGitHub();
    const first = push("opened", HEAD_A);
    const second = push("synchronize", HEAD_B);
    const repo = repoPath(first);
    let answer!: () => void;
    const creationHeld = new Promise<void>((resolve) => (answer = resolve));
    // The first review runs to its end and posts; GitHub stores its check run (created completed)
    // but its answer comes only after the second push superseded the job.
    expectMigrationReview(github, first, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(github)], checkRun: false });
    github.on("POST", `${repo}/check-runs`, (request) => ({ ...checkRunCreated(github)(request), wait: creationHeld }));
    const app = await start();

    await app.deliver({ id: "push-1", name: "pull_request", payload: first as never });
    await waitFor("the first check run's creation in flight", () => creations().length === 1, 15_000);
    // The second push changes the migration's statement: a finding the first review did not post.
    fakePullRequest(github, first).headSha = HEAD_B;
    expectMigrationReview(github, second, {
      changed: [UP_B],
      beside: [DOWN],
      reviews: [reviewAccepted(github)],
      viaProbot: false,
      rest: false,
      checkRun: false,
    });
    github.on(
      "POST",
      `${repo}/check-runs`,
      checkRunCreated(github, (body) => checkRunReply(github, 201, 8, body)),
    );
    await app.deliver({ id: "push-2", name: "pull_request", payload: second as never });
    await waitFor("the newest review's check run", () => creations().length === 2, 15_000);
    answer();
    await github.waitUntilDone(15_000, 300);

    // One run per head, each created completed with its own head's verdict: the superseded job
    // neither sent its creation again nor read it back (no check-run listing), and did not turn
    // the stored verdict into "superseded" (no update). Nothing is in progress.
    expect(creations().map((body) => [body.head_sha, body.status, body.conclusion])).toEqual([
      [HEAD_A, "completed", "failure"],
      [HEAD_B, "completed", "failure"],
    ]);
    expect(updates()).toEqual([]);
    expect(github.requestsTo("checks/list-for-ref")).toEqual([]);
    // Each head's review posted once: the first before the push came, the second with its new finding.
    expect(github.requestsTo("pulls/create-review").map((r) => (r.body as { commit_id?: string }).commit_id)).toEqual([HEAD_A, HEAD_B]);
    await waitFor("the first job counted superseded", async () => (await app.jobs.counts()).superseded === 1);
  });

  it("retries a review that fails twice for GitHub's 502 and posts it on the third attempt", async () => {
    github = new FakeGitHub();
    const payload = push("opened", HEAD_A);
    // The review's first query: GitHub answers 502 twice.
    github.on("POST", "/graphql", BAD_GATEWAY, 2);
    expectMigrationReview(github, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(github)] });
    // The third run, a rerun, first looks for a check run an earlier run may have stored: none.
    github.on("GET", `${repoPath(payload)}/commits/${HEAD_A}/check-runs`, listedCheckRuns(HEAD_A));
    const app = await start();

    const enqueued = clock.now();
    await app.deliver({ id: "delivery-flaky", name: "pull_request", payload: payload as never });
    await settleAfter(() => github.requestsTo(GRAPHQL_OPERATION).length >= 1);
    github.assertDone();
    // The two retries waited their backoff (2 s, then 4 s, by default) on the queue's clock.
    if (adapter.name === "embedded") expect(clock.elapsedSince(enqueued)).toBeGreaterThanOrEqual(6_000);

    // The failed attempts wrote nothing (the check run is created at the review's end): one check
    // run, created once, completed with the review's own verdict (the index built without
    // CONCURRENTLY on orders is an error), not "Review failed"; one review.
    expect(creations()).toHaveLength(1);
    expect(creations()[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(creations()[0]?.output?.title).not.toBe("Review failed");
    expect(updates()).toEqual([]);
    expect(github.requestsTo("pulls/create-review")).toHaveLength(1);
  });

  it("dead-letters a review that keeps failing, reports the reason on a check run created completed, and reviews it once GitHub answers", async () => {
    github = new FakeGitHub();
    const payload = push("opened", HEAD_A);
    const repo = repoPath(payload);
    // Three runs and the dead letter's first call fail at the review's first query (GraphQL).
    github.installationToken(INSTALLATION_ID).on("POST", "/graphql", BAD_GATEWAY, 4);
    // The dead letter looks for the job's check run on the head before it reviews, and before it
    // reports the failure (none: the failing runs created none), then finds the one it created.
    github.on("GET", `${repo}/commits/${HEAD_A}/check-runs`, listedCheckRuns(HEAD_A), 3);
    github.on("POST", `${repo}/check-runs`, checkRunCreated(github));
    // Its next call gets through: reporting on that check run, the review reads through REST
    // (run-review.ts reads by GraphQL only where it creates the run) and completes it.
    expectMigrationReview(github, payload, {
      changed: [UP],
      beside: [DOWN],
      reviews: [reviewAccepted(github)],
      viaProbot: false,
      rest: true,
      checkRun: false,
      extraUpdates: 1,
    });
    const app = await start();

    const enqueued = clock.now();
    await app.deliver({ id: "delivery-broken", name: "pull_request", payload: payload as never });
    await settleAfter(() => github.requestsTo(GRAPHQL_OPERATION).length >= 1);
    await waitFor("the dead letter's review", () => github.requestsTo("pulls/create-review").length >= 1, Number.POSITIVE_INFINITY);
    await adapter.settle(app.jobs, clock);
    github.assertDone();
    // The retries' backoff, then a dead letter's wait before it is called again (a minute).
    if (adapter.name === "embedded") expect(clock.elapsedSince(enqueued)).toBeGreaterThanOrEqual(6_000 + 60_000);

    // While GitHub failed, the pull request showed why: the check run, created once, completed with the reason.
    expect(creations()).toHaveLength(1);
    const [failed] = creations();
    expect(failed).toMatchObject({ head_sha: HEAD_A, status: "completed", conclusion: "failure", output: { title: "Review failed" } });
    expect(failed?.output?.summary).toContain("GitHub answered HTTP 502 while reading the pull request");
    expect(failed?.output?.summary).toContain("gave up after 3 attempts");
    // The same check run then carries the review's own verdict.
    expect(github.requestsTo("checks/update").map((r) => r.path)).toEqual([`${repo}/check-runs/7`]);
    const [reviewed] = updates();
    expect(reviewed).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(reviewed?.output?.title).not.toBe("Review failed");
    expect(github.requestsTo("pulls/create-review")).toHaveLength(1);
    await waitFor("the job counted dead", async () => (await app.jobs.counts()).dead === 1);
  });
});
