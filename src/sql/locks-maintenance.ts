import type { RangeVar } from "libpg-query";
import { LOCK_MODES, type LockMode } from "./lock-modes.js";
import { addDescendants, type LockSet } from "./lock-set.js";
import { bodyOf, recurses, refKey, refOf, type NodeBody, type RelationRef } from "./nodes.js";
import { optionOn } from "./options.js";

/** Locks of TRUNCATE, LOCK TABLE, VACUUM / ANALYZE, CLUSTER and REFRESH MATERIALIZED VIEW. */

const SUE: LockMode = "ShareUpdateExclusiveLock";

/**
 * TRUNCATE takes ACCESS EXCLUSIVE on each table (and its partitions). With CASCADE every table
 * whose foreign key points at a truncated table is truncated too, transitively: the target's
 * reason says so, and facts name them. TRUNCATE gives the table new, empty storage: nothing is
 * copied, so it is not counted as a rewrite.
 */
export function truncateLocks(out: LockSet, truncate: NodeBody<"TruncateStmt">): void {
  const cascade = truncate.behavior === "DROP_CASCADE";
  const rangeVars = (truncate.relations ?? []).map((n) => bodyOf(n, "RangeVar")).filter((r): r is RangeVar => r !== undefined);
  for (const rangeVar of rangeVars) {
    const table = refOf(rangeVar);
    const reason = cascade ? "CASCADE: every table with a foreign key to it is truncated and locked ACCESS EXCLUSIVE too" : undefined;
    out.add(table, "AccessExclusiveLock", reason ? { reason } : {});
    if (recurses(rangeVar)) addDescendants(out, table, "AccessExclusiveLock");
  }
  if (!cascade || !out.facts) return;
  const queue = rangeVars.map(refOf).filter((r): r is RelationRef => r !== undefined);
  const seen = new Set(queue.map(refKey));
  for (let table = queue.shift(); table; table = queue.shift()) {
    for (const fk of out.facts.foreignKeysTo(table)) {
      if (seen.has(refKey(fk.table))) continue;
      seen.add(refKey(fk.table));
      queue.push(fk.table);
      out.add(fk.table, "AccessExclusiveLock", { reason: `references ${table.relation} (${fk.name}): truncated by CASCADE` });
    }
  }
}

export function lockTableLocks(out: LockSet, lock: NodeBody<"LockStmt">): void {
  const mode = LOCK_MODES[(lock.mode ?? 8) - 1] ?? "AccessExclusiveLock";
  for (const rangeVar of (lock.relations ?? []).map((n) => bodyOf(n, "RangeVar"))) {
    const ref = refOf(rangeVar);
    out.add(ref, mode);
    if (!ref || !recurses(rangeVar)) continue;
    addDescendants(out, ref, mode);
    for (const source of out.facts?.viewSources(ref) ?? []) out.add(source, mode, { reason: `read by the view ${ref.relation}` });
  }
}

export function vacuumLocks(out: LockSet, vacuum: NodeBody<"VacuumStmt">): void {
  const full = vacuum.is_vacuumcmd === true && optionOn(vacuum.options, "full");
  if (vacuum.is_vacuumcmd) out.transactional = false;
  if (full) out.rewrites = true;
  const mode: LockMode = full ? "AccessExclusiveLock" : SUE;
  const rels = (vacuum.rels ?? []).map((n) => bodyOf(n, "VacuumRelation")?.relation);
  if (rels.length === 0) out.note("Without a table name it processes every table of the database.");
  for (const rangeVar of rels) {
    const ref = refOf(rangeVar);
    out.add(ref, mode);
    if (recurses(rangeVar)) addDescendants(out, ref, mode);
  }
}

export function clusterLocks(out: LockSet, cluster: NodeBody<"ClusterStmt">): void {
  if (!cluster.relation) {
    out.transactional = false;
    out.note("CLUSTER without a table re-clusters every previously clustered table, each ACCESS EXCLUSIVE.");
    return;
  }
  out.add(refOf(cluster.relation), "AccessExclusiveLock");
  out.rewrites = true;
}

export function refreshLocks(out: LockSet, refresh: NodeBody<"RefreshMatViewStmt">): void {
  if (refresh.concurrent) {
    out.add(refOf(refresh.relation), "ExclusiveLock");
    out.scans = true; // the new contents are diffed against the old, row by row
  } else {
    out.add(refOf(refresh.relation), "AccessExclusiveLock");
    out.rewrites = true;
  }
}
