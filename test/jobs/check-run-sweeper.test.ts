import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { recordCheckRuns } from "../../src/github/check-run-ledger.js";
import { PullRequestClient } from "../../src/github/pull-request-client.js";
import { startCheckRunSweeper } from "../../src/jobs/check-run-sweeper.js";
import { createEmbeddedQueue, type EmbeddedJobQueue } from "../../src/jobs/embedded-queue.js";
import { metrics } from "../../src/ops/metrics.js";
import { CHECK_NAME, IN_PROGRESS_OUTPUT, reviewFailed } from "../../src/report/check-output.js";
import { encodeCheckIdentity } from "../../src/review/check-identity.js";
import { BAD_GATEWAY, FakeGitHub, type FakeReply, type RecordedRequest } from "../helpers/fake-github.js";
import { counts, FaultHarness, listedReview, settle } from "../helpers/fault-harness.js";
import { expectMigrationReview, pullRequestEvent, repoPath, reviewAccepted } from "../helpers/pull-request-scenario.js";
import { webhookExample } from "../helpers/webhooks.js";
import { captureLogs } from "../helpers/probot.js";
import { VirtualClock } from "../helpers/virtual-clock.js";
import { waitFor } from "./queue-contract.js";

/**
 * Issue 19, item 3: a check run of ours is never left in progress. The app records the runs it
 * creates (an Octokit hook) in the embedded store; the sweeper completes, after the deadline, one
 * whose completion failed and was only logged, and leaves alone one that a live job will complete.
 * Real embedded queue, the OpenAPI-checked fake GitHub, a virtual clock: 45 minutes pass at once.
 */

const INSTALLATION = 42;
const HEAD = "0123456789abcdef0123456789abcdef01234567";
const DEADLINE_MS = 45 * 60_000;

let fake: FakeGitHub | undefined;
let queue: EmbeddedJobQueue | undefined;
let dataDir: string | undefined;
let stopSweeper: (() => void) | undefined;
const harness = new FaultHarness();

afterEach(async () => {
  await harness.teardown();
  stopSweeper?.();
  await queue?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  fake?.stop();
  fake = queue = dataDir = stopSweeper = undefined;
});

async function sweptCount(): Promise<number> {
  const line = (await metrics.render()).body.split("\n").find((l) => l.startsWith('data_engineer_orphan_check_runs_swept_total{action="completed"}'));
  return line ? Number(line.split(" ").pop()) : 0;
}

/** GitHub's check run, from the OpenAPI example, with our id, repository and status. */
function checkRun(github: FakeGitHub, id: number, status: "in_progress" | "completed", status201 = false): FakeReply {
  const example = github.example("POST", "/repos/{owner}/{repo}/check-runs", 201) as Record<string, unknown>;
  return {
    status: status201 ? 201 : 200,
    body: {
      ...example,
      id,
      head_sha: HEAD,
      status,
      conclusion: status === "completed" ? "failure" : null,
      completed_at: status === "completed" ? "2026-01-01T00:50:00Z" : null,
    },
  };
}

/** What GitHub ends up holding: a run is stuck when its last accepted state is in progress and no job is live for it. */
function stuckRuns(github: FakeGitHub, live: ReadonlySet<number>, created: readonly number[]): number {
  const completed = new Set(
    github
      .requestsTo("checks/update")
      .filter((r) => !r.refused && (r.body as { status?: string }).status === "completed")
      .map((r) => Number(r.path.split("/").pop())),
  );
  return created.filter((id) => !completed.has(id) && !live.has(id)).length;
}

