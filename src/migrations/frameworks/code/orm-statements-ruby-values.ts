/**
 * Reading the literal values of Ruby migration calls (ActiveRecord): names given as symbols or
 * strings, lists of them, keyword options (`null: false`, `:default => 0`, `index: { unique: true }`)
 * and column defaults as SQL. Anything that is not a plain literal reads as undefined: the caller
 * then issues no statement, or leaves that part out, rather than guess.
 */

import { type Argument, splitArguments } from "./brackets.js";
import { isKeywordArgument } from "./call-arguments.js";
import { sqlString } from "./orm-statements-sql.js";

/** An argument with its original text (strings unmasked). */
export interface RubyArgument extends Argument {
  text: string;
}

export function withText(text: string, args: readonly Argument[]): RubyArgument[] {
  return args.map((argument) => ({ ...argument, text: text.slice(argument.start, argument.end) }));
}

export function positional(args: readonly RubyArgument[]): RubyArgument[] {
  return args.filter((argument) => !isKeywordArgument(argument) && !argument.masked.startsWith("&"));
}

/** `:users`, `"users"`, `'users'`, `:"users"` → users. */
export function rubyName(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const symbol = /^:([A-Za-z_]\w*[?!]?)$/.exec(trimmed) ?? /^:?(["'])([^"'#\\]*)\1$/.exec(trimmed);
  if (!symbol) return undefined;
  return symbol.length === 2 ? symbol[1] : symbol[2];
}

/** `[:a, :b]`, `%i[a b]`, `%w(a b)`, or one name → the names; undefined if any is not a literal. */
export function rubyNames(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const words = /^%[iIwW][[(]([^\])]*)[\])]$/.exec(trimmed);
  if (words) return (words[1] ?? "").split(/\s+/).filter((word) => word !== "");
  if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
    const inner = trimmed.slice(1, -1);
    const parts = inner
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "");
    const read = parts.map(rubyName);
    return read.every((name): name is string => name !== undefined) ? read : undefined;
  }
  const one = rubyName(trimmed);
  return one === undefined ? undefined : [one];
}

/** The original text of keyword option `name` (`name: v` or `:name => v`), if given. */
export function keyword(args: readonly RubyArgument[], name: string): string | undefined {
  const pattern = new RegExp(`^(?:${name}:(?!:)|:${name}\\s*=>)\\s*`);
  for (const argument of args) {
    const match = pattern.exec(argument.masked);
    if (match) return argument.text.slice(match[0].length).trim();
  }
  return undefined;
}

/** The entries of a `{ a: 1, b: 2 }` hash (original text), as arguments; undefined if not a hash. */
export function hashEntries(text: string | undefined): RubyArgument[] | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!trimmed.startsWith("{") || !trimmed.endsWith("}")) return undefined;
  // Masking strings inside the hash: a comma in a string must not split it.
  const masked = trimmed.replace(/(["'])(?:\\.|(?!\1)[^\\])*\1/g, (literal) => literal.charAt(0) + " ".repeat(literal.length - 2) + literal.charAt(0));
  return withText(trimmed, splitArguments(masked, 1, trimmed.length - 1));
}

export function isTrue(text: string | undefined): boolean {
  return text !== undefined && /^(?:true|:true)$/.test(text.trim());
}

export function isFalse(text: string | undefined): boolean {
  return text !== undefined && text.trim() === "false";
}

/** A Ruby string literal's content: single-quoted, or double-quoted without interpolation. */
export function rubyString(text: string): string | undefined {
  const trimmed = text.trim();
  const single = /^'((?:\\.|[^'\\])*)'$/s.exec(trimmed);
  if (single) return (single[1] ?? "").replace(/\\(['\\])/g, "$1");
  const double = /^"((?:\\.|[^"\\])*)"$/s.exec(trimmed);
  if (!double || (double[1] ?? "").includes("#{")) return undefined;
  return (double[1] ?? "").replace(/\\(["\\])/g, "$1").replace(/\\n/g, "\n");
}

/**
 * A column default as SQL: numbers, strings, symbols, booleans, nil, empty arrays and hashes, and
 * `-> { "now()" }` (an expression Rails passes through). Undefined when it is anything else.
 */
export function rubyDefault(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const value = text.trim();
  if (/^-?\d+(?:\.\d+)?$/.test(value.replace(/_/g, ""))) return value.replace(/_/g, "");
  if (value === "true" || value === "false") return value;
  if (value === "nil") return "NULL";
  if (/^\[\s*\]$/.test(value)) return "'{}'";
  if (/^\{\s*\}$/.test(value)) return "'{}'";
  const symbol = /^:([A-Za-z_]\w*)$/.exec(value);
  if (symbol) return sqlString(symbol[1] ?? "");
  const lambda = /^(?:->|lambda)\s*(?:\(\s*\))?\s*\{\s*(.*?)\s*\}$/s.exec(value);
  if (lambda) {
    const expression = rubyString(lambda[1] ?? "");
    return expression === undefined || expression.trim() === "" ? undefined : expression;
  }
  const string = rubyString(value);
  return string === undefined ? undefined : sqlString(string);
}

const IRREGULAR = /(?:person|child|man|foot|tooth|mouse|goose|ox|data|info|status|news|series|species|equipment|information)$/i;

/** ActiveRecord's table for a reference (`:user` → users), for regular English words only. */
export function pluralTable(name: string): string | undefined {
  if (IRREGULAR.test(name)) return undefined;
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}

/** The column of a reference to `table` (`:users` → user_id), for regular English plurals only. */
export function singularColumn(table: string): string | undefined {
  const last = table.split(".").pop() ?? table;
  if (IRREGULAR.test(last)) return undefined;
  if (/ies$/.test(last)) return `${last.slice(0, -3)}y_id`;
  if (/(?:sses|xes|zes|ches|shes)$/.test(last)) return `${last.slice(0, -2)}_id`;
  if (/[^s]s$/.test(last)) return `${last.slice(0, -1)}_id`;
  return undefined;
}
