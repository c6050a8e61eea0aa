import { blockCommentEnd } from "./block-comment.js";

/**
 * Template expressions in SQL files, masked so that PostgreSQL's parser reads the statement
 * around them: Go templates (`{{ index .Options "Namespace" }}`), Jinja (`{{ x }}`, `{% if %}`,
 * `{# #}`), Flyway and Liquibase placeholders (`${schema}`), psql variables (`:var`, `:'var'`,
 * `:"var"`). Each expression becomes a placeholder of the SAME length with its newlines kept, so
 * every offset, line and column of the file stays exact: an identifier (`_tpl____`) where a value
 * or a name goes, a string literal for `:'var'`, a quoted identifier for `:"var"`, blanks for a
 * control tag that writes no SQL (`{% if %}`, `{{ end }}`, comments). String literals, comments,
 * quoted identifiers, dollar-quoted bodies, `::` casts and `:=` are left as they are.
 */

export type MaskKind = "identifier" | "literal" | "quoted-identifier" | "blank";

export interface MaskedRange {
  /** Char offsets in the text: [start, end). */
  start: number;
  end: number;
  kind: MaskKind;
}

/**
 * What an identifier placeholder stands for, when the expression is long enough for a numbered
 * one (`_tpl3_____`): names in the parse tree are given back their template text, so a lock on
 * `{{ .Namespace }}.identities` is not reported on `_tpl3_____.identities`.
 */
interface Numbered {
  original: string;
  /** Underscores after `_tpl<n>_`. */
  pad: number;
}

export interface MaskedTemplates {
  /** The text with every template expression replaced, as long as the original. */
  text: string;
  ranges: MaskedRange[];
  /** A name of the parse tree with its numbered placeholders given back their template text. */
  restore: (name: string) => string;
}

