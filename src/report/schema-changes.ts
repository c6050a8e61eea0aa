import type { Constraint } from "libpg-query";
import type { AnalyzedStatement } from "../rules/types.js";
import type { ColumnType } from "../sql/column-types.js";
import { typeText } from "../sql/column-types.js";
import type { CreatedObject, NewColumn } from "../sql/effects.js";
import { alterTableOf, constraintsOf, strings } from "../sql/nodes.js";
import { inlineCode } from "./markdown.js";

/**
 * Every schema object the up statements create or change, one phrase each, from the statements'
 * effects (src/sql/effects.ts) and lock model (type changes): what the Task Report says the
 * migrations did. A foreign key names the table it references: that table's writes and deletes
 * now check it.
 */

function qualified(name: string, schema: string | undefined): string {
  return schema ? `${schema}.${name}` : name;
}

function createdPhrase(object: CreatedObject): string | undefined {
  if (object.kind === "index") {
    if (!object.table) return undefined;
    const name = object.name ? `${inlineCode(object.name)} ` : "";
    return `${object.unique ? "unique index" : "index"} ${name}on ${inlineCode(`${object.table}(${(object.columns ?? []).join(", ")})`)} created`;
  }
  if (!object.name) return undefined;
  const name = qualified(object.name, object.schema);
  const kind = object.kind === "view" && object.materialized ? "materialized view" : object.kind;
  return `${kind} ${inlineCode(name)} ${object.replace ? "created or replaced" : "created"}`;
}

function columnPhrase(table: string | undefined, column: NewColumn): string {
  const type = typeText(column.column.typeName);
  const name = table ? `${table}.${column.name}` : column.name;
  return `column ${inlineCode(type ? `${name} ${type}` : name)} added`;
}

function columnTypeText(type: ColumnType): string {
  return `${type.name}${type.mods.length > 0 ? `(${type.mods.join(",")})` : ""}${type.array ? "[]" : ""}`;
}

const CONSTRAINT_KIND: Partial<Record<NonNullable<Constraint["contype"]>, string>> = {
  CONSTR_CHECK: "check constraint",
  CONSTR_UNIQUE: "unique constraint",
  CONSTR_PRIMARY: "primary key",
  CONSTR_EXCLUSION: "exclusion constraint",
};

/** A constraint added to `table`; `column` for one declared on a column (its keys are that column). */
function constraintPhrase(table: string, constraint: Constraint, column?: string): string | undefined {
  const name = constraint.conname ? `${inlineCode(constraint.conname)} ` : "";
  const notValid = constraint.skip_validation === true ? " (NOT VALID)" : "";
  if (constraint.contype === "CONSTR_FOREIGN") {
    const columns = column !== undefined ? [column] : strings(constraint.fk_attrs);
    const referenced = constraint.pktable?.relname;
    if (!referenced) return undefined;
    const target = qualified(referenced, constraint.pktable?.schemaname);
    const keys = strings(constraint.pk_attrs);
    return `foreign key ${name}on ${inlineCode(`${table}(${columns.join(", ")})`)} referencing ${inlineCode(keys.length > 0 ? `${target}(${keys.join(", ")})` : target)} added${notValid}`;
  }
  const kind = constraint.contype ? CONSTRAINT_KIND[constraint.contype] : undefined;
  if (!kind) return undefined;
  const keys = column !== undefined ? [column] : strings(constraint.keys);
  return `${kind} ${name}on ${inlineCode(keys.length > 0 ? `${table}(${keys.join(", ")})` : table)} added${notValid}`;
}

/** Column-level constraints of new columns: a foreign key declared with REFERENCES on the column is one. */
function columnConstraintPhrases(table: string | undefined, column: NewColumn): string[] {
  if (!table) return [];
  return constraintsOf(column.column.constraints).flatMap((c) => {
    // NOT NULL, DEFAULT and the like are part of the column, not objects of their own.
    if (c.contype !== "CONSTR_FOREIGN" && c.contype !== "CONSTR_CHECK" && c.contype !== "CONSTR_UNIQUE" && c.contype !== "CONSTR_PRIMARY") return [];
    const phrase = constraintPhrase(table, c, column.name);
    return phrase ? [phrase] : [];
  });
}

/** ALTER COLUMN subcommands other than TYPE (the lock model reports those), and VALIDATE CONSTRAINT. */
function alteredPhrases(statement: AnalyzedStatement): string[] {
  // Only an ALTER TABLE's tree is read (and only it crosses from the analysis worker: analysis-transfer.ts).
  if (statement.kind !== "AlterTableStmt") return [];
  const { table, commands } = alterTableOf(statement.node);
  if (!table) return [];
  const out: string[] = [];
  for (const command of commands) {
    const column = command.name ? inlineCode(`${table}.${command.name}`) : undefined;
    if (command.subtype === "AT_SetNotNull" && column) out.push(`column ${column} set NOT NULL`);
    else if (command.subtype === "AT_DropNotNull" && column) out.push(`column ${column} made nullable`);
    else if (command.subtype === "AT_ColumnDefault" && column) out.push(`column ${column} default ${command.def ? "set" : "dropped"}`);
    else if (command.subtype === "AT_ValidateConstraint" && command.name) out.push(`constraint ${inlineCode(command.name)} on ${inlineCode(table)} validated`);
  }
  return out;
}

/** What one statement creates or changes. */
export function statementChanges(statement: AnalyzedStatement): string[] {
  const { creates, drops, renames, adds } = statement.effects;
  const out: string[] = [];
  for (const object of creates) {
    const phrase = createdPhrase(object);
    if (phrase) out.push(phrase);
  }
  const tableConstraints = new Set<Constraint>();
  for (const column of adds.columns) {
    if (!column.newTable) out.push(columnPhrase(column.table, column));
    out.push(...columnConstraintPhrases(column.table, column));
    if (column.newTable) for (const c of column.tableConstraints) tableConstraints.add(c);
  }
  const newTable = adds.columns.find((c) => c.newTable)?.table;
  if (newTable) for (const c of tableConstraints) out.push(...[constraintPhrase(newTable, c)].filter((p): p is string => p !== undefined));
  for (const { table, constraint } of adds.constraints) {
    const phrase = constraintPhrase(table, constraint);
    if (phrase) out.push(phrase);
  }
  for (const change of statement.locks.typeChanges ?? []) {
    out.push(`column ${inlineCode(`${change.table.relation}.${change.column}`)} type changed to ${inlineCode(columnTypeText(change.to))}`);
  }
  out.push(...alteredPhrases(statement));
  for (const drop of drops) {
    const name = drop.table && (drop.kind === "column" || drop.kind === "constraint" || drop.kind === "trigger") ? `${drop.table}.${drop.name}` : drop.name;
    out.push(`${drop.kind ?? "object"} ${inlineCode(name)} dropped${drop.cascade ? " (CASCADE)" : ""}`);
  }
  for (const rename of renames) {
    const from =
      rename.table && (rename.family === "column" || rename.family === "constraint" || rename.family === "trigger")
        ? `${rename.table}.${rename.from}`
        : rename.from;
    out.push(`${rename.family} ${inlineCode(from)} renamed to ${inlineCode(rename.to)}`);
  }
  return out;
}

/** What the up statements create or change, each once, in statement order. */
export function schemaChanges(statements: readonly AnalyzedStatement[]): string[] {
  return [...new Set(statements.filter((s) => s.direction === "up").flatMap(statementChanges))];
}
