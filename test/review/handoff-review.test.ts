import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../src/config/repo-config.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { createRelevantFileMatcher, selectRelevantFiles, type ChangedFile } from "../../src/migrations/relevant-files.js";
import { addedFilePatch } from "../../src/report/diff-anchors.js";
import { markerSeal, markersIn, sealMarker, statementFor } from "../../src/report/fingerprint.js";
import { buildReview } from "../../src/review/build-review.js";
import { loadSqlParser } from "../../src/sql/parse.js";

/**
 * The review a team gets for three risky migrations on existing tables (issue 17's black-box
 * scenario): an index built without CONCURRENTLY, a foreign key validated at once, a migration
 * without a down. Built through detect → analyse → compose, as the server and the demo build it.
 */

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const DIR = "db/migrations";
const FILES: Record<string, string> = {
  [`${DIR}/0002_orders_user_idx.up.sql`]: "CREATE INDEX orders_user_idx ON orders (user_id);\n",
  [`${DIR}/0002_orders_user_idx.down.sql`]: "DROP INDEX orders_user_idx;\n",
  [`${DIR}/0003_orders_user_fk.up.sql`]: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n",
  [`${DIR}/0003_orders_user_fk.down.sql`]: "ALTER TABLE orders DROP CONSTRAINT orders_user_fk;\n",
  [`${DIR}/0004_orders_note.up.sql`]: "ALTER TABLE orders ADD COLUMN note text;\n",
};
const SHA = "0123456789abcdef0123456789abcdef01234567";
const SEAL = markerSeal(Buffer.from("test marker key"), { owner: "acme", repo: "shop", pullNumber: 7 });

function review(options: { posted?: ReadonlySet<string>; policyInline?: boolean; yaml?: Record<string, unknown> } = {}) {
  const config = parseRepoConfig(options.yaml ?? { tables: { orders: { rows: 40_000_000 } } });
  const files: SourceFile[] = Object.entries(FILES).map(([path, text]) => ({ path, text }));
  const changed: ChangedFile[] = files.map((f) => ({ path: f.path, status: "added", additions: 1, deletions: 0, patch: addedFilePatch(f.text) }));
  return buildReview({
    files,
    relevant: selectRelevantFiles(changed, createRelevantFileMatcher(config.paths.include, config.paths.exclude)),
    changed,
    config,
    posted: options.posted ?? new Set(),
    notReviewed: [],
    listing: { listed: changed.length, changed: changed.length },
    headSha: SHA,
    ...(options.policyInline !== undefined ? { policyInline: options.policyInline } : {}),
  });
}

describe("the review of an index without CONCURRENTLY, a foreign key validated at once and a migration without a down", () => {
  it("posts exactly one inline comment per statement, and a body that opens with the Handoff Report", () => {
    const built = review();
    const inline = built.comments.flatMap((c) => c.findings);
    const rules = new Set(inline.map((f) => f.rule));
    for (const rule of ["require-concurrent-index", "require-not-valid-foreign-key", "missing-rollback"]) expect(rules).toContain(rule);
    // One comment per statement: the three up statements, whatever number of findings each has.
    const statementOf = (f: (typeof inline)[number]) => {
      const s = statementFor(built.analysis, f);
      return `${f.path}:${s?.line ?? f.line}`;
    };
    const statements = new Set(inline.map(statementOf));
    expect(statements.size).toBe(3);
    expect(built.comments).toHaveLength(3);
    expect(inline.length).toBeGreaterThan(built.comments.length);
    for (const comment of built.comments) {
      expect(new Set(comment.findings.map(statementOf)).size).toBe(1);
      expect(comment.body.match(/```suggestion/g)?.length ?? 0).toBeLessThanOrEqual(1);
      expect(markersIn(sealMarker(comment.body, SEAL), SEAL)).toEqual(comment.fingerprints);
    }
    const index = built.comments.find((c) => c.path.endsWith("0002_orders_user_idx.up.sql"));
    expect(index?.body).toContain("**Lock:** SHARE on `orders`; blocks writes, scans the table, for about 40 s (40,000,000 rows)");

    expect(built.body.split("\n")[0]).toBe("## data-engineer Handoff Report");
    expect(built.body.split("\n").slice(0, 4).join("\n")).toContain(SHA.slice(0, 12));
    expect(built.body).toContain("### Part 1 — Task Report");
    expect(built.body).toContain("### Part 2 — Downstream Context");
    // A first review: nothing to call fixed.
    expect(built.resolved).toBeUndefined();
    expect(built.body).not.toContain("Fixed since the last review");
    // The Task Report names what the migrations create.
    expect(built.body).toContain("  - index `orders_user_idx` on `orders(user_id)` created");
    expect(built.body).toContain("  - foreign key `orders_user_fk` on `orders(user_id)` referencing `users(id)` added");
    expect(built.body).toContain("  - column `orders.note text` added");
    expect(built.body).toContain("table sizes as configured in .github/data-engineer.yml: `orders` 40,000,000 rows");
  });

  it("posts nothing again on a re-review of the same head, and counts what was fixed", () => {
    const first = review();
    const posted = new Set(first.comments.flatMap((c) => markersIn(sealMarker(c.body, SEAL), SEAL)));
    expect(posted.size).toBe(first.comments.reduce((n, c) => n + c.findings.length, 0));
    const again = review({ posted });
    expect(again.comments).toEqual([]);
    expect(again.selection.skippedAsPosted.length).toBe(posted.size);
    expect(again.resolved).toBe(0);
    expect(again.body).toContain("Fixed since the last review: 0");
  });

  it("keeps policy findings out of the inline comments by default, and inline when policyInline", () => {
    const byDefault = review();
    const policy = byDefault.findings.filter((f) => f.severity === "note");
    expect(policy.length).toBeGreaterThan(0);
    expect(byDefault.comments.flatMap((c) => c.findings).some((f) => f.severity === "note")).toBe(false);
    expect(byDefault.body).toContain("### Policy\n");
    const strict = review({ policyInline: true });
    expect(strict.comments.flatMap((c) => c.findings).filter((f) => f.severity === "note")).toHaveLength(policy.length);
    // Still one comment per statement: policy findings join their statement's comment.
    expect(strict.comments).toHaveLength(byDefault.comments.length);
  });
});
