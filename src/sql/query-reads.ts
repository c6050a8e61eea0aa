import type { RangeVar, SelectStmt } from "libpg-query";
import type { LockMode } from "./lock-modes.js";
import { bodyOf, findAll, isRecord, refOf, type RelationRef } from "./nodes.js";

export interface ReadRelation {
  ref: RelationRef;
  mode: LockMode;
  rangeVar: RangeVar;
}

/** The relations a query reads, with ROW SHARE for those under FOR UPDATE/SHARE. CTE names are not relations. */
export function readRelations(query: unknown): ReadRelation[] {
  const ctes = new Set(findAll(query, "ctename").filter((n): n is string => typeof n === "string"));
  const found: ReadRelation[] = [];
  const visit = (value: unknown, mode: LockMode): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, mode);
      return;
    }
    if (!isRecord(value)) return;
    // Keys, not entries: a pair array per property of every node was most of this walk's cost.
    for (const key of Object.keys(value)) {
      const body = value[key];
      if (key === "lockingClause" || key === "relation") continue; // handled by their owners
      if (key === "RangeVar" && isRecord(body)) {
        const rangeVar = body as RangeVar;
        const ref = refOf(rangeVar);
        if (ref && !(rangeVar.schemaname === undefined && ctes.has(ref.relation))) found.push({ ref, mode, rangeVar });
      } else if (key === "SelectStmt") {
        visitSelect(body as SelectStmt, mode);
      } else {
        visit(body, mode);
      }
    }
  };
  const visitSelect = (select: SelectStmt, mode: LockMode): void => {
    const locking = (select.lockingClause ?? []).map((n) => bodyOf(n, "LockingClause")).filter((c) => c !== undefined);
    const { fromClause, larg, rarg, ...rest } = select;
    if (larg) visitSelect(larg, mode); // UNION / INTERSECT / EXCEPT branches
    if (rarg) visitSelect(rarg, mode);
    visit(rest, mode);
    if (locking.length === 0) return visit(fromClause, mode);
    const named = new Set(locking.flatMap((c) => (c.lockedRels ?? []).map((r) => bodyOf(r, "RangeVar")?.relname ?? "")));
    const everything = locking.some((c) => (c.lockedRels ?? []).length === 0);
    const start = found.length;
    visit(fromClause, everything ? "RowShareLock" : mode);
    if (everything) return;
    for (const read of found.slice(start)) {
      const name = read.rangeVar.alias?.aliasname ?? read.rangeVar.relname ?? "";
      if (named.has(name)) read.mode = "RowShareLock";
    }
  };
  visit(query, "AccessShareLock");
  return found;
}
