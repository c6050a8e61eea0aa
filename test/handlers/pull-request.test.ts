import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../helpers/fake-github.js";
import { captureLogs, createTestProbot } from "../helpers/probot.js";
import {
  checkCompletion,
  checkRunCreated,
  graphqlQueries,
  expectCheckFlow,
  expectMigrationReview,
  expectRepoConfig,
  reviewAccepted,
  reviewRejected,
  fileEntries,
  pullRequestEvent,
  repoPath,
  type PullRequestPayload,
  expectLabelEvents,
  expectPermission,
} from "../helpers/pull-request-scenario.js";
import { INSTALLATION_ID } from "../helpers/webhooks.js";
import { pullRequestKey } from "../../src/jobs/job-payloads.js";
import { latestHeadKey } from "../../src/jobs/latest-heads.js";

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
  it("posts one review with inline comments on diff lines, the Handoff Report, and a failing check with annotations", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectMigrationReview(github, payload, {
      changed: [
        { path: "db/migrations/000003_index_orders.up.sql", text: "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n" },
        { path: "db/migrations/000004_drop_legacy.up.sql", text: "SET lock_timeout = '2s';\nDROP SCHEMA legacy;\n" },
      ],
      unrelated: ["src/app.ts"],
      beside: [{ path: "db/migrations/000004_drop_legacy.down.sql", text: "CREATE SCHEMA legacy;\n" }],
      reviews: [reviewAccepted(github)],
    });

    await receive(payload);

    const [created] = github.requestsTo("checks/create");
    expect(created?.body).toMatchObject({
      name: "data-engineer",
      head_sha: payload.pull_request.head.sha,
      status: "completed",
      external_id: `data-engineer:pr=${payload.pull_request.number}:sha=${payload.pull_request.head.sha}`,
    });
    const reviews = github.requestsTo("pulls/create-review");
    expect(reviews).toHaveLength(1);
    const review = reviews[0]?.body as {
      commit_id: string;
      event: string;
      body: string;
      comments: Array<{ path: string; line: number; side: string; body: string }>;
    };
    expect(review.commit_id).toBe(payload.pull_request.head.sha);
    expect(review.event).toBe("COMMENT");
    expect(review.body).toContain("### Part 1 — Task Report");
    expect(review.body).toContain("### Part 2 — Downstream Context");
    expect(review.comments.map((c) => `${c.path}:${c.line}:${c.side}`)).toEqual(
      expect.arrayContaining(["db/migrations/000003_index_orders.up.sql:2:RIGHT", "db/migrations/000004_drop_legacy.up.sql:2:RIGHT"]),
    );
    for (const comment of review.comments) expect([1, 2]).toContain(comment.line); // every line of an added file is in its hunk
    const update = checkCompletion(github) as { conclusion: string; output: { title: string; annotations?: Array<{ path: string }> } };
    expect(update.conclusion).toBe("failure"); // ban-drop-schema is an error
    expect(update.output.title).toMatch(/error/);
    expect(update.output.annotations?.map((a) => a.path)).toEqual(
      expect.arrayContaining(["db/migrations/000003_index_orders.up.sql", "db/migrations/000004_drop_legacy.up.sql"]),
    );
    // The down file beside the up one was read for pairing (with the changed files, in the second
    // query). The whole review cost 5 calls besides the token: the two GraphQL queries, the patches
    // (there are findings to anchor), the review, the check run created completed.
    expect(graphqlQueries(github)[1]).toContain("000004_drop_legacy.down.sql");
    expect(github.apiCalls().map((r) => r.operationId)).toEqual(["graphql", "graphql", "pulls/list-files", "pulls/create-review", "checks/create"]);
  });

  it("does not post a finding again on the next push, and acknowledges the one that was fixed", async () => {
    github = new FakeGitHub();
    const first = pullRequestEvent("opened");
    const files = [
      { path: "db/migrations/000003_index_orders.up.sql", text: "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n" },
      { path: "db/migrations/000004_drop_legacy.up.sql", text: "SET lock_timeout = '2s';\nDROP SCHEMA legacy;\n" },
    ];
    expectMigrationReview(github, first, { changed: files, reviews: [reviewAccepted(github)] });
    await receive(first);
    const posted = (github.requestsTo("pulls/create-review")[0]?.body as { comments: Array<{ body: string }> }).comments.map((c) => c.body);
    github.assertDone();
    github.stop();

    github = new FakeGitHub();
    const second = pullRequestEvent("synchronize");
    const fixed = [
      files[0] as (typeof files)[number],
      { path: "db/migrations/000004_drop_legacy.up.sql", text: "SET lock_timeout = '2s';\nCREATE SCHEMA IF NOT EXISTS legacy_archive;\n" },
    ];
    expectMigrationReview(github, second, { changed: fixed, posted, reviews: [reviewAccepted(github)] });
    await receive(second);

    const review = github.requestsTo("pulls/create-review")[0]?.body as { body: string; comments: unknown[] };
    expect(review.comments).toEqual([]);
    expect(review.body).toMatch(/Fixed since the last review: 1/);
  });

  it("trusts only its own bot's markers: the same sealed comments carried by another bot do not hide findings", async () => {
    github = new FakeGitHub();
    const first = pullRequestEvent("opened");
    const files = [
      { path: "db/migrations/000003_index_orders.up.sql", text: "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n" },
    ];
    expectMigrationReview(github, first, { changed: files, reviews: [reviewAccepted(github)] });
    await receive(first);
    const posted = (github.requestsTo("pulls/create-review")[0]?.body as { comments: Array<{ body: string }> }).comments.map((c) => c.body);
    expect(posted.length).toBeGreaterThan(0);
    github.assertDone();
    github.stop();

    // Only comments GitHub says this app's bot wrote count (GraphQL's viewerDidAuthor).
    github = new FakeGitHub();
    const second = pullRequestEvent("synchronize");
    expectMigrationReview(github, second, { changed: files, posted, postedBy: "copycat[bot]", reviews: [reviewAccepted(github)] });
    await receive(second);
    const review = github.requestsTo("pulls/create-review")[0]?.body as { comments: Array<{ body: string }> };
    expect(review.comments.map((c) => c.body)).toEqual(posted);
  });

  it.each([
    ["a pull request of 3 migrations (up and down files)", 0, 3],
    ["a 300-file pull request with the same 3 migrations", 294, 6],
  ])("costs few API calls: %s", async (_what, unrelated, calls) => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    const changed = [1, 2, 3].flatMap((n) => [
      { path: `db/migrations/00000${n}_step.up.sql`, text: `CREATE TABLE IF NOT EXISTS t${n} (id bigint PRIMARY KEY);\n` },
      { path: `db/migrations/00000${n}_step.down.sql`, text: `DROP TABLE IF EXISTS t${n};\n` },
    ]);
    expectMigrationReview(github, payload, { changed, unrelated: Array.from({ length: unrelated }, (_, i) => `src/file-${i}.ts`) });

    await receive(payload);

    // Issue 20's acceptance: at most 4 calls for a clean 3-migration pull request. The first query
    // (configuration, pull request, files, earlier comments, head), the second (the folder and the
    // six files), the check run created completed; the file pages only when GraphQL's first page
    // of 100 did not hold them all. No review, no patches: these migrations give nothing to say.
    // The installation token is not counted: Probot caches it for an hour per installation.
    expect(github.apiCalls()).toHaveLength(calls);
    expect(github.requests.filter((r) => r.operationId === "apps/create-installation-access-token")).toHaveLength(1);
    expect(github.requestsTo("pulls/create-review")).toEqual([]);
    expect(github.requestsTo("pulls/list-files")).toHaveLength(unrelated > 0 ? 3 : 0);
  });

  it("pairs a migration in a folder of over 1,000 files (GraphQL reads the whole tree; the contents API stopped at 1,000)", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    const older = Array.from({ length: 1100 }, (_, i) => ({
      path: `db/migrations/${String(i).padStart(6, "0")}_old.up.sql`,
      text: `CREATE TABLE IF NOT EXISTS old_${i} (id bigint PRIMARY KEY);\n`,
    }));
    expectMigrationReview(github, payload, {
      changed: [{ path: "db/migrations/999999_step.up.sql", text: "CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY);\n" }],
      beside: [...older, { path: "db/migrations/999999_step.down.sql", text: "DROP TABLE IF EXISTS t;\n" }],
    });

    await receive(payload);

    // The down beside the up was found and read (a missing down would be a finding and a review).
    expect(checkCompletion(github)).toMatchObject({ conclusion: "success" });
    expect(github.requestsTo("pulls/create-review")).toEqual([]);
    expect(github.apiCalls()).toHaveLength(3);
  });

  it("posts nothing when a newer head was announced, also when its event came first (another replica)", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectMigrationReview(github, payload, {
      changed: [{ path: "db/migrations/000003_index_orders.up.sql", text: "CREATE INDEX orders_created_idx ON orders (created_at);\n" }],
    });
    const probot = await createTestProbot({ log: captureLogs().log });
    const event = payload as unknown as { repository: { id: number }; pull_request: { updated_at: string } };
    // The next push's event, a second later by GitHub's clock, was recorded first: this older one does not replace it.
    const key = latestHeadKey(INSTALLATION_ID, pullRequestKey(event.repository.id, payload.pull_request.number));
    await probot.jobs.heads.record(key, "0123456789abcdef0123456789abcdef01234567", Date.parse(event.pull_request.updated_at) + 1000);

    await probot.receive({ id: "delivery-1", name: "pull_request", payload: payload as never });

    expect(github.requestsTo("pulls/create-review")).toEqual([]);
    expect(checkCompletion(github)).toMatchObject({ conclusion: "neutral", output: { title: "Superseded by a newer commit" } });
  });

  it("moves the comments into the body and posts again when GitHub rejects them", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectMigrationReview(github, payload, {
      changed: [
        { path: "db/migrations/000003_index_orders.up.sql", text: "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n" },
      ],
      reviews: [() => reviewRejected(), reviewAccepted(github)],
    });

    await receive(payload);

    const [rejected, accepted] = github.requestsTo("pulls/create-review").map((r) => r.body as { body: string; comments?: Array<{ body: string }> });
    expect(rejected?.comments?.length).toBeGreaterThan(0);
    expect(accepted?.comments ?? []).toEqual([]);
    // Every finding that was to be an inline comment is in the second review's body.
    for (const rule of ["require-concurrent-index", ...(rejected?.comments ?? []).map((c) => /docs\/rules\/([a-z-]+)\.md/.exec(c.body)?.[1] ?? "?")]) {
      expect(accepted?.body).toContain(rule);
    }
  });

  it("passes the check when no migration or SQL file changed", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["README.md"], "modified") });

    await receive(payload);

    expect(checkCompletion(github)).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "No migration or SQL changes" },
    });
  });

  it("completes the check with the reason when GitHub fails to list the files", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    const failing = { status: 500, body: { message: "Server Error", documentation_url: "https://docs.github.com/rest" } };
    // The job's dead letter runs the review once more (GitHub may answer by then); it fails the
    // same way, and the check run is created completed with the reason while it is tried again later.
    expectCheckFlow(github, payload, failing);

    await receive(payload);

    const body = checkCompletion(github) as { conclusion: string; status: string; output: { title: string; summary: string } };
    expect(body).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "Review failed" } });
    expect(body.output.summary).toContain("GitHub answered HTTP 500 while reading the pull request, its files and the configuration");
    expect(body.output.summary).toContain("POST /graphql");
  });

  it("still completes the check when the first completion is rejected", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    let attempts = 0;
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["README.md"]) }, () => {
      attempts++;
      return {
        status: 422,
        body: { message: "Validation Failed", documentation_url: "https://docs.github.com/rest", errors: [] },
        undocumented: "GitHub answers 422 to check run updates it rejects, e.g. an output over its limits",
      };
    });
    github.on("POST", `${repoPath(payload)}/check-runs`, checkRunCreated(github));

    await receive(payload);

    // The check run is created completed: the rejected creation is followed by one with the reason.
    const creations = github.requestsTo("checks/create");
    expect(attempts).toBe(1);
    expect(creations).toHaveLength(2);
    expect(creations[1]?.body).toMatchObject({ status: "completed", conclusion: "failure" });
    expect((creations[1]?.body as { output: { summary: string } }).output.summary).toContain("HTTP 422 while creating the check run");
  });

  it("reads every page of a long file list", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("synchronize", { changedFiles: 150 });
    const repo = repoPath(payload);
    const paths = Array.from({ length: 150 }, (_, i) => `src/file-${i}.ts`);
    const next = `<https://api.github.com${repo}/pulls/${payload.pull_request.number}/files?per_page=100&page=2>; rel="next"`;
    expectCheckFlow(github, payload, [
      { status: 200, body: fileEntries(github, paths.slice(0, 100)), headers: { link: next } },
      { status: 200, body: fileEntries(github, paths.slice(100)) },
    ]);

    await receive(payload);

    expect(github.requestsTo("pulls/list-files")[1]?.query.get("page")).toBe("2");
    expect(checkCompletion(github)).toMatchObject({
      conclusion: "success",
      output: { summary: expect.stringContaining("150 changed files") },
    });
  });

  it("does not pass a check when GitHub listed fewer files than the pull request changes", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened", { changedFiles: 3500 });
    expectCheckFlow(github, payload, { status: 200, body: fileEntries(github, ["src/a.ts", "src/b.ts"]) });

    await receive(payload);

    const body = checkCompletion(github) as { conclusion: string; output: { summary: string } };
    expect(body.conclusion).toBe("neutral");
    expect(body.output.summary).toContain("3,498 changed files were not examined");
  });

  it("reports a draft as skipped, without listing its files", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened", { draft: true });
    github.installationToken(INSTALLATION_ID).on("POST", `${repoPath(payload)}/check-runs`, checkRunCreated(github));
    expectRepoConfig(github, payload);

    await receive(payload);

    expect(checkCompletion(github)).toMatchObject({ status: "completed", conclusion: "skipped" });
    expect(github.requestsTo("pulls/list-files")).toEqual([]);
  });

  it("reads its configuration from the default branch and reviews drafts when it says so", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened", { draft: true });
    expectMigrationReview(github, payload, {
      changed: [{ path: "db/migrations/0001_init.sql", text: "CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY);\n" }],
      config: "autoReview:\n  drafts: true\n",
    });

    await receive(payload);

    // The default branch (`HEAD:`), never the pull request's head.
    expect((github.requestsTo("graphql")[0]?.body as { variables: { config: string } }).variables.config).toBe("HEAD:.github/data-engineer.yml");
    expect(checkCompletion(github)).toMatchObject({ conclusion: "success" });
  });

  it("completes the check naming the key when the configuration is invalid, and reviews nothing", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    const repo = repoPath(payload);
    github.installationToken(INSTALLATION_ID).on("POST", `${repo}/check-runs`, checkRunCreated(github));
    expectRepoConfig(github, payload, "failOn: sometimes\nmaxInlineComment: 3\n");

    await receive(payload);

    const body = checkCompletion(github) as { conclusion: string; output: { title: string; summary: string } };
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
    github.installationToken(INSTALLATION_ID).on("POST", `${repo}/check-runs`, checkRunCreated(github));
    expectRepoConfig(github, labelled, "autoReview:\n  ignoreLabels: [no-db-review]\n");
    // The label counts: a maintainer applied it.
    expectLabelEvents(github, repo, labelled.pull_request.number, [{ label: "no-db-review", login: "maintainer" }]);
    expectPermission(github, repo, "maintainer", "maintain");
    await receive(labelled);
    expect(checkCompletion(github)).toMatchObject({ conclusion: "skipped", output: { title: "Not reviewed: configuration" } });
    github.assertDone();
    github.stop();

    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectMigrationReview(github, payload, {
      changed: [{ path: "schema/001_init.sql", text: "CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY);\n" }],
      config: "paths:\n  include: ['schema/**']\n",
      unrelated: ["db/x.sql"], // changed too, but outside the configured paths: never read
    });
    await receive(payload);
    expect(graphqlQueries(github).some((q) => q.includes("db/x.sql"))).toBe(false);
    expect(graphqlQueries(github).some((q) => q.includes("schema/001_init.sql"))).toBe(true);
  });

  it("reviews anyway when a skip label was applied by someone below commands.minPermission", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    (payload.pull_request as { labels?: Array<{ name: string }> }).labels = [{ name: "no-db-review" }];
    const repo = repoPath(payload);
    expectMigrationReview(github, payload, {
      changed: [
        { path: "db/migrations/000003_index_orders.up.sql", text: "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n" },
      ],
      config: "autoReview:\n  ignoreLabels: [no-db-review]\n",
      reviews: [reviewAccepted(github)],
    });
    // A triager (or an author allowed to label) cannot turn the required check into a skipped one.
    expectLabelEvents(github, repo, payload.pull_request.number, [{ label: "no-db-review", login: "drive-by" }]);
    expectPermission(github, repo, "drive-by", "triage");
    const logs = captureLogs();
    await receive(payload, "delivery-1", logs);
    expect(checkCompletion(github)).not.toMatchObject({ conclusion: "skipped" });
    expect(github.requestsTo("pulls/create-review")).toHaveLength(1);
    expect(logs.records.find((r) => r.msg === "label not applied by a permitted user; reviewing anyway")).toMatchObject({
      label: "no-db-review",
      appliedBy: "drive-by",
    });
  });

  it("reviews a pull request once it is ready for review", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("ready_for_review");
    expectMigrationReview(github, payload, {
      changed: [
        {
          path: "alembic/versions/1a2b_add_orders.py",
          text: 'revision = "1a2b"\ndown_revision = None\n\ndef upgrade():\n    op.add_column("orders", sa.Column("note", sa.Text()))\n\ndef downgrade():\n    pass\n',
        },
      ],
      reviews: [reviewAccepted(github)],
    });

    await receive(payload);

    expect(github.requestsTo("pulls/create-review")[0]?.body).toMatchObject({ body: expect.stringContaining("empty-rollback") });
  });

  it("ignores pull request actions that do not change the head", async () => {
    github = new FakeGitHub();
    await receive(pullRequestEvent("labeled"));
    expect(github.requests).toHaveLength(0);
  });

  it("tags its logs with the delivery id and never logs the token or file contents", async () => {
    github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectMigrationReview(github, payload, {
      changed: [{ path: "db/migrations/0002_secret.sql", text: "CREATE TABLE IF NOT EXISTS very_secret_table_name (id bigint PRIMARY KEY);\n" }],
    });
    const logs = captureLogs("info");

    await receive(payload, "7c1e5a10-delivery", logs);

    const completed = logs.records.find((r) => r.msg === "check run completed");
    expect(completed).toMatchObject({ deliveryId: "7c1e5a10-delivery", pr: 2, conclusion: "success" });
    expect(logs.text()).not.toContain("ghs_test-installation-token");
    expect(logs.text()).not.toContain("very_secret_table_name");
    expect(logs.records.find((r) => r.msg === "review queued")).toMatchObject({ deliveryId: "7c1e5a10-delivery" });
  });
});
