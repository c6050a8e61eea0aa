import { isBegin, transactionKind } from "../sql/statements.js";
import { defineRule } from "./types.js";

/**
 * Transaction control that fights the transaction already open: a BEGIN inside the framework's
 * transaction (or inside the SQL's own) is ignored with a warning, so the next COMMIT ends the
 * outer transaction; a COMMIT or ROLLBACK inside the framework's transaction ends it early, and
 * the rest of the migration runs outside any transaction while the framework commits an empty one.
 */
export default defineRule({
  id: "transaction-nesting",
  meta: {
    severity: "error",
    category: "hygiene",
    description: "BEGIN, COMMIT or ROLLBACK inside a transaction that is already open (the framework's, or the migration's own).",
    messages: {
      beginInFramework:
        "{{framework}} already runs this migration in a transaction: PostgreSQL ignores this BEGIN with a warning, and the COMMIT meant for it commits the framework's transaction, so everything after runs outside any transaction.",
      beginInExplicit:
        "A transaction is already open here: PostgreSQL ignores this BEGIN with a warning, so the first COMMIT ends the outer transaction and everything after runs outside it.",
      commitInFramework:
        "{{framework}} already runs this migration in a transaction: this {{statement}} ends it early, everything after runs outside any transaction (a failure leaves the migration half applied), and the framework then commits an empty transaction.",
      rollbackInFramework:
        "{{framework}} already runs this migration in a transaction: this ROLLBACK undoes everything before it, the rest runs outside any transaction, and the framework still records the migration as applied.",
    },
    directions: ["up", "down"],
  },
  statement({ statement, migration, report }) {
    const framework = migration.framework;
    const help =
      "Let the framework own the transaction: remove BEGIN/COMMIT, or turn the framework's transaction off for this migration if it must control its own.";
    if (isBegin(statement.node)) {
      if (statement.inExplicitTransaction) report({ messageId: "beginInExplicit", help: "Remove the inner BEGIN (use SAVEPOINT for a nested scope)." });
      // In the implicit block of a multi-statement query, BEGIN is no nesting: Postgres turns the
      // block into the explicit transaction, the statements before it included.
      else if (statement.inTransaction && !statement.inImplicitTransaction) report({ messageId: "beginInFramework", data: { framework }, help });
      return;
    }
    const kind = transactionKind(statement.node);
    if (statement.inExplicitTransaction || !statement.inTransaction || !statement.section.inTransaction) return;
    if (kind === "TRANS_STMT_COMMIT") report({ messageId: "commitInFramework", data: { framework, statement: "COMMIT" }, help });
    else if (kind === "TRANS_STMT_ROLLBACK") report({ messageId: "rollbackInFramework", data: { framework }, help });
  },
});
