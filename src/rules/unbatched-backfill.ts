import { bodyOf } from "../sql/nodes.js";
import { existing, heldExisting } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * An UPDATE or DELETE of every row in one statement holds row locks on all of them until it
 * commits; inside a transaction that holds ACCESS EXCLUSIVE, any backfill keeps the whole table
 * closed for its duration.
 */
export default defineRule({
  id: "unbatched-backfill",
  meta: {
    severity: "warning",
    category: "locking",
    description: "UPDATE or DELETE of a whole existing table in one statement, or any backfill under an ACCESS EXCLUSIVE lock.",
    messages: {
      underLock:
        "This {{verb}} on {{table}} runs while the transaction holds the ACCESS EXCLUSIVE lock an earlier statement took on {{held}}: every read and write on {{held}} waits until the {{verb}} and the transaction finish.",
      noWhere:
        "{{verb}} without WHERE changes every row of {{table}} in one statement: it holds a row lock on each until it commits, so concurrent writes to those rows wait, and it {{effect}}{{estimate}}.",
    },
  },
  nodes: ["UpdateStmt", "DeleteStmt"],
  statement({ statement, report }) {
    const update = bodyOf(statement.node, "UpdateStmt");
    const del = bodyOf(statement.node, "DeleteStmt");
    const dml = update ?? del;
    if (!dml) return;
    const verb = update ? "UPDATE" : "DELETE";
    const name = dml.relation?.relname ?? "?";
    const help =
      "Backfill in batches (e.g. a few thousand rows per statement, by primary key range), each in its own transaction, outside the migration's DDL transaction: a separate migration that runs without a transaction, or a background job.";
    const held = statement.inTransaction ? heldExisting(statement) : [];
    if (held.length > 0) {
      report({
        messageId: "underLock",
        data: { verb, table: name, held: held.join(", ") },
        help,
        table: held,
      });
      return;
    }
    const target = existing(statement, dml.relation?.relname);
    if (!target || dml.whereClause) return;
    report({
      messageId: "noWhere",
      data: {
        verb,
        effect: update ? "writes a new version of every row" : "leaves every row dead for VACUUM to clean up",
      },
      help,
      table: target,
      work: "rewrite",
    });
  },
});