/** A quick look before the scan: no candidate at all in most SQL files. */
const CANDIDATE = /\{\{|\{%|\{#|\$\{|:['"A-Za-z_]/;
const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const IDENTIFIER_START = /[A-Za-z_]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;
/** Go template actions that write no text themselves (the text between them is still SQL). */
const GO_CONTROL = /^(?:if|else|end|range|with|define|template|block|break|continue)\b/;
/** After these, `:x` is not a psql variable: `a[lo:hi]`, `x::int` (the second colon), `"col":x`. */
const NOT_BEFORE_VARIABLE = /[A-Za-z0-9_$\]):"[]/;

function sameLength(original: string, fill: (length: number) => string): string {
  // Newlines stay where they are; the placeholder fills the first line, blanks the rest.
  const lines = original.split("\n");
  return lines.map((line, i) => (i === 0 ? fill(line.length) : " ".repeat(line.length))).join("\n");
}

/** How an identifier placeholder starts (shorter when the expression is shorter than it). */
export const PLACEHOLDER_PREFIX = "_tpl";

const identifier = (length: number): string => (PLACEHOLDER_PREFIX + "_".repeat(Math.max(0, length - PLACEHOLDER_PREFIX.length))).slice(0, length);
const NUMBERED = /_tpl([0-9a-z]+)_(_*)/g;
const blank = (length: number): string => " ".repeat(length);

function placeholder(original: string, kind: MaskKind): string {
  switch (kind) {
    case "identifier":
      return sameLength(original, identifier);
    case "blank":
      return sameLength(original, blank);
    case "literal":
      return `'${"_".repeat(original.length - 2)}'`;
    case "quoted-identifier":
      return `"_${"_".repeat(original.length - 3)}"`;
  }
}

/** Whether `text` holds a template expression outside strings and comments. */
export function hasTemplates(text: string): boolean {
  return maskTemplates(text) !== undefined;
}

/** `text` with its template expressions masked, or undefined when it has none. */
export function maskTemplates(text: string): MaskedTemplates | undefined {
  if (!CANDIDATE.test(text)) return undefined;
  const ranges: MaskedRange[] = [];
  const n = text.length;
  let i = 0;
  const skipQuoted = (quote: string, backslashEscapes: boolean): void => {
    i++;
    while (i < n) {
      const c = text[i];
      if (backslashEscapes && c === "\\") i += 2;
      else if (c === quote && text[i + 1] === quote) i += 2;
      else if (c === quote) {
        i++;
        return;
      } else i++;
    }
  };
  while (i < n) {
    const c = text[i] ?? "";
    const next = text[i + 1] ?? "";
    const prev = i > 0 ? (text[i - 1] ?? "") : "";
    if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end;
    } else if (c === "/" && next === "*") {
      // Postgres block comments nest.
      i = blockCommentEnd(text, i);
    } else if (c === "'") {
      // E'…' strings take backslash escapes; standard strings only doubled quotes.
      const escaped = (prev === "E" || prev === "e") && !IDENTIFIER_CHAR.test(text[i - 2] ?? "");
      skipQuoted("'", escaped);
    } else if (c === '"') {
      skipQuoted('"', false);
    } else if (c === "{" && (next === "{" || next === "%" || next === "#")) {
      const close = next === "{" ? "}}" : next === "%" ? "%}" : "#}";
      const end = text.indexOf(close, i + 2);
      if (end < 0) break; // an unclosed tag: nothing after it can be placed with certainty
      const inner = text
        .slice(i + 2, end)
        .replace(/^-|-$/g, "")
        .trim();
      const kind: MaskKind = next !== "{" || inner.startsWith("/*") || GO_CONTROL.test(inner) ? "blank" : "identifier";
      ranges.push({ start: i, end: end + 2, kind });
      i = end + 2;
    } else if (c === "$" && next === "{") {
      const end = text.indexOf("}", i + 2);
      if (end < 0 || text.slice(i, end).includes("\n")) {
        i++;
        continue;
      }
      ranges.push({ start: i, end: end + 1, kind: "identifier" });
      i = end + 1;
    } else if (c === "$" && !IDENTIFIER_CHAR.test(prev)) {
      const tag = DOLLAR_TAG.exec(text.slice(i, i + 64))?.[0];
      if (!tag) {
        i++;
        continue;
      }
      const end = text.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
    } else if (c === ":" && (next === ":" || next === "=")) {
      i += 2;
    } else if (c === ":" && !NOT_BEFORE_VARIABLE.test(prev)) {
      const variable = /^:(?:'[A-Za-z_][A-Za-z0-9_]*'|"[A-Za-z_][A-Za-z0-9_]*"|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i, i + 128))?.[0];
      if (!variable) {
        i++;
        continue;
      }
      const kind: MaskKind = next === "'" ? "literal" : next === '"' ? "quoted-identifier" : "identifier";
      ranges.push({ start: i, end: i + variable.length, kind });
      i += variable.length;
    } else if (IDENTIFIER_START.test(c)) {
      // A whole word at once: `$` inside an identifier (a$b$) is no dollar quote.
      while (i < n && IDENTIFIER_CHAR.test(text[i] ?? "")) i++;
    } else {
      i++;
    }
  }
  if (ranges.length === 0) return undefined;
  let masked = "";
  let at = 0;
  const numbered = new Map<string, Numbered>();
  for (const range of ranges) {
    const original = text.slice(range.start, range.end);
    let replacement = placeholder(original, range.kind);
    const firstLine = original.split("\n")[0]?.length ?? 0;
    const head = `${PLACEHOLDER_PREFIX}${numbered.size.toString(36)}_`;
    if (range.kind === "identifier" && head.length <= firstLine) {
      numbered.set(numbered.size.toString(36), { original, pad: firstLine - head.length });
      replacement = head + "_".repeat(firstLine - head.length) + replacement.slice(firstLine);
    }
    masked += text.slice(at, range.start) + replacement;
    at = range.end;
  }
  const restore = (name: string): string =>
    name.replace(NUMBERED, (whole, id: string, tail: string) => {
      const known = numbered.get(id);
      // The parser may have cut a long name at 63 bytes: fewer underscores than the pad are still it.
      return known ? known.original + tail.slice(known.pad) : whole;
    });
  return { text: masked + text.slice(at), ranges, restore };
}
