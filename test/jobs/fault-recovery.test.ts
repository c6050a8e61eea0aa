import { afterEach, describe, expect, it } from "vitest";
import { metrics } from "../../src/ops/metrics.js";
import { counts, FaultHarness, listedReview } from "../helpers/fault-harness.js";
import { BAD_GATEWAY, FakeGitHub, type FakeReply } from "../helpers/fake-github.js";
import { captureLogs } from "../helpers/probot.js";
import { checkRunReply, expectMigrationReview, pullRequestEvent, repoPath, reviewAccepted } from "../helpers/pull-request-scenario.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { INSTALLATION_ID, webhookExample } from "../helpers/webhooks.js";
import { waitFor } from "./queue-contract.js";

/**
 * The fault suite's recovery scenarios (issue 19, item 3): GitHub down longer than a job's
 * retries, a process killed between a review without inline comments and its check run's
 * creation, an installation GitHub says is gone. Same harness and counts as fault-suite.test.ts
 * (lost: no review where one is due; duplicated: a second review or check run; stuck: a check run
 * of ours left in progress, or none at all); the queue's clock is virtual, so five minutes pass at once.
 */

const UP = { path: "db/migrations/20260101000000_add_index.up.sql", text: "CREATE INDEX orders_created_at ON orders (created_at);\n" };
const DOWN = { path: "db/migrations/20260101000000_add_index.down.sql", text: "DROP INDEX orders_created_at;\n" };

let github: FakeGitHub | undefined;
const harness = new FaultHarness();

afterEach(async () => {
  await harness.teardown();
  github?.stop();
  github = undefined;
});

/** A counter's value in the process metrics (0 when the series does not exist yet). */
async function metric(name: string, label: string): Promise<number> {
  const line = (await metrics.render()).body.split("\n").find((l) => l.startsWith(`data_engineer_${name}{${label}}`));
  return line ? Number(line.split(" ").pop()) : 0;
}

/** GitHub's documented 404 for the token of an installation that no longer exists. */
const INSTALLATION_GONE: FakeReply = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };

