import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { FakeGitHub, type FakeReply, type RecordedRequest } from "../helpers/fake-github.js";
import {
  addedPatch,
  checkRunReply,
  expectRepoConfigRest,
  fileEntries,
  pullRequestEvent,
  repoPath,
  reviewAccepted,
  reviewRejected,
  type PullRequestPayload,
} from "../helpers/pull-request-scenario.js";

/**
 * `data-engineer review --github`, as a GitHub Actions job runs it: a real `pull_request` payload
 * in the file GITHUB_EVENT_PATH names, the pull request's head commit in a local git checkout, and
 * GitHub faked at the HTTP level (every request and answer checked against its OpenAPI
 * description). The migration files are read from the checkout, never from the API.
 */

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const UP = "db/migrations/000002_index.up.sql";
const UP_TEXT = "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n";
const TOKEN = "ghs_workflow-token";

const work = mkdtempSync(join(tmpdir(), "de-ci-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A checkout whose HEAD is the pull request's head commit: the base, then the pull request's change. */
function checkout(branch: Record<string, string>): { dir: string; headSha: string } {
  const dir = mkdtempSync(join(work, "repo-"));
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { env: { ...process.env, ...GIT_ENV }, stdio: "pipe", encoding: "utf8" });
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  git("init", "-q", "-b", "master");
  write({
    "README.md": "# Hello\n",
    "db/migrations/000001_init.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz);\n",
    "db/migrations/000001_init.down.sql": "DROP TABLE orders;\n",
  });
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  write(branch);
  git("add", "-A");
  git("commit", "-q", "-m", "change");
  return { dir, headSha: git("rev-parse", "HEAD").trim() };
}

/** The real `pull_request.opened` example, its head moved to the checkout's commit, written where GITHUB_EVENT_PATH points. */
function eventFile(headSha: string): { payload: PullRequestPayload; path: string } {
  const payload = pullRequestEvent("opened");
  payload.pull_request.head.sha = headSha;
  const path = join(mkdtempSync(join(work, "event-")), "event.json");
  writeFileSync(path, JSON.stringify(payload));
  return { payload, path };
}

function actionsEnv(payload: PullRequestPayload, eventPath: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const files = mkdtempSync(join(work, "files-"));
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: payload.repository.full_name,
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "4242",
    GITHUB_OUTPUT: join(files, "output"),
    GITHUB_STEP_SUMMARY: join(files, "summary"),
    ...extra,
  };
}

async function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["review", "--github", ...args], { out: (t) => out.push(t), err: (t) => err.push(t), cwd, env });
  return { code, out: out.join(""), err: err.join("") };
}

interface CiScenario {
  /** The files the pull request changes, with their text at the head (listed with an added-file patch). */
  changed: Array<{ path: string; text: string }>;
  /** Bodies of review comments posted before (by a bot). */
  posted?: string[];
  /** GitHub's answers to review posts, in order. */
  reviews?: Array<(body: Record<string, unknown>) => FakeReply>;
  /** The answer to creating the check run; GitHub's 201 by default. */
  createCheck?: (request: RecordedRequest) => FakeReply;
  /** Expect the completion of check run 7 (false when a status replaces it). */
  completeCheck?: boolean;
  /** Expect the configuration to be read from the repository (false with --config). */
  readsConfig?: boolean;
}

/** What the publisher asks of GitHub; the migration files are not among it (they come from the checkout). */
function expectCiReview(github: FakeGitHub, payload: PullRequestPayload, scenario: CiScenario): void {
  const repo = repoPath(payload);
  const number = payload.pull_request.number;
  github.on(
    "POST",
    `${repo}/check-runs`,
    scenario.createCheck ?? ((req) => checkRunReply(github, 201, 7, req.body as Record<string, unknown>, "github-actions")),
  );
  if (scenario.readsConfig ?? true) expectRepoConfigRest(github, payload);
  const listed = fileEntries(
    github,
    scenario.changed.map((f) => f.path),
  ).map((entry, i) => ({ ...(entry as Record<string, unknown>), patch: addedPatch(scenario.changed[i]?.text ?? "") }));
  github.on("GET", `${repo}/pulls/${number}/files`, { status: 200, body: listed });
  if (scenario.reviews !== undefined) {
    const [comment] = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments", 200) as Array<
      Record<string, unknown> & { user: Record<string, unknown> }
    >;
    github.on("GET", `${repo}/pulls/${number}/comments`, {
      status: 200,
      body: (scenario.posted ?? []).map((body, i) => ({
        ...comment,
        id: 100 + i,
        body,
        user: { ...comment?.user, login: "github-actions[bot]", type: "Bot" },
      })),
    });
    github.on("GET", `${repo}/pulls/${number}/reviews`, { status: 200, body: [] });
    const pull = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200) as Record<string, unknown> & { head: Record<string, unknown> };
    github.on("GET", `${repo}/pulls/${number}`, {
      status: 200,
      body: { ...pull, requested_teams: [], head: { ...pull.head, sha: payload.pull_request.head.sha } },
    });
    for (const answer of scenario.reviews) github.on("POST", `${repo}/pulls/${number}/reviews`, (req) => answer(req.body as Record<string, unknown>));
  }
  if (scenario.completeCheck ?? true)
    github.on("PATCH", `${repo}/check-runs/7`, (req) => checkRunReply(github, 200, 7, req.body as Record<string, unknown>, "github-actions"));
}

