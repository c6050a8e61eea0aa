import { describe, expect, it } from "vitest";
import rule from "../../src/rules/require-concurrent-reindex.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags REINDEX without CONCURRENTLY on existing tables and indexes", () => {
    testRule(rule, {
      valid: [
        "REINDEX TABLE CONCURRENTLY orders;",
        "REINDEX (CONCURRENTLY) INDEX orders_created_idx;",
        "REINDEX SYSTEM;",
        "CREATE TABLE items (id bigint);\nCREATE INDEX items_id_idx ON items (id);\nREINDEX TABLE items;\nREINDEX INDEX items_id_idx;",
        "-- migrate:down\nREINDEX TABLE orders;",
      ],
      invalid: [
        { sql: "REINDEX TABLE orders;", lines: [1] },
        { sql: "SELECT 1;\nREINDEX INDEX orders_created_idx;", lines: [2] },
        { sql: "REINDEX (VERBOSE) TABLE orders;\nREINDEX (CONCURRENTLY false) INDEX i;", lines: [1, 2] },
        { sql: "REINDEX SCHEMA public;", lines: [1] },
      ],
    });
  });

  it("raises a configured large table to an error with an estimate, and offers CONCURRENTLY", () => {
    const [finding] = lint({ sql: "REINDEX TABLE orders;", config: { tables: { orders: { rows: 50_000_000 } } } }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("50,000,000 rows");
    expect(finding?.fix?.replacement).toBe("REINDEX TABLE CONCURRENTLY orders;");
    expect(lint("REINDEX (VERBOSE) TABLE orders;", [rule])[0]?.fix).toBeUndefined();
  });
});
