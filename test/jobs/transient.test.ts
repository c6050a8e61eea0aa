import { describe, expect, it } from "vitest";
import { GitHubApiError } from "../../src/errors.js";
import { describeGitHubFailure } from "../../src/github/errors.js";
import { isTransientFailure } from "../../src/jobs/transient.js";

/** Which failures a review job retries (GitHub or the network failing for a while) and which it reports at once. */

function requestError(status: number, message = "failed"): Error {
  return Object.assign(new Error(message), { status, request: { method: "GET", url: "https://api.github.com/repos/o/r/pulls/1/files" } });
}

describe("isTransientFailure", () => {
  it.each([
    ["GitHub 502", describeGitHubFailure(requestError(502), "listing files")],
    ["GitHub 503", describeGitHubFailure(requestError(503), "listing files")],
    ["GitHub 429", describeGitHubFailure(requestError(429), "posting the review")],
    ["GitHub 408", describeGitHubFailure(requestError(408), "posting the review")],
    ["a secondary rate limit 403", describeGitHubFailure(requestError(403, "You have exceeded a secondary rate limit"), "posting the review")],
    ["GitHub unreachable (status 0)", describeGitHubFailure(requestError(0, "fetch failed"), "listing files")],
    ["a reset connection", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })],
    [
      "a refused connection inside a wrapper",
      new GitHubApiError("Request to GitHub failed", undefined, { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }),
    ],
    ["a timeout", Object.assign(new Error("The operation timed out"), { name: "TimeoutError" })],
  ])("retries %s", (_name, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ["GitHub 404", describeGitHubFailure(requestError(404), "reading the pull request")],
    ["GitHub 422", describeGitHubFailure(requestError(422, "Validation Failed"), "posting the review")],
    ["a permission 403", describeGitHubFailure(requestError(403, "Resource not accessible by integration"), "creating the check run")],
    ["GitHub 401", describeGitHubFailure(requestError(401, "Bad credentials"), "reading the pull request")],
    ["a plain bug", new TypeError("Cannot read properties of undefined")],
    ["a string", "boom"],
    ["nothing", undefined],
  ])("does not retry %s", (_name, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });
});