function statusReply(github: FakeGitHub, request: RecordedRequest): FakeReply {
  const example = github.example("POST", "/repos/{owner}/{repo}/statuses/{sha}", 201) as Record<string, unknown>;
  const sent = request.body as { state: string; description?: string; context?: string; target_url?: string };
  return {
    status: 201,
    body: { ...example, state: sent.state, description: sent.description ?? null, context: sent.context ?? "default", target_url: sent.target_url ?? null },
  };
}

const FORBIDDEN: FakeReply = {
  status: 403,
  body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest/checks/runs#create-a-check-run", status: "403" },
  undocumented: "GitHub answers 403 when the token lacks the permission (a workflow token without checks: write)",
};

/** GitHub's example `push` payload (it has no action, which webhookExample() looks up by). */
function pushPayload(): unknown {
  const all = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{ name: string; examples: unknown[] }>;
  return all.find((e) => e.name === "push")?.examples[0];
}

const outputsOf = (env: NodeJS.ProcessEnv) => readFileSync(env.GITHUB_OUTPUT ?? "", "utf8");

let github: FakeGitHub;
beforeEach(() => {
  github = new FakeGitHub();
});

describe("data-engineer review --github", () => {
  it("publishes one review and the check run for the event's pull request, reading the migrations from the checkout", async () => {
    const { dir, headSha } = checkout({ [UP]: UP_TEXT });
    const { payload, path } = eventFile(headSha);
    const env = actionsEnv(payload, path);
    expectCiReview(github, payload, { changed: [{ path: UP, text: UP_TEXT }], reviews: [reviewAccepted(github)] });

    const ran = await run(["--fail-on", "warning"], dir, env);

    github.assertDone();
    expect(ran.err).toBe("");
    expect(ran.code).toBe(1);
    expect(ran.out).toMatch(new RegExp(`^Check run "data-engineer" on #2 \\(${headSha.slice(0, 7)}\\): failure — `));

    const [create] = github.requestsTo("checks/create");
    expect(create?.body).toMatchObject({ name: "data-engineer", head_sha: headSha, status: "in_progress" });
    expect(String(create?.headers.authorization)).toContain(TOKEN);
    expect(String(create?.headers["user-agent"])).toMatch(/^data-engineer\/\d+\.\d+\.\d+ \(review --github\)/);

    const reviews = github.requestsTo("pulls/create-review");
    expect(reviews).toHaveLength(1);
    const posted = reviews[0]?.body as { commit_id: string; event: string; comments: Array<{ path: string; line: number; side: string }> };
    expect(posted.commit_id).toBe(headSha);
    expect(posted.comments.map((c) => `${c.path}:${c.line}:${c.side}`)).toContain(`${UP}:2:RIGHT`);

    const [completion] = github.requestsTo("checks/update");
    const completed = completion?.body as { conclusion: string; output: { annotations?: unknown[] }; actions?: unknown };
    expect(completed.conclusion).toBe("failure");
    expect(completed.output.annotations?.length).toBeGreaterThan(0);
    // Only the app that created a check run receives its button's clicks: a workflow's goes without.
    expect(completed.actions).toBeUndefined();

    // The files came from the checkout: the only contents read is the configuration of the default branch.
    for (const request of github.requestsTo("repos/get-content")) expect(request.path).toMatch(/data-engineer\.yml$/);
    expect(github.requestsTo("repos/download-tarball-archive")).toEqual([]);

    const outputs = outputsOf(env);
    const findings = Number(/^findings=(\d+)$/m.exec(outputs)?.[1]);
    expect(findings).toBeGreaterThanOrEqual(2); // require-concurrent-index and missing-rollback, at least
    expect(outputs).toBe(`findings=${findings}\nconclusion=failure\n`);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY ?? "", "utf8")).toMatch(/^### data-engineer: /);
  });

  it("follows the app's re-review rule: findings posted before are not posted again", async () => {
    const { dir, headSha } = checkout({ [UP]: UP_TEXT });
    const { payload, path } = eventFile(headSha);
    expectCiReview(github, payload, { changed: [{ path: UP, text: UP_TEXT }], reviews: [reviewAccepted(github)] });
    expect((await run([], dir, actionsEnv(payload, path))).err).toBe("");
    github.assertDone();
    const first = github.requestsTo("pulls/create-review")[0]?.body as { comments: Array<{ body: string }> };

    // The next run of the workflow on the same head sees its own comments and posts no second review.
    github.stop();
    const again = new FakeGitHub();
    expectCiReview(again, payload, { changed: [{ path: UP, text: UP_TEXT }], reviews: [], posted: first.comments.map((c) => c.body) });
    const env = actionsEnv(payload, path);
    const ran = await run([], dir, env);
    again.assertDone();
    expect(again.requestsTo("pulls/create-review")).toEqual([]);
    expect(again.requestsTo("checks/update")).toHaveLength(1);
    // Nothing is posted twice, but the verdict stands: the index built without CONCURRENTLY on the
    // existing orders table is an error (a SHARE lock for the whole build), and failOn is errors.
    expect(ran.code).toBe(1);
    expect(outputsOf(env)).toMatch(/^findings=[1-9]\d*\nconclusion=failure\n$/);
  });

  it("follows the app's 422 rule: rejected inline comments move into the review body", async () => {
    const { dir, headSha } = checkout({ [UP]: UP_TEXT });
    const { payload, path } = eventFile(headSha);
    expectCiReview(github, payload, { changed: [{ path: UP, text: UP_TEXT }], reviews: [() => reviewRejected(), reviewAccepted(github)] });

    const ran = await run([], dir, actionsEnv(payload, path));

    github.assertDone();
    expect(ran.err).toBe("");
    const [first, second] = github.requestsTo("pulls/create-review").map((r) => r.body as { body: string; comments: unknown[] });
    expect(first?.comments.length).toBeGreaterThan(0);
    expect(second?.comments).toEqual([]);
    expect(second?.body).toContain(UP);
  });

  it("falls back to a commit status when the token may not create check runs (403), and still posts the review", async () => {
    const { dir, headSha } = checkout({ [UP]: UP_TEXT });
    const { payload, path } = eventFile(headSha);
    const repo = repoPath(payload);
    expectCiReview(github, payload, {
      changed: [{ path: UP, text: UP_TEXT }],
      reviews: [reviewAccepted(github)],
      createCheck: () => FORBIDDEN,
      completeCheck: false,
    });
    github.on("POST", `${repo}/statuses/${headSha}`, (req) => statusReply(github, req), 2);
    const env = actionsEnv(payload, path);

    const ran = await run(["--fail-on", "warning"], dir, env);

    github.assertDone();
    expect(ran.err).toBe("");
    expect(ran.code).toBe(1);
    expect(ran.out).toMatch(/^Commit status "data-engineer" on #2 \(\w{7}\): failure — /);
    expect(ran.out).toContain("checks: write");
    const statuses = github
      .requestsTo("repos/create-commit-status")
      .map((r) => r.body as { state: string; context: string; description: string; target_url: string });
    expect(statuses.map((s) => s.state)).toEqual(["pending", "failure"]);
    for (const status of statuses) {
      expect(status.context).toBe("data-engineer");
      expect(status.target_url).toBe(`https://github.com/${payload.repository.full_name}/actions/runs/4242`);
      expect(status.description.length).toBeGreaterThan(0);
      expect(status.description.length).toBeLessThanOrEqual(140);
    }
    expect(github.requestsTo("pulls/create-review")).toHaveLength(1);
    expect(github.requestsTo("checks/update")).toEqual([]);
    expect(outputsOf(env)).toMatch(/\nconclusion=failure\n$/);
  });

  it("publishes nothing with a read-only token (a fork's pull request), and shows the review and the verdict in the job instead", async () => {
    const { dir, headSha } = checkout({ [UP]: UP_TEXT });
    const { payload, path } = eventFile(headSha);
    const readOnly: FakeReply = { ...FORBIDDEN, undocumented: "a read-only token (a pull request from a fork) may not set statuses" };
    expectCiReview(github, payload, { changed: [{ path: UP, text: UP_TEXT }], reviews: [], createCheck: () => FORBIDDEN, completeCheck: false });
    github.on("POST", `${repoPath(payload)}/statuses/${headSha}`, readOnly);
    const env = actionsEnv(payload, path);

    const ran = await run(["--fail-on", "warning"], dir, env);

    github.assertDone();
    expect(ran.err).toBe("");
    expect(github.requestsTo("pulls/create-review")).toEqual([]);
    expect(ran.out).toMatch(/^::warning title=data-engineer::GitHub refused the check run and the commit status \(HTTP 403\)/);
    expect(ran.out).toContain(`--- ${UP}:2`);
    expect(ran.out).toContain("--- review body");
    // The job still fails like the check would.
    expect(ran.code).toBe(1);
    expect(outputsOf(env)).toMatch(/\nconclusion=failure\n$/);
  });

  it("reaches GitHub Enterprise Server at GITHUB_API_URL, and reports a pull request without migrations as passing", async () => {
    const ghes = new FakeGitHub({ baseUrl: "https://ghe.example.com/api/v3", spec: "ghes-3.19" });
    github.stop();
    const { dir, headSha } = checkout({ "README.md": "# Hello, again\n" });
    const { payload, path } = eventFile(headSha);
    expectCiReview(ghes, payload, { changed: [{ path: "README.md", text: "# Hello, again\n" }] });
    const env = actionsEnv(payload, path, { GITHUB_API_URL: "https://ghe.example.com/api/v3", GITHUB_SERVER_URL: "https://ghe.example.com" });

    const ran = await run([], dir, env);

    ghes.assertDone();
    expect(ran.code).toBe(0);
    expect(ran.out).toContain(": success — No migration or SQL changes");
    expect(outputsOf(env)).toBe("findings=0\nconclusion=success\n");
  });

  it("reviews with --config FILE instead of the default branch's configuration, and writes SARIF with --sarif", async () => {
    // Warnings only: the default configuration passes them; this file fails on them.
    const { dir, headSha } = checkout({ [UP]: UP_TEXT, "ci/data-engineer.yml": "failOn: warning\n" });
    const { payload, path } = eventFile(headSha);
    expectCiReview(github, payload, { changed: [{ path: UP, text: UP_TEXT }], reviews: [reviewAccepted(github)], readsConfig: false });
    const env = actionsEnv(payload, path);

    const ran = await run(["--config", "ci/data-engineer.yml", "--sarif", "data-engineer.sarif"], dir, env);

    github.assertDone();
    expect(ran.code).toBe(1);
    expect(outputsOf(env)).toMatch(/\nconclusion=failure\n$/);
    const sarif = JSON.parse(readFileSync(join(dir, "data-engineer.sarif"), "utf8")) as {
      runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
    };
    const results = sarif.runs[0]?.results ?? [];
    expect(results.map((r) => r.ruleId)).toContain("require-concurrent-index");
    expect(results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri)).toContain(UP);
  });
});

