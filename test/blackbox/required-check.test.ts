import { afterEach, describe, expect, it } from "vitest";
import { pullRequestWebhook, startApp, type AppProcess } from "../helpers/app-process.js";
import { defaultHeadSha, LoopbackGitHub } from "../helpers/loopback-github.js";

/**
 * The required check as a team meets it: the built server in a child process, a fake GitHub on
 * loopback, a pull request that adds one golang-migrate migration to a repository whose `orders`
 * and `users` tables came from an earlier migration. The migration builds an index without
 * CONCURRENTLY on `orders` (SHARE lock for the whole build: writes stop), adds a foreign key that
 * is validated at once (SHARE ROW EXCLUSIVE on both tables while every row is checked), and has no
 * down. With no configuration at all the check must fail, with one inline comment per statement
 * and a review body that is the Handoff Report.
 */

let github: LoopbackGitHub | undefined;
let app: AppProcess | undefined;

afterEach(async () => {
  await app?.dispose();
  await github?.close();
  app = undefined;
  github = undefined;
});

const EARLIER = {
  "db/migrations/000001_create_orders.up.sql":
    "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL);\n",
  "db/migrations/000001_create_orders.down.sql": "DROP TABLE orders;\nDROP TABLE users;\n",
};

const UP = [
  "-- Orders by user, for the account page.",
  "CREATE INDEX orders_user_id_idx ON orders (user_id);",
  "",
  "ALTER TABLE orders ADD CONSTRAINT orders_user_id_fk FOREIGN KEY (user_id) REFERENCES users (id);",
  "",
].join("\n");

describe("the required check with the default configuration", () => {
  it("fails a migration that blocks writes on existing tables and has no down, with one comment per statement and the Handoff Report", async () => {
    github = new LoopbackGitHub({ defaultFiles: [] });
    const { host } = await github.start();
    const owner = "acme";
    const repo = "shop";
    const number = 7;
    const sha = defaultHeadSha(owner, repo, number);
    github.pullRequest(owner, repo, number, {
      files: [{ path: "db/migrations/000002_orders_user_index.up.sql", text: UP }],
      beside: EARLIER,
    });
    app = await startApp({ githubHost: host });

    const sent = await app.sendWebhook("pull_request", pullRequestWebhook("opened", { owner, repo, number }), "delivery-required-check");
    expect(sent.status, app.describe()).toBeLessThan(300);
    await github
      // The job posts the review first and then creates its check run, completed: wait for both.
      .waitFor(
        (g) => {
          const runs = g.checkRuns({ head_sha: sha });
          return runs.length > 0 && runs.every((c) => c.status === "completed") && g.reviewCount(number, sha) === 1;
        },
        90_000,
        "the review",
      )
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\n${app?.describe()}`);
      });

    const [check] = github.checkRuns({ head_sha: sha });
    expect(check?.name).toBe("data-engineer");
    expect(check?.conclusion, check?.output.summary ?? undefined).toBe("failure");

    const [review] = github.reviews(number);
    expect(review?.body.split("\n")[0]).toMatch(/^## data-engineer Handoff Report/);
    expect(review?.body).toContain("Part 1 — Task Report");
    expect(review?.body).toContain("Part 2 — Downstream Context");
    const lines = (review?.comments ?? []).map((c) => c.line).sort((a, b) => (a ?? 0) - (b ?? 0));
    // One per statement: the index (line 2), the foreign key (line 4), the missing down (the file).
    expect(review?.comments, review?.body).toHaveLength(3);
    expect(new Set(lines).size).toBe(3);
    expect(review?.comments.some((c) => c.line === 2 && /CONCURRENTLY/.test(c.body))).toBe(true);
    expect(review?.comments.some((c) => c.line === 4 && /NOT VALID/.test(c.body))).toBe(true);
    expect(review?.comments.some((c) => /down|rollback/i.test(c.body) && c.line !== 2 && c.line !== 4)).toBe(true);
    expect(github.problems, github.summary()).toEqual([]);
  }, 150_000);
});
