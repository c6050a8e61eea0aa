import { SERIAL_TYPES, typeNameOf } from "../sql/column-types.js";
import { constraintsOf } from "../sql/nodes.js";
import { defineRule } from "./types.js";

/**
 * ADD COLUMN of a serial type, an identity column or a stored generated column computes a value
 * for every existing row: a table rewrite under ACCESS EXCLUSIVE.
 */
export default defineRule({
  id: "rewriting-column-add",
  meta: {
    severity: "error",
    category: "locking",
    description: "ADD COLUMN of a serial, identity or stored generated column rewrites the table under ACCESS EXCLUSIVE.",
    messages: {
      rewrite:
        "ADD COLUMN {{column}} {{what}} rewrites {{table}} under ACCESS EXCLUSIVE to fill in every existing row: every read and write on {{table}} waits for the whole rewrite{{estimate}}.",
    },
  },
  subcommands: ["AT_AddColumn"],
  alterTable({ statement, target, report, config }) {
    for (const { column } of statement.effects.adds.columns) {
      const type = typeNameOf(column.typeName);
      const constraints = constraintsOf(column.constraints);
      let what: string | undefined;
      let help: string;
      if (SERIAL_TYPES.has(type)) what = `of type ${type}`;
      else if (constraints.some((c) => c.contype === "CONSTR_IDENTITY")) what = "GENERATED … AS IDENTITY";
      if (what) {
        help = `Add a nullable bigint column, give new rows a value with a sequence (CREATE SEQUENCE, then ALTER COLUMN … SET DEFAULT nextval(…)), backfill existing rows in batches, then make it NOT NULL through a validated CHECK. Or build a new table with the column and copy the rows over.`;
      } else if (constraints.some((c) => c.contype === "CONSTR_GENERATED" && c.generated_kind === "s")) {
        what = "GENERATED ALWAYS AS (…) STORED";
        help =
          config.postgresVersion >= 18
            ? "Use a VIRTUAL generated column (PostgreSQL 18+: computed when read, no rewrite), or a plain column kept up to date by a trigger and backfilled in batches."
            : "Use a plain column kept up to date by a trigger (or the application) and backfill it in batches; PostgreSQL 18 adds VIRTUAL generated columns, which need no rewrite.";
      } else {
        continue;
      }
      report({
        messageId: "rewrite",
        data: { column: column.colname ?? "?", what },
        help,
        table: target,
        work: "rewrite",
      });
    }
  },
});
