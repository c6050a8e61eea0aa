import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_AGENT_MODEL, type AgentRuntime } from "../../src/agent/agent-review.js";
import { createGeminiClient } from "../../src/agent/model/model-client.js";
import { BUNDLED_AGENT_FILE, createAgentRuntime } from "../../src/agent/runtime.js";
import { CommandRateLimiter } from "../../src/commands/rate-limit.js";
import { REPLY_MARKER } from "../../src/commands/replies.js";
import { PAUSED_LABEL } from "../../src/review/auto-review.js";
import { fakeGemini, type FakeGemini } from "../helpers/fake-gemini.js";
import { fileContentAnswer } from "../helpers/contents-answer.js";
import { FakeGitHub, type FakeReply } from "../helpers/fake-github.js";
import { captureLogs, createTestProbot } from "../helpers/probot.js";
import {
  checkCompletion,
  checkRunCreated,
  checkRunReply,
  expectRepoConfig,
  expectHeadTarball,
  expectMigrationReview,
  expectRepoConfigRest,
  fileEntries,
  pullRequestEvent,
  repoPath,
  reviewAccepted,
  type HeadFile,
  type PullRequestPayload,
  expectLabelEvents,
} from "../helpers/pull-request-scenario.js";
import { INSTALLATION_ID, webhookExample } from "../helpers/webhooks.js";

/**
 * `/data-engineer` commands end to end: real webhook payloads (edited copies of
 * @octokit/webhooks-examples) through Probot, GitHub faked at HTTP level and checked against its
 * OpenAPI description, Gemini scripted at its REST endpoint.
 */

interface Account {
  login: string;
  type: string;
}

interface IssueCommentPayload {
  action: string;
  issue: { number: number; pull_request?: Record<string, unknown> };
  comment: { id: number; body: string; user: Account };
  sender: Account;
  repository: { name: string; full_name: string; owner: { login: string } };
}

interface ReviewCommentPayload {
  action: string;
  comment: { id: number; body: string; user: Account; path: string; line?: number | null; diff_hunk: string; in_reply_to_id?: number };
  pull_request: { number: number; html_url: string; head: { sha: string } };
  sender: Account;
}

/** The pull request the comments are on: the pull_request example's (same repository, #2). */
const pr = pullRequestEvent("opened");
const REPO = repoPath(pr);
const NUMBER = pr.pull_request.number;
const HEAD = pr.pull_request.head.sha;

function issueComment(body: string, options: { action?: string; as?: Account; onIssue?: boolean } = {}): IssueCommentPayload {
  const payload = webhookExample<IssueCommentPayload>("issue_comment", options.action ?? "created");
  payload.issue.number = NUMBER;
  if (!options.onIssue) {
    payload.issue.pull_request = {
      url: `https://api.github.com${REPO}/pulls/${NUMBER}`,
      html_url: `https://github.com/${pr.repository.full_name}/pull/${NUMBER}`,
      diff_url: `https://github.com/${pr.repository.full_name}/pull/${NUMBER}.diff`,
      patch_url: `https://github.com/${pr.repository.full_name}/pull/${NUMBER}.patch`,
      merged_at: null,
    };
  }
  payload.comment.body = body;
  if (options.as) {
    payload.comment.user = { ...payload.comment.user, ...options.as };
    payload.sender = { ...payload.sender, ...options.as };
  }
  return payload;
}

function reviewComment(body: string, changes: { path?: string; line?: number; hunk?: string; inReplyTo?: number } = {}): ReviewCommentPayload {
  const payload = webhookExample<ReviewCommentPayload>("pull_request_review_comment", "created");
  payload.comment.body = body;
  if (changes.path) payload.comment.path = changes.path;
  if (changes.line !== undefined) payload.comment.line = changes.line;
  if (changes.hunk) payload.comment.diff_hunk = changes.hunk;
  if (changes.inReplyTo !== undefined) payload.comment.in_reply_to_id = changes.inReplyTo;
  return payload;
}

let github: FakeGitHub;
let gemini: FakeGemini | undefined;

beforeEach(() => {
  github = new FakeGitHub();
  gemini = undefined;
});

