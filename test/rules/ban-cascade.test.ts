import { describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-cascade.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags CASCADE on DROP and TRUNCATE", () => {
    testRule(rule, {
      valid: [
        "DROP TABLE legacy;",
        "TRUNCATE sessions RESTRICT;",
        "CREATE TABLE tmp (id bigint);\nDROP TABLE tmp CASCADE;",
        "CREATE TABLE items (id bigint);\n-- migrate:down\nDROP TABLE items CASCADE;",
        // ban-drop-schema's error already.
        "DROP SCHEMA reporting CASCADE;",
      ],
      invalid: [
        { sql: "DROP TABLE legacy CASCADE;", lines: [1] },
        { sql: "TRUNCATE users CASCADE;", lines: [1] },
        { sql: "SELECT 1;\nDROP TYPE mood CASCADE;", lines: [2] },
        { sql: "ALTER TABLE orders\n  DROP COLUMN user_id CASCADE;", lines: [1] },
      ],
    });
  });

  it("is an error", () => {
    expect(lint("DROP EXTENSION postgis CASCADE;", [rule]).map((f) => f.severity)).toEqual(["error"]);
  });
});
