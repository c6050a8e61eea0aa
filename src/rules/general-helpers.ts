import type { ColumnDef, Constraint, CreateStmt, DoStmt, DropStmt, Node, ObjectType, TransactionStmt } from "libpg-query";
import type { Migration, MigrationSection } from "../migrations/model.js";
import type { SourceText } from "../sql/source-text.js";
import { alterTable, columnConstraints, columnDefOf, constraintOf, nodeOf, relationName, typeNameOf } from "./ast.js";
import type { AnalyzedStatement, SectionAnalysis } from "./types.js";

/**
 * Helpers shared by the general rules (rollback, destructive, compatibility, idempotency,
 * transaction and type hygiene). The locking rules have theirs in ast.ts.
 */

function stringValue(node: Node | undefined): string | undefined {
  return nodeOf<{ sval?: string }>(node, "String")?.sval;
}

/** The parts of a possibly qualified name in a DROP's object list: ["public", "orders"]. */
export function objectNameParts(object: Node): string[] {
  const list = nodeOf<{ items?: Node[] }>(object, "List");
  if (list) return (list.items ?? []).map(stringValue).filter((s): s is string => s !== undefined);
  const single = stringValue(object);
  if (single !== undefined) return [single];
  const type = nodeOf<{ names?: Node[] }>(object, "TypeName");
  if (type) return (type.names ?? []).map(stringValue).filter((s): s is string => s !== undefined);
  const routine = nodeOf<{ objname?: Node[] }>(object, "ObjectWithArgs");
  if (routine) return (routine.objname ?? []).map(stringValue).filter((s): s is string => s !== undefined);
  return [];
}

/** The kinds of object the general rules tell apart. */
export type ObjectKind = "table" | "index" | "view" | "sequence" | "type" | "function" | "schema" | "trigger" | "extension";

const KIND_OF_OBJECT_TYPE: Partial<Record<ObjectType, ObjectKind>> = {
  OBJECT_TABLE: "table",
  OBJECT_FOREIGN_TABLE: "table",
  OBJECT_INDEX: "index",
  OBJECT_VIEW: "view",
  OBJECT_MATVIEW: "view",
  OBJECT_SEQUENCE: "sequence",
  OBJECT_TYPE: "type",
  OBJECT_DOMAIN: "type",
  OBJECT_FUNCTION: "function",
  OBJECT_PROCEDURE: "function",
  OBJECT_ROUTINE: "function",
  OBJECT_AGGREGATE: "function",
  OBJECT_SCHEMA: "schema",
  OBJECT_TRIGGER: "trigger",
  OBJECT_EXTENSION: "extension",
};

export function objectKind(type: ObjectType | undefined): ObjectKind | undefined {
  return type ? KIND_OF_OBJECT_TYPE[type] : undefined;
}

/** The words SQL uses for an object type: "TABLE", "MATERIALIZED VIEW". */
export function objectTypeWords(type: ObjectType | undefined): string {
  return (type ?? "OBJECT_TABLE").replace(/^OBJECT_/, "").replace("MATVIEW", "MATERIALIZED VIEW").replace(/_/g, " ");
}

interface DroppedObject {
  kind: ObjectKind | undefined;
  /** Unqualified, lower-case. */
  name: string;
  /** For triggers (`DROP TRIGGER t ON table`): the table, lower-case. */
  table?: string;
}

/** What a DROP statement drops. */
export function droppedObjects(drop: DropStmt): DroppedObject[] {
  const kind = objectKind(drop.removeType);
  const objects: DroppedObject[] = [];
  for (const object of drop.objects ?? []) {
    const parts = objectNameParts(object).map((p) => p.toLowerCase());
    const name = parts.at(-1);
    if (!name) continue;
    if (kind === "trigger") {
      const table = parts.at(-2);
      objects.push(table ? { kind, name, table } : { kind, name });
    } else objects.push({ kind, name });
  }
  return objects;
}

export function dropOf(statement: { node: Node }): DropStmt | undefined {
  return nodeOf<DropStmt>(statement.node, "DropStmt");
}

/** The kind of a transaction-control statement (TRANS_STMT_BEGIN, …), or undefined. */
export function transactionKind(node: Node): string | undefined {
  return nodeOf<TransactionStmt>(node, "TransactionStmt")?.kind;
}

export function isBegin(node: Node): boolean {
  const kind = transactionKind(node);
  return kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START";
}

/** COMMIT, END, ROLLBACK, ABORT, PREPARE TRANSACTION: what ends a transaction block. */
export function isTransactionEnd(node: Node): boolean {
  const kind = transactionKind(node);
  return kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK" || kind === "TRANS_STMT_PREPARE";
}

