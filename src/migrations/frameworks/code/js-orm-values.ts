import { type Argument, matchingBracket, splitArguments } from "./brackets.js";

/**
 * Literal values in JavaScript/TypeScript ORM calls, read from the file's text where the masked
 * code (./mask.ts) shows their shape. Anything that is not a plain literal (a variable, a call,
 * an interpolated template) reads as undefined: the caller then issues no statement for it.
 */
export interface JsCode {
  text: string;
  masked: string;
}

export interface JsString {
  value: string;
  /** Offset in the file of the string's first character (after the quote). */
  start: number;
}

/** A call found in masked code: its name, where it starts and its arguments. */
export interface JsCall {
  name: string;
  /** Offset of the receiver or name the match started at (the call's line). */
  at: number;
  open: number;
  close: number;
  args: Argument[];
}

/** A string literal argument: '…', "…" or a template without `${…}`. */
export function jsString(code: JsCode, argument: Argument | undefined): JsString | undefined {
  if (!argument) return undefined;
  const quote = argument.masked.charAt(0);
  if (!"'\"`".includes(quote) || argument.masked.length < 2 || argument.masked.charAt(argument.masked.length - 1) !== quote) return undefined;
  if (argument.masked.slice(1, -1).trim() !== "") return undefined;
  const raw = code.text.slice(argument.start + 1, argument.end - 1);
  if (quote === "`" && raw.includes("${")) return undefined;
  const value = raw.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|\n|.)/g, (_, escaped: string) => {
    if (escaped.startsWith("u")) return String.fromCodePoint(parseInt(escaped.replace(/[u{}]/g, ""), 16));
    return ({ n: "\n", t: "\t", r: "\r", "\n": "" } as Record<string, string>)[escaped] ?? escaped;
  });
  return { value, start: argument.start + 1 };
}

/** `['a', "b"]` or a single string: the strings, or undefined when one is not a literal. */
export function jsStrings(code: JsCode, argument: Argument | undefined): string[] | undefined {
  if (!argument) return undefined;
  const single = jsString(code, argument);
  if (single) return [single.value];
  if (!argument.masked.startsWith("[") || !argument.masked.endsWith("]")) return undefined;
  const items = splitArguments(code.masked, argument.start + 1, argument.end - 1);
  const values = items.map((item) => jsString(code, item)?.value);
  return values.every((value): value is string => value !== undefined) ? values : undefined;
}

/** The properties of an object literal `{ a: 1, "b": x, c }`, by key; undefined when it is not one. */
export function jsObject(code: JsCode, argument: Argument | undefined): Map<string, Argument> | undefined {
  if (!argument || !argument.masked.startsWith("{") || !argument.masked.endsWith("}")) return undefined;
  const properties = new Map<string, Argument>();
  for (const part of splitArguments(code.masked, argument.start + 1, argument.end - 1)) {
    const keyed = /^([A-Za-z_$][\w$]*|(["'])\s*\2)\s*:\s*/.exec(part.masked);
    if (keyed) {
      const key = keyed[2] ? code.text.slice(part.start + 1, part.start + (keyed[1] ?? "").length - 1) : (keyed[1] ?? "");
      const valueStart = part.start + keyed[0].length;
      properties.set(key, { start: valueStart, end: part.end, masked: code.masked.slice(valueStart, part.end) });
    } else if (/^[A-Za-z_$][\w$]*$/.test(part.masked)) {
      properties.set(part.masked, part);
    }
  }
  return properties;
}

/** `true` / `false` literals. */
export function jsBoolean(argument: Argument | undefined): boolean | undefined {
  if (argument?.masked === "true") return true;
  if (argument?.masked === "false") return false;
  return undefined;
}

/** A number literal, as written. */
export function jsNumber(argument: Argument | undefined): string | undefined {
  return argument && /^-?\d+(?:\.\d+)?$/.test(argument.masked) ? argument.masked : undefined;
}

/** Every call matched by `pattern` (which must end just before the call's `(`) within [from, to). */
export function jsCalls(masked: string, pattern: RegExp, from: number, to: number): JsCall[] {
  const calls: JsCall[] = [];
  const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  global.lastIndex = from;
  for (let match = global.exec(masked); match && match.index < to; match = global.exec(masked)) {
    const open = match.index + match[0].length;
    if (masked.charAt(open) !== "(") continue;
    const close = matchingBracket(masked, open);
    if (close < 0 || close > to) continue;
    calls.push({ name: match[1] ?? "", at: match.index, open, close, args: splitArguments(masked, open + 1, close) });
  }
  return calls;
}

/** Whether `offset` lies inside the callback of a `.transaction(…)` call within [from, to). */
export function insideTransactionCallback(masked: string, offset: number, from: number, to: number): boolean {
  return jsCalls(masked, /\.\s*transaction\s*/, from, to).some((call) => call.open < offset && offset < call.close);
}