describe("data-engineer review --github with an incomplete environment", () => {
  const { dir, headSha } = checkout({ [UP]: UP_TEXT });
  const { payload, path } = eventFile(headSha);

  async function refused(env: NodeJS.ProcessEnv, args: string[] = [], cwd = dir): Promise<string> {
    const ran = await run(args, cwd, env);
    expect(ran.code).toBe(2);
    expect(ran.out).toBe("");
    // One readable line, and GitHub never asked.
    expect(ran.err.trimEnd().split("\n")).toHaveLength(1);
    expect(github.requests).toEqual([]);
    return ran.err;
  }

  it("names the variables that are not set", async () => {
    const env = actionsEnv(payload, path);
    delete env.GITHUB_TOKEN;
    expect(await refused(env)).toMatch(/^data-engineer review --github: GITHUB_TOKEN is not set/);
    delete env.GITHUB_EVENT_PATH;
    expect(await refused(env)).toContain("GITHUB_TOKEN, GITHUB_EVENT_PATH are not set");
  });

  it("names an event file that does not exist", async () => {
    const missing = join(work, "no-such-event.json");
    expect(existsSync(missing)).toBe(false);
    expect(await refused(actionsEnv(payload, missing))).toContain(`GITHUB_EVENT_PATH names ${missing}, which cannot be read`);
  });

  it("refuses an event that is not a pull_request", async () => {
    const push = join(work, "push.json");
    writeFileSync(push, JSON.stringify(pushPayload()));
    expect(await refused(actionsEnv(payload, push, { GITHUB_EVENT_NAME: "push" }))).toContain("the workflow ran on a push event, not a pull_request event");
    expect(await refused(actionsEnv(payload, push, { GITHUB_EVENT_NAME: "" }))).toContain("carries no pull_request");
  });

  it("says how to check out the head commit when the checkout lacks it", async () => {
    const other = checkout({ "db/other.sql": "SELECT 1;\n" });
    expect(await refused(actionsEnv(payload, path), [], other.dir)).toContain(`head commit ${headSha.slice(0, 12)} is not in the git checkout`);
  });

  it("refuses options that only a local review takes, a bad --fail-on and an unreadable --config", async () => {
    const env = actionsEnv(payload, path);
    expect(await refused(env, ["--base", "main"])).toContain("--base cannot be used with --github");
    expect(await refused(env, ["--fail-on", "sometimes"])).toContain('--fail-on must be one of error, warning, never, not "sometimes"');
    expect(await refused(env, ["--config", "no-such.yml"])).toContain("no-such.yml: cannot be read");
  });
});
