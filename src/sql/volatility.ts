import type { Node } from "libpg-query";
import { NON_VOLATILE_FUNCTIONS, VOLATILE_FUNCTIONS } from "./lock-tables.js";
import { bodyOf, calledFunctions, defElems } from "./nodes.js";

/**
 * How often a function's value may change (pg_proc.provolatile). It decides whether ADD COLUMN …
 * DEFAULT f() stores one value in the catalog (IMMUTABLE, STABLE) or writes a value into every
 * row, a rewrite under ACCESS EXCLUSIVE (VOLATILE).
 */
export type Volatility = "immutable" | "stable" | "volatile";

/** A call that makes a default volatile: known to be (built in, or created without IMMUTABLE/STABLE), or not known either way. */
export interface VolatileCall {
  fn: string;
  known: boolean;
}

/**
 * A function's volatility by its unqualified, lower-case name. Built-ins come first: pg_catalog is
 * searched before any schema of the search_path. Then the functions the analysed migrations
 * created (`created`). Anything else is unknown and taken as volatile, CREATE FUNCTION's default.
 */
export function functionVolatility(name: string, created: (name: string) => Volatility | undefined): { volatility: Volatility; known: boolean } {
  if (VOLATILE_FUNCTIONS.has(name)) return { volatility: "volatile", known: true };
  if (NON_VOLATILE_FUNCTIONS.has(name)) return { volatility: "stable", known: true };
  const declared = created(name);
  return declared ? { volatility: declared, known: true } : { volatility: "volatile", known: false };
}

/** The call that makes an expression volatile, preferring one known to be volatile; undefined when every call is immutable or stable. */
export function volatileCall(expr: Node | undefined, created: (name: string) => Volatility | undefined): VolatileCall | undefined {
  let unknown: VolatileCall | undefined;
  for (const fn of calledFunctions(expr)) {
    const { volatility, known } = functionVolatility(fn, created);
    if (volatility !== "volatile") continue;
    if (known) return { fn, known };
    unknown ??= { fn, known };
  }
  return unknown;
}

/** The volatility a CREATE FUNCTION or ALTER FUNCTION option list sets; undefined when it sets none. */
export function declaredVolatility(options: readonly Node[] | undefined): Volatility | undefined {
  for (const def of defElems(options)) {
    const value = def.defname === "volatility" ? bodyOf(def.arg, "String")?.sval : undefined;
    if (value === "immutable" || value === "stable" || value === "volatile") return value;
  }
  return undefined;
}
