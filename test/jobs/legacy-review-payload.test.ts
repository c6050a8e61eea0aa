import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { CommandRateLimiter } from "../../src/commands/rate-limit.js";
import { createJobProcessor } from "../../src/jobs/processor.js";
import type { Job } from "../../src/jobs/queue.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { captureLogs } from "../helpers/probot.js";
import { checkRunReply } from "../helpers/pull-request-scenario.js";

/**
 * A review job queued by the version whose webhook handler created the check run in progress and
 * put its id in the payload (`checkRunId`, job-payloads.ts). The store can still hold one after an
 * upgrade; its hooks complete that run instead of leaving it in progress and creating another.
 */

const LEGACY_RUN = 4242;

let fake: FakeGitHub | undefined;

afterEach(() => {
  fake?.stop();
  fake = undefined;
});

function legacyJob(): Job {
  return {
    id: "delivery-from-the-older-version",
    kind: "review",
    installationId: 9,
    coalesceKey: "pr:1#3",
    payload: {
      owner: "o",
      repo: "r",
      pullNumber: 3,
      headSha: "0123456789abcdef0123456789abcdef01234567",
      checkRunId: LEGACY_RUN,
      ownLogin: "data-engineer[bot]",
      pr: { draft: false, author: "dev", labels: [], baseRef: "main", changedFiles: 1 },
    },
    attempts: 1,
    enqueuedAt: 0,
  };
}

function processorOn(github: FakeGitHub) {
  github.on("PATCH", `/repos/o/r/check-runs/${LEGACY_RUN}`, (req) => checkRunReply(github, 200, LEGACY_RUN, req.body as Record<string, unknown>));
  return createJobProcessor({
    octokitFor: () => Promise.resolve(new Octokit({ auth: "installation-token" })),
    commands: { limiter: new CommandRateLimiter() },
    log: captureLogs("warn").log,
  });
}

describe("a review job queued by the version whose handler created its check run", () => {
  it("superseded: the run it carries is completed as superseded, none created", async () => {
    const github = (fake = new FakeGitHub());
    await processorOn(github).superseded(legacyJob());
    github.assertDone();
    expect(github.requestsTo("checks/create")).toEqual([]);
    expect(github.requestsTo("checks/update").map((r) => r.body)).toEqual([
      expect.objectContaining({ status: "completed", conclusion: "neutral", output: expect.objectContaining({ title: "Superseded by a newer commit" }) }),
    ]);
  });

  it("dead after its process stopped on every run: the run it carries is completed with the reason, none created", async () => {
    const github = (fake = new FakeGitHub());
    await processorOn(github).deadLetter({ ...legacyJob(), attempts: 5 }, "the job was running when its process stopped, 5 times");
    github.assertDone();
    expect(github.requestsTo("checks/create")).toEqual([]);
    expect(github.requestsTo("checks/update").map((r) => r.body)).toEqual([expect.objectContaining({ status: "completed", conclusion: "failure" })]);
  });
});