afterEach(() => {
  gemini?.stop();
  github.stop();
  github.assertDone();
});

interface ReceiveOptions {
  agent?: AgentRuntime;
  limiter?: CommandRateLimiter;
  id?: string;
}

/**
 * The app as it runs (createTestProbot loads createDataEngineerApp), receiving one event; with a
 * limiter of the test's own (rate-limit tests), the pull request and command handlers alone.
 */
async function receive(name: "issue_comment" | "pull_request_review_comment" | "pull_request", payload: object, options: ReceiveOptions = {}) {
  const logs = captureLogs();
  const probot = await createTestProbot({
    log: logs.log,
    ...(options.agent ? { agent: options.agent } : {}),
    ...(options.limiter ? { commandLimiter: options.limiter } : {}),
  });
  await probot.receive({ id: options.id ?? "delivery-command", name, payload: payload as never });
  return logs;
}

const notFound: FakeReply = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };

function permissionReply(permission: string, roleName: string): FakeReply {
  const example = github.example("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", 200) as Record<string, unknown> & {
    user: Record<string, unknown>;
  };
  // GitHub's example lacks the user's `role_name` its schema requires.
  return { status: 200, body: { ...example, permission, role_name: roleName, user: { ...example.user, login: "Codertocat", role_name: roleName } } };
}

/**
 * The gate: the installation token, the commenter's permission, the configuration (not read when
 * `readsConfig` is false: a commenter below write, or a failed permission lookup).
 */
function expectGate(options: { config?: string; permission?: FakeReply; token?: boolean; login?: string; readsConfig?: boolean } = {}): void {
  if (options.token ?? true) github.installationToken(INSTALLATION_ID);
  if (options.readsConfig ?? true) expectRepoConfigRest(github, pr, options.config);
  github.on("GET", `${REPO}/collaborators/${options.login ?? "Codertocat"}/permission`, options.permission ?? permissionReply("write", "write"));
}

function expectReaction(kind: "issue" | "review", id: number): void {
  const path = kind === "issue" ? `${REPO}/issues/comments/${id}/reactions` : `${REPO}/pulls/comments/${id}/reactions`;
  const template =
    kind === "issue" ? "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions" : "/repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions";
  github.on("POST", path, { status: 201, body: { ...(github.example("POST", template, 201) as object), content: "eyes" } });
}

