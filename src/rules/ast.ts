import type { AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, Node, RangeVar, TypeName } from "libpg-query";

/**
 * Small readers over libpg-query's AST shared by the rules. The AST is `{ Kind: {...} }` objects;
 * these helpers keep the unwrapping in one place.
 */

/** The inner node of `kind`, or undefined: `nodeOf(stmt.node, "IndexStmt")`. */
export function nodeOf<T>(node: Node | undefined, kind: string): T | undefined {
  return (node as Record<string, unknown> | undefined)?.[kind] as T | undefined;
}

/** The unqualified name of a relation reference. */
export function relationName(relation: RangeVar | undefined): string | undefined {
  return relation?.relname;
}

/** ALTER TABLE's target and its subcommands (empty for anything else). */
export function alterTable(node: Node): { table: string | undefined; stmt: AlterTableStmt | undefined; commands: AlterTableCmd[] } {
  const stmt = nodeOf<AlterTableStmt>(node, "AlterTableStmt");
  const commands = (stmt?.cmds ?? []).map((cmd) => nodeOf<AlterTableCmd>(cmd, "AlterTableCmd")).filter((c): c is AlterTableCmd => c !== undefined);
  return { table: relationName(stmt?.relation), stmt, commands };
}

export function columnDefOf(node: Node | undefined): ColumnDef | undefined {
  return nodeOf<ColumnDef>(node, "ColumnDef");
}

export function constraintOf(node: Node | undefined): Constraint | undefined {
  return nodeOf<Constraint>(node, "Constraint");
}

/** The constraints written inline on a column definition. */
export function columnConstraints(column: ColumnDef): Constraint[] {
  return (column.constraints ?? []).map(constraintOf).filter((c): c is Constraint => c !== undefined);
}

/** A type's name without the pg_catalog prefix, lower-case: "int4", "varchar", "timestamptz". */
export function typeNameOf(type: TypeName | undefined): string | undefined {
  const names = (type?.names ?? []).map((n) => nodeOf<{ sval?: string }>(n, "String")?.sval).filter((s): s is string => !!s);
  return names.at(-1)?.toLowerCase();
}

/** The integer modifiers of a type, e.g. [255] for varchar(255). */
export function typeModifiers(type: TypeName | undefined): number[] {
  return (type?.typmods ?? [])
    .map((m) => nodeOf<{ ival?: { ival?: number } }>(m, "A_Const")?.ival?.ival)
    .filter((n): n is number => typeof n === "number");
}
