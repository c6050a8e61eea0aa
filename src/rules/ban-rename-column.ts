import { bodyOf } from "../sql/nodes.js";
import { isCreatedHere } from "./general-helpers.js";
import { defineRule } from "./types.js";

/** RENAME COLUMN is instant, but every application version still running that uses the old name fails from that moment. */
export default defineRule({
  id: "ban-rename-column",
  meta: {
    severity: "note",
    category: "compat",
    description: "RENAME COLUMN breaks application versions that still use the old name.",
    messages: {
      rename:
        "Renaming {{table}}.{{from}} to {{to}} breaks every query of the application versions still running that use {{from}}, from the moment it commits until they are replaced.",
    },
  },
  nodes: ["RenameStmt"],
  statement({ statement, report }) {
    const rename = bodyOf(statement.node, "RenameStmt");
    if (rename?.renameType !== "OBJECT_COLUMN" || rename.relationType === "OBJECT_TYPE") return;
    const table = rename.relation?.relname;
    if (!table || isCreatedHere(statement, table)) return;
    report({
      messageId: "rename",
      data: { table, from: rename.subname ?? "", to: rename.newname ?? "" },
      help: "Keep the column name and rename the attribute in the application (most ORMs map names); or add the new column, write to both, backfill, switch reads, then drop the old one in a later release.",
    });
  },
});
