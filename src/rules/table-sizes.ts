import type { AnalysisConfig } from "../config/analysis-config.js";
import type { TableFacts } from "./types.js";

/**
 * What the configuration says about a table's size (`tables:`, `largeTableRows`,
 * `smallTableRows`), for the table policy and for the report's assumptions. An explicit
 * `large`/`small` wins over the row count; a row count at or above largeTableRows is large, one
 * below smallTableRows is small.
 */
export function tableFacts(config: AnalysisConfig, name: string): TableFacts | undefined {
  const setting = config.tables[name];
  if (!setting) return undefined;
  const { rows } = setting;
  const large = setting.large === true || (setting.small !== true && rows !== undefined && rows >= config.largeTableRows);
  const small = !large && (setting.small === true || (rows !== undefined && rows < config.smallTableRows));
  return { ...(rows !== undefined ? { rows } : {}), large, small };
}

export type SizeClass = "large" | "small" | "medium" | "unknown";

/** The size the analysis assumed for one table, and why, for the review body. */
export interface TableSizeAssumption {
  table: string;
  size: SizeClass;
  /** The configured row count, when there is one. */
  rows?: number;
  /** "configured at 40,000,000 rows (large: 1,000,000 or more)", "not in `tables:`", … */
  reason: string;
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * For each table (unqualified names, in the order given, duplicates dropped): the size the
 * analysis assumed. An unknown size is treated like a large one for the tiers: a blocking scan,
 * rewrite or index build on an existing table is an error unless the table is configured small.
 */
export function assumedTableSizes(config: AnalysisConfig, tables: readonly string[]): TableSizeAssumption[] {
  return [...new Set(tables)].map((table): TableSizeAssumption => {
    const setting = config.tables[table];
    const facts = tableFacts(config, table);
    if (!setting || !facts) return { table, size: "unknown", reason: "size not configured (`tables:`): heavy locks on it are errors" };
    const rows = facts.rows !== undefined ? { rows: facts.rows } : {};
    if (facts.large) {
      const reason =
        setting.large === true ? "configured as large" : `configured at ${count(setting.rows ?? 0)} rows (large: ${count(config.largeTableRows)} or more)`;
      return { table, size: "large", ...rows, reason };
    }
    if (facts.small) {
      const reason =
        setting.small === true ? "configured as small" : `configured at ${count(setting.rows ?? 0)} rows (small: under ${count(config.smallTableRows)})`;
      return { table, size: "small", ...rows, reason };
    }
    if (setting.rows !== undefined) return { table, size: "medium", ...rows, reason: `configured at ${count(setting.rows)} rows` };
    return { table, size: "unknown", reason: "in `tables:` without a row count: heavy locks on it are errors" };
  });
}
