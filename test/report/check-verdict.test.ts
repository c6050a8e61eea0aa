import { beforeAll, describe, expect, it } from "vitest";
import { annotationBatches, checkVerdict, type FailOn } from "../../src/report/check-verdict.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import type { Finding, Severity } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration } from "../helpers/rule-tester.js";

function finding(severity: Severity, line = 1, extra: Partial<Finding> = {}): Finding {
  return {
    rule: "ban-drop-table",
    severity,
    category: "destructive",
    path: "db/migrations/0002_drop.up.sql",
    line,
    endLine: line,
    message: `m${line}`,
    ...extra,
  };
}

const ERRORS = [finding("error", 1), finding("error", 2), finding("warning", 3)];
const WARNINGS = [finding("warning", 1), finding("note", 2)];
const NOTES = [finding("note", 1)];

describe("checkVerdict", () => {
  it.each<[string, Finding[], FailOn, boolean, boolean, "success" | "neutral" | "failure"]>([
    ["errors fail on error", ERRORS, "error", false, false, "failure"],
    ["warnings pass on error", WARNINGS, "error", false, false, "success"],
    ["warnings fail on warning", WARNINGS, "warning", false, false, "failure"],
    ["notes never fail", NOTES, "warning", false, false, "success"],
    ["failOn never", ERRORS, "never", false, false, "success"],
    ["advisory: never failure", ERRORS, "error", true, false, "neutral"],
    ["partial clean: never success", [], "error", false, true, "neutral"],
    ["partial with errors still fails", ERRORS, "error", false, true, "failure"],
    ["partial + advisory", ERRORS, "error", true, true, "neutral"],
    ["partial, failOn never", ERRORS, "never", false, true, "neutral"],
    ["acknowledged errors do not fail", [finding("error", 1, { acknowledged: true })], "error", false, false, "success"],
    ["clean", [], "warning", false, false, "success"],
  ])("%s", (_name, findings, failOn, advisory, partial, conclusion) => {
    expect(checkVerdict(findings, { failOn, advisory, partial, migrations: 2 }).conclusion).toBe(conclusion);
  });

  it.each([
    [ERRORS, 4, "2 errors, 1 warning in 4 migrations"],
    [WARNINGS, 1, "1 warning, 1 policy finding in 1 migration"],
    [[], 3, "No problems in 3 migrations"],
  ])("titles %#", (findings, migrations, title) => {
    expect(checkVerdict(findings, { failOn: "error", advisory: false, partial: false, migrations }).title).toBe(title);
  });

  it("lists the files it did not review, and why", () => {
    const { summary, conclusion } = checkVerdict([], {
      failOn: "error",
      advisory: false,
      partial: true,
      migrations: 1,
      notReviewed: [{ path: "db/big`dump.sql", reason: "larger than 1 MiB" }],
    });
    expect(conclusion).toBe("neutral");
    expect(summary).toContain("**Not reviewed:**\n- ``db/big`dump.sql``: larger than 1 MiB");
  });

  it("says when the review is partial", () => {
    const verdict = checkVerdict([], { failOn: "error", advisory: false, partial: true, migrations: 3 });
    expect(verdict.title).toBe("No problems in 3 migrations (partial review)");
    expect(verdict.summary).toContain("Only part of this pull request was reviewed");
  });

  it("keeps the summary within 60,000 characters and inert", () => {
    const many = Array.from({ length: 5_000 }, (_, i) => finding("error", i + 1, { message: `<script>x</script> @octocat ${"long ".repeat(20)}` }));
    const verdict = checkVerdict(many, { failOn: "error", advisory: false, partial: false, migrations: 1 });
    expect(verdict.summary.length).toBeLessThanOrEqual(60_000);
    expect(verdict.summary).toMatch(/… and [\d,]+ more findings/);
    expect(verdict.summary).not.toMatch(/<script>|@octocat/);
  });
});

describe("annotationBatches", () => {
  beforeAll(() => loadSqlParser());

  it.each([
    [0, []],
    [1, [1]],
    [50, [50]],
    [51, [50, 1]],
    [120, [50, 50, 20]],
  ])("%i findings → batches %j", (n, sizes) => {
    const findings = Array.from({ length: n }, (_, i) => finding(i % 2 === 0 ? "error" : "note", i + 1));
    expect(annotationBatches(findings).map((b) => b.length)).toEqual(sizes);
  });

  it("maps findings of the real engine to annotations within GitHub's limits", () => {
    const { files, migration } = caseMigration("CREATE INDEX users_email\n  ON users (email);\nDROP TABLE orders;\n");
    const findings = analyzeMigrations(files, [migration]).findings;
    const [batch = []] = annotationBatches(findings);
    const index = batch.find((a) => a.title.startsWith("require-concurrent-index"));
    expect(index).toMatchObject({ path: "db/migrations/0001_case.up.sql", start_line: 1, end_line: 2 });
    expect(index?.raw_details).toContain("CONCURRENTLY");
    const levels = new Set(batch.map((a) => a.annotation_level));
    for (const level of levels) expect(["failure", "warning", "notice"]).toContain(level);
    expect(batch.length).toBe(findings.length);
  });

  it("limits title and message", () => {
    const [batch = []] = annotationBatches([finding("warning", 1, { message: "é".repeat(70_000) })]);
    const [a] = batch;
    expect(a?.title.length).toBeLessThanOrEqual(255);
    expect(new TextEncoder().encode(a?.message ?? "").length).toBeLessThanOrEqual(64 * 1024);
    expect(a?.annotation_level).toBe("warning");
  });

  it("leaves out files outside the diff when told which are in it", () => {
    const findings = [finding("error", 1), finding("error", 2, { path: "db/other.sql" })];
    expect(
      annotationBatches(findings, (path) => path !== "db/other.sql")
        .flat()
        .map((a) => a.path),
    ).toEqual(["db/migrations/0002_drop.up.sql"]);
  });
});

describe("checkVerdict with a file refused as hostile", () => {
  const refused = [{ path: "db/nested.sql", reason: "comments nested 60000 deep", refused: true }];

  it("fails the check even with no findings: GitHub would let a neutral required check pass", () => {
    const verdict = checkVerdict([], { failOn: "error", advisory: false, partial: true, migrations: 0, notReviewed: refused });
    expect(verdict.conclusion).toBe("failure");
    expect(verdict.title).toBe("1 file refused as hostile in 0 migrations (partial review)");
  });

  it("is neutral when advisory, and a file merely not reviewed (too large) stays neutral", () => {
    expect(checkVerdict([], { failOn: "never", advisory: true, partial: true, migrations: 0, notReviewed: refused }).conclusion).toBe("neutral");
    const tooLarge = [{ path: "db/big.sql", reason: "larger than 1 MiB" }];
    expect(checkVerdict([], { failOn: "error", advisory: false, partial: true, migrations: 0, notReviewed: tooLarge }).conclusion).toBe("neutral");
  });
});