function expectReply(): void {
  github.on("POST", `${REPO}/issues/${NUMBER}/comments`, (req) => ({
    status: 201,
    body: { ...(github.example("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 201) as object), body: (req.body as { body: string }).body },
  }));
}

function expectThreadReply(commentId: number): void {
  github.on("POST", `${REPO}/pulls/${NUMBER}/comments/${commentId}/replies`, (req) => ({
    status: 201,
    body: {
      ...(github.example("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", 201) as object),
      body: (req.body as { body: string }).body,
    },
  }));
}

/** GET the pull request, as the command reads it (state, head, labels). */
function expectPullRequest(changes: { state?: "open" | "closed"; merged?: boolean } = {}): void {
  const pull = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200) as Record<string, unknown> & { head: Record<string, unknown> };
  github.on("GET", `${REPO}/pulls/${NUMBER}`, {
    status: 200,
    body: { ...pull, number: NUMBER, state: changes.state ?? "open", merged: changes.merged ?? false, requested_teams: [], head: { ...pull.head, sha: HEAD } },
  });
}

function replies(): string[] {
  return [...github.requestsTo("issues/create-comment"), ...github.requestsTo("pulls/create-reply-for-review-comment")].map(
    (r) => (r.body as { body: string }).body,
  );
}

function onlyReply(): string {
  const all = replies();
  expect(all).toHaveLength(1);
  const body = all[0] ?? "";
  expect(body.startsWith(`${REPLY_MARKER}\n@Codertocat `)).toBe(true);
  return body;
}

const UP = "db/migrations/000003_index_orders.up.sql";
const MIGRATIONS: HeadFile[] = [
  { path: UP, text: "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n" },
  { path: "db/migrations/000004_drop_legacy.up.sql", text: "SET lock_timeout = '2s';\nDROP SCHEMA legacy;\n" },
];

const settings = { backend: "gemini-api" as const, apiKey: "test-gemini-key", tokenBudget: 400_000 };
function agentRuntime(): AgentRuntime {
  gemini = fakeGemini({ model: DEFAULT_AGENT_MODEL });
  return createAgentRuntime(settings, createGeminiClient(settings, { sleep: () => Promise.resolve() }), BUNDLED_AGENT_FILE);
}

describe("/data-engineer review and full-review", () => {
  it("reviews the head on request: 👀, then the check run and the review, and no reply", async () => {
    const payload = issueComment("/data-engineer review");
    expectGate({ token: false });
    expectReaction("issue", payload.comment.id);
    expectPullRequest();
    expectMigrationReview(github, pr, { rest: true, headRead: true, changed: MIGRATIONS, reviews: [reviewAccepted(github)] });

    const logs = await receive("issue_comment", payload);

    expect(github.requestsTo("reactions/create-for-issue-comment")[0]?.body).toEqual({ content: "eyes" });
    expect(github.requestsTo("checks/create")[0]?.body).toMatchObject({ head_sha: HEAD, status: "in_progress" });
    const review = github.requestsTo("pulls/create-review")[0]?.body as { comments: unknown[] };
    expect(review.comments.length).toBeGreaterThan(0);
    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "failure" });
    expect(replies()).toEqual([]);
    const accepted = logs.records.find((r) => r.msg === "command accepted");
    expect(accepted).toMatchObject({
      deliveryId: "delivery-command",
      repo: pr.repository.full_name,
      pr: NUMBER,
      command: "review",
      commenter: "Codertocat",
      role: "write",
    });
    expect(logs.text()).not.toContain("ghs_test-installation-token");
  });

  it("reviews incrementally, but full-review posts again the findings an earlier review posted", async () => {
    // The first review, on the pull_request event.
    expectMigrationReview(github, pr, { changed: MIGRATIONS, reviews: [reviewAccepted(github)] });
    await receive("pull_request", pr);
    const posted = (github.requestsTo("pulls/create-review")[0]?.body as { comments: Array<{ body: string }> }).comments.map((c) => c.body);
    expect(posted.length).toBeGreaterThan(0);
    github.assertDone();
    github.stop();

    github = new FakeGitHub();
    expectGate({ token: false });
    expectReaction("issue", 492700400);
    expectPullRequest();
    expectMigrationReview(github, pr, { rest: true, headRead: true, changed: MIGRATIONS, posted });
    await receive("issue_comment", issueComment("/data-engineer review"));
    // Nothing new to say: no review at all, and the check run still gives the verdict.
    expect(github.requestsTo("pulls/create-review")).toEqual([]);
    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "failure" });
    github.assertDone();
    github.stop();

    github = new FakeGitHub();
    expectGate({ token: false });
    expectReaction("issue", 492700400);
    expectPullRequest();
    expectMigrationReview(github, pr, { rest: true, headRead: true, changed: MIGRATIONS, posted, reviews: [reviewAccepted(github)] });
    await receive("issue_comment", issueComment("/data-engineer full-review"));
    const again = (github.requestsTo("pulls/create-review")[0]?.body as { comments: Array<{ body: string }> }).comments.map((c) => c.body);
    expect(again).toEqual(posted);
    // full-review does not even read what was posted before (the scenario offered it).
    expect(github.requestsTo("pulls/list-review-comments")).toEqual([]);
    expect(github.problems).toEqual([]);
    github.stop();
    github = new FakeGitHub();
  });

  it("reviews a paused or draft pull request when asked", async () => {
    const payload = issueComment("/data-engineer");
    expectGate();
    expectReaction("issue", payload.comment.id);
    const pull = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200) as Record<string, unknown> & {
      head: Record<string, unknown>;
      labels: Array<Record<string, unknown>>;
    };
    github.on("GET", `${REPO}/pulls/${NUMBER}`, {
      status: 200,
      body: {
        ...pull,
        number: NUMBER,
        draft: true,
        changed_files: 1,
        requested_teams: [],
        labels: [{ ...pull.labels[0], name: PAUSED_LABEL }],
        head: { ...pull.head, sha: HEAD },
      },
    });
    github
      .on("POST", `${REPO}/check-runs`, (req) => checkRunReply(github, 201, 7, req.body as Record<string, unknown>))
      .on("GET", `${REPO}/pulls/${NUMBER}/files`, { status: 200, body: fileEntries(github, ["README.md"], "modified") })
      .on("PATCH", `${REPO}/check-runs/7`, (req) => checkRunReply(github, 200, 7, req.body as Record<string, unknown>));
    expectRepoConfigRest(github, pr);

    await receive("issue_comment", payload);

    expect(github.requestsTo("checks/update")[0]?.body).toMatchObject({ conclusion: "success", output: { title: "No migration or SQL changes" } });
  });

  it("says a closed pull request is not reviewed", async () => {
    const payload = issueComment("/data-engineer review");
    expectGate();
    expectReaction("issue", payload.comment.id);
    expectPullRequest({ state: "closed", merged: true });
    expectReply();

    await receive("issue_comment", payload);

    expect(onlyReply()).toContain("this pull request is merged, so it is not reviewed again");
    expect(github.requestsTo("checks/create")).toEqual([]);
  });

  it("replies with the reason when the review cannot start", async () => {
    const payload = issueComment("/data-engineer review");
    expectGate();
    expectReaction("issue", payload.comment.id);
    github.on("GET", `${REPO}/pulls/${NUMBER}`, {
      status: 500,
      body: { message: "Server Error", documentation_url: "https://docs.github.com/rest" },
      undocumented: "any endpoint can fail",
    });
    expectReply();

    await receive("issue_comment", payload);

    expect(onlyReply()).toContain(
      `\`/data-engineer review\` failed: GitHub answered HTTP 500 while reading pull request \\#${NUMBER} \\(GET ${REPO}/pulls/${NUMBER}\\): Server Error`,
    );
  });
});

