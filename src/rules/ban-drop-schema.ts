import { bodyOf } from "../sql/nodes.js";
import { defineRule } from "./types.js";

/** DROP SCHEMA / DROP DATABASE: everything in it, data included, is gone. Never a routine migration step. */
export default defineRule({
  id: "ban-drop-schema",
  meta: {
    severity: "error",
    category: "destructive",
    description: "DROP SCHEMA or DROP DATABASE deletes every object and all data in it.",
    messages: {
      schema: "Dropping schema {{name}} deletes it for good, and with CASCADE every table, view and function in it, data included.",
      database: "Dropping database {{name}} deletes every schema, table and row in it for good.",
    },
  },
  nodes: ["DropStmt", "DropdbStmt"],
  statement({ statement, report }) {
    const help = "Do not drop schemas or databases in a migration. If it really must go, do it by hand after a backup, once nothing uses it.";
    const database = bodyOf(statement.node, "DropdbStmt");
    if (database) {
      report({ messageId: "database", data: { name: database.dbname ?? "" }, help });
      return;
    }
    const drop = bodyOf(statement.node, "DropStmt");
    if (drop?.removeType !== "OBJECT_SCHEMA") return;
    const names = statement.effects.drops.map((o) => o.name);
    if (names.length > 0) report({ messageId: "schema", data: { name: names.join(", ") }, help });
  },
});
