import { describe, expect, it } from "vitest";
import rule from "../../src/rules/require-concurrent-index-drop.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags DROP INDEX without CONCURRENTLY on indexes that already exist", () => {
    testRule(rule, {
      valid: [
        "DROP INDEX CONCURRENTLY orders_created_idx;",
        "DROP INDEX CONCURRENTLY IF EXISTS public.orders_created_idx;",
        "CREATE INDEX items_name_idx ON items (name);\nDROP INDEX items_name_idx;",
        "DROP TABLE orders;",
        "-- migrate:down\nDROP INDEX orders_created_idx;",
      ],
      invalid: [
        { sql: "DROP INDEX orders_created_idx;", lines: [1] },
        { sql: "SELECT 1;\nDROP INDEX IF EXISTS\n  public.orders_created_idx;", lines: [2] },
        { sql: "CREATE INDEX a_idx ON t (a);\nDROP INDEX a_idx, b_idx CASCADE;", lines: [2] },
        { sql: "DROP INDEX orders_created_idx;", inTransaction: true, lines: [1] },
      ],
    });
  });

  it("names the indexes and offers CONCURRENTLY only where Postgres allows it", () => {
    const [single] = lint("DROP INDEX IF EXISTS orders_created_idx;", [rule]);
    expect(single?.message).toContain("orders_created_idx");
    expect(single?.message).toContain("ACCESS EXCLUSIVE");
    expect(single?.fix?.replacement).toBe("DROP INDEX CONCURRENTLY IF EXISTS orders_created_idx;");
    const [many] = lint("DROP INDEX a_idx, b_idx;", [rule]);
    expect(many?.fix).toBeUndefined();
    expect(lint("DROP INDEX a_idx CASCADE;", [rule])[0]?.fix).toBeUndefined();
  });
});
