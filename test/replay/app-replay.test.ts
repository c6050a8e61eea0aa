import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../helpers/fake-github.js";
import { createTestProbot } from "../helpers/probot.js";
import {
  checkCompletion,
  expectHeadTarball,
  expectMigrationReview,
  pullRequestEvent,
  reviewAccepted,
  type HeadFile,
} from "../helpers/pull-request-scenario.js";

/**
 * The replay inside the app's review: a pull_request event through Probot, GitHub faked at HTTP
 * level (checked against its OpenAPI description), the migration folder read from the head
 * commit's tarball, and the migrations replayed in the embedded Postgres.
 */

const cacheHome = mkdtempSync(join(tmpdir(), "de-app-replay-"));
const previousCacheHome = process.env.XDG_CACHE_HOME;
process.env.XDG_CACHE_HOME = cacheHome;
afterAll(() => {
  if (previousCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = previousCacheHome;
  rmSync(cacheHome, { recursive: true, force: true });
});

const base: HeadFile[] = [
  // The role exists in production only: the replay creates it rather than failing the base.
  { path: "db/migrations/000001_orders.up.sql", text: "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\nGRANT SELECT ON orders TO app_reader;\n" },
  { path: "db/migrations/000001_orders.down.sql", text: "DROP TABLE orders;\n" },
];

let github: FakeGitHub;
beforeEach(() => {
  github = new FakeGitHub();
});
afterEach(() => {
  github.assertDone();
});

interface PostedReview {
  body: string;
  comments?: Array<{ path: string; line: number; body: string }>;
}

function postedReview(): PostedReview {
  const reviews = github.requestsTo("pulls/create-review");
  expect(reviews).toHaveLength(1);
  return reviews[0]?.body as PostedReview;
}

/** The verdict: the app's job creates its check run once, completed (checkCompletion). */
function finalCheck(): { conclusion: string; output: { title: string; summary: string } } {
  return checkCompletion(github) as unknown as { conclusion: string; output: { title: string; summary: string } };
}

describe("verify by replay in the app's review", () => {
  it("fails the check on a down that cannot restore the schema, and says what the replay did", async () => {
    const payload = pullRequestEvent("opened");
    // The pull request adds both halves of the migration.
    const changed: HeadFile[] = [
      { path: "db/migrations/000002_priority.up.sql", text: "ALTER TABLE orders ADD COLUMN priority integer;\nALTER TABLE orders ADD COLUMN due date;\n" },
      { path: "db/migrations/000002_priority.down.sql", text: "SELECT 1;\n" },
    ];
    expectMigrationReview(github, payload, { changed, reviews: [reviewAccepted(github)], config: "replay:\n  enabled: true\n" });
    expectHeadTarball(github, payload, [...base, ...changed]);

    const probot = await createTestProbot();
    await probot.receive({ id: "delivery-replay", name: "pull_request", payload: payload as never });

    const check = finalCheck();
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toMatch(/Replay: 1 migration replayed on PostgreSQL 18\.\d+ \(PGlite [\d.]+\) over a base of 1 migration/);
    const review = postedReview();
    expect(review.body).toMatch(/Replay: 1 migration replayed on PostgreSQL 18\.\d+ \\\(PGlite [\d.]+\\\) over a base of 1 migration/);
    const comments = (review.comments ?? []).map((c) => `${c.path}:${c.line} ${c.body}`).join("\n");
    // One comment for the statement, holding each difference the down leaves (each its own finding, not taken for a repeat).
    const mismatches = (review.comments ?? []).filter((c) => c.body.includes("replay-down-mismatch"));
    expect(mismatches.map((c) => `${c.path}:${c.line}`)).toEqual(["db/migrations/000002_priority.down.sql:1"]);
    expect([...(mismatches[0]?.body ?? "").matchAll(/public\.orders\.(\w+)/g)].map((m) => m[1]).sort()).toEqual(["due", "priority"]);
    expect(comments).toMatch(/000002_priority\.up\.sql:1 [\s\S]*replay-reapply-fails/);
  }, 120_000);

  it("ends a runaway statement at the deadline and still posts the review, saying the replay was unavailable", async () => {
    const payload = pullRequestEvent("opened");
    const changed: HeadFile[] = [{ path: "db/migrations/000002_slow.up.sql", text: "CREATE INDEX orders_status ON orders (status);\nSELECT pg_sleep(600);\n" }];
    const beside: HeadFile[] = [{ path: "db/migrations/000002_slow.down.sql", text: "DROP INDEX orders_status;\n" }];
    expectMigrationReview(github, payload, { changed, beside, reviews: [reviewAccepted(github)], config: "replay:\n  enabled: true\n  deadlineSeconds: 6\n" });
    expectHeadTarball(github, payload, [...base, ...changed, ...beside]);
    const started = performance.now();

    const probot = await createTestProbot();
    await probot.receive({ id: "delivery-runaway", name: "pull_request", payload: payload as never });

    expect(performance.now() - started).toBeLessThan(90_000);
    const review = postedReview();
    expect((review.comments ?? []).map((c) => c.body).join("\n")).toContain("require-concurrent-index");
    expect(review.body).toMatch(/Replay unavailable[^.]*: the replay ran past 6 s, its time limit/);
    expect(finalCheck().output.summary).toMatch(/Replay unavailable/);
  }, 120_000);
});
