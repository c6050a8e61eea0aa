import { typeModifiers, typeNameOf } from "../sql/column-types.js";
import { typedColumns } from "./general-helpers.js";
import { defineRule } from "./types.js";

/** varchar(n) is no smaller or faster than text, and its limit is costly to change later. */
export default defineRule({
  id: "prefer-text",
  meta: {
    severity: "note",
    category: "hygiene",
    description: "A column declared or changed to varchar(n) rather than text (with a CHECK on the length if it matters).",
    messages: {
      varchar:
        "{{column}} is varchar({{length}}), which is no smaller or faster than text, and its limit is costly to change: raising it takes an ACCESS EXCLUSIVE lock and fails while views depend on the column, lowering it rewrites the table.",
    },
  },
  nodes: ["CreateStmt", "AlterTableStmt"],
  statement({ statement, report }) {
    for (const column of typedColumns(statement)) {
      if (typeNameOf(column.typeName) !== "varchar") continue;
      const [length] = typeModifiers(column.typeName);
      if (length === undefined) continue;
      report({
        messageId: "varchar",
        data: { column: column.name, length },
        help: `Use text, with CHECK (char_length(${column.name}) <= ${length}) if the limit matters: a CHECK can later be replaced without blocking (ADD … NOT VALID, then VALIDATE).`,
        line: column.line,
      });
    }
  },
});
