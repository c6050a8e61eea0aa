import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { FakeGitHub, type FakeReply } from "../helpers/fake-github.js";
import { createTestProbot } from "../helpers/probot.js";
import {
  expectCheckFlowRest,
  expectHeadTarball,
  expectMigrationReview,
  fileEntries,
  addedPatch,
  pullRequestEvent,
  repoPath,
  reviewAccepted,
  type HeadFile,
  type PullRequestPayload,
} from "../helpers/pull-request-scenario.js";

/**
 * One fixture, reviewed the three ways a review is run: by the app (a pull_request webhook through
 * Probot, GitHub faked at the HTTP level, the head read through the API and its tarball), by
 * `data-engineer review --github` (the head read from a CI checkout, the review posted through the
 * same fake GitHub) and by the local `data-engineer review` (the head read from git, the review
 * printed). The repository enables the replay, so each of the three replays the migrations in
 * the embedded Postgres. What is posted, or printed, must be the same bytes.
 */

const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const CONFIG = "replay:\n  enabled: true\n";
const base: HeadFile[] = [
  { path: ".github/data-engineer.yml", text: CONFIG },
  { path: "README.md", text: "# shop\n" },
  { path: "db/migrations/000001_orders.up.sql", text: "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n" },
  { path: "db/migrations/000001_orders.down.sql", text: "DROP TABLE orders;\n" },
];
// The index is built without CONCURRENTLY (a static finding), and the down forgets the column
// (a finding only the replay makes: the schema after up and down differs from the one before).
const changed: HeadFile[] = [
  {
    path: "db/migrations/000002_priority.up.sql",
    text: "ALTER TABLE orders ADD COLUMN priority integer;\nCREATE INDEX orders_priority_idx ON orders (priority);\n",
  },
  { path: "db/migrations/000002_priority.down.sql", text: "DROP INDEX orders_priority_idx;\n" },
];

const work = mkdtempSync(join(tmpdir(), "de-one-pipeline-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The repository: the base on main, the pull request's commit on feature (checked out). */
function repository(): { dir: string; headSha: string } {
  const dir = join(work, "repo");
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { env: { ...process.env, ...GIT_ENV }, stdio: "pipe", encoding: "utf8" });
  const write = (files: readonly HeadFile[]) => {
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.text);
    }
  };
  mkdirSync(dir);
  git("init", "-q", "-b", "main");
  write(base);
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  git("checkout", "-q", "-b", "feature");
  write(changed);
  git("add", "-A");
  git("commit", "-q", "-m", "priority");
  return { dir, headSha: git("rev-parse", "HEAD").trim() };
}

/** What a review says, as GitHub receives it or the CLI prints it. */
interface ReviewText {
  body: string;
  comments: Array<{ path: string; line: number; startLine?: number; body: string }>;
}

interface PostedReview {
  body: string;
  comments: Array<{ path: string; line: number; start_line?: number; body: string }>;
}

function posted(github: FakeGitHub): ReviewText {
  const reviews = github.requestsTo("pulls/create-review");
  expect(reviews).toHaveLength(1);
  const review = reviews[0]?.body as PostedReview;
  return {
    body: review.body,
    comments: review.comments.map((c) => ({ path: c.path, line: c.line, ...(c.start_line !== undefined ? { startLine: c.start_line } : {}), body: c.body })),
  };
}

function finalCheck(github: FakeGitHub): { conclusion: string; summary: string } {
  // The app's job creates the check run completed; the CLI starts it and completes it in an update.
  const body = [...github.requestsTo("checks/create"), ...github.requestsTo("checks/update")]
    .map((r) => r.body as { status?: string })
    .filter((b) => b.status === "completed")
    .at(-1) as { conclusion: string; output: { summary: string } };
  return { conclusion: body.conclusion, summary: body.output.summary };
}

/**
 * The replay's duration is the one figure of the review read from the wall clock: it is pinned
 * while each review runs, so the three can be compared byte for byte. The embedded Postgres runs
 * in a worker thread, whose clock this does not touch.
 */
async function withPinnedClock<T>(run: () => Promise<T>): Promise<T> {
  const now = vi.spyOn(performance, "now").mockReturnValue(1_000);
  try {
    return await run();
  } finally {
    now.mockRestore();
  }
}

/** A replay cache of its own for each review: each builds its base schema, none reads a cached one. */
function cacheHome(name: string): string {
  const dir = join(work, `cache-${name}`);
  mkdirSync(dir);
  return dir;
}

const { dir, headSha } = repository();

function eventFor(): PullRequestPayload {
  const payload = pullRequestEvent("opened", { changedFiles: changed.length });
  payload.pull_request.head.sha = headSha;
  return payload;
}

