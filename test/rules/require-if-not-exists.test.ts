import { describe, expect, it } from "vitest";
import rule from "../../src/rules/require-if-not-exists.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags unguarded statements that a re-run after a later failure would trip on", () => {
    testRule(rule, {
      valid: [
        // One statement: if it fails, nothing was applied.
        "CREATE TABLE items (id bigint);",
        "CREATE TABLE IF NOT EXISTS items (id bigint);\nCREATE INDEX IF NOT EXISTS items_id_idx ON items (id);\nALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;\nALTER TABLE orders DROP COLUMN IF EXISTS legacy;\nDROP TABLE IF EXISTS old;",
        // In the framework's transaction, or the migration's own, a failure undoes everything.
        { sql: "CREATE TABLE items (id bigint);\nCREATE INDEX items_id_idx ON items (id);", inTransaction: true },
        "BEGIN;\nCREATE TABLE items (id bigint);\nCREATE INDEX items_id_idx ON items (id);\nCOMMIT;",
        // A concurrent build that cleans up after a failed one.
        "DROP INDEX CONCURRENTLY IF EXISTS orders_created_idx;\nCREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);",
        // An unnamed CHECK, UNIQUE or FOREIGN KEY is given a fresh name on a re-run: a duplicate, not a failure.
        "ALTER TABLE orders ADD CHECK (total >= 0), ADD UNIQUE (code), ADD FOREIGN KEY (user_id) REFERENCES users (id);\nSELECT 1;",
        // Not forward DDL.
        "SELECT 1;\n-- migrate:down\nDROP TABLE items;\nDROP TYPE mood;",
      ],
      invalid: [
        { sql: "CREATE TABLE items (id bigint);\nCREATE INDEX items_id_idx ON items (id);", lines: [1] },
        {
          sql: "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders DROP COLUMN legacy, DROP CONSTRAINT legacy_check;\nDROP TYPE mood;\nSELECT 1;",
          lines: [1, 2, 3],
        },
        { sql: "CREATE SCHEMA app;\nCREATE EXTENSION pgcrypto;\nCREATE SEQUENCE app.ids;\nUPDATE orders SET note = '';", lines: [1, 2, 3] },
        // No ADD CONSTRAINT IF NOT EXISTS: a named constraint, or a second primary key, fails the re-run.
        {
          sql: "ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;",
          lines: [1],
        },
        { sql: "ALTER TABLE orders ADD PRIMARY KEY (id);\nALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;\nSELECT 1;", lines: [1] },
        // A failed concurrent build leaves an invalid index behind, even as the last statement.
        { sql: "SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);", lines: [2] },
      ],
    });
  });

  it("says how to guard an ADD CONSTRAINT, which has no IF NOT EXISTS", () => {
    const [finding] = lint("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nSELECT 1;", [rule]);
    expect(finding?.message).toContain("constraint orders_user_fk already exists");
    expect(finding?.help).toContain("pg_constraint");
  });

  it("is a note, once per statement", () => {
    const findings = lint("ALTER TABLE orders ADD COLUMN a text, ADD COLUMN b text;\nSELECT 1;", [rule]);
    expect(findings.map((f) => [f.severity, f.line])).toEqual([["note", 1]]);
  });

  it("counts a statement after an explicit COMMIT as outside a transaction", () => {
    const findings = lint("BEGIN;\nCREATE TABLE a (id bigint);\nCOMMIT;\nCREATE TABLE b (id bigint);\nCREATE TABLE c (id bigint);", [rule]);
    expect(findings.map((f) => f.line)).toEqual([4]);
  });
});
