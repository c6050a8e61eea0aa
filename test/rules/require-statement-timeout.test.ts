import { describe, expect, it } from "vitest";
import rule from "../../src/rules/require-statement-timeout.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

// These cases rely on the lock model (src/sql/locks.ts) for locks, scans and rewrites.
describe(rule.id, () => {
  it("flags the first scan or rewrite of an existing table without statement_timeout, once per section", () => {
    testRule(rule, {
      valid: [
        "SET statement_timeout = '5min';\nALTER TABLE orders ALTER COLUMN qty TYPE bigint;",
        "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders RENAME COLUMN note TO remark;",
        "CREATE TABLE items (qty int);\nALTER TABLE items ALTER COLUMN qty TYPE bigint;",
        "-- migrate:down\nALTER TABLE orders ALTER COLUMN qty TYPE integer;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ALTER COLUMN qty TYPE bigint;\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;", lines: [1] },
        { sql: "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD CONSTRAINT c CHECK (qty > 0);", lines: [2] },
      ],
    });
  });

  it("is a note", () => {
    const [finding] = lint({ sql: "ALTER TABLE orders ALTER COLUMN qty TYPE bigint;", inTransaction: true }, [rule]);
    expect(finding?.severity).toBe("note");
    expect(finding?.message).toContain("rewrites orders");
    expect(finding?.help).toContain("SET LOCAL statement_timeout");
  });
});
