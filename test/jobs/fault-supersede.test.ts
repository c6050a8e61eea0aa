import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type pino from "pino";
import { Probot, type ProbotOctokit } from "probot";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDataEngineerApp } from "../../src/app.js";
import { createBullmqQueue } from "../../src/jobs/bullmq-queue.js";
import { createEmbeddedQueue } from "../../src/jobs/embedded-queue.js";
import { Intake } from "../../src/jobs/job-sink.js";
import type { JobQueue, QueueSettings } from "../../src/jobs/queue.js";
import { shutdown } from "../../src/server.js";
import { RetryingOctokit } from "../helpers/fault-harness.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { captureLogs, privateKey } from "../helpers/probot.js";
import {
  checkRunReply,
  expectMigrationReview,
  expectRepoConfig,
  fakePullRequest,
  fileEntries,
  pullRequestEvent,
  repoPath,
  reviewAccepted,
  type PullRequestPayload,
} from "../helpers/pull-request-scenario.js";
import { testRedisUrl } from "../helpers/redis.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { INSTALLATION_ID } from "../helpers/webhooks.js";
import { waitFor } from "./queue-contract.js";

/**
 * Issue 19, items 4 and 6: rapid pushes supersede all the way down, and a shutdown loses nothing.
 * Counted as in the fault suite (test/helpers/fault-harness.ts): lost (no review of the newest
 * head), duplicated (two reviews of it, or two check runs of one head), stuck (a check run of ours
 * never completed); and here also reviews posted on an outdated commit.
 */

const UP = { path: "db/migrations/20260101000000_add_index.up.sql", text: "CREATE INDEX orders_created_at ON orders (created_at);\n" };
const DOWN = { path: "db/migrations/20260101000000_add_index.down.sql", text: "DROP INDEX orders_created_at;\n" };
const HEADS = ["1", "2", "3", "4", "5"].map((n) => n.repeat(40));

/**
 * Probot's throttling of writes, on the virtual clock: one write a second per installation (its
 * Bottleneck group "octokit-write", minTime 1000), each waiting for its turn. Token requests are
 * not writes to it. A replica has its own (Probot keeps it in memory).
 */
class WriteSpacing {
  private next = 0;
  private readonly waiting: Array<{ what: string; at: number }> = [];

  constructor(private readonly clock: VirtualClock) {}

  async turn(what: string): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000;
    if (at <= now) return;
    const entry = { what, at };
    this.waiting.push(entry);
    await this.clock.sleep(at - now);
    this.waiting.splice(this.waiting.indexOf(entry), 1);
  }

  isWaiting(pattern: RegExp): boolean {
    return this.waiting.some((entry) => pattern.test(entry.what));
  }

  /** When the next waiting write gets its turn. */
  nextTurn(): number | undefined {
    return this.waiting.length === 0 ? undefined : Math.min(...this.waiting.map((entry) => entry.at));
  }

  octokit(): typeof ProbotOctokit {
    return RetryingOctokit.plugin((octokit) => {
      octokit.hook.wrap("request", async (request, options) => {
        if (options.method !== "GET" && !String(options.url).includes("/access_tokens")) await this.turn(`${options.method} ${String(options.url)}`);
        return request(options);
      });
      return {};
    });
  }
}

/** The pushes: one pull request, a new head every 500 ms by GitHub's clock. */
function pushes(): PullRequestPayload[] {
  return HEADS.map((sha, i) => {
    const payload = pullRequestEvent(i === 0 ? "opened" : "synchronize");
    payload.pull_request.head.sha = sha;
    (payload.pull_request as { updated_at?: string }).updated_at = new Date(Date.UTC(2026, 0, 1) + i * 500).toISOString();
    return payload;
  });
}

/** GitHub for the pushes: check runs numbered from 101, and a whole review of whichever heads get to run. */
function serve(fake: FakeGitHub, events: PullRequestPayload[]): void {
  const repo = repoPath(events[0] as PullRequestPayload);
  let nextId = 101;
  const token = fake.example("POST", "/app/installations/{installation_id}/access_tokens", 201) as Record<string, unknown>;
  fake.on("POST", `/app/installations/${INSTALLATION_ID}/access_tokens`, { status: 201, body: { ...token, token: "ghs_test-installation-token" } }, 20);
  fake.on("POST", `${repo}/check-runs`, (req) => checkRunReply(fake, 201, nextId++, req.body as Record<string, unknown>), 20);
  fake.on(
    "PATCH",
    new RegExp(`^${repo}/check-runs/\\d+$`),
    (req) => checkRunReply(fake, 200, Number(req.path.split("/").pop()), req.body as Record<string, unknown>),
    40,
  );
  for (const event of events) expectMigrationReview(fake, event, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(fake)] });
}

