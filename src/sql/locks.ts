import type { Node } from "libpg-query";
import { blockedTraffic, LOCK_MODE_SQL, strongerLock, type LockMode } from "./lock-modes.js";
import { LockSet, type RelationLock, type StatementLocks } from "./lock-set.js";
import { alterTableLocks } from "./locks-alter-table.js";
import { createTableAsLocks, createTableLocks, viewLocks } from "./locks-create.js";
import { copyLocks, deleteLocks, insertLocks, mergeLocks, selectLocks, updateLocks } from "./locks-dml.js";
import { dropLocks } from "./locks-drop.js";
import { createIndexLocks, reindexLocks } from "./locks-index.js";
import { clusterLocks, lockTableLocks, refreshLocks, truncateLocks, vacuumLocks } from "./locks-maintenance.js";
import { commentLocks, createTriggerLocks, grantLocks, renameLocks, setSchemaLocks } from "./locks-objects.js";
import { bodyOf, nodeKind, refOf, type NodeBody, type NodeKind } from "./nodes.js";
import type { SqlStatement } from "./parse.js";
import { SchemaFacts } from "./schema-facts.js";

/**
 * The lock model: for one statement, every relation it locks and in which mode, whether it
 * rewrites or scans the table, and whether Postgres lets it run inside a transaction block.
 * Checked against real Postgres (PGlite's pg_locks) by test/sql/locks-pglite.test.ts.
 *
 * The model reads the statement only. Some locks fall on relations the statement does not name:
 * the table of an index (DROP INDEX, REINDEX INDEX), the table a dropped foreign key points at,
 * the tables that reference a truncated table, the partitions of a partitioned table. Those are
 * knowable only from the schema, so callers may pass the `SchemaFacts` learnt from the statements
 * that ran before (earlier migrations, earlier statements of this one). Without facts, such locks
 * are described in `notes` and in the target's `reason`, and never guessed.
 *
 * Names are compared as written; an unqualified name is taken to be in `public`.
 *
 * One module per family of statements (locks-dml, locks-create, locks-alter-table, locks-index,
 * locks-drop, locks-maintenance, locks-objects); the tables they read are data in lock-tables.ts.
 */

export type { RelationLock, StatementLocks } from "./lock-set.js";
export { SchemaFacts } from "./schema-facts.js";
export { columnType, typeChangeRewrites, type ColumnType } from "./column-types.js";

const SUE: LockMode = "ShareUpdateExclusiveLock";
const SRE: LockMode = "ShareRowExclusiveLock";

// ---------------------------------------------------------------------------------------------
// Statements that cannot run in a transaction block, and statements whose locks are unknowable

function notInTransaction(out: LockSet): void {
  out.transactional = false;
}

function bodyUnknown(out: LockSet): void {
  out.note("Locks whatever its body does; the body is not analysed.");
}

// ---------------------------------------------------------------------------------------------
// Dispatch: one function per statement family

type Family<K extends NodeKind> = (out: LockSet, body: NodeBody<K>) => void;