describe("/data-engineer ask", () => {
  it("says the agent is not configured without a Gemini key", async () => {
    const payload = issueComment("/data-engineer ask Does anything still read orders.state?");
    expectGate();
    expectReaction("issue", payload.comment.id);
    expectReply();

    await receive("issue_comment", payload);

    expect(onlyReply()).toContain("the data-engineer agent is not configured on this installation");
  });

  it("answers with the agent, reading the head commit, and quotes the question without mentions", async () => {
    const agent = agentRuntime();
    const payload = issueComment("/data-engineer ask Does @octocat's worker still write orders.state?\nIt runs hourly.");
    expectGate();
    expectReaction("issue", payload.comment.id);
    expectPullRequest();
    github.on("GET", `${REPO}/pulls/${NUMBER}/files`, { status: 200, body: fileEntries(github, [UP, "app/worker.py"]) });
    const codeload = expectHeadTarball(github, pr, [...MIGRATIONS, { path: "app/worker.py", text: "order.state = 'done'\n" }]);
    gemini?.reply(
      { call: { name: "grep_search", args: { pattern: "state" } } },
      { call: { name: "submit_answer", args: { answer: "Yes: `app/worker.py:1` writes `state`. Ask @octocat to move it." } } },
    );
    expectReply();

    await receive("issue_comment", payload, { agent });
    gemini?.assertDone();
    expect(codeload.isDone()).toBe(true);

    const body = onlyReply();
    expect(body).toContain("Yes: `app/worker.py:1` writes `state`.");
    expect(body).toContain("> Does @&#8203;octocat's worker still write orders.state?…");
    expect(body).toContain("Ask @&#8203;octocat to move it.");
    expect(body).not.toMatch(/@octocat/);
    expect(body).toContain(`data-engineer agent · \`${DEFAULT_AGENT_MODEL}\` · 2 turns`);
    const task = gemini?.requests[0]?.contents[0]?.parts?.map((p) => p.text).join("") ?? "";
    expect(task).toContain("Does @octocat's worker still write orders.state?\nIt runs hourly.");
    expect(task).toContain("app/worker.py");
  });

  it("answers a question asked on a line in that line's thread, with the line and its hunk", async () => {
    const agent = agentRuntime();
    const hunk = "@@ -0,0 +1,2 @@\n+SET lock_timeout = '2s';\n+CREATE INDEX orders_created_idx ON orders (created_at);";
    const payload = reviewComment("/data-engineer ask How long does this lock orders?", { path: UP, line: 2, hunk });
    expectGate();
    expectReaction("review", payload.comment.id);
    expectPullRequest();
    github.on("GET", `${REPO}/pulls/${NUMBER}/files`, { status: 200, body: fileEntries(github, [UP]) });
    expectHeadTarball(github, pr, MIGRATIONS);
    gemini?.reply({ call: { name: "submit_answer", args: { answer: "For the whole build: writes wait." } } });
    expectThreadReply(payload.comment.id);

    await receive("pull_request_review_comment", payload, { agent });
    gemini?.assertDone();

    const body = onlyReply();
    expect(body).toContain("For the whole build: writes wait.");
    expect(github.requestsTo("reactions/create-for-pull-request-review-comment")[0]?.body).toEqual({ content: "eyes" });
    expect(github.requestsTo("issues/create-comment")).toEqual([]);
    const task = gemini?.requests[0]?.contents[0]?.parts?.map((p) => p.text).join("") ?? "";
    expect(task).toContain(`The question was asked on ${UP} line 2`);
    expect(task).toContain("+CREATE INDEX orders_created_idx ON orders (created_at);");
  });

  it("replies to the thread's first comment when the command is itself a reply", async () => {
    const payload = reviewComment("/data-engineer ask why?", { inReplyTo: 1000 });
    expectGate();
    expectReaction("review", payload.comment.id);
    expectThreadReply(1000);

    await receive("pull_request_review_comment", payload);

    expect(onlyReply()).toContain("not configured on this installation");
  });

  it("points other commands in a line's thread to the conversation", async () => {
    const payload = reviewComment("/data-engineer review");
    expectGate();
    expectThreadReply(payload.comment.id);

    await receive("pull_request_review_comment", payload);

    expect(onlyReply()).toContain(
      "only `/data-engineer ask` works in a line's thread. Write `/data-engineer review` in [the pull request's conversation](https://github.com/Codertocat/Hello-World/pull/2) instead.",
    );
    expect(github.requestsTo("reactions/create-for-pull-request-review-comment")).toEqual([]);
  });
});

