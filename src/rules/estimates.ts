/**
 * Rough durations for work done under a lock, from configured row counts. Deliberately simple:
 * they tell "seconds" from "hours", which is what decides a maintenance window. Rates are rows per
 * second on ordinary hardware for narrow rows; wide rows and busy disks are slower.
 */
const ROWS_PER_SECOND = {
  /** Sequential scan that checks every row (SET NOT NULL, CHECK, FK validation). */
  scan: 5_000_000,
  /** Index build (sort + write). */
  index: 1_000_000,
  /** Full table rewrite (new heap + every index rebuilt). */
  rewrite: 500_000,
} as const;

export type EstimatedWork = keyof typeof ROWS_PER_SECOND;

function human(seconds: number): string {
  if (seconds < 1) return "under a second";
  if (seconds < 90) return `about ${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}

/** "about 50 s (50,000,000 rows)" for the work on a table of `rows` rows. */
export function estimateDuration(work: EstimatedWork, rows: number): string {
  return `${human(rows / ROWS_PER_SECOND[work])} (${rows.toLocaleString("en-US")} rows)`;
}
