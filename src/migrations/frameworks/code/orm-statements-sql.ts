/**
 * The PostgreSQL statements that ORM schema calls issue (Rails, Django, Alembic, Laravel), built
 * from a neutral description of each call. The ORM readers (orm-statements-<orm>.ts) say what a
 * call does; this file says it in SQL, one line per statement, so that the statement rules read
 * an ORM migration as they read a SQL one. Identifiers are always double-quoted, as the ORMs
 * quote them (a table named "Users" or "order" stays that table).
 */

import { type GeneratedStatement, generatedSectionText } from "../../generated-sql.js";
import type { MigrationSection } from "../../model.js";

export interface OrmColumn {
  name: string;
  /** The SQL type as the ORM declares it ("character varying", "bigint", "timestamp(6) without time zone"). */
  type: string;
  notNull?: boolean;
  /** A SQL expression, already rendered (`sqlLiteral`, or the raw expression the migration gives). */
  default?: string;
  primaryKey?: boolean;
  unique?: boolean;
  /** An inline REFERENCES (CREATE TABLE only: ADD COLUMN with a reference is `addForeignKey` after it). */
  references?: { table: string; column?: string };
}

export type OrmOperation =
  | { kind: "createTable"; table: string; columns: OrmColumn[]; primaryKey?: string[] }
  | { kind: "dropTable"; table: string }
  | { kind: "renameTable"; from: string; to: string }
  | { kind: "addColumn"; table: string; column: OrmColumn }
  | { kind: "dropColumn"; table: string; column: string }
  | { kind: "renameColumn"; table: string; from: string; to: string }
  | { kind: "alterType"; table: string; column: string; type: string; using?: string }
  | { kind: "setNotNull" | "dropNotNull" | "dropDefault"; table: string; column: string }
  | { kind: "setDefault"; table: string; column: string; default: string }
  | {
      kind: "createIndex";
      table: string;
      /** Column names, or expressions when `expressions` is set. */
      columns: string[];
      expressions?: boolean;
      name?: string;
      unique?: boolean;
      concurrently?: boolean;
      where?: string;
      using?: string;
    }
  | { kind: "dropIndex"; name: string; concurrently?: boolean }
  | { kind: "addForeignKey"; table: string; columns: string[]; refTable: string; refColumns: string[]; name?: string; notValid?: boolean }
  | { kind: "addCheck"; table: string; expression: string; name?: string; notValid?: boolean }
  | { kind: "addUnique"; table: string; columns: string[]; name?: string }
  | { kind: "validateConstraint"; table: string; name: string }
  | { kind: "dropConstraint"; table: string; name: string };

/** `"name"`, with `"` doubled; `schema.table` becomes `"schema"."table"`. */
export function quoteName(name: string, qualified = false): string {
  const parts = qualified ? name.split(".") : [name];
  return parts.map((part) => `"${part.replace(/"/g, '""')}"`).join(".");
}

const table = (name: string): string => quoteName(name, true);

/** A string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function columnSql(column: OrmColumn): string {
  const parts = [quoteName(column.name), column.type];
  if (column.default !== undefined) parts.push(`DEFAULT ${column.default}`);
  if (column.primaryKey) parts.push("PRIMARY KEY");
  else if (column.notNull) parts.push("NOT NULL");
  if (column.unique) parts.push("UNIQUE");
  if (column.references) {
    const referenced = column.references.column ? ` (${quoteName(column.references.column)})` : "";
    parts.push(`REFERENCES ${table(column.references.table)}${referenced}`);
  }
  return parts.join(" ");
}

const names = (columns: readonly string[]): string => columns.map((column) => quoteName(column)).join(", ");

/** The one statement an operation issues. */
export function operationSql(op: OrmOperation): string {
  switch (op.kind) {
    case "createTable": {
      const parts = op.columns.map(columnSql);
      if (op.primaryKey && op.primaryKey.length > 0) parts.push(`PRIMARY KEY (${names(op.primaryKey)})`);
      return `CREATE TABLE ${table(op.table)} (${parts.join(", ")})`;
    }
    case "dropTable":
      return `DROP TABLE ${table(op.table)}`;
    case "renameTable":
      return `ALTER TABLE ${table(op.from)} RENAME TO ${quoteName(op.to)}`;
    case "addColumn":
      return `ALTER TABLE ${table(op.table)} ADD COLUMN ${columnSql(op.column)}`;
    case "dropColumn":
      return `ALTER TABLE ${table(op.table)} DROP COLUMN ${quoteName(op.column)}`;
    case "renameColumn":
      return `ALTER TABLE ${table(op.table)} RENAME COLUMN ${quoteName(op.from)} TO ${quoteName(op.to)}`;
    case "alterType":
      return `ALTER TABLE ${table(op.table)} ALTER COLUMN ${quoteName(op.column)} TYPE ${op.type}${op.using ? ` USING ${op.using}` : ""}`;
    case "setNotNull":
      return `ALTER TABLE ${table(op.table)} ALTER COLUMN ${quoteName(op.column)} SET NOT NULL`;
    case "dropNotNull":
      return `ALTER TABLE ${table(op.table)} ALTER COLUMN ${quoteName(op.column)} DROP NOT NULL`;
    case "dropDefault":
      return `ALTER TABLE ${table(op.table)} ALTER COLUMN ${quoteName(op.column)} DROP DEFAULT`;
    case "setDefault":
      return `ALTER TABLE ${table(op.table)} ALTER COLUMN ${quoteName(op.column)} SET DEFAULT ${op.default}`;
    case "createIndex": {
      const head = `CREATE ${op.unique ? "UNIQUE " : ""}INDEX ${op.concurrently ? "CONCURRENTLY " : ""}${op.name ? `${quoteName(op.name)} ` : ""}`;
      const columns = op.expressions ? op.columns.join(", ") : names(op.columns);
      return `${head}ON ${table(op.table)}${op.using ? ` USING ${op.using}` : ""} (${columns})${op.where ? ` WHERE ${op.where}` : ""}`;
    }
    case "dropIndex":
      return `DROP INDEX ${op.concurrently ? "CONCURRENTLY " : ""}${quoteName(op.name, true)}`;
    case "addForeignKey": {
      const constraint = op.name ? `CONSTRAINT ${quoteName(op.name)} ` : "";
      return `ALTER TABLE ${table(op.table)} ADD ${constraint}FOREIGN KEY (${names(op.columns)}) REFERENCES ${table(op.refTable)} (${names(op.refColumns)})${op.notValid ? " NOT VALID" : ""}`;
    }
    case "addCheck": {
      const constraint = op.name ? `CONSTRAINT ${quoteName(op.name)} ` : "";
      return `ALTER TABLE ${table(op.table)} ADD ${constraint}CHECK (${op.expression})${op.notValid ? " NOT VALID" : ""}`;
    }
    case "addUnique": {
      const constraint = op.name ? `CONSTRAINT ${quoteName(op.name)} ` : "";
      return `ALTER TABLE ${table(op.table)} ADD ${constraint}UNIQUE (${names(op.columns)})`;
    }
    case "validateConstraint":
      return `ALTER TABLE ${table(op.table)} VALIDATE CONSTRAINT ${quoteName(op.name)}`;
    case "dropConstraint":
      return `ALTER TABLE ${table(op.table)} DROP CONSTRAINT ${quoteName(op.name)}`;
  }
}

