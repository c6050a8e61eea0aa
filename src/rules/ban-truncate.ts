import { bodyOf } from "../sql/nodes.js";
import { isCreatedHere } from "./general-helpers.js";
import { defineRule } from "./types.js";

/** TRUNCATE in a migration empties an existing table in production: every row is gone, with no WHERE to limit it. */
export default defineRule({
  id: "ban-truncate",
  meta: {
    severity: "warning",
    category: "destructive",
    description: "TRUNCATE deletes every row of an existing table.",
    messages: {
      truncate: "TRUNCATE deletes every row of {{tables}} for good (and takes an ACCESS EXCLUSIVE lock while it does).",
    },
  },
  nodes: ["TruncateStmt"],
  statement({ statement, report }) {
    const truncate = bodyOf(statement.node, "TruncateStmt");
    if (!truncate) return;
    const tables = (truncate.relations ?? [])
      .map((r) => bodyOf(r, "RangeVar")?.relname)
      .filter((name): name is string => !!name && !isCreatedHere(statement, name));
    if (tables.length === 0) return;
    report({
      messageId: "truncate",
      data: { tables: tables.join(", ") },
      help: "If the data must go, delete it deliberately (DELETE with a WHERE, in batches) or in a data task with a backup; a schema migration should not empty production tables.",
    });
  },
});
