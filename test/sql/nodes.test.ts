import { describe, expect, it } from "vitest";
import { effectsOf } from "../../src/sql/effects.js";
import { alterTableOf, bodyOf } from "../../src/sql/nodes.js";
import { loadSqlParser, parseSql } from "../../src/sql/parse.js";
import { SourceText } from "../../src/sql/source-text.js";
import type { Rule } from "../../src/rules/types.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const nodeOf = (sql: string) => {
  const [statement] = parseSql(new SourceText("t.sql", sql)).statements;
  if (!statement) throw new Error(`no statement in ${sql}`);
  return statement.node;
};

describe("typed node access", () => {
  it("unwraps a node of the asked kind, typed by the kind, and nothing of another kind", () => {
    const node = nodeOf("CREATE INDEX CONCURRENTLY orders_idx ON orders (id)");
    const index = bodyOf(node, "IndexStmt");
    expect(index?.concurrent).toBe(true);
    expect(index?.idxname).toBe("orders_idx");
    expect(bodyOf(node, "DropStmt")).toBeUndefined();
  });

  it("refuses a misspelt kind at compile time, in readers and in what a rule asks for", () => {
    const node = nodeOf("SELECT 1");
    // @ts-expect-error "IndexStmnt" is not a node kind: tsc fails if this stops being an error.
    expect(bodyOf(node, "IndexStmnt")).toBeUndefined();
    // @ts-expect-error a rule cannot ask for a node kind that does not exist.
    const rule: Pick<Rule, "nodes"> = { nodes: ["AlterTabelStmt"] };
    expect(rule.nodes).toHaveLength(1);
  });

  it("reads an ALTER TABLE's table and subcommands", () => {
    const { table, commands } = alterTableOf(nodeOf("ALTER TABLE orders ADD COLUMN note text, DROP COLUMN old"));
    expect(table).toBe("orders");
    expect(commands.map((c) => c.subtype)).toEqual(["AT_AddColumn", "AT_DropColumn"]);
  });
});

describe("statement effects", () => {
  it("says what CREATE TABLE creates and the columns it adds", () => {
    const effects = effectsOf(nodeOf("CREATE TABLE billing.invoices (id bigint PRIMARY KEY, total numeric)"));
    expect(effects.creates).toEqual([{ kind: "table", name: "invoices", schema: "billing", replace: false, ifNotExists: false }]);
    expect(effects.adds.columns.map((c) => [c.name, c.table, c.newTable])).toEqual([
      ["id", "invoices", true],
      ["total", "invoices", true],
    ]);
  });

  it("keeps an unnamed index with its table and columns", () => {
    const effects = effectsOf(nodeOf("CREATE UNIQUE INDEX ON orders (account_id, lower(email))"));
    expect(effects.creates).toEqual([{ kind: "index", table: "orders", columns: ["account_id"], unique: true, replace: false, ifNotExists: false }]);
  });

  it("lists an ALTER TABLE's additions in order, and its drops lower-cased", () => {
    const effects = effectsOf(
      nodeOf(`ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0), ADD COLUMN note text, DROP COLUMN "Old", DROP CONSTRAINT legacy`),
    );
    expect(effects.adds.inOrder.map((a) => ("column" in a ? `column ${a.name}` : `constraint ${a.constraint.conname ?? ""}`))).toEqual([
      "constraint positive",
      "column note",
    ]);
    expect(effects.drops).toEqual([
      { kind: "column", name: "old", table: "orders" },
      { kind: "constraint", name: "legacy", table: "orders" },
    ]);
  });

  it("reads drops, renames and code it cannot see", () => {
    expect(effectsOf(nodeOf("DROP TRIGGER audit ON public.orders")).drops).toEqual([{ kind: "trigger", name: "audit", table: "orders" }]);
    expect(effectsOf(nodeOf("ALTER TABLE orders RENAME COLUMN total TO amount")).renames).toEqual([
      { family: "column", from: "total", to: "amount", table: "orders" },
    ]);
    expect(effectsOf(nodeOf("ALTER INDEX orders_idx RENAME TO orders_by_id")).renames).toEqual([
      { family: "relation", from: "orders_idx", to: "orders_by_id" },
    ]);
    expect(effectsOf(nodeOf("DO $$ BEGIN PERFORM 1; END $$")).opaque).toBe(true);
  });
});