interface Outcome {
  lost: number;
  duplicated: number;
  stuck: number;
  outdated: number;
}

/**
 * A review job creates its check run once, at its end, completed with the result (issue 19 item
 * 5); a run created in progress counts as completed only once an update completes it.
 */
function completedRuns(fake: FakeGitHub): Set<string | undefined> {
  const created = fake.requestsTo("checks/create");
  const completed = new Set(
    fake
      .requestsTo("checks/update")
      .filter((r) => (r.body as { status?: string }).status === "completed")
      .map((r) => r.path.split("/").pop()),
  );
  created.forEach((r, i) => {
    if ((r.body as { status?: string }).status === "completed") completed.add(String(101 + i));
  });
  return completed;
}

function outcome(fake: FakeGitHub, newest: string): Outcome {
  const reviews = fake.requestsTo("pulls/create-review").map((r) => (r.body as { commit_id?: string }).commit_id);
  const created = fake.requestsTo("checks/create").map((r) => (r.body as { head_sha: string }).head_sha);
  const ids = created.map((_, i) => String(101 + i));
  const completed = completedRuns(fake);
  const newestReviews = reviews.filter((sha) => sha === newest).length;
  return {
    // The newest head needs its review and its check run (a required check waits for it).
    lost: newestReviews === 0 || !created.includes(newest) ? 1 : 0,
    duplicated: Math.max(0, newestReviews - 1) + (created.length - new Set(created).size),
    stuck: ids.filter((id) => !completed.has(id)).length,
    outdated: reviews.length - newestReviews,
  };
}

/**
 * Whether the newest head's job is done (it creates its check run at its end, after its review)
 * and no check run of ours is left in progress. Whether that review was posted is the outcome's
 * to say (lost), not the wait's: a lost review fails the test with its counts, not a timeout.
 */
function settledFor(fake: FakeGitHub, count: number): boolean {
  const newest = HEADS[count - 1] as string;
  const created = fake.requestsTo("checks/create").map((r) => (r.body as { head_sha: string }).head_sha);
  return created.includes(newest) && outcome(fake, newest).stuck === 0;
}

interface Replica {
  app: Probot;
  jobs: JobQueue;
  intake: Intake;
}

const redisUrl = await testRedisUrl();
/** Every key of this file's queues starts with it: other test files may share the Redis. */
const PREFIX = `de-supersede-${process.pid}-${randomUUID().slice(0, 8)}`;
afterAll(async () => {
  if (redisUrl === undefined) return;
  const redis = new Redis(redisUrl);
  for (const key of await redis.keys(`${PREFIX}:*`)) await redis.del(key);
  await redis.quit();
});

const started: Replica[] = [];
const dirs: string[] = [];
let github: FakeGitHub | undefined;

/** The app as the server runs it (its handlers, its job worker), on `jobs`. */
async function startReplica(jobs: JobQueue, Octokit: typeof ProbotOctokit, log: pino.Logger): Promise<Replica> {
  const app = new Probot({ appId: 123, privateKey, secret: "test-webhook-secret", Octokit, log });
  const intake = new Intake();
  await app.load(createDataEngineerApp({ agent: "off", jobs, intake }), { cwd: process.cwd(), addHandler: () => undefined });
  const replica = { app, jobs, intake };
  started.push(replica);
  return replica;
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "de-supersede-"));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const { jobs } of started.splice(0)) {
    await jobs.stop(100).catch(() => undefined);
    await jobs.close().catch(() => undefined);
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  github?.stop();
  github = undefined;
});

/**
 * Delivers the pushes 500 ms apart, the first one's review waiting for its write turn when the
 * second comes. GitHub moves the pull request's head before it sends each event. The first review
 * reads by GraphQL first (POST /graphql, a write to Probot's throttle too), so the clock is moved
 * to each of those turns until the review itself waits for its own.
 */
async function pushRapidly(fake: FakeGitHub, events: PullRequestPayload[], replicas: Replica[], spacings: WriteSpacing[], clock: VirtualClock): Promise<void> {
  for (const [i, event] of events.entries()) {
    if (i > 0) clock.advance(500);
    fakePullRequest(fake, event).headSha = event.pull_request.head.sha;
    const replica = replicas[i % replicas.length] as Replica;
    await replica.app.receive({ id: `push-${i + 1}-${randomUUID()}`, name: "pull_request", payload: event as never });
    if (i === 0) await driveWrites(clock, spacings, () => spacings.some((s) => s.isWaiting(/\/reviews$/)), "the first review to wait for its write turn");
  }
}