async function reviewByTheApp(): Promise<{ review: ReviewText; check: { conclusion: string; summary: string } }> {
  const github = new FakeGitHub();
  const payload = eventFor();
  expectMigrationReview(github, payload, { changed, reviews: [reviewAccepted(github)], config: CONFIG });
  expectHeadTarball(github, payload, [...base, ...changed]);
  const previous = { cache: process.env.XDG_CACHE_HOME, data: process.env.DATA_DIR };
  // The app's replay runner takes its cache folder from the environment when it is created.
  process.env.XDG_CACHE_HOME = cacheHome("app");
  delete process.env.DATA_DIR;
  try {
    const probot = await createTestProbot();
    await withPinnedClock(() => probot.receive({ id: "delivery-one-pipeline", name: "pull_request", payload: payload as never }));
  } finally {
    if (previous.cache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previous.cache;
    if (previous.data !== undefined) process.env.DATA_DIR = previous.data;
    github.stop();
  }
  github.assertDone();
  return { review: posted(github), check: finalCheck(github) };
}

async function reviewInCi(): Promise<{ review: ReviewText; check: { conclusion: string; summary: string }; code: number }> {
  const github = new FakeGitHub();
  const payload = eventFor();
  const repo = repoPath(payload);
  const number = payload.pull_request.number;
  // What the CI job asks of GitHub, through REST (only the app's review jobs read by GraphQL): the
  // check run started and completed, the configuration, the file listing, earlier comments and
  // reviews, the head; no contents and no tarball (the files come from the checkout).
  const listed = fileEntries(
    github,
    changed.map((f) => f.path),
  ).map((entry, i) => ({ ...(entry as Record<string, unknown>), patch: addedPatch(changed[i]?.text ?? "") }));
  expectCheckFlowRest(github, payload, { status: 200, body: listed }, undefined, CONFIG, false);
  github.on("GET", `${repo}/pulls/${number}/comments`, { status: 200, body: [] });
  github.on("GET", `${repo}/pulls/${number}/reviews`, { status: 200, body: [] });
  const pull = github.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200) as Record<string, unknown> & { head: Record<string, unknown> };
  github.on("GET", `${repo}/pulls/${number}`, {
    status: 200,
    body: { ...pull, requested_teams: [], head: { ...pull.head, sha: headSha } },
  } satisfies FakeReply);
  github.on("POST", `${repo}/pulls/${number}/reviews`, (req) => reviewAccepted(github)(req.body as Record<string, unknown>));
  const eventPath = join(work, "event.json");
  writeFileSync(eventPath, JSON.stringify(payload));
  const env: NodeJS.ProcessEnv = {
    GITHUB_ACTIONS: "true",
    GITHUB_TOKEN: "ghs_workflow-token",
    GITHUB_REPOSITORY: payload.repository.full_name,
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    XDG_CACHE_HOME: cacheHome("ci"),
  };
  const err: string[] = [];
  let code: number;
  try {
    code = await withPinnedClock(() => main(["review", "--github", "--repo", dir], { out: () => undefined, err: (t) => err.push(t), cwd: work, env }));
  } finally {
    github.stop();
  }
  expect(err.join("")).toBe("");
  github.assertDone();
  return { review: posted(github), check: finalCheck(github), code };
}

async function reviewLocally(): Promise<{ review: ReviewText; check: { conclusion: string; summary: string }; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const env: NodeJS.ProcessEnv = { XDG_CACHE_HOME: cacheHome("local") };
  const code = await withPinnedClock(() =>
    main(["review", "--repo", dir, "--base", "main", "--format", "json"], { out: (t) => out.push(t), err: (t) => err.push(t), cwd: work, env }),
  );
  expect(err.join("")).toBe("");
  const printed = JSON.parse(out.join("")) as { check: { conclusion: string; summary: string }; review: ReviewText };
  return { review: printed.review, check: { conclusion: printed.check.conclusion, summary: printed.check.summary }, code };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("one review pipeline for the app, review --github and the local review", () => {
  it("posts and prints the same review body and inline comments, replay included", async () => {
    const app = await reviewByTheApp();
    const ci = await reviewInCi();
    const local = await reviewLocally();

    // The fixture says something worth comparing: a static finding, a replay finding, the replay's sentence.
    expect(app.review.body).toMatch(/Replay: 1 migration replayed on PostgreSQL 18\.\d+ \\\(PGlite [\d.]+\\\) over a base of 1 migration in 0\.0 s/);
    const index = app.review.comments.filter((c) => c.body.includes("require-concurrent-index"));
    expect(index.map((c) => `${c.path}:${c.line}`)).toEqual(["db/migrations/000002_priority.up.sql:2"]);
    expect(app.review.comments.filter((c) => c.body.includes("replay-down-mismatch")).map((c) => c.path)).toEqual(["db/migrations/000002_priority.down.sql"]);

    // Byte for byte: the body, then each inline comment with its place.
    // Except the seal the GitHub client adds to the review body's marker as it posts (with the
    // server's key in the app, the public CI key in the Action): printed, it is unsealed.
    const SEAL = /<!-- data-engineer:seal=[0-9a-f]{32} -->$/;
    expect(app.review.body).toMatch(SEAL);
    expect(ci.review.body).toMatch(SEAL);
    expect(ci.review.body.replace(SEAL, "")).toBe(app.review.body.replace(SEAL, ""));
    expect(local.review.body).toBe(app.review.body.replace(SEAL, ""));
    expect(ci.review.comments).toEqual(app.review.comments);
    // Except the seal the GitHub client adds to each comment's marker as it posts (issue 18): a printed review has no pull request to seal for.
    const unsealed = app.review.comments.map((c) => ({ ...c, body: c.body.replace(/<!-- data-engineer:seal=[0-9a-f]{32} -->$/, "") }));
    expect(app.review.comments.filter((c) => !/<!-- data-engineer:seal=[0-9a-f]{32} -->$/.test(c.body))).toEqual([]);
    expect(local.review.comments).toEqual(unsealed);
    // And the verdict: the check run's conclusion and summary, and the exit code that follows from them.
    expect(ci.check).toEqual(app.check);
    expect(local.check).toEqual(app.check);
    expect(app.check.conclusion).toBe("failure");
    expect([ci.code, local.code]).toEqual([1, 1]);
  }, 600_000);
});