/** Statements that change no schema and no data: transaction control and settings. */
function isNeutral(node: Node): boolean {
  return ["TransactionStmt", "VariableSetStmt", "VariableShowStmt"].some((kind) => nodeOf(node, kind) !== undefined);
}

/** Statements whose effects cannot be read from the SQL: DO blocks and CALL. */
export function isOpaque(node: Node): boolean {
  return nodeOf(node, "DoStmt") !== undefined || nodeOf(node, "CallStmt") !== undefined;
}

const SQL_COMMENTS = /--[^\n]*|\/\*[\s\S]*?\*\//g;

/**
 * A DO block (PL/pgSQL) whose body starts by raising an exception: it fails unconditionally,
 * the usual way of writing "this migration cannot be rolled back".
 */
export function raisesUnconditionally(node: Node): boolean {
  const block = nodeOf<DoStmt>(node, "DoStmt");
  if (!block) return false;
  let body: string | undefined;
  let language = "plpgsql";
  for (const arg of block.args ?? []) {
    const option = nodeOf<{ defname?: string; arg?: Node }>(arg, "DefElem");
    if (option?.defname === "as") body = stringValue(option.arg);
    if (option?.defname === "language") language = (stringValue(option.arg) ?? language).toLowerCase();
  }
  if (body === undefined || language !== "plpgsql") return false;
  const code = body.replace(SQL_COMMENTS, " ");
  return /^\s*(?:<<\w+>>\s*)?(?:DECLARE\b[\s\S]*?)?\bBEGIN\s+RAISE\b(?!\s+(?:DEBUG|LOG|INFO|NOTICE|WARNING)\b)/i.test(code);
}

/** A down whose first statement that does anything raises: it declares it cannot be undone. */
export function downRaises(statements: readonly AnalyzedStatement[]): boolean {
  const first = firstEffective(statements);
  return first !== undefined && raisesUnconditionally(first.node);
}

export function firstEffective(statements: readonly AnalyzedStatement[]): AnalyzedStatement | undefined {
  return statements.find((s) => !isNeutral(s.node));
}

/** A column a statement creates: in CREATE TABLE, or ALTER TABLE … ADD COLUMN. */
export interface NewColumn {
  column: ColumnDef;
  name: string;
  table: string | undefined;
  /** The table is created by this statement (CREATE TABLE) rather than altered. */
  newTable: boolean;
  /** Table-level constraints of the CREATE TABLE (for PRIMARY KEY (a, b)). */
  tableConstraints: Constraint[];
}

export function newColumns(statement: AnalyzedStatement): NewColumn[] {
  const create = nodeOf<CreateStmt>(statement.node, "CreateStmt");
  if (create) {
    const table = relationName(create.relation);
    const elements = create.tableElts ?? [];
    const tableConstraints = elements.map(constraintOf).filter((c): c is Constraint => c !== undefined);
    return elements
      .map(columnDefOf)
      .filter((c): c is ColumnDef => c?.colname !== undefined)
      .map((column) => ({ column, name: column.colname ?? "", table, newTable: true, tableConstraints }));
  }
  const { table, commands } = alterTable(statement.node);
  return commands
    .filter((command) => command.subtype === "AT_AddColumn")
    .map((command) => columnDefOf(command.def))
    .filter((c): c is ColumnDef => c?.colname !== undefined)
    .map((column) => ({ column, name: column.colname ?? "", table, newTable: false, tableConstraints: [] }));
}

export function hasColumnConstraint(column: ColumnDef, ...types: Array<Constraint["contype"]>): boolean {
  return columnConstraints(column).some((c) => types.includes(c.contype));
}

/** The column's type name ("int4", "varchar", "serial") and whether it is an array. */
export function columnType(column: ColumnDef): { name: string | undefined; array: boolean } {
  return { name: typeNameOf(column.typeName), array: (column.typeName?.arrayBounds ?? []).length > 0 };
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
  return statement.line + (statement.text.slice(0, offset).match(/\n/g)?.length ?? 0);
}

/** Where a column is defined, for findings about one column of a long CREATE TABLE. */
export function columnLine(statement: AnalyzedStatement, column: NewColumn): number {
  return lineAt(statement, column.column.location, column.name);
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

/** The names in a list of `String` nodes (constraint keys, index columns). */
export function stringList(nodes: Node[] | undefined): string[] {
  return (nodes ?? []).map(stringValue).filter((s): s is string => s !== undefined);
}
