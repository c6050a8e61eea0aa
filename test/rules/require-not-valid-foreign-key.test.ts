import { describe, expect, it } from "vitest";
import rule from "../../src/rules/require-not-valid-foreign-key.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags foreign keys validated on add on existing tables", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;",
        "CREATE TABLE items (id bigint, order_id bigint);\nALTER TABLE items ADD FOREIGN KEY (order_id) REFERENCES orders (id);",
        "CREATE TABLE items (id bigint);\nALTER TABLE items ADD COLUMN order_id bigint REFERENCES orders (id);",
        "-- migrate:down\nALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts (id);",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders\n  ADD FOREIGN KEY (account_id) REFERENCES accounts;", lines: [2] },
        { sql: "ALTER TABLE orders ADD COLUMN account_id bigint REFERENCES accounts (id);", lines: [1] },
        { sql: "CREATE TABLE accounts (id bigint PRIMARY KEY);\nALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts (id);", lines: [2] },
      ],
    });
  });

  it("names both tables and the lock, and offers NOT VALID", () => {
    const [finding] = lint("ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES public.accounts (id);", [rule]);
    expect(finding?.message).toContain("SHARE ROW EXCLUSIVE on orders and on accounts");
    expect(finding?.fix?.replacement).toBe(
      "ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES public.accounts (id) NOT VALID;",
    );
    const [column] = lint("ALTER TABLE orders ADD COLUMN account_id bigint REFERENCES accounts (id);", [rule]);
    expect(column?.message).toMatch(/SHARE ROW EXCLUSIVE on accounts.*orders/);
    expect(column?.fix).toBeUndefined();
  });

  it("is an error with a scan estimate on a configured large table", () => {
    const [finding] = lint(
      { sql: "ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts (id);", config: { tables: { orders: { rows: 50_000_000 } } } },
      [rule],
    );
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("about 10 s (50,000,000 rows)");
  });
});
