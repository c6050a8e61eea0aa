import { describe, expect, it } from "vitest";
import { schemaChanges } from "../../src/report/schema-changes.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

function changesOf(sql: string): string[] {
  const { files, migration } = caseMigration(sql);
  const analysis = analyzeMigrations(files, [migration]);
  return schemaChanges(analysis.migrations.flatMap((m) => m.sections.flatMap((s) => s.statements)));
}

describe("schemaChanges", () => {
  it("names every object the up statements create or change, and none of the down's", () => {
    const changes = changesOf(
      [
        "CREATE TABLE line_items (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), sku text UNIQUE);",
        "ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers;",
        "ALTER TABLE orders ALTER COLUMN state SET NOT NULL, ALTER COLUMN total SET DEFAULT 0;",
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;",
        "ALTER TABLE orders VALIDATE CONSTRAINT total_positive;",
        "ALTER TABLE orders RENAME COLUMN state TO status;",
        "ALTER TABLE orders DROP COLUMN legacy;",
        "CREATE UNIQUE INDEX CONCURRENTLY orders_number ON orders (number);",
        "-- migrate:down",
        "DROP TABLE line_items;",
        "",
      ].join("\n"),
    );
    expect(changes).toEqual([
      "table `line_items` created",
      "primary key on `line_items(id)` added",
      "foreign key on `line_items(order_id)` referencing `orders(id)` added",
      "unique constraint on `line_items(sku)` added",
      "column `orders.customer_id int8` added",
      "foreign key on `orders(customer_id)` referencing `customers` added",
      "column `orders.state` set NOT NULL",
      "column `orders.total` default set",
      "check constraint `total_positive` on `orders` added (NOT VALID)",
      "constraint `total_positive` on `orders` validated",
      "column `orders.state` renamed to `status`",
      "column `orders.legacy` dropped",
      "unique index `orders_number` on `orders(number)` created",
    ]);
  });
});
