import { alterCommandsOf, bodyOf, type NodeKind } from "../sql/nodes.js";
import { optionOn } from "../sql/options.js";
import { noTransactionOptOut } from "./lock-helpers.js";
import type { AnalyzedStatement } from "./types.js";
import { defineRule } from "./types.js";

/**
 * What the statement is when its syntax alone makes PostgreSQL refuse it in a transaction block
 * (CONCURRENTLY, VACUUM, …), whatever the schema holds; else undefined. The fix check reads it too
 * (fix-outcome.ts): a CONCURRENTLY fix in the runner's transaction is refused by this rule.
 */
export function refusedBySyntax(node: AnalyzedStatement["node"]): string | undefined {
  if (bodyOf(node, "IndexStmt")?.concurrent) return "CREATE INDEX CONCURRENTLY";
  const drop = bodyOf(node, "DropStmt");
  if (drop?.removeType === "OBJECT_INDEX" && drop.concurrent) return "DROP INDEX CONCURRENTLY";
  const reindex = bodyOf(node, "ReindexStmt");
  if (reindex) {
    if (optionOn(reindex.params, "concurrently")) return "REINDEX CONCURRENTLY";
    if (reindex.kind === "REINDEX_OBJECT_SCHEMA") return "REINDEX SCHEMA";
    if (reindex.kind === "REINDEX_OBJECT_DATABASE") return "REINDEX DATABASE";
    if (reindex.kind === "REINDEX_OBJECT_SYSTEM") return "REINDEX SYSTEM";
  }
  const detach = alterCommandsOf(bodyOf(node, "AlterTableStmt")).find((c) => c.subtype === "AT_DetachPartition" && bodyOf(c.def, "PartitionCmd")?.concurrent);
  if (detach) return "DETACH PARTITION … CONCURRENTLY";
  if (bodyOf(node, "VacuumStmt")?.is_vacuumcmd) return "VACUUM";
  const cluster = bodyOf(node, "ClusterStmt");
  if (cluster && !cluster.relation) return "CLUSTER without a table name";
  return undefined;
}

/** Statements refused in a transaction block whatever they say. */
const REFUSED_KINDS: Partial<Record<NodeKind | "Unknown", string>> = {
  CreatedbStmt: "CREATE DATABASE",
  DropdbStmt: "DROP DATABASE",
  CreateTableSpaceStmt: "CREATE TABLESPACE",
  DropTableSpaceStmt: "DROP TABLESPACE",
  AlterSystemStmt: "ALTER SYSTEM",
};

/** The kinds refusedBySyntax can answer for: other statements skip its reading of the tree. */
const SYNTAX_KINDS: ReadonlySet<string> = new Set<NodeKind>(["IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt", "VacuumStmt", "ClusterStmt"]);

/** What the statement is when PostgreSQL refuses to run it in a transaction block, else undefined. */
function nonTransactional(statement: AnalyzedStatement): string | undefined {
  const bySyntax = SYNTAX_KINDS.has(statement.kind) ? refusedBySyntax(statement.node) : undefined;
  if (bySyntax) return bySyntax;
  const other = REFUSED_KINDS[statement.kind];
  if (other) return other;
  return statement.locks.transactional ? undefined : "This statement";
}

/**
 * CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH … CONCURRENTLY and VACUUM cannot
 * run in a transaction block: PostgreSQL refuses them, so a migration that runs them inside one
 * (an explicit BEGIN, the framework's own transaction, or the implicit block Postgres opens around
 * a query of several statements, as golang-migrate sends a file) fails. Checked in both directions: a
 * rollback that fails is as broken as a migration that fails.
 */
export default defineRule({
  id: "concurrently-in-transaction",
  meta: {
    severity: "error",
    category: "locking",
    description: "A statement PostgreSQL refuses inside a transaction block (CONCURRENTLY, VACUUM) runs in one.",
    messages: {
      refused:
        '{{what}} cannot run inside a transaction block, and this runs inside {{where}}: PostgreSQL stops with "cannot run inside a transaction block" and the migration fails.',
    },
    directions: ["up", "down"],
  },
  statement({ statement, report, migration }) {
    if (!statement.inTransaction) return;
    const what = nonTransactional(statement);
    if (!what) return;
    const explicit = statement.inExplicitTransaction;
    const framework = statement.section.inTransaction;
    const implicit = statement.inImplicitTransaction;
    const where = implicit
      ? `the transaction Postgres opens around a query of several statements (${migration.framework} sends the whole file as one query)`
      : explicit && !framework
        ? "the BEGIN … COMMIT block of the migration"
        : "the transaction the framework wraps the migration in";
    const steps: string[] = [];
    if (explicit) steps.push("Move it out of the BEGIN … COMMIT block");
    if (framework) steps.push(`Run this migration outside a transaction: ${noTransactionOptOut(migration.framework)}`);
    // Outside BEGIN … COMMIT, a statement sent in one query with others is still in a transaction block.
    if (implicit || (explicit && !framework && statement.section.oneQuery === true)) steps.push(noTransactionOptOut(migration.framework));
    report({
      messageId: "refused",
      data: { what, where },
      help: `${steps.join(". ")}. Keep it in a migration of its own, so that the other statements still run atomically.`,
    });
  },
});
