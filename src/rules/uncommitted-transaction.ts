import { isBegin, isTransactionEnd } from "../sql/statements.js";
import { defineRule, type AnalyzedStatement } from "./types.js";

/**
 * BEGIN without COMMIT: the transaction is still open when the migration's SQL ends. What happens
 * to the changes then depends on the tool: often the connection closes and PostgreSQL rolls them
 * back, while the migration is recorded as applied (squawk #697).
 */
export default defineRule({
  id: "uncommitted-transaction",
  meta: {
    severity: "error",
    category: "hygiene",
    description: "A BEGIN with no COMMIT before the end of the migration: its changes may be silently rolled back.",
    messages: {
      uncommitted:
        "This BEGIN has no COMMIT before the end of the {{direction}} migration: the transaction is still open when the SQL ends, and its changes are often silently rolled back when the tool closes the connection, while the migration is recorded as applied.",
    },
  },
  migration({ sections, report }) {
    for (const { section, statements } of sections) {
      let open: AnalyzedStatement | undefined;
      for (const statement of statements) {
        // A BEGIN inside an open transaction is transaction-nesting's; it opens nothing new.
        // (The implicit block of a multi-statement query is no open transaction: BEGIN opens one there.)
        if (isBegin(statement.node) && (!statement.inTransaction || statement.inImplicitTransaction)) open = statement;
        else if (isTransactionEnd(statement.node)) open = undefined;
      }
      if (!open) continue;
      report({
        messageId: "uncommitted",
        data: { direction: section.direction },
        help: "End the transaction with COMMIT, or remove BEGIN and let the framework run the migration in its transaction.",
        path: open.path,
        line: open.line,
        endLine: open.endLine,
      });
    }
  },
});
