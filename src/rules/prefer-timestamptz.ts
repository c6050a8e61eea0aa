import { typeNameOf } from "../sql/column-types.js";
import { typedColumns } from "./general-helpers.js";
import { defineRule } from "./types.js";

/** timestamp without time zone stores a wall-clock reading, not an instant. */
export default defineRule({
  id: "prefer-timestamptz",
  meta: {
    severity: "note",
    category: "hygiene",
    description: "A column declared or changed to timestamp (without time zone) rather than timestamptz.",
    messages: {
      timestamp:
        "{{column}} is timestamp without time zone, a wall-clock reading with no zone: values written by servers or sessions in different time zones silently disagree, and daylight-saving changes make some ambiguous.",
    },
  },
  nodes: ["CreateStmt", "AlterTableStmt"],
  statement({ statement, report }) {
    for (const column of typedColumns(statement)) {
      if (typeNameOf(column.typeName) !== "timestamp") continue;
      report({
        messageId: "timestamp",
        data: { column: column.name },
        help: "Use timestamptz (timestamp with time zone): it stores an instant and shows it in the session's time zone.",
        line: column.line,
      });
    }
  },
});
