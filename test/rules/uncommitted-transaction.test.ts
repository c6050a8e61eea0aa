import { describe, expect, it } from "vitest";
import rule from "../../src/rules/uncommitted-transaction.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags a BEGIN that is never committed", () => {
    testRule(rule, {
      valid: [
        "BEGIN;\nCREATE TABLE items (id bigint);\nCOMMIT;",
        "START TRANSACTION;\nCREATE TABLE items (id bigint);\nEND;",
        "BEGIN;\nCREATE TABLE items (id bigint);\nROLLBACK;",
        // Inside the framework's transaction the BEGIN opens nothing: transaction-nesting's finding.
        { sql: "BEGIN;\nCREATE TABLE items (id bigint);", inTransaction: true },
      ],
      invalid: [
        { sql: "BEGIN;\nCREATE TABLE items (id bigint);", lines: [1] },
        { sql: "BEGIN;\nCREATE TABLE a (id bigint);\nCOMMIT;\n\nBEGIN;\nCREATE TABLE b (id bigint);", lines: [5] },
        { sql: "SELECT 1;\n-- migrate:down\nBEGIN;\nDROP TABLE items;", lines: [1] },
      ],
    });
  });

  it("is an error", () => {
    expect(lint("BEGIN;\nSELECT 1;", [rule]).map((f) => f.severity)).toEqual(["error"]);
  });
});
