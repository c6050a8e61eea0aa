import { typeModifiers } from "../sql/column-types.js";
import { declaredType } from "../sql/column-types.js";
import { columnLine } from "./general-helpers.js";
import { defineRule } from "./types.js";

/** char(n) pads with spaces: surprising comparisons and lengths, no saving over text. */
export default defineRule({
  id: "ban-char-type",
  meta: {
    severity: "note",
    category: "hygiene",
    description: "A new char(n)/character(n) column.",
    messages: {
      char: "{{column}} is char({{length}}), which pads every value with spaces to {{length}} characters: trailing spaces vanish in comparisons but not everywhere else, and it takes no less space than text.",
    },
  },
  nodes: ["CreateStmt", "AlterTableStmt"],
  statement({ statement, report }) {
    for (const column of statement.effects.adds.columns) {
      // `char` is pg_catalog.bpchar; the quoted one-byte "char" type is something else.
      if (declaredType(column.column).name !== "bpchar") continue;
      const [length = 1] = typeModifiers(column.column.typeName);
      report({
        messageId: "char",
        data: { column: column.name, length },
        help: `Use text (or varchar), with CHECK (char_length(${column.name}) = ${length}) if the length is fixed.`,
        line: columnLine(statement, column),
      });
    }
  },
});
