import type { DropStmt } from "libpg-query";
import { addDescendants, type LockSet } from "./lock-set.js";
import { DROPPED_RELATIONS, TABLE_OBJECTS } from "./lock-tables.js";
import { dropIndex } from "./locks-index.js";
import { listNames, refOfNames, type RelationRef } from "./nodes.js";
import { dropTargets } from "./schema-facts.js";

/** Locks of DROP (tables, views, sequences, indexes, and objects that hang off a table). */

/**
 * DROP TABLE locks the table, and through facts: the tables its foreign keys reference (their
 * triggers are removed), its partitions (dropped with it), its partition parent, and with CASCADE
 * the tables whose foreign keys point at it and the views that read it.
 */
function dropTable(out: LockSet, drop: DropStmt, table: RelationRef): void {
  out.add(table, "AccessExclusiveLock");
  const facts = out.facts;
  if (!facts) {
    out.note(
      `Tables referenced by ${table.relation}'s foreign keys (and, for a partition, its parent) are locked ACCESS EXCLUSIVE too; the statement does not name them.`,
    );
    return;
  }
  for (const fk of facts.foreignKeysFrom(table)) {
    out.add(fk.references, "AccessExclusiveLock", { reason: `referenced by ${table.relation}'s foreign key ${fk.name}, whose triggers are removed` });
  }
  const parent = facts.parentOf(table);
  if (parent?.partition) out.add(parent.parent, "AccessExclusiveLock", { reason: `partitioned table that ${table.relation} leaves` });
  for (const child of facts.descendantsOf(table).filter((c) => c.partition)) {
    out.add(child.child, "AccessExclusiveLock", { reason: `partition of ${child.parent.relation}, dropped with it` });
  }
  if (drop.behavior !== "DROP_CASCADE") return;
  for (const fk of facts.foreignKeysTo(table)) {
    out.add(fk.table, "AccessExclusiveLock", { reason: `its foreign key ${fk.name} is dropped by CASCADE` });
  }
  for (const view of facts.viewsReading(table)) out.add(view, "AccessExclusiveLock", { reason: "reads the table; dropped by CASCADE" });
}

function dropTableObject(out: LockSet, drop: DropStmt, names: string[]): void {
  const table = refOfNames(names.slice(0, -1));
  out.add(table, "AccessExclusiveLock");
  // A row trigger on a partitioned table was cloned to every partition; dropping it drops the clones.
  if (drop.removeType === "OBJECT_TRIGGER" && table && out.facts?.isPartitioned(table)) addDescendants(out, table, "AccessExclusiveLock", true);
}

export function dropLocks(out: LockSet, drop: DropStmt): void {
  const type = drop.removeType;
  if (!type) return;
  if (drop.concurrent) out.transactional = false;
  if (TABLE_OBJECTS.has(type)) {
    for (const object of drop.objects ?? []) dropTableObject(out, drop, listNames(object));
    return;
  }
  if (type === "OBJECT_STATISTIC_EXT") {
    out.note("DROP STATISTICS locks its table SHARE UPDATE EXCLUSIVE; the statement does not name it.");
    return;
  }
  if (!DROPPED_RELATIONS.has(type)) {
    if (drop.behavior === "DROP_CASCADE") out.note("CASCADE may drop tables or columns that depend on the dropped objects, and lock them ACCESS EXCLUSIVE.");
    return;
  }
  for (const ref of dropTargets(drop)) {
    if (type === "OBJECT_INDEX") dropIndex(out, drop, ref);
    else if (type === "OBJECT_TABLE" || type === "OBJECT_FOREIGN_TABLE") dropTable(out, drop, ref);
    else {
      out.add(ref, "AccessExclusiveLock");
      if (drop.behavior === "DROP_CASCADE")
        for (const view of out.facts?.viewsReading(ref) ?? []) out.add(view, "AccessExclusiveLock", { reason: "dropped by CASCADE" });
    }
  }
}
