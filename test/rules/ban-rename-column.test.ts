import { describe, it } from "vitest";
import rule from "../../src/rules/ban-rename-column.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags RENAME COLUMN on existing tables", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE items (id bigint, nme text);\nALTER TABLE items RENAME COLUMN nme TO name;",
        "ALTER TABLE orders RENAME TO purchases;",
        "-- migrate:down\nALTER TABLE orders RENAME COLUMN remark TO note;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders RENAME COLUMN note TO remark;", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE public.orders RENAME note TO remark;", lines: [2] },
      ],
    });
  });
});