describe("fault suite: recovery without a restart", () => {
  it("a 5-minute 502 outage: every job's review is posted and its check completed once GitHub answers, each once", async () => {
    const fake = (github = new FakeGitHub());
    const clock = new VirtualClock();
    const payload = pullRequestEvent("opened");
    const repo = repoPath(payload);
    const head = payload.pull_request.head.sha;
    const until = clock.now() + 5 * 60_000;
    // Everything GitHub serves answers 502 for five minutes, the installation token included.
    for (const method of ["GET", "POST", "PATCH"] as const)
      fake.refuseWhile(
        method,
        /.*/,
        () => clock.now() < until,
        () => BAD_GATEWAY,
      );
    // The dead letter looks for a check run of ours on the head (any status) before it reviews.
    fake.on("GET", `${repo}/commits/${head}/check-runs`, { status: 200, body: { total_count: 0, check_runs: [] } });
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(fake)] });
    const logs = captureLogs("info");
    const reviewedBefore = await metric("dead_letter_calls_total", 'outcome="reviewed"');
    const serverErrorsBefore = await metric("job_retries_total", 'cause="server_error"');
    const { app, queue } = await harness.start(clock, logs.log);
    const started = clock.now();

    await app.deliver({ id: "outage", name: "pull_request", payload: payload as never });
    await waitFor("the handler to release the job", () => logs.records.some((r) => r.msg === "review queued"), Number.POSITIVE_INFINITY);
    clock.runFreely();
    // The job's five runs fail within a minute and it is dead-lettered; its dead letter is called
    // again every minute (no restart) until GitHub answers.
    await waitFor("the review's check run", () => fake.requestsTo("checks/create").some((r) => !r.refused), Number.POSITIVE_INFINITY);
    await queue.whenIdle();

    fake.assertDone();
    expect(counts(fake)).toEqual({ lost: 0, duplicated: 0, stuck: 0 });
    expect(clock.elapsedSince(started)).toBeGreaterThanOrEqual(5 * 60_000);
    expect(fake.faultsAnswered().refused).toBeGreaterThan(5);
    // The one check run GitHub stored was created completed, with the review's verdict (the index
    // on an existing table is an error); the failure reports tried during the outage stored nothing.
    const stored = fake
      .requestsTo("checks/create")
      .filter((r) => !r.refused)
      .map((r) => r.body as { status?: string; conclusion?: string; output?: { title?: string } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(stored[0]?.output?.title).not.toBe("Review failed");
    expect(fake.requestsTo("checks/update")).toEqual([]);
    const counted = await queue.counts();
    expect(counted.dead).toBe(1);
    expect(counted.queued + counted.running).toBe(0);
    // Logged with the delivery, the cause and the decision; counted.
    expect(logs.records.find((r) => r.msg === "job attempt failed")).toMatchObject({
      deliveryId: "outage",
      cause: "server_error",
      decision: "retried by the queue",
    });
    expect(logs.records.find((r) => r.msg === "dead letter not settled yet")).toMatchObject({
      deliveryId: "outage",
      decision: "GitHub still failing: called again later",
    });
    expect(logs.records.find((r) => r.msg === "dead letter settled")).toMatchObject({
      deliveryId: "outage",
      decision: "reviewed once more; check run completed",
    });
    expect(await metric("dead_letter_calls_total", 'outcome="reviewed"')).toBe(reviewedBefore + 1);
    expect(await metric("job_retries_total", 'cause="server_error"')).toBe(serverErrorsBefore + 4);
  });

  it("killed between a review without inline comments and its check run's creation: the rerun creates the check and posts nothing again", async () => {
    const fake = (github = new FakeGitHub());
    const clock = new VirtualClock();
    const payload = pullRequestEvent("opened");
    const repo = repoPath(payload);
    // No inline comments: the finding is listed in the review body only.
    const config = "maxInlineComments: 0\n";
    const stored = () => fake.requestsTo("pulls/create-review").map((posted) => listedReview(fake, posted, 555));
    // The check run's creation (once, completed, after the review: issue 19 item 5) is in flight
    // when the process is killed: GitHub never gets it (and the killed process never hears back:
    // its request is not answered, so nothing of it resends it).
    const killed = new Promise<void>(() => undefined);
    fake.holdAnswer("POST", `${repo}/check-runs`, killed);
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], config, reviews: [reviewAccepted(fake)], postedReviews: stored });
    // The restarted process: a new token, the same reads, no review posted; it creates the check
    // run the first scenario expects (the killed process's creation never reached GitHub).
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], config, postedReviews: stored, checkRun: false });
    // The rerun looks for a check run the killed attempt may have stored: there is none.
    fake.on("GET", `${repo}/commits/${payload.pull_request.head.sha}/check-runs`, { status: 200, body: { total_count: 0, check_runs: [] } });
    const logs = captureLogs("info");
    const avoidedBefore = await metric("duplicates_avoided_total", 'what="review_rerun"');
    const first = await harness.start(clock, logs.log);

    await first.app.deliver({ id: "killed-after-review", name: "pull_request", payload: payload as never });
    await waitFor("the check run's creation in flight", () => fake.faultsAnswered().held === 1, Number.POSITIVE_INFINITY);
    const posted = fake.requestsTo("pulls/create-review");
    expect(posted).toHaveLength(1);
    expect((posted[0]?.body as { comments?: unknown[] }).comments ?? []).toEqual([]);
    expect(
      String((posted[0]?.body as { body: string }).body)
        .split("\n")
        .at(-1),
    ).toMatch(/^<!-- data-engineer:review-findings=[0-9a-f]{64}(,[0-9a-f]{64})* --><!-- data-engineer:seal=[0-9a-f]{32} -->$/);
    await harness.kill(first.app);
    // The pull request has its review but no check run: a required check would hold it forever.
    expect(fake.requestsTo("checks/create").filter((r) => !r.refused)).toEqual([]);
    expect(counts(fake).stuck).toBe(1);

    const second = await harness.start(clock, logs.log, first.dataDir);
    clock.runFreely();
    await waitFor("the rerun's check run", () => fake.requestsTo("checks/create").some((r) => !r.refused), Number.POSITIVE_INFINITY);
    await second.queue.whenIdle();

    fake.assertDone();
    expect(counts(fake)).toEqual({ lost: 0, duplicated: 0, stuck: 0 });
    // One check run, created completed with the review's verdict; one review.
    expect(
      fake
        .requestsTo("checks/create")
        .filter((r) => !r.refused)
        .map((r) => r.body),
    ).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure" })]);
    expect(fake.requestsTo("pulls/create-review")).toHaveLength(1);
    // The new process ran the job again (its second run) and recognised the review by its marker.
    expect(logs.records.find((r) => r.msg === "a review of this app on this commit is posted already")).toMatchObject({
      deliveryId: "killed-after-review",
      attempt: 2,
      decision: "not posted again",
    });
    expect(await metric("duplicates_avoided_total", 'what="review_rerun"')).toBe(avoidedBefore + 1);
    expect((await second.queue.counts()).done).toBe(1);
  });

  it("killed while GitHub stores its check run, the answer lost with the process: the rerun completes that run and creates none", async () => {
    const fake = (github = new FakeGitHub());
    const clock = new VirtualClock();
    const payload = pullRequestEvent("opened");
    const repo = repoPath(payload);
    const head = payload.pull_request.head.sha;
    const stored = () => fake.requestsTo("pulls/create-review").map((posted) => listedReview(fake, posted, 555));
    const storedRuns = () => fake.requestsTo("checks/create").filter((r) => !r.refused);
    // GitHub carries out the check run's creation (completed, with the verdict) and the process is
    // killed before the answer reaches it: the run exists, and the killed job never knew its id.
    const killed = new Promise<void>(() => undefined);
    fake.loseAnswer("POST", `${repo}/check-runs`, BAD_GATEWAY, 1, killed);
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], reviews: [reviewAccepted(fake)], postedReviews: stored });
    // The restarted process reads again and posts no review; it finds the stored run by its
    // external id (one read, on a rerun only) and completes that one with the full state.
    expectMigrationReview(fake, payload, { changed: [UP], beside: [DOWN], postedReviews: stored, checkRun: false, extraUpdates: 1 });
    fake.on("GET", `${repo}/commits/${head}/check-runs`, () => ({
      status: 200,
      body: { total_count: storedRuns().length, check_runs: storedRuns().map((r) => checkRunReply(fake, 200, 7, r.body as Record<string, unknown>).body) },
    }));
    const logs = captureLogs("info");
    const first = await harness.start(clock, logs.log);

    await first.app.deliver({ id: "killed-while-stored", name: "pull_request", payload: payload as never });
    await waitFor("the check run stored, its answer in flight", () => fake.faultsAnswered().lostAnswers === 1, Number.POSITIVE_INFINITY);
    await harness.kill(first.app);
    expect(storedRuns()).toHaveLength(1);

    const second = await harness.start(clock, logs.log, first.dataDir);
    clock.runFreely();
    await waitFor("the rerun's completion of the stored run", () => fake.requestsTo("checks/update").length > 0, Number.POSITIVE_INFINITY);
    await second.queue.whenIdle();

    fake.assertDone();
    expect(counts(fake)).toEqual({ lost: 0, duplicated: 0, stuck: 0 });
    expect(storedRuns()).toHaveLength(1);
    expect(fake.requestsTo("checks/update").map((r) => r.body)).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure" })]);
    expect(fake.requestsTo("pulls/create-review")).toHaveLength(1);
    expect(logs.records.find((r) => r.msg === "an earlier attempt created this head's check run; reporting on it, not creating another")).toMatchObject({
      deliveryId: "killed-while-stored",
      checkRunId: 7,
    });
    expect((await second.queue.counts()).done).toBe(1);
  });

  it("an uninstalled installation: its job is dropped at GitHub's 404, with no retry, dead letter or parked call", async () => {
    const fake = (github = new FakeGitHub());
    const clock = new VirtualClock();
    const payload = pullRequestEvent("opened");
    // The job asks for a token once (the handler makes no GitHub call: the job creates the check
    // run); nothing else reaches GitHub.
    fake.on("POST", `/app/installations/${INSTALLATION_ID}/access_tokens`, INSTALLATION_GONE);
    const logs = captureLogs("info");
    const droppedBefore = await metric("jobs_dropped_total", 'reason="installation_gone"');
    const { app, queue } = await harness.start(clock, logs.log);

    await app.deliver({ id: "uninstalled", name: "pull_request", payload: payload as never });
    await waitFor("the handler to release the job", () => logs.records.some((r) => r.msg === "review queued"), Number.POSITIVE_INFINITY);
    clock.runFreely();
    await queue.whenIdle();

    fake.assertDone();
    expect(fake.requests).toHaveLength(1);
    expect(await queue.counts()).toMatchObject({ done: 1, dead: 0, queued: 0, running: 0 });
    expect(logs.records.find((r) => r.msg.includes("no longer installed"))).toMatchObject({ deliveryId: "uninstalled", decision: "dropped" });
    expect(logs.records.some((r) => r.msg === "job dead-lettered" || r.msg === "job will be tried again")).toBe(false);
    expect(await metric("jobs_dropped_total", 'reason="installation_gone"')).toBe(droppedBefore + 1);

    // installation.deleted: a later event's job is dropped before it asks GitHub for anything.
    const deleted = webhookExample<Record<string, unknown>>("installation", "deleted");
    await app.deliver({ id: "uninstall-event", name: "installation", payload: deleted as never });
    await app.deliver({ id: "after-uninstall", name: "pull_request", payload: { ...payload, action: "synchronize" } as never });
    await waitFor("the second job to be handed over", () => logs.records.filter((r) => r.msg === "review queued").length === 2, Number.POSITIVE_INFINITY);
    await queue.whenIdle();
    fake.assertDone();
    // Neither the handlers nor the second job asked GitHub anything: still the first job's one token request.
    expect(fake.requests).toHaveLength(1);
    expect(logs.records.find((r) => r.msg === "app uninstalled")).toMatchObject({ deliveryId: "uninstall-event", installationId: INSTALLATION_ID });
    expect(await metric("jobs_dropped_total", 'reason="installation_gone"')).toBe(droppedBefore + 2);
  });
});
