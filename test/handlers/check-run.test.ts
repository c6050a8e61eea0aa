import { afterEach, describe, expect, it } from "vitest";
import { REREVIEW_ACTION } from "../../src/report/check-output.js";
import { encodeCheckIdentity } from "../../src/review/check-identity.js";
import { FakeGitHub, type FakeReply } from "../helpers/fake-github.js";
import { captureLogs, createTestProbot } from "../helpers/probot.js";
import { expectMigrationReview, repoPath, type PullRequestPayload } from "../helpers/pull-request-scenario.js";
import { INSTALLATION_ID, webhookExample } from "../helpers/webhooks.js";

/** The app id the test Probot runs as (createTestProbot's too). */
/** The app id createTestProbot's Probot runs as. */
const APP_ID = 123;
const HEAD = "0123456789abcdef0123456789abcdef01234567";

let github: FakeGitHub;

afterEach(() => {
  github.assertDone();
});

/** The fields of the real check_run / check_suite examples the handler reads, typed loosely. */
interface CheckRunEvent {
  action: string;
  check_run: {
    name: string;
    head_sha: string;
    external_id: string;
    app: { id: number };
    pull_requests: Array<{ number: number }>;
  };
  requested_action?: { identifier: string };
  repository: PullRequestPayload["repository"];
  installation: { id: number };
}

interface CheckSuiteEvent {
  action: string;
  check_suite: { head_sha: string; app: { id: number }; pull_requests: Array<{ number: number }> };
  repository: PullRequestPayload["repository"];
  installation: { id: number };
}

/** A real check_run example, made into our app's `data-engineer` check unless told otherwise. */
function checkRunEvent(action: "rerequested" | "requested_action", changes: { pr?: number; ours?: boolean } = {}): CheckRunEvent {
  const event = webhookExample<CheckRunEvent>("check_run", action);
  if (changes.ours !== false) {
    event.check_run.app.id = APP_ID;
    event.check_run.name = "data-engineer";
  }
  if (changes.pr !== undefined) event.check_run.external_id = encodeCheckIdentity({ pullNumber: changes.pr, headSha: event.check_run.head_sha });
  return event;
}

/** The pull request a check event leads to, in the shape the scenario helpers take. */
function pullRequestOf(event: CheckRunEvent | CheckSuiteEvent, number: number, headSha = HEAD): PullRequestPayload {
  return {
    action: "synchronize",
    number,
    pull_request: { number, head: { sha: headSha } },
    repository: event.repository,
    installation: event.installation,
  };
}

/** GitHub's documented pull request, as `pulls.get` answers it for `payload`, changing `changedFiles` files. */
function pullAnswer(payload: PullRequestPayload, changes: { state?: "open" | "closed"; draft?: boolean; changedFiles?: number } = {}): FakeReply {
  const pull = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200) as Record<string, unknown> & { head: Record<string, unknown> };
  return {
    status: 200,
    body: {
      ...pull,
      number: payload.number,
      state: changes.state ?? "open",
      draft: changes.draft ?? false,
      merged: false,
      changed_files: changes.changedFiles ?? 1,
      // GitHub's own example lacks the `type` its schema requires of requested teams.
      requested_teams: [],
      head: { ...pull.head, sha: payload.pull_request.head.sha },
    },
  };
}

/** The whole review of `payload`'s head, after the handler has read the pull request. */
function expectReview(payload: PullRequestPayload): void {
  github.on("GET", `${repoPath(payload)}/pulls/${payload.number}`, pullAnswer(payload, { changedFiles: 2 }));
  expectMigrationReview(github, payload, {
    rest: true,
    headRead: true,
    changed: [
      { path: "db/migrations/000001_orders.up.sql", text: "CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY);\n" },
      { path: "db/migrations/000001_orders.down.sql", text: "DROP TABLE IF EXISTS orders;\n" },
    ],
  });
}

async function receive(name: "check_run" | "check_suite", payload: CheckRunEvent | CheckSuiteEvent, id = "delivery-1", log = captureLogs(), maxAttempts = 1) {
  const probot = await createTestProbot({ log: log.log, queue: { maxAttempts } });
  // The example payloads are real; Probot's types want the exact event union.
  await probot.receive({ id, name, payload: payload as never });
  return log;
}

