import type { FrameworkId, MigrationSection } from "../migrations/model.js";
import type { Fix } from "./types.js";

/**
 * When a fix cannot change how its migration's sections are laid out: the fix check's shortcut
 * (fix-outcome.ts) needs the fixed migration to have the sections the analysis had, and reading
 * it again from every fixed variant of its files (once with the fixes together, once per fix)
 * costs a pass over the whole file per fix. For the frameworks below, a fix that rewrites whole
 * lines into as many lines, without a comment, is known to leave the sections as they are.
 *
 * What their detection reads of a SQL migration file (src/migrations/frameworks, read for this):
 * - its path, and other files (Diesel's metadata.toml, sqitch.plan, Cargo.toml or `.sqlx/` for
 *   sqlx, drizzle's meta/_journal.json): a fix changes neither;
 * - its line breaks: a section is the whole file (golang-migrate, sqlx, Flyway, Diesel, Prisma,
 *   drizzle, plain SQL, sqitch, pop) or runs between marker lines (dbmate, goose); its first and
 *   last lines are counted on "\n" (SourceText) at a line start, at the "\n" before a marker, or
 *   at the file's last character;
 * - whether it is blank (pop's down files);
 * - lines that hold `--`: `-- migrate:up transaction:false` (dbmate), `-- +goose Up`, `NO
 *   TRANSACTION`, `StatementBegin` (goose), `-- no-transaction` at the top (sqlx), `-->
 *   statement-breakpoint` (drizzle). Three of these tests run over the whole text with `\s*`
 *   after the `--`, which can reach the next lines: a `--` ending the text before the fix could
 *   read the fix's first word.
 * None reads a statement's own words (no search for BEGIN or CONCURRENTLY). Not listed, so always
 * read again: Liquibase (a `*\/` line closes a rollback block; XML and YAML changelogs) and the
 * frameworks of code files, whose sections come from calls found by scanning the code.
 * test/rules/fix-keeps-sections.test.ts rewrites every statement line of every fixture of these
 * frameworks with the words their markers use and compares the sections.
 */
export const SECTIONS_FROM_LINES: ReadonlySet<FrameworkId> = new Set<FrameworkId>([
  "golang-migrate",
  "sqlx",
  "flyway",
  "diesel",
  "prisma",
  "drizzle",
  "plain-sql",
  "sqitch",
  "pop",
  "dbmate",
  "goose",
]);

const count = (text: string, char: string): number => {
  let n = 0;
  for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) n++;
  return n;
};

const hasComment = (text: string): boolean => text.includes("--") || text.includes("/*");

/**
 * Whether `framework` detects the migration with `fix` applied to the file of `lines` (its text
 * split on "\n") with the sections it has without it (as sameSections compares them; also with
 * other such fixes on other lines, each keeping every line where it was). True when:
 * - the replaced lines and the lines written hold no comment and are not blank, with as many line
 *   breaks, and neither ends with a line break (what is written after the one applyFix drops; the
 *   empty line after a file's last line break): every other line keeps its text and its number,
 *   and the file its last line (the last character is a line break in both or in neither) and
 *   its blankness;
 * - the text before the fix does not end with `--` (after blank space), which a marker test
 *   running on to the next lines would read with the fix's first words.
 */
export function fixKeepsSections(framework: FrameworkId, fix: Fix, lines: readonly string[]): boolean {
  if (!SECTIONS_FROM_LINES.has(framework) || fix.line < 1 || fix.endLine < fix.line || fix.endLine > lines.length) return false;
  const written = fix.replacement.endsWith("\n") ? fix.replacement.slice(0, -1) : fix.replacement;
  const replaced = lines.slice(fix.line - 1, fix.endLine).join("\n");
  if (hasComment(written) || hasComment(replaced) || written.trim() === "" || replaced.trim() === "") return false;
  if (written.endsWith("\n") || replaced.endsWith("\n")) return false;
  if (count(written, "\n") !== fix.endLine - fix.line) return false;
  for (let line = fix.line - 1; line >= 1; line--) {
    const before = (lines[line - 1] ?? "").trimEnd();
    if (before !== "") return !before.endsWith("--");
  }
  return true;
}

/** The sections as detection lays them out: the same in the fixed migration keeps every statement's transaction. */
export function sameSections(a: readonly MigrationSection[], b: readonly MigrationSection[]): boolean {
  return (
    a.length === b.length &&
    a.every((s, i) => {
      const t = b[i];
      return (
        t !== undefined &&
        s.path === t.path &&
        s.direction === t.direction &&
        s.language === t.language &&
        s.inTransaction === t.inTransaction &&
        s.oneQuery === t.oneQuery &&
        s.sql === undefined &&
        t.sql === undefined &&
        s.startLine === t.startLine &&
        s.endLine === t.endLine
      );
    })
  );
}
