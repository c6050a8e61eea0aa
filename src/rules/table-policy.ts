import { estimateDuration } from "./estimates.js";
import type { RuleReport, TableFacts } from "./types.js";

/**
 * The shared policy for findings about existing tables (RuleReport.table): a configured large
 * table makes the finding an error, and a configured row count turns the work into an estimated
 * duration. Rules name the table and the work; this is the only place that decides.
 */
export function applyTablePolicy<M extends string>(report: RuleReport<M>, facts: (name: string) => TableFacts | undefined): RuleReport<M> {
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
  const large = known.some((f) => f?.large === true);
  return { ...report, data, ...(large && report.severity === undefined ? { severity: "error" as const } : {}) };
}
