import type { Migration, SourceFile } from "../migrations/model.js";
import { applyFix, lineCount, redetect } from "./fix-apply.js";
import { listIn, type Redetected, refusedWithoutRelint } from "./fix-outcome.js";
import { withTransactionOptOut } from "./transaction-opt-out-fix.js";
import type { Finding, Fix, SectionAnalysis } from "./types.js";

export { applyFix } from "./fix-apply.js";

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
 * Only migrations that have fixes are analysed again: once with all their fixes that do not
 * overlap (each new error blamed on the fix whose lines hold it, against the errors the whole
 * analysis found there); one by one, against the migration analysed alone as it is, for the rest
 * and when an error cannot be blamed; once more for each widened fix. A migration whose every fix
 * is a CONCURRENTLY that its runner's transaction refuses, with no in-file way out of it, is not
 * analysed again: the outcome, every fix dropped, is known (fix-outcome.ts says when).
 */

/** One migration as the engine analysed it (its MigrationAnalysis; not imported, engine.ts imports this module). */
interface MigrationAnalysis {
  migration: Migration;
  sections: SectionAnalysis[];
}

/** What the engine's analysis returns (its AnalysisResult). */
interface Analysed {
  migrations: MigrationAnalysis[];
  findings: Finding[];
}

/** The analysis of some files and migrations, without the fix check (the engine's own). */
export type Reanalyse = (files: readonly SourceFile[], migrations: readonly Migration[]) => Analysed;

/** The rule that reports a statement Postgres refuses in a transaction block. */
const REFUSED_IN_TRANSACTION = "concurrently-in-transaction";

const countKey = (finding: Finding): string => `${finding.rule}\u0000${finding.path}`;

function errorCounts(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const finding of findings) if (finding.severity === "error") counts.set(countKey(finding), (counts.get(countKey(finding)) ?? 0) + 1);
  return counts;
}

type Verdict = { kept: true } | { kept: false; refusedInTransaction: boolean };

/** A fix applied among others to its file: the lines it spans there, and how far the fixes above it moved it. */
interface Placed {
  finding: Finding;
  fix: Fix;
  start: number;
  end: number;
  shiftBefore: number;
}

/** The fix that holds `line` of the fixed file, or the line it had before the fixes. */
function placeOf(placed: readonly Placed[], line: number): Placed | number {
  let shift = 0;
  for (const p of placed) {
    if (line < p.start) return line - shift;
    if (line <= p.end) return p;
    shift = p.shiftBefore + lineCount(p.fix.replacement) - (p.fix.endLine - p.fix.line + 1);
  }
  return line - shift;
}

/**
 * The files by path, made once per list: the result cache checks each migration's fixes as it is
 * analysed, with every file of the run, and a map per migration was quadratic on a long folder.
 */
const filesByPathOf = new WeakMap<readonly SourceFile[], ReadonlyMap<string, SourceFile>>();

function filesByPath(files: readonly SourceFile[]): ReadonlyMap<string, SourceFile> {
  let byPath = filesByPathOf.get(files);
  if (!byPath) {
    byPath = new Map(files.map((file) => [file.path, file]));
    filesByPathOf.set(files, byPath);
  }
  return byPath;
}

class FixChecker {
  /** Per migration: the errors it has analysed alone as it is (undefined: it cannot be read again). */
  private readonly baselines = new Map<Migration, Finding[] | undefined>();
  private readonly files: ReadonlyMap<string, SourceFile>;

  constructor(
    files: readonly SourceFile[],
    private readonly reanalyse: Reanalyse,
  ) {
    this.files = filesByPath(files);
  }

  text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  ownFiles(migration: Migration): SourceFile[] {
    return migration.files.flatMap((path) => this.files.get(path) ?? []);
  }

  private baseline(migration: Migration): Finding[] | undefined {
    if (!this.baselines.has(migration)) {
      const own = this.ownFiles(migration);
      const again = redetect(migration, own);
      this.baselines.set(migration, again ? this.reanalyse(own, [again]).findings.filter((f) => f.severity === "error") : undefined);
    }
    return this.baselines.get(migration);
  }

  /** The migration's files with one fix applied, and the migration read again from them (undefined: it cannot be). */
  applyAlone(migration: Migration, finding: Finding, fix: Fix): { fixed: SourceFile[]; again: Migration | undefined } {
    const fixed = this.ownFiles(migration).map((f) => (f.path === finding.path ? { ...f, text: applyFix(f.text, fix) } : f));
    return { fixed, again: fixed.some((f) => f.path === finding.path) ? redetect(migration, fixed) : undefined };
  }

