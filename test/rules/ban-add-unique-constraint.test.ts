import { describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-add-unique-constraint.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags UNIQUE constraints that build their index on an existing table", () => {
    testRule(rule, {
      valid: [
        "CREATE UNIQUE INDEX CONCURRENTLY orders_ref_idx ON orders (ref);",
        "ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref_idx;",
        "CREATE TABLE items (id bigint, sku text);\nALTER TABLE items ADD CONSTRAINT items_sku_key UNIQUE (sku);",
        "-- migrate:down\nALTER TABLE orders ADD UNIQUE (ref);",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref);", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders ADD UNIQUE (ref);", lines: [2] },
        { sql: "ALTER TABLE orders ADD COLUMN ref text UNIQUE;", lines: [1] },
      ],
    });
  });

  it("points to CREATE UNIQUE INDEX CONCURRENTLY and USING INDEX", () => {
    const [finding] = lint({ sql: "ALTER TABLE orders ADD UNIQUE (ref);", config: { tables: { orders: { rows: 2_000_000 } } } }, [rule]);
    expect(finding?.help).toContain("CREATE UNIQUE INDEX CONCURRENTLY");
    expect(finding?.help).toContain("USING INDEX");
    expect(finding?.severity).toBe("error");
  });
});
