import { beforeAll, describe, expect, it } from "vitest";
import rule from "../../src/rules/work-after-access-exclusive.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

beforeAll(() => loadSqlParser());

// These cases rely on the lock model (src/sql/locks.ts): which statements take ACCESS EXCLUSIVE,
// and which scan or rewrite.
describe(rule.id, () => {
  it("flags slow work in a transaction that holds ACCESS EXCLUSIVE on an existing table", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);",
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nINSERT INTO orders_archive SELECT * FROM orders;",
        {
          sql: "ALTER TABLE orders ADD COLUMN note text;\nCOMMENT ON COLUMN orders.note IS 'free text';\nSET LOCAL statement_timeout = '1s';",
          inTransaction: true,
        },
        { sql: "CREATE TABLE items (id bigint);\nALTER TABLE items ADD COLUMN name text;\nINSERT INTO items SELECT 1, 'x';", inTransaction: true },
        // Its own ACCESS EXCLUSIVE closes the table anyway; VALIDATE under the lock is validate-in-same-transaction's.
        { sql: "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ALTER COLUMN qty TYPE bigint;", inTransaction: true },
        { sql: "ALTER TABLE orders ADD CHECK (qty > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_qty_check;", inTransaction: true },
        { sql: "SELECT 1;\n-- migrate:down\nALTER TABLE orders DROP COLUMN note;\nINSERT INTO orders_archive SELECT * FROM orders;", inTransaction: true },
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);", inTransaction: true, lines: [2] },
        { sql: "BEGIN;\nALTER TABLE orders RENAME COLUMN a TO b;\nINSERT INTO orders_archive SELECT * FROM orders;\nCOMMIT;", lines: [3] },
        { sql: "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE accounts ALTER COLUMN id TYPE bigint;", inTransaction: true, lines: [2] },
      ],
    });
  });

  it("names the table whose lock is held", () => {
    const [finding] = lint({ sql: "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX i ON orders (note);", inTransaction: true }, [rule]);
    expect(finding?.message).toContain("ACCESS EXCLUSIVE lock an earlier statement took on orders");
  });
});