describe("re-runs from the checks UI", () => {
  it("reviews the pull request's current head when our check is re-run, and the new check offers Re-review", async () => {
    github = new FakeGitHub();
    const event = checkRunEvent("rerequested", { pr: 2 });
    const pr = pullRequestOf(event, 2);
    expectReview(pr);

    const logs = await receive("check_run", event, "delivery-rerun");

    const created = github.requestsTo("checks/create");
    expect(created).toHaveLength(1);
    expect(created[0]?.body).toMatchObject({ name: "data-engineer", head_sha: HEAD, external_id: encodeCheckIdentity({ pullNumber: 2, headSha: HEAD }) });
    const completion = github.requestsTo("checks/update")[0]?.body;
    expect(completion).toMatchObject({ status: "completed", conclusion: "success", actions: [REREVIEW_ACTION] });
    // The re-run was for an older commit: the log says the head was reviewed instead.
    expect(logs.records.find((r) => r.msg.includes("older commit"))).toMatchObject({
      deliveryId: "delivery-rerun",
      pr: 2,
      requestedSha: event.check_run.head_sha,
      headSha: HEAD,
    });
    expect(logs.records.find((r) => r.msg === "check run completed")).toMatchObject({ deliveryId: "delivery-rerun", pr: 2, headSha: HEAD });
  });

  it("reports on the check run an earlier attempt left in progress, instead of leaving it there", async () => {
    github = new FakeGitHub();
    const event = checkRunEvent("rerequested", { pr: 2 });
    const pr = pullRequestOf(event, 2);
    const repo = repoPath(pr);
    const externalId = encodeCheckIdentity({ pullNumber: 2, headSha: HEAD });
    // Attempt 1 creates check run 7, then GitHub fails reading the configuration.
    github.on("GET", `${repo}/pulls/2`, pullAnswer(pr, { changedFiles: 2 }));
    github.on("GET", new RegExp(`^${repo}/contents/\\.github(/|%2F)data-engineer\\.yml$`), {
      status: 502,
      body: { message: "Server Error", documentation_url: "https://docs.github.com/rest" },
      undocumented: "GitHub answers 502 when it is overloaded",
    });
    // Attempt 2 finds check run 7 still in progress among the head's check runs, and reports on it.
    const listing = github.example("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", 200) as { check_runs: Record<string, unknown>[] };
    const [example] = listing.check_runs;
    github.on("GET", `${repo}/commits/${HEAD}/check-runs`, {
      status: 200,
      body: {
        total_count: 2,
        check_runs: [
          { ...example, id: 6, head_sha: HEAD, name: "data-engineer", status: "in_progress", conclusion: null, external_id: "another-app" },
          { ...example, id: 7, head_sha: HEAD, name: "data-engineer", status: "in_progress", conclusion: null, external_id: externalId },
        ],
      },
    });
    expectReview(pr);

    const logs = await receive("check_run", event, "delivery-retried", captureLogs(), 2);

    expect(github.requestsTo("checks/create")).toHaveLength(1);
    expect(github.requestsTo("checks/list-for-ref")[0]?.query.get("status")).toBe("in_progress");
    expect(github.requestsTo("checks/update").map((r) => r.path)).toEqual([`${repo}/check-runs/7`]);
    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ status: "completed", conclusion: "success" });
    expect(logs.records.find((r) => r.msg.includes("earlier attempt left in progress"))).toMatchObject({ checkRunId: 7 });
  });

  it("bypasses the automatic review settings: a draft is reviewed when asked for", async () => {
    github = new FakeGitHub();
    const event = checkRunEvent("rerequested", { pr: 2 });
    const pr = pullRequestOf(event, 2);
    github.on("GET", `${repoPath(pr)}/pulls/2`, pullAnswer(pr, { draft: true }));
    expectMigrationReview(github, pr, {
      rest: true,
      headRead: true,
      changed: [{ path: "db/migrations/0001_init.sql", text: "CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY);\n" }],
    });

    await receive("check_run", event);

    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "success" });
  });

  it.each([
    ["another app's check run", undefined],
    ["a check run named data-engineer that another app made", "data-engineer"],
  ])("ignores a re-run of %s, without a request", async (_what, name) => {
    github = new FakeGitHub();
    const event = checkRunEvent("rerequested", { pr: 2, ours: false });
    if (name) event.check_run.name = name;

    await receive("check_run", event);

    expect(github.requests).toEqual([]);
  });

  it("ignores a re-run on a commit without a pull request", async () => {
    github = new FakeGitHub();
    const event = checkRunEvent("rerequested");
    expect(event.check_run.pull_requests).toEqual([]);

    const logs = await receive("check_run", event, "delivery-no-pr");

    expect(github.requests).toEqual([]);
    expect(logs.records.find((r) => r.msg.includes("names no pull request"))).toMatchObject({ deliveryId: "delivery-no-pr" });
  });

  it("reviews again when the Re-review button is pressed (the pull request from the check's pull_requests)", async () => {
    github = new FakeGitHub();
    const event = checkRunEvent("requested_action");
    event.requested_action = { identifier: REREVIEW_ACTION.identifier };
    const number = event.check_run.pull_requests[0]?.number ?? 0;
    expectReview(pullRequestOf(event, number));

    await receive("check_run", event);

    expect(github.requestsTo("checks/create")[0]?.body).toMatchObject({
      head_sha: HEAD,
      external_id: encodeCheckIdentity({ pullNumber: number, headSha: HEAD }),
    });
    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "success", actions: [REREVIEW_ACTION] });
  });

  it("ignores an action it did not offer", async () => {
    github = new FakeGitHub();
    const event = checkRunEvent("requested_action"); // the example's identifier: another app's button

    await receive("check_run", event);

    expect(github.requests).toEqual([]);
  });

  it("does not review a closed pull request", async () => {
    github = new FakeGitHub();
    const event = checkRunEvent("rerequested", { pr: 2 });
    const pr = pullRequestOf(event, 2);
    github.installationToken(INSTALLATION_ID).on("GET", `${repoPath(pr)}/pulls/2`, pullAnswer(pr, { state: "closed" }));

    const logs = await receive("check_run", event, "delivery-closed");

    expect(github.requestsTo("checks/create")).toEqual([]);
    expect(logs.records.find((r) => r.msg.includes("closed"))).toMatchObject({ deliveryId: "delivery-closed", pr: 2 });
  });

  it("dead-letters the job with the reason when the pull request cannot be read", async () => {
    github = new FakeGitHub();
    const event = checkRunEvent("rerequested", { pr: 2 });
    const pr = pullRequestOf(event, 2);
    github
      .installationToken(INSTALLATION_ID)
      .on("GET", `${repoPath(pr)}/pulls/2`, { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } });

    const logs = await receive("check_run", event, "delivery-gone");

    expect(github.requestsTo("checks/create")).toEqual([]);
    const failure = logs.records.find((r) => r.msg === "job dead-lettered");
    expect(failure).toMatchObject({ deliveryId: "delivery-gone", pr: 2, job: "rereview" });
    expect(String(failure?.reason)).toContain("HTTP 404");
  });

  it("reviews each pull request of our check suite on Re-run all checks", async () => {
    github = new FakeGitHub();
    const event = webhookExample<CheckSuiteEvent>("check_suite", "rerequested");
    event.check_suite.app.id = APP_ID;
    const number = event.check_suite.pull_requests[0]?.number ?? 0;
    expectReview(pullRequestOf(event, number));

    await receive("check_suite", event);

    expect(github.requestsTo("checks/create")[0]?.body).toMatchObject({ name: "data-engineer", head_sha: HEAD });
    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "success", actions: [REREVIEW_ACTION] });
  });

  it("ignores another app's check suite", async () => {
    github = new FakeGitHub();

    await receive("check_suite", webhookExample<CheckSuiteEvent>("check_suite", "rerequested"));

    expect(github.requests).toEqual([]);
  });
});

describe("the Re-review action", () => {
  it("fits GitHub's limits on check run actions", () => {
    expect(REREVIEW_ACTION.label.length).toBeLessThanOrEqual(20);
    expect(REREVIEW_ACTION.description.length).toBeLessThanOrEqual(40);
    expect(REREVIEW_ACTION.identifier.length).toBeLessThanOrEqual(20);
  });
});
