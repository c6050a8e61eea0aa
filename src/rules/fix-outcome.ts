import type { Migration, SourceFile } from "../migrations/model.js";
import { bodyOf, alterCommandsOf } from "../sql/nodes.js";
import { parseSql } from "../sql/parse.js";
import { SourceText } from "../sql/source-text.js";
import { maskTemplates } from "../sql/template-mask.js";
import { concurrentlyAdded } from "./concurrently-added.js";
import { refusedBySyntax } from "./concurrently-in-transaction.js";
import { lineCount } from "./fix-apply.js";
import { fixKeepsSections, sameSections } from "./fix-keeps-sections.js";
import { withTransactionOptOut } from "./transaction-opt-out-fix.js";
import type { AnalyzedStatement, Finding, Fix, SectionAnalysis } from "./types.js";

/**
 * The fix check's outcome where it is known without analysing the migration again: a CONCURRENTLY
 * fix on a statement that runs in a transaction block (the runner's, a BEGIN of the SQL's, or the
 * implicit block of a query of several statements) is refused by Postgres ("cannot run inside a
 * transaction block"), so `concurrently-in-transaction` reports it in the fixed migration, and
 * when the runner has no in-file way out of its transaction (golang-migrate, Flyway, Diesel, …)
 * the fix check drops it. On a generated corpus of 250 golang-migrate files that was the only
 * outcome, and analysing each file again for it cost as much as the lint itself.
 *
 * The shortcut is taken only for a migration whose every fix is such a fix, under conditions that
 * make the full check's verdict certain (each one below says which step of fix-check.ts it
 * decides); otherwise every fix is checked by analysing again. test/rules/fix-outcome.test.ts runs
 * both on every fixture folder and compares them.
 */

/** The rule that reports a statement Postgres refuses in a transaction block. */
const REFUSED_IN_TRANSACTION = "concurrently-in-transaction";

/** An ignore comment could hide the refusal in the fixed migration (the engine looks for the same words). */
const IGNORE_DIRECTIVE = /(?:data-engineer|squawk)-ignore/;

/**
 * Statements that a CONCURRENTLY fix makes refused and that Postgres runs in a transaction block
 * as they are, whatever the schema holds (their lock model never says otherwise): CREATE INDEX,
 * DROP INDEX and DETACH PARTITION without CONCURRENTLY. REINDEX is not among them: on a
 * partitioned table it is refused already, and whether the table is partitioned depends on what
 * the migration is analysed after.
 */
function transactionalWhateverTheSchema(statement: AnalyzedStatement): boolean {
  if (refusedBySyntax(statement.node)) return false;
  if (statement.kind === "IndexStmt") return true;
  const drop = bodyOf(statement.node, "DropStmt");
  if (drop) return drop.removeType === "OBJECT_INDEX";
  const commands = alterCommandsOf(bodyOf(statement.node, "AlterTableStmt"));
  return commands.length === 1 && commands[0]?.subtype === "AT_DetachPartition";
}

/**
 * The statement a fix rewrites, when analysing the fix again, alone or with the others, gives one
 * more `concurrently-in-transaction` error on its own lines than the migration had, and the fix
 * cannot be widened (the full check then drops it), provided the replacement is that statement
 * refused by its syntax alone (refusedSyntax, below). Undefined otherwise. `statements` are those
 * of the fix's file, `lines` its text split on "\n", `refused` the refusals in the migration's files.
 */
function refusedStatement(
  finding: Finding,
  fix: Fix,
  analysed: { migration: Migration; sections: SectionAnalysis[] },
  statements: readonly AnalyzedStatement[],
  text: string,
  lines: readonly string[],
  refused: readonly Finding[],
): AnalyzedStatement | undefined {
  // The replacement writes no comment (no marker, directive or ignore that detection or the
  // engine reads) and as many lines as it replaces: every other statement keeps its place.
  if (/--|\/\*/.test(fix.replacement) || lineCount(fix.replacement) !== fix.endLine - fix.line + 1) return undefined;
  // The fix's lines hold one statement, from its first column to its semicolon and nothing else.
  const onLines = statements.filter((s) => s.line <= fix.endLine && s.endLine >= fix.line);
  const [statement] = onLines;
  if (onLines.length !== 1 || !statement || statement.line !== fix.line || statement.endLine !== fix.endLine || statement.column !== 1) return undefined;
  const replaced = lines.slice(fix.line - 1, fix.endLine).join("\n");
  if (!replaced.startsWith(statement.text) || !/^\s*;\s*$/.test(replaced.slice(statement.text.length)) || /--|\/\*/.test(replaced)) return undefined;
  // It runs in a transaction block, as the fixed statement will (the state at a statement depends
  // on the section and the statements before it, which the fixes leave as they are), and it is
  // not refused already, in this analysis or in the migration analysed alone.
  if (!statement.inTransaction || !transactionalWhateverTheSchema(statement)) return undefined;
  if (refused.some((f) => f.path === finding.path && f.line >= fix.line && f.line <= fix.endLine)) return undefined;
  // Refused for CONCURRENTLY alone, the full check widens the fix with the runner's in-file way
  // out of its transaction, which is checked by analysing again: only without one is it dropped.
  if (withTransactionOptOut(analysed.migration.framework, fix, text, finding.path, analysed.sections) !== undefined) return undefined;
  return statement;
}

