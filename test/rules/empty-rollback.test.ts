import { describe, expect, it } from "vitest";
import type { Migration } from "../../src/migrations/model.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import rule from "../../src/rules/empty-rollback.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration, lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const DOWN = "db/migrations/0001_case.down.sql";

describe(rule.id, () => {
  it("flags a down that does nothing", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE items (id bigint);\n-- migrate:down\nDROP TABLE items;",
        "CREATE TABLE items (id bigint);\n-- migrate:down\n-- undo the table\nDROP TABLE items;",
        // No down at all is missing-rollback's finding.
        { sql: "CREATE TABLE items (id bigint);", noDown: true },
      ],
      invalid: [
        // A 0-byte down file.
        { sql: "CREATE TABLE items (id bigint);", lines: [1] },
        // Blank lines only.
        { sql: "CREATE TABLE items (id bigint);\n-- migrate:down\n\n\n", lines: [1] },
        // Comments only.
        { sql: "CREATE TABLE items (id bigint);\n-- migrate:down\n-- nothing to undo\n/* really */\n", lines: [1] },
      ],
    });
  });

  it("reports the finding in the down file", () => {
    const [finding] = lint("CREATE TABLE items (id bigint);\n-- migrate:down\n-- nothing to undo\n", [rule]);
    expect(finding?.path).toBe(DOWN);
    expect(finding?.severity).toBe("warning");
  });

  it("reports an acknowledged irreversible migration as a note quoting the reason", () => {
    const findings = lint(
      {
        sql: "-- data-engineer: irreversible drops the legacy table\nDROP TABLE legacy;\n-- migrate:down\n",
        irreversible: { reason: "drops the legacy table", path: "db/migrations/0001_case.up.sql", line: 1 },
      },
      [rule],
    );
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([[rule.id, "note"]]);
    expect(findings[0]?.message).toContain("drops the legacy table");
  });

  it("does not take a down that fails to parse for an empty one", () => {
    const findings = lint("CREATE TABLE items (id bigint);\n-- migrate:down\nDROP TABLEE items;", [rule]);
    expect(findings.map((f) => f.rule)).toEqual(["syntax-error"]);
  });

  it("passes on the ORM detector's empty-down issues, acknowledged or not", () => {
    const { files, migration } = caseMigration({ sql: "CREATE TABLE items (id bigint);\n-- migrate:down\nDROP TABLE items;" });
    const withIssue: Migration = { ...migration, rollbackIssues: [{ kind: "empty-down", path: DOWN, line: 1, detail: "down() has an empty body" }] };
    const plain = analyzeMigrations(files, [withIssue], { rules: [rule] }).findings;
    expect(plain.map((f) => [f.rule, f.line, f.severity])).toEqual([[rule.id, 1, "warning"]]);
    expect(plain[0]?.message).toContain("down() has an empty body");
    const acknowledged = analyzeMigrations(files, [{ ...withIssue, irreversible: { reason: "data migration", path: DOWN, line: 1 } }], {
      rules: [rule],
    }).findings;
    expect(acknowledged.map((f) => f.severity)).toEqual(["note"]);
  });
});