/** Moves the clock to each write's turn, only that far, until `done`. */
async function driveWrites(
  clock: VirtualClock,
  spacings: WriteSpacing[],
  done: () => boolean,
  what = "every check run completed and the newest head reviewed",
): Promise<void> {
  await waitFor(
    what,
    () => {
      if (done()) return true;
      const turns = spacings.map((s) => s.nextTurn()).filter((at): at is number => at !== undefined);
      if (turns.length > 0) clock.advance(Math.max(0, Math.min(...turns) - clock.now()));
      return false;
    },
    60_000,
  );
}

describe("fault suite: 5 pushes 500 ms apart", { timeout: 120_000 }, () => {
  it("on one replica (embedded store): only the newest head is reviewed, every check run completed", async () => {
    const fake = (github = new FakeGitHub());
    const clock = new VirtualClock();
    const spacing = new WriteSpacing(clock);
    const events = pushes();
    serve(fake, events);
    const queue = createEmbeddedQueue({ dataDir: dataDir(), clock, settings: { maxAttempts: 5 } });
    const logs = captureLogs("info");
    const replica = await startReplica(queue, spacing.octokit(), logs.log);

    await pushRapidly(fake, events, [replica], [spacing], clock);
    await driveWrites(clock, [spacing], () => settledFor(fake, events.length));
    await queue.whenIdle();

    expect(fake.problems).toEqual([]);
    expect(outcome(fake, HEADS[4] as string)).toEqual({ lost: 0, duplicated: 0, stuck: 0, outdated: 0 });
    // A job creates its check run at its end, completed (issue 19 item 5): the superseded jobs
    // never got there, so only the newest head has one (nothing written on an outdated head).
    expect(fake.requestsTo("checks/create").map((r) => r.body)).toEqual([
      expect.objectContaining({ head_sha: HEADS[4], status: "completed", conclusion: "failure" }),
    ]);
    // The first review was built and sent to the write queue, and cancelled there.
    const review = fake.requestsTo("pulls/create-review")[0]?.body as { commit_id: string; comments: unknown[] };
    expect(review.commit_id).toBe(HEADS[4]);
    // Nothing of the superseded review counts as posted: the newest one says everything.
    expect(review.comments.length).toBeGreaterThan(0);
    expect((await queue.counts()).superseded).toBe(4);
  });

  it.skipIf(redisUrl === undefined)("across two replicas on Redis (BullMQ): only the newest head is reviewed, every check run completed", async () => {
    const fake = (github = new FakeGitHub());
    const clock = new VirtualClock();
    const events = pushes();
    serve(fake, events);
    const queueName = `q-${randomUUID().slice(0, 8)}`;
    const spacings = [new WriteSpacing(clock), new WriteSpacing(clock)];
    const replicas: Replica[] = [];
    for (const spacing of spacings) {
      const jobs = createBullmqQueue({ url: redisUrl as string, queueName, prefix: PREFIX, settings: { maxAttempts: 5 } });
      replicas.push(await startReplica(jobs, spacing.octokit(), captureLogs("info").log));
    }

    await pushRapidly(fake, events, replicas, spacings, clock);
    await driveWrites(clock, spacings, () => settledFor(fake, events.length));

    expect(fake.problems).toEqual([]);
    expect(outcome(fake, HEADS[4] as string)).toEqual({ lost: 0, duplicated: 0, stuck: 0, outdated: 0 });
    // A job creates its check run at its end, completed (issue 19 item 5): the superseded jobs
    // never got there, so only the newest head has one (nothing written on an outdated head).
    expect(fake.requestsTo("checks/create").map((r) => r.body)).toEqual([
      expect.objectContaining({ head_sha: HEADS[4], status: "completed", conclusion: "failure" }),
    ]);
    const review = fake.requestsTo("pulls/create-review")[0]?.body as { commit_id: string; comments: unknown[] };
    expect(review.comments.length).toBeGreaterThan(0);
    // Both replicas record the heads in one place: the newest one for the pull request.
    const key = `${INSTALLATION_ID}:pr:${(events[0] as unknown as { repository: { id: number } }).repository.id}#${events[0]?.pull_request.number}`;
    expect(await (replicas[0] as Replica).jobs.heads.latest(key)).toBe(HEADS[4]);
  });
});

