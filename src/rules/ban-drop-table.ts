import { bodyOf } from "../sql/nodes.js";
import { isCreatedHere } from "./general-helpers.js";
import { defineRule } from "./types.js";

/** DROP TABLE of a table that existed before this migration: its rows are gone, and so is every query on it. */
export default defineRule({
  id: "ban-drop-table",
  meta: {
    severity: "note",
    category: "destructive",
    description: "DROP TABLE of an existing table deletes its data and breaks application versions that still use it.",
    messages: {
      drop: "Dropping {{tables}} deletes every row for good, and application versions still running that query {{it}} fail until they are replaced.",
    },
  },
  nodes: ["DropStmt"],
  statement({ statement, report }) {
    const drop = bodyOf(statement.node, "DropStmt");
    if (drop?.removeType !== "OBJECT_TABLE") return;
    const tables = statement.effects.drops.map((o) => o.name).filter((name) => !isCreatedHere(statement, name));
    if (tables.length === 0) return;
    const plural = tables.length > 1;
    report({
      messageId: "drop",
      data: { tables: `${plural ? "tables" : "table"} ${tables.join(", ")}`, it: plural ? "them" : "it" },
      help: "Drop in two releases: first remove every use of the table from the code and deploy that; drop it in a later migration, after a backup (or rename it to a `_deprecated` name first, so it can be restored).",
    });
  },
});
