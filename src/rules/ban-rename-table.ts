import { bodyOf } from "../sql/nodes.js";
import { isCreatedHere } from "./general-helpers.js";
import { defineRule } from "./types.js";

/** ALTER TABLE … RENAME TO: every application version still running that queries the old name fails from that moment. */
export default defineRule({
  id: "ban-rename-table",
  meta: {
    severity: "note",
    category: "compat",
    description: "Renaming a table breaks application versions that still use the old name.",
    messages: {
      rename:
        "Renaming table {{from}} to {{to}} breaks every query of the application versions still running that use {{from}}, from the moment it commits until they are replaced.",
    },
  },
  nodes: ["RenameStmt"],
  statement({ statement, report }) {
    const rename = bodyOf(statement.node, "RenameStmt");
    if (rename?.renameType !== "OBJECT_TABLE") return;
    const from = rename.relation?.relname;
    if (!from || isCreatedHere(statement, from)) return;
    report({
      messageId: "rename",
      data: { from, to: rename.newname ?? "" },
      help: `Keep the table name and map it in the application; or rename it and, in the same transaction, create a view with the old name (\`CREATE VIEW ${from} AS SELECT * FROM ${rename.newname ?? "…"}\`, updatable for simple views) until no code uses the old name.`,
    });
  },
});
