import type { Node } from "libpg-query";
import { bodyOf } from "../sql/nodes.js";
import { addedColumn } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/** True for `DEFAULT NULL` (possibly cast): no value to store, no rewrite on any version. */
function isNullDefault(expr: Node | undefined): boolean {
  const cast = bodyOf(expr, "TypeCast");
  const value = bodyOf(cast?.arg ?? expr, "A_Const");
  return value?.isnull === true;
}

/**
 * ADD COLUMN with a volatile DEFAULT (or any DEFAULT before PostgreSQL 11) rewrites the table
 * under ACCESS EXCLUSIVE. Which calls are volatile is the lock model's verdict (volatility.ts):
 * built-ins by pg_proc, functions the analysed migrations created by their IMMUTABLE / STABLE /
 * VOLATILE clause, and any other function is taken as VOLATILE, CREATE FUNCTION's default.
 */
export default defineRule({
  id: "volatile-default-rewrite",
  meta: {
    severity: "error",
    category: "locking",
    description: "ADD COLUMN with a volatile DEFAULT rewrites the table under ACCESS EXCLUSIVE.",
    messages: {
      volatile:
        "ADD COLUMN {{column}} with DEFAULT {{fn}}(), a volatile function, rewrites {{table}} under ACCESS EXCLUSIVE to store a value in every row: every read and write on {{table}} waits for the whole rewrite{{estimate}}.",
      unknownFunction:
        "ADD COLUMN {{column}} with DEFAULT {{fn}}(): the migrations analysed do not create {{fn}} IMMUTABLE or STABLE, and CREATE FUNCTION makes a function VOLATILE unless told otherwise. If {{fn}} is volatile, Postgres rewrites {{table}} under ACCESS EXCLUSIVE to store a value in every row, and every read and write on {{table}} waits for the whole rewrite{{estimate}}; if it is IMMUTABLE or STABLE, the value is stored once in the catalog.",
      anyDefault:
        "ADD COLUMN {{column}} with a DEFAULT rewrites {{table}} under ACCESS EXCLUSIVE on PostgreSQL {{version}} (before 11, every default is written into every row): every read and write on {{table}} waits for the whole rewrite{{estimate}}.",
    },
  },
  subcommands: ["AT_AddColumn"],
  alterTable({ statement, target, commands, report, config }) {
    const help =
      "Add the column without a default (or with a constant or now()), then ALTER COLUMN … SET DEFAULT for new rows, and backfill existing rows in batches outside the migration's transaction.";
    for (const command of commands) {
      const column = addedColumn(command);
      const defaultExpr = column?.constraints.find((c) => c.contype === "CONSTR_DEFAULT")?.raw_expr;
      if (!column || !defaultExpr) continue;
      const call = statement.locks.volatileDefaults?.find((d) => d.column === column.column);
      if (call) {
        const messageId = call.known ? "volatile" : "unknownFunction";
        report({ messageId, data: { column: column.column, fn: call.fn }, help, table: target, work: "rewrite" });
      } else if (config.postgresVersion < 11 && !isNullDefault(defaultExpr)) {
        report({
          messageId: "anyDefault",
          data: { column: column.column, version: config.postgresVersion },
          help,
          table: target,
          work: "rewrite",
        });
      }
    }
  },
});
