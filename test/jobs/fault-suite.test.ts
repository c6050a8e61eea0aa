import { afterEach, describe, expect, it } from "vitest";
import { ambiguousCount, counts, FaultHarness, listedReview, settle } from "../helpers/fault-harness.js";
import { FakeGitHub, secondaryRateLimitUntil } from "../helpers/fake-github.js";
import { captureLogs } from "../helpers/probot.js";
import {
  checkCompletion,
  checkRunReply,
  expectMigrationReview,
  pullRequestEvent,
  repoPath,
  reviewAccepted,
  type PullRequestPayload,
} from "../helpers/pull-request-scenario.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

/** The fault suite (issue 19): see test/helpers/fault-harness.ts for what is counted and how. */

const UP = { path: "db/migrations/20260101000000_add_index.up.sql", text: "CREATE INDEX orders_created_at ON orders (created_at);\n" };
const DOWN = { path: "db/migrations/20260101000000_add_index.down.sql", text: "DROP INDEX orders_created_at;\n" };

let github: FakeGitHub | undefined;
const harness = new FaultHarness();
const start = harness.start.bind(harness);

afterEach(async () => {
  await harness.teardown();
  github?.stop();
  github = undefined;
});

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
    // The check run is created completed, once (issue 19 item 5).
    expect(checkCompletion(fake)).toMatchObject({ status: "completed", conclusion: "failure" }); // the index on an existing table is an error (issue 17 tiers)
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
    const until = clock.now() + ms;
    fake.refuseWhile("POST", `${repo}/check-runs`, () => clock.now() < until, secondaryRateLimitUntil(clock, until));
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(fake)] });
    // The job creates its check run once, completed, at its end (issue 19 item 5): refused, the
    // job runs again when the limit lifts (the review it posted is recognised by its markers).
    // Its later runs first look for a run an earlier one may have stored: GitHub stored none.
    fake.on("GET", `${repo}/commits/${payload.pull_request.head.sha}/check-runs`, { status: 200, body: { total_count: 0, check_runs: [] } }, 1);
    const logs = captureLogs("info");
    const { app, queue } = await start(clock, logs.log);
    const started = clock.now();

    await app.deliver({ id: "rate-limited-check-run", name: "pull_request", payload: payload as never });
    await settle(queue, clock, logs);

    fake.assertDone();
    expect(counts(fake)).toEqual({ lost: 0, duplicated: 0, stuck: 0 });
    // Refused on the job's first run, then created once the limit lifted.
    expect(fake.faultsAnswered().refused).toBeGreaterThanOrEqual(1);
    expect(clock.elapsedSince(started)).toBeGreaterThanOrEqual(ms);
    expect(checkCompletion(fake)).toMatchObject({ status: "completed", conclusion: "failure" }); // the index on an existing table is an error (issue 17 tiers)
    expect((await queue.counts()).dead).toBe(0);
  });
});