describe("the in-progress sweeper", () => {
  it("completes a run whose completion failed and was only logged, after the deadline, and leaves a run with a live job alone", async () => {
    const github = (fake = new FakeGitHub());
    const clock = new VirtualClock();
    dataDir = mkdtempSync(join(tmpdir(), "de-sweeper-"));
    queue = createEmbeddedQueue({ dataDir, clock });
    const ledger = queue.checkRuns;
    const logs = captureLogs("info");
    const octokit = new Octokit({ auth: "installation-token" });
    recordCheckRuns(octokit, INSTALLATION, ledger);
    const sweptBefore = await sweptCount();

    // Run 101 on o/a: created, then every completion answers 502 (GitHub documents no 500 for it) and the failure is only logged.
    github.on("POST", "/repos/o/a/check-runs", checkRun(github, 101, "in_progress", true));
    const orphanClient = new PullRequestClient(octokit, { owner: "o", repo: "a", pullNumber: 1, headSha: HEAD }, clock);
    const orphan = await orphanClient.startCheckRun(CHECK_NAME, encodeCheckIdentity({ pullNumber: 1, headSha: HEAD }), IN_PROGRESS_OUTPUT);
    let githubFailing = true;
    github.refuseWhile(
      "PATCH",
      "/repos/o/a/check-runs/101",
      () => githubFailing,
      () => BAD_GATEWAY,
    );
    await expect(orphanClient.completeCheckRun(orphan, reviewFailed("the review crashed"))).rejects.toThrow(/HTTP 502/);
    githubFailing = false;

    // Run 202 on o/b: its review job is still queued; that job completes it, not the sweeper.
    github.on("POST", "/repos/o/b/check-runs", checkRun(github, 202, "in_progress", true));
    const liveClient = new PullRequestClient(octokit, { owner: "o", repo: "b", pullNumber: 2, headSha: HEAD }, clock);
    const live = await liveClient.startCheckRun(CHECK_NAME, encodeCheckIdentity({ pullNumber: 2, headSha: HEAD }), IN_PROGRESS_OUTPUT);
    await queue.enqueue({
      id: "live",
      kind: "review",
      installationId: INSTALLATION,
      coalesceKey: "9#2",
      payload: { owner: "o", repo: "b", pullNumber: 2, headSha: HEAD, checkRunId: live },
    });
    expect([orphan, live]).toEqual([101, 202]);
    expect(ledger.size()).toBe(2);
    const opened = clock.now();

    // The sweeper reads GitHub once about the orphan, finds it in progress and completes it.
    github.on("GET", "/repos/o/a/check-runs/101", checkRun(github, 101, "in_progress"));
    github.on("PATCH", "/repos/o/a/check-runs/101", checkRun(github, 101, "completed"));
    const sweeper = startCheckRunSweeper({ ledger, clock, octokitFor: () => Promise.resolve(octokit), log: logs.log, deadlineMs: DEADLINE_MS });
    stopSweeper = sweeper.stop;
    clock.runFreely();
    await waitFor("the sweep", () => logs.records.some((r) => r.msg === "check run left in progress swept"));
    sweeper.stop();

    github.assertDone();
    const swept = github.requestsTo("checks/update").filter((r) => !r.refused);
    expect(swept).toHaveLength(1);
    expect(swept[0]?.body).toMatchObject({ status: "completed", conclusion: "failure" });
    expect((swept[0]?.body as { output: { summary: string } }).output.summary).toMatch(
      /did not report back within 45 minutes[\s\S]*Use \*\*Re-run\*\* on this check/,
    );
    // Not before the deadline (the first sweeps found nothing old enough), and within one sweep of it.
    expect(clock.elapsedSince(opened)).toBeGreaterThanOrEqual(DEADLINE_MS);
    expect(clock.elapsedSince(opened)).toBeLessThanOrEqual(DEADLINE_MS + 5 * 60_000);
    // The live job's run: never read, never written by the sweeper.
    expect(github.requests.filter((r) => r.path.startsWith("/repos/o/b/check-runs/"))).toHaveLength(0);
    expect(ledger.olderThan(clock.now() + 1, 10).map((run) => run.checkRunId)).toEqual([202]);
    expect(await sweptCount()).toBe(sweptBefore + 1);
    expect(logs.records.find((r) => r.msg === "check run left in progress swept")).toMatchObject({
      installationId: INSTALLATION,
      repo: "o/a",
      checkRunId: 101,
      decision: "completed as failed",
    });
    // lost: the sweeper posts no review and loses no run; duplicated: no run created by it; stuck: none.
    expect(github.requestsTo("checks/create")).toHaveLength(2);
    expect(github.requestsTo("pulls/create-review")).toHaveLength(0);
    expect(stuckRuns(github, new Set([live]), [orphan, live])).toBe(0);
  });

  it("the app records the in-progress check run a re-run's job creates and forgets it once completed; a review job's run, created completed, is never recorded", async () => {
    const github = (fake = new FakeGitHub());
    const clock = new VirtualClock();
    const payload = pullRequestEvent("opened");
    const migration = {
      changed: [{ path: "db/migrations/20260101000000_add_index.up.sql", text: "CREATE INDEX orders_created_at ON orders (created_at);\n" }],
      beside: [{ path: "db/migrations/20260101000000_add_index.down.sql", text: "DROP INDEX orders_created_at;\n" }],
    };
    expectMigrationReview(github, payload, { ...migration, reviews: [reviewAccepted(github)] });
    const logs = captureLogs("info");
    const { app, queue: appQueue } = await harness.start(clock, logs.log);
    let recorded = 0;
    appQueue.checkRuns.onOpened(() => (recorded += 1));

    // A pull request event's review job creates its check run once, completed (issue 19 item 5):
    // there is nothing in progress to record, so nothing for the sweeper.
    await app.deliver({ id: "recorded", name: "pull_request", payload: payload as never });
    await settle(appQueue, clock, logs);
    github.assertDone();
    expect(counts(github)).toEqual({ lost: 0, duplicated: 0, stuck: 0 });
    expect(recorded).toBe(0);
    expect(appQueue.checkRuns.size()).toBe(0);
    // The review's diffs may no longer be read: the re-run's job lists the files itself (REST).
    github.endOptional();

    // Re-run from the checks UI: the re-run's job still starts its check run in progress, then
    // reviews through REST (finding its earlier findings posted: nothing new) and completes it.
    const [review] = github.requestsTo("pulls/create-review");
    const postedComments = ((review?.body as { comments?: Array<{ body: string }> }).comments ?? []).map((c) => c.body);
    expect(postedComments.length).toBeGreaterThan(0);
    const rerun = webhookExample<Record<string, unknown> & { check_run: Record<string, unknown> & { app: { id: number } } }>("check_run", "rerequested");
    const number = payload.pull_request.number;
    const head = payload.pull_request.head.sha;
    rerun.check_run = { ...rerun.check_run, name: CHECK_NAME, head_sha: head, external_id: encodeCheckIdentity({ pullNumber: number, headSha: head }) };
    rerun.check_run.app.id = 123; // this app (createTestProbot's app id)
    rerun.repository = payload.repository;
    rerun.installation = payload.installation;
    const pull = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200) as Record<string, unknown> & { head: Record<string, unknown> };
    // The re-run's job reads the pull request first (GitHub's example lacks the `type` its schema requires of requested teams).
    github.on("GET", `${repoPath(payload)}/pulls/${number}`, {
      status: 200,
      body: { ...pull, number, state: "open", draft: false, merged: false, changed_files: 1, requested_teams: [], head: { ...pull.head, sha: head } },
    });
    expectMigrationReview(github, payload, {
      ...migration,
      rest: true,
      viaProbot: false,
      headRead: true,
      posted: postedComments,
      postedReviews: () => [listedReview(github, review as RecordedRequest, 555)],
    });
    await app.deliver({ id: "rerun", name: "check_run", payload: rerun as never });
    await appQueue.whenIdle();

    github.assertDone();
    expect(github.requestsTo("checks/create").map((r) => (r.body as { status?: string }).status)).toEqual(["completed", "in_progress"]);
    expect(github.requestsTo("checks/update").map((r) => (r.body as { status?: string }).status)).toEqual(["completed"]);
    expect(github.requestsTo("pulls/create-review")).toHaveLength(1);
    // Recorded when created in progress, forgotten when its job completed it: the sweeper has nothing to do.
    expect(recorded).toBe(1);
    expect(appQueue.checkRuns.size()).toBe(0);
    expect(logs.records.some((r) => r.msg === "check run left in progress swept")).toBe(false);
  });
});