const FAMILIES: { [K in NodeKind]?: Family<K> } = {
  SelectStmt: selectLocks,
  InsertStmt: insertLocks,
  UpdateStmt: updateLocks,
  DeleteStmt: deleteLocks,
  MergeStmt: mergeLocks,
  CopyStmt: copyLocks,
  CreateStmt: createTableLocks,
  CreateTableAsStmt: createTableAsLocks,
  ViewStmt: viewLocks,
  AlterTableStmt: alterTableLocks,
  IndexStmt: createIndexLocks,
  ReindexStmt: reindexLocks,
  DropStmt: dropLocks,
  TruncateStmt: truncateLocks,
  LockStmt: lockTableLocks,
  VacuumStmt: vacuumLocks,
  ClusterStmt: clusterLocks,
  RefreshMatViewStmt: refreshLocks,
  RenameStmt: renameLocks,
  AlterObjectSchemaStmt: setSchemaLocks,
  CommentStmt: (out, c) => commentLocks(out, c.objtype, c.object),
  SecLabelStmt: (out, s) => commentLocks(out, s.objtype, s.object),
  CreateTrigStmt: createTriggerLocks,
  CreatePolicyStmt: (out, p) => out.add(refOf(p.table), "AccessExclusiveLock"),
  AlterPolicyStmt: (out, p) => out.add(refOf(p.table), "AccessExclusiveLock"),
  RuleStmt: (out, r) => out.add(refOf(r.relation), "AccessExclusiveLock"),
  GrantStmt: grantLocks,
  CreateStatsStmt: (out, s) => {
    for (const r of s.relations ?? []) out.add(refOf(bodyOf(r, "RangeVar")), SUE);
  },
  CreateSeqStmt: (out, s) => out.add(refOf(s.sequence), "AccessExclusiveLock", { created: true }),
  AlterSeqStmt: (out, s) => out.add(refOf(s.sequence), SRE),
  ExplainStmt: (out, e) => {
    if (e.query) addNode(out, e.query);
  },
  CreateSchemaStmt: (out, s) => {
    for (const element of s.schemaElts ?? []) addNode(out, element);
  },
  CreatedbStmt: notInTransaction,
  DropdbStmt: notInTransaction,
  AlterSystemStmt: notInTransaction,
  CreateTableSpaceStmt: notInTransaction,
  DropTableSpaceStmt: notInTransaction,
  DiscardStmt: (out, d) => {
    if (d.target === "DISCARD_ALL") notInTransaction(out);
  },
  DoStmt: bodyUnknown,
  CallStmt: bodyUnknown,
};

function addNode(out: LockSet, node: Node): void {
  const kind = nodeKind(node);
  if (!kind) return;
  const family = FAMILIES[kind] as Family<NodeKind> | undefined;
  family?.(out, bodyOf(node, kind) as NodeBody<NodeKind>);
}

/**
 * The locks one statement takes. Pure: reads the AST, and the facts when given. Statements that
 * lock no table (SET, RESET, BEGIN, COMMIT, SHOW, CREATE EXTENSION, CREATE TYPE, CREATE FUNCTION, …)
 * return no locks.
 */
export function statementLocks(statement: SqlStatement, facts?: SchemaFacts): StatementLocks {
  const out = new LockSet(facts, addNode);
  addNode(out, statement.node);
  return out.result();
}

/**
 * The locks of a migration's statements in order, each one seeing the facts learnt from the
 * statements before it (pass the facts of the existing schema, if known, as a start).
 */
export function locksInOrder(statements: readonly SqlStatement[], facts = new SchemaFacts()): StatementLocks[] {
  return statements.map((statement) => {
    const locks = statementLocks(statement, facts);
    facts.learn(statement);
    return locks;
  });
}

/**
 * What ordinary traffic the statement blocks while it holds its locks: reads (plain SELECT) and
 * writes (INSERT/UPDATE/DELETE). Decided by the strongest lock on a relation that already exists;
 * created relations, and indexes no query can use any more, block nobody.
 */
export function statementBlocks(locks: StatementLocks): { reads: boolean; writes: boolean } {
  let strongest: LockMode | undefined;
  for (const lock of locks.locks) {
    if (lock.created || lock.unused) continue;
    const mode = lock.indexes ? strongerLock(lock.mode, lock.indexes) : lock.mode;
    strongest = strongest ? strongerLock(strongest, mode) : mode;
  }
  return strongest ? blockedTraffic(strongest) : { reads: false, writes: false };
}

/** "ACCESS EXCLUSIVE on orders", "SHARE on billing.invoices". */
export function describeLock(lock: RelationLock): string {
  const name = lock.schema ? `${lock.schema}.${lock.relation}` : lock.relation;
  return `${LOCK_MODE_SQL[lock.mode]} on ${name}`;
}
