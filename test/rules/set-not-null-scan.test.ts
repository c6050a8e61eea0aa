import { describe, expect, it } from "vitest";
import { AnalysisConfigSchema } from "../../src/config/analysis-config.js";
import type { Migration } from "../../src/migrations/model.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import rule from "../../src/rules/set-not-null-scan.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

/** Up migrations run in order (golang-migrate, no transaction): the findings of the last one. */
function lintHistory(ups: string[], config: Record<string, unknown> = {}) {
  const files = ups.map((text, i) => ({ path: `db/migrations/000${i + 1}_step.up.sql`, text }));
  const migrations: Migration[] = files.map((file, i) => ({
    framework: "golang-migrate",
    version: `000${i + 1}`,
    name: "step",
    files: [file.path],
    folder: "db/migrations",
    sections: [
      {
        direction: "up",
        path: file.path,
        language: "sql",
        start: 0,
        end: file.text.length,
        startLine: 1,
        endLine: file.text.split("\n").length,
        inTransaction: false,
      },
    ],
    rollback: "optional",
    rollbackIssues: [],
  }));
  const last = files.at(-1)?.path;
  return analyzeMigrations(files, migrations, { config: AnalysisConfigSchema.parse(config), rules: [rule] }).findings.filter((f) => f.path === last);
}

const ADD_CHECK = "ALTER TABLE orders ADD CONSTRAINT orders_email_not_null CHECK (email IS NOT NULL) NOT VALID;";
const VALIDATE = "ALTER TABLE orders VALIDATE CONSTRAINT orders_email_not_null;";
const SET = "ALTER TABLE orders ALTER COLUMN email SET NOT NULL;";

describe(rule.id, () => {
  it("flags SET NOT NULL on existing tables unless a validated check on that column proves it", () => {
    testRule(rule, {
      valid: [
        // The three steps in one migration outside a transaction: each commits on its own.
        `${ADD_CHECK}\n${VALIDATE}\n${SET}`,
        "ALTER TABLE orders ADD CONSTRAINT orders_email_not_null CHECK (email IS NOT NULL);\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;",
        // ANDed tests prove each column.
        "ALTER TABLE orders ADD CHECK (email IS NOT NULL AND name IS NOT NULL);\nALTER TABLE orders ALTER COLUMN name SET NOT NULL;",
        // Renamed constraint and column are followed.
        `${ADD_CHECK}\nALTER TABLE orders RENAME CONSTRAINT orders_email_not_null TO email_present;\nALTER TABLE orders RENAME COLUMN email TO mail;\nALTER TABLE orders VALIDATE CONSTRAINT email_present;\nALTER TABLE orders ALTER COLUMN mail SET NOT NULL;`,
        // PostgreSQL 18's NOT NULL constraint added NOT VALID, then validated.
        "ALTER TABLE orders ADD CONSTRAINT orders_email_nn NOT NULL email NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_email_nn;\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;",
        "CREATE TABLE items (id bigint, name text);\nALTER TABLE items ALTER COLUMN name SET NOT NULL;",
        "ALTER TABLE orders ALTER COLUMN email DROP NOT NULL;",
        "-- migrate:down\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;",
      ],
      invalid: [
        { sql: SET, lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders\n  ALTER COLUMN email SET NOT NULL;", lines: [2] },
        // A validation on another table proves nothing here; nor does a check NOT VALID that is never validated.
        { sql: `ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n${ADD_CHECK}\n${SET}`, lines: [3] },
        // The validation comes after: too late.
        { sql: `${ADD_CHECK}\n${SET}\n${VALIDATE}`, lines: [2] },
        // A validated check on another column, or of another kind, proves nothing for this one (Postgres scans).
        {
          sql: `ALTER TABLE orders ADD CONSTRAINT orders_name_not_null CHECK (name IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_name_not_null;\n${SET}`,
          lines: [3],
        },
        {
          sql: `ALTER TABLE orders ADD CONSTRAINT orders_total CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total;\n${SET}`,
          lines: [3],
        },
        { sql: "ALTER TABLE orders ADD CHECK (email IS NOT NULL OR name IS NOT NULL);\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;", lines: [2] },
        { sql: "ALTER TABLE orders ADD CONSTRAINT orders_email_nn NOT NULL email NOT VALID;\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;", lines: [2] },
        // A dropped check proves nothing any more.
        { sql: `${ADD_CHECK}\n${VALIDATE}\nALTER TABLE orders DROP CONSTRAINT orders_email_not_null;\n${SET}`, lines: [4] },
      ],
    });
  });

  it("trusts a check validated by an earlier migration, and a column made NOT NULL before", () => {
    expect(lintHistory([ADD_CHECK, VALIDATE, SET])).toEqual([]);
    expect(lintHistory([ADD_CHECK, `${VALIDATE}\n${SET}`])).toEqual([]);
    expect(lintHistory(["CREATE TABLE orders (id bigint, email text NOT NULL);", SET])).toEqual([]);
    expect(lintHistory(["CREATE TABLE orders (id bigint, email text);", SET]).map((f) => f.line)).toEqual([1]);
    // Added NOT VALID earlier and never validated: the scan happens.
    expect(lintHistory([ADD_CHECK, SET]).map((f) => f.line)).toEqual([1]);
  });

  it("does not trust the check before PostgreSQL 12, which always scans", () => {
    const [finding] = lintHistory([ADD_CHECK, VALIDATE, SET], { postgresVersion: 11 });
    expect(finding?.severity).toBe("error");
    expect(finding?.help).toContain("PostgreSQL 11 always scans");
    expect(lintHistory(["CREATE TABLE orders (id bigint, email text NOT NULL);", SET], { postgresVersion: 11 })).toEqual([]);
  });

  it("says a constraint validated here but defined out of view may be the check, as a note", () => {
    const [finding] = lint(`${VALIDATE}\n${SET}`, [rule]);
    expect(finding?.severity).toBe("note");
    expect(finding?.line).toBe(2);
    expect(finding?.message).toContain("unless orders_email_not_null, validated before it, is a CHECK (email IS NOT NULL)");
  });

  it("names three of many constraints validated out of view and counts the rest", () => {
    const validations = Array.from({ length: 50 }, (_, i) => `ALTER TABLE orders VALIDATE CONSTRAINT fk_${i};`).join("\n");
    const [finding] = lint(`${validations}\n${SET}`, [rule]);
    expect(finding?.message).toContain("unless fk_0, fk_1, fk_2 or one of 47 more, validated before it");
    expect(finding?.message.length).toBeLessThan(400);
  });

  it("gives the check-then-validate recipe and an estimate on a configured table", () => {
    const [finding] = lint({ sql: SET, config: { tables: { orders: { rows: 50_000_000 } } } }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("orders.email");
    expect(finding?.message).toContain("50,000,000 rows");
    expect(finding?.help).toContain("CHECK (email IS NOT NULL) NOT VALID");
  });
});
