import { describe, expect, it } from "vitest";
import { Probot, type ProbotOctokit } from "probot";
import { FakeGitHub } from "../helpers/fake-github.js";
import { captureLogs, DocumentedTestOctokit, privateKey, TestOctokit } from "../helpers/probot.js";
import { INSTALLATION_ID } from "../helpers/webhooks.js";

/**
 * Whether Probot's throttling plugin is active shows without timing anything: when it is, a
 * secondary rate limit answer goes through Probot's handler, which logs "Secondary quota
 * detected"; when it is off, the 403 reaches the caller untouched.
 */
async function secondaryLimitLogged(Octokit: typeof ProbotOctokit): Promise<boolean> {
  const github = new FakeGitHub();
  github.installationToken(INSTALLATION_ID).on("GET", "/repos/o/r/pulls/1/files", {
    status: 403,
    body: {
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      documentation_url: "https://docs.github.com/rest",
    },
    headers: { "retry-after": "1" },
    undocumented: "GitHub answers 403 to any request over a secondary rate limit",
  });
  const logs = captureLogs("trace");
  const probot = new Probot({ appId: 123, privateKey, Octokit, log: logs.log });
  const octokit = await probot.auth(INSTALLATION_ID);
  await expect(octokit.rest.pulls.listFiles({ owner: "o", repo: "r", pull_number: 1 })).rejects.toMatchObject({ status: 403 });
  github.assertDone();
  return logs.records.some((r) => r.msg.includes("Secondary quota detected"));
}

describe("the test Octokit", () => {
  it("really turns Probot's throttling off", async () => {
    expect(await secondaryLimitLogged(TestOctokit)).toBe(false);
  });

  it("differs from the documented object form, which leaves throttling on", async () => {
    expect(await secondaryLimitLogged(DocumentedTestOctokit)).toBe(true);
  });
});
