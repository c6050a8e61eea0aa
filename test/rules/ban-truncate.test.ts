import { describe, it } from "vitest";
import rule from "../../src/rules/ban-truncate.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags TRUNCATE of existing tables", () => {
    testRule(rule, {
      valid: ["DELETE FROM sessions WHERE expires_at < now();", "CREATE TABLE staging (id bigint);\nTRUNCATE staging;", "-- migrate:down\nTRUNCATE sessions;"],
      invalid: [
        { sql: "TRUNCATE sessions;", lines: [1] },
        { sql: "CREATE TABLE staging (id bigint);\nTRUNCATE TABLE staging, audit_log RESTART IDENTITY;", lines: [2] },
      ],
    });
  });
});
