import { estimateDuration, type EstimatedWork } from "../rules/estimates.js";
import type { AnalyzedStatement } from "../rules/types.js";
import { blockedTraffic, LOCK_MODE_SQL } from "../sql/lock-modes.js";
import { statementBlocks, type RelationLock } from "../sql/locks.js";
import { inlineCode } from "./markdown.js";

/**
 * What one statement's locks mean for the traffic on tables that existed before its migration: the
 * mode and table, what it blocks, whether it rewrites or scans, and how long that lasts when the
 * table's rows are configured. The review body's warnings and the inline comment's lock line both
 * say it in these words.
 */

export function relationName(lock: { relation: string; schema?: string }): string {
  return lock.schema ? `${lock.schema}.${lock.relation}` : lock.relation;
}

/** Locks on relations that existed before the migration: a table created earlier in it is new and unused. */
export function existingLocks(statement: AnalyzedStatement): RelationLock[] {
  return statement.locks.locks.filter((l) => !l.created && !l.unused && !statement.createdRelations.has(l.relation));
}

/** "reads, writes", "writes" or "nothing": what ordinary traffic waits on this lock (its indexes' included). */
export function blocksText(lock: RelationLock, isNew: boolean): string {
  if (isNew || lock.unused) return "nothing";
  const b = blockedTraffic(lock.indexes ?? lock.mode);
  const own = blockedTraffic(lock.mode);
  const reads = b.reads || own.reads;
  const writes = b.writes || own.writes;
  return reads ? "reads, writes" : writes ? "writes" : "nothing";
}

/** The work done under the lock, for an estimate: a rewrite copies the table, an index build sorts it, a scan reads it. */
function workOf(statement: AnalyzedStatement): EstimatedWork | undefined {
  if (statement.locks.rewrites) return "rewrite";
  if (statement.kind === "IndexStmt") return statement.locks.scans ? "index" : undefined;
  return statement.locks.scans ? "scan" : undefined;
}

/**
 * The duration of the work on the statement's own table (its first unconditional lock taken for
 * itself, not for a referenced table), when that table's rows are configured.
 */
function estimate(statement: AnalyzedStatement, existing: readonly RelationLock[], tableRows: ReadonlyMap<string, number> | undefined): string {
  const work = workOf(statement);
  const target = existing.find((l) => l.reason === undefined && !l.conditional);
  if (!work || !target || !tableRows) return "";
  const rows = tableRows.get(target.relation) ?? tableRows.get(target.relation.toLowerCase());
  return rows === undefined ? "" : `, for ${estimateDuration(work, rows)}`;
}

/**
 * "ACCESS EXCLUSIVE on `orders`; blocks reads and writes, rewrites the table, for about 80 s
 * (40,000,000 rows)", or undefined when the statement locks no existing table in a way traffic
 * notices (no blocked reads or writes, no rewrite, no scan).
 */
export function lockSummary(statement: AnalyzedStatement, tableRows?: ReadonlyMap<string, number>): string | undefined {
  const existing = existingLocks(statement);
  if (existing.length === 0) return undefined;
  const blocks = statementBlocks({ ...statement.locks, locks: existing });
  if (!blocks.reads && !blocks.writes && !statement.locks.rewrites && !statement.locks.scans) return undefined;
  const effects = [
    blocks.reads ? "blocks reads and writes" : blocks.writes ? "blocks writes" : "blocks neither reads nor writes",
    statement.locks.rewrites ? "rewrites the table" : "",
    statement.locks.scans ? "scans the table" : "",
  ].filter((e) => e !== "");
  const locks = existing.map((l) => `${LOCK_MODE_SQL[l.mode]} on ${inlineCode(relationName(l))}`).join(", ");
  return `${locks}; ${effects.join(", ")}${estimate(statement, existing, tableRows)}`;
}
