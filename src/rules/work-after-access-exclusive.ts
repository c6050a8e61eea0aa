import type { SqlStatement } from "../sql/parse.js";
import { alterCommands, heldExisting } from "./lock-helpers.js";
import { defineRule } from "./types.js";

/** What the statement does that takes time, or undefined for quick statements. */
function work(kind: SqlStatement["kind"], scans: boolean, rewrites: boolean): string | undefined {
  if (kind === "InsertStmt" || kind === "MergeStmt" || kind === "CopyStmt") return "data change";
  if (kind === "IndexStmt" || kind === "ReindexStmt") return "index build";
  if (rewrites) return "rewrite";
  if (scans) return "scan";
  return undefined;
}

/**
 * Inside a transaction, an ACCESS EXCLUSIVE lock is held until the transaction ends: every slow
 * statement after it (data changes, index builds, scans, rewrites) keeps the table closed to
 * reads and writes for its whole duration. UPDATE and DELETE are reported by unbatched-backfill,
 * VALIDATE CONSTRAINT under the lock by validate-in-same-transaction.
 */
export default defineRule({
  id: "work-after-access-exclusive",
  meta: {
    severity: "warning",
    category: "locking",
    description: "Slow work runs in a transaction that already holds ACCESS EXCLUSIVE on an existing table.",
    messages: {
      held: "This {{work}} runs while the transaction still holds the ACCESS EXCLUSIVE lock an earlier statement took on {{tables}}: every read and write on {{tables}} waits until the transaction ends, so for this {{work}} too.",
    },
  },
  statement({ statement, report }) {
    if (!statement.inTransaction) return;
    // A table this statement locks ACCESS EXCLUSIVE itself is closed during it anyway (its own rule
    // reports that); and VALIDATE under a held lock is validate-in-same-transaction's finding.
    const own = new Set(statement.locks.locks.filter((l) => l.mode === "AccessExclusiveLock").map((l) => l.relation));
    const { table: target, commands } = alterCommands(statement);
    const validateOnly = commands.length > 0 && commands.every((c) => c.subtype === "AT_ValidateConstraint");
    const held = heldExisting(statement).filter((t) => !own.has(t) && !(validateOnly && t === target));
    if (held.length === 0) return;
    const what = work(statement.kind, statement.locks.scans, statement.locks.rewrites);
    if (!what) return;
    report({
      messageId: "held",
      data: { work: what, tables: held.join(", ") },
      help: "Commit before it: keep the ACCESS EXCLUSIVE statement in a short transaction (or migration) of its own, and run slow work in another one.",
      table: held,
    });
  },
});
