import { declaredType } from "../sql/column-types.js";
import { columnLine } from "./general-helpers.js";
import { defineRule } from "./types.js";

/** json keeps the input text: no equality operator, no GIN index, parsed again on every access. */
export default defineRule({
  id: "prefer-jsonb",
  meta: {
    severity: "note",
    category: "hygiene",
    description: "A new column of type json rather than jsonb.",
    messages: {
      json: "{{column}} is json, which stores the text as written: it has no equality operator (DISTINCT, GROUP BY and UNION on it fail), no GIN index, and every access parses it again.",
    },
  },
  nodes: ["CreateStmt", "AlterTableStmt"],
  statement({ statement, report }) {
    for (const column of statement.effects.adds.columns) {
      if (declaredType(column.column).name !== "json") continue;
      report({
        messageId: "json",
        data: { column: column.name },
        help: "Use jsonb, unless the exact input text matters (key order, duplicate keys, whitespace).",
        line: columnLine(statement, column),
      });
    }
  },
});
