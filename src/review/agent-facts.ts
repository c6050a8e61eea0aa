import type { AnalyserFacts, StatementFacts } from "../agent/analyser-facts.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { RelevantFile } from "../migrations/relevant-files.js";
import type { AnalysisResult } from "../rules/engine.js";
import { blockedPhrase, lockSql } from "../rules/lock-helpers.js";

/**
 * What the analyser computed about the pull request's migrations, for the agent's prompt: the
 * Postgres version, the configured table sizes, each changed migration section's framework,
 * direction and transaction mode, and each statement's locks (mode, table, what it blocks),
 * rewrites and scans. The agent is asked to estimate lock durations: these are what it needs.
 */
export function analyserFactsOf(analysis: AnalysisResult, config: RepoConfig, relevant: readonly RelevantFile[]): AnalyserFacts {
  const changed = new Set(relevant.filter((f) => f.status !== "removed").map((f) => f.path));
  const migrations: NonNullable<AnalyserFacts["migrations"]>[number][] = [];
  const statements: StatementFacts[] = [];
  for (const { migration, sections } of analysis.migrations) {
    for (const { section, statements: analysed } of sections) {
      if (!changed.has(section.path)) continue;
      migrations.push({
        path: section.path,
        framework: migration.framework,
        direction: section.direction,
        transactionMode: section.inTransaction
          ? "transaction"
          : section.oneQuery === true && analysed.length > 1
            ? "one query (Postgres's implicit transaction)"
            : "none",
      });
      for (const s of analysed) {
        statements.push({
          path: s.path,
          line: s.line,
          endLine: s.endLine,
          kind: s.kind,
          // A relation the statement creates is new: nobody waits on its lock.
          locks: s.locks.locks.filter((l) => !l.created).map((l) => ({ mode: lockSql(l.mode), relation: l.relation, blocks: blockedPhrase(l.mode) })),
          rewrites: s.locks.rewrites,
          scans: s.locks.scans,
        });
      }
    }
  }
  const tableSizes: Record<string, number> = {};
  for (const [table, setting] of Object.entries(config.tables)) if (setting.rows !== undefined) tableSizes[table] = setting.rows;
  return { postgresVersion: String(config.postgresVersion), tableSizes, migrations, statements };
}
