import type { StatementEffects } from "../sql/effects.js";
import { bodyOf, constraintsOf, strings } from "../sql/nodes.js";
import type { AnalyzedStatement } from "./types.js";
import { defineRule } from "./types.js";
import { blockCommentEnd } from "../sql/block-comment.js";

/**
 * Postgres keeps identifiers to NAMEDATALEN - 1 = 63 bytes: a longer name is cut (at a character
 * boundary) with only a NOTICE, "identifier … will be truncated". The catalog then holds the
 * short name, which is what a tool reading it gets back (an ORM or schema-diff tool comparing the
 * names it wrote with the catalog's sees a different name), and two names that share their first
 * 63 bytes are one name: the second CREATE fails with "already exists". SQL that names the full
 * name still finds the object (it is cut the same way, and so is a string compared with a `name`
 * column); text comparisons do not. Proven in test/rules/identifier-too-long.test.ts.
 *
 * The parser has already cut the names in the tree, so the lengths are read from the statement's
 * text; a long token is reported when its cut form is a name the statement creates.
 */

export const MAX_IDENTIFIER_BYTES = 63;

export interface IdentifierToken {
  /** As Postgres reads it: quotes removed, unquoted names in lower case. */
  name: string;
  /** Offset in the text. */
  at: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uFFFF]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;

/** The identifiers of a statement's text, skipping strings, comments and dollar-quoted bodies. */
export function identifierTokens(text: string): IdentifierToken[] {
  const tokens: IdentifierToken[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? "";
    const next = text[i + 1] ?? "";
    if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (c === "/" && next === "*") {
      i = blockCommentEnd(text, i);
    } else if (c === "'") {
      i = skipString(text, i, false);
    } else if (/[eEbBxXnN]/.test(c) && next === "'" && !IDENT_PART.test(text[i - 1] ?? " ")) {
      // E'…' (backslash escapes), B'…', X'…', N'…': a string with a prefix, not an identifier.
      i = skipString(text, i + 1, /[eE]/.test(c));
    } else if (c === '"') {
      let end = i + 1;
      let name = "";
      while (end < text.length) {
        if (text[end] === '"' && text[end + 1] === '"') {
          name += '"';
          end += 2;
        } else if (text[end] === '"') break;
        else name += text[end++];
      }
      tokens.push({ name, at: i });
      i = end + 1;
    } else if (c === "$" && /[A-Za-z_$]/.test(next)) {
      const tag = /^\$[A-Za-z_\u0080-\uFFFF]?[A-Za-z0-9_\u0080-\uFFFF]*\$/.exec(text.slice(i))?.[0];
      if (!tag) i++;
      else {
        const end = text.indexOf(tag, i + tag.length);
        i = end === -1 ? text.length : end + tag.length;
      }
    } else if (IDENT_START.test(c) && !IDENT_PART.test(text[i - 1] ?? " ")) {
      let end = i + 1;
      while (end < text.length && IDENT_PART.test(text[end] ?? "")) end++;
      tokens.push({ name: text.slice(i, end).toLowerCase(), at: i });
      i = end;
    } else i++;
  }
  return tokens;
}

function skipString(text: string, from: number, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < text.length) {
    if (backslashEscapes && text[i] === "\\") i += 2;
    else if (text[i] === "'" && text[i + 1] === "'") i += 2;
    else if (text[i] === "'") return i + 1;
    else i++;
  }
  return i;
}

