import { describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-add-exclusion-constraint.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags exclusion constraints added to existing tables", () => {
    testRule(rule, {
      valid: [
        "CREATE TABLE bookings (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));",
        "CREATE TABLE bookings (room int, during tstzrange);\nALTER TABLE bookings ADD EXCLUDE USING gist (room WITH =, during WITH &&);",
        "-- migrate:down\nALTER TABLE reservations ADD EXCLUDE USING gist (during WITH &&);",
      ],
      invalid: [
        { sql: "ALTER TABLE reservations ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE reservations\n  ADD EXCLUDE USING gist (during WITH &&);", lines: [2] },
      ],
    });
  });

  it("raises a configured large table to an error", () => {
    const [finding] = lint(
      { sql: "ALTER TABLE reservations ADD EXCLUDE USING gist (during WITH &&);", config: { tables: { reservations: { rows: 3_000_000 } } } },
      [rule],
    );
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("3,000,000 rows");
  });
});
