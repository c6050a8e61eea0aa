import type { DefElem, Node } from "libpg-query";
import { bodyOf, defElems } from "./nodes.js";

/**
 * Generic options such as `VACUUM (FULL)`, `REINDEX (CONCURRENTLY)`: one reading for the lock
 * model and the rules, so that they cannot disagree on whether an option is on.
 */

/**
 * The Boolean value of an option, as Postgres reads it (defGetBoolean, src/backend/commands/define.c):
 * no argument → true; the integer 0 → false, 1 → true; the words true/on → true, false/off → false
 * (any case). Anything else Postgres refuses with "requires a Boolean value": undefined here.
 * The parser gives `(FULL true)` and `(FULL off)` as String nodes and `(FULL 0)` as an Integer node
 * (libpg-query leaves `ival` out when it is 0).
 */
export function defGetBoolean(option: DefElem): boolean | undefined {
  const arg = option.arg;
  if (!arg) return true;
  const integer = bodyOf(arg, "Integer");
  if (integer) {
    const value = integer.ival ?? 0;
    return value === 0 ? false : value === 1 ? true : undefined;
  }
  const bool = bodyOf(arg, "Boolean");
  if (bool) return bool.boolval === true;
  const text = (bodyOf(arg, "String")?.sval ?? bodyOf(arg, "Float")?.fval)?.toLowerCase();
  if (text === "true" || text === "on") return true;
  if (text === "false" || text === "off") return false;
  return undefined;
}

/**
 * Whether an option list (VACUUM, REINDEX, CLUSTER) turns `name` on: `(FULL)`, `(FULL true)`,
 * `(FULL 1)`, `(FULL on)`; not `(FULL false)`, `(FULL 0)`, `(FULL off)`. A value Postgres refuses
 * counts as off: the statement fails and takes no lock. The last mention wins, as in Postgres.
 */
export function optionOn(options: readonly Node[] | undefined, name: string): boolean {
  const option = defElems(options).findLast((d) => d.defname === name);
  return option !== undefined && defGetBoolean(option) === true;
}
