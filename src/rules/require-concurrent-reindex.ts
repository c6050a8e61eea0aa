import { bodyOf } from "../sql/nodes.js";
import { optionOn } from "../sql/options.js";
import { leaveTransactionAdvice, statementFix } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * REINDEX without CONCURRENTLY takes SHARE on the table and ACCESS EXCLUSIVE on each index being
 * rebuilt. Planning any query on the table locks all its indexes, so nearly every read waits too.
 */
export default defineRule({
  id: "require-concurrent-reindex",
  meta: {
    severity: "error",
    category: "locking",
    description: "REINDEX without CONCURRENTLY blocks writes, and nearly all reads, for the whole rebuild.",
    messages: {
      index:
        "REINDEX INDEX {{name}} without CONCURRENTLY takes ACCESS EXCLUSIVE on the index and SHARE on its table for the whole rebuild: every write to the table waits, and so does nearly every read, because planning a query locks all the table's indexes.",
      table:
        "REINDEX TABLE {{name}} without CONCURRENTLY takes SHARE on {{name}} and ACCESS EXCLUSIVE on each index while it is rebuilt: every write to {{name}} waits, and so does nearly every read, because planning a query locks all the table's indexes{{estimate}}.",
      many: "REINDEX {{name}} without CONCURRENTLY rebuilds the indexes of every table in it, one table at a time, under SHARE on the table and ACCESS EXCLUSIVE on the index: on each table in turn every write waits, and so does nearly every read.",
    },
  },
  nodes: ["ReindexStmt"],
  statement({ migration, statement, report }) {
    const reindex = bodyOf(statement.node, "ReindexStmt");
    if (!reindex || optionOn(reindex.params, "concurrently")) return;
    // REINDEX SYSTEM cannot be concurrent: nothing to suggest.
    if (reindex.kind === "REINDEX_OBJECT_SYSTEM") return;
    const help =
      "Use REINDEX … CONCURRENTLY (PostgreSQL 12+), in a migration that does not run in a transaction: it builds new indexes next to the old ones and swaps them with brief locks." +
      leaveTransactionAdvice(migration, statement);
    const fix = statementFix(
      statement,
      "Add CONCURRENTLY",
      statement.text.replace(/^(\s*REINDEX\s+(?:INDEX|TABLE|SCHEMA|DATABASE))\b(?!\s+CONCURRENTLY)/i, "$1 CONCURRENTLY"),
    );
    const withFix = fix ? { fix } : {};
    if (reindex.kind === "REINDEX_OBJECT_INDEX" || reindex.kind === "REINDEX_OBJECT_TABLE") {
      const name = reindex.relation?.relname;
      if (!name || statement.createdRelations.has(name)) return;
      const isTable = reindex.kind === "REINDEX_OBJECT_TABLE";
      report({
        messageId: isTable ? "table" : "index",
        data: { name },
        help,
        ...(isTable ? { table: name, work: "index" as const } : {}),
        ...withFix,
      });
      return;
    }
    const name = reindex.kind === "REINDEX_OBJECT_SCHEMA" ? `SCHEMA ${reindex.name ?? ""}`.trim() : `DATABASE ${reindex.name ?? ""}`.trim();
    report({ messageId: "many", data: { name }, help, ...withFix });
  },
});
