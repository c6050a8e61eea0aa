import { describe, it } from "vitest";
import rule from "../../src/rules/prefer-text.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags columns declared or changed to varchar(n)", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE users (name text, email varchar, code text CHECK (char_length(code) <= 8));",
        "ALTER TABLE users ALTER COLUMN name TYPE text;",
        "-- migrate:down\nALTER TABLE users ADD COLUMN name varchar(100);",
      ],
      invalid: [
        { sql: "CREATE TABLE users (\n  id bigint,\n  name varchar(100),\n  email character varying(255)\n);", lines: [3, 4] },
        { sql: "ALTER TABLE users ADD COLUMN nick VARCHAR(32);", lines: [1] },
        // A changed type is as much a choice as a new one (widening varchar(100) included).
        { sql: "ALTER TABLE users ALTER COLUMN name TYPE varchar(200);", lines: [1] },
        { sql: "ALTER TABLE users\n  ALTER COLUMN bio TYPE text,\n  ALTER COLUMN name TYPE varchar(200) USING name::varchar(200);", lines: [3] },
      ],
    });
  });
});
