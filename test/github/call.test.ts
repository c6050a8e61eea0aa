import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Octokit } from "@octokit/rest";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubApiError } from "../../src/errors.js";
import { callGitHub } from "../../src/github/call.js";
import type { Clock } from "../../src/github/rate-limit.js";
import { FakeGitHub } from "../helpers/fake-github.js";

/** A clock that only moves when told to sleep: no test waits for real time. */
function fakeClock(): Clock & { slept: number[] } {
  let now = Date.UTC(2026, 11, 6);
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

const quiet = () => undefined;
// Octokit logs every failed request; here the failures are the point.
const octokit = () => new Octokit({ auth: "t", request: { retries: 0 }, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
const secondaryRateLimit = {
  status: 403,
  body: {
    message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    documentation_url: "https://docs.github.com/rest",
  },
  headers: { "retry-after": "7" },
  undocumented: "GitHub answers 403 to any request over a secondary rate limit",
};
const notFound = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };

let github: FakeGitHub | undefined;
afterEach(() => {
  github?.stop();
  github = undefined;
});

describe("callGitHub: resending on rate limits", () => {
  it("sends a create again after the wait a rate limit asks for", async () => {
    github = new FakeGitHub();
    const created = github.example("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 201);
    github.on("POST", "/repos/o/r/issues/1/comments", secondaryRateLimit).on("POST", "/repos/o/r/issues/1/comments", { status: 201, body: created });
    const clock = fakeClock();
    const { status } = await callGitHub({ kind: "create", doing: "posting the reply", clock }, () =>
      octokit().rest.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "hi" }),
    );
    expect(status).toBe(201);
    expect(clock.slept).toEqual([7000]);
    github.assertDone();
  });

  it("sends an idempotent write again after the wait a rate limit asks for", async () => {
    github = new FakeGitHub();
    const labels = github.example("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", 200);
    github.on("POST", "/repos/o/r/issues/1/labels", secondaryRateLimit).on("POST", "/repos/o/r/issues/1/labels", { status: 200, body: labels });
    const clock = fakeClock();
    await callGitHub({ kind: "idempotent-write", doing: "adding the label x", clock }, () =>
      octokit().rest.issues.addLabels({ owner: "o", repo: "r", issue_number: 1, labels: ["x"] }),
    );
    expect(clock.slept).toEqual([7000]);
    github.assertDone();
  });

  it("does not send a read again: the job is retried as a whole", async () => {
    github = new FakeGitHub();
    github.on("GET", "/repos/o/r/pulls/1", secondaryRateLimit);
    const clock = fakeClock();
    const failure = callGitHub({ kind: "read", doing: "reading pull request #1", clock }, () =>
      octokit().rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 }),
    );
    await expect(failure).rejects.toBeInstanceOf(GitHubApiError);
    await expect(failure).rejects.toMatchObject({ status: 403 });
    expect(clock.slept).toEqual([]);
    github.assertDone();
  });

  it("does not send a create again after a 5xx (GitHub may have done it)", async () => {
    github = new FakeGitHub();
    github.on("POST", "/repos/o/r/issues/1/comments", { status: 502, body: { message: "Bad Gateway" }, undocumented: "a proxy in front of GitHub failing" });
    const clock = fakeClock();
    await expect(
      callGitHub({ kind: "create", doing: "posting the reply", clock }, () =>
        octokit().rest.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "hi" }),
      ),
    ).rejects.toMatchObject({ status: 502 });
    expect(github.requests).toHaveLength(1);
    expect(clock.slept).toEqual([]);
    github.assertDone();
  });
});

describe("callGitHub: a create whose answer was lost", () => {
  const lost = { status: 502, body: { message: "Bad Gateway" }, undocumented: "GitHub stored the comment, then its front end failed" };

  it("is not resent by Octokit's retry plugin, and adopts what the read-back finds", async () => {
    github = new FakeGitHub();
    const created = github.example("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 201) as { id: number };
    github.on("POST", "/repos/o/r/issues/1/comments", lost);
    // Octokit with its retry plugin on (no pause): it would resend the 502 three times.
    const retrying = new Octokit({ auth: "t", retry: { retryAfterBaseValue: 0 }, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
    let readBacks = 0;
    const id = await callGitHub(
      { kind: "create", doing: "posting the reply", clock: fakeClock(), readBack: () => Promise.resolve(++readBacks && created.id) },
      async (options) => (await retrying.rest.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "hi", ...options })).data.id,
    );
    expect(id).toBe(created.id);
    expect(readBacks).toBe(1);
    expect(github.requestsTo("issues/create-comment")).toHaveLength(1);
    github.assertDone();
  });

  it("is sent again when the read-back finds nothing, after a pause on the injected clock", async () => {
    github = new FakeGitHub();
    const created = github.example("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 201);
    github.on("POST", "/repos/o/r/issues/1/comments", lost).on("POST", "/repos/o/r/issues/1/comments", { status: 201, body: created });
    const clock = fakeClock();
    const { status } = await callGitHub({ kind: "create", doing: "posting the reply", clock, readBack: () => Promise.resolve(undefined) }, (options) =>
      octokit().rest.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "hi", ...options }),
    );
    expect(status).toBe(201);
    expect(clock.slept).toEqual([1000]);
    github.assertDone();
  });

  it("fails with the create's error when the read-back fails: unknown either way, the job decides", async () => {
    github = new FakeGitHub();
    github.on("POST", "/repos/o/r/issues/1/comments", lost);
    const failure = callGitHub(
      { kind: "create", doing: "posting the reply", clock: fakeClock(), readBack: () => Promise.reject(new Error("GitHub still down")) },
      (options) => octokit().rest.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "hi", ...options }),
    );
    await expect(failure).rejects.toMatchObject({ status: 502 });
    github.assertDone();
  });
});

