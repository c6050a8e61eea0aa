import { describe, expect, it } from "vitest";
import { selectInlineComments, type InlineSelection } from "../../src/report/inline-comments.js";
import { REVIEW_BODY_LIMIT, renderReviewBody, type ReviewBodyInput } from "../../src/report/review-body.js";
import { commentableLines } from "../../src/report/diff-anchors.js";
import { analyzeMigrations, type AnalysisResult } from "../../src/rules/engine.js";
import type { Finding } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration } from "../helpers/rule-tester.js";

const UP = "db/migrations/0001_case.up.sql";
const SHA = "0123456789abcdef0123456789abcdef01234567";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

function analyse(sql: string): AnalysisResult {
  const { files, migration } = caseMigration(sql);
  return analyzeMigrations(files, [migration]);
}

function input(analysis: AnalysisResult, patch: string | undefined, overrides: Partial<ReviewBodyInput> = {}, max = 10): ReviewBodyInput {
  const findings: InlineSelection = selectInlineComments(analysis.findings, new Map([[UP, commentableLines(patch)]]), { max, alreadyPosted: new Set() });
  return {
    analysis,
    findings,
    reviewedFiles: analysis.migrations.flatMap((m) => m.migration.files),
    notReviewed: [],
    headSha: SHA,
    ...overrides,
  };
}

const SQL = [
  "SET lock_timeout = '5s';",
  "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);",
  "CREATE INDEX accounts_email ON accounts (email);",
  "ALTER TABLE orders ADD COLUMN note text;",
  "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);",
  "DROP TABLE legacy CASCADE;",
  "ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;",
  "-- migrate:down",
  "DROP TABLE accounts;",
  "",
].join("\n");

/** The analysis with `rule`'s findings at the given severity: the tiers are the rules' business, the wording is the body's. */
function withSeverity(analysis: AnalysisResult, rules: readonly string[], severity: Finding["severity"]): AnalysisResult {
  return { ...analysis, findings: analysis.findings.map((f) => (rules.includes(f.rule) ? { ...f, severity } : f)) };
}

/** The text outside code spans (a run of n backticks up to the next run of exactly n). */
function withoutCodeSpans(markdown: string): string {
  let out = "";
  let i = 0;
  while (i < markdown.length) {
    const open = /`+/.exec(markdown.slice(i));
    if (!open) return out + markdown.slice(i);
    const start = i + open.index;
    const fence = open[0];
    out += markdown.slice(i, start);
    const close = new RegExp(`(?<!\`)${fence}(?!\`)`).exec(markdown.slice(start + fence.length));
    if (!close) return out + markdown.slice(start);
    i = start + fence.length + close.index + fence.length;
  }
  return out;
}

