import { describe, it } from "vitest";
import rule from "../../src/rules/ban-rename-table.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags renaming existing tables", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE items_new (id bigint);\nALTER TABLE items_new RENAME TO items;",
        "ALTER TABLE orders RENAME COLUMN note TO remark;",
        "-- migrate:down\nALTER TABLE purchases RENAME TO orders;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders RENAME TO purchases;", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE IF EXISTS public.orders\n  RENAME TO purchases;", lines: [2] },
      ],
    });
  });
});
