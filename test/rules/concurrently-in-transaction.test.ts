import { describe, expect, it } from "vitest";
import rule from "../../src/rules/concurrently-in-transaction.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags statements Postgres refuses in a transaction block, explicit or the framework's", () => {
    testRule(rule, {
      valid: [
        "CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);",
        "DROP INDEX CONCURRENTLY orders_created_idx;\nVACUUM orders;",
        "BEGIN;\nCREATE INDEX orders_created_idx ON orders (created_at);\nANALYZE orders;\nCOMMIT;\nREINDEX TABLE CONCURRENTLY orders;",
        { sql: "CREATE INDEX orders_created_idx ON orders (created_at);\nCLUSTER orders USING orders_created_idx;", inTransaction: true },
        "-- migrate:down\nDROP INDEX CONCURRENTLY orders_created_idx;",
      ],
      invalid: [
        { sql: "BEGIN;\nCREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);\nCOMMIT;", lines: [2] },
        { sql: "CREATE INDEX CONCURRENTLY i ON orders (a);\nDROP INDEX CONCURRENTLY j;", inTransaction: true, lines: [1, 2] },
        {
          sql: "REINDEX INDEX CONCURRENTLY i;\nALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;\nVACUUM (ANALYZE) orders;",
          inTransaction: true,
          lines: [1, 2, 3],
        },
        { sql: "CREATE TABLE items (id bigint);\nCREATE INDEX CONCURRENTLY items_id_idx ON items (id);", inTransaction: true, lines: [2] },
        { sql: "SELECT 1;\n-- migrate:down\nDROP INDEX CONCURRENTLY orders_created_idx;", inTransaction: true, lines: [1] },
      ],
    });
  });

  it("is an error and names the framework's way out", () => {
    const [dbmate] = lint({ sql: "CREATE INDEX CONCURRENTLY i ON orders (a);", inTransaction: true, framework: "dbmate" }, [rule]);
    expect(dbmate?.severity).toBe("error");
    expect(dbmate?.help).toContain("transaction:false");
    const [goose] = lint({ sql: "VACUUM orders;", inTransaction: true, framework: "goose" }, [rule]);
    expect(goose?.help).toContain("-- +goose NO TRANSACTION");
    const [explicit] = lint("BEGIN;\nVACUUM orders;\nCOMMIT;", [rule]);
    expect(explicit?.help).toContain("BEGIN … COMMIT");
  });
});
