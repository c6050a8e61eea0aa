import type { DropStmt, IndexStmt } from "libpg-query";
import type { LockMode } from "./lock-modes.js";
import { addDescendants, type LockSet } from "./lock-set.js";
import { recurses, refOf, type NodeBody, type RelationRef } from "./nodes.js";
import { optionOn } from "./options.js";

/** Locks of CREATE INDEX, DROP INDEX and REINDEX. */

const SUE: LockMode = "ShareUpdateExclusiveLock";

function indexRef(table: RelationRef | undefined, name: string | undefined): RelationRef | undefined {
  if (!name) return undefined;
  return table?.schema ? { relation: name, schema: table.schema } : { relation: name };
}

export function createIndexLocks(out: LockSet, index: IndexStmt): void {
  const table = refOf(index.relation);
  // ON ONLY a partitioned table creates an invalid index on the parent alone: nothing is built.
  const parentOnly = table !== undefined && !recurses(index.relation) && out.facts?.isPartitioned(table) === true;
  out.scans = !parentOnly;
  if (index.concurrent) {
    out.transactional = false;
    out.add(table, SUE);
  } else {
    out.add(table, "ShareLock");
  }
  out.add(indexRef(table, index.idxname), "AccessExclusiveLock", { created: true });
  if (!table) return;
  if (out.facts?.isPartitioned(table) && index.concurrent) {
    out.note("CREATE INDEX CONCURRENTLY fails on a partitioned table: build each partition's index concurrently, then the parent's ON ONLY and ATTACH them.");
  }
  if (recurses(index.relation)) addDescendants(out, table, index.concurrent ? SUE : "ShareLock");
}

/**
 * DROP INDEX locks the index and its table ACCESS EXCLUSIVE. The statement does not name the
 * table: with facts it is resolved; without, only the index is listed (its ACCESS EXCLUSIVE
 * already says that reads and writes of the table wait) and a note says the table is locked too.
 */
export function dropIndex(out: LockSet, drop: DropStmt, index: RelationRef): void {
  const table = out.facts?.tableOfIndex(index);
  if (drop.concurrent) {
    out.transactional = false;
    out.add(index, "AccessExclusiveLock", { unused: true, reason: "taken last, once the index is invalid and no query uses it" });
    out.add(table, SUE, { reason: "table of the dropped index" });
    return;
  }
  out.add(index, "AccessExclusiveLock");
  if (table) out.add(table, "AccessExclusiveLock", { reason: "table of the dropped index" });
  else out.note(`The table of ${index.relation} is locked ACCESS EXCLUSIVE too; the statement does not name it.`);
}

/** REINDEX INDEX: ACCESS EXCLUSIVE on the index and SHARE on its table (resolved from facts only). */
export function reindexLocks(out: LockSet, reindex: NodeBody<"ReindexStmt">): void {
  const concurrent = optionOn(reindex.params, "concurrently");
  const target = refOf(reindex.relation);
  out.scans = true;
  if (concurrent) out.transactional = false;
  switch (reindex.kind) {
    case "REINDEX_OBJECT_INDEX": {
      const table = target && out.facts?.tableOfIndex(target);
      out.add(target, concurrent ? SUE : "AccessExclusiveLock");
      if (table) out.add(table, concurrent ? SUE : "ShareLock", { reason: "table of the rebuilt index" });
      else
        out.note(
          `The table of ${target?.relation ?? "the index"} is locked ${concurrent ? "SHARE UPDATE EXCLUSIVE" : "SHARE"} too; the statement does not name it.`,
        );
      if (table && out.facts?.isPartitioned(table)) out.transactional = false;
      return;
    }
    case "REINDEX_OBJECT_TABLE": {
      const indexMode: LockMode = concurrent ? SUE : "AccessExclusiveLock";
      out.add(target, concurrent ? SUE : "ShareLock", { indexes: indexMode });
      for (const index of target ? (out.facts?.indexesOf(target) ?? []) : []) {
        out.add(index, indexMode, { reason: `index of ${target?.relation ?? ""}, rebuilt` });
      }
      if (target && out.facts?.isPartitioned(target)) out.transactional = false;
      return;
    }
    default:
      out.transactional = false; // REINDEX SCHEMA / DATABASE / SYSTEM
      out.note("REINDEX SCHEMA/DATABASE/SYSTEM locks every table it reaches, one transaction at a time.");
      return;
  }
}
