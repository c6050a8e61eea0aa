import { describe, expect, it } from "vitest";
import rule from "../../src/rules/require-not-valid-check.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags CHECK constraints validated on add on existing tables", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT ENFORCED;",
        "CREATE TABLE items (id bigint, qty int);\nALTER TABLE items ADD CHECK (qty > 0);",
        "ALTER TABLE orders ADD COLUMN note text;",
        "-- migrate:down\nALTER TABLE orders ADD CHECK (total >= 0);",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders\n  ADD CHECK (total >= 0),\n  ADD CHECK (qty > 0) NOT VALID;", lines: [2] },
        { sql: "ALTER TABLE orders ADD COLUMN qty int CHECK (qty > 0);", lines: [1] },
      ],
    });
  });

  it("offers NOT VALID for a single ADD CHECK and raises large tables to errors", () => {
    const [finding] = lint({ sql: "ALTER TABLE orders ADD CHECK (total >= 0);", config: { tables: { orders: { large: true } } } }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("ACCESS EXCLUSIVE on orders");
    expect(finding?.fix?.replacement).toBe("ALTER TABLE orders ADD CHECK (total >= 0) NOT VALID;");
  });
});