const NOT_IN_NAME_RUN = /[\s,.;()'"=]/;
/** The ASCII characters of NOT_IN_NAME_RUN (tab to carriage return, space, and the punctuation), as a table: 1 where a run breaks. */
const ASCII_BREAKS = new Uint8Array(128);
for (const code of [9, 10, 11, 12, 13, 32, ...[..."\",.;()'="].map((c) => c.charCodeAt(0))]) ASCII_BREAKS[code] = 1;

/** Whether the UTF-16 unit at `i` ends a run: white space or , . ; ( ) ' " =. */
function breaksRun(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code < 128 ? ASCII_BREAKS[code] === 1 : NOT_IN_NAME_RUN.test(text.charAt(i));
}

/**
 * Whether `text` holds 16 UTF-16 units in a row that are not white space nor , . ; ( ) ' " =:
 * what /[^\s,.;()'"=]{16}/ tests (the regular expression retries from every position, and was 3%
 * of a long folder's lint). Any 16 units in a row cover one index of every 16th (15, 31, …, or the
 * 16th after a run's end): only the units there are looked at, and the run around one measured.
 */
export function hasRunOf16(text: string): boolean {
  const length = text.length;
  for (let i = 15; i < length; i += 16) {
    if (breaksRun(text, i)) continue;
    let start = i;
    while (start > 0 && !breaksRun(text, start - 1)) start--;
    let end = i;
    while (end + 1 < length && !breaksRun(text, end + 1)) end++;
    if (end - start + 1 >= 16) return true;
    // The run is too short; the next one starts after `end + 1` (a break) at the earliest.
    i = end;
  }
  return false;
}

/** The name as Postgres stores it: at most 63 bytes of UTF-8, cut at a character boundary. */
export function truncatedIdentifier(name: string): string {
  let bytes = 0;
  let kept = "";
  for (const char of name) {
    bytes += Buffer.byteLength(char, "utf8");
    if (bytes > MAX_IDENTIFIER_BYTES) break;
    kept += char;
  }
  return kept;
}

/** Names the statement gives to new things (tables, columns, indexes, constraints, types, functions, …), as in the tree. */
function createdNames(statement: AnalyzedStatement, effects: StatementEffects): Set<string> {
  const names = new Set<string>();
  const add = (name: string | undefined) => {
    if (name) names.add(name.toLowerCase());
  };
  for (const created of effects.creates) add(created.name);
  for (const renamed of effects.renames) add(renamed.to);
  for (const column of effects.adds.columns) {
    add(column.name);
    for (const constraint of constraintsOf(column.column.constraints)) add(constraint.conname);
    for (const constraint of column.tableConstraints) add(constraint.conname);
  }
  for (const added of effects.adds.constraints) add(added.constraint.conname);
  const node = statement.node;
  add(bodyOf(node, "CreateTrigStmt")?.trigname);
  add(bodyOf(node, "CreatePolicyStmt")?.policy_name);
  add(bodyOf(node, "RuleStmt")?.rulename);
  add(strings(bodyOf(node, "CreateStatsStmt")?.defnames).at(-1));
  add(bodyOf(node, "RenameStmt")?.newname);
  return names;
}

export default defineRule({
  id: "identifier-too-long",
  meta: {
    severity: "warning",
    category: "hygiene",
    description: "A name longer than 63 bytes, which Postgres silently truncates.",
    messages: {
      tooLong:
        "{{name}} is {{bytes}} bytes: Postgres keeps 63 and stores it as {{truncated}} (a NOTICE, no error). Tools that read the catalog see the short name, and another name with the same first 63 bytes collides with it.",
    },
  },
  statement({ statement, report }) {
    // A name over 63 bytes has at least 16 characters (4 bytes each at most): skip the tokenizer otherwise.
    if (!hasRunOf16(statement.text)) return;
    const created = createdNames(statement, statement.effects);
    const seen = new Set<string>();
    for (const token of identifierTokens(statement.text)) {
      const bytes = Buffer.byteLength(token.name, "utf8");
      if (bytes <= MAX_IDENTIFIER_BYTES || seen.has(token.name)) continue;
      const truncated = truncatedIdentifier(token.name);
      if (!created.has(truncated.toLowerCase())) continue;
      seen.add(token.name);
      const line = statement.line + (statement.text.slice(0, token.at).match(/\n/g)?.length ?? 0);
      report({
        messageId: "tooLong",
        data: { name: token.name, bytes, truncated },
        help: `Choose a name of at most 63 bytes (this one is cut to ${truncated}).`,
        line,
        endLine: line,
      });
    }
  },
});
