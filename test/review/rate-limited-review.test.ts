import { Octokit } from "@octokit/rest";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/github/rate-limit.js";
import { PullRequestClient } from "../../src/github/pull-request-client.js";
import { reviewPullRequest } from "../../src/review/run-review.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { expectMigrationReview, pullRequestEvent, reviewAccepted } from "../helpers/pull-request-scenario.js";

describe("a review that meets a secondary rate limit", () => {
  it("waits the time GitHub gives (on a fake clock) and posts the review", async () => {
    const github = new FakeGitHub();
    const payload = pullRequestEvent("opened");
    expectMigrationReview(github, payload, {
      headRead: true,
      changed: [
        { path: "db/migrations/000003_index_orders.up.sql", text: "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n" },
      ],
      reviews: [
        () => ({
          status: 403,
          body: {
            message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            documentation_url: "https://docs.github.com/rest",
          },
          headers: { "retry-after": "42" },
          undocumented: "GitHub answers 403 to any request over a secondary rate limit",
        }),
        reviewAccepted(github),
      ],
      viaProbot: false,
    });
    const slept: number[] = [];
    let now = Date.UTC(2026, 10, 26);
    const clock: Clock = {
      now: () => now,
      sleep: (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    };
    const client = new PullRequestClient(
      new Octokit({ auth: "t", request: { retries: 0 } }),
      { owner: payload.repository.owner.login, repo: payload.repository.name, pullNumber: payload.pull_request.number, headSha: payload.pull_request.head.sha },
      clock,
    );

    await reviewPullRequest({ client, pr: { draft: false, author: "octocat", labels: [], baseRef: "main", changedFiles: 1 }, log: pino({ level: "silent" }) });

    expect(slept).toEqual([42_000]);
    expect(github.requestsTo("pulls/create-review")).toHaveLength(2);
    github.assertDone();
  });
});