describe("callGitHub: errors and not found", () => {
  it("maps a failure to a GitHubApiError that says what we were doing and what GitHub answered", async () => {
    github = new FakeGitHub();
    github.on("GET", "/repos/o/r/pulls/1/files", { status: 500, body: { message: "Server Error" }, undocumented: "GitHub failing" });
    const failure = await callGitHub({ kind: "read", doing: "listing the pull request's files" }, () =>
      octokit().rest.pulls.listFiles({ owner: "o", repo: "r", pull_number: 1 }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitHubApiError);
    expect(failure).toMatchObject({
      status: 500,
      message: "GitHub answered HTTP 500 while listing the pull request's files (GET /repos/o/r/pulls/1/files): Server Error",
      cause: { status: 500 },
    });
    github.assertDone();
  });

  it("passes a GitHubApiError on unchanged", async () => {
    const ours = new GitHubApiError("already described", 409);
    await expect(callGitHub({ kind: "create", doing: "creating", clock: fakeClock() }, () => Promise.reject(ours))).rejects.toBe(ours);
  });

  it("answers undefined for a 404 the call declares absent, and fails on any other 404", async () => {
    github = new FakeGitHub();
    github.on("GET", "/repos/o/r/contents/db", notFound, 3);
    const list = () => octokit().rest.repos.getContent({ owner: "o", repo: "r", path: "db" });
    expect(await callGitHub({ kind: "read", doing: "listing db", notFound: "absent" }, list)).toBeUndefined();
    await expect(callGitHub({ kind: "read", doing: "listing db" }, list)).rejects.toMatchObject({
      status: 404,
      message: "GitHub answered HTTP 404 while listing db (GET /repos/o/r/contents/db): Not Found",
    });
    await expect(callGitHub({ kind: "read", doing: "listing db", notFound: { error: "db is gone" } }, list)).rejects.toMatchObject({
      status: 404,
      message: "db is gone",
    });
    github.assertDone();
  });
});

/**
 * Every Octokit request in a file (a `.rest.` method, `paginate` or a `graphql` query) and whether
 * it is inside a callGitHub(...). The callee must end with the request: a call on the result of a
 * wrapped request (`(await callGitHub(… .rest.pulls.listReviews …)).map`) is no request itself.
 */
function octokitRequests(name: string, text: string): { where: string; wrapped: boolean }[] {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  const found: { where: string; wrapped: boolean }[] = [];
  const visit = (node: ts.Node, inHelper: boolean): void => {
    let inside = inHelper;
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      if (callee === "callGitHub") inside = true;
      else if (/\.rest\.\w+\.\w+$|\.paginate$|\.graphql$/.test(callee)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push({ where: `${name}:${line + 1} ${callee}`, wrapped: inHelper });
      }
    }
    ts.forEachChild(node, (child) => visit(child, inside));
  };
  visit(source, false);
  return found;
}

describe("the GitHub calls of src/github/", () => {
  it("all go through callGitHub", () => {
    const folder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/github");
    const requests = readdirSync(folder)
      .filter((name) => name.endsWith(".ts"))
      .flatMap((name) => octokitRequests(name, readFileSync(path.join(folder, name), "utf8")));
    // Twenty requests today (ten reads, ten writes): the scan reads the real files.
    expect(requests.length).toBeGreaterThanOrEqual(20);
    // The reviews' GraphQL queries (graphql-request.ts) are among them.
    expect(requests.some((request) => request.where.startsWith("graphql-request.ts:") && request.where.endsWith(".graphql"))).toBe(true);
    expect(requests.filter((request) => !request.wrapped).map((request) => request.where)).toEqual([]);
  });

  it("the scan finds a request made outside callGitHub", () => {
    const text = [
      'const a = await callGitHub({ kind: "read", doing: "x" }, () => octokit.rest.pulls.get(params));',
      "const b = await octokit.rest.issues.createComment(params);",
      "const c = await octokit.paginate(octokit.rest.pulls.listFiles, params);",
      "const d = await octokit.graphql<Answer>(query, variables);",
      'const e = (await callGitHub({ kind: "read", doing: "y" }, () => octokit.paginate(octokit.rest.pulls.listReviews, params))).map(f);',
    ].join("\n");
    expect(octokitRequests("fixture.ts", text)).toEqual([
      { where: "fixture.ts:1 octokit.rest.pulls.get", wrapped: true },
      { where: "fixture.ts:2 octokit.rest.issues.createComment", wrapped: false },
      { where: "fixture.ts:3 octokit.paginate", wrapped: false },
      { where: "fixture.ts:4 octokit.graphql", wrapped: false },
      { where: "fixture.ts:5 octokit.paginate", wrapped: true },
    ]);
  });
});
