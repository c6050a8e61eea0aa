import type { ReplayOutcome } from "../replay/replay-migrations.js";
import type { AnalysisResult } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";

/**
 * The static rollback findings the replay's own evidence contradicts. `rollback-mismatch` reads
 * the SQL and infers that a down leaves something behind, renames nothing back, or drops what
 * existed; when the replay ran that down right after its up in a real Postgres and the schema came
 * back exactly as before, the inference is wrong (a CASCADE it did not follow, a rename it did
 * not pair), and the replay is the arbiter: those findings are left out.
 */
const CONTRADICTED_BY_A_RESTORING_DOWN: ReadonlySet<string> = new Set(["rollback-mismatch"]);

export function withoutContradictedFindings(findings: readonly Finding[], analysis: AnalysisResult, replay: ReplayOutcome | undefined): Finding[] {
  const restored = new Set((replay?.migrations ?? []).filter((m) => m.down === "ok" && m.restores === true).map((m) => m.path));
  if (restored.size === 0) return [...findings];
  const restoredFiles = new Set(analysis.migrations.filter((m) => m.migration.files.some((file) => restored.has(file))).flatMap((m) => m.migration.files));
  return findings.filter((finding) => !(CONTRADICTED_BY_A_RESTORING_DOWN.has(finding.rule) && restoredFiles.has(finding.path)));
}