describe("/data-engineer explain, config, help", () => {
  it("explains a known rule with its documentation page", async () => {
    const payload = issueComment("/data-engineer explain require-concurrent-index");
    expectGate();
    expectReaction("issue", payload.comment.id);
    expectReply();

    await receive("issue_comment", payload);

    const body = onlyReply();
    expect(body).toContain("### `require-concurrent-index`");
    expect(body).toContain("#### Problem");
    expect(body).toContain("CONCURRENTLY");
  });

  it("lists close matches for an unknown rule", async () => {
    const payload = issueComment("/data-engineer explain require-concurent-index");
    expectGate();
    expectReaction("issue", payload.comment.id);
    expectReply();

    await receive("issue_comment", payload);

    expect(onlyReply()).toContain("there is no rule `require-concurent-index`. Did you mean `require-concurrent-index`");
  });

  it("shows the configuration in effect and where each value comes from", async () => {
    const payload = issueComment("/data-engineer config");
    expectGate({ config: "failOn: warning\ncommands:\n  maxPerHour: 5\ntables:\n  orders: { large: true }\n" });
    expectReaction("issue", payload.comment.id);
    expectReply();

    await receive("issue_comment", payload);

    const body = onlyReply();
    expect(body).toContain("Read from `Codertocat/Hello-World:.github/data-engineer.yml` on its default branch (the repository's file)");
    expect(body).toContain("| `failOn` | the repository's file |");
    expect(body).toContain("| `commands` | the repository's file |");
    expect(body).toContain("| `maxInlineComments` | default |");
    expect(body).toContain("| `framework` | default (not set) |");
    expect(body).toMatch(/```yaml\n[\s\S]*failOn: warning\n[\s\S]*maxPerHour: 5\n[\s\S]*```/);
  });

  it("names the organisation's .github repository when the configuration comes from there", async () => {
    const payload = issueComment("/data-engineer config");
    github.installationToken(INSTALLATION_ID);
    const path = (repo: string) => new RegExp(`^${REPO.replace("Hello-World", repo.replace(".", "\\."))}/contents/\\.github(/|%2F)data-engineer\\.yml$`);
    github
      .on("GET", path("Hello-World"), notFound)
      .on("GET", path(".github"), fileContentAnswer("Codertocat", ".github", ".github/data-engineer.yml", "reviewEvent: REQUEST_CHANGES\n"));
    github.on("GET", `${REPO}/collaborators/Codertocat/permission`, permissionReply("admin", "admin"));
    expectReaction("issue", payload.comment.id);
    expectReply();

    await receive("issue_comment", payload);

    const body = onlyReply();
    expect(body).toContain("| `reviewEvent` | the organisation's `.github` repository |");
    expect(body).toContain("| `failOn` | default |");
  });

  it("answers help with the list of commands", async () => {
    const payload = issueComment("/data-engineer help");
    expectGate();
    expectReaction("issue", payload.comment.id);
    expectReply();

    await receive("issue_comment", payload);

    const body = onlyReply();
    for (const command of ["review", "full-review", "ask <question>", "explain <rule-id>", "config", "pause", "resume", "help"]) {
      expect(body).toContain(`\`/data-engineer ${command}\``);
    }
  });

  it.each([
    ["/data-engineer approve", "`approve` is not a command."],
    ["/data-engineer review --force", "`review` takes no arguments."],
  ])("answers %j with help and what was wrong", async (comment, problem) => {
    const payload = issueComment(comment);
    expectGate();
    expectReply();

    await receive("issue_comment", payload);

    const body = onlyReply();
    expect(body).toContain(problem);
    expect(body).toContain("| `/data-engineer help` | This list |");
    expect(github.requestsTo("reactions/create-for-issue-comment")).toEqual([]);
  });
});

