import { afterEach, describe, expect, it } from "vitest";
import { pullRequestWebhook, startApp, type AppProcess } from "../helpers/app-process.js";
import { defaultHeadSha, LoopbackGitHub } from "../helpers/loopback-github.js";

/**
 * The built server in a child process, against a fake GitHub on loopback: killed with SIGKILL in
 * the middle of a review, then started again on the same DATA_DIR. The review must be posted once
 * and the head must end with one check run, completed; none may stay in progress. (A review job
 * creates its check run once, completed, at its end: issue 19 item 5. The job killed mid-review
 * had created none, so the restarted job's is the only one.)
 */

/**
 * Holds the review's second GraphQL query: the head commit's migration files (the first reads the
 * pull request, its files and the configuration), so the job is mid-review and has posted nothing.
 */
function headFilesQuery(): (request: { operationId: string | undefined }) => boolean {
  let queries = 0;
  return (request) => request.operationId === "graphql" && ++queries === 2;
}

let github: LoopbackGitHub | undefined;
let app: AppProcess | undefined;

afterEach(async () => {
  await app?.dispose();
  await github?.close();
  app = undefined;
  github = undefined;
});

describe("a server killed mid-review", () => {
  it("posts the review once after a restart and creates the one check run of the head, completed", async () => {
    github = new LoopbackGitHub();
    const { host } = await github.start();
    app = await startApp({ githubHost: host });
    const sha = defaultHeadSha("acme", "shop", 21);
    // The review reads the head's migration files, then posts; hold the reads so it is mid-review.
    const reads = github.holdRoute(headFilesQuery());

    const sent = await app.sendWebhook("pull_request", pullRequestWebhook("opened", { owner: "acme", repo: "shop", number: 21 }), "delivery-crash");
    expect(sent.status, app.describe()).toBeLessThan(300);
    await reads.arrived(1, 30_000);
    // Nothing written yet: no check run (none in progress to be left behind), no review.
    expect(github.checkRuns({ head_sha: sha })).toEqual([]);
    expect(github.reviewCount(21, sha)).toBe(0);

    expect(await app.kill("SIGKILL")).toMatchObject({ signal: "SIGKILL" });
    reads.release();

    app = await app.restart();
    const completed = await github
      .waitFor(
        (g) => g.checkRuns({ head_sha: sha }).some((c) => c.status === "completed") && g.reviewCount(21, sha) === 1,
        60_000,
        "the check run completed and one review",
      )
      .then(() => github?.checkRuns({ head_sha: sha }) ?? [])
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\n${app?.describe()}`);
      });

    // One check run on the head, completed: none left in progress, none twice.
    expect(completed.map((c) => c.status)).toEqual(["completed"]);
    expect(completed[0]?.conclusion).toMatch(/^(failure|neutral|success)$/);
    expect(completed[0]?.output.title).not.toBe("Review failed");
    // Redelivering the same webhook to the restarted server changes nothing.
    const again = await app.sendWebhook("pull_request", pullRequestWebhook("opened", { owner: "acme", repo: "shop", number: 21 }), "delivery-crash");
    expect(again.status).toBeLessThan(300);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(github.reviewCount(21, sha)).toBe(1);
    expect(github.checkRuns({ head_sha: sha })).toHaveLength(1);
    expect(github.problems, github.summary()).toEqual([]);
  }, 120_000);

  it("on SIGTERM, exits 0 after queueing the running review again, and the next start finishes it", async () => {
    github = new LoopbackGitHub();
    const { host } = await github.start();
    app = await startApp({ githubHost: host, env: { SHUTDOWN_GRACE_SECONDS: "1" } });
    const sha = defaultHeadSha("acme", "shop", 22);
    const reads = github.holdRoute(headFilesQuery());

    await app.sendWebhook("pull_request", pullRequestWebhook("opened", { owner: "acme", repo: "shop", number: 22 }), "delivery-term");
    await reads.arrived(1, 30_000);
    const stopping = app.stop(20_000);
    // The held read answers after the grace period: the review notices it was stopped and posts nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    reads.release();
    await stopping;
    expect(await app.exited).toMatchObject({ code: 0 });
    expect(github.reviewCount(22, sha)).toBe(0);
    expect(github.checkRuns({ head_sha: sha })).toEqual([]);

    app = await app.restart();
    await github.waitFor(
      (g) => g.checkRuns({ head_sha: sha }).some((c) => c.status === "completed") && g.reviewCount(22, sha) === 1,
      60_000,
      "the review after the restart",
    );
    expect(github.checkRuns({ head_sha: sha }).map((c) => c.status)).toEqual(["completed"]);
    expect(github.problems, github.summary()).toEqual([]);
  }, 120_000);
});
