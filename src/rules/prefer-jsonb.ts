import { typeNameOf } from "../sql/column-types.js";
import { typedColumns } from "./general-helpers.js";
import { defineRule } from "./types.js";

/** json keeps the input text: no equality operator, no GIN index, parsed again on every access. */
export default defineRule({
  id: "prefer-jsonb",
  meta: {
    severity: "note",
    category: "hygiene",
    description: "A column declared or changed to json rather than jsonb.",
    messages: {
      json: "{{column}} is json, which stores the text as written: it has no equality operator (DISTINCT, GROUP BY and UNION on it fail), no GIN index, and every access parses it again.",
    },
  },
  nodes: ["CreateStmt", "AlterTableStmt"],
  statement({ statement, report }) {
    for (const column of typedColumns(statement)) {
      if (typeNameOf(column.typeName) !== "json") continue;
      report({
        messageId: "json",
        data: { column: column.name },
        help: "Use jsonb, unless the exact input text matters (key order, duplicate keys, whitespace).",
        line: column.line,
      });
    }
  },
});
