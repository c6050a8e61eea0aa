/**
 * Reading the literal values of Python migration calls (Django operations, Alembic `op.*`):
 * calls with their positional and keyword arguments, strings (implicitly concatenated ones too),
 * lists of names and defaults as SQL. Anything that is not a plain literal reads as undefined:
 * the caller then issues no statement, or leaves that part out, rather than guess.
 */

import { matchingBracket, splitArguments } from "./brackets.js";
import { maskCode } from "./mask.js";
import { sqlString } from "./orm-statements-sql.js";

/** An argument's original text and its offset in the file. */
export interface PyValue {
  text: string;
  start: number;
}

export interface PyCall {
  /** The dotted callee as written: `migrations.AddField`, `sa.Column`, `op.f`. */
  callee: string;
  /** Its last part: `AddField`, `Column`, `f`. */
  name: string;
  positional: PyValue[];
  keywords: Map<string, PyValue>;
  /** Offsets of the call in the text it was read from: the callee's start and the closing bracket. */
  start: number;
  end: number;
}

/**
 * The call at `at` in `text` (`masked` is the same text with strings and comments blanked), or
 * undefined when the expression there is not a call.
 */
export function pyCallAt(text: string, masked: string, at: number): PyCall | undefined {
  const head = /^([A-Za-z_][\w.]*)\s*\(/.exec(masked.slice(at, at + 200));
  if (!head) return undefined;
  const open = at + head[0].length - 1;
  const close = matchingBracket(masked, open);
  if (close < 0) return undefined;
  const callee = head[1] ?? "";
  const call: PyCall = { callee, name: callee.split(".").pop() ?? callee, positional: [], keywords: new Map(), start: at, end: close };
  for (const argument of splitArguments(masked, open + 1, close)) {
    const named = /^([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(argument.masked);
    if (argument.masked.startsWith("*")) continue;
    if (named) {
      const start = argument.start + named[0].length;
      call.keywords.set(named[1] ?? "", { text: text.slice(start, argument.end), start });
    } else call.positional.push({ text: text.slice(argument.start, argument.end), start: argument.start });
  }
  return call;
}

/** The call that a value is (`models.CharField(max_length=20)`), read on its own. */
export function pyCall(value: PyValue | undefined): PyCall | undefined {
  if (!value) return undefined;
  const masked = maskCode(value.text, "python");
  const call = pyCallAt(value.text, masked, 0);
  if (!call || masked.slice(call.end + 1).trim() !== "") return undefined;
  const shift = (v: PyValue): PyValue => ({ text: v.text, start: v.start + value.start });
  return {
    ...call,
    positional: call.positional.map(shift),
    keywords: new Map([...call.keywords].map(([key, v]) => [key, shift(v)])),
    start: value.start,
    end: value.start + call.end,
  };
}

/** Argument `index`, or keyword `name` (Python lets either carry most parameters). */
export function argument(call: PyCall, index: number, name: string): PyValue | undefined {
  return call.keywords.get(name) ?? call.positional[index];
}

const STRING = /^([rRuUbB]{0,2})("""|'''|"|')/;

/**
 * A string literal's content: one literal, or several side by side (implicit concatenation,
 * usually in parentheses). Undefined for f-strings, `%`/`.format` expressions and anything else.
 */
export function pyString(value: PyValue | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let rest = (typeof value === "string" ? value : value.text).trim();
  if (rest.startsWith("(") && rest.endsWith(")")) rest = rest.slice(1, -1).trim();
  let content = "";
  let count = 0;
  while (rest !== "") {
    const opener = STRING.exec(rest);
    if (!opener) return undefined;
    const [whole, prefix = "", quote = ""] = opener;
    if (/[fF]/.test(prefix)) return undefined;
    let close = whole.length;
    while (close < rest.length && !rest.startsWith(quote, close)) close += rest.charAt(close) === "\\" ? 2 : 1;
    if (close >= rest.length) return undefined;
    const raw = rest.slice(whole.length, close);
    content += /[rR]/.test(prefix)
      ? raw
      : raw
          .replace(/\\n/g, "\n")
          .replace(/\\t/g, "\t")
          .replace(/\\(["'\\])/g, "$1");
    rest = rest.slice(close + quote.length).trim();
    count++;
  }
  return count > 0 ? content : undefined;
}

/** Where a string value's first literal opens: its content starts on that line. */
export function pyStringStart(value: PyValue): number {
  const quote = /["']/.exec(value.text);
  return value.start + (quote?.index ?? 0);
}

/** `["a", "b"]`, `("a", "b")` or `"a"` → names; undefined when one is not a plain string. */
export function pyNames(value: PyValue | undefined): string[] | undefined {
  if (!value) return undefined;
  const text = value.text.trim();
  const single = pyString(text);
  if (single !== undefined && !/^[[(]/.test(text)) return [single];
  if (!/^[[(][\s\S]*[\])]$/.test(text)) return undefined;
  const masked = maskCode(text, "python");
  const parts = splitArguments(masked, 1, text.length - 1).map((part) => pyString(text.slice(part.start, part.end)));
  return parts.every((part): part is string => part !== undefined) ? parts : undefined;
}

export function pyTrue(value: PyValue | undefined): boolean {
  return value?.text.trim() === "True";
}

export function pyFalse(value: PyValue | undefined): boolean {
  return value?.text.trim() === "False";
}

/** A default as SQL: numbers, strings, booleans, None; undefined for anything else (calls, names). */
export function pyLiteral(value: PyValue | undefined): string | undefined {
  if (!value) return undefined;
  const text = value.text.trim();
  if (/^-?\d+(?:\.\d+)?$/.test(text.replace(/_/g, ""))) return text.replace(/_/g, "");
  if (text === "True") return "true";
  if (text === "False") return "false";
  if (text === "None") return "NULL";
  const string = pyString(text);
  return string === undefined ? undefined : sqlString(string);
}
