import { describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-vacuum-full.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags VACUUM FULL and CLUSTER", () => {
    testRule(rule, {
      valid: [
        "VACUUM orders;",
        "VACUUM (ANALYZE, FULL false) orders;",
        "ANALYZE orders;",
        "CREATE TABLE items (id bigint);\nVACUUM FULL items;",
        "-- migrate:down\nVACUUM FULL orders;",
      ],
      invalid: [
        { sql: "VACUUM FULL orders;", lines: [1] },
        { sql: "SELECT 1;\nVACUUM (FULL, ANALYZE) orders, accounts;", lines: [2] },
        { sql: "CLUSTER orders USING orders_created_idx;\nCLUSTER;", lines: [1, 2] },
        { sql: "VACUUM FULL;", lines: [1] },
      ],
    });
  });

  it("suggests pg_repack and REPACK on PostgreSQL 19, and raises large tables to errors", () => {
    const [finding] = lint({ sql: "VACUUM FULL orders;", config: { postgresVersion: 19, tables: { orders: { rows: 50_000_000 } } } }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("50,000,000 rows");
    expect(finding?.help).toContain("pg_repack");
    expect(finding?.help).toContain("REPACK (CONCURRENTLY)");
  });
});
