import { declaredType, hasColumnConstraint } from "../sql/column-types.js";
import { columnLine } from "./general-helpers.js";
import { defineRule } from "./types.js";

const SERIAL = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

/**
 * ADD COLUMN … NOT NULL without a DEFAULT: PostgreSQL fills existing rows with NULL, so on a
 * table with rows the statement fails; and where it succeeds, the INSERTs of application versions
 * that do not know the column fail.
 */
export default defineRule({
  id: "add-required-column",
  meta: {
    severity: "warning",
    category: "compat",
    description: "ADD COLUMN … NOT NULL without a DEFAULT fails on a table with rows and breaks INSERTs of older application versions.",
    messages: {
      required:
        "Adding {{column}} as NOT NULL without a DEFAULT fails as soon as {{table}} has a row, and otherwise every INSERT from application versions that do not set {{column}} fails.",
    },
  },
  subcommands: ["AT_AddColumn"],
  alterTable({ statement, target, report }) {
    for (const column of statement.effects.adds.columns) {
      const def = column.column;
      if (!hasColumnConstraint(def, "CONSTR_NOTNULL", "CONSTR_PRIMARY")) continue;
      if (hasColumnConstraint(def, "CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED")) continue;
      if (SERIAL.has(declaredType(def).name ?? "")) continue;
      report({
        messageId: "required",
        data: { column: column.name, table: target },
        help: "Give it a constant DEFAULT (metadata-only since PostgreSQL 11), or add it nullable, backfill it, and set NOT NULL in a later migration.",
        line: columnLine(statement, column),
      });
    }
  },
});