  private verdict(migration: Migration, finding: Finding, fix: Fix): Verdict {
    const { fixed, again } = this.applyAlone(migration, finding, fix);
    if (!again) return { kept: false, refusedInTransaction: false };
    const after = this.reanalyse(fixed, [again]).findings;
    const counts = errorCounts(after);
    // The migration as it is, analysed the same way, only when the fixed one has errors to compare.
    const baseline = counts.size > 0 ? this.baseline(migration) : [];
    if (!baseline) return { kept: false, refusedInTransaction: false };
    const before = errorCounts(baseline);
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
    return first.refusedInTransaction ? this.widened(analysed, finding, fix) : undefined;
  }

  /**
   * Fixes that do not overlap, by file, applied together and analysed once: each kept, widened or
   * dropped by what the analysis shows on its own lines. Undefined when an error cannot be blamed.
   */
  checkTogether(
    analysed: MigrationAnalysis,
    byPath: ReadonlyMap<string, readonly Finding[]>,
    original: readonly Finding[],
  ): Map<Finding, Fix | undefined> | undefined {
    const { fixed, placed, again } = this.applyTogether(analysed.migration, byPath);
    if (!again) return undefined;
    const after = this.reanalyse(fixed, [again]).findings;
    const errors = after.filter((f) => f.severity === "error");
    // The errors the whole analysis found in this migration: an error it did not have, even one
    // that the migration analysed alone would have, is blamed (a fix dropped, never one kept wrongly).
    const baseline = original.filter((f) => f.severity === "error");
    const blamed = new Map<Placed, string[]>();
    for (const error of errors) {
      const place = placeOf(placed.get(error.path) ?? [], error.line);
      const had = (from: number, to: number) => baseline.some((b) => b.rule === error.rule && b.path === error.path && b.line >= from && b.line <= to);
      if (typeof place === "number") {
        if (!had(place, place)) return undefined;
      } else if (!had(place.fix.line, place.fix.endLine)) blamed.set(place, [...(blamed.get(place) ?? []), error.rule]);
    }
    const checked = new Map<Finding, Fix | undefined>();
    for (const place of [...placed.values()].flat()) {
      const stillThere = after.some((f) => f.rule === place.finding.rule && f.path === place.finding.path && f.line >= place.start && f.line <= place.end);
      const rules = blamed.get(place);
      if (!rules && !stillThere) checked.set(place.finding, place.fix);
      else if (rules?.every((rule) => rule === REFUSED_IN_TRANSACTION)) checked.set(place.finding, this.widened(analysed, place.finding, place.fix));
      else checked.set(place.finding, undefined);
    }
    return checked;
  }

  /** The migration's files with the fixes of `byPath` applied together, where each one lands, and the migration read again. */
  applyTogether(
    migration: Migration,
    byPath: ReadonlyMap<string, readonly Finding[]>,
  ): { fixed: SourceFile[]; placed: Map<string, Placed[]>; again: Migration | undefined } {
    const placed = new Map<string, Placed[]>();
    const fixed = this.ownFiles(migration).map((file) => {
      const list = byPath.get(file.path) ?? [];
      let shift = 0;
      const places: Placed[] = [];
      for (const finding of list) {
        if (!finding.fix) continue;
        const start = finding.fix.line + shift;
        places.push({ finding, fix: finding.fix, start, end: start + lineCount(finding.fix.replacement) - 1, shiftBefore: shift });
        shift += lineCount(finding.fix.replacement) - (finding.fix.endLine - finding.fix.line + 1);
      }
      placed.set(file.path, places);
      // Bottom up, so that each fix's lines are still where it says.
      const text = [...places].reverse().reduce((current, place) => applyFix(current, place.fix), file.text);
      return { ...file, text };
    });
    return { fixed, placed, again: redetect(migration, fixed) };
  }

  private widened(analysed: MigrationAnalysis, finding: Finding, fix: Fix): Fix | undefined {
    const text = this.text(finding.path) ?? "";
    const widened = withTransactionOptOut(analysed.migration.framework, fix, text, finding.path, analysed.sections);
    return widened && this.verdict(analysed.migration, finding, widened).kept ? widened : undefined;
  }
}

/**
 * The fixes of one migration, checked together when they do not overlap: applied all at once and
 * analysed once, each new error blamed on the fix whose lines hold it. A migration of many
 * statements (a pop group of sixty files, a Diesel up.sql of two hundred lines) is then analysed
 * two or three times instead of once per fix. When an error falls outside every fix, it cannot be
 * blamed: each fix is then checked alone.
 */
