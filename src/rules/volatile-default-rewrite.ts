import type { Node } from "libpg-query";
import { VOLATILE_FUNCTIONS as VOLATILE } from "../sql/lock-tables.js";
import { bodyOf, calledFunctions } from "../sql/nodes.js";
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
 * under ACCESS EXCLUSIVE.
 */
export default defineRule({
  id: "volatile-default-rewrite",
  meta: {
    severity: "warning",
    category: "locking",
    description: "ADD COLUMN with a volatile DEFAULT rewrites the table under ACCESS EXCLUSIVE.",
    messages: {
      volatile:
        "ADD COLUMN {{column}} with DEFAULT {{fn}}(), a volatile function, rewrites {{table}} under ACCESS EXCLUSIVE to store a value in every row: every read and write on {{table}} waits for the whole rewrite{{estimate}}.",
      anyDefault:
        "ADD COLUMN {{column}} with a DEFAULT rewrites {{table}} under ACCESS EXCLUSIVE on PostgreSQL {{version}} (before 11, every default is written into every row): every read and write on {{table}} waits for the whole rewrite{{estimate}}.",
    },
  },
  subcommands: ["AT_AddColumn"],
  alterTable({ target, commands, report, config }) {
    const help =
      "Add the column without a default (or with a constant or now()), then ALTER COLUMN … SET DEFAULT for new rows, and backfill existing rows in batches outside the migration's transaction.";
    for (const command of commands) {
      const column = addedColumn(command);
      const defaultExpr = column?.constraints.find((c) => c.contype === "CONSTR_DEFAULT")?.raw_expr;
      if (!column || !defaultExpr) continue;
      const fn = calledFunctions(defaultExpr).find((f) => VOLATILE.has(f));
      if (fn) {
        report({ messageId: "volatile", data: { column: column.column, fn }, help, table: target, work: "rewrite" });
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
