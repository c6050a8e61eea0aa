import { beforeAll, describe, it } from "vitest";
import rule from "../../src/rules/prefer-text.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

beforeAll(() => loadSqlParser());

describe(rule.id, () => {
  it("flags new varchar(n) columns", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE users (name text, email varchar, code text CHECK (char_length(code) <= 8));",
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(200);",
        "-- migrate:down\nALTER TABLE users ADD COLUMN name varchar(100);",
      ],
      invalid: [
        { sql: "CREATE TABLE users (\n  id bigint,\n  name varchar(100),\n  email character varying(255)\n);", lines: [3, 4] },
        { sql: "ALTER TABLE users ADD COLUMN nick VARCHAR(32);", lines: [1] },
      ],
    });
  });
});
