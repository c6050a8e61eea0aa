import { describe, expect, it } from "vitest";
import rule from "../../src/rules/ban-drop-column.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags DROP COLUMN on existing tables, in the up only", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ADD COLUMN note text;",
        "CREATE TABLE items (id bigint, tmp text);\nALTER TABLE items DROP COLUMN tmp;",
        "ALTER TABLE orders ADD COLUMN note text;\n-- migrate:down\nALTER TABLE orders DROP COLUMN note;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders DROP COLUMN note;", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE IF EXISTS public.orders\n  DROP COLUMN IF EXISTS note,\n  DROP COLUMN legacy;", lines: [2] },
      ],
    });
  });

  it("names every column of the statement once", () => {
    const findings = lint("ALTER TABLE orders DROP COLUMN a, DROP COLUMN b;", [rule]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain("columns a, b");
  });
});