describe("fault suite: shutdown", { timeout: 120_000 }, () => {
  const settings: Partial<QueueSettings> = { maxAttempts: 1 };

  /** A pull request whose first file listing GitHub does not answer until `answer()`. */
  function hangingReview(fake: FakeGitHub, payload: PullRequestPayload): () => void {
    let answer!: () => void;
    const hanging = new Promise<void>((resolve) => (answer = resolve));
    const listing = `${repoPath(payload)}/pulls/${payload.pull_request.number}/files`;
    fake.on("GET", listing, { status: 200, body: fileEntries(fake, [UP.path]), wait: hanging });
    return answer;
  }

  it("a webhook that comes while running jobs get their grace period is stored, and reviewed after the restart", async () => {
    const fake = (github = new FakeGitHub());
    const running = pullRequestEvent("opened");
    const arriving = pullRequestEvent("opened");
    arriving.number = arriving.pull_request.number = running.pull_request.number + 1;
    let answer!: () => void;
    const hanging = new Promise<void>((resolve) => (answer = resolve));
    // The running review's POST waits for GitHub's answer until the test gives it.
    const accepted = reviewAccepted(fake);
    expectMigrationReview(fake, running, { changed: [UP], beside: [DOWN], reviews: [(body) => ({ ...accepted(body), wait: hanging })] });
    expectMigrationReview(fake, arriving, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(fake)], viaProbot: false, rest: false });
    const dir = dataDir();
    const logs = captureLogs("info");
    const first = await startReplica(createEmbeddedQueue({ dataDir: dir, settings }), RetryingOctokit, logs.log);
    await first.app.receive({ id: "running", name: "pull_request", payload: running as never });
    await waitFor("the running review to wait for GitHub", () => fake.requestsTo("pulls/create-review").length === 1);

    const stopping = shutdown({ probot: { stop: () => Promise.resolve() }, jobs: first.jobs, intake: first.intake, log: logs.log, graceMs: 60_000 });
    // Before: refused with 500 (GitHub does not redeliver by itself). Now stored, its check run created.
    await first.app.receive({ id: "arriving", name: "pull_request", payload: arriving as never });
    await waitFor("the arriving review's check run", () => logs.records.some((r) => r.msg === "review queued" && r.deliveryId === "arriving"));
    answer();
    expect(await stopping).toEqual({ finished: 1, requeued: 0 });
    // Once the store closes the process is going away: refusing makes GitHub list the delivery as failed.
    await expect(first.app.receive({ id: "after-stop", name: "pull_request", payload: arriving as never })).rejects.toThrow(/not taking webhooks/);
    expect(fake.requestsTo("pulls/create-review")).toHaveLength(1);

    // The restarted process asks for a new installation token.
    fake.installationToken(INSTALLATION_ID);
    const restarted = createEmbeddedQueue({ dataDir: dir, settings });
    await startReplica(restarted, RetryingOctokit, logs.log);
    await restarted.whenIdle();

    fake.assertDone();
    const reviewed = fake.requestsTo("pulls/create-review").map((r) => r.path);
    expect(reviewed).toEqual([
      `${repoPath(running)}/pulls/${running.pull_request.number}/reviews`,
      `${repoPath(arriving)}/pulls/${arriving.pull_request.number}/reviews`,
    ]);
    // Each review job creates its check run once, completed (issue 19 item 5).
    expect(fake.requestsTo("checks/create").map((r) => (r.body as { status?: string }).status)).toEqual(["completed", "completed"]);
  });

  it("a job stopped while GitHub hangs goes back to the queue without spending an attempt", async () => {
    const fake = (github = new FakeGitHub());
    const payload = pullRequestEvent("opened");
    const answer = hangingReview(fake, payload);
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(fake)] });
    // The run after the restart reads the configuration again.
    expectRepoConfig(fake, payload);
    const dir = dataDir();
    const logs = captureLogs("info");
    const first = await startReplica(createEmbeddedQueue({ dataDir: dir, settings }), RetryingOctokit, logs.log);
    await first.app.receive({ id: "hangs", name: "pull_request", payload: payload as never });
    await waitFor("the review to wait for GitHub", () => fake.requestsTo("pulls/list-files").length === 1);

    const report = await shutdown({ probot: { stop: () => Promise.resolve() }, jobs: first.jobs, intake: first.intake, log: logs.log, graceMs: 10 });
    answer();
    expect(report).toEqual({ finished: 0, requeued: 1 });

    // One attempt allowed: had the stopped run counted, the restart would dead-letter the job.
    // The restarted process asks for a new installation token.
    fake.installationToken(INSTALLATION_ID);
    const restarted = createEmbeddedQueue({ dataDir: dir, settings });
    await startReplica(restarted, RetryingOctokit, logs.log);
    await restarted.whenIdle();

    fake.assertDone();
    expect(await restarted.counts()).toMatchObject({ done: 1, dead: 0 });
    expect(fake.requestsTo("pulls/create-review")).toHaveLength(1);
    expect(logs.records.find((r) => r.msg === "check run completed")).toMatchObject({ jobId: "hangs", attempt: 1 });
  });
});
