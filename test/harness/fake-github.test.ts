import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { FakeGitHub } from "../helpers/fake-github.js";

/** The fake GitHub must catch what a hand-written mock lets through, or it proves nothing. */

const octokit = () => new Octokit({ auth: "test-token", request: { retries: 0 } });

function problemsOf(github: FakeGitHub): string {
  try {
    github.assertDone();
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("FakeGitHub", () => {
  it("accepts a documented request answered with a documented response", async () => {
    const github = new FakeGitHub();
    const example = github.example("POST", "/repos/{owner}/{repo}/check-runs", 201);
    github.on("POST", "/repos/o/r/check-runs", { status: 201, body: example });
    await octokit().rest.checks.create({ owner: "o", repo: "r", name: "data-engineer", head_sha: "abc" });
    expect(problemsOf(github)).toBe("");
  });

  it("rejects a request body that GitHub's description does not allow", async () => {
    const github = new FakeGitHub();
    github.on("POST", "/repos/o/r/pulls/1/reviews", { status: 200, body: github.example("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200) });
    await octokit().request("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
      owner: "o",
      repo: "r",
      pull_number: 1,
      event: "COMMENTS",
      comments: [{ body: "no path" }],
    } as never);
    const problems = problemsOf(github);
    expect(problems).toContain("request body/event must be equal to one of the allowed values");
    expect(problems).toContain("request body/comments/0 must have required property 'path'");
  });

  it("rejects a check run without a name, and a response body thinner than GitHub's", async () => {
    const github = new FakeGitHub();
    github.on("POST", "/repos/o/r/check-runs", { status: 201, body: { id: 9 } });
    await octokit().request("POST /repos/{owner}/{repo}/check-runs", { owner: "o", repo: "r", head_sha: "abc" } as never);
    const problems = problemsOf(github);
    expect(problems).toContain("request body must have required property 'name'");
    expect(problems).toContain("response body must have required property 'head_sha'");
  });

  it("rejects undocumented query parameters and out-of-range values", async () => {
    const github = new FakeGitHub();
    github.on("GET", "/repos/o/r/pulls/1/files", { status: 200, body: [] });
    await octokit().request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
      owner: "o",
      repo: "r",
      pull_number: 1,
      per_page: "many",
      colour: "red",
    } as never);
    const problems = problemsOf(github);
    expect(problems).toContain('query parameter "colour" is not documented');
    expect(problems).toContain('query parameter "per_page"=many must be integer');
  });

  it("reports unexpected requests, unused expectations and undocumented statuses", async () => {
    const github = new FakeGitHub();
    github.on("GET", "/repos/o/r", { status: 200, body: github.example("GET", "/repos/{owner}/{repo}", 200) });
    github.on("PATCH", "/repos/o/r/check-runs/1", { status: 418, body: { message: "teapot", documentation_url: "x" } });
    await expect(octokit().rest.pulls.get({ owner: "o", repo: "r", pull_number: 5 })).rejects.toMatchObject({ status: 501 });
    await expect(octokit().rest.checks.update({ owner: "o", repo: "r", check_run_id: 1, status: "completed", conclusion: "success" })).rejects.toMatchObject({
      status: 418,
    });
    const problems = problemsOf(github);
    expect(problems).toContain("unexpected request GET /repos/o/r/pulls/5");
    expect(problems).toContain("expected 1 more GET /repos/o/r");
    expect(problems).toContain("→ 418: GitHub does not document this status for the operation");
  });

  it("rejects a path that is not a GitHub operation", async () => {
    const github = new FakeGitHub();
    await expect(octokit().request("GET /repos/{owner}/{repo}/no-such-thing", { owner: "o", repo: "r" })).rejects.toMatchObject({ status: 501 });
    expect(problemsOf(github)).toContain("GET /repos/o/r/no-such-thing: not an operation in GitHub's OpenAPI description");
  });

  it("serves GitHub Enterprise Server below /api/v3 and checks against its own description", async () => {
    const github = new FakeGitHub({ baseUrl: "https://ghe.example.com/api/v3", spec: "ghes-3.19" });
    github.on("POST", "/repos/o/r/check-runs", { status: 201, body: github.example("POST", "/repos/{owner}/{repo}/check-runs", 201) });
    const client = new Octokit({ auth: "t", baseUrl: "https://ghe.example.com/api/v3" });
    await client.rest.checks.create({ owner: "o", repo: "r", name: "data-engineer", head_sha: "abc" });
    expect(problemsOf(github)).toBe("");
    expect(github.requests[0]?.url).toBe("https://ghe.example.com/api/v3/repos/o/r/check-runs");
  });
});
