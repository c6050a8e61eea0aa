import { FRAMEWORKS } from "../migrations/frameworks/index.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { AnalysisResult, MigrationAnalysis } from "./engine.js";
import { withTransactionOptOut } from "./transaction-opt-out-fix.js";
import type { Finding, Fix } from "./types.js";

/**
 * Every fix is tried before it is offered: a one-click suggestion that breaks the migration
 * (CONCURRENTLY where the runner keeps a transaction open, which Postgres refuses) is worse than
 * none. The fix is applied to its file, the migration is detected again from the changed files
 * (same framework, same settings) and analysed again, alone, with the same configuration; the
 * fix is kept when the finding it fixes is gone and no error appears that the migration, analysed
 * alone the same way, did not have. A fix refused only for CONCURRENTLY in the runner's
 * transaction is widened to carry the runner's in-file way out of it (transaction-opt-out-fix.ts)
 * and tried again. Otherwise the finding stays, without its fix: its help says what to do.
 *
 * Only migrations that have fixes are analysed again: once per fix (twice when widened), and once
 * as they are when a fixed one has errors to compare.
 */

/** The analysis of some files and migrations, without the fix check (the engine's own). */
export type Reanalyse = (files: readonly SourceFile[], migrations: readonly Migration[]) => AnalysisResult;

/** The rule that reports a statement Postgres refuses in a transaction block. */
const REFUSED_IN_TRANSACTION = "concurrently-in-transaction";

/** `text` with lines fix.line..fix.endLine (1-based, inclusive) replaced by the fix's lines. */
export function applyFix(text: string, fix: Fix): string {
  const lines = text.split("\n");
  lines.splice(fix.line - 1, fix.endLine - fix.line + 1, ...fix.replacement.replace(/\n$/, "").split("\n"));
  return lines.join("\n");
}

/** The migration read again from its own files by its own framework, as the detector first read it. */
function redetect(migration: Migration, own: readonly SourceFile[]): Migration | undefined {
  const multiStatement = !migration.sections.some((section) => section.oneQuery === true);
  const { migrations } = FRAMEWORKS[migration.framework].detect(own, { forced: true, golangMigrate: { multiStatement }, dialectsFiltered: true });
  const same = migrations.filter((m) => m.version === migration.version && m.name === migration.name && m.folder === migration.folder);
  return same.length === 1 ? same[0] : undefined;
}

const countKey = (finding: Finding): string => `${finding.rule}\u0000${finding.path}`;

function errorCounts(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) if (finding.severity === "error") counts.set(countKey(finding), (counts.get(countKey(finding)) ?? 0) + 1);
  return counts;
}

type Verdict = { kept: true } | { kept: false; refusedInTransaction: boolean };

class FixChecker {
  /** Per migration: the errors it has analysed alone as it is (undefined: it cannot be read again). */
  private readonly baselines = new Map<Migration, Map<string, number> | undefined>();
  private readonly files: ReadonlyMap<string, SourceFile>;

  constructor(
    files: readonly SourceFile[],
    private readonly reanalyse: Reanalyse,
  ) {
    this.files = new Map(files.map((file) => [file.path, file]));
  }

  text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  private ownFiles(migration: Migration): SourceFile[] {
    return migration.files.flatMap((path) => this.files.get(path) ?? []);
  }

  private baseline(migration: Migration): Map<string, number> | undefined {
    if (!this.baselines.has(migration)) {
      const own = this.ownFiles(migration);
      const again = redetect(migration, own);
      this.baselines.set(migration, again ? errorCounts(this.reanalyse(own, [again]).findings) : undefined);
    }
    return this.baselines.get(migration);
  }

  private verdict(migration: Migration, finding: Finding, fix: Fix): Verdict {
    const fixed = this.ownFiles(migration).map((f) => (f.path === finding.path ? { ...f, text: applyFix(f.text, fix) } : f));
    const again = fixed.some((f) => f.path === finding.path) ? redetect(migration, fixed) : undefined;
    if (!again) return { kept: false, refusedInTransaction: false };
    const after = this.reanalyse(fixed, [again]).findings;
    const counts = errorCounts(after);
    // The migration as it is, analysed the same way, only when the fixed one has errors to compare.
    const before = counts.size > 0 ? this.baseline(migration) : new Map<string, number>();
    if (!before) return { kept: false, refusedInTransaction: false };
    const added = [...counts].filter(([key, count]) => count > (before.get(key) ?? 0)).map(([key]) => key.split("\u0000")[0]);
    const newLast = fix.line + fix.replacement.replace(/\n$/, "").split("\n").length - 1;
    const stillThere = after.some((f) => f.rule === finding.rule && f.path === finding.path && f.line >= fix.line && f.line <= newLast);
    if (added.length === 0 && !stillThere) return { kept: true };
    return { kept: false, refusedInTransaction: added.length > 0 && added.every((rule) => rule === REFUSED_IN_TRANSACTION) };
  }

  /** The fix to offer for `finding` in `analysed`: its own, widened with the runner's opt-out, or none. */
  check(analysed: MigrationAnalysis, finding: Finding, fix: Fix): Fix | undefined {
    const first = this.verdict(analysed.migration, finding, fix);
    if (first.kept) return fix;
    if (!first.refusedInTransaction) return undefined;
    const text = this.text(finding.path) ?? "";
    const widened = withTransactionOptOut(analysed.migration.framework, fix, text, finding.path, analysed.sections);
    return widened && this.verdict(analysed.migration, finding, widened).kept ? widened : undefined;
  }
}

/** `result` with every fix checked: kept, widened to carry the runner's opt-out, or taken off its finding. */
export function checkFixes(result: AnalysisResult, files: readonly SourceFile[], reanalyse: Reanalyse): AnalysisResult {
  if (!result.findings.some((finding) => finding.fix)) return result;
  const byPath = new Map<string, MigrationAnalysis>();
  for (const analysed of result.migrations) for (const path of analysed.migration.files) if (!byPath.has(path)) byPath.set(path, analysed);
  const checker = new FixChecker(files, reanalyse);
  const findings = result.findings.map((finding) => {
    if (!finding.fix) return finding;
    const analysed = byPath.get(finding.path);
    const fix = analysed ? checker.check(analysed, finding, finding.fix) : undefined;
    if (fix === finding.fix) return finding;
    const kept: Finding = { ...finding };
    if (fix) kept.fix = fix;
    else delete kept.fix;
    return kept;
  });
  return { ...result, findings };
}