/** Statements at one line: the operations' SQL, in order. */
export function statementsAt(line: number, ops: readonly OrmOperation[]): GeneratedStatement[] {
  return ops.map((op) => ({ line, sql: operationSql(op) }));
}

/** Removes the quotes of a plain string literal (`'x'`, `"x"`, Python `r'x'`/`u"x"`), or undefined. */
export function plainString(literal: string): string | undefined {
  const match = /^[rRuU]?(['"])((?:\\.|(?!\1)[^\\])*)\1$/s.exec(literal.trim());
  if (!match) return undefined;
  return (match[2] ?? "").replace(/\\(['"\\])/g, "$1").replace(/\\n/g, "\n");
}

/**
 * Raw SQL from a migration as a generated statement: at the line where its text starts, keeping
 * its line breaks so that each of its statements lands on its own line. Undefined when it holds a
 * driver placeholder (`%s`, `%(name)s`, `?`-free forms are left to the caller, which knows its
 * language's interpolation): the SQL that runs is then unknown, and a guess would parse wrong.
 */
export function rawStatement(line: number, sql: string): GeneratedStatement | undefined {
  if (/%\(\w+\)s|%s\b/.test(sql) || sql.trim() === "") return undefined;
  // Text that opens with a line break (a triple-quoted string) starts its SQL on a later line.
  const lead = /^\s*/.exec(sql)?.[0] ?? "";
  return { line: line + (lead.match(/\n/g)?.length ?? 0), sql: sql.slice(lead.length) };
}

/**
 * A code section that now carries the SQL its calls issue (the engine then reads it as SQL at the
 * calls' lines). With no statement read, the section stays as it was: code the analyser skips.
 */
export function withGeneratedSql(section: MigrationSection, statements: readonly GeneratedStatement[]): MigrationSection {
  if (statements.length === 0) return section;
  return { ...section, ...generatedSectionText([...statements].sort((a, b) => a.line - b.line)) };
}

/**
 * Like `withGeneratedSql`, for code whose calls may run outside the migration's transaction
 * (Alembic's `autocommit_block()`): one section per run of statements on the same side of it, in
 * order, each laid out on the file's lines.
 */
export function sectionsByTransaction(
  section: MigrationSection,
  statements: ReadonlyArray<GeneratedStatement & { outsideTransaction: boolean }>,
): MigrationSection[] {
  if (statements.length === 0) return [section];
  return runsOf(statements, (statement) => statement.outsideTransaction).map((run) => ({
    ...section,
    inTransaction: section.inTransaction && run[0]?.outsideTransaction !== true,
    ...generatedSectionText(run.map(({ line, sql }) => ({ line, sql }))),
  }));
}

/**
 * The items in order, cut into runs of consecutive items with the same `key` (statements on the
 * same side of a transaction): each run becomes one section the analyser follows on its own.
 */
export function runsOf<T>(items: readonly T[], key: (item: T) => boolean): T[][] {
  const runs: T[][] = [];
  for (const item of items) {
    const run = runs[runs.length - 1];
    if (run?.[0] !== undefined && key(run[0]) === key(item)) run.push(item);
    else runs.push([item]);
  }
  return runs;
}
