import type { Node, ObjectType } from "libpg-query";
import type { LockMode } from "./lock-modes.js";
import { addDescendants, type LockSet } from "./lock-set.js";
import { COMMENTED_ON_TABLE, COMMENTED_RELATIONS, RENAMED_ON_TABLE, RENAMED_RELATIONS } from "./lock-tables.js";
import { bodyOf, listNames, recurses, refOf, refOfNames, type NodeBody } from "./nodes.js";

/** Locks of renames, SET SCHEMA, comments and security labels, triggers and grants. */

const SUE: LockMode = "ShareUpdateExclusiveLock";
const SRE: LockMode = "ShareRowExclusiveLock";

export function renameLocks(out: LockSet, rename: NodeBody<"RenameStmt">): void {
  const type = rename.renameType;
  if (!type || !(RENAMED_RELATIONS.has(type) || RENAMED_ON_TABLE.has(type))) return;
  const ref = refOf(rename.relation);
  // Renaming an index takes only SHARE UPDATE EXCLUSIVE (Postgres 12+).
  out.add(ref, type === "OBJECT_INDEX" ? SUE : "AccessExclusiveLock");
  if (type === "OBJECT_COLUMN" && recurses(rename.relation)) addDescendants(out, ref, "AccessExclusiveLock");
}

export function setSchemaLocks(out: LockSet, move: NodeBody<"AlterObjectSchemaStmt">): void {
  if (move.objectType && RENAMED_RELATIONS.has(move.objectType)) out.add(refOf(move.relation), "AccessExclusiveLock");
}

/**
 * COMMENT ON and SECURITY LABEL ON a relation or one of its columns: SHARE UPDATE EXCLUSIVE on the
 * relation. On a constraint, trigger, rule or policy: the object itself is locked, its table only
 * ACCESS SHARE.
 */
export function commentLocks(out: LockSet, objtype: ObjectType | undefined, object: Node | undefined): void {
  if (!objtype) return;
  const names = listNames(object);
  if (COMMENTED_RELATIONS.has(objtype)) out.add(refOfNames(names), SUE);
  else if (objtype === "OBJECT_COLUMN") out.add(refOfNames(names.slice(0, -1)), SUE);
  else if (COMMENTED_ON_TABLE.has(objtype)) out.add(refOfNames(names.slice(0, -1)), "AccessShareLock");
}

export function createTriggerLocks(out: LockSet, trigger: NodeBody<"CreateTrigStmt">): void {
  const table = refOf(trigger.relation);
  out.add(table, SRE);
  // A row trigger on a partitioned table is cloned to every partition.
  if (trigger.row && recurses(trigger.relation)) addDescendants(out, table, SRE);
}

export function grantLocks(out: LockSet, grant: NodeBody<"GrantStmt">): void {
  if (grant.objtype !== "OBJECT_TABLE") return;
  if (grant.targtype !== "ACL_TARGET_OBJECT") return;
  // Postgres 18 takes ACCESS SHARE on each table; 15–17 take no table lock.
  for (const object of grant.objects ?? []) out.add(refOf(bodyOf(object, "RangeVar")), "AccessShareLock");
}