describe("/data-engineer pause and resume", () => {
  it("pause adds the label", async () => {
    const payload = issueComment("/data-engineer pause");
    expectGate();
    expectReaction("issue", payload.comment.id);
    github.on("POST", `${REPO}/issues/${NUMBER}/labels`, {
      status: 200,
      body: github.example("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", 200),
    });
    expectReply();

    await receive("issue_comment", payload);

    expect(github.requestsTo("issues/add-labels")[0]?.body).toEqual({ labels: [PAUSED_LABEL] });
    expect(onlyReply()).toContain("automatic reviews of this pull request are paused");
  });

  it("resume removes it, and says when there was nothing to resume", async () => {
    const payload = issueComment("/data-engineer resume");
    const label = new RegExp(`^${REPO}/issues/${NUMBER}/labels/data-engineer(:|%3A)paused$`);
    expectGate();
    expectReaction("issue", payload.comment.id);
    github.on("DELETE", label, { status: 200, body: github.example("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", 200) });
    expectReply();
    await receive("issue_comment", payload);
    expect(github.requestsTo("issues/remove-label")).toHaveLength(1);
    expect(onlyReply()).toContain("automatic reviews of this pull request are resumed");
    github.assertDone();
    github.stop();

    github = new FakeGitHub();
    expectGate();
    expectReaction("issue", payload.comment.id);
    github.on("DELETE", label, notFound);
    expectReply();
    await receive("issue_comment", payload);
    expect(onlyReply()).toContain("were not paused");
  });

  it("gives a pull request with the label a skipped check that says how to resume", async () => {
    const payload = pullRequestEvent("synchronize") as PullRequestPayload & { pull_request: { labels: Array<Record<string, unknown>> } };
    payload.pull_request.labels = [
      {
        ...(payload.pull_request.labels[0] ?? { id: 1, node_id: "L", url: "https://api.github.com/x", color: "ededed", default: false, description: null }),
        name: PAUSED_LABEL,
      },
    ];
    // The review job reads the configuration in its first GraphQL query, whose viewer is our bot,
    // and creates the check run once, completed.
    github.installationToken(INSTALLATION_ID).on(
      "POST",
      `${REPO}/check-runs`,
      checkRunCreated(github, (body) => checkRunReply(github, 201, 9, body)),
    );
    expectRepoConfig(github, payload);
    // The app applied it, for a `/data-engineer pause` it accepted.
    expectLabelEvents(github, REPO, NUMBER, [{ label: PAUSED_LABEL, login: "data-engineer[bot]" }]);

    await receive("pull_request", payload);

    const update = checkCompletion(github) as { conclusion: string; output: { summary: string } };
    expect(update.conclusion).toBe("skipped");
    expect(update.output.summary).toContain("/data-engineer resume");
    expect(github.requestsTo("pulls/list-files")).toEqual([]);
  });

  it("replies with the reason when the label cannot be added", async () => {
    const payload = issueComment("/data-engineer pause");
    expectGate();
    expectReaction("issue", payload.comment.id);
    github.on("POST", `${REPO}/issues/${NUMBER}/labels`, {
      status: 410,
      body: { message: "Issues are disabled for this repo", documentation_url: "https://docs.github.com/rest" },
    });
    expectReply();

    const logs = await receive("issue_comment", payload);

    expect(onlyReply()).toContain("`/data-engineer pause` failed: GitHub answered HTTP 410 while adding the label data-engineer:paused");
    expect(logs.records.some((r) => r.msg === "command failed" && r.deliveryId === "delivery-command")).toBe(true);
  });
});

