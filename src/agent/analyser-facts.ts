import type { UntrustedFence } from "./untrusted.js";

/**
 * What the analyser knows about the changed migrations, as data the model can use: the
 * framework and transaction mode, the Postgres version, each statement's locks (mode, table, what
 * it blocks), rewrites and scans, and the configured table sizes. These are computed by
 * data-engineer and are given as trusted facts; names in them come from the pull request (a
 * table can be called anything), so they are shown inside the fence while the structure is not.
 * The review pipeline fills `AnalyserFacts`; every field is optional, and a missing one is simply
 * not said.
 */

export interface StatementFacts {
  path: string;
  line: number;
  endLine?: number;
  /** e.g. "ALTER TABLE … ADD COLUMN". */
  kind?: string;
  locks?: ReadonlyArray<{ mode: string; relation: string; blocks?: string }>;
  /** The statement rewrites the table (every row copied under its lock). */
  rewrites?: boolean;
  /** The statement scans the whole table under its lock. */
  scans?: boolean;
}

export interface MigrationFacts {
  path: string;
  framework?: string;
  /** "transaction" (the framework wraps it) or "none". */
  transactionMode?: string;
  direction?: "up" | "down";
}

export interface AnalyserFacts {
  postgresVersion?: string;
  /** Configured table sizes (rows), from the repository's configuration. */
  tableSizes?: Readonly<Record<string, number>>;
  migrations?: readonly MigrationFacts[];
  statements?: readonly StatementFacts[];
}

export const MAX_LISTED_STATEMENTS = 200;

export function analyserFactsSection(facts: AnalyserFacts | undefined, fence: UntrustedFence): string | undefined {
  if (facts === undefined) return undefined;
  const lines: string[] = [];
  if (facts.postgresVersion) lines.push(`Postgres version: ${facts.postgresVersion}`);
  for (const m of facts.migrations ?? []) {
    lines.push(
      `Migration ${m.path}: ${[m.framework && `framework ${m.framework}`, m.direction && `direction ${m.direction}`, m.transactionMode && `transaction mode ${m.transactionMode}`].filter(Boolean).join(", ")}`,
    );
  }
  const sizes = Object.entries(facts.tableSizes ?? {});
  if (sizes.length > 0) lines.push(`Configured table sizes (rows): ${sizes.map(([t, n]) => `${t} ${n.toLocaleString("en-US")}`).join(", ")}`);
  for (const s of (facts.statements ?? []).slice(0, MAX_LISTED_STATEMENTS)) {
    const where = `${s.path}:${s.line}${s.endLine !== undefined && s.endLine > s.line ? `-${s.endLine}` : ""}`;
    const locks = (s.locks ?? []).map((l) => `${l.mode} on ${l.relation}${l.blocks ? ` (blocks ${l.blocks})` : ""}`).join("; ");
    const effects = [s.rewrites ? "rewrites the table" : "", s.scans ? "scans the whole table under the lock" : ""].filter(Boolean).join(", ");
    lines.push(`- ${where}${s.kind ? ` ${s.kind}` : ""}: ${locks || "no table lock"}${effects ? `; ${effects}` : ""}`);
  }
  if (lines.length === 0) return undefined;
  return [
    "## What the analyser computed (trusted facts: use them for lock durations and risks; names inside come from the pull request)",
    fence.wrap("analyser facts, quoting names from the pull request", lines.join("\n")),
  ].join("\n\n");
}
