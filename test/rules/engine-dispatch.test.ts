import { describe, expect, it } from "vitest";
import { defineRule, type Rule } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const meta = { severity: "warning", category: "locking", description: "test rule", messages: { seen: "{{what}} on {{table}}{{estimate}}" } } as const;

/** A rule that records which statements the engine called it for. */
function recording(rule: Omit<Rule<"seen">, "id" | "meta">): { rule: Rule<"seen">; calls: string[] } {
  const calls: string[] = [];
  const wrap = <C extends { statement: { kind: string } }>(f: ((c: C) => void) | undefined) => (f ? (c: C) => (calls.push(c.statement.kind), f(c)) : undefined);
  const statement = wrap(rule.statement);
  const alterTable = wrap(rule.alterTable);
  return {
    rule: defineRule({
      id: "test-rule",
      meta: { ...meta, messages: { ...meta.messages } },
      ...rule,
      ...(statement ? { statement } : {}),
      ...(alterTable ? { alterTable } : {}),
    }),
    calls,
  };
}

const SQL =
  "CREATE TABLE fresh (id bigint);\nALTER TABLE fresh ADD COLUMN a int;\nCREATE INDEX orders_idx ON orders (id);\nALTER TABLE orders ADD COLUMN b int;\nALTER TABLE orders DROP COLUMN c;\nSELECT 1;";

describe("the engine dispatches rules by what they ask for", () => {
  it("calls a rule that names node kinds for those statements only", () => {
    const { rule, calls } = recording({ nodes: ["IndexStmt"], statement: () => undefined });
    lint(SQL, [rule]);
    expect(calls).toEqual(["IndexStmt"]);
  });

  it("calls a rule without `nodes` for every statement", () => {
    const { rule, calls } = recording({ statement: () => undefined });
    lint(SQL, [rule]);
    expect(calls).toEqual(["CreateStmt", "AlterTableStmt", "IndexStmt", "AlterTableStmt", "AlterTableStmt", "SelectStmt"]);
  });

  it("calls an alterTable rule for ALTER TABLE on existing tables with a wanted subcommand, with the target and commands", () => {
    const seen: string[] = [];
    const { rule } = recording({
      subcommands: ["AT_AddColumn"],
      alterTable: ({ target, commands }) => void seen.push(`${target}: ${commands.map((c) => c.subtype).join(",")}`),
    });
    lint(SQL, [rule]);
    expect(seen).toEqual(["orders: AT_AddColumn"]);
  });
});

describe("the engine applies the table policy", () => {
  const rule = defineRule({
    id: "test-rule",
    meta: { ...meta, messages: { ...meta.messages } },
    nodes: ["IndexStmt"],
    statement: ({ report }) => report({ messageId: "seen", data: { what: "build" }, table: "orders", work: "index" }),
  });

  it("fills the table, and no estimate without a row count; an index build under SHARE on an existing table of unknown size is an error", () => {
    const [finding] = lint("CREATE INDEX ON orders (id);", [rule]);
    expect(finding?.message).toBe("build on orders");
    expect(finding?.severity).toBe("error");
  });

  it("estimates the work from the configured rows and makes a large table an error", () => {
    const [finding] = lint({ sql: "CREATE INDEX ON orders (id);", config: { tables: { orders: { rows: 50_000_000 } } } }, [rule]);
    expect(finding?.message).toBe("build on orders, for about 50 s (50,000,000 rows)");
    expect(finding?.severity).toBe("error");
  });

  it("lowers it to a warning on a table configured small (rows under smallTableRows)", () => {
    const [finding] = lint({ sql: "CREATE INDEX ON orders (id);", config: { tables: { orders: { rows: 1_000 } } } }, [rule]);
    expect(finding?.severity).toBe("warning");
    expect(finding?.message).toBe("build on orders, for under a second (1,000 rows)");
  });
});
