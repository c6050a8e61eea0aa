import { declaredType, hasColumnConstraint } from "../sql/column-types.js";
import { bodyOf, refOf } from "../sql/nodes.js";
import { columnLine } from "./general-helpers.js";
import { alterCommands, existing, upStatements } from "./lock-helpers.js";
import { defineRule, type AnalyzedStatement } from "./types.js";

const SERIAL = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

/**
 * How a statement changes what the migration knows about a table being empty: TRUNCATE and a
 * DELETE without WHERE (nor USING) leave it empty; anything that may add rows ends that.
 */
function emptiness(statement: AnalyzedStatement): { emptied: string[]; filled: string[] } {
  const { node } = statement;
  const truncate = bodyOf(node, "TruncateStmt");
  if (truncate) return { emptied: (truncate.relations ?? []).map((r) => refOf(bodyOf(r, "RangeVar"))?.relation ?? ""), filled: [] };
  const del = bodyOf(node, "DeleteStmt");
  if (del) return { emptied: !del.whereClause && !del.usingClause && del.relation?.relname ? [del.relation.relname] : [], filled: [] };
  const target =
    bodyOf(node, "InsertStmt")?.relation ??
    bodyOf(node, "MergeStmt")?.relation ??
    (bodyOf(node, "CopyStmt")?.is_from ? bodyOf(node, "CopyStmt")?.relation : undefined);
  return { emptied: [], filled: target?.relname ? [target.relname] : [] };
}

/**
 * ADD COLUMN … NOT NULL without a DEFAULT: PostgreSQL fills existing rows with NULL, so on a
 * table with rows the statement fails; and where it succeeds, the INSERTs of application versions
 * that do not know the column fail. Not reported on a table the migration has just emptied
 * (TRUNCATE, or DELETE without WHERE, and no INSERT, COPY or MERGE into it since).
 */
export default defineRule({
  id: "add-required-column",
  meta: {
    severity: "error",
    category: "compat",
    description: "ADD COLUMN … NOT NULL without a DEFAULT fails on a table with rows and breaks INSERTs of older application versions.",
    messages: {
      required:
        "Adding {{column}} as NOT NULL without a DEFAULT fails as soon as {{table}} has a row, and otherwise every INSERT from application versions that do not set {{column}} fails.",
    },
  },
  migration({ sections, report }) {
    const empty = new Set<string>();
    for (const statement of upStatements(sections)) {
      const { emptied, filled } = emptiness(statement);
      for (const name of emptied) empty.add(name);
      for (const name of filled) empty.delete(name);
      const target = existing(statement, alterCommands(statement).table);
      if (!target || empty.has(target)) continue;
      for (const column of statement.effects.adds.columns) {
        const def = column.column;
        if (!hasColumnConstraint(def, "CONSTR_NOTNULL", "CONSTR_PRIMARY")) continue;
        if (hasColumnConstraint(def, "CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED")) continue;
        if (SERIAL.has(declaredType(def).name ?? "")) continue;
        const line = columnLine(statement, column);
        report({
          messageId: "required",
          data: { column: column.name, table: target },
          help: "Give it a constant DEFAULT (metadata-only since PostgreSQL 11), or add it nullable, backfill it, and set NOT NULL in a later migration.",
          path: statement.path,
          line,
          endLine: line,
        });
      }
    }
  },
});
