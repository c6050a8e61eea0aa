import { describe, expect, it } from "vitest";
import rule from "../../src/rules/require-lock-timeout.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

// These cases rely on the lock model (src/sql/locks.ts) for the modes each statement takes.
describe(rule.id, () => {
  it("flags the first strong lock on an existing table taken without lock_timeout, once per section", () => {
    testRule(rule, {
      valid: [
        "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;",
        { sql: "SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;", inTransaction: true },
        "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;",
        "CREATE TABLE items (id bigint);\nALTER TABLE items ADD COLUMN name text;\nCREATE INDEX items_name_idx ON items (name);",
        "INSERT INTO orders (id) VALUES (1);\nUPDATE orders SET note = 'x' WHERE id = 1;\nSELECT count(*) FROM orders;",
        "-- migrate:down\nALTER TABLE orders DROP COLUMN note;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);", lines: [1] },
        { sql: "SELECT 1;\nCREATE INDEX orders_note_idx ON orders (note);", lines: [2] },
        { sql: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;\nSET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN b text;", lines: [4] },
        { sql: "CREATE TABLE items (id bigint, order_id bigint);\nALTER TABLE items ADD FOREIGN KEY (order_id) REFERENCES orders (id);", lines: [2] },
        // Outside a transaction block SET LOCAL changes nothing (Postgres only warns).
        { sql: "SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;", lines: [2] },
      ],
    });
  });

  it("names the lock and suggests SET LOCAL inside a transaction", () => {
    const [finding] = lint({ sql: "ALTER TABLE orders ADD COLUMN note text;", inTransaction: true }, [rule]);
    expect(finding?.message).toContain("ACCESS EXCLUSIVE on orders");
    expect(finding?.help).toContain("SET LOCAL lock_timeout");
  });
});
