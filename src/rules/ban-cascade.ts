import { alterTableOf, bodyOf } from "../sql/nodes.js";
import { objectTypeWords } from "../sql/effects.js";
import { isCreatedHere } from "./general-helpers.js";
import { defineRule } from "./types.js";

/**
 * CASCADE drops or empties whatever depends on the target, which the migration does not name:
 * views, foreign keys, other tables' rows (TRUNCATE), columns of a dropped type. The extra loss is
 * silent and decided by the database's state, not by the reviewed SQL.
 */
export default defineRule({
  id: "ban-cascade",
  meta: {
    severity: "error",
    category: "destructive",
    description: "DROP … CASCADE or TRUNCATE … CASCADE also destroys dependent objects or rows the migration does not name.",
    messages: {
      drop: "{{what}} CASCADE also drops every object that depends on it (views, foreign keys, columns of a dropped type, …), none of which this migration names.",
      truncate:
        "TRUNCATE … CASCADE also empties every table with a foreign key to {{tables}}, and the tables referencing those, none of which this migration names.",
    },
  },
  nodes: ["TruncateStmt", "DropStmt", "AlterTableStmt"],
  statement({ statement, report }) {
    const help = "Remove CASCADE and drop the dependent objects explicitly, by name, before this statement: then the review shows exactly what goes.";
    const truncate = bodyOf(statement.node, "TruncateStmt");
    if (truncate) {
      if (truncate.behavior !== "DROP_CASCADE") return;
      const tables = (truncate.relations ?? []).map((r) => bodyOf(r, "RangeVar")?.relname).filter((n): n is string => !!n);
      if (tables.length > 0 && tables.every((t) => isCreatedHere(statement, t))) return;
      report({ messageId: "truncate", data: { tables: tables.join(", ") }, help });
      return;
    }
    const drop = bodyOf(statement.node, "DropStmt");
    if (drop) {
      // DROP SCHEMA is ban-drop-schema's error already, CASCADE or not.
      if (drop.behavior !== "DROP_CASCADE" || drop.removeType === "OBJECT_SCHEMA") return;
      const names = statement.effects.drops.map((o) => o.name);
      if (names.length > 0 && names.every((n) => isCreatedHere(statement, n))) return;
      report({ messageId: "drop", data: { what: `DROP ${objectTypeWords(drop.removeType)} ${names.join(", ")}` }, help });
      return;
    }
    const { table, commands } = alterTableOf(statement.node);
    if (!table || isCreatedHere(statement, table)) return;
    const cascading = commands.find((c) => c.behavior === "DROP_CASCADE" && (c.subtype === "AT_DropColumn" || c.subtype === "AT_DropConstraint"));
    if (!cascading) return;
    const what = `${cascading.subtype === "AT_DropColumn" ? "DROP COLUMN" : "DROP CONSTRAINT"} ${cascading.name ?? ""}`;
    report({ messageId: "drop", data: { what }, help });
  },
});
