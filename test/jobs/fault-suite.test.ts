import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { createEmbeddedQueue, type EmbeddedJobQueue } from "../../src/jobs/embedded-queue.js";
import { metrics } from "../../src/ops/metrics.js";
import { FakeGitHub, secondaryRateLimitUntil, type RecordedRequest } from "../helpers/fake-github.js";
import { captureLogs, createTestProbot, type TestProbot } from "../helpers/probot.js";
import { checkRunReply, expectMigrationReview, pullRequestEvent, repoPath, reviewAccepted, type PullRequestPayload } from "../helpers/pull-request-scenario.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { waitFor } from "./queue-contract.js";

type TestProbotLog = ReturnType<typeof captureLogs>["log"];

/**
 * The fault suite (issue 19): the app on its embedded queue against the fake GitHub with faults
 * injected per request, counting what GitHub ends up holding. Per scenario: lost (no review
 * where one is due), duplicated (more than one review or check run for the head), stuck (a check
 * run of ours left in progress). Octokit's retry plugin is ON here, as in production: it resends
 * any 5xx unless told not to, which is what posted reviews twice. Its pauses are zero, and the
 * queue runs on a virtual clock, so nothing waits for real time.
 */

const UP = { path: "db/migrations/20260101000000_add_index.up.sql", text: "CREATE INDEX orders_created_at ON orders (created_at);\n" };
const DOWN = { path: "db/migrations/20260101000000_add_index.down.sql", text: "DROP INDEX orders_created_at;\n" };

/** Probot's Octokit with its retry plugin on (no pause between its attempts) and throttling off. */
const RetryingOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { retryAfterBaseValue: 0 },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

let github: FakeGitHub | undefined;
let probot: TestProbot | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await probot?.jobs.stop(1000);
  await probot?.jobs.close();
  probot = undefined;
  github?.stop();
  github = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Counts {
  lost: number;
  duplicated: number;
  stuck: number;
}

/** What GitHub holds for the head after the jobs settled: every POST the fake took (not refused) was stored. */
function counts(fake: FakeGitHub): Counts {
  const stored = (operation: string) => fake.requestsTo(operation).filter((r) => !r.refused);
  const reviews = stored("pulls/create-review").length;
  const created = stored("checks/create").length;
  const completed = new Set(
    fake
      .requestsTo("checks/update")
      .filter((r) => (r.body as { status?: string }).status === "completed")
      .map((r) => r.path.split("/").pop()),
  );
  // The fake gives every created run id 7: a run is stuck when none of its completions came.
  const stuck = created === 0 ? 0 : Math.max(0, Math.min(created, 1) - completed.size) + Math.max(0, created - 1);
  return { lost: reviews === 0 ? 1 : 0, duplicated: Math.max(0, reviews - 1) + Math.max(0, created - 1), stuck };
}

/** GitHub's review as the list endpoint gives it, from what the app posted. */
function listedReview(fake: FakeGitHub, posted: RecordedRequest, id: number): Record<string, unknown> {
  const example = fake.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200) as Array<Record<string, unknown>>;
  const first = example[0] ?? {};
  const body = posted.body as { body?: string; commit_id?: string };
  return { ...first, id, body: body.body ?? "", commit_id: body.commit_id, user: { ...(first.user as object), login: "data-engineer[bot]", type: "Bot" } };
}

async function start(clock: VirtualClock, log: TestProbotLog): Promise<{ app: TestProbot; queue: EmbeddedJobQueue }> {
  const dataDir = mkdtempSync(join(tmpdir(), "de-faults-"));
  dirs.push(dataDir);
  const queue = createEmbeddedQueue({ dataDir, clock, settings: { maxAttempts: 5 } });
  probot = await createTestProbot({ jobs: queue, Octokit: RetryingOctokit, log });
  return { app: probot, queue };
}

/**
 * Waits for the webhook handler to hand its job over (it logs "review queued" after releasing the
 * job's hold, whatever became of its check run), then lets the queue's clock jump to each retry and
 * waits until every job and hook has settled. Before the handover the clock stays still: a free
 * clock would end the job's hold while the handler is still creating the check run.
 */
async function settle(queue: EmbeddedJobQueue, clock: VirtualClock, logs: ReturnType<typeof captureLogs>): Promise<void> {
  await waitFor("the handler to release the job", () => logs.records.some((r) => r.msg === "review queued"), Number.POSITIVE_INFINITY);
  clock.runFreely();
  await queue.whenIdle();
}

async function ambiguousCount(decision: string): Promise<number> {
  const text = (await metrics.render()).body;
  const line = text.split("\n").find((l) => l.startsWith(`data_engineer_github_ambiguous_writes_total{decision="${decision}"}`));
  return line ? Number(line.split(" ").pop()) : 0;
}

function opened(): PullRequestPayload {
  return pullRequestEvent("opened");
}