/**
 * Whether each replacement is one statement of the same kind as the one it rewrites (the same
 * transaction state after it, the same schema facts learnt from it), refused by its syntax alone.
 * Parsed together, one parse for the migration; each statement is matched to its replacement by offset.
 * A CREATE INDEX with CONCURRENTLY added is not parsed (concurrently-added.ts says why it need not be).
 */
function refusedSyntax(all: ReadonlyArray<{ replacement: string; statement: AnalyzedStatement }>): boolean {
  // CONCURRENTLY added to a CREATE INDEX as require-concurrent-index writes it is known without parsing.
  const rewrites = all.filter(({ replacement, statement }) => !concurrentlyAdded(statement, replacement));
  if (rewrites.length === 0) return true;
  const offsets: number[] = [];
  let text = "";
  for (const { replacement } of rewrites) {
    offsets.push(text.length);
    text += `${replacement}\n`;
  }
  const parsed = parseSql(new SourceText("fixes.sql", text), 0, text.length, { comments: false });
  if (parsed.errors.length > 0) return false;
  return rewrites.every(({ replacement, statement }, i) => {
    const from = offsets[i] ?? 0;
    const own = parsed.statements.filter((s) => s.start >= from && s.start < from + replacement.length);
    const [fixed] = own;
    return own.length === 1 && fixed?.kind === statement.kind && refusedBySyntax(fixed.node) !== undefined;
  });
}

/** The migration read again by its framework, as the full check reads it (fix-check.ts). */
export interface Redetected {
  /** From its files as they are. */
  asIs(): Migration | undefined;
  /** From each set of fixed files the full check would analyse: the fixes together, each alone. */
  fixed(): ReadonlyArray<Migration | undefined>;
}

/** The list `map` holds at `key`, made empty the first time (the fix check groups findings with it too). */
export function listIn<K, T>(map: Map<K, T[]>, key: K): T[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

/**
 * Whether the full check (fix-check.ts) would drop every fix of the migration, decided without
 * analysing it again. `fixed` are its findings with a fix, `findings` every finding the analysis
 * has in its files, `redetected` the migration read again from its files as they are and from
 * each set of fixed files the full check would analyse (undefined where it cannot be read: the
 * full check drops the fix then too): all must lay out the sections as the analysis did. The
 * fixed files are not read again when no fix can change the sections (fix-keeps-sections.ts):
 * they have the sections of the files as they are.
 */
export function refusedWithoutRelint(
  analysed: { migration: Migration; sections: SectionAnalysis[] },
  fixed: readonly Finding[],
  own: readonly SourceFile[],
  findings: readonly Finding[],
  redetected: Redetected,
): boolean {
  if (fixed.length === 0 || own.some((file) => IGNORE_DIRECTIVE.test(file.text))) return false;
  // A section that does not parse whole, or a template masked before parsing, may split
  // differently once a statement changes.
  if (findings.some((f) => f.rule === "syntax-error") || own.some((file) => maskTemplates(file.text) !== undefined)) return false;
  // Per file, once: the statements, its lines; the refusals of the whole migration.
  const statements = new Map<string, AnalyzedStatement[]>();
  for (const section of analysed.sections) for (const statement of section.statements) listIn(statements, statement.path).push(statement);
  const refused = findings.filter((f) => f.rule === REFUSED_IN_TRANSACTION);
  const lines = new Map<string, string[]>();
  const rewrites: Array<{ replacement: string; statement: AnalyzedStatement }> = [];
  let sectionsKept = true;
  for (const finding of fixed) {
    const text = own.find((file) => file.path === finding.path)?.text;
    if (text === undefined || !finding.fix) return false;
    let split = lines.get(finding.path);
    if (!split) {
      split = text.split("\n");
      lines.set(finding.path, split);
    }
    const statement = refusedStatement(finding, finding.fix, analysed, statements.get(finding.path) ?? [], text, split, refused);
    if (!statement) return false;
    rewrites.push({ replacement: finding.fix.replacement, statement });
    sectionsKept &&= fixKeepsSections(analysed.migration.framework, finding.fix, split);
  }
  if (!refusedSyntax(rewrites)) return false;
  const readings = sectionsKept ? [redetected.asIs()] : [redetected.asIs(), ...redetected.fixed()];
  return readings.every((again) => again === undefined || sameSections(analysed.migration.sections, again.sections));
}
