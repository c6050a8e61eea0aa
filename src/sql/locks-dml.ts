import type { Node, RangeVar, SelectStmt } from "libpg-query";
import { FK_TRIGGER_MODE } from "./lock-tables.js";
import { addDescendants, type LockSet } from "./lock-set.js";
import { bodyOf, findAll, recurses, refKey, refOf, type NodeBody, type RelationRef } from "./nodes.js";
import { readRelations } from "./query-reads.js";

/** Locks of queries and DML: SELECT, INSERT, UPDATE, DELETE, MERGE, COPY. */

export function addReads(out: LockSet, query: unknown): void {
  for (const read of readRelations(query)) {
    out.add(read.ref, read.mode);
    if (recurses(read.rangeVar)) addDescendants(out, read.ref, read.mode, true);
  }
}

/** Nested data-modifying statements (in CTEs) lock their own targets. */
function addNestedWrites(out: LockSet, query: unknown): void {
  for (const kind of ["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"] as const) {
    for (const body of findAll(query, kind)) out.visit(out, { [kind]: body } as Node);
  }
}

/** Rows inserted into (or keys updated in) a referencing table are checked against the referenced table. */
export function addForeignKeyChecks(out: LockSet, table: RelationRef, changedColumns: string[] | "all"): void {
  const facts = out.facts;
  if (!facts) return;
  for (const fk of changedColumns === "all" ? facts.foreignKeysFrom(table) : facts.foreignKeysFromColumns(table, changedColumns)) {
    out.add(fk.references, "RowShareLock", { reason: `foreign key check from ${table.relation} (${fk.name})`, conditional: true });
  }
}

/** Deleting rows of (or changing keys in) a referenced table runs the foreign keys' actions on the referencing tables. */
function addReferencingActions(out: LockSet, table: RelationRef, action: "delete" | { updated: string[] | "all" }, seen = new Set<string>()): void {
  seen.add(refKey(table));
  for (const fk of out.facts?.foreignKeysTo(table) ?? []) {
    if (action !== "delete" && action.updated !== "all" && !fk.referencedColumns.some((c) => action.updated.includes(c)) && fk.referencedColumns.length > 0)
      continue;
    const kind = action === "delete" ? fk.onDelete : fk.onUpdate;
    const mode = FK_TRIGGER_MODE[kind] ?? "RowShareLock";
    out.add(fk.table, mode, { reason: `references ${table.relation} (${fk.name}): checked or changed with it`, conditional: true });
    if (kind === "c" && action === "delete" && !seen.has(refKey(fk.table))) addReferencingActions(out, fk.table, "delete", seen);
  }
}

function updatedColumns(targetList: readonly Node[] | undefined): string[] {
  return (targetList ?? []).map((t) => bodyOf(t, "ResTarget")?.name ?? "").filter((n) => n !== "");
}

function addDmlTarget(out: LockSet, rangeVar: RangeVar | undefined): RelationRef | undefined {
  const target = refOf(rangeVar);
  out.add(target, "RowExclusiveLock");
  if (recurses(rangeVar)) addDescendants(out, target, "RowExclusiveLock", true);
  return target;
}

export function insertLocks(out: LockSet, insert: NodeBody<"InsertStmt">): void {
  const target = addDmlTarget(out, insert.relation);
  addReads(out, insert); // its `relation` (the target) is skipped by readRelations
  addNestedWrites(out, insert.withClause);
  if (target) addForeignKeyChecks(out, target, "all");
  if (target && insert.onConflictClause?.action === "ONCONFLICT_UPDATE") {
    addReferencingActions(out, target, { updated: updatedColumns(insert.onConflictClause.targetList) });
  }
}

export function updateLocks(out: LockSet, update: NodeBody<"UpdateStmt">): void {
  const target = addDmlTarget(out, update.relation);
  addReads(out, update); // its `relation` (the target) is skipped by readRelations
  addNestedWrites(out, update.withClause);
  if (!update.whereClause) out.scans = true;
  if (!target) return;
  const columns = updatedColumns(update.targetList);
  addForeignKeyChecks(out, target, columns);
  addReferencingActions(out, target, { updated: columns });
}

export function deleteLocks(out: LockSet, del: NodeBody<"DeleteStmt">): void {
  const target = addDmlTarget(out, del.relation);
  addReads(out, del); // its `relation` (the target) is skipped by readRelations
  addNestedWrites(out, del.withClause);
  if (!del.whereClause) out.scans = true;
  if (target) addReferencingActions(out, target, "delete");
}

export function mergeLocks(out: LockSet, merge: NodeBody<"MergeStmt">): void {
  const target = addDmlTarget(out, merge.relation);
  addReads(out, merge); // its `relation` (the target) is skipped by readRelations
  addNestedWrites(out, merge.withClause);
  if (!target) return;
  const commands = (merge.mergeWhenClauses ?? []).map((c) => bodyOf(c, "MergeWhenClause")?.commandType);
  if (commands.includes("CMD_INSERT") || commands.includes("CMD_UPDATE")) addForeignKeyChecks(out, target, "all");
  if (commands.includes("CMD_UPDATE")) addReferencingActions(out, target, { updated: "all" });
  if (commands.includes("CMD_DELETE")) addReferencingActions(out, target, "delete");
}

export function selectLocks(out: LockSet, select: SelectStmt): void {
  const into = select.intoClause?.rel;
  if (into) out.add(refOf(into), "AccessExclusiveLock", { created: true });
  addReads(out, { SelectStmt: select });
  addNestedWrites(out, select.withClause);
}

export function copyLocks(out: LockSet, copy: NodeBody<"CopyStmt">): void {
  const table = refOf(copy.relation);
  if (copy.is_from) {
    addDmlTarget(out, copy.relation);
    if (table) addForeignKeyChecks(out, table, "all");
  } else if (table) {
    out.add(table, "AccessShareLock");
  }
  addReads(out, copy.query);
}
