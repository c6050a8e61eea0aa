import { describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-drop-not-null.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags DROP NOT NULL on existing tables", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;",
        "CREATE TABLE items (id bigint, name text NOT NULL);\nALTER TABLE items ALTER COLUMN name DROP NOT NULL;",
        "-- migrate:down\nALTER TABLE orders ALTER COLUMN note DROP NOT NULL;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders ALTER note DROP NOT NULL, ALTER code DROP NOT NULL;", lines: [2] },
      ],
    });
  });

  it("is a note", () => {
    expect(lint("ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;", [rule]).map((f) => f.severity)).toEqual(["note"]);
  });
});
