import { bodyOf, listNames } from "../sql/nodes.js";
import { leaveTransactionAdvice, statementFix } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/**
 * DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table: the drop itself is
 * quick, but it queues behind every running query on the table and everything queues behind it.
 */
export default defineRule({
  id: "require-concurrent-index-drop",
  meta: {
    severity: "warning",
    category: "locking",
    description: "DROP INDEX without CONCURRENTLY locks the index's table against reads and writes.",
    messages: {
      blocking:
        "DROP INDEX {{indexes}} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table of the index: every read and write on that table waits until the migration's transaction ends, and the drop itself first waits for every query already running on the table.",
    },
  },
  nodes: ["DropStmt"],
  statement({ migration, statement, report }) {
    const drop = bodyOf(statement.node, "DropStmt");
    if (drop?.removeType !== "OBJECT_INDEX" || drop.concurrent) return;
    const names = (drop.objects ?? []).map((object) => listNames(object).at(-1));
    const existing = names.filter((name): name is string => !!name && !statement.createdRelations.has(name));
    if (existing.length === 0) return;
    // DROP INDEX CONCURRENTLY takes one index and no CASCADE.
    const single = names.length === 1 && drop.behavior !== "DROP_CASCADE";
    const fix = single
      ? statementFix(statement, "Add CONCURRENTLY", statement.text.replace(/^(\s*DROP\s+INDEX)\b(?!\s+CONCURRENTLY)/i, "$1 CONCURRENTLY"))
      : undefined;
    report({
      messageId: "blocking",
      data: { indexes: existing.join(", ") },
      help:
        (single
          ? "Use DROP INDEX CONCURRENTLY, in a migration that does not run in a transaction: it waits for running queries without blocking new ones."
          : "Use one DROP INDEX CONCURRENTLY statement per index (CONCURRENTLY allows neither several indexes nor CASCADE), in a migration that does not run in a transaction.") +
        leaveTransactionAdvice(migration, statement),
      ...(fix ? { fix } : {}),
    });
  },
});