function checkMigration(
  checker: FixChecker,
  analysed: MigrationAnalysis,
  findings: readonly Finding[],
  original: readonly Finding[],
  known: readonly Finding[] | undefined,
): Map<Finding, Fix | undefined> {
  const checked = new Map<Finding, Fix | undefined>();
  const alone: Finding[] = [];
  const together = new Map<string, Finding[]>();
  const sorted = [...findings].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.fix?.line ?? 0) - (b.fix?.line ?? 0)));
  for (const finding of sorted) {
    const list = together.get(finding.path) ?? [];
    const last = list.at(-1)?.fix;
    if (last && finding.fix && finding.fix.line <= last.endLine) alone.push(finding);
    else together.set(finding.path, [...list, finding]);
  }
  const inTogether = [...together.values()].flat().length;
  // Every fix refused where the runner cannot leave its transaction: dropped, known without analysing again.
  // Every reading of the migration the full check could analyse: as it is (the baseline a fix
  // checked alone is compared with), with the fixes together, with each alone.
  const redetected: Redetected = {
    asIs: () => redetect(analysed.migration, checker.ownFiles(analysed.migration)),
    fixed: () => [
      ...(inTogether > 1 ? [checker.applyTogether(analysed.migration, together).again] : []),
      ...findings.flatMap((finding) => (finding.fix ? [checker.applyAlone(analysed.migration, finding, finding.fix).again] : [])),
    ],
  };
  if (known && refusedWithoutRelint(analysed, findings, checker.ownFiles(analysed.migration), known, redetected)) {
    return new Map(findings.map((finding) => [finding, undefined]));
  }
  const judged = inTogether > 1 ? checker.checkTogether(analysed, together, original) : undefined;
  if (!judged) alone.push(...[...together.values()].flat());
  for (const [finding, fix] of judged ?? []) checked.set(finding, fix);
  for (const finding of alone) if (finding.fix) checked.set(finding, checker.check(analysed, finding, finding.fix));
  return checked;
}

/** How the fixes are checked. */
export interface FixCheckOptions {
  /** The analysis of the fixed migrations. */
  reanalyse: Reanalyse;
  /**
   * `concurrently-in-transaction` runs and reports errors, so that a CONCURRENTLY fix refused in a
   * transaction is known to be dropped without analysing again (fix-outcome.ts). False: every fix
   * is analysed again, the reference the shortcut is tested against.
   */
  refusalKnown: boolean;
}

/**
 * The finding without its fix, its other fields in their order: made without `delete`, which
 * turns an object into a slow dictionary (the JSON output writes each finding).
 */
function withoutFix(finding: Finding): Finding {
  const { fix, ...rest } = finding;
  void fix;
  return rest;
}

/** `result` with every fix checked: kept, widened to carry the runner's opt-out, or taken off its finding. */
export function checkFixes<R extends Analysed>(result: R, files: readonly SourceFile[], options: FixCheckOptions): R {
  const reanalyse = options.reanalyse;
  if (!result.findings.some((finding) => finding.fix)) return result;
  const byPath = new Map<string, MigrationAnalysis>();
  for (const analysed of result.migrations) for (const path of analysed.migration.files) if (!byPath.has(path)) byPath.set(path, analysed);
  const checker = new FixChecker(files, reanalyse);
  const byMigration = new Map<MigrationAnalysis, Finding[]>();
  const errorsByPath = new Map<string, Finding[]>();
  const allByPath = new Map<string, Finding[]>();
  for (const finding of result.findings) {
    const analysed = finding.fix ? byPath.get(finding.path) : undefined;
    // Pushed, not copied: a file of a hundred statements has as many findings.
    if (analysed) listIn(byMigration, analysed).push(finding);
    if (finding.severity === "error") listIn(errorsByPath, finding.path).push(finding);
    if (options.refusalKnown) listIn(allByPath, finding.path).push(finding);
  }
  const checked = new Map<Finding, Fix | undefined>();
  for (const [analysed, list] of byMigration) {
    const original = analysed.migration.files.flatMap((path) => errorsByPath.get(path) ?? []);
    const known = options.refusalKnown ? analysed.migration.files.flatMap((path) => allByPath.get(path) ?? []) : undefined;
    for (const [finding, fix] of checkMigration(checker, analysed, list, original, known)) checked.set(finding, fix);
  }
  const findings = result.findings.map((finding) => {
    if (!finding.fix) return finding;
    const fix = checked.get(finding);
    if (fix === finding.fix) return finding;
    return fix ? { ...finding, fix } : withoutFix(finding);
  });
  return { ...result, findings };
}
