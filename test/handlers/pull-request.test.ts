import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../helpers/fake-github.js";
import { captureLogs, createTestProbot } from "../helpers/probot.js";
import {
  checkRunReply,
  expectCheckFlow,
  expectRepoConfig,
  fileEntries,
  pullRequestEvent,
  repoPath,
  type PullRequestPayload,
} from "../helpers/pull-request-scenario.js";
import { INSTALLATION_ID } from "../helpers/webhooks.js";

let github: FakeGitHub;

async function receive(payload: PullRequestPayload, id = "delivery-1", log = captureLogs()) {
  const probot = await createTestProbot({ log: log.log });
  // The example payload is real; Probot's types want the exact event union.
  return probot.receive({ id, name: "pull_request", payload: payload as never });
}

afterEach(() => {
  github.assertDone();
});

describe("pull_request events", () => {
  it("reports a check run listing the migration files of a pull request", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["db/migrations/0001_add_users.up.sql", "src/app.ts"]) });

    await receive(payload);

    const [created] = github.requestsTo("checks/create");
    expect(created?.body).toMatchObject({
      name: "data-engineer",
      head_sha: payload.pull_request.head.sha,
      status: "in_progress",
      external_id: `data-engineer:pr=${payload.pull_request.number}:sha=${payload.pull_request.head.sha}`,
    });
    const [completed] = github.requestsTo("checks/update");
    expect(completed?.body).toMatchObject({ status: "completed", conclusion: "neutral", output: { title: "1 migration file found" } });
    const summary = (completed?.body as { output: { summary: string } }).output.summary;
    expect(summary).toContain("`db/migrations/0001_add_users.up.sql`");
    expect(summary).not.toContain("src/app.ts");
    expect(github.requestsTo("pulls/list-files")[0]?.query.get("per_page")).toBe("100");
  });

  it("passes the check when no migration or SQL file changed", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["README.md"], "modified") });

    await receive(payload);

    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "No migration or SQL changes" },
    });
  });

  it("completes the check with the reason when GitHub fails to list the files", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectCheckFlow(github, payload, { status: 500, body: { message: "Server Error", documentation_url: "https://docs.github.com/rest" } });

    await receive(payload);

    const body = github.requestsTo("checks/update")[0]?.body as { conclusion: string; status: string; output: { title: string; summary: string } };
    expect(body).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "Review failed" } });
    expect(body.output.summary).toContain("GitHub answered HTTP 500 while listing the pull request's files");
    expect(body.output.summary).toContain(`GET ${repoPath(payload)}/pulls/2/files`);
  });

  it("still completes the check when the first completion is rejected", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    let attempts = 0;
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["db/schema.sql"]) }, () => {
      attempts++;
      return {
        status: 422,
        body: { message: "Validation Failed", documentation_url: "https://docs.github.com/rest", errors: [] },
        undocumented: "GitHub answers 422 to check run updates it rejects, e.g. an output over its limits",
      };
    });
    github.on("PATCH", `${repoPath(payload)}/check-runs/7`, (req) => checkRunReply(github, 200, 7, req.body as Record<string, unknown>));

    await receive(payload);

    const updates = github.requestsTo("checks/update");
    expect(attempts).toBe(1);
    expect(updates).toHaveLength(2);
    expect(updates[1]?.body).toMatchObject({ status: "completed", conclusion: "failure" });
    expect((updates[1]?.body as { output: { summary: string } }).output.summary).toContain("HTTP 422 while completing the check run");
  });

  it("reads every page of a long file list", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("synchronize", { changedFiles: 150 });
    const repo = repoPath(payload);
    const paths = Array.from({ length: 150 }, (_, i) => (i === 140 ? "db/migrate/20261126_add_index.rb" : `src/file-${i}.ts`));
    const next = `<https://api.github.com${repo}/pulls/${payload.pull_request.number}/files?per_page=100&page=2>; rel="next"`;
    expectCheckFlow(github, payload, [
      { status: 200, body: fileEntries(github, paths.slice(0, 100)), headers: { link: next } },
      { status: 200, body: fileEntries(github, paths.slice(100)) },
    ]);

    await receive(payload);

    expect(github.requestsTo("pulls/list-files")[1]?.query.get("page")).toBe("2");
    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "neutral", output: { title: "1 migration file found" } });
  });

  it("does not pass a check when GitHub listed fewer files than the pull request changes", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened", { changedFiles: 3500 });
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["src/a.ts", "src/b.ts"]) });

    await receive(payload);

    const body = github.requestsTo("checks/update")[0]?.body as { conclusion: string; output: { summary: string } };
    expect(body.conclusion).toBe("neutral");
    expect(body.output.summary).toContain("3,498 changed files were not examined");
  });

  it("reports a draft as skipped, without listing its files", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened", { draft: true });
    github
      .installationToken(INSTALLATION_ID)
      .on("POST", `${repoPath(payload)}/check-runs`, (req) => checkRunReply(github, 201, 8, req.body as Record<string, unknown>))
      .on("PATCH", `${repoPath(payload)}/check-runs/8`, (req) => checkRunReply(github, 200, 8, req.body as Record<string, unknown>));
    expectRepoConfig(github, payload);

    await receive(payload);

    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ status: "completed", conclusion: "skipped" });
    expect(github.requestsTo("pulls/list-files")).toEqual([]);
  });

  it("reads its configuration from the default branch and reviews drafts when it says so", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened", { draft: true });
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["db/migrations/0001.sql"]) }, undefined, "autoReview:\n  drafts: true\n");

    await receive(payload);

    const [configRead] = github.requestsTo("repos/get-content");
    expect(configRead?.query.has("ref")).toBe(false);
    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "neutral" });
  });

  it("completes the check naming the key when the configuration is invalid, and reviews nothing", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    const repo = repoPath(payload);
    github
      .installationToken(INSTALLATION_ID)
      .on("POST", `${repo}/check-runs`, (req) => checkRunReply(github, 201, 7, req.body as Record<string, unknown>))
      .on("PATCH", `${repo}/check-runs/7`, (req) => checkRunReply(github, 200, 7, req.body as Record<string, unknown>));
    expectRepoConfig(github, payload, "failOn: sometimes\nmaxInlineComment: 3\n");

    await receive(payload);

    const body = github.requestsTo("checks/update")[0]?.body as { conclusion: string; output: { title: string; summary: string } };
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toBe("Invalid .github/data-engineer.yml");
    expect(body.output.summary).toContain('key "failOn"');
    expect(body.output.summary).toContain('unknown key "maxInlineComment"');
    expect(github.requestsTo("pulls/list-files")).toEqual([]);
  });

  it("skips pull requests the configuration excludes, and uses its paths", async () => {
    github = new FakeGitHub();
    const labelled = pullRequestEvent("opened");
    (labelled.pull_request as { labels?: Array<{ name: string }> }).labels = [{ name: "no-db-review" }];
    const repo = repoPath(labelled);
    github
      .installationToken(INSTALLATION_ID)
      .on("POST", `${repo}/check-runs`, (req) => checkRunReply(github, 201, 7, req.body as Record<string, unknown>))
      .on("PATCH", `${repo}/check-runs/7`, (req) => checkRunReply(github, 200, 7, req.body as Record<string, unknown>));
    expectRepoConfig(github, labelled, "autoReview:\n  ignoreLabels: [no-db-review]\n");
    await receive(labelled);
    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "skipped", output: { title: "Not reviewed: configuration" } });
    github.assertDone();
    github.stop();

    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["schema/001.ddl", "db/x.sql"]) }, undefined, "paths:\n  include: ['schema/**']\n");
    await receive(payload);
    const summary = (github.requestsTo("checks/update")[0]?.body as { output: { summary: string } }).output.summary;
    expect(summary).toContain("`schema/001.ddl`");
    expect(summary).not.toContain("db/x.sql");
  });

  it("reviews a pull request once it is ready for review", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("ready_for_review");
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["alembic/versions/1a2b_add_orders.py"]) });

    await receive(payload);

    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "neutral" });
  });

  it("ignores pull request actions that do not change the head", async () => {
    github = new FakeGitHub();
    await receive(pullRequestEvent("labeled"));
    expect(github.requests).toHaveLength(0);
  });

  it("tags its logs with the delivery id and never logs the token", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["db/migrations/0002.sql"]) });
    const logs = captureLogs("trace");

    await receive(payload, "7c1e5a10-delivery", logs);

    const completed = logs.records.find((r) => r.msg === "check run completed");
    expect(completed).toMatchObject({ deliveryId: "7c1e5a10-delivery", pr: 2, conclusion: "neutral" });
    expect(logs.text()).not.toContain("ghs_test-installation-token");
    expect(github.requestsTo("checks/create")[0]?.headers["x-github-delivery"]).toBe("7c1e5a10-delivery");
  });
});
