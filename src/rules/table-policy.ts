import { LOCK_MODES, type LockMode } from "../sql/lock-modes.js";
import { estimateDuration } from "./estimates.js";
import type { RuleReport, Severity, TableFacts } from "./types.js";

/** SHARE and stronger block every INSERT, UPDATE and DELETE (ACCESS EXCLUSIVE every read too). */
function blocksWrites(mode: LockMode): boolean {
  return LOCK_MODES.indexOf(mode) >= LOCK_MODES.indexOf("ShareLock");
}

/**
 * The shared policy for findings about existing tables (RuleReport.table), the one place that
 * decides their tier from the table's configured size:
 * - heavy work (a scan, a rewrite or an index build: `work`) under a lock that blocks writes
 *   (`held`, SHARE or stronger) is an error: traffic stops for as long as the work takes, which
 *   grows with the table. It is a warning when every table is configured small (milliseconds).
 * - any other finding of a warning rule becomes an error when a table is configured large.
 * - a configured row count turns the work into an estimated duration (`{{estimate}}`).
 * A report that sets its own severity keeps it, and a policy rule (`tier` note) is never raised.
 */
export function applyTablePolicy<M extends string>(
  report: RuleReport<M>,
  facts: (name: string) => TableFacts | undefined,
  held: LockMode | undefined,
  tier: Severity,
): RuleReport<M> {
  if (report.table === undefined) return report;
  const names: readonly string[] = typeof report.table === "string" ? [report.table] : report.table;
  const known = names.map(facts);
  const data: Record<string, string | number> = { ...report.data };
  if (typeof report.table === "string" && !("table" in data)) data.table = report.table;
  if (report.work) {
    const counted = known.filter((f) => f?.rows !== undefined);
    const rows = counted.reduce((sum, f) => sum + (f?.rows ?? 0), 0);
    data.estimate = counted.length > 0 ? `, for ${estimateDuration(report.work, rows)}` : "";
  }
  if (report.severity !== undefined || names.length === 0) return { ...report, data };
  let severity: Severity | undefined;
  // No lock known for the statement (the lock model does not cover it): a rule whose default tier
  // is error reports heavy work under a blocking lock by construction.
  const heavy = report.work !== undefined && (held ? blocksWrites(held) : tier === "error");
  if (heavy) severity = known.every((f) => f?.small === true) ? "warning" : "error";
  else if (tier === "warning" && known.some((f) => f?.large === true)) severity = "error";
  return { ...report, data, ...(severity ? { severity } : {}) };
}
