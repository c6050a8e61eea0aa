import type { Constraint, CreateStmt } from "libpg-query";
import type { LockSet } from "./lock-set.js";
import { addReads } from "./locks-dml.js";
import { bodyOf, constraintsOf, refOf, sameRelation, type NodeBody, type RelationRef } from "./nodes.js";

/** Locks of CREATE TABLE, CREATE TABLE AS, CREATE VIEW and CREATE MATERIALIZED VIEW. */

export function addReferencedTable(out: LockSet, constraint: Constraint, from: RelationRef | undefined, what: string): void {
  const references = refOf(constraint.pktable);
  if (!references || (from && sameRelation(references, from))) return;
  out.add(references, "ShareRowExclusiveLock", { reason: `referenced by ${what}` });
}

export function createTableLocks(out: LockSet, create: CreateStmt): void {
  const table = refOf(create.relation);
  out.add(table, "AccessExclusiveLock", { created: true });
  const parents = (create.inhRelations ?? []).map((n) => refOf(bodyOf(n, "RangeVar")));
  for (const parent of parents) {
    if (!parent) continue;
    if (!create.partbound) {
      out.add(parent, "ShareUpdateExclusiveLock", { reason: "parent of the new table (INHERITS)" });
      continue;
    }
    out.add(parent, "AccessExclusiveLock", { reason: "partitioned table the new partition joins" });
    const fallback = out.facts?.defaultPartitionOf(parent);
    if (fallback) {
      out.add(fallback, "AccessExclusiveLock", { reason: `default partition of ${parent.relation}: scanned for rows that belong to the new partition` });
      out.scans = true;
    } else if (!out.facts) {
      out.note(`If ${parent.relation} has a default partition, it is locked ACCESS EXCLUSIVE and scanned too.`);
    }
  }
  for (const element of create.tableElts ?? []) {
    const column = bodyOf(element, "ColumnDef");
    for (const constraint of constraintsOf(column?.constraints)) {
      if (constraint.contype === "CONSTR_FOREIGN") addReferencedTable(out, constraint, table, `the new table's foreign key`);
    }
    const constraint = bodyOf(element, "Constraint");
    if (constraint?.contype === "CONSTR_FOREIGN") addReferencedTable(out, constraint, table, `the new table's foreign key`);
    const like = refOf(bodyOf(element, "TableLikeClause")?.relation);
    if (like) out.add(like, "AccessShareLock", { reason: "copied by LIKE" });
  }
}

export function createTableAsLocks(out: LockSet, create: NodeBody<"CreateTableAsStmt">): void {
  out.add(refOf(create.into?.rel), "AccessExclusiveLock", { created: true });
  addReads(out, create.query);
}

export function viewLocks(out: LockSet, view: NodeBody<"ViewStmt">): void {
  // CREATE OR REPLACE VIEW usually replaces an existing view: ACCESS EXCLUSIVE on it.
  out.add(refOf(view.view), "AccessExclusiveLock", view.replace ? {} : { created: true });
  addReads(out, view.query);
}
