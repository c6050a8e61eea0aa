import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { PullRequestClient } from "../../src/github/pull-request-client.js";
import { CHECK_NAME } from "../../src/report/check-output.js";
import { encodeCheckIdentity } from "../../src/review/check-identity.js";
import { FakeGitHub } from "../helpers/fake-github.js";

/**
 * The two lookups of our check run on a head (pull-request-client.ts): `findCheckRun` (any status:
 * a dead letter, a review job's rerun) and `findOpenCheckRun` (in progress only: a re-run's later
 * attempt). One listing each; the same rule for which run is ours.
 */

const HEAD = "0123456789abcdef0123456789abcdef01234567";
const EXTERNAL_ID = encodeCheckIdentity({ pullNumber: 3, headSha: HEAD });

let fake: FakeGitHub | undefined;

afterEach(() => {
  fake?.stop();
  fake = undefined;
});

function listing(github: FakeGitHub, runs: Array<{ id: number; slug: string; status: "in_progress" | "completed" }>) {
  const example = github.example("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", 200) as { check_runs: Array<Record<string, unknown>> };
  const [run = {}] = example.check_runs;
  return {
    status: 200,
    body: {
      total_count: runs.length,
      check_runs: runs.map(({ id, slug, status }) => ({
        ...run,
        id,
        head_sha: HEAD,
        name: CHECK_NAME,
        external_id: EXTERNAL_ID,
        status,
        conclusion: status === "completed" ? "success" : null,
        app: { ...(run.app as object), slug },
      })),
    },
  };
}

function client(): PullRequestClient {
  return new PullRequestClient(new Octokit({ auth: "installation-token" }), { owner: "o", repo: "r", pullNumber: 3, headSha: HEAD }, undefined, {
    ownLogin: "data-engineer[bot]",
  });
}

describe("looking up our check run on the head", () => {
  it("in progress only: asks GitHub for runs in progress and takes ours, past another app's run of the same identity", async () => {
    const github = (fake = new FakeGitHub());
    const runs = [
      { id: 5, slug: "impostor", status: "in_progress" as const },
      { id: 6, slug: "data-engineer", status: "in_progress" as const },
    ];
    github.on("GET", `/repos/o/r/commits/${HEAD}/check-runs`, listing(github, runs));
    expect(await client().findOpenCheckRun(CHECK_NAME, EXTERNAL_ID)).toBe(6);
    github.assertDone();
    const [request] = github.requestsTo("checks/list-for-ref");
    expect(request?.query.get("status")).toBe("in_progress");
    expect(request?.query.get("filter")).toBe("all");
  });

  it("any status: lists without a status and takes ours, completed or not; another app's run alone is not ours", async () => {
    const github = (fake = new FakeGitHub());
    github.on("GET", `/repos/o/r/commits/${HEAD}/check-runs`, listing(github, [{ id: 8, slug: "data-engineer", status: "completed" }]));
    github.on("GET", `/repos/o/r/commits/${HEAD}/check-runs`, listing(github, [{ id: 9, slug: "impostor", status: "in_progress" }]));
    expect(await client().findCheckRun(CHECK_NAME, EXTERNAL_ID)).toBe(8);
    expect(await client().findCheckRun(CHECK_NAME, EXTERNAL_ID)).toBeUndefined();
    github.assertDone();
    expect(github.requestsTo("checks/list-for-ref").map((r) => r.query.get("status"))).toEqual([null, null]);
  });
});
