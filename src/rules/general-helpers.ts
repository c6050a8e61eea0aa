import type { TypeName } from "libpg-query";
import type { Migration, MigrationSection } from "../migrations/model.js";
import type { NewColumn } from "../sql/effects.js";
import { alterTableOf, bodyOf, strings } from "../sql/nodes.js";
import type { SourceText } from "../sql/source-text.js";
import { isNeutral, raisesUnconditionally } from "../sql/statements.js";
import type { AnalyzedStatement, SectionAnalysis } from "./types.js";

/**
 * Helpers shared by the general rules (rollback, destructive, compatibility, idempotency,
 * transaction and type hygiene) about statements in their files: lines, sections, what the
 * migration created. What a statement does is read in src/sql (effects, statements, column types).
 */

const SQL_COMMENTS = /--[^\n]*|\/\*[\s\S]*?\*\//g;

/** A down whose first statement that does anything raises: it declares it cannot be undone. */
export function downRaises(statements: readonly AnalyzedStatement[]): boolean {
  const first = firstEffective(statements);
  return first !== undefined && raisesUnconditionally(first.node);
}

export function firstEffective(statements: readonly AnalyzedStatement[]): AnalyzedStatement | undefined {
  return statements.find((s) => !isNeutral(s.node));
}

/**
 * The line of a node inside a statement, from the node's parser location (a byte offset from the
 * start of the parsed section). Checked against the text, which must start with `expected` there;
 * the statement's first line when that cannot be established (non-ASCII text before it, or a file
 * that was parsed piece by piece after a syntax error).
 */
function lineAt(statement: AnalyzedStatement, location: number | undefined, expected: string): number {
  if (location === undefined || location < 0) return statement.line;
  const offset = statement.section.start + location - statement.start;
  if (offset < 0 || offset >= statement.text.length) return statement.line;
  const there = statement.text.slice(offset, offset + expected.length + 1).toLowerCase();
  const want = expected.toLowerCase();
  if (!there.startsWith(want) && !there.startsWith(`"${want}`)) return statement.line;
  // Counted in place: a slice and a regex per column of every CREATE TABLE cost more than the rule that asked.
  let lines = 0;
  for (let at = statement.text.indexOf("\n"); at !== -1 && at < offset; at = statement.text.indexOf("\n", at + 1)) lines++;
  return statement.line + lines;
}

/** Where a column is defined, for findings about one column of a long CREATE TABLE. */
export function columnLine(statement: AnalyzedStatement, column: NewColumn): number {
  return lineAt(statement, column.column.location, column.name);
}

/** A column given a type by a statement: a new column (CREATE TABLE, ADD COLUMN) or an `ALTER COLUMN … TYPE`. */
export interface TypedColumn {
  name: string;
  typeName: TypeName | undefined;
  line: number;
}

/**
 * The columns a statement declares or changes the type of, for the type-hygiene rules: a column
 * changed to varchar(n) or json is as much a choice of type as a new one.
 */
export function typedColumns(statement: AnalyzedStatement): readonly TypedColumn[] {
  if (lastTyped?.statement !== statement) lastTyped = { statement, typed: findTypedColumns(statement) };
  return lastTyped.typed;
}

/**
 * typedColumns of the last statement asked about: the type-hygiene rules (jsonb, text,
 * timestamptz) ask for the same statement's one after the other. (A WeakMap of every statement's
 * cost more to fill, and to collect, than the columns cost to find.)
 */
let lastTyped: { statement: AnalyzedStatement; typed: readonly TypedColumn[] } | undefined;

function findTypedColumns(statement: AnalyzedStatement): TypedColumn[] {
  const typed = statement.effects.adds.columns.map((column) => ({ name: column.name, typeName: column.column.typeName, line: columnLine(statement, column) }));
  for (const command of alterTableOf(statement.node).commands) {
    const column = command.subtype === "AT_AlterColumnType" ? bodyOf(command.def, "ColumnDef") : undefined;
    if (!column || !command.name) continue;
    // The type's location, checked against its last name as written ("varchar"); the statement's line otherwise.
    const written = strings(column.typeName?.names).at(-1) ?? "";
    typed.push({ name: command.name, typeName: column.typeName, line: lineAt(statement, column.typeName?.location, written) });
  }
  return typed;
}

/** Every section is SQL: the rollback can be read statement by statement. */
export function isSqlMigration(migration: Migration): boolean {
  return migration.sections.length > 0 && migration.sections.every((s) => s.language === "sql");
}

/**
 * Where to point at a section as a whole: the line of its marker (`-- migrate:down`,
 * `-- +goose Down`) when it has one, else the first line of its file.
 */
export function sectionLine(section: MigrationSection, sources: ReadonlyMap<string, SourceText>): number {
  const source = sources.get(section.path);
  if (!source || section.start <= 0) return 1;
  return source.position(Math.min(section.start - 1, Math.max(0, source.text.length - 1))).line;
}

/**
 * A down section that does nothing: no statement and nothing else but comments. (A section whose
 * text does not parse is not empty: syntax-error reports it.)
 */
export function isEmptySection(analysis: SectionAnalysis, sources: ReadonlyMap<string, SourceText>, framework: Migration["framework"]): boolean {
  if (analysis.statements.length > 0) return false;
  const source = sources.get(analysis.section.path);
  if (!source) return true;
  let text = source.text.slice(analysis.section.start, analysis.section.end);
  if (framework === "liquibase") text = text.replace(/^([ \t]*)--rollback\b/gm, "$1");
  return text.replace(SQL_COMMENTS, "").replace(/;/g, "").trim() === "";
}

/** The relation was created earlier in this migration (new, so empty and unused). */
export function isCreatedHere(statement: AnalyzedStatement, name: string | undefined): boolean {
  if (name === undefined) return false;
  return statement.createdRelations.has(name) || statement.createdRelations.has(name.toLowerCase());
}
