import { syntaxError, unusedIgnore } from "./builtin.js";
import { GENERAL_RULES } from "./general-rules.js";
import { LOCKING_RULES } from "./locking-rules.js";
import type { Rule } from "./types.js";

/** Every rule. The registry is this one list: ids, docs and dispatch all derive from it. */
export const RULES: readonly Rule[] = [...LOCKING_RULES, ...GENERAL_RULES, syntaxError, unusedIgnore];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.id, rule]));