describe("renderReviewBody", () => {
  it("renders the Handoff Report from the analysis", () => {
    const analysis = analyse(SQL);
    const body = renderReviewBody(input(analysis, "@@ -0,0 +1,7 @@\n+a\n+b\n+c\n+d\n+e\n+f\n+g", { resolved: 2 }));
    for (const heading of [
      "### Part 1 — Task Report",
      "- **Status**: ",
      "- **Objective Achieved**:",
      "- **Schema Objects Created / Changed** (by the up migrations):",
      "- **Validation**: ",
      "- **Validation Output**:",
      "- **Errors**: none",
      "- **Scope Deviations**: none",
      "### Part 2 — Downstream Context",
      "- **Key Interfaces Introduced**:",
      "- **Patterns Established**:",
      "- **Integration Points**:",
      "- **Assumptions**:",
      "- **Warnings**:",
      "Fixed since the last review: 2",
      "### Findings",
      "| Severity | Rule | Where | What |",
    ]) {
      expect(body).toContain(heading);
    }
    expect(body).toContain("`db/migrations/0001_case.up.sql`");
    expect(body).toContain("table `accounts` (`id int8, email text`)");
    expect(body).toContain("column `orders.note text`");
    expect(body).toContain("existing table `orders`");
    expect(body).toMatch(
      /ALTER TABLE orders ALTER COLUMN total TYPE numeric\(12,2\)`: ACCESS EXCLUSIVE on `orders`; blocks reads and writes, rewrites the table/,
    );
    expect(body).toContain("| up | `DROP TABLE legacy CASCADE` | ACCESS EXCLUSIVE | `legacy` | reads, writes | no |");
    // accounts is created earlier in the same migration: new, so nobody waits on it.
    expect(body).toContain("| up | `CREATE INDEX accounts_email ON accounts (email)` | SHARE | `accounts` (new) | nothing | no |");
    expect(body).not.toContain("existing table `accounts`");
    expect(body).toContain("| down | `DROP TABLE accounts` | ACCESS EXCLUSIVE | `accounts` | reads, writes | no |");
    expect(body).toContain("### Locks: `db/migrations/0001_case.up.sql`");
    expect(body).not.toContain("Outside the diff");
  });

  it("opens with the Handoff Report title and the head commit, with no fixed count on a first review", () => {
    const analysis = analyse(SQL);
    const first = renderReviewBody(input(analysis, "@@ -0,0 +1,7 @@\n+a\n+b\n+c\n+d\n+e\n+f\n+g"));
    const lines = first.split("\n");
    expect(lines[0]).toBe("## data-engineer Handoff Report");
    expect(lines.slice(0, 4).join("\n")).toContain(SHA.slice(0, 12));
    expect(first).not.toContain("Fixed since the last review");
    expect(renderReviewBody(input(analysis, undefined, { resolved: 0 }))).toContain("Fixed since the last review: 0");
  });

  it("lists in the Task Report every object the up migration creates or changes: the new column and the new foreign key included", () => {
    const body = renderReviewBody(input(analyse(SQL), undefined));
    const part1 = body.slice(body.indexOf("### Part 1"), body.indexOf("### Part 2"));
    for (const object of [
      "table `accounts` created",
      "index `accounts_email` on `accounts(email)` created",
      "column `orders.note text` added",
      "column `orders.total` type changed to `numeric(12,2)`",
      "table `legacy` dropped (CASCADE)",
      "foreign key `orders_account_fk` on `orders(account_id)` referencing `accounts(id)` added (NOT VALID)",
      "primary key on `accounts(id)` added",
    ])
      expect(part1).toContain(`  - ${object}`);
    // The down's DROP TABLE accounts is not a change the migration makes.
    expect(part1).not.toContain("table `accounts` dropped");
  });

  it("says status and validation in the same plain words", () => {
    const analysis = analyse(SQL);
    // Two errors exactly, whatever the rules' default tiers.
    const demoted = withSeverity(analysis, [...new Set(analysis.findings.filter((f) => f.severity === "error").map((f) => f.rule))], "warning");
    const twoErrors: AnalysisResult = { ...demoted, findings: demoted.findings.map((f, i) => (i < 2 ? { ...f, severity: "error" as const } : f)) };
    const body = renderReviewBody(input(twoErrors, undefined));
    expect(body).toContain("- **Status**: changes requested — 2 errors must be fixed before merge\n");
    expect(body).toContain("- **Validation**: failed: 2 errors\n");
    const cleanBody = renderReviewBody(input({ ...demoted, findings: demoted.findings.filter((f) => f.severity !== "error") }, undefined));
    expect(cleanBody).toMatch(/- \*\*Status\*\*: passed — no errors/);
    expect(cleanBody).toMatch(/- \*\*Validation\*\*: passed: no errors/);
    for (const text of [body, cleanBody]) {
      const status = /- \*\*Status\*\*: (.*)/.exec(text)?.[1] ?? "";
      const validation = /- \*\*Validation\*\*: (.*)/.exec(text)?.[1] ?? "";
      expect(status.startsWith("passed") || status.startsWith("partial")).toBe(validation.startsWith("passed"));
      expect(`${status} ${validation}`).not.toMatch(/\bsuccess\b|\bfail\b/);
    }
  });

  it("names the tables whose sizes are configured in the assumptions, and estimates lock durations from them", () => {
    const analysis = analyse(SQL);
    const unknown = renderReviewBody(input(analysis, undefined));
    expect(unknown).toContain("table sizes are unknown unless configured");
    const known = renderReviewBody(input(analysis, undefined, { tableRows: new Map([["orders", 40_000_000]]) }));
    expect(known).not.toContain("table sizes are unknown");
    expect(known).toContain("table sizes as configured in .github/data-engineer.yml: `orders` 40,000,000 rows");
    expect(known).toMatch(/ACCESS EXCLUSIVE on `orders`; blocks reads and writes, rewrites the table, for about 80 s \(40,000,000 rows\)/);
  });

  it("lists policy findings in one compact section, not as a table", () => {
    const analysis = analyse(SQL);
    const policy = analysis.findings.filter((f) => f.severity === "note");
    expect(policy.length).toBeGreaterThan(0);
    const body = renderReviewBody(input(analysis, "@@ -0,0 +1,7 @@\n+a\n+b\n+c\n+d\n+e\n+f\n+g"));
    const section = body.slice(body.indexOf("### Policy\n"));
    expect(body.indexOf("### Policy\n")).toBeGreaterThan(-1);
    for (const f of policy) expect(section).toContain(`- \`${f.rule}\` at \`${f.path}:${f.line}\`: `);
    expect(body).not.toContain("### Notes");
  });

  it("says that an agent which stopped did not finish, even with its partial report", () => {
    const agent = {
      reason: "max_turns",
      detail: "no report after 2 turns",
      model: "gemini-x",
      turns: 2,
      tokensIn: 10,
      tokensOut: 5,
      unavailableTools: [],
      refusedTools: [],
      merged: 0,
    };
    const report = {
      part1: {
        status: "partial" as const,
        objectiveAchieved: "Partial report",
        decisionsMade: [],
        validation: "skipped" as const,
        errors: [],
        scopeDeviations: [],
      },
      part2: { keyInterfacesIntroduced: [], patternsEstablished: [], integrationPoints: [], assumptions: [], warnings: [] },
    };
    const analysis = analyse(SQL);
    const stopped = renderReviewBody(input(analysis, undefined, { agent: { ...agent, report, partial: true } }));
    expect(stopped).not.toContain("read the repository at the head commit");
    expect(stopped).toContain("stopped after 2 turns before it finished its report (`max_turns`: no report after 2 turns)");
    expect(stopped).toMatch(/- \*\*Status\*\*: .*partial review: the data-engineer agent did not finish/);
    const finished = renderReviewBody(
      input(analysis, undefined, { agent: { ...agent, reason: "goal", report: { ...report, part1: { ...report.part1, status: "success" as const } } } }),
    );
    expect(finished).toContain("read the repository at the head commit in 2 turns");
  });

  it("lists findings outside the diff and over the cap, and the files not reviewed", () => {
    const analysis = analyse(SQL);
    const body = renderReviewBody(
      input(
        analysis,
        "@@ -5,2 +5,2 @@\n-x\n+ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\n DROP TABLE legacy;",
        {
          notReviewed: [
            { path: "db/huge.sql", reason: "larger than 1 MB" },
            { path: "db/bad.sql", reason: "could not be read: 404" },
          ],
        },
        1,
      ),
    );
    expect(body).toMatch(/- \*\*Status\*\*: .*partial review: 2 files not reviewed/);
    expect(body).toContain("### Outside the diff");
    expect(body).toMatch(/[\d,]+ more findings? not shown inline/);
    expect(body).toContain("- **Scope Deviations**: \n  - not reviewed: `db/huge.sql`: larger than 1 MB\n  - not reviewed: `db/bad.sql`");
    expect(body).toMatch(/\*\*Errors\*\*: \n {2}- file not read: `db\/bad\.sql`/);
  });

  it("reports syntax errors and a review with no file read", () => {
    const analysis = analyse("CREATE TABL oops;\n");
    const body = renderReviewBody(input(analysis, undefined));
    expect(body).toMatch(/- \*\*Status\*\*: .*partial review: 1 syntax error/);
    expect(body).toMatch(/syntax error at `db\/migrations\/0001_case\.up\.sql:1`/);
    const none = renderReviewBody({ ...input(analyse(""), undefined), reviewedFiles: [], notReviewed: [{ path: "db/x.sql", reason: "binary" }] });
    expect(none).toContain("- **Status**: failed — no migration file could be reviewed");
    expect(none).toContain("- **Validation**: skipped: no migration file was read");
  });

  it.each([
    ["backticks and a mention in a path", "db/`@octocat`.sql"],
    ["HTML in a path", "db/<script>alert(1)</script>.sql"],
    ["a pipe and a newline in a path", "db/a|b\nc.sql"],
  ])("renders hostile PR text inert: %s", (_name, path) => {
    const sql = 'DROP TABLE "<img src=x onerror=alert(1)>";\nALTER TABLE "@octocat" ADD COLUMN "`x`" int NOT NULL;\n';
    const { files, migration } = caseMigration(sql);
    const renamed = files.map((f) => ({ ...f, path: f.path === UP ? path : f.path }));
    const m = {
      ...migration,
      files: migration.files.map((p) => (p === UP ? path : p)),
      sections: migration.sections.map((s) => (s.path === UP ? { ...s, path } : s)),
    };
    const analysis = analyzeMigrations(renamed, [m]);
    expect(analysis.findings.some((f) => f.path === path)).toBe(true);
    const body = renderReviewBody({ ...input(analysis, undefined), notReviewed: [{ path, reason: "<b>@octocat</b>" }] });
    // Outside code spans, nothing can be HTML or a mention.
    const outsideCode = withoutCodeSpans(body);
    expect(outsideCode).not.toMatch(/<(script|img|b)\b/);
    expect(outsideCode).not.toMatch(/@octocat/);
    // Every table row has its header's number of cells: no pipe from the PR splits a cell.
    const lines = body.split("\n");
    let cells = 0;
    lines.forEach((line, i) => {
      if (!line.startsWith("| ")) return;
      const count = line.replace(/\\\|/g, "").split("|").length;
      if (lines[i + 1]?.startsWith("| ---")) cells = count;
      else expect(count, line).toBe(cells);
    });
    expect(body).not.toContain("\nc.sql");
  });

  it("stays within 65,000 characters with 2,000 findings and says what it cut", () => {
    const statements = Array.from(
      { length: 700 },
      (_, i) =>
        `CREATE INDEX idx_${i} ON orders_${i % 50} (c${i});\nALTER TABLE t_${i} ADD COLUMN c int NOT NULL;\nALTER TABLE z_${i} ALTER COLUMN c TYPE bigint;`,
    );
    const analysis = analyse(statements.join("\n"));
    expect(analysis.findings.length).toBeGreaterThanOrEqual(2_000);
    const body = renderReviewBody(input(analysis, "@@ -1,3 +1,3 @@\n a\n b\n c", {}, 25));
    expect(body.length).toBeLessThanOrEqual(REVIEW_BODY_LIMIT);
    expect(body).toContain("This review was shortened to fit GitHub's 65,536-character limit. Cut:");
    expect(body).toMatch(/Cut: .*lock rows/);
    expect(body).toContain("### Part 1 — Task Report");
    expect(body).toContain("### Part 2 — Downstream Context");
    expect(body).toContain("### Findings");
    expect(body).toMatch(/_… [\d,]+ more rows cut to fit GitHub's size limit\._/);
  });

  it("drops lock summaries before policy findings", () => {
    // Many lock rows and a few policy findings: they survive, the lock tables go.
    const statements = Array.from(
      { length: 1_500 },
      (_, i) => `${i % 500 === 0 ? "-- data-engineer-ignore ban-drop-table\n" : ""}ALTER TABLE orders_${i} ADD COLUMN note_${i} text;`,
    );
    const { files, migration } = caseMigration({ sql: `SET lock_timeout = '1s';\n${statements.join("\n")}\n`, inTransaction: true });
    const analysis = analyzeMigrations(files, [migration]);
    const notes = analysis.findings.filter((f) => f.severity === "note");
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.length).toBeLessThan(20);
    const body = renderReviewBody(input(analysis, undefined));
    expect(body.length).toBeLessThanOrEqual(REVIEW_BODY_LIMIT);
    expect(body).toContain("### Policy\n- ");
    const section = body.slice(body.indexOf("### Policy\n"));
    expect(section.split("\n").filter((l) => notes.some((n) => l.startsWith(`- \`${n.rule}\` at `))).length).toBe(notes.length);
    expect(body).toMatch(/Cut: .*lock rows/);
  });
});
