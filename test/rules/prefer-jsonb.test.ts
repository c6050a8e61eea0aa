import { describe, it } from "vitest";
import rule from "../../src/rules/prefer-jsonb.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags new json columns, at the column's line", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE events (id bigint, payload jsonb);",
        "ALTER TABLE events ALTER COLUMN payload TYPE jsonb;",
        "SELECT '{}'::json;",
        "-- migrate:down\nALTER TABLE events ADD COLUMN payload json;",
      ],
      invalid: [
        { sql: "CREATE TABLE events (\n  id bigint,\n  payload json,\n  tags json[]\n);", lines: [3, 4] },
        { sql: "ALTER TABLE events ADD COLUMN payload pg_catalog.json;", lines: [1] },
        { sql: "ALTER TABLE events ALTER COLUMN payload SET DATA TYPE json USING payload::json;", lines: [1] },
      ],
    });
  });
});
