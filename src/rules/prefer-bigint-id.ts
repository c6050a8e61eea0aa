import { declaredType, hasColumnConstraint } from "../sql/column-types.js";
import type { NewColumn } from "../sql/effects.js";
import { strings } from "../sql/nodes.js";
import { columnLine } from "./general-helpers.js";
import { defineRule } from "./types.js";

const SMALL: Readonly<Record<string, { shown: string; max: string }>> = {
  int4: { shown: "integer", max: "2,147,483,647" },
  serial: { shown: "serial", max: "2,147,483,647" },
  serial4: { shown: "serial", max: "2,147,483,647" },
  int2: { shown: "smallint", max: "32,767" },
  smallserial: { shown: "smallserial", max: "32,767" },
  serial2: { shown: "smallserial", max: "32,767" },
};

function isKey(column: NewColumn): boolean {
  const name = column.name.toLowerCase();
  if (name === "id" || name.endsWith("_id")) return true;
  if (hasColumnConstraint(column.column, "CONSTR_PRIMARY")) return true;
  return column.tableConstraints.some((c) => c.contype === "CONSTR_PRIMARY" && strings(c.keys).some((k) => k.toLowerCase() === name));
}

/** An id in a 4- or 2-byte integer runs out; widening it later rewrites the table and every referencing one. */
export default defineRule({
  id: "prefer-bigint-id",
  meta: {
    severity: "note",
    category: "hygiene",
    description: "A new id, foreign-key or primary-key column of type integer or smallint rather than bigint.",
    messages: {
      small:
        "{{column}} is {{type}}, which stops at {{max}}: an id that reaches it makes every INSERT fail, and widening it then rewrites the table (and the tables referencing it) under an ACCESS EXCLUSIVE lock.",
    },
  },
  nodes: ["CreateStmt", "AlterTableStmt"],
  statement({ statement, report }) {
    for (const column of statement.effects.adds.columns) {
      const type = declaredType(column.column);
      const small = type.name === undefined || type.array ? undefined : SMALL[type.name];
      if (!small || !isKey(column)) continue;
      report({
        messageId: "small",
        data: { column: column.name, type: small.shown, max: small.max },
        help: "Use bigint (for a generated key: bigint GENERATED ALWAYS AS IDENTITY). Four more bytes a row cost less than the migration later.",
        line: columnLine(statement, column),
      });
    }
  },
});
