import type { ColumnDef, Constraint, Node, TypeName } from "libpg-query";
import { bodyOf, constraintsOf, strings } from "./nodes.js";

/**
 * Column types as written in DDL, reduced to Postgres's canonical names (pg_type.typname), and
 * whether changing one into another rewrites the table.
 */

export interface ColumnType {
  /** Canonical name: "varchar", "text", "numeric", "int4", "timestamptz", … */
  name: string;
  /** Type modifiers: varchar(n) → [n], numeric(p, s) → [p, s]. */
  mods: number[];
  array: boolean;
}

const TYPE_ALIASES: Record<string, string> = {
  int: "int4",
  integer: "int4",
  serial: "int4",
  serial4: "int4",
  smallint: "int2",
  smallserial: "int2",
  serial2: "int2",
  bigint: "int8",
  bigserial: "int8",
  serial8: "int8",
  decimal: "numeric",
  character: "bpchar",
  char: "bpchar",
  "character varying": "varchar",
  "bit varying": "varbit",
  boolean: "bool",
  real: "float4",
  "double precision": "float8",
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamptz",
};

export const SERIAL_TYPES = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

/** A type's name as written, without the pg_catalog prefix, lower-case: "int4", "varchar", "serial"; "" when none. */
export function typeNameOf(typeName: TypeName | undefined): string {
  // The last name that is a non-empty string, read from the end: no list of every name is made
  // (asked for each column of every CREATE TABLE and ADD COLUMN, by the lock model, facts and rules).
  const names = typeName?.names ?? [];
  for (let i = names.length - 1; i >= 0; i--) {
    const name = bodyOf(names[i], "String")?.sval;
    if (name) return name.toLowerCase();
  }
  return "";
}

/** The integer modifiers of a type as written, e.g. [255] for varchar(255) (non-integer ones left out). */
export function typeModifiers(typeName: TypeName | undefined): number[] {
  return (typeName?.typmods ?? []).map((m: Node) => bodyOf(m, "A_Const")?.ival?.ival).filter((n): n is number => typeof n === "number");
}

export function isArrayType(typeName: TypeName | undefined): boolean {
  return (typeName?.arrayBounds?.length ?? 0) > 0;
}

export function columnType(typeName: TypeName | undefined): ColumnType {
  const raw = typeNameOf(typeName);
  const mods = (typeName?.typmods ?? []).map((m) => bodyOf(m, "A_Const")?.ival?.ival ?? 0);
  return { name: TYPE_ALIASES[raw] ?? raw, mods, array: (typeName?.arrayBounds?.length ?? 0) > 0 };
}

/** Length-limited types where a wider (or no) limit keeps the stored bytes valid. */
const WIDENABLE: Record<string, string | undefined> = { varchar: "text", varbit: undefined };

/** What the session tells about a type change. */
export interface TypeChangeSession {
  /** The session TimeZone has a zero offset at all times (SET timezone = 'UTC' earlier). */
  utcSession?: boolean;
}

/**
 * Whether `ALTER COLUMN … TYPE` rewrites the table, when the old type is known. The no-rewrite
 * set is what Postgres treats as binary coercible without a length check: varchar(n) →
 * varchar(m ≥ n), varchar or text; text → varchar; numeric(p, s) → numeric(p2 ≥ p, s) or numeric;
 * varbit(n) → varbit(m ≥ n) or varbit; cidr → inet; the same type again. timestamp ↔ timestamptz
 * is free only when the session TimeZone is UTC (Postgres 12+): when `utcSession` says so.
 * Each verdict is checked by relfilenode in test/sql/rewrite-facts-pglite.test.ts.
 */
export function typeChangeRewrites(from: ColumnType, to: ColumnType, session: TypeChangeSession = {}): boolean {
  if (from.array !== to.array) return true;
  if (from.name === to.name && from.mods.join(",") === to.mods.join(",")) return false;
  if (from.array) return true;
  if (from.name === "cidr" && to.name === "inet") return false;
  if (isTimestampPair(from, to) && session.utcSession === true) return from.mods.join(",") !== to.mods.join(",");
  if (from.name === "text" && to.name === "varchar") return to.mods.length > 0;
  if (from.name === "numeric" && to.name === "numeric") {
    if (to.mods.length === 0) return false;
    if (from.mods.length === 0) return true;
    const [p = 0, s = 0] = from.mods;
    const [p2 = 0, s2 = 0] = to.mods;
    return !(s2 === s && p2 >= p);
  }
  if (from.name in WIDENABLE && (to.name === from.name || to.name === WIDENABLE[from.name])) {
    if (to.name !== from.name || to.mods.length === 0) return false;
    if (from.mods.length === 0) return true;
    return (to.mods[0] ?? 0) < (from.mods[0] ?? 0);
  }
  return true;
}

/** timestamp → timestamptz or back, same precision: the stored microseconds are the same in UTC. */
function isTimestampPair(from: ColumnType, to: ColumnType): boolean {
  return (from.name === "timestamp" && to.name === "timestamptz") || (from.name === "timestamptz" && to.name === "timestamp");
}

/** A column's type as written ("int4", "varchar", "serial"; undefined when none) and whether it is an array. */
export function declaredType(column: ColumnDef): { name: string | undefined; array: boolean } {
  return { name: typeNameOf(column.typeName) || undefined, array: isArrayType(column.typeName) };
}

/** Whether the column's definition carries a constraint of one of these types (NOT NULL, DEFAULT, PRIMARY KEY, …). */
export function hasColumnConstraint(column: ColumnDef, ...types: Array<Constraint["contype"]>): boolean {
  return constraintsOf(column.constraints).some((c) => types.includes(c.contype));
}

/** The type's name as written, qualified unless built in: "int4", "varchar", "public.citext" (modifiers left out). */
export function typeText(typeName: TypeName | undefined): string {
  return strings(typeName?.names)
    .filter((part) => part !== "pg_catalog")
    .join(".");
}
