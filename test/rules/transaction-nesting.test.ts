import { describe, expect, it } from "vitest";
import rule from "../../src/rules/transaction-nesting.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags transaction control inside an open transaction", () => {
    testRule(rule, {
      valid: [
        "BEGIN;\nCREATE TABLE items (id bigint);\nCOMMIT;",
        { sql: "CREATE TABLE items (id bigint);\nCREATE INDEX items_id_idx ON items (id);", inTransaction: true },
        "BEGIN;\nCREATE TABLE a (id bigint);\nCOMMIT;\nBEGIN;\nCREATE TABLE b (id bigint);\nROLLBACK;",
        { sql: "SAVEPOINT before_backfill;\nUPDATE orders SET note = '';\nRELEASE SAVEPOINT before_backfill;", inTransaction: true },
      ],
      invalid: [
        { sql: "BEGIN;\nCREATE TABLE items (id bigint);\nCOMMIT;", inTransaction: true, lines: [1] },
        { sql: "CREATE TABLE items (id bigint);\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON orders (a);", inTransaction: true, lines: [2] },
        { sql: "BEGIN;\nCREATE TABLE a (id bigint);\nSTART TRANSACTION;\nCOMMIT;", lines: [3] },
        { sql: "UPDATE orders SET note = '';\nROLLBACK;", inTransaction: true, lines: [2] },
        // A down migration is checked too.
        { sql: "SELECT 1;\n-- migrate:down\nDROP TABLE items;\nCOMMIT;", inTransaction: true, lines: [2] },
      ],
    });
  });

  it("is an error that names the framework", () => {
    const [finding] = lint({ sql: "BEGIN;\nSELECT 1;\nCOMMIT;", inTransaction: true, framework: "dbmate" }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("dbmate");
  });
});
