import { describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-drop-schema.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags DROP SCHEMA and DROP DATABASE", () => {
    testRule(rule, {
      valid: ["CREATE SCHEMA reporting;", "DROP TABLE reporting.daily;", "CREATE SCHEMA reporting;\n-- migrate:down\nDROP SCHEMA reporting;"],
      invalid: [
        { sql: "DROP SCHEMA reporting CASCADE;", lines: [1] },
        { sql: "SELECT 1;\nDROP DATABASE IF EXISTS analytics;", lines: [2] },
      ],
    });
  });

  it("is an error", () => {
    expect(lint("DROP SCHEMA reporting;", [rule]).map((f) => f.severity)).toEqual(["error"]);
  });
});
