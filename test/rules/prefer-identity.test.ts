import { describe, it } from "vitest";
import rule from "../../src/rules/prefer-identity.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags new serial columns", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",
        "CREATE SEQUENCE invoice_numbers;",
        "-- migrate:down\nCREATE TABLE items (id serial);",
      ],
      invalid: [
        { sql: "CREATE TABLE items (\n  id bigserial PRIMARY KEY,\n  n smallserial\n);", lines: [2, 3] },
        { sql: "ALTER TABLE orders ADD COLUMN number serial;", lines: [1] },
      ],
    });
  });
});
