import { describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-char-type.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags new char(n) columns", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE countries (code text, name varchar);",
        // The one-byte internal "char" type is something else.
        'CREATE TABLE flags (kind "char");',
        "-- migrate:down\nALTER TABLE countries ADD COLUMN code char(2);",
      ],
      invalid: [
        { sql: "CREATE TABLE countries (\n  code char(2),\n  flag character,\n  name text\n);", lines: [2, 3] },
        { sql: "ALTER TABLE countries ADD COLUMN iso3 CHARACTER(3);", lines: [1] },
      ],
    });
  });

  it("gives the length char implies", () => {
    expect(lint("CREATE TABLE t (flag char);", [rule])[0]?.message).toContain("char(1)");
  });
});
