import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { withRateLimitRetry, type Clock } from "../../src/github/rate-limit.js";
import { FakeGitHub } from "../helpers/fake-github.js";

/** A clock that only moves when told to sleep: no test waits for real time. */
function fakeClock(): Clock & { slept: number[] } {
  let now = Date.UTC(2026, 10, 26);
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

const octokit = () => new Octokit({ auth: "t", request: { retries: 0 } });
const review = { status: 200 as const };
const secondary = (headers: Record<string, string>) => ({
  status: 403,
  body: {
    message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    documentation_url: "https://docs.github.com/rest",
  },
  headers,
  undocumented: "GitHub answers 403 to any request over a secondary rate limit",
});

describe("writes under GitHub's rate limits", () => {
  it("waits the retry-after GitHub gives on a secondary rate limit, then retries", async () => {
    const github = new FakeGitHub();
    const body = github.example("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200);
    github.on("POST", "/repos/o/r/pulls/1/reviews", secondary({ "retry-after": "7" })).on("POST", "/repos/o/r/pulls/1/reviews", { ...review, body });
    const clock = fakeClock();

    const result = await withRateLimitRetry(
      () => octokit().rest.pulls.createReview({ owner: "o", repo: "r", pull_number: 1, event: "COMMENT", body: "x" }),
      clock,
    );

    expect(result.status).toBe(200);
    expect(clock.slept).toEqual([7000]);
    github.assertDone();
  });

  it("waits until x-ratelimit-reset when the primary limit is exhausted", async () => {
    const clock = fakeClock();
    const reset = Math.floor(clock.now() / 1000) + 30;
    const github = new FakeGitHub();
    const body = github.example("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", 200);
    github
      .on("POST", "/repos/o/r/pulls/1/reviews", {
        status: 403,
        body: { message: "API rate limit exceeded", documentation_url: "x" },
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
        undocumented: "primary rate limit",
      })
      .on("POST", "/repos/o/r/pulls/1/reviews", { ...review, body });
    await withRateLimitRetry(() => octokit().rest.pulls.createReview({ owner: "o", repo: "r", pull_number: 1, event: "COMMENT", body: "x" }), clock);
    expect(clock.slept).toEqual([31_000]);
    github.assertDone();
  });

  it("does not retry other errors, and gives up after three attempts", async () => {
    const clock = fakeClock();
    const github = new FakeGitHub();
    github.on("POST", "/repos/o/r/pulls/1/reviews", { status: 422, body: { message: "Validation Failed", documentation_url: "x", errors: [] } });
    await expect(
      withRateLimitRetry(() => octokit().rest.pulls.createReview({ owner: "o", repo: "r", pull_number: 1, event: "COMMENT", body: "x" }), clock),
    ).rejects.toMatchObject({ status: 422 });
    expect(clock.slept).toEqual([]);
    github.on("POST", "/repos/o/r/pulls/1/reviews", secondary({ "retry-after": "1" }), 3);
    await expect(
      withRateLimitRetry(() => octokit().rest.pulls.createReview({ owner: "o", repo: "r", pull_number: 1, event: "COMMENT", body: "x" }), clock),
    ).rejects.toMatchObject({ status: 403 });
    expect(clock.slept).toEqual([1000, 1000]);
    github.assertDone();
  });
});
