import { describe, expect, it } from "vitest";
import rule from "../../src/rules/require-concurrent-index.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags non-concurrent index builds on existing tables only", () => {
    testRule(rule, {
      valid: [
        "CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);",
        "CREATE TABLE items (id bigint, name text);\nCREATE INDEX items_name_idx ON items (name);",
        "-- migrate:down\nCREATE INDEX orders_created_idx ON orders (created_at);",
      ],
      invalid: [
        { sql: "CREATE INDEX orders_created_idx ON orders (created_at);", lines: [1] },
        { sql: "SELECT 1;\n\nCREATE UNIQUE INDEX\n  orders_ref_idx ON public.orders (ref);", lines: [3] },
      ],
    });
  });

  it("raises the severity on a configured large table and gives an estimate", () => {
    const [finding] = lint({ sql: "CREATE INDEX i ON orders (a);", config: { tables: { orders: { rows: 50_000_000 } } } }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("about 50 s (50,000,000 rows)");
  });

  it("offers CONCURRENTLY as a fix", () => {
    const [finding] = lint("CREATE UNIQUE INDEX i ON orders (a);", [rule]);
    expect(finding?.fix?.replacement).toBe("CREATE UNIQUE INDEX CONCURRENTLY i ON orders (a);");
  });
});