describe("fault suite: writes whose answer is lost", () => {
  it("a review GitHub stores but answers 502 is adopted, not posted again", async () => {
    const fake = (github = new FakeGitHub());
    const clock = new VirtualClock();
    const payload = opened();
    const repo = repoPath(payload);
    const number = payload.pull_request.number;
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(fake)] });
    fake.loseAnswer("POST", `${repo}/pulls/${number}/reviews`);
    // The read-back finds the review the lost answer stored.
    fake.on("GET", `${repo}/pulls/${number}/reviews`, () => ({
      status: 200,
      body: fake.requestsTo("pulls/create-review").map((posted) => listedReview(fake, posted, 555)),
    }));
    const logs = captureLogs("info");
    const adoptedBefore = await ambiguousCount("adopted");
    const { app, queue } = await start(clock, logs.log);

    await app.deliver({ id: "lost-review-answer", name: "pull_request", payload: payload as never });
    await settle(queue, clock, logs);

    fake.assertDone();
    expect(fake.faultsAnswered().lostAnswers).toBe(1);
    expect(counts(fake)).toEqual({ lost: 0, duplicated: 0, stuck: 0 });
    expect(fake.requestsTo("checks/update").at(-1)?.body).toMatchObject({ status: "completed", conclusion: "failure" }); // the index on an existing table is an error (issue 17 tiers)
    expect(await ambiguousCount("adopted")).toBe(adoptedBefore + 1);
    const record = logs.records.find((r) => r.msg === "ambiguous GitHub write");
    expect(record).toMatchObject({ deliveryId: "lost-review-answer", cause: "server_error", decision: "adopted", doing: "posting the review" });
  });

  it("a check run GitHub stores but answers 502 is adopted: one check run, completed", async () => {
    const fake = (github = new FakeGitHub());
    const clock = new VirtualClock();
    const payload = opened();
    const repo = repoPath(payload);
    const head = payload.pull_request.head.sha;
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(fake)] });
    fake.loseAnswer("POST", `${repo}/check-runs`);
    fake.on("GET", `${repo}/commits/${head}/check-runs`, () => ({
      status: 200,
      body: {
        total_count: 1,
        check_runs: fake.requestsTo("checks/create").map((r) => checkRunReply(fake, 200, 7, r.body as Record<string, unknown>).body),
      },
    }));
    const logs = captureLogs("info");
    const { app, queue } = await start(clock, logs.log);

    await app.deliver({ id: "lost-check-run-answer", name: "pull_request", payload: payload as never });
    await settle(queue, clock, logs);

    fake.assertDone();
    expect(fake.faultsAnswered().lostAnswers).toBe(1);
    expect(counts(fake)).toEqual({ lost: 0, duplicated: 0, stuck: 0 });
    expect(logs.records.find((r) => r.msg === "ambiguous GitHub write")).toMatchObject({
      deliveryId: "lost-check-run-answer",
      decision: "adopted",
      doing: "creating the check run",
    });
  });
});

describe("fault suite: a secondary rate limit on check-run creation", () => {
  it.each([
    { limit: "40 s", ms: 40_000 },
    { limit: "5 minutes", ms: 5 * 60_000 },
  ])("for $limit: the check run and the review come once it lifts, each once", async ({ ms }) => {
    const fake = (github = new FakeGitHub());
    const clock = new VirtualClock();
    const payload = opened();
    const repo = repoPath(payload);
    const head = payload.pull_request.head.sha;
    const until = clock.now() + ms;
    fake.refuseWhile("POST", `${repo}/check-runs`, () => clock.now() < until, secondaryRateLimitUntil(clock, until));
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(fake)] });
    // The handler's creation is refused (the job creates it); the job looks for one an earlier
    // attempt left in progress before each creation: on its refused run and on the one after the limit.
    fake.on("GET", `${repo}/commits/${head}/check-runs`, { status: 200, body: { total_count: 0, check_runs: [] } }, 2);
    const logs = captureLogs("info");
    const { app, queue } = await start(clock, logs.log);
    const started = clock.now();

    await app.deliver({ id: "rate-limited-check-run", name: "pull_request", payload: payload as never });
    await settle(queue, clock, logs);

    fake.assertDone();
    expect(counts(fake)).toEqual({ lost: 0, duplicated: 0, stuck: 0 });
    // Refused twice (the handler, the job's first run), then created once the limit lifted.
    expect(fake.faultsAnswered().refused).toBe(2);
    expect(clock.elapsedSince(started)).toBeGreaterThanOrEqual(ms);
    expect(fake.requestsTo("checks/update").at(-1)?.body).toMatchObject({ status: "completed", conclusion: "failure" }); // the index on an existing table is an error (issue 17 tiers)
    expect((await queue.counts()).dead).toBe(0);
  });
});
