import { describe, it } from "vitest";
import rule from "../../src/rules/add-required-column.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags NOT NULL columns without a default added to existing tables", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ADD COLUMN note text;",
        "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';",
        "ALTER TABLE orders ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;",
        "ALTER TABLE orders ADD COLUMN total_cents bigint NOT NULL GENERATED ALWAYS AS (total * 100) STORED;",
        "CREATE TABLE items (id bigint NOT NULL);",
        "CREATE TABLE items (id bigint);\nALTER TABLE items ADD COLUMN name text NOT NULL;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD COLUMN status text NOT NULL;", lines: [1] },
        { sql: "ALTER TABLE orders\n  ADD COLUMN note text,\n  ADD COLUMN code bigint PRIMARY KEY;", lines: [3] },
      ],
    });
  });

  it("accepts a NOT NULL column on a table the migration has just emptied", () => {
    testRule(rule, {
      valid: [
        "DELETE FROM orders;\nALTER TABLE orders ADD COLUMN status text NOT NULL;",
        "TRUNCATE orders, items;\nALTER TABLE items ADD COLUMN status text NOT NULL;",
        "TRUNCATE TABLE orders;\nUPDATE orders SET note = 'x';\nALTER TABLE orders ADD COLUMN status text NOT NULL;",
      ],
      invalid: [
        // A DELETE with a WHERE (or USING) does not empty the table.
        { sql: "DELETE FROM orders WHERE created_at < now() - interval '1 year';\nALTER TABLE orders ADD COLUMN status text NOT NULL;", lines: [2] },
        { sql: "DELETE FROM orders USING items WHERE items.order_id = orders.id;\nALTER TABLE orders ADD COLUMN status text NOT NULL;", lines: [2] },
        // Another table emptied, or rows written again since.
        { sql: "DELETE FROM items;\nALTER TABLE orders ADD COLUMN status text NOT NULL;", lines: [2] },
        { sql: "TRUNCATE orders;\nINSERT INTO orders (id) VALUES (1);\nALTER TABLE orders ADD COLUMN status text NOT NULL;", lines: [3] },
        { sql: "ALTER TABLE orders ADD COLUMN status text NOT NULL;\nDELETE FROM orders;", lines: [1] },
      ],
    });
  });
});