describe("who may run commands", () => {
  it("refuses a reader with a reply naming the permission needed", async () => {
    const payload = issueComment("/data-engineer review");
    expectGate({ permission: permissionReply("read", "read"), readsConfig: false });
    expectReply();

    await receive("issue_comment", payload);

    expect(onlyReply()).toContain(
      "`/data-engineer review` needs at least **write** permission on this repository (`commands.minPermission`); you have **read**.",
    );
    expect(github.requestsTo("reactions/create-for-issue-comment")).toEqual([]);
    expect(github.requestsTo("checks/create")).toEqual([]);
  });

  it("refuses an outsider without reading the configuration, however large the file", async () => {
    github.installationToken(INSTALLATION_ID);
    github.on("GET", `${REPO}/collaborators/Codertocat/permission`, permissionReply("none", "none"));
    expectReply();

    await receive("issue_comment", issueComment("/data-engineer review"));

    expect(onlyReply()).toContain("needs at least **write** permission on this repository (`commands.minPermission`); you have no role on it.");
    expect(github.requests.some((r) => r.path.includes("/contents/"))).toBe(false);
  });

  it("answers an outsider's refused commands once per pull request per hour", async () => {
    let now = Date.parse("2030-01-01T10:00:00Z");
    const limiter = new CommandRateLimiter({ now: () => now });
    const outsider = permissionReply("none", "none");
    for (let i = 0; i < 30; i++) github.installationToken(INSTALLATION_ID); // each receive is a new app
    github.on("GET", `${REPO}/collaborators/Codertocat/permission`, outsider, 30);
    expectReply();
    for (let i = 0; i < 30; i++) {
      await receive("issue_comment", issueComment("/data-engineer review"), { limiter });
      now += 60_000;
    }
    // 30 comments over 30 minutes: one reply, one permission lookup each, nothing else.
    expect(replies()).toHaveLength(1);
    expect(github.requests.filter((r) => r.method !== "POST" || !r.path.endsWith("/access_tokens"))).toHaveLength(31);
    github.assertDone();
    github.stop();

    // An hour after the first reply, the next refusal is answered again.
    github = new FakeGitHub();
    now = Date.parse("2030-01-01T11:00:01Z");
    github.installationToken(INSTALLATION_ID);
    github.on("GET", `${REPO}/collaborators/Codertocat/permission`, outsider);
    expectReply();
    await receive("issue_comment", issueComment("/data-engineer review"), { limiter });
    expect(onlyReply()).toContain("you have no role on it");
  });

  it("applies commands.minPermission, with custom roles judged by their base permission", async () => {
    const payload = issueComment("/data-engineer pause");
    expectGate({ config: "commands:\n  minPermission: maintain\n", permission: permissionReply("write", "release-manager") });
    expectReply();

    await receive("issue_comment", payload);

    expect(onlyReply()).toContain("needs at least **maintain** permission");
    expect(github.requestsTo("issues/add-labels")).toEqual([]);
  });

  it("refuses an invalid command from a reader without echoing it", async () => {
    expectGate({ permission: permissionReply("read", "read"), readsConfig: false });
    expectReply();

    await receive("issue_comment", issueComment("/data-engineer approve"));

    expect(onlyReply()).toContain("`/data-engineer` commands need at least **write** permission on this repository");
    expect(onlyReply()).not.toContain("approve");
  });

  it.each([
    ["404", notFound],
    ["500", { status: 500, body: { message: "Server Error", documentation_url: "https://docs.github.com/rest" }, undocumented: "any endpoint can fail" }],
  ])("fails closed when the permission lookup answers %s", async (status, answer: FakeReply) => {
    const payload = issueComment("/data-engineer review");
    expectGate({ permission: answer, readsConfig: false });
    expectReply();

    await receive("issue_comment", payload);

    const body = onlyReply();
    expect(body).toContain("your permission on this repository could not be checked, so the command was not run");
    expect(body).toContain(`HTTP ${status}`);
    expect(github.requestsTo("checks/create")).toEqual([]);
  });

  it("refuses every command when the configuration does not load", async () => {
    const payload = issueComment("/data-engineer help");
    expectGate({ config: "commands:\n  minPermission: read\n" });
    expectReply();

    await receive("issue_comment", payload);

    expect(onlyReply()).toContain(
      'the configuration could not be read, so no command can run: Codertocat/Hello-World:.github/data-engineer.yml: key "commands.minPermission"',
    );
  });

  it("ignores a bot: no request at all", async () => {
    await receive("issue_comment", issueComment("/data-engineer review", { as: { login: "renovate[bot]", type: "Bot" } }));
    await receive("issue_comment", issueComment("/data-engineer review", { as: { login: "data-engineer[bot]", type: "Bot" } }));
    expect(github.requests).toEqual([]);
  });

  it("ignores edited comments, comments on issues, and comments that are not commands", async () => {
    await receive("issue_comment", issueComment("/data-engineer review", { action: "edited" }));
    await receive("issue_comment", issueComment("/data-engineer review", { onIssue: true }));
    await receive("issue_comment", issueComment("LGTM, but /data-engineer review"));
    await receive("pull_request_review_comment", reviewComment("Maybe use CONCURRENTLY here"));
    expect(github.requests).toEqual([]);
  });

  it("limits commands per pull request per hour, replying when to try again", async () => {
    const limiter = new CommandRateLimiter({ now: () => Date.parse("2030-01-01T10:00:00Z") });
    const config = "commands:\n  maxPerHour: 1\n";
    const payload = issueComment("/data-engineer help");
    expectGate({ config });
    expectReaction("issue", payload.comment.id);
    expectReply();
    await receive("issue_comment", payload, { limiter });
    github.assertDone();
    github.stop();

    github = new FakeGitHub();
    expectGate({ config });
    expectReply();
    const logs = await receive("issue_comment", issueComment("/data-engineer review"), { limiter });

    expect(onlyReply()).toContain(
      "this pull request has had 1 data-engineer command in the last hour (`commands.maxPerHour`), so this one was not run. Try again after 2030-01-01T11:00:00Z (UTC).",
    );
    expect(github.requestsTo("reactions/create-for-issue-comment")).toEqual([]);
    expect(github.requestsTo("checks/create")).toEqual([]);
    expect(logs.records.find((r) => r.msg === "command refused: rate limit")).toMatchObject({ deliveryId: "delivery-command" });
  });

  it("never lets a failure escape the handler, even when the reply fails too", async () => {
    const payload = issueComment("/data-engineer help");
    expectGate();
    github.on("POST", `${REPO}/issues/comments/${payload.comment.id}/reactions`, {
      status: 422,
      body: { message: "Validation Failed", documentation_url: "https://docs.github.com/rest" },
    });
    const failing: FakeReply = { status: 403, body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest" } };
    github.on("POST", `${REPO}/issues/${NUMBER}/comments`, failing, 2);

    const logs = await receive("issue_comment", payload);

    expect(logs.records.some((r) => r.msg === "could not react to the command")).toBe(true);
    expect(logs.records.some((r) => r.msg === "could not reply with the failure")).toBe(true);
  });
});
