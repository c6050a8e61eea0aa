import { describe, it } from "vitest";
import rule from "../../src/rules/prefer-timestamptz.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags new timestamp-without-time-zone columns", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE events (at timestamptz, also timestamp with time zone, day date);",
        "SELECT now()::timestamp;",
        "ALTER TABLE events ALTER COLUMN at TYPE timestamptz USING at AT TIME ZONE 'UTC';",
        "-- migrate:down\nALTER TABLE events ADD COLUMN at timestamp;",
      ],
      invalid: [
        { sql: "CREATE TABLE events (\n  id bigint,\n  at timestamp,\n  seen timestamp(3) without time zone\n);", lines: [3, 4] },
        { sql: "ALTER TABLE events ADD COLUMN processed_at TIMESTAMP;", lines: [1] },
        { sql: "ALTER TABLE events ALTER COLUMN at TYPE timestamp(0) without time zone;", lines: [1] },
      ],
    });
  });
});
