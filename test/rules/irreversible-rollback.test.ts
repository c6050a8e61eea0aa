import { describe, expect, it } from "vitest";
import type { Migration } from "../../src/migrations/model.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import rule from "../../src/rules/irreversible-rollback.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration, lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const RAISE = "DO $$ BEGIN RAISE EXCEPTION 'cannot be undone'; END $$;";

describe(rule.id, () => {
  it("flags a down that raises before doing anything", () => {
    testRule(rule, {
      valid: [
        "DROP TABLE legacy;\n-- migrate:down\nCREATE TABLE legacy (id bigint);",
        // Conditional: raises only when the data would be lost.
        "ALTER TABLE t ADD COLUMN c int;\n-- migrate:down\nDO $$ BEGIN IF EXISTS (SELECT 1 FROM t WHERE c IS NOT NULL) THEN RAISE EXCEPTION 'data'; END IF; END $$;\nALTER TABLE t DROP COLUMN c;",
        // A notice is not a failure.
        "ALTER TABLE t ADD COLUMN c int;\n-- migrate:down\nDO $$ BEGIN RAISE NOTICE 'dropping c'; END $$;\nALTER TABLE t DROP COLUMN c;",
        // In an up, it is not a rollback.
        RAISE,
      ],
      invalid: [
        { sql: `DROP TABLE legacy;\n-- migrate:down\n${RAISE}`, lines: [1] },
        {
          sql: "DROP TABLE legacy;\n-- migrate:down\nSET lock_timeout = '1s';\n\nDO $$\nDECLARE x int;\nBEGIN\n  -- no way back\n  RAISE 'irreversible';\nEND\n$$;",
          lines: [3],
        },
      ],
    });
  });

  it("reports an acknowledged one as a note quoting the reason", () => {
    const findings = lint(
      {
        sql: `DROP TABLE legacy;\n-- migrate:down\n${RAISE}`,
        irreversible: { reason: "the data is archived", path: "db/migrations/0001_case.up.sql", line: 1 },
      },
      [rule],
    );
    expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual([[rule.id, "note", 1]]);
    expect(findings[0]?.message).toContain("the data is archived");
  });

  it("passes on the ORM detector's irreversible issues", () => {
    const { files, migration } = caseMigration({ sql: "SELECT 1;\n-- migrate:down\nSELECT 1;" });
    const withIssues: Migration = {
      ...migration,
      rollbackIssues: [
        { kind: "irreversible-down", path: "db/migrate/1_x.rb", line: 7, detail: "down raises ActiveRecord::IrreversibleMigration" },
        { kind: "irreversible-operation", path: "db/migrate/1_x.rb", line: 3, detail: "remove_column without a type in change" },
        { kind: "missing-down", path: "db/migrate/1_x.rb", line: 1, detail: "not ours" },
      ],
    };
    const findings = analyzeMigrations(files, [withIssues], { rules: [rule] }).findings;
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      [rule.id, 3],
      [rule.id, 7],
    ]);
  });
});
