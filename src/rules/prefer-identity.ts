import { declaredType } from "../sql/column-types.js";
import { columnLine } from "./general-helpers.js";
import { defineRule } from "./types.js";

const SERIAL: Readonly<Record<string, string>> = {
  serial: "integer",
  serial4: "integer",
  bigserial: "bigint",
  serial8: "bigint",
  smallserial: "smallint",
  serial2: "smallint",
};

/** serial is a column default on a separate sequence; identity columns are the SQL-standard replacement. */
export default defineRule({
  id: "prefer-identity",
  meta: {
    severity: "note",
    category: "hygiene",
    description: "A new serial/bigserial/smallserial column rather than an identity column.",
    messages: {
      serial:
        "{{column}} is {{type}}: a default on a separately owned sequence, so grants, ownership and copies of the table (CREATE TABLE … LIKE) need extra care, and explicit ids inserted by hand later collide with it.",
    },
  },
  nodes: ["CreateStmt", "AlterTableStmt"],
  statement({ statement, report }) {
    for (const column of statement.effects.adds.columns) {
      const type = declaredType(column.column).name ?? "";
      const base = SERIAL[type];
      if (!base) continue;
      const integer = base === "bigint" ? "bigint" : "bigint (or " + base + ")";
      report({
        messageId: "serial",
        data: { column: column.name, type },
        help: `Use ${integer} GENERATED ALWAYS AS IDENTITY (BY DEFAULT if the application sometimes supplies ids).`,
        line: columnLine(statement, column),
      });
    }
  },
});
