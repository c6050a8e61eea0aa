import { bodyOf } from "../sql/nodes.js";
import { readRelations } from "../sql/query-reads.js";
import { alterCommands, heldExisting } from "./lock-helpers.js";
import { defineRule, type AnalyzedStatement } from "./types.js";

/** Whether a query reads rows of any table or view (a FROM, JOIN or subquery naming one). */
function readsRows(query: unknown): boolean {
  return query !== undefined && readRelations(query).length > 0;
}

/**
 * What the statement does that takes time growing with the rows of a table, or undefined for
 * quick statements. The criterion: work bounded by the statement's own text (INSERT … VALUES of
 * the rows it lists, a SELECT without FROM, SET, COMMENT, …) is quick; reading a table (SELECT or
 * INSERT … SELECT with a FROM, CREATE TABLE AS), building an index, refreshing a materialized
 * view, loading a file (COPY), MERGE, and any scan or rewrite the lock model reports is slow. A
 * WHERE on a key does not make a read quick here: whether an index serves it is not in the text.
 */
function work(statement: AnalyzedStatement): string | undefined {
  const { node, locks } = statement;
  switch (statement.kind) {
    case "IndexStmt":
    case "ReindexStmt":
      return "index build";
    case "RefreshMatViewStmt":
      return "materialized view refresh";
    case "MergeStmt":
      return "data change";
    case "CopyStmt":
      return "data load";
    // Reported by unbatched-backfill under a held lock: one finding per statement.
    case "UpdateStmt":
    case "DeleteStmt":
      return undefined;
    case "InsertStmt":
      return readsRows(bodyOf(node, "InsertStmt")?.selectStmt) ? "INSERT … SELECT" : undefined;
    case "SelectStmt":
      return readsRows(node) ? "query" : undefined;
    case "CreateTableAsStmt": {
      const tableAs = bodyOf(node, "CreateTableAsStmt");
      return tableAs?.into?.skipData !== true && readsRows(tableAs?.query) ? "copy of rows" : undefined;
    }
    default:
      if (locks.rewrites) return "rewrite";
      return locks.scans ? "scan" : undefined;
  }
}

/**
 * Whether `work` can find anything for the statement, from its kind and lock flags alone: the
 * rule is called for every statement, and most are quick; the held tables and the reads of a
 * query are worked out only for the others.
 */
function mayWork(statement: AnalyzedStatement): boolean {
  switch (statement.kind) {
    case "IndexStmt":
    case "ReindexStmt":
    case "RefreshMatViewStmt":
    case "MergeStmt":
    case "CopyStmt":
    case "InsertStmt":
    case "SelectStmt":
    case "CreateTableAsStmt":
      return true;
    case "UpdateStmt":
    case "DeleteStmt":
      return false;
    default:
      return statement.locks.rewrites || statement.locks.scans;
  }
}

/**
 * Inside a transaction, an ACCESS EXCLUSIVE lock is held until the transaction ends: every slow
 * statement after it (reads of a table, index builds, scans, rewrites; see `work`) keeps the
 * table closed to reads and writes for its whole duration. UPDATE and DELETE are reported by unbatched-backfill,
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
    // Nothing held from before it (most statements): nothing to report, nothing to work out.
    if (!statement.inTransaction || statement.heldAccessExclusive.length === 0 || !mayWork(statement)) return;
    // A table this statement locks ACCESS EXCLUSIVE itself is closed during it anyway (its own rule
    // reports that); and VALIDATE under a held lock is validate-in-same-transaction's finding.
    const own = new Set(statement.locks.locks.filter((l) => l.mode === "AccessExclusiveLock").map((l) => l.relation));
    const { table: target, commands } = alterCommands(statement);
    const validateOnly = commands.length > 0 && commands.every((c) => c.subtype === "AT_ValidateConstraint");
    const held = heldExisting(statement).filter((t) => !own.has(t) && !(validateOnly && t === target));
    if (held.length === 0) return;
    const what = work(statement);
    if (!what) return;
    report({
      messageId: "held",
      data: { work: what, tables: held.join(", ") },
      help: "Commit before it: keep the ACCESS EXCLUSIVE statement in a short transaction (or migration) of its own, and run slow work in another one.",
      table: held,
    });
  },
});
